using System.Globalization;
using Native.Cli.Output;
using Native.Numerics;

namespace Native.Cli.Commands;

// native evaluate on a regression of several targets: each row's target columns read beside its features, every target
// scored alone, then the mean of theirs.
internal static partial class EvaluateCommand
{
    /// <summary>
    /// The target columns of a model of <paramref name="outputs"/> values a row, in output order: --label's (comma-separated),
    /// else the model's label columns; empty when neither names them (then the data's last columns are taken).
    /// </summary>
    private static IReadOnlyList<string> TargetsOf(Settings settings, TrainedModel file, int outputs)
    {
        if (outputs == 1)
        {
            return [];
        }

        if (settings.Label is { } label)
        {
            string[] names = [.. label.Split(',').Select(name => name.Trim())];
            if (names.Length != outputs || names.Any(name => name.Length == 0) || names.Distinct(StringComparer.Ordinal).Count() != names.Length)
            {
                throw new UsageException($"--label {Printable.Text(label)} names {names.Length} {(names.Length == 1 ? "column" : "columns")}; the model {file.Shape} predicts {outputs} values a row, one per target: name {outputs} distinct target columns, comma-separated, in the model's order{(file.LabelNames.Count == outputs ? $" ({string.Join(",", file.LabelNames.Select(Printable.Text))})" : "")}.");
            }

            return names;
        }

        return file.LabelNames.Count == outputs ? file.LabelNames : [];
    }

    /// <summary>A CSV file's rows for a regression of several targets with no pipeline: the features by name (or count), then the targets.</summary>
    private static void EvaluateTargets(CliContext context, Settings settings, TrainedModel file, RowPredictor predictor, ValueTally tally, CsvOptions limits)
    {
        string path = settings.Data;
        using CsvFeatureReader reader = CsvFeatureReader.Open(path, limits);
        int targets = tally.Targets, features = predictor.Features;
        if (tally.Names.Count != targets)
        {
            // Neither --label nor the model names the targets: the data's last columns, as one label is the last column.
            tally.Names = reader.Header.Count > targets ? [.. reader.Header.Skip(reader.Header.Count - targets)] : [];
        }

        foreach (string target in tally.Names)
        {
            if (!reader.Header.Contains(target, StringComparer.Ordinal))
            {
                throw FileFormatException.AtLine(path, reader.HeaderLine, 1, $"the header has no target column '{Printable.Text(target)}'; evaluate needs each of the model's {targets} targets in each row.");
            }
        }

        string[] featureNames = file.FeatureNames.Count > 0 ? [.. file.FeatureNames] : [.. reader.Header.Where(name => !tally.Names.Contains(name, StringComparer.Ordinal))];
        string? both = featureNames.Intersect(tally.Names, StringComparer.Ordinal).FirstOrDefault();
        if (featureNames.Length != features || both is not null)
        {
            string problem = both is null
                ? string.Create(CultureInfo.InvariantCulture, $"the header has {featureNames.Length} columns besides the {targets} targets; the model takes {features} features")
                : $"the column '{Printable.Text(both)}' is both a feature of the model and a target";
            throw FileFormatException.AtLine(path, reader.HeaderLine, 1, problem + ".");
        }

        // The targets are read as the features are, as finite numbers, in columns after them.
        reader.SelectByName([.. featureNames, .. tally.Names]);
        float[] fields = new float[features + targets], raw = new float[features];
        Func<int, string> where = feature => string.Create(CultureInfo.InvariantCulture, $"'{path}', line {reader.LineOf(feature)}, column {reader.ColumnOf(feature)}");
        Func<int, string> what = feature => reader.Header[reader.Columns[feature]];
        while (ReadTargetRow(reader, fields, features, path))
        {
            context.Cancellation.ThrowIfCancellationRequested();
            fields.AsSpan(0, features).CopyTo(raw);
            predictor.Predict(raw, where, what);
            tally.Add(fields.AsSpan(features), predictor.Outputs);
        }

        if (tally.Count == 0)
        {
            throw FileFormatException.AtLine(path, reader.HeaderLine, 1, "the file has a header but no data rows; expected at least one row after it.");
        }
    }

    /// <summary>
    /// Reads a row's features and then its targets (selected after them); a field the reader refuses among the targets is
    /// reported as the target it is, not as a feature: the reader's message, at the same line and column, says "target".
    /// </summary>
    private static bool ReadTargetRow(CsvFeatureReader reader, Span<float> fields, int features, string path)
    {
        try
        {
            return reader.ReadRow(fields);
        }
        catch (FileFormatException e) when (e.Line is int line && e.Column is int column && IsTargetField(reader, features, line, column))
        {
            string at = string.Create(CultureInfo.InvariantCulture, $"'{path}', line {line}, column {column}: ");
            string what = e.Message.StartsWith(at, StringComparison.Ordinal) ? e.Message[at.Length..] : e.Message;
            throw FileFormatException.AtLine(path, line, column, what.Replace("the feature is", "the target is", StringComparison.Ordinal), e);
        }
    }

    /// <summary>Whether the field at <paramref name="line"/> and <paramref name="column"/> of the row being read is one of the targets (selected after the <paramref name="features"/> features).</summary>
    private static bool IsTargetField(CsvFeatureReader reader, int features, int line, int column)
    {
        for (int t = features; t < reader.Features; t++)
        {
            if (reader.LineOf(t) == line && reader.ColumnOf(t) == column)
            {
                return true;
            }
        }

        return false;
    }
}
