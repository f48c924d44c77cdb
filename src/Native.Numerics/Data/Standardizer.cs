using System.Numerics.Tensors;

namespace Native.Numerics;

/// <summary>
/// Standardization: each feature x becomes (x − mean) / deviation, with the mean and the population
/// standard deviation of that feature in the training data. Fit it on the training set only, and save
/// it with the model, so that test data and live inputs are scaled exactly as training data were.
/// </summary>
/// <remarks>
/// <para>
/// The statistics are accumulated in double, in two passes (the mean, then the squared deviations from
/// it), and stored as float. The deviation is the population one, divided by n, not n − 1 — as
/// scikit-learn's <c>StandardScaler</c> does.
/// </para>
/// <para>
/// A feature whose training values are all equal (MNIST's corner pixels, always 0) has deviation 0; it is
/// only centered (divided by 1), so it becomes 0, never NaN or infinity. <see cref="StandardDeviations"/>
/// holds the divisor actually used, so it is 1 for such a feature and every stored value is positive.
/// </para>
/// <para>
/// A feature is transformed as (x − mean) × (1 / deviation), the reciprocal computed once: the same arithmetic, to the
/// bit, as the models that apply a standardizer inside (<see cref="TrainedModel"/>'s predictions, a model compiled from a
/// file), so a row standardized here and a raw row given to those models meet the same weights with the same values.
/// </para>
/// <para>Sample weights are ignored: every row counts once.</para>
/// </remarks>
public sealed class Standardizer
{
    private readonly float[] _means;
    private readonly float[] _deviations;
    private readonly float[] _scales;

    private Standardizer(float[] means, float[] deviations)
    {
        _means = means;
        _deviations = deviations;
        _scales = new float[deviations.Length];
        for (int j = 0; j < deviations.Length; j++)
        {
            _scales[j] = 1f / deviations[j];
        }
    }

    /// <summary>The number of features this standardizer transforms.</summary>
    public int Features => _means.Length;

    /// <summary>The training mean of each feature.</summary>
    public ReadOnlySpan<float> Means => _means;

    /// <summary>What each centered feature is divided by: its training population standard deviation, or 1 where that is 0.</summary>
    public ReadOnlySpan<float> StandardDeviations => _deviations;

    /// <summary>What each centered feature is multiplied by: the reciprocal of its deviation.</summary>
    internal ReadOnlySpan<float> Scales => _scales;

    /// <summary>The means, for kernels that read them in place.</summary>
    internal float[] MeanArray => _means;

    /// <summary>The scales, for kernels that read them in place.</summary>
    internal float[] ScaleArray => _scales;

    /// <summary>Fits a standardizer to the features of <paramref name="data"/> (its labels, targets and weights are not used).</summary>
    /// <exception cref="ArgumentException"><paramref name="data"/> has no rows.</exception>
    public static Standardizer Fit(Dataset data)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (data.Count == 0)
        {
            throw new ArgumentException("Cannot fit a standardizer to a dataset with no rows.", nameof(data));
        }

        if (data.StoresBytes)
        {
            // Byte rows widened a row at a time: the same values, so the same statistics, without a float copy of the rows.
            float[] row = new float[data.Features];
            return Fit(new WidenedRows(data, row), data.Count, data.Features);
        }

