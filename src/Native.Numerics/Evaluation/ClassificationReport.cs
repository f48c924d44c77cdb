using System.Globalization;
using System.Text;

namespace Native.Numerics;

/// <summary>
/// How well a classifier did on a dataset: accuracy, log-loss, the confusion matrix, precision, recall,
/// F1 and support of each class, and their macro, micro and weighted averages.
/// </summary>
/// <remarks>
/// <para>
/// Per-class metrics that are undefined count as 0 (scikit-learn's <c>zero_division=0</c>); see
/// <see cref="ConfusionMatrix"/>. The averages run over all <see cref="Classes"/> classes, including any
/// that neither occur nor are predicted — as scikit-learn's <c>classification_report</c> does when given
/// <c>labels=range(classes)</c>.
/// </para>
/// <para>
/// Macro: the plain mean over classes. Micro: precision, recall and F1 of the pooled counts; with one
/// label per row, all three equal the accuracy. Weighted: the mean over classes weighted by support.
/// </para>
/// <para>Every row counts once: sample weights are not taken into account.</para>
/// </remarks>
public sealed class ClassificationReport
{
    /// <summary>Rows predicted per call to the model in <see cref="Evaluate"/>.</summary>
    private const int BatchRows = 256;

    /// <summary>The most probabilities held at once in <see cref="Evaluate"/>, whatever the class count.</summary>
    private const int ProbabilityBudget = 1 << 20;

    private readonly ClassMetrics[] _perClass;

    private ClassificationReport(ConfusionMatrix matrix, double? logLoss)
    {
        ConfusionMatrix = matrix;
        LogLoss = logLoss;
        int classes = matrix.Classes;
        _perClass = new ClassMetrics[classes];
        double precision = 0, recall = 0, f1 = 0, weightedPrecision = 0, weightedRecall = 0, weightedF1 = 0;
        for (int c = 0; c < classes; c++)
        {
            var metrics = new ClassMetrics(c, matrix.Precision(c), matrix.Recall(c), matrix.F1Score(c), matrix.ActualCount(c));
            _perClass[c] = metrics;
            precision += metrics.Precision;
            recall += metrics.Recall;
            f1 += metrics.F1Score;
            weightedPrecision += metrics.Support * metrics.Precision;
            weightedRecall += metrics.Support * metrics.Recall;
            weightedF1 += metrics.Support * metrics.F1Score;
        }

        MacroAverage = new AveragedMetrics(precision / classes, recall / classes, f1 / classes);

        // Pooled over classes: TP = the diagonal, TP + FP = TP + FN = every row.
        double pooled = (double)matrix.Correct / matrix.Count;
        MicroAverage = new AveragedMetrics(pooled, pooled, pooled);
        WeightedAverage = new AveragedMetrics(weightedPrecision / matrix.Count, weightedRecall / matrix.Count, weightedF1 / matrix.Count);
    }

    /// <summary>The number of rows evaluated.</summary>
    public int Count => ConfusionMatrix.Count;

    /// <summary>The number of classes.</summary>
    public int Classes => ConfusionMatrix.Classes;

    /// <summary>The share of rows predicted correctly.</summary>
    public double Accuracy => ConfusionMatrix.Accuracy;

    /// <summary>The mean cross-entropy of the predicted probabilities (see <see cref="Metrics.LogLoss"/>), or null when no probabilities were given.</summary>
    public double? LogLoss { get; }

    /// <summary>The counts of (actual, predicted) pairs.</summary>
    public ConfusionMatrix ConfusionMatrix { get; }

    /// <summary>Precision, recall, F1 and support of each class, in class order.</summary>
    public IReadOnlyList<ClassMetrics> PerClass => _perClass;

    /// <summary>The unweighted mean of the per-class metrics.</summary>
    public AveragedMetrics MacroAverage { get; }

    /// <summary>The metrics of the pooled counts; for single-label classification, each equals <see cref="Accuracy"/>.</summary>
    public AveragedMetrics MicroAverage { get; }

    /// <summary>The mean of the per-class metrics weighted by each class's support.</summary>
    public AveragedMetrics WeightedAverage { get; }

    /// <summary>
    /// Runs <paramref name="model"/> over every row of <paramref name="data"/>, in batches, and reports on
    /// its predicted classes (<see cref="IClassifier.PredictClasses"/>) and
    /// probabilities (<see cref="IClassifier.PredictProbabilities"/>).
    /// </summary>
    /// <exception cref="ArgumentException">
    /// The dataset has no labels or no rows, or its feature count or class count is not the model's.
    /// </exception>
    public static ClassificationReport Evaluate(IClassifier model, Dataset data)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(data);
        if (!data.HasLabels)
        {
            throw new ArgumentException("A classification report needs class labels; this dataset has regression targets.", nameof(data));
        }

