using System.CommandLine;
using System.Globalization;
using System.Text;
using Native.Cli.Output;
using Native.Numerics;

namespace Native.Cli.Commands;

/// <summary>
/// <c>native predict</c>: a saved model's prediction for each input row, written as the row is read — a file or
/// standard input is streamed, never held whole.
/// </summary>
internal static partial class PredictCommand
{
    public static Command Create(CliContext context)
    {
        var model = new Option<string>("--model") { Description = "The model file: .safetensors (from native train --out) or .onnx (Native's, PyTorch's, scikit-learn's).", Required = true };
        var input = new Option<string>("--input") { Description = "The rows: a CSV file ('-' for standard input), Parquet files (a file, a directory of them, or a pattern), an IDX images file, or a directory holding one.", Required = true };
        var format = new Choice<DataFormat>("--format", "How to read --input (default: parquet for .parquet files and directories of them, idx for another directory or an -idx3- file, csv otherwise).", null, Vocabulary.Formats);
        var label = new Option<string?>("--label") { Description = "CSV: the name of a label column to skip (default: the model's label column; for a model without column names, the last column when there is one more column than features)." };
        var json = new Option<bool>("--json") { Description = "One JSON object per row: the class and each class's probability by name, or the value." };
        var command = new Command("predict", "Predict each row of the input with a saved model: a header line, then per row the class and each class's probability, or the value.")
        {
            model, input, format.Option, label, json,
        };
        var limits = new ReaderLimits();
        limits.AddTo(command);
        var table = new TableSettings(fitting: false);
        table.AddTo(command);
        command.SetAction(parse =>
        {
            string inputPath = parse.GetValue(input)!;
            DataFormat? given = format.Read(parse);
            DataFormat chosen = given ?? (inputPath != "-" && DataFiles.FormatOf(inputPath, null) == DataFormat.Parquet ? DataFormat.Parquet
                : Directory.Exists(inputPath) || Path.GetFileName(inputPath).Contains("-idx3-", StringComparison.Ordinal) ? DataFormat.Idx : DataFormat.Csv);
            if (inputPath == "-" && chosen == DataFormat.Parquet)
            {
                throw new UsageException("--input - (standard input) is read as CSV; Parquet is read from files: name one.");
            }

            if (inputPath == "-" && chosen == DataFormat.Idx)
            {
                throw new UsageException("--input - (standard input) is read as CSV; --format idx reads an IDX images file or a directory holding one: name it.");
            }

            if (chosen == DataFormat.Idx && parse.GetValue(label) is not null)
            {
                throw new UsageException("--label names a CSV column to skip; IDX images have no label column. Remove it.");
            }

            limits.CheckApply(parse, chosen, inputPath);
            table.CheckApply(parse, chosen, inputPath);
            (CsvOptions Csv, IdxOptions Idx) read = limits.Read(parse);
            return Run(context, parse.GetValue(model)!, inputPath, chosen, parse.GetValue(label), parse.GetValue(json), read, table.Read(parse, null, CsvLabels.Infer, read.Csv, standardize: true));
        });
        return command;
    }