        return Fit(data.Storage, data.Stride, data.StoredRows, data.Count, data.Features);
    }

    /// <summary>Fits a standardizer to <paramref name="rows"/>: n rows of <paramref name="featureCount"/> floats, row-major.</summary>
    /// <exception cref="ArgumentException">The rows are empty, their length is not a multiple of <paramref name="featureCount"/>, or a value is not finite.</exception>
    public static Standardizer Fit(ReadOnlySpan<float> rows, int featureCount)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(featureCount, 1);
        if (rows.IsEmpty || rows.Length % featureCount != 0)
        {
            throw new ArgumentException($"Expected a positive whole number of rows of {featureCount} features, got {rows.Length} floats.", nameof(rows));
        }

        int bad = rows.IndexOfAnyExceptInRange(float.MinValue, float.MaxValue);
        if (bad >= 0)
        {
            throw new ArgumentException($"Feature {bad % featureCount} of row {bad / featureCount} is {rows[bad]}; features must be finite.", nameof(rows));
        }

        return Fit(rows, featureCount, default, rows.Length / featureCount, featureCount);
    }

    /// <summary>
    /// A standardizer from stored statistics (a model file's): <paramref name="means"/> and
    /// <paramref name="standardDeviations"/> (the divisors, as <see cref="StandardDeviations"/> reports them).
    /// </summary>
    /// <exception cref="ArgumentException">The lengths differ or are 0, a value is not finite, or a deviation is not positive (or so small its reciprocal overflows).</exception>
    public static Standardizer FromStatistics(ReadOnlySpan<float> means, ReadOnlySpan<float> standardDeviations)
    {
        if (means.IsEmpty || means.Length != standardDeviations.Length)
        {
            throw new ArgumentException($"Expected one mean and one standard deviation per feature, at least one of each; got {means.Length} means and {standardDeviations.Length} standard deviations.", nameof(standardDeviations));
        }

        for (int j = 0; j < means.Length; j++)
        {
            if (!float.IsFinite(means[j]))
            {
                throw new ArgumentException($"The mean of feature {j} is {means[j]}; means must be finite.", nameof(means));
            }

            if (!(standardDeviations[j] > 0f) || !float.IsFinite(standardDeviations[j]) || !float.IsFinite(1f / standardDeviations[j]))
            {
                throw new ArgumentException($"The standard deviation of feature {j} is {standardDeviations[j]}; deviations must be finite, positive, and large enough that their reciprocal is finite.", nameof(standardDeviations));
            }
        }

        return new Standardizer(means.ToArray(), standardDeviations.ToArray());
    }

    /// <summary>A new dataset whose features are those of <paramref name="data"/> standardized; labels, targets and weights are kept.</summary>
    /// <exception cref="ArgumentException">The dataset's feature count is not <see cref="Features"/>.</exception>
    public Dataset Transform(Dataset data)
    {
        ArgumentNullException.ThrowIfNull(data);
        CheckFeatures(data.Features, nameof(data));
        if (data.StoresBytes && !data.HasByteStandardizer)
        {
            // Byte rows stay bytes, sharing their storage; the kernels standardize them as they widen them.
            return data.WithByteStandardizer(this);
        }

        return data.WithFeatures(Transform);
    }

    /// <summary>
    /// Writes the standardized <paramref name="row"/> into <paramref name="destination"/>, which may be the
    /// same memory (transforming in place). Allocates nothing.
    /// </summary>
    /// <exception cref="ArgumentException">A span's length is not <see cref="Features"/>.</exception>
    public void Transform(ReadOnlySpan<float> row, Span<float> destination)
    {
        CheckFeatures(row.Length, nameof(row));
        CheckFeatures(destination.Length, nameof(destination));
        TensorPrimitives.Subtract(row, _means, destination);
        TensorPrimitives.Multiply(destination, _scales, destination);
    }

    /// <summary>
    /// Undoes <see cref="Transform(ReadOnlySpan{float}, Span{float})"/>: writes <paramref name="row"/> ×
    /// deviation + mean into <paramref name="destination"/>, which may be the same memory. Allocates nothing.
    /// </summary>
    /// <exception cref="ArgumentException">A span's length is not <see cref="Features"/>.</exception>
    public void InverseTransform(ReadOnlySpan<float> row, Span<float> destination)
    {
        CheckFeatures(row.Length, nameof(row));
        CheckFeatures(destination.Length, nameof(destination));
        TensorPrimitives.MultiplyAdd(row, _deviations, _means, destination);
    }

    /// <summary>Fits to <paramref name="count"/> rows of <paramref name="featureCount"/> floats, <paramref name="stride"/> floats apart in <paramref name="storage"/>.</summary>
    // Row i of the data is stored row i, or stored row rows[i] when the data are a view.
    private static Standardizer Fit(ReadOnlySpan<float> storage, int stride, ReadOnlySpan<int> rows, int count, int featureCount) =>
        Fit(new StoredRows(storage, stride, rows, featureCount), count, featureCount);

    /// <summary>Fits to the <paramref name="count"/> rows of <paramref name="featureCount"/> floats that <paramref name="data"/> gives.</summary>
    private static Standardizer Fit<TRows>(TRows data, int count, int featureCount)
        where TRows : IFitRows, allows ref struct
    {
        // Pass 1: the mean, and the smallest and largest value, which tell a constant feature exactly.
        double[] sums = new double[featureCount];
        float[] smallest = new float[featureCount];
        float[] largest = new float[featureCount];
        data.Row(0).CopyTo(smallest);
        data.Row(0).CopyTo(largest);
        for (int i = 0; i < count; i++)
        {
            ReadOnlySpan<float> values = data.Row(i);
            for (int j = 0; j < featureCount; j++)
            {
                sums[j] += values[j];
                smallest[j] = Math.Min(smallest[j], values[j]);
                largest[j] = Math.Max(largest[j], values[j]);
            }
        }

        double[] means = new double[featureCount];
        for (int j = 0; j < featureCount; j++)
        {
            // A constant feature's mean is its value exactly, so it centers to exactly 0.
            means[j] = smallest[j] == largest[j] ? smallest[j] : sums[j] / count;
        }

        // Pass 2: squared deviations from the mean (more accurate than E[x²] − E[x]²).
        double[] squares = new double[featureCount];
        for (int i = 0; i < count; i++)
        {
            ReadOnlySpan<float> values = data.Row(i);
            for (int j = 0; j < featureCount; j++)
            {
                double centered = values[j] - means[j];
                squares[j] += centered * centered;
            }
        }

        float[] meanValues = new float[featureCount];
        float[] deviations = new float[featureCount];
        for (int j = 0; j < featureCount; j++)
        {
            meanValues[j] = (float)means[j];
            float deviation = (float)Math.Sqrt(squares[j] / count);
            deviations[j] = smallest[j] == largest[j] || !(deviation > 0f) || !float.IsFinite(deviation) || !float.IsFinite(1f / deviation) ? 1f : deviation;
        }

        return new Standardizer(meanValues, deviations);
    }

    private void CheckFeatures(int actual, string name)
    {
        if (actual != Features)
        {
            throw new ArgumentException($"The standardizer was fitted to {Features} features, but {name} has {actual}.", name);
        }
    }

    /// <summary>The rows a fit reads, one at a time.</summary>
    private interface IFitRows
    {
        /// <summary>The features of row <paramref name="i"/>, valid until the next call.</summary>
        ReadOnlySpan<float> Row(int i);
    }

    /// <summary>Float rows in storage: row i is stored row i, or stored row rows[i] for a view.</summary>
    private readonly ref struct StoredRows(ReadOnlySpan<float> storage, int stride, ReadOnlySpan<int> rows, int featureCount) : IFitRows
    {
        private readonly ReadOnlySpan<float> _storage = storage;
        private readonly ReadOnlySpan<int> _rows = rows;

        public ReadOnlySpan<float> Row(int i) => _storage.Slice((_rows.IsEmpty ? i : _rows[i]) * stride, featureCount);
    }

    /// <summary>A dataset's byte rows, each widened into <paramref name="row"/>.</summary>
    private readonly struct WidenedRows(Dataset data, float[] row) : IFitRows
    {
        public ReadOnlySpan<float> Row(int i) => data.Row(i, row);
    }
}
