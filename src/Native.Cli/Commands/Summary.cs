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

    /// <summary>The longest class name heading a column of the confusion matrix; a longer one is cut, ending in "…".</summary>
    private const int MatrixNameLength = 12;

    /// <summary>The JSON confusion matrix is a dense table up to this many classes; beyond, a list of its non-zero cells.</summary>
    private const int DenseJsonClassLimit = 256;

    private Summary(string rowsName, ClassificationReport? classification, RegressionReport? regression, IReadOnlyList<string> classNames, double? logLoss = null, IReadOnlyList<string>? targetNames = null)
    {
        RowsName = rowsName;
        Classification = classification;
        Regression = regression;
        ClassNames = classNames;
        LogLoss = logLoss ?? classification?.LogLoss ?? double.NaN;
        int targets = regression?.ByOutput.Count ?? 0;
        TargetNames = targetNames is { } names && names.Count == targets
            ? names
            : [.. Enumerable.Range(0, targets).Select(k => "value " + k.ToString(CultureInfo.InvariantCulture))];
    }

    public string RowsName { get; }

    public ClassificationReport? Classification { get; }

    public RegressionReport? Regression { get; }

    public IReadOnlyList<string> ClassNames { get; }

    /// <summary>A regression's target (label column) names, one per output: the data's or the model's, else "value 0", "value 1", ….</summary>
    public IReadOnlyList<string> TargetNames { get; }

    /// <summary>The mean log-loss of a classifier (NaN for a regression).</summary>
    public double LogLoss { get; }

    /// <summary>The rows measured.</summary>
    public int Rows => Classification?.Count ?? Regression!.Count;

    /// <summary>A classifier's metrics from predictions already made, and the mean log-loss computed as they were.</summary>
    public static Summary Of(ClassificationReport report, double logLoss, string rowsName, IReadOnlyList<string> classNames) => new(rowsName, report, null, classNames, logLoss);

    /// <summary>A regressor's metrics from predictions already made.</summary>
    public static Summary Of(RegressionReport report, string rowsName) => new(rowsName, null, report, []);

    /// <summary>A regressor's metrics from predictions already made, its targets (several for a multi-output regression) named <paramref name="targetNames"/>.</summary>
    public static Summary Of(RegressionReport report, string rowsName, IReadOnlyList<string> targetNames) => new(rowsName, null, report, [], targetNames: targetNames);

    /// <summary>Measures <paramref name="model"/> on <paramref name="data"/>, whose rows are called <paramref name="rowsName"/>.</summary>
    public static Summary Measure(IModel model, Dataset data, string rowsName, IReadOnlyList<string> classNames) => model switch
    {
        IClassifier classifier => new Summary(rowsName, ClassificationReport.Evaluate(classifier, data), null, classNames),
        IRegressor regressor => new Summary(rowsName, null, RegressionReport.Evaluate(regressor, data), classNames, targetNames: data.LabelNames),
        _ => throw new ArgumentException($"The model {model.Shape} is neither a classifier nor a regressor.", nameof(model)),
    };

    /// <summary>
    /// Refuses a regression whose measures are not finite: the trained model's predictions left the float range on some
    /// row (labels near ±3.4E+38, folded back into a model trained on them standardized). The run printed
    /// "MSE NaN, MAE NaN, R² NaN" and ended with exit 0.
    /// </summary>
    public void ThrowIfNotFinite()
    {
        if (Regression is { } report && !(double.IsFinite(report.MeanSquaredError) && double.IsFinite(report.MeanAbsoluteError)))
        {
            throw new UsageException($"The trained model's predictions for some of the {RowsName} rows are beyond the float range (±3.4E+38), so its errors cannot be measured: the labels are too large for float arithmetic. Divide them by a power of ten, and train again.");
        }
    }

    /// <summary>The final metrics as name → value, for the model file's metadata.</summary>
    public IEnumerable<KeyValuePair<string, string>> Metrics()
    {
        foreach (var (name, value) in Values())
        {
            yield return new(name, value.ToString("R", CultureInfo.InvariantCulture));
        }
    }

    /// <summary>Writes the training summary.</summary>
    /// <param name="output">Standard output.</param>
    /// <param name="json">One JSON object rather than text.</param>
    /// <param name="separate">Whether epoch lines came before, so a blank line goes between.</param>
    /// <param name="result">The training's result.</param>
    /// <param name="kernel">The kernel that ran.</param>
    /// <param name="total">The whole run's time.</param>
    /// <param name="parameters">The model's parameter count.</param>
    /// <param name="saved">The file the model was saved to and its size in bytes, or null.</param>
    public void Write(TextWriter output, bool json, bool separate, TrainingResult result, string kernel, TimeSpan total, int parameters, (string Path, long Bytes)? saved)
    {
        if (json)
        {
            JsonLines.Write(output, writer =>
            {
                writer.WriteBoolean("summary", true);
                writer.WriteString("evaluated_on", RowsName); // training or validation: which rows the metrics are on
                writer.WriteNumber("rows", Rows);
                WriteValues(writer);
                writer.WriteNumber("epochs", result.Epochs);
                writer.WriteString("stop_reason", result.StopReason.ToString());
                writer.WriteNumber("best_epoch", result.BestEpoch);
                writer.WriteString("kernel", kernel);
                writer.Number("total_ms", total.TotalMilliseconds);
                writer.WriteNumber("parameters", parameters);
                writer.WriteNumber("parameter_bytes", (long)parameters * sizeof(float));
                if (saved is var (path, bytes))
                {
                    writer.WriteString("model_file", path);
                    writer.WriteNumber("file_bytes", bytes);
                }
            });
            return;
        }

        if (separate)
        {
            output.WriteLine();
        }

        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Trained {result.Epochs} {(result.Epochs == 1 ? "epoch" : "epochs")} (stopped: {Describe(result.StopReason)}; kept epoch {result.BestEpoch}) in {total.TotalSeconds:F2} s."));
        output.WriteLine($"Kernel: {kernel}.");
        string file = saved is var (to, size) ? string.Create(CultureInfo.InvariantCulture, $"; saved to {to} ({size:N0} bytes)") : "";
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Model: {parameters:N0} parameters ({(long)parameters * sizeof(float):N0} bytes as float32){file}."));
        WriteMetrics(output);
    }

    /// <summary>Writes the metrics as text (also used by <c>native evaluate</c>).</summary>
    public void WriteMetrics(TextWriter output)
    {
        if (Regression is { ByOutput.Count: > 1 } several)
        {
            // Each target alone, then the mean of theirs (scikit-learn's multioutput="uniform_average").
            int width = Math.Max(6, TargetNames.Max(name => Printable.Text(name).Length));
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"On {several.Count:N0} {RowsName} rows, {several.ByOutput.Count} targets:"));
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{"target".PadLeft(width)}  {"R²",9}  {"RMSE",12}  {"MAE",12}  {"MSE",12}"));
            for (int k = 0; k < several.ByOutput.Count; k++)
            {
                RegressionReport t = several.ByOutput[k];
                output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{Printable.Text(TargetNames[k]).PadLeft(width)}  {t.RSquared,9:F4}  {t.RootMeanSquaredError,12:G6}  {t.MeanAbsoluteError,12:G6}  {t.MeanSquaredError,12:G6}"));
            }

            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{"mean".PadLeft(width)}  {several.RSquared,9:F4}  {MeanRootMeanSquaredError(several),12:G6}  {several.MeanAbsoluteError,12:G6}  {several.MeanSquaredError,12:G6}"));
            return;
        }

        if (Regression is { } r)
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"On {r.Count:N0} {RowsName} rows: MSE {r.MeanSquaredError:G6}, MAE {r.MeanAbsoluteError:G6}, R² {r.RSquared:F4}."));
            return;
        }

        ClassificationReport c = Classification!;
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"On {c.Count:N0} {RowsName} rows: accuracy {c.Accuracy:F4}, log-loss {LogLoss:F4}."));
        output.WriteLine();
        if (c.Classes <= TableClassLimit)
        {
            output.Write(PerClassTable(c));
            WriteMissedClasses(output, c);
        }
        else
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{c.Classes:N0} classes: the per-class table is left out (above {TableClassLimit}); macro precision {c.MacroAverage.Precision:F4}, recall {c.MacroAverage.Recall:F4}, F1 {c.MacroAverage.F1Score:F4}."));
        }

        if (c.Classes <= MatrixClassLimit)
        {
            output.WriteLine();
            output.WriteLine("Confusion matrix (rows: actual class, columns: predicted class):");
            output.WriteLine(ConfusionTable(c));
        }
    }

    /// <summary>Writes the metrics as one JSON object (<c>native evaluate --json</c>).</summary>
    public void WriteJson(TextWriter output) => JsonLines.Write(output, writer =>
    {
        writer.WriteNumber("rows", Rows);
        WriteValues(writer);
        if (Regression is { ByOutput.Count: > 1 } several)
        {
            // The keys above are the means of the targets' (mse, mae, r2); rmse the mean of their root mean squared errors.
            writer.Number("rmse", MeanRootMeanSquaredError(several));
            writer.WriteStartArray("targets");
            for (int k = 0; k < several.ByOutput.Count; k++)
            {
                RegressionReport t = several.ByOutput[k];
                writer.WriteStartObject();
                writer.WriteString("name", TargetNames[k]);
                writer.Number("r2", t.RSquared);
                writer.Number("rmse", t.RootMeanSquaredError);
                writer.Number("mae", t.MeanAbsoluteError);
                writer.Number("mse", t.MeanSquaredError);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
        }

        if (Classification is { Classes: <= DenseJsonClassLimit } c)
        {
            // The classes in the order of the matrix's rows and columns, and each one's metrics, as the text's table gives them.
            writer.WriteStartArray("classes");
            for (int k = 0; k < c.Classes; k++)
            {
                writer.WriteStringValue(RawClassName(k));
            }

            writer.WriteEndArray();
            writer.WriteStartArray("per_class");
            foreach (ClassMetrics m in c.PerClass)
            {
                writer.WriteStartObject();
                writer.WriteString("class", RawClassName(m.Class));
                writer.Number("precision", m.Precision);
                writer.Number("recall", m.Recall);
                writer.Number("f1", m.F1Score);
                writer.WriteNumber("support", m.Support);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
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
        yield return ("log_loss", LogLoss);
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

    /// <summary>
    /// Names the classes none of whose rows the model gets right (recall 0), which the table's zeros alone leave easy to
    /// miss: a model that never answers a class, as a few epochs on a table with a rare class give, looks fine by accuracy.
    /// </summary>
    private void WriteMissedClasses(TextWriter output, ClassificationReport c)
    {
        ClassMetrics[] missed = [.. c.PerClass.Where(m => m.Support > 0 && m.Recall == 0)];
        if (missed.Length == 0 || missed.Length == c.Classes)
        {
            return;
        }

        string names = string.Join(", ", missed.Take(5).Select(m => string.Create(CultureInfo.InvariantCulture, $"'{ClassName(m.Class)}' ({m.Support:N0} rows)")));
        string more = missed.Length > 5 ? string.Create(CultureInfo.InvariantCulture, $" and {missed.Length - 5:N0} more") : "";
        output.WriteLine();
        output.WriteLine($"Not one row of {(missed.Length == 1 ? "class" : "classes")} {names}{more} is predicted right: more --epochs, or --class-weight balanced for a rare class, may help.");
    }

    /// <summary>
    /// The confusion matrix as a table whose rows and columns are headed by the classes' names (as the per-class table
    /// is), a column's name cut to <see cref="MatrixNameLength"/> characters; for a model whose classes are 0, 1, … by
    /// name, the same table <see cref="ConfusionMatrix.ToString"/> writes.
    /// </summary>
    private string ConfusionTable(ClassificationReport c)
    {
        ConfusionMatrix matrix = c.ConfusionMatrix;
        ReadOnlySpan<int> counts = matrix.Counts;
        string[] rows = [.. Enumerable.Range(0, c.Classes).Select(ClassName)];
        string[] columns = [.. rows.Select(name => name.Length > MatrixNameLength ? name[..(MatrixNameLength - 1)] + "…" : name)];
        int largest = 0;
        foreach (int count in counts)
        {
            largest = Math.Max(largest, count);
        }

        int width = Math.Max(largest.ToString(CultureInfo.InvariantCulture).Length, columns.Max(name => name.Length)) + 1;
        int labelWidth = Math.Max("actual".Length, rows.Max(name => name.Length));
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"{new string(' ', labelWidth)}  predicted →").AppendLine();
        text.Append("actual".PadRight(labelWidth)).Append(' ');
        foreach (string column in columns)
        {
            text.Append(column.PadLeft(width));
        }

        for (int a = 0; a < c.Classes; a++)
        {
            text.AppendLine().Append(rows[a].PadLeft(labelWidth)).Append(' ');
            for (int p = 0; p < c.Classes; p++)
            {
                text.Append(counts[(a * c.Classes) + p].ToString(CultureInfo.InvariantCulture).PadLeft(width));
            }
        }

        return text.ToString();
    }

    /// <summary>The mean of the targets' root mean squared errors (not the root of their mean squared error).</summary>
    private static double MeanRootMeanSquaredError(RegressionReport report) => report.ByOutput.Average(t => t.RootMeanSquaredError);

    /// <summary>A class's name as the model keeps it (for JSON, whose writer escapes it), or its number.</summary>
    private string RawClassName(int c) => c < ClassNames.Count ? ClassNames[c] : c.ToString(CultureInfo.InvariantCulture);

    private string ClassName(int c) => c < ClassNames.Count ? Printable.Text(ClassNames[c]) : c.ToString(CultureInfo.InvariantCulture);

    private static string Describe(StopReason reason) => reason switch
    {
        StopReason.MaxEpochs => "the epoch limit",
        StopReason.EarlyStopping => "the validation loss stopped improving",
        StopReason.GradientTolerance => "the gradient norm fell below the tolerance",
        _ => "asked to",
    };
}