    public static int Run(CliContext context, string modelPath, string inputPath, DataFormat format, string? label, bool json, (CsvOptions Csv, IdxOptions Idx) limits, TableOptions? table = null)
    {
        if (inputPath == "-" && Platform.FileStatus.OfDescriptor(0) is { Kind: Platform.FileKind.Directory })
        {
            throw new UsageException("--input -: standard input is a directory; redirect a CSV file into it (< rows.csv), or name the file with --input.");
        }

        var destinations = new Destinations().Reads("--model", modelPath);
        (inputPath == "-" ? destinations.ReadsStandardInput() : destinations.Reads("--input", inputPath)).Check();
        TrainedModel file = ModelFiles.Load(modelPath).File;
        var writer = new RowWriter(context.Out, json, file);
        if (format == DataFormat.Idx)
        {
            PredictImages(context, inputPath, writer, limits.Idx);
            return ExitCodes.Success;
        }

        if (format == DataFormat.Parquet)
        {
            PredictParquet(context, file, inputPath, label, writer);
            return ExitCodes.Success;
        }

        // Standard input, or a file: either way read through a stream that flushes what has been printed before it
        // waits for more, so each row's prediction appears as soon as the row is read.
        bool stdin = inputPath == "-";
        if (!stdin)
        {
            DataFiles.CheckCsvFile(inputPath);
        }

        using Stream source = stdin ? context.OpenInput() : new FileStream(inputPath, FileMode.Open, FileAccess.Read, FileShare.Read, 64 * 1024, FileOptions.SequentialScan);
        using var flushing = new FlushingStream(source, context.Out, context.Cancellation);
        string name = stdin ? "standard input" : inputPath;
        if (file.Pipeline is not null)
        {
            // A model trained on a table: its columns by name, through its pipeline, blanks and unseen categories answered.
            using TableRecords records = TableRecords.Csv(flushing, name, file.Pipeline, table ?? new TableOptions());
            PredictTable(context, file, records, writer, parquet: false);
            return ExitCodes.Success;
        }

        var reader = new CsvFeatureReader(flushing, name, limits.Csv);
        if (file.FeatureNames.Count > 0)
        {
            reader.SelectByName(file.FeatureNames, label ?? file.LabelName);
        }
        else
        {
            reader.SelectByCount(file.Model.Features, label);
        }

        float[] raw = new float[file.Model.Features];
        Func<int, string> where = feature => string.Create(CultureInfo.InvariantCulture, $"'{name}', line {reader.LineOf(feature)}, column {reader.ColumnOf(feature)}");
        Func<int, string> what = feature => reader.Header[reader.Columns[feature]];
        bool any = false;
        while (reader.ReadRow(raw))
        {
            any = true;
            writer.Predict(raw, where, what);
        }

        if (!any)
        {
            throw FileFormatException.AtLine(name, reader.HeaderLine, 1, "the file has a header but no data rows; expected at least one row after it.");
        }

        return ExitCodes.Success;
    }

    /// <summary>Predicts the rows of Parquet files (one, a directory's, a pattern's), a row group at a time, the features taken by name.</summary>
    private static void PredictParquet(CliContext context, TrainedModel file, string path, string? label, RowWriter writer)
    {
        if (file.Pipeline is not null)
        {
            // A model trained on a table: the files' columns by name, through its pipeline, as a CSV file's records.
            using TableRecords records = TableRecords.Parquet(path, file.Pipeline, new TableOptions());
            PredictTable(context, file, records, writer, parquet: true);
            return;
        }

        using ParquetFeatureReader reader = ParquetFeatureReader.Open(path);
        if (file.FeatureNames.Count > 0)
        {
            reader.SelectByName(file.FeatureNames, label ?? file.LabelName);
        }
        else
        {
            reader.SelectByCount(file.Model.Features, label);
        }

        float[] raw = new float[file.Model.Features];
        Func<int, string> where = feature => string.Create(CultureInfo.InvariantCulture, $"'{reader.File}', row group {reader.RowGroup}, row {reader.Row}, column '{reader.Header[reader.Columns[feature]]}'");
        Func<int, string> what = feature => reader.Header[reader.Columns[feature]];
        bool any = false;
        while (reader.ReadRow(raw))
        {
            context.Cancellation.ThrowIfCancellationRequested();
            any = true;
            writer.Predict(raw, where, what);
        }

        if (!any)
        {
            throw FileFormatException.InFile(path, "the Parquet data have no rows; expected at least one.");
        }
    }

    private static void PredictImages(CliContext context, string path, RowWriter writer, IdxOptions limits)
    {
        string imagesPath = Directory.Exists(path) ? Idx.FindFiles(path).Images : path;
        IdxImages images = Idx.ReadImages(imagesPath, limits);
        int features = writer.Features;
        if (images.PixelsPerImage != features)
        {
            throw new UsageException($"The images have {images.PixelsPerImage} pixels; the model takes {features} features.");
        }

        float[] row = new float[features];
        for (int i = 0; i < images.Count; i++)
        {
            context.Cancellation.ThrowIfCancellationRequested();
            ReadOnlySpan<byte> pixels = images.Image(i);
            for (int j = 0; j < features; j++)
            {
                row[j] = pixels[j] / 255f;
            }

            int image = i;
            writer.Predict(row, feature => string.Create(CultureInfo.InvariantCulture, $"'{imagesPath}', image {image}, pixel {feature}"), feature => string.Create(CultureInfo.InvariantCulture, $"pixel {feature}"));
        }
    }

