using System.Globalization;
using System.Text;
using Native.Cli.Output;
using Native.Numerics;

namespace Native.Cli.Commands;

/// <summary>The metrics of a model on some rows, as text or as one JSON object.</summary>
internal sealed class Summary
{
    /// <summary>Confusion matrices are printed up to this many classes.</summary>
    private const int MatrixClassLimit = 20;

    /// <summary>The per-class table is printed up to this many classes (the averages always).</summary>
    private const int TableClassLimit = 100;

    /// <summary>The JSON confusion matrix is a dense table up to this many classes; beyond, a list of its non-zero cells.</summary>
    private const int DenseJsonClassLimit = 256;

    private Summary(string rowsName, ClassificationReport? classification, RegressionReport? regression, IReadOnlyList<string> classNames)
    {
        RowsName = rowsName;
        Classification = classification;
        Regression = regression;
        ClassNames = classNames;
    }

    public string RowsName { get; }

    public ClassificationReport? Classification { get; }

    public RegressionReport? Regression { get; }

    public IReadOnlyList<string> ClassNames { get; }

    /// <summary>Measures <paramref name="model"/> on <paramref name="data"/>, whose rows are called <paramref name="rowsName"/>.</summary>
    public static Summary Measure(IModel model, Dataset data, string rowsName, IReadOnlyList<string> classNames) => model switch
    {
        IClassifier classifier => new Summary(rowsName, ClassificationReport.Evaluate(classifier, data), null, classNames),
        IRegressor regressor => new Summary(rowsName, null, RegressionReport.Evaluate(regressor, data), classNames),
        _ => throw new ArgumentException($"The model {model.Shape} is neither a classifier nor a regressor.", nameof(model)),
    };

    /// <summary>The final metrics as name → value, for the model file's metadata.</summary>
    public IEnumerable<KeyValuePair<string, string>> Metrics()
    {
        foreach (var (name, value) in Values())
        {
            yield return new(name, value.ToString("R", CultureInfo.InvariantCulture));
        }
    }

    /// <summary>Writes the training summary.</summary>
    public void Write(TextWriter output, bool json, TrainingResult result, string kernel, TimeSpan total, long modelBytes, string? savedTo)
    {
        if (json)
        {
            JsonLines.Write(output, writer =>
            {
                writer.WriteBoolean("summary", true);
                WriteValues(writer);
                writer.WriteNumber("epochs", result.Epochs);
                writer.WriteString("stop_reason", result.StopReason.ToString());
                writer.WriteNumber("best_epoch", result.BestEpoch);
                writer.WriteString("kernel", kernel);
                writer.Number("total_ms", total.TotalMilliseconds);
                writer.WriteNumber("model_bytes", modelBytes);
                if (savedTo is not null)
                {
                    writer.WriteString("model_file", savedTo);
                }
            });
            return;
        }

        output.WriteLine();
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Trained {result.Epochs} epochs (stopped: {Describe(result.StopReason)}; kept epoch {result.BestEpoch}) in {total.TotalSeconds:F2} s."));
        output.WriteLine($"Kernel: {kernel}.");
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Model: {modelBytes:N0} bytes{(savedTo is null ? string.Empty : $", saved to {savedTo}")}."));
        WriteMetrics(output);
    }

