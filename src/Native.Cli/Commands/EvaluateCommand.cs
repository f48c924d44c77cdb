using System.CommandLine;
using System.Globalization;
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
        var label = new Option<string?>("--label") { Description = "CSV: the label column, by name or 0-based index (default: the last column)." };
        var json = new Option<bool>("--json") { Description = "One JSON object with the metrics." };
        var command = new Command("evaluate", "Measure a saved model on labelled data: accuracy, log-loss, P/R/F1 and the confusion matrix; or MSE, MAE and R².")
        {
            model, data, format, label, json,
        };
        command.SetAction(parse => Run(context, parse.GetValue(model)!, parse.GetValue(data)!, parse.GetValue(format), parse.GetValue(label), parse.GetValue(json)));
        return command;
    }

    public static int Run(CliContext context, string modelPath, string dataPath, string? format, string? label, bool json)
    {
        var (file, choice) = ModelFiles.Load(modelPath);
        IModel model = choice.Model;
        bool regression = model.Task == ModelTask.Regression;
        Dataset data = Align(DataFiles.Load(dataPath, format, label, regression).Dataset, model, file.ClassNames);
        if (file.Standardizer is { } standardizer)
        {
            data = standardizer.Transform(data);
        }

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
    /// The data, checked against the model and with its labels numbered as the model numbers its classes. A
    /// CSV numbers the classes present in that file in sorted order, so classes are matched by name: the
    /// model's saved names, or, when the model has none, labels that are the class numbers themselves.
    /// </summary>
    internal static Dataset Align(Dataset data, IModel model, IReadOnlyList<string> modelNames)
    {
        if (data.Features != model.Features)
        {
            throw new UsageException($"The data have {data.Features} features; the model {model.Shape} takes {model.Features}.");
        }

        if (model.Task == ModelTask.Regression || data.ClassNames.Count == 0)
        {
            int classes = model.Shape.Classes;
            if (data.HasLabels && data.Classes > classes)
            {
                throw new UsageException($"The data have {data.Classes} classes; the model {model.Shape} has {classes}.");
            }

            return data;
        }

        // Each of the data's classes, by name, to the model's class number.
        int[] classOf = new int[data.ClassNames.Count];
        for (int c = 0; c < classOf.Length; c++)
        {
            string name = data.ClassNames[c];
            classOf[c] = modelNames.Count > 0
                ? IndexOf(modelNames, name)
                : int.TryParse(name, NumberStyles.None, CultureInfo.InvariantCulture, out int number) && number < model.Shape.Classes ? number : -1;
            if (classOf[c] < 0)
            {
                string known = modelNames.Count > 0 ? string.Join(", ", modelNames) : $"0 to {model.Shape.Classes - 1}";
                throw new UsageException($"The data have class '{name}', which the model does not know; its classes are {known}.");
            }
        }

        float[] features = new float[data.Count * data.Features];
        int[] labels = new int[data.Count];
        for (int i = 0; i < data.Count; i++)
        {
            data.Row(i).CopyTo(features.AsSpan(i * data.Features));
            labels[i] = classOf[data.Labels[i]];
        }

        return Dataset.FromLabels(features, data.Features, labels, model.Shape.Classes, modelNames.Count > 0 ? modelNames : null);
    }

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