    /// <summary>Writes each row's prediction: a line of text (after a header naming the columns), or a JSON object.</summary>
    private sealed class RowWriter
    {
        private readonly TextWriter _output;
        private readonly bool _json;
        private readonly RowPredictor _predictor;
        private readonly bool _named;
        private readonly StringBuilder _line = new();
        private bool _headerWritten;

        public RowWriter(TextWriter output, bool json, TrainedModel file)
        {
            _output = output;
            _json = json;
            _predictor = new RowPredictor(file);
            _named = file.ClassNames.Count > 0;
        }

        /// <summary>
        /// Text starts with a header saying what each column is: the class, then each class's probability, by name. It is
        /// written with the first answered row, so that input refused before any row (a column missing from its header)
        /// leaves standard output empty, not a header over nothing.
        /// </summary>
        private void WriteHeader()
        {
            if (_headerWritten || _json)
            {
                return;
            }

            _headerWritten = true;
            _output.WriteLine(_predictor.Classifier ? "class " + string.Join(' ', _predictor.ClassNames.Select(Printable.Field)) : string.Join(' ', _predictor.ValueNames.Select(Printable.Field)));
        }

        public int Features => _predictor.Features;

        /// <summary>Predicts a table row read at <paramref name="where"/> and writes its line.</summary>
        public void PredictRow(TableRow row, string where)
        {
            _predictor.PredictRow(row, where);
            WriteHeader();
            if (_predictor.Classifier)
            {
                WriteClass(_predictor.BestClass);
            }
            else
            {
                WriteValues();
            }
        }

        /// <summary>Predicts <paramref name="raw"/> (in the data's units) and writes its line.</summary>
        /// <param name="raw">The row as read.</param>
        /// <param name="where">Where a feature stands in the input, for an error.</param>
        /// <param name="what">A feature's name, for an error.</param>
        public void Predict(float[] raw, Func<int, string> where, Func<int, string> what)
        {
            _predictor.Predict(raw, where, what);
            WriteHeader();
            if (_predictor.Classifier)
            {
                WriteClass(_predictor.BestClass);
            }
            else
            {
                WriteValues();
            }
        }

        private void WriteClass(int best)
        {
            IReadOnlyList<string> names = _predictor.ClassNames;
            if (_json)
            {
                float[] values = _predictor.Outputs.ToArray();
                bool named = _named;
                JsonLines.Write(_output, writer =>
                {
                    if (named)
                    {
                        writer.WriteString("class", names[best]);
                    }
                    else
                    {
                        writer.WriteNumber("class", best);
                    }

                    // Each class's probability under its name (its number for a model without names), in class order.
                    writer.WriteStartObject("probabilities");
                    for (int k = 0; k < values.Length; k++)
                    {
                        writer.WriteNumber(names[k], values[k]);
                    }

                    writer.WriteEndObject();
                });
                return;
            }

            _line.Clear().Append(Printable.Field(names[best]));
            foreach (float p in _predictor.Outputs)
            {
                _line.Append(' ').Append(p.ToString("F6", CultureInfo.InvariantCulture));
            }

            _output.WriteLine(_line.ToString());
        }

        // One value: "value" (JSON) or the number; several (a multi-output regression): "values" by output name, or the numbers.
        private void WriteValues()
        {
            ReadOnlySpan<float> values = _predictor.Outputs;
            if (_json)
            {
                float[] copy = values.ToArray();
                IReadOnlyList<string> names = _predictor.ValueNames;
                JsonLines.Write(_output, writer =>
                {
                    if (copy.Length == 1)
                    {
                        writer.WriteNumber("value", copy[0]);
                        return;
                    }

                    writer.WriteStartObject("values");
                    for (int k = 0; k < copy.Length; k++)
                    {
                        writer.WriteNumber(names[k], copy[k]);
                    }

                    writer.WriteEndObject();
                });
                return;
            }

            _line.Clear();
            for (int k = 0; k < values.Length; k++)
            {
                _line.Append(k == 0 ? string.Empty : " ").Append(values[k].ToString("R", CultureInfo.InvariantCulture));
            }

            _output.WriteLine(_line.ToString());
        }
    }
}
