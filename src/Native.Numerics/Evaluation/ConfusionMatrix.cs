using System.Globalization;
using System.Text;

namespace Native.Numerics;

/// <summary>
/// How often each actual class was predicted as each class: a <see cref="Classes"/> × <see cref="Classes"/>
/// table of counts, rows the actual class, columns the predicted one; the diagonal holds the correct predictions.
/// </summary>
/// <remarks>
/// Precision, recall and F1 of a class are 0 where they are undefined (a class never predicted has no
/// precision; a class that never occurs has no recall), as scikit-learn reports with <c>zero_division=0</c>.
/// Every row counts once: sample weights are not taken into account.
/// </remarks>
public sealed class ConfusionMatrix
{
    private readonly int[] _counts;
    private readonly int[] _actualTotals;
    private readonly int[] _predictedTotals;

    /// <summary>Counts each (actual, predicted) pair.</summary>
    /// <param name="actual">The actual class of each row.</param>
    /// <param name="predicted">The predicted class of each row.</param>
    /// <param name="classes">The number of classes, at least 1; every class is from 0 to <paramref name="classes"/> − 1.</param>
    /// <exception cref="ArgumentException">The spans are empty or differ in length.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A class is out of range (the message names the row), or <paramref name="classes"/> is below 1.</exception>
    public ConfusionMatrix(ReadOnlySpan<int> actual, ReadOnlySpan<int> predicted, int classes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(classes, 1);
        Metrics.CheckLengths(actual.Length, predicted.Length, nameof(predicted));
        CheckRange(actual, classes, nameof(actual), "Actual");
        CheckRange(predicted, classes, nameof(predicted), "Predicted");

        Classes = classes;
        Count = actual.Length;
        _counts = new int[checked(classes * classes)];
        _actualTotals = new int[classes];
        _predictedTotals = new int[classes];
        for (int i = 0; i < actual.Length; i++)
        {
            _counts[(actual[i] * classes) + predicted[i]]++;
            _actualTotals[actual[i]]++;
            _predictedTotals[predicted[i]]++;
            Correct += actual[i] == predicted[i] ? 1 : 0;
        }
    }

    /// <summary>The number of classes: the table's height and width.</summary>
    public int Classes { get; }

    /// <summary>The number of rows counted: the sum of the table.</summary>
    public int Count { get; }

    /// <summary>The number of correct predictions: the sum of the diagonal.</summary>
    public int Correct { get; }

    /// <summary>The share of correct predictions, <see cref="Correct"/> / <see cref="Count"/>.</summary>
    public double Accuracy => (double)Correct / Count;

    /// <summary>The whole table, row-major: the count of (actual a, predicted p) is at a × <see cref="Classes"/> + p.</summary>
    public ReadOnlySpan<int> Counts => _counts;

    /// <summary>How many rows of actual class <paramref name="actual"/> were predicted as <paramref name="predicted"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A class is out of range.</exception>
    public int this[int actual, int predicted]
    {
        get
        {
            CheckClass(actual, nameof(actual));
            CheckClass(predicted, nameof(predicted));
            return _counts[(actual * Classes) + predicted];
        }
    }

    /// <summary>How many rows are actually of class <paramref name="c"/> (its support): the sum of its row.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The class is out of range.</exception>
    public int ActualCount(int c)
    {
        CheckClass(c, nameof(c));
        return _actualTotals[c];
    }

    /// <summary>How many rows were predicted as class <paramref name="c"/>: the sum of its column.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The class is out of range.</exception>
    public int PredictedCount(int c)
    {
        CheckClass(c, nameof(c));
        return _predictedTotals[c];
    }

    /// <summary>Of the rows predicted as <paramref name="c"/>, the share that are: TP / (TP + FP); 0 if none were predicted.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The class is out of range.</exception>
    public double Precision(int c) => Ratio(this[c, c], PredictedCount(c));

    /// <summary>Of the rows of class <paramref name="c"/>, the share predicted so: TP / (TP + FN); 0 if the class never occurs.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The class is out of range.</exception>
    public double Recall(int c) => Ratio(this[c, c], ActualCount(c));

    /// <summary>
    /// The harmonic mean of precision and recall, computed as 2·TP / (2·TP + FP + FN) (the same where both
    /// are defined); 0 if the class neither occurs nor is predicted.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The class is out of range.</exception>
    public double F1Score(int c) => Ratio(2L * this[c, c], (long)ActualCount(c) + PredictedCount(c));

    /// <summary>
    /// The table as text, rows the actual class and columns the predicted one, every column as wide as the
    /// largest count; readable up to about 20 classes.
    /// </summary>
    public override string ToString()
    {
        int width = Math.Max(Digits(_counts.Max()), Digits(Classes - 1)) + 1;
        int labelWidth = Math.Max("actual".Length, Digits(Classes - 1));
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"{new string(' ', labelWidth)}  predicted →").AppendLine();
        text.Append("actual".PadRight(labelWidth)).Append(' ');
        for (int p = 0; p < Classes; p++)
        {
            text.Append(p.ToString(CultureInfo.InvariantCulture).PadLeft(width));
        }

        for (int a = 0; a < Classes; a++)
        {
            text.AppendLine().Append(a.ToString(CultureInfo.InvariantCulture).PadLeft(labelWidth)).Append(' ');
            for (int p = 0; p < Classes; p++)
            {
                text.Append(_counts[(a * Classes) + p].ToString(CultureInfo.InvariantCulture).PadLeft(width));
            }
        }

        return text.ToString();
    }

    private static int Digits(int value) => value.ToString(CultureInfo.InvariantCulture).Length;

    private static double Ratio(long part, long whole) => whole == 0 ? 0 : (double)part / whole;

    private static void CheckRange(ReadOnlySpan<int> classes, int count, string name, string what)
    {
        int bad = classes.IndexOfAnyExceptInRange(0, count - 1);
        if (bad >= 0)
        {
            throw new ArgumentOutOfRangeException(name, classes[bad], $"{what} class {bad} is {classes[bad]}, outside the {count} classes 0 to {count - 1}.");
        }
    }

    private void CheckClass(int c, string name)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(c, name);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(c, Classes, name);
    }
}
