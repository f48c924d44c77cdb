using System.CommandLine;
using System.Globalization;
using Native.Numerics;

namespace Native.Cli.Commands;

/// <summary>
/// <c>native quantize</c>: a model file turned into an int8 one (signed-byte weights, one scale per output row; each layer's
/// input as bytes scaled from calibration rows, or per row), which <c>predict</c>, <c>evaluate</c> and <c>bench</c> read as
/// any model file. Calibration rows are a CSV file's first rows (its columns matched to the model's features as
/// <c>evaluate</c> matches them; a label column is skipped), each finite. A model trained on a table keeps its pipeline: its
/// calibration rows are the table's first records, read by column name and encoded by that pipeline (blanks and categories
/// never seen included), and the int8 model predicts from records as the float one does.
/// </summary>
internal static class QuantizeCommand
{
    public static Command Create(CliContext context)
    {
        var model = new Option<string>("--model") { Description = "The float model to quantize: a .safetensors file (from native train --out) or an .onnx file.", Required = true };
        var data = new Option<string?>("--data") { Description = "Calibration rows: a CSV file with the model's feature columns (a label column is skipped), such as the training data; for a model trained on a table, its table (records read through the model's pipeline)." };
        var output = new Option<string>("--out") { Description = "The int8 model file to write (.safetensors).", Required = true };
        var rows = new Option<int>("--rows") { Description = "The most calibration rows read from --data (its first ones).", DefaultValueFactory = _ => 1000 };
        var perRow = new Option<bool>("--per-row") { Description = "Scale each row by its own range as it is predicted, instead of calibrated ranges: for inputs with heavy tails, or without calibration rows (no --data); slower." };
        var command = new Command("quantize", "Quantize a model to int8: a quarter of the weight bytes, integer SIMD, the same bits on every CPU.")
        {
            model, data, output, rows, perRow,
        };
        var limits = new ReaderLimits(); // the CSV reader's errors name these options (native: --max-field-length), so quantize takes them
        limits.AddTo(command);
        var table = new TableSettings(fitting: false); // --delimiter, for a table model's records, as predict and evaluate take it
        table.AddTo(command);
        command.SetAction(parse =>
        {
            string? dataPath = parse.GetValue(data);
            limits.CheckApply(parse, DataFormat.Csv, dataPath ?? "(no --data)");
            CsvOptions csv = limits.Read(parse).Csv;
            return Run(context, parse.GetValue(model)!, dataPath, parse.GetValue(output)!, parse.GetValue(rows), parse.GetValue(perRow), csv, table.Read(parse, null, CsvLabels.Infer, csv, standardize: true));
        });
        return command;
    }

    public static int Run(CliContext context, string modelPath, string? dataPath, string outputPath, int rowLimit, bool perRow, CsvOptions? csv = null, TableOptions? table = null)
    {
        if (rowLimit < 1)
        {
            throw new UsageException("--rows must be at least 1.");
        }

        if (perRow == (dataPath is not null))
        {
            throw new UsageException(perRow ? "--per-row needs no calibration rows: remove --data (or --per-row, to calibrate on them)." : "--data is required: the calibration rows (or --per-row, for per-row scales without them).");
        }

        var destinations = new Destinations().Reads("--model", modelPath);
        DataFormat? format = dataPath is null ? null : DataFiles.FormatOf(dataPath, null);
        if (dataPath is not null)
        {
            if (format == DataFormat.Idx)
            {
                throw new UsageException($"quantize calibrates on a CSV file, or a table model on Parquet files; '{dataPath}' is IDX data: calibrate on a CSV export of some of its rows, or use --per-row.");
            }

            destinations = destinations.ReadBy("--data", dataPath, format);
        }

        destinations.Writes("--out", outputPath).Check();
        if (ModelFile.FormatOf(outputPath) == ModelFormat.Onnx)
        {
            throw new UsageException($"--out '{outputPath}': quantize writes an int8 safetensors file; convert it to ONNX after (native convert --model model-int8.safetensors --out '{outputPath}'), which writes the QDQ graph.");
        }

        ModelFiles.CheckDestination("--out", outputPath);
        ModelFiles.CheckModelPath(modelPath);
        TrainedModel loaded = ModelFile.Load(modelPath);
        if (loaded.IsQuantized)
        {
            throw new UsageException($"--model '{modelPath}' is quantized already.");
        }

        int count = 0;
        string agreement = "";
        TrainedModel quantized;
        if (dataPath is null)
        {
            quantized = loaded.Quantize();
        }
        else if (loaded.Pipeline is not null)
        {
            // A table model: its records (CSV or Parquet), read by column name and encoded by its pipeline; the integer layers
            // take the encoded rows.
            bool parquet = format == DataFormat.Parquet;
            if (!parquet)
            {
                DataFiles.CheckCsvFile(dataPath);
            }

            var counted = new Counter();
            quantized = loaded.Quantize(ReadRecords(context, loaded, dataPath, parquet, rowLimit, table ?? new TableOptions(), counted));
            count = counted.Count;
            context.Cancellation.ThrowIfCancellationRequested();
        }
        else if (format == DataFormat.Parquet)
        {
            throw new UsageException($"quantize calibrates a model of numbers on a CSV file; '{dataPath}' is Parquet: calibrate on a CSV export of some of its rows, or use --per-row. (A table model calibrates on Parquet files.)");
        }
        else
        {
            DataFiles.CheckCsvFile(dataPath);
            float[] calibration = ReadRows(context, loaded, dataPath, rowLimit, csv ?? new CsvOptions(), out count);
            quantized = loaded.Quantize(calibration);
            context.Cancellation.ThrowIfCancellationRequested();
            agreement = Agreement(loaded, quantized, calibration, count);
        }

        ModelFile.Save(quantized, outputPath, context.Cancellation);
        context.Done($"the model was saved to '{outputPath}'");
        long bytes = new FileInfo(outputPath).Length, before = new FileInfo(modelPath).Length;
        string how = dataPath is null ? "per-row scales" : string.Create(CultureInfo.InvariantCulture, $"calibrated on {count:N0} row{(count == 1 ? "" : "s")} of '{dataPath}'");
        context.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{outputPath}: {quantized.Shape}, int8, {how}; {bytes:N0} bytes (the float file: {before:N0}){agreement}."));
        return ExitCodes.Success;
    }

