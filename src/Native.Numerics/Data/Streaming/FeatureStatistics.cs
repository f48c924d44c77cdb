using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Native.Numerics.Streaming;

/// <summary>
/// Each feature's count, mean, sum of squared deviations, least and greatest value, gathered a block of rows at a time as
/// a first pass reads them: the standardizer a row cache carries, without a second pass over the rows.
/// </summary>
/// <remarks>
/// Within a block (in memory, a few hundred rows) the mean and the squared deviations from it are taken in two passes, in
/// double, as <see cref="Standardizer"/> takes them over a whole dataset; blocks are then combined by Chan, Golub and
/// LeVeque's update (M₂ = M₂ₐ + M₂ᵦ + δ²·nₐnᵦ / n, δ the difference of the means), which is as stable. The result can
/// differ from <see cref="Standardizer.Fit(Dataset)"/>'s on the same rows in the last bits of a double, so rarely in a
/// float. A constant feature's mean is its value exactly, as there.
/// </remarks>
internal sealed class FeatureStatistics
{
    private readonly double[] _means;
    private readonly double[] _squares;
    private readonly float[] _smallest;
    private readonly float[] _largest;
    private readonly double[] _blockMeans;
    private readonly double[] _blockSquares;

    public FeatureStatistics(int features)
    {
        _means = new double[features];
        _squares = new double[features];
        _smallest = new float[features];
        _largest = new float[features];
        _blockMeans = new double[features];
        _blockSquares = new double[features];
        _smallest.AsSpan().Fill(float.PositiveInfinity);
        _largest.AsSpan().Fill(float.NegativeInfinity);
    }

    /// <summary>Statistics read back from a cache.</summary>
    public FeatureStatistics(long count, double[] means, double[] squares, float[] smallest, float[] largest)
    {
        Count = count;
        _means = means;
        _squares = squares;
        _smallest = smallest;
        _largest = largest;
        _blockMeans = [];
        _blockSquares = [];
    }

    /// <summary>The rows counted.</summary>
    public long Count { get; private set; }

    public int Features => _means.Length;

    public ReadOnlySpan<double> Means => _means;

    public ReadOnlySpan<double> Squares => _squares;

    public ReadOnlySpan<float> Smallest => _smallest;

    public ReadOnlySpan<float> Largest => _largest;

    /// <summary>Adds <paramref name="count"/> rows, <paramref name="stride"/> floats apart in <paramref name="rows"/>.</summary>
    public void Add(ReadOnlySpan<float> rows, int stride, int count)
    {
        if (count == 0)
        {
            return;
        }

        int features = _means.Length;
        Span<double> means = _blockMeans, squares = _blockSquares;
        means.Clear();
        squares.Clear();
        for (int i = 0; i < count; i++)
        {
            SumRow(rows.Slice(i * stride, features), means, _smallest, _largest);
        }

        for (int j = 0; j < features; j++)
        {
            means[j] /= count;
        }

        for (int i = 0; i < count; i++)
        {
            SquareRow(rows.Slice(i * stride, features), means, squares);
        }

        long before = Count, total = before + count;
        for (int j = 0; j < features; j++)
        {
            double delta = means[j] - _means[j];
            _squares[j] += squares[j] + (delta * delta * before * count / total);
            _means[j] += delta * count / total;
        }

        Count = total;
    }

    // sums += row (in double); the least and greatest of each feature.
    private static void SumRow(ReadOnlySpan<float> row, Span<double> sums, Span<float> smallest, Span<float> largest)
    {
        int j = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            ref float values = ref MemoryMarshal.GetReference(row);
            ref double total = ref MemoryMarshal.GetReference(sums);
            ref float least = ref MemoryMarshal.GetReference(smallest);
            ref float most = ref MemoryMarshal.GetReference(largest);
            for (; j <= row.Length - 8; j += 8)
            {
                Vector256<float> v = Vector256.LoadUnsafe(ref values, (nuint)j);
                Vector256.Min(Vector256.LoadUnsafe(ref least, (nuint)j), v).StoreUnsafe(ref least, (nuint)j);
                Vector256.Max(Vector256.LoadUnsafe(ref most, (nuint)j), v).StoreUnsafe(ref most, (nuint)j);
                (Vector256<double> low, Vector256<double> high) = Vector256.Widen(v);
                (Vector256.LoadUnsafe(ref total, (nuint)j) + low).StoreUnsafe(ref total, (nuint)j);
                (Vector256.LoadUnsafe(ref total, (nuint)(j + 4)) + high).StoreUnsafe(ref total, (nuint)(j + 4));
            }
        }

        for (; j < row.Length; j++)
        {
            sums[j] += row[j];
            smallest[j] = Math.Min(smallest[j], row[j]);
            largest[j] = Math.Max(largest[j], row[j]);
        }
    }

    // squares += (row − means)², in double.
    private static void SquareRow(ReadOnlySpan<float> row, ReadOnlySpan<double> means, Span<double> squares)
    {
        int j = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            ref float values = ref MemoryMarshal.GetReference(row);
            ref double mean = ref MemoryMarshal.GetReference(means);
            ref double total = ref MemoryMarshal.GetReference(squares);
            for (; j <= row.Length - 8; j += 8)
            {
                (Vector256<double> low, Vector256<double> high) = Vector256.Widen(Vector256.LoadUnsafe(ref values, (nuint)j));
                low -= Vector256.LoadUnsafe(ref mean, (nuint)j);
                high -= Vector256.LoadUnsafe(ref mean, (nuint)(j + 4));
                (Vector256.LoadUnsafe(ref total, (nuint)j) + (low * low)).StoreUnsafe(ref total, (nuint)j);
                (Vector256.LoadUnsafe(ref total, (nuint)(j + 4)) + (high * high)).StoreUnsafe(ref total, (nuint)(j + 4));
            }
        }

        for (; j < row.Length; j++)
        {
            double centered = row[j] - means[j];
            squares[j] += centered * centered;
        }
    }

    /// <summary>The standardizer of the rows counted: as <see cref="Standardizer"/> fits one, population deviations, a constant feature centred only.</summary>
    public Standardizer ToStandardizer()
    {
        int features = _means.Length;
        float[] means = new float[features], deviations = new float[features];
        for (int j = 0; j < features; j++)
        {
            bool constant = _smallest[j] == _largest[j];
            means[j] = constant ? _smallest[j] : (float)_means[j];
            float deviation = (float)Math.Sqrt(_squares[j] / Count);
            deviations[j] = constant || !(deviation > 0f) || !float.IsFinite(deviation) || !float.IsFinite(1f / deviation) ? 1f : deviation;
        }

        return Standardizer.FromStatistics(means, deviations);
    }
}
