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
internal static class PredictCommand
{
    public static Command Create(CliContext context)
    {
        var model = new Option<string>("--model") { Description = "The model file (safetensors, from native train --out).", Required = true };
        var input = new Option<string>("--input") { Description = "The rows: a CSV file ('-' for standard input), an IDX images file, or a directory holding one.", Required = true };
        var format = new Option<string?>("--format") { Description = "csv or idx (default: idx for a directory or an -idx3- file, csv otherwise)." };
        format.AcceptOnlyFromAmong("csv", "idx");
        var label = new Option<string?>("--label") { Description = "CSV: the name of a label column to skip (default: the model's label column; for a model without column names, the last column when there is one more column than features)." };
        var json = new Option<bool>("--json") { Description = "One JSON object per row: class and probabilities, or value." };
        var command = new Command("predict", "Predict each row of the input with a saved model: the class and its probabilities, or the value.")
        {
            model, input, format, label, json,
        };
        var limits = new ReaderLimits();
        limits.AddTo(command);
        command.SetAction(parse => Run(context, parse.GetValue(model)!, parse.GetValue(input)!, parse.GetValue(format), parse.GetValue(label), parse.GetValue(json), limits.Read(parse)));
        return command;
    }

    public static int Run(CliContext context, string modelPath, string inputPath, string? format, string? label, bool json, (CsvOptions Csv, IdxOptions Idx) limits)
    {
        TrainedModel file = ModelFiles.Load(modelPath).File;
        var writer = new RowWriter(context.Out, json, file);
        format ??= Directory.Exists(inputPath) || Path.GetFileName(inputPath).Contains("-idx3-", StringComparison.Ordinal) ? "idx" : "csv";
        if (format == "idx")
        {
            PredictImages(context, inputPath, writer, limits.Idx);
            return ExitCodes.Success;
        }

        // Standard input, or a file: either way read through a stream that flushes what has been printed before it
        // waits for more, so each row's prediction appears as soon as the row is read.
        bool stdin = inputPath == "-";
        if (!stdin && !File.Exists(inputPath))
        {
            throw new FileNotFoundException($"The input file '{inputPath}' does not exist.", inputPath);
        }

        using Stream source = stdin ? context.OpenInput() : new FileStream(inputPath, FileMode.Open, FileAccess.Read, FileShare.Read, 64 * 1024, FileOptions.SequentialScan);
        using var flushing = new FlushingStream(source, context.Out, context.Cancellation);
        string name = stdin ? "standard input" : inputPath;
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

    /// <summary>
    /// Predicts rows one at a time, through the loaded model's raw-row API (its standardizer applied inside, on the
    /// generated kernel where the shape has one), and writes a line for each; a row without a finite prediction (a
    /// feature the model's arithmetic overflows on) is an error naming where that feature stands, never a confident line.
    /// </summary>
    private sealed class RowWriter(TextWriter output, bool json, TrainedModel file)
    {
        private readonly bool _classifier = file.Model is IClassifier;
        private readonly float[] _row = new float[file.Model.Features];
        private readonly float[] _outputs = new float[file.Model is IClassifier c ? c.Classes : 1];
        private readonly StringBuilder _line = new();

        public int Features => file.Model.Features;

        /// <summary>Predicts <paramref name="raw"/> (in the data's units) and writes its line.</summary>
        /// <param name="raw">The row as read.</param>
        /// <param name="where">Where a feature stands in the input, for an error.</param>
        /// <param name="what">A feature's name, for an error.</param>
        public void Predict(float[] raw, Func<int, string> where, Func<int, string> what)
        {
            if (_classifier)
            {
                file.PredictProbabilities(raw, _outputs);
            }
            else
            {
                file.PredictValues(raw, _outputs);
            }

            if (!Sound(_outputs, _classifier))
            {
                throw Unpredictable(raw, where, what);
            }

            if (!_classifier)
            {
                WriteValue(_outputs[0]);
                return;
            }

            // The most probable class, ties to the lower class, as Predict chooses.
            int best = 0;
            for (int k = 1; k < _outputs.Length; k++)
            {
                best = _outputs[k] > _outputs[best] ? k : best;
            }

            WriteClass(best);
        }

        /// <summary>
        /// Whether the outputs are a prediction: finite, and for a classifier probabilities that sum to 1 (a model
        /// that does not follow the policy itself may give a row of zeros for logits that overflowed).
        /// </summary>
        private static bool Sound(float[] outputs, bool probabilities)
        {
            if (!PredictionPolicy.IsFinite(outputs))
            {
                return false;
            }

            if (!probabilities)
            {
                return true;
            }

            float sum = 0f;
            foreach (float p in outputs)
            {
                sum += p;
            }

            return Math.Abs(sum - 1f) < 1e-3f;
        }

        /// <summary>The error for a row: where the feature to blame stands (the model's input's first non-finite, or largest), and why.</summary>
        private UsageException Unpredictable(float[] raw, Func<int, string> where, Func<int, string> what)
        {
            // The row the model saw: standardized, when the file has a standardizer.
            raw.CopyTo(_row, 0);
            file.Standardizer?.Transform(_row, _row);
            int feature = PredictionPolicy.OffendingFeature(_row);
            string name = Printable.Text(what(feature));
            string value = raw[feature].ToString(CultureInfo.InvariantCulture);
            string reason = float.IsFinite(_row[feature])
                ? $"the model's outputs overflow the float range; its largest feature, '{name}', is {value}{(file.Standardizer is null ? "" : $" (standardized: {_row[feature].ToString(CultureInfo.InvariantCulture)})")}"
                : $"feature '{name}' is {value}, which standardizes to {_row[feature].ToString(CultureInfo.InvariantCulture)}, beyond the float range";
            return new UsageException($"{where(feature)}: no prediction for this row: {reason}.");
        }

        private void WriteClass(int best)
        {
            IReadOnlyList<string> names = file.ClassNames;
            if (json)
            {
                float[] values = _outputs;
                JsonLines.Write(output, writer =>
                {
                    if (names.Count > 0)
                    {
                        writer.WriteString("class", names[best]);
                    }
                    else
                    {
                        writer.WriteNumber("class", best);
                    }

                    writer.WriteStartArray("probabilities");
                    foreach (float p in values)
                    {
                        writer.WriteNumberValue(p);
                    }

                    writer.WriteEndArray();
                });
                return;
            }

            _line.Clear().Append(names.Count > 0 ? Printable.Text(names[best]) : best.ToString(CultureInfo.InvariantCulture));
            foreach (float p in _outputs)
            {
                _line.Append(' ').Append(p.ToString("F6", CultureInfo.InvariantCulture));
            }

            output.WriteLine(_line.ToString());
        }

        private void WriteValue(float value)
        {
            if (json)
            {
                JsonLines.Write(output, writer => writer.WriteNumber("value", value));
            }
            else
            {
                output.WriteLine(value.ToString("R", CultureInfo.InvariantCulture));
            }
        }
    }
}
