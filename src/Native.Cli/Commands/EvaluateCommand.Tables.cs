using System.Globalization;
using Native.Cli.Output;
using Native.Numerics;

namespace Native.Cli.Commands;

// native evaluate on a model trained on a table: the records read into the pipeline's rows by column name, the label beside them.
internal static partial class EvaluateCommand
{
    private static void EvaluateTable(CliContext context, Settings settings, TrainedModel file, RowPredictor predictor, Tally tally, CsvOptions limits, bool parquet = false)
    {
        if (settings.ByIndex)
        {
            throw new UsageException("--match-classes index numbers the data's classes in sorted order; a model trained on a table knows its classes by name. Remove it.");
        }

        string path = settings.Data;
        var options = new TableOptions { MaxFieldLength = limits.MaxFieldLength, MaxLineLength = limits.MaxLineLength, MaxColumns = limits.MaxColumns };
        using TableRecords reader = parquet ? TableRecords.Parquet(path, file.Pipeline!, options) : TableRecords.Csv(path, file.Pipeline!, options);
        string? label = settings.Label ?? file.LabelName;
        int labelColumn = label is null
            ? reader.Header.Count - 1
            : reader.HeaderIndexOf(label) is int named and >= 0 ? named
            : int.TryParse(label, NumberStyles.None, CultureInfo.InvariantCulture, out int index) && index < reader.Header.Count ? index : -1;
        int[] targetColumns = tally is ValueTally { Targets: > 1 } several ? [.. several.Names.Select(name => reader.HeaderIndexOf(name))] : [labelColumn];
        if (targetColumns.Length > 1 && Array.IndexOf(targetColumns, -1) is int absent and >= 0)
        {
            throw reader.HeaderError($"the header has no target column '{Printable.Text(((ValueTally)tally).Names[absent])}'; evaluate needs each of the model's {targetColumns.Length} targets in each row.");
        }

        if (labelColumn < 0 && targetColumns.Length == 1)
        {
            throw reader.HeaderError($"the header has no label column '{Printable.Text(label ?? "")}'; evaluate needs each row's label.");
        }

        if (targetColumns.Length == 1 && file.Pipeline!.Columns.FirstOrDefault(c => c.Kind != ColumnKind.Ignored && c.Name == reader.Header[labelColumn]) is { } input)
        {
            // Measured against a column it reads, the model is graded on its own input (accuracy 1.0000 from a category feature).
            string which = settings.Label is null ? $"The label column (the {(file.LabelName is null ? "last column" : "model's label")}) '{Printable.Text(input.Name)}'" : $"--label {Printable.Text(settings.Label)}: the column '{Printable.Text(input.Name)}'";
            throw new UsageException($"{which} is one the model reads, a {input.Kind.ToString().ToLowerInvariant()} feature; measured against it, the model would be graded on its own input. Name the label column with --label{(file.LabelName is string own && own != input.Name ? $" (the model's is '{Printable.Text(own)}')" : "")}.");
        }

        float[] actual = new float[targetColumns.Length];

        var classOf = file.ClassNames.Select((name, k) => (name, k)).DistinctBy(p => p.name).ToDictionary(p => p.name, p => p.k, StringComparer.Ordinal);
        Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> lookup = classOf.GetAlternateLookup<ReadOnlySpan<char>>();
        TableRow row = file.CreateRow();
        while (reader.ReadRow(row))
        {
            context.Cancellation.ThrowIfCancellationRequested();
            predictor.PredictRow(row, reader.Where);
            if (tally is ValueTally values)
            {
                for (int t = 0; t < targetColumns.Length; t++)
                {
                    actual[t] = TargetOf(reader, targetColumns[t], file.Pipeline!, targetColumns.Length > 1);
                }

                values.Add(actual, predictor.Outputs);
                continue;
            }

            ReadOnlySpan<char> text = reader.Text(labelColumn).Trim();
            string at = reader.WhereField(labelColumn);
            var counts = (ClassTally)tally;
            int found = lookup.TryGetValue(text, out int k) ? k
                : long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long number) && classOf.TryGetValue(number.ToString(CultureInfo.InvariantCulture), out k) ? k
                : int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out k) && classOf.Count == 0 && k < predictor.ClassNames.Count ? k : -1;
            if (found < 0)
            {
                throw new UsageException(text.IsEmpty ? $"{at}: the label is missing (empty); every row needs one." : $"{at}: the class '{Printable.Text(text.ToString())}' is not one the model knows; its classes are {Names(predictor.ClassNames)}.");
            }

            counts.Add(found, predictor);
        }

        if (tally.Count == 0)
        {
            throw reader.HeaderError(parquet ? "the Parquet data have no rows; expected at least one." : "the file has a header but no data rows; expected at least one row after it.");
        }
    }

    /// <summary>A regression's target in column <paramref name="column"/> of the record last read: a finite number, or an error naming where it stands.</summary>
    /// <param name="reader">The table's records.</param>
    /// <param name="column">The target's column.</param>
    /// <param name="pipeline">The model's pipeline: how its numbers are written (a decimal comma, a thousands separator).</param>
    /// <param name="several">Whether the model has several targets (the message names the column as a target, not the label).</param>
    private static float TargetOf(TableRecords reader, int column, FeaturePipeline pipeline, bool several)
    {
        ReadOnlySpan<char> text = reader.Text(column).Trim();
        if (!pipeline.TryParseNumber(text, out float value) || !float.IsFinite(value))
        {
            string what = several ? $"the target '{Printable.Text(reader.Header[column])}' is" : "the label is";
            throw new UsageException($"{reader.WhereField(column)}: {what} '{Printable.Text(text.ToString())}'; a regression's {(several ? "targets" : "labels")} are finite numbers.");
        }

        return value;
    }
}