    /// <summary>
    /// Up to <paramref name="limit"/> records of the CSV table, read by column name through the model's pipeline into one row
    /// handed out again and again (the library encodes each as it comes); <paramref name="counted"/> counts them. No record is an
    /// error naming the file.
    /// </summary>
    private static IEnumerable<TableRow> ReadRecords(CliContext context, TrainedModel model, string path, bool parquet, int limit, TableOptions options, Counter counted)
    {
        using TableRecords reader = parquet ? TableRecords.Parquet(path, model.Pipeline!, new TableOptions { MaxFieldLength = options.MaxFieldLength, MaxLineLength = options.MaxLineLength, MaxColumns = options.MaxColumns }) : TableRecords.Csv(path, model.Pipeline!, options);
        TableRow row = model.CreateRow();
        while (counted.Count < limit && reader.ReadRow(row))
        {
            context.Cancellation.ThrowIfCancellationRequested();
            counted.Count++;
            yield return row;
        }

        if (counted.Count == 0)
        {
            throw reader.HeaderError(parquet ? "the Parquet data have no rows; calibration needs at least one." : "the file has a header but no data rows; calibration needs at least one row after it.");
        }
    }

    /// <summary>
    /// A classifier's agreement with the float model on its calibration rows, for the summary line: "; the classes of 96
    /// of 151 calibration rows as the float model's", and, below 99 %, what may have set the ranges. A single calibration
    /// row of 3e38 among iris's took the int8 model from 0.97 to 0.62 accuracy with nothing said. Empty for a regressor.
    /// </summary>
    private static string Agreement(TrainedModel model, TrainedModel quantized, float[] calibration, int count)
    {
        if (model.Task == ModelTask.Regression)
        {
            return "";
        }

        int[] expected = new int[count], found = new int[count];
        model.PredictClasses(calibration, expected);
        quantized.PredictClasses(calibration, found);
        int same = 0;
        for (int i = 0; i < count; i++)
        {
            same += expected[i] == found[i] ? 1 : 0;
        }

        string low = same < 0.99 * count ? " (an outlier among them may have set the int8 ranges: remove it, or use --per-row)" : "";
        return string.Create(CultureInfo.InvariantCulture, $"; the classes of {same:N0} of {count:N0} calibration row{(count == 1 ? "" : "s")} as the float model's{low}");
    }

    /// <summary>How many records an iterator handed out (an iterator cannot have an out parameter).</summary>
    private sealed class Counter
    {
        public int Count { get; set; }
    }

    /// <summary>Up to <paramref name="limit"/> rows of the CSV file, the model's features in its order.</summary>
    private static float[] ReadRows(CliContext context, TrainedModel model, string path, int limit, CsvOptions options, out int count)
    {
        using CsvFeatureReader reader = CsvFeatureReader.Open(path, options);
        if (model.FeatureNames.Count > 0)
        {
            reader.SelectByName(model.FeatureNames, model.LabelName ?? (reader.Header.Count > model.Features ? reader.Header[^1] : null));
        }
        else
        {
            reader.SelectByCount(model.Features, model.LabelName);
        }

        int features = model.Features;
        var rows = new List<float>();
        float[] row = new float[features];
        count = 0;
        while (count < limit && reader.ReadRow(row))
        {
            context.Cancellation.ThrowIfCancellationRequested();
            rows.AddRange(row);
            count++;
        }

        if (count == 0)
        {
            throw FileFormatException.AtLine(path, reader.HeaderLine, 1, "the file has a header but no data rows; calibration needs at least one row after it.");
        }

        return [.. rows];
    }
}
