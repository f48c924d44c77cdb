using System.Globalization;
using Native.Numerics;

namespace Native.Cli.Commands;

// native bench --model on a model that takes table records (its pipeline has categories): what a program pays per record.
internal static partial class BenchCommand
{
    /// <summary>
    /// A table model's prediction per record, three ways: one record whose values are set (<see cref="TableRow"/>: the
    /// pipeline's encoding and the model), one record set from text as a CSV field or a JSON value holds it (what
    /// <c>native predict</c> and <c>native serve</c> pay: the numbers parsed, the categories looked up), and
    /// <paramref name="batchRows"/> set records predicted one after another (per record). The records: numbers near their
    /// training means (the imputation fill, ± 10 %), categories cycling through the values training kept, one value in
    /// eight missing.
    /// </summary>
    private static int RunRecords(CliContext context, string path, TrainedModel file, FeaturePipeline pipeline, string kernel, bool json, int rounds, int batchRows)
    {
        var random = new Random(1);
        var columns = pipeline.Columns.Where(c => c.Kind != ColumnKind.Ignored).ToArray();
        var records = new TableRow[batchRows];
        var texts = new string[batchRows][];
        for (int r = 0; r < batchRows; r++)
        {
            records[r] = file.CreateRow();
            texts[r] = new string[columns.Length];
            for (int c = 0; c < columns.Length; c++)
            {
                PipelineColumn column = columns[c];
                string text = random.Next(8) == 0 ? string.Empty
                    : column.Kind == ColumnKind.Number ? (column.Fill * (1f + (0.1f * (float)((random.NextDouble() * 2) - 1)))).ToString("R", CultureInfo.InvariantCulture)
                    : column.Categories.Count > 0 ? column.Categories[(r + c) % column.Categories.Count]
                    : "unseen";
                texts[r][c] = pipeline.DecimalComma ? text.Replace('.', ',') : text;
                records[r].SetText(pipeline.IndexOf(column.Name), texts[r][c]);
            }
        }

        int[] indexes = Array.ConvertAll(columns, c => pipeline.IndexOf(c.Name));
        float[] values = new float[file.Outputs];
        bool classifier = file.Task != ModelTask.Regression;
        Action<TableRow> predict = classifier ? row => file.TryPredictClass(row, out _)
            : file.Outputs == 1 ? row => file.TryPredictValue(row, out _)
            : row => file.PredictValues(row, values);
        TableRow first = records[0], scratch = file.CreateRow();
        string[] firstTexts = texts[0];
        var (record, recordBytes) = Time(rounds, 1, () => predict(first));
        var (fromText, textBytes) = Time(rounds, 1, () =>
        {
            for (int c = 0; c < indexes.Length; c++)
            {
                scratch.SetText(indexes[c], firstTexts[c]);
            }

            predict(scratch);
        });
        var (many, manyBytes) = Time(rounds, batchRows, () =>
        {
            foreach (TableRow row in records)
            {
                predict(row);
            }
        });
        string precision = file.IsQuantized ? "int8" : "float32"; // the pipeline is in floats either way; the layers are the model's
        if (!json)
        {
            context.Out.WriteLine($"native bench: '{path}', {file.Shape} behind a pipeline of {columns.Length} columns ({pipeline.Features} features), {precision}{(kernel == precision ? "" : $" ({kernel})")}; {Machine}; median of {rounds} rounds");
            context.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{"records",7} {"input",-7} {"ns per record",14} {"allocated",10}"));
        }

        foreach ((int count, string input, double nanoseconds, double bytes) in new[] { (1, "record", record, recordBytes), (1, "text", fromText, textBytes), (batchRows, "record", many, manyBytes) })
        {
            if (json)
            {
                WriteMeasurement(context.Out, path, file.Shape, precision, kernel, input, count, nanoseconds, bytes);
            }
            else
            {
                context.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{count,7} {input,-7} {nanoseconds,14:N1} {bytes,8:N0} B"));
            }
        }

        return ExitCodes.Success;
    }
}
