using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;

namespace Native.Numerics;

/// <summary>
/// How often each actual class was predicted as each class: a <see cref="Classes"/> × <see cref="Classes"/>
/// table of counts, rows the actual class, columns the predicted one; the diagonal holds the correct predictions.
/// </summary>
/// <remarks>
/// <para>
/// Precision, recall and F1 of a class are 0 where they are undefined (a class never predicted has no
/// precision; a class that never occurs has no recall), as scikit-learn reports with <c>zero_division=0</c>.
/// Every row counts once: sample weights are not taken into account.
/// </para>
/// <para>
/// The table is kept sparse — the diagonal, the row and column totals, and only the cells off the diagonal that
/// are not zero — so its memory grows with the classes and the rows, never with the classes squared: 50,000
/// classes once asked for 2.5 billion cells. <see cref="NonZero"/> lists the cells; <see cref="Counts"/> gives the
/// dense table for up to <see cref="MaxDenseClasses"/> classes.
/// </para>
/// </remarks>
public sealed class ConfusionMatrix
{
    /// <summary>The most classes <see cref="Counts"/> and <see cref="ToString"/> lay out as a dense table: 4,096 (16.7 million cells).</summary>
    public const int MaxDenseClasses = 4096;

    /// <summary>Above this many classes <see cref="ToString"/> lists the largest confusions instead of the table.</summary>
    private const int TextTableClasses = 64;

    private readonly int[] _diagonal;
    private readonly Dictionary<long, int> _offDiagonal = [];
    private readonly int[] _actualTotals;
    private readonly int[] _predictedTotals;
    private int[]? _dense;

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
        _diagonal = new int[classes];
        _actualTotals = new int[classes];
        _predictedTotals = new int[classes];
        for (int i = 0; i < actual.Length; i++)
        {
            int a = actual[i], p = predicted[i];
            if (a == p)
            {
                _diagonal[a]++;
                Correct++;
            }
            else
            {
                CollectionsMarshal.GetValueRefOrAddDefault(_offDiagonal, Key(a, p), out _)++;
            }

            _actualTotals[a]++;
            _predictedTotals[p]++;
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

    /// <summary>
    /// The whole table, row-major: the count of (actual a, predicted p) is at a × <see cref="Classes"/> + p. Built
    /// on first use.
    /// </summary>
    /// <exception cref="InvalidOperationException">There are more than <see cref="MaxDenseClasses"/> classes: read <see cref="NonZero"/> or the indexer instead.</exception>
    public ReadOnlySpan<int> Counts
    {
        get
        {
            if (Classes > MaxDenseClasses)
            {
                throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture, $"The table of {Classes} classes would hold {(long)Classes * Classes} cells; read NonZero or this[actual, predicted] instead (a dense table is built for up to {MaxDenseClasses} classes)."));
            }

            if (_dense is null)
            {
                int[] dense = new int[Classes * Classes];
                foreach ((int a, int p, int count) in NonZero)
                {
                    dense[(a * Classes) + p] = count;
                }

                _dense = dense;
            }

            return _dense;
        }
    }

    /// <summary>The cells that are not zero, as (actual, predicted, count), in row-major order: at most one per class and one per row.</summary>
    public IReadOnlyList<(int Actual, int Predicted, int Count)> NonZero
    {
        get
        {
            var cells = new List<(int, int, int)>(_offDiagonal.Count + Classes);
            for (int c = 0; c < Classes; c++)
            {
                if (_diagonal[c] > 0)
                {
                    cells.Add((c, c, _diagonal[c]));
                }
            }

            foreach ((long key, int count) in _offDiagonal)
            {
                cells.Add(((int)(key / Classes), (int)(key % Classes), count));
            }

            cells.Sort();
            return cells;
        }
    }

    /// <summary>How many rows of actual class <paramref name="actual"/> were predicted as <paramref name="predicted"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A class is out of range.</exception>
    public int this[int actual, int predicted]
    {
        get
        {
            CheckClass(actual, nameof(actual));
            CheckClass(predicted, nameof(predicted));
            return actual == predicted ? _diagonal[actual] : _offDiagonal.GetValueOrDefault(Key(actual, predicted));
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
    /// largest count; readable up to about 20 classes. Above 64 classes, the twenty largest confusions instead.
    /// </summary>
    public override string ToString()
    {
        var text = new StringBuilder();
        if (Classes > TextTableClasses)
        {
            text.Append(CultureInfo.InvariantCulture, $"{Classes} classes, {Correct} of {Count} rows on the diagonal; the largest confusions (actual → predicted: rows):");
            foreach ((int a, int p, int count) in NonZero.Where(cell => cell.Actual != cell.Predicted).OrderByDescending(cell => cell.Count).ThenBy(cell => cell).Take(20))
            {
                text.AppendLine().Append(CultureInfo.InvariantCulture, $"  {a} → {p}: {count}");
            }

            return text.ToString();
        }

        ReadOnlySpan<int> counts = Counts;
        int largest = 0;
        foreach (int count in counts)
        {
            largest = Math.Max(largest, count);
        }

        int width = Math.Max(Digits(largest), Digits(Classes - 1)) + 1;
        int labelWidth = Math.Max("actual".Length, Digits(Classes - 1));
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
                text.Append(counts[(a * Classes) + p].ToString(CultureInfo.InvariantCulture).PadLeft(width));
            }
        }

        return text.ToString();
    }

    private static int Digits(int value) => value.ToString(CultureInfo.InvariantCulture).Length;

    private static double Ratio(long part, long whole) => whole == 0 ? 0 : (double)part / whole;

    private long Key(int actual, int predicted) => ((long)actual * Classes) + predicted;

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
