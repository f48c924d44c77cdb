using System.CommandLine;
using System.Globalization;
using Native.Cli.Output;
using Native.Numerics;

namespace Native.Cli.Commands;

/// <summary><c>native evaluate</c>: a saved model's metrics on labelled data.</summary>
internal static class EvaluateCommand
{
    public static Command Create(CliContext context)
    {
        var model = new Option<string>("--model") { Description = "The model file (safetensors, from native train --out).", Required = true };
        var data = new Option<string>("--data") { Description = "The data: a CSV file, or a directory holding an IDX images file and labels file.", Required = true };
        var format = new Option<string?>("--format") { Description = "csv or idx (default: idx for a directory, csv otherwise)." };
        format.AcceptOnlyFromAmong("csv", "idx");
        var label = new Option<string?>("--label") { Description = "CSV: the label column, by name or 0-based index (default: the model's label column, else the last)." };
        var match = new Option<string>("--match-classes") { Description = "name: the data's labels are matched to the model's class names (a number label to the class of that name); index: label k is the model's class k.", DefaultValueFactory = _ => "name" };
        match.AcceptOnlyFromAmong("name", "index");
        var json = new Option<bool>("--json") { Description = "One JSON object with the metrics." };
        var command = new Command("evaluate", "Measure a saved model on labelled data: accuracy, log-loss, P/R/F1 and the confusion matrix; or MSE, MAE and R².")
        {
            model, data, format, label, match, json,
        };
        var limits = new ReaderLimits();
        limits.AddTo(command);
        command.SetAction(parse => Run(context, parse.GetValue(model)!, parse.GetValue(data)!, parse.GetValue(format), parse.GetValue(label), parse.GetValue(match) == "index", parse.GetValue(json), limits.Read(parse)));
        return command;
    }

    public static int Run(CliContext context, string modelPath, string dataPath, string? format, string? label, bool byIndex, bool json, (CsvOptions Csv, IdxOptions Idx) limits)
    {
        var (file, choice) = ModelFiles.Load(modelPath);
        IModel model = choice.Model;
        bool regression = model.Task == ModelTask.Regression;
        LoadedData loaded = DataFiles.Load(dataPath, format, label ?? file.LabelName, regression, limits);
        Dataset data = MatchColumns(loaded.Dataset, file, dataPath);
        data = Align(data, model, file.ClassNames, byIndex);
        if (file.Standardizer is { } standardizer)
        {
            data = standardizer.Transform(data);
        }

        context.Cancellation.ThrowIfCancellationRequested();
        Summary summary = Summary.Measure(model, data, "evaluation", file.ClassNames);
        if (json)
        {
            summary.WriteJson(context.Out);
        }
        else
        {
            context.Out.WriteLine($"Model: {model.Shape}; kernel: {choice.Kernel}.");
            summary.WriteMetrics(context.Out);
        }

        return ExitCodes.Success;
    }

    /// <summary>
    /// The data's features in the model's order, matched by name when both the model and the data name them (a
    /// reordered file is put in order; a missing or extra column is an error, never a silent shift); otherwise
    /// only their number is checked.
    /// </summary>
    internal static Dataset MatchColumns(Dataset data, TrainedModel file, string path)
    {
        IReadOnlyList<string> wanted = file.FeatureNames, have = data.FeatureNames;
        if (wanted.Count == 0 || have.Count == 0 || wanted.SequenceEqual(have, StringComparer.Ordinal))
        {
            return data;
        }

        var position = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int j = 0; j < have.Count; j++)
        {
            position.TryAdd(have[j], j);
        }

        int[] source = new int[wanted.Count];
        for (int f = 0; f < wanted.Count; f++)
        {
            if (!position.TryGetValue(wanted[f], out source[f]))
            {
                throw new UsageException($"'{path}' has no column '{Printable.Text(wanted[f])}', the model's feature {f} (the model takes {Names(wanted)}; the file has {Names(have)}).");
            }
        }