    /// <summary>Writes the metrics as text (also used by <c>native evaluate</c>).</summary>
    public void WriteMetrics(TextWriter output)
    {
        if (Regression is { } r)
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"On {r.Count:N0} {RowsName} rows: MSE {r.MeanSquaredError:G6}, MAE {r.MeanAbsoluteError:G6}, R² {r.RSquared:F4}."));
            return;
        }

        ClassificationReport c = Classification!;
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"On {c.Count:N0} {RowsName} rows: accuracy {c.Accuracy:F4}, log-loss {c.LogLoss ?? double.NaN:F4}."));
        output.WriteLine();
        if (c.Classes <= TableClassLimit)
        {
            output.Write(PerClassTable(c));
        }
        else
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{c.Classes:N0} classes: the per-class table is left out (above {TableClassLimit}); macro precision {c.MacroAverage.Precision:F4}, recall {c.MacroAverage.Recall:F4}, F1 {c.MacroAverage.F1Score:F4}."));
        }

        if (c.Classes <= MatrixClassLimit)
        {
            output.WriteLine();
            output.WriteLine("Confusion matrix (rows: actual class, columns: predicted class):");
            output.WriteLine(c.ConfusionMatrix.ToString());
        }
    }

    /// <summary>Writes the metrics as one JSON object (<c>native evaluate --json</c>).</summary>
    public void WriteJson(TextWriter output) => JsonLines.Write(output, writer =>
    {
        writer.WriteNumber("rows", Classification?.Count ?? Regression!.Count);
        WriteValues(writer);
        if (Classification is { Classes: <= DenseJsonClassLimit } c)
        {
            writer.WriteStartArray("confusion_matrix");
            for (int a = 0; a < c.Classes; a++)
            {
                writer.WriteStartArray();
                for (int p = 0; p < c.Classes; p++)
                {
                    writer.WriteNumberValue(c.ConfusionMatrix[a, p]);
                }

                writer.WriteEndArray();
            }

            writer.WriteEndArray();
        }
        else if (Classification is { } many)
        {
            // Beyond 256 classes the table is mostly zeros: its non-zero cells, [actual, predicted, count].
            writer.WriteStartArray("confusion_cells");
            foreach ((int a, int p, int count) in many.ConfusionMatrix.NonZero)
            {
                writer.WriteStartArray();
                writer.WriteNumberValue(a);
                writer.WriteNumberValue(p);
                writer.WriteNumberValue(count);
                writer.WriteEndArray();
            }

            writer.WriteEndArray();
        }
    });

    private void WriteValues(System.Text.Json.Utf8JsonWriter writer)
    {
        foreach (var (name, value) in Values())
        {
            writer.Number(name, value);
        }
    }

    private IEnumerable<(string Name, double Value)> Values()
    {
        if (Regression is { } r)
        {
            yield return ("mse", r.MeanSquaredError);
            yield return ("mae", r.MeanAbsoluteError);
            yield return ("r2", r.RSquared);
            yield break;
        }

        ClassificationReport c = Classification!;
        yield return ("accuracy", c.Accuracy);
        yield return ("log_loss", c.LogLoss ?? double.NaN);
        yield return ("macro_precision", c.MacroAverage.Precision);
        yield return ("macro_recall", c.MacroAverage.Recall);
        yield return ("macro_f1", c.MacroAverage.F1Score);
        yield return ("micro_precision", c.MicroAverage.Precision);
        yield return ("micro_recall", c.MicroAverage.Recall);
        yield return ("micro_f1", c.MicroAverage.F1Score);
    }

    private string PerClassTable(ClassificationReport c)
    {
        var text = new StringBuilder();
        int width = Math.Max(12, Enumerable.Range(0, c.Classes).Max(k => ClassName(k).Length));
        text.Append(CultureInfo.InvariantCulture, $"{"class".PadLeft(width)}  precision     recall         F1    support").AppendLine();
        foreach (ClassMetrics m in c.PerClass)
        {
            text.Append(CultureInfo.InvariantCulture, $"{ClassName(m.Class).PadLeft(width)}  {m.Precision,9:F4}  {m.Recall,9:F4}  {m.F1Score,9:F4}  {m.Support,9}").AppendLine();
        }

        text.Append(CultureInfo.InvariantCulture, $"{"macro avg".PadLeft(width)}  {c.MacroAverage.Precision,9:F4}  {c.MacroAverage.Recall,9:F4}  {c.MacroAverage.F1Score,9:F4}  {c.Count,9}").AppendLine();
        text.Append(CultureInfo.InvariantCulture, $"{"micro avg".PadLeft(width)}  {c.MicroAverage.Precision,9:F4}  {c.MicroAverage.Recall,9:F4}  {c.MicroAverage.F1Score,9:F4}  {c.Count,9}").AppendLine();
        return text.ToString();
    }

    private string ClassName(int c) => c < ClassNames.Count ? Printable.Text(ClassNames[c]) : c.ToString(CultureInfo.InvariantCulture);

    private static string Describe(StopReason reason) => reason switch
    {
        StopReason.MaxEpochs => "the epoch limit",
        StopReason.EarlyStopping => "the validation loss stopped improving",
        StopReason.GradientTolerance => "the gradient norm fell below the tolerance",
        _ => "asked to",
    };
}
