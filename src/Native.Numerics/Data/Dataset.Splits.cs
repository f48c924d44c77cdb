using Native.Numerics.Kernels;

namespace Native.Numerics;

public sealed partial class Dataset
{
    /// <summary>The rows in an order fixed by <paramref name="seed"/>, as a new dataset: the same seed gives the same order on every platform.</summary>
    /// <param name="seed">Decides the order (xoshiro128**, then Fisher–Yates).</param>
    /// <remarks>A view: the new dataset names this one's rows, sharing their storage.</remarks>
    public Dataset Shuffle(int seed) => View(ShuffledIndices(Count, seed));

    /// <summary>
    /// Splits the rows at random, fixed by <paramref name="seed"/>, into a training set and a test set of
    /// round(<paramref name="testFraction"/> × <see cref="Count"/>) rows; see <see cref="SplitIndices"/>. Both are views:
    /// they share this dataset's stored rows, and cost only their row indices.
    /// </summary>
    /// <param name="testFraction">The share of rows for testing, strictly between 0 and 1.</param>
    /// <param name="seed">Decides which rows go where, and their order.</param>
    /// <param name="stratify">Whether to split each class separately, in the same proportion (classification only).</param>
    /// <exception cref="ArgumentException">The fraction is not strictly between 0 and 1 or would leave a side empty, or <paramref name="stratify"/> is asked of a regression dataset.</exception>
    public (Dataset Training, Dataset Test) Split(double testFraction, int seed, bool stratify = false)
    {
        (int[] training, int[] test) = SplitIndices(testFraction, seed, stratify);
        return (View(training), View(test));
    }

    /// <summary>
    /// The row indices of a random split, fixed by <paramref name="seed"/>: both lists are in shuffled order,
    /// and together they hold every row exactly once.
    /// </summary>
    /// <remarks>
    /// <para>
    /// The rows are shuffled (Fisher–Yates on a xoshiro128** sequence from <paramref name="seed"/>). Without
    /// stratification the first round(<paramref name="testFraction"/> × <see cref="Count"/>) shuffled rows are
    /// the test set (rounding half away from zero). With it, each class c with n_c rows gives its first
    /// round(<paramref name="testFraction"/> × n_c) shuffled rows to the test set, so every class is split in
    /// the same proportion to within half a row, and the test set's size is the sum of those.
    /// </para>
    /// <para>Sample weights do not affect the split.</para>
    /// </remarks>
    /// <param name="testFraction">The share of rows for testing, strictly between 0 and 1.</param>
    /// <param name="seed">Decides which rows go where, and their order.</param>
    /// <param name="stratify">Whether to split each class separately, in the same proportion (classification only).</param>
    /// <exception cref="ArgumentException">The fraction is not strictly between 0 and 1 or would leave a side empty, or <paramref name="stratify"/> is asked of a regression dataset.</exception>
    public (int[] Training, int[] Test) SplitIndices(double testFraction, int seed, bool stratify = false)
    {
        if (!(testFraction > 0 && testFraction < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(testFraction), testFraction, "The test fraction must be strictly between 0 and 1.");
        }

        if (stratify && !HasLabels)
        {
            throw new ArgumentException("Only a classification dataset can be stratified: a regression dataset has no classes.", nameof(stratify));
        }

        int[] order = ShuffledIndices(Count, seed);

        // How many rows of each class (or of the whole, unstratified) go to the test set.
        int groups = stratify ? Classes : 1;
        int[] sizes = new int[groups];
        for (int i = 0; i < Count; i++)
        {
            sizes[stratify ? LabelAt(i) : 0]++;
        }

        int[] quota = new int[groups];
        int testCount = 0;
        for (int g = 0; g < groups; g++)
        {
            quota[g] = (int)Math.Round(testFraction * sizes[g], MidpointRounding.AwayFromZero);
            testCount += quota[g];
        }

        if (testCount == 0 || testCount == Count)
        {
            string side = testCount == 0 ? "test" : "training";
            throw new ArgumentException($"A test fraction of {testFraction} of {Count} rows{(stratify ? ", class by class," : string.Empty)} leaves the {side} set empty.", nameof(testFraction));
        }

        // Walk the shuffled rows; each goes to the test set while its group's quota lasts.
        int[] training = new int[Count - testCount];
        int[] test = new int[testCount];
        int trainingFilled = 0, testFilled = 0;
        foreach (int row in order)
        {
            int g = stratify ? LabelAt(row) : 0;
            if (quota[g] > 0)
            {
                quota[g]--;
                test[testFilled++] = row;
            }
            else
            {
                training[trainingFilled++] = row;
            }
        }

        return (training, test);
    }

    /// <summary>The numbers 0 to <paramref name="count"/> − 1 in an order fixed by <paramref name="seed"/> (Fisher–Yates on xoshiro128**).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> is negative.</exception>
    public static int[] ShuffledIndices(int count, int seed)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        int[] order = new int[count];
        for (int i = 0; i < count; i++)
        {
            order[i] = i;
        }

        new SeededRandom(seed).Shuffle(order.AsSpan());
        return order;
    }

    /// <summary>The rows <paramref name="rows"/> names (checked, distinct or not), as a view sharing this dataset's storage.</summary>
    internal Dataset View(int[] rows)
    {
        int[] stored = rows;
        for (int i = 0; i < rows.Length; i++)
        {
            if ((uint)rows[i] >= (uint)Count)
            {
                throw new ArgumentOutOfRangeException(nameof(rows), rows[i], $"Row index {i} is {rows[i]}, outside the dataset's {Count} rows.");
            }
        }

        if (_rows is not null)
        {
            // A view of a view names the storage's rows directly.
            stored = new int[rows.Length];
            for (int i = 0; i < rows.Length; i++)
            {
                stored[i] = _rows[rows[i]];
            }
        }

        return new Dataset(_features, Stride, rows.Length, Features, stored, _labels, Classes, _classNames, _targets, TargetCount, _weights, _byteRows).WithNamesOf(this);
    }

    /// <summary>A view's <paramref name="stored"/> values (indexed by stored row, <paramref name="perRow"/> a row) in its own row order.</summary>
    private T[] Gather<T>(T[] stored, int perRow = 1)
    {
        var values = new T[checked(Count * perRow)];
        for (int i = 0; i < Count; i++)
        {
            stored.AsSpan(_rows![i] * perRow, perRow).CopyTo(values.AsSpan(i * perRow));
        }

        return values;
    }
}