        string? extra = have.FirstOrDefault(name => !wanted.Contains(name, StringComparer.Ordinal));
        if (extra is not null || have.Count != wanted.Count)
        {
            throw new UsageException($"'{path}' has the column '{Printable.Text(extra ?? "?")}', which is not one of the model's features (the model takes {Names(wanted)}; the label column is '{Printable.Text(data.LabelName ?? "?")}').");
        }

        // The same columns in another order: the rows rearranged into the model's.
        float[] rows = new float[data.Count * wanted.Count];
        for (int i = 0; i < data.Count; i++)
        {
            ReadOnlySpan<float> row = data.Row(i);
            Span<float> target = rows.AsSpan(i * wanted.Count, wanted.Count);
            for (int f = 0; f < source.Length; f++)
            {
                target[f] = row[source[f]];
            }
        }

        Dataset reordered = data.HasLabels
            ? Dataset.FromLabels(rows, wanted.Count, data.Labels, data.Classes, data.ClassNames, data.SampleWeights)
            : Dataset.FromTargets(rows, wanted.Count, data.Targets, data.SampleWeights);
        return reordered.WithFeatureNames(wanted, data.LabelName);
    }

    /// <summary>
    /// The data, checked against the model and with its labels numbered as the model numbers its classes. Classes
    /// are matched by name: the data's class names (a CSV's labels), or, for data without names (IDX), the label
    /// numbers as text, against the model's saved names; a model without names takes labels that are its class
    /// numbers. With <paramref name="byIndex"/>, label k is the model's class k, names or not.
    /// </summary>
    internal static Dataset Align(Dataset data, IModel model, IReadOnlyList<string> modelNames, bool byIndex = false)
    {
        if (data.Features != model.Features)
        {
            throw new UsageException($"The data have {data.Features} features; the model {model.Shape} takes {model.Features}.");
        }

        int classes = model.Shape.Classes;
        if (model.Task == ModelTask.Regression || byIndex || (data.ClassNames.Count == 0 && modelNames.Count == 0))
        {
            if (data.HasLabels && data.Classes > classes)
            {
                throw new UsageException($"The data have {data.Classes} classes; the model {model.Shape} has {classes}.");
            }

            return data;
        }

        // Each of the data's classes, by name, to the model's class number.
        int[] classOf = new int[data.Classes];
        for (int c = 0; c < classOf.Length; c++)
        {
            string name = data.ClassNames.Count > 0 ? data.ClassNames[c] : c.ToString(CultureInfo.InvariantCulture);
            classOf[c] = modelNames.Count > 0
                ? IndexOf(modelNames, name)
                : int.TryParse(name, NumberStyles.None, CultureInfo.InvariantCulture, out int number) && number < classes ? number : -1;
            if (classOf[c] < 0)
            {
                string known = modelNames.Count > 0 ? Names(modelNames) : $"0 to {classes - 1}";
                string hint = data.ClassNames.Count == 0 ? " The data's labels are numbers without names: pass --match-classes index to take label k as the model's class k." : "";
                throw new UsageException($"The data have class '{Printable.Text(name)}', which the model does not know; its classes are {known}.{hint}");
            }
        }

        float[] features = new float[data.Count * data.Features];
        int[] labels = new int[data.Count];
        for (int i = 0; i < data.Count; i++)
        {
            data.Row(i).CopyTo(features.AsSpan(i * data.Features));
            labels[i] = classOf[data.Labels[i]];
        }

        return Dataset.FromLabels(features, data.Features, labels, classes, modelNames.Count > 0 ? modelNames : null);
    }

    /// <summary>Names for a message: escaped, and at most ten of them.</summary>
    private static string Names(IReadOnlyList<string> names) =>
        string.Join(", ", names.Take(10).Select(Printable.Text)) + (names.Count > 10 ? string.Create(CultureInfo.InvariantCulture, $", … ({names.Count} in all)") : "");

    private static int IndexOf(IReadOnlyList<string> names, string name)
    {
        for (int i = 0; i < names.Count; i++)
        {
            if (string.Equals(names[i], name, StringComparison.Ordinal))
            {
                return i;
            }
        }

        return -1;
    }
}