        if (data.Features != model.Features)
        {
            throw new ArgumentException($"The model takes {model.Features} features, but the dataset's rows have {data.Features}.", nameof(data));
        }

        if (data.Classes != model.Classes)
        {
            throw new ArgumentException($"The model predicts {model.Classes} classes, but the dataset has {data.Classes}.", nameof(data));
        }

        Metrics.CheckLengths(data.Count, data.Count, nameof(data));
        int features = data.Features, classes = model.Classes;

        // The probabilities of a batch take at most about a million floats, however many classes there are.
        int batch = Math.Min(Math.Clamp(ProbabilityBudget / classes, 1, BatchRows), data.Count);
        float[] rows = new float[batch * features];
        float[] probabilities = new float[batch * classes];
        int[] predicted = new int[data.Count];
        double logLoss = 0;
        for (int start = 0; start < data.Count; start += batch)
        {
            int count = Math.Min(batch, data.Count - start);
            for (int i = 0; i < count; i++)
            {
                data.Row(start + i, rows.AsSpan(i * features, features)).CopyTo(rows.AsSpan(i * features));
            }

            ReadOnlySpan<float> batchRows = rows.AsSpan(0, count * features);
            model.PredictClasses(batchRows, predicted.AsSpan(start, count));
            model.PredictProbabilities(batchRows, probabilities.AsSpan(0, count * classes));
            logLoss += Metrics.LogLossSum(data.Labels.Slice(start, count), probabilities.AsSpan(0, count * classes), classes);
        }

        return new ClassificationReport(new ConfusionMatrix(data.Labels, predicted, classes), logLoss / data.Count);
    }

    /// <summary>A report from predictions already made.</summary>
    /// <param name="actual">The actual class of each row.</param>
    /// <param name="predicted">The predicted class of each row.</param>
    /// <param name="classes">The number of classes; every class is from 0 to <paramref name="classes"/> − 1.</param>
    /// <param name="probabilities">The predicted probability of each class for each row (n × <paramref name="classes"/>, row-major), or empty to report no log-loss.</param>
    /// <exception cref="ArgumentException">The spans are empty or their lengths disagree.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A class is out of range, or <paramref name="classes"/> is below 1.</exception>
    public static ClassificationReport FromPredictions(ReadOnlySpan<int> actual, ReadOnlySpan<int> predicted, int classes, ReadOnlySpan<float> probabilities = default)
    {
        var matrix = new ConfusionMatrix(actual, predicted, classes);
        double? logLoss = probabilities.IsEmpty ? null : Metrics.LogLoss(actual, probabilities, classes);
        return new ClassificationReport(matrix, logLoss);
    }

    /// <summary>The report as text: a table of the per-class metrics and averages, as scikit-learn prints it, then the log-loss and the confusion matrix.</summary>
    public override string ToString()
    {
        int labelWidth = Math.Max("weighted avg".Length, Classes.ToString(CultureInfo.InvariantCulture).Length);
        var text = new StringBuilder();
        text.Append(' ', labelWidth).Append("  precision     recall   f1-score    support").AppendLine().AppendLine();
        foreach (ClassMetrics metrics in _perClass)
        {
            Line(text, metrics.Class.ToString(CultureInfo.InvariantCulture), labelWidth, metrics.Precision, metrics.Recall, metrics.F1Score, metrics.Support);
        }

        text.AppendLine();
        text.Append(CultureInfo.InvariantCulture, $"{"accuracy".PadLeft(labelWidth)}  {string.Empty,9}  {string.Empty,9}  {Accuracy,9:F4}  {Count,9}").AppendLine();
        Line(text, "macro avg", labelWidth, MacroAverage.Precision, MacroAverage.Recall, MacroAverage.F1Score, Count);
        Line(text, "micro avg", labelWidth, MicroAverage.Precision, MicroAverage.Recall, MicroAverage.F1Score, Count);
        Line(text, "weighted avg", labelWidth, WeightedAverage.Precision, WeightedAverage.Recall, WeightedAverage.F1Score, Count);
        if (LogLoss is double logLoss)
        {
            text.AppendLine().Append(CultureInfo.InvariantCulture, $"log-loss {logLoss:F4}").AppendLine();
        }

        text.AppendLine().Append(ConfusionMatrix);
        return text.ToString();
    }

    private static void Line(StringBuilder text, string label, int labelWidth, double precision, double recall, double f1, int support) =>
        text.Append(CultureInfo.InvariantCulture, $"{label.PadLeft(labelWidth)}  {precision,9:F4}  {recall,9:F4}  {f1,9:F4}  {support,9}").AppendLine();
}
