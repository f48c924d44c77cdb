using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Native.Numerics;

/// <summary>
/// The standardizer's statistics of a table's encoded rows, for its number features: the sum (in double), the smallest
/// and the largest value as the rows are encoded, a block at a time while the block is in cache; then, from the means,
/// the squared deviations in a second pass. The arithmetic of <see cref="Standardizer.Fit(Dataset)"/> to the bit.
/// </summary>
/// <remarks>
/// <para>
/// <see cref="Standardizer.Fit(Dataset)"/> adds each feature's values in row order, one double sum per feature, and so
/// does this: a lane of a vector is one feature, and the rows come in order, so each lane's sum is the same sequence of
/// roundings. Vectors go across the features of a row, never along a feature; the minimum and maximum are IEEE 754's
/// (<see cref="Vector.Min{T}"/>, as <see cref="Math.Min(float, float)"/>: −0 below +0). Products and sums stay separate
/// operations (no fused multiply-add), as in the scalar code.
/// </para>
/// <para>
/// Only the vectors that hold a number feature are read (a loans row of 64 floats has its seven numbers in its first
/// cache line). A row whose stride is not a whole number of vectors takes the scalar loop, feature by feature within each
/// row: the same order again.
/// </para>
/// </remarks>
internal sealed class RowStatistics
{
    private readonly int _stride;
    private readonly int[] _numbers;

    /// <summary>The starts of the vectors that hold a number feature; empty for the scalar loop.</summary>
    private readonly int[] _vectors;

    private readonly double[] _sums;
    private readonly double[] _squares;
    private readonly double[] _means;
    private readonly float[] _smallest;
    private readonly float[] _largest;
    private long _rows;

    /// <param name="stride">The floats from one row to the next.</param>
    /// <param name="numbers">The number features' offsets in a row, in increasing order.</param>
    /// <param name="vectorized">Whether to run the vector loop when the stride allows (false: the scalar loop, for tests).</param>
    public RowStatistics(int stride, int[] numbers, bool vectorized = true)
    {
        _stride = stride;
        _numbers = numbers;
        _sums = new double[stride];
        _squares = new double[stride];
        _means = new double[stride];
        _smallest = new float[stride];
        _largest = new float[stride];
        int width = Vector<float>.Count;
        _vectors = vectorized && Vector.IsHardwareAccelerated && stride % width == 0
            ? [.. numbers.Select(j => j - (j % width)).Distinct()]
            : [];
    }

    /// <summary>Pass 1: adds <paramref name="count"/> rows of <paramref name="rows"/> to the sums, smallest and largest values.</summary>
    public void AddRows(ReadOnlySpan<float> rows, int count)
    {
        if (count == 0)
        {
            return;
        }

        if (_rows == 0)
        {
            // The first row is where the smallest and largest start, as in the standardizer's fit.
            rows[.._stride].CopyTo(_smallest);
            rows[.._stride].CopyTo(_largest);
        }

        _rows += count;
        if (_vectors.Length > 0)
        {
            AddVectors(rows, count);
            return;
        }

        for (int i = 0; i < count; i++)
        {
            ReadOnlySpan<float> row = rows.Slice(i * _stride, _stride);
            foreach (int j in _numbers)
            {
                float value = row[j];
                _sums[j] += value;
                _smallest[j] = Math.Min(_smallest[j], value);
                _largest[j] = Math.Max(_largest[j], value);
            }
        }
    }

    /// <summary>Pass 2: the means known, adds the squared deviations of all <paramref name="count"/> rows of <paramref name="rows"/>.</summary>
    public void AddSquares(ReadOnlySpan<float> rows, int count)
    {
        for (int k = 0; k < _numbers.Length; k++)
        {
            int j = _numbers[k];
            _means[j] = _smallest[j] == _largest[j] ? _smallest[j] : _sums[j] / _rows;
        }

        if (_vectors.Length > 0)
        {
            AddSquareVectors(rows, count);
            return;
        }

        for (int i = 0; i < count; i++)
        {
            ReadOnlySpan<float> row = rows.Slice(i * _stride, _stride);
            foreach (int j in _numbers)
            {
                double centered = row[j] - _means[j];
                _squares[j] += centered * centered;
            }
        }
    }

    /// <summary>Feature <paramref name="j"/>'s mean and deviation, as the standardizer's fit gives them, after both passes.</summary>
    public (float Mean, float Deviation) Of(int j)
    {
        bool constant = _smallest[j] == _largest[j];
        float deviation = (float)Math.Sqrt(_squares[j] / _rows);
        return ((float)_means[j], constant || !(deviation > 0f) || !float.IsFinite(deviation) || !float.IsFinite(1f / deviation) ? 1f : deviation);
    }

    private void AddVectors(ReadOnlySpan<float> rows, int count)
    {
        int doubles = Vector<double>.Count;
        ref float row = ref MemoryMarshal.GetReference(rows);
        ref double sums = ref MemoryMarshal.GetArrayDataReference(_sums);
        ref float smallest = ref MemoryMarshal.GetArrayDataReference(_smallest);
        ref float largest = ref MemoryMarshal.GetArrayDataReference(_largest);
        for (int i = 0; i < count; i++)
        {
            foreach (int k in _vectors)
            {
                // k + width <= stride, and the rows hold count strides: in range.
                Vector<float> values = Vector.LoadUnsafe(ref row, (nuint)k);
                Vector.Min(Vector.LoadUnsafe(ref smallest, (nuint)k), values).StoreUnsafe(ref smallest, (nuint)k);
                Vector.Max(Vector.LoadUnsafe(ref largest, (nuint)k), values).StoreUnsafe(ref largest, (nuint)k);
                Vector.Widen(values, out Vector<double> low, out Vector<double> high);
                (Vector.LoadUnsafe(ref sums, (nuint)k) + low).StoreUnsafe(ref sums, (nuint)k);
                (Vector.LoadUnsafe(ref sums, (nuint)(k + doubles)) + high).StoreUnsafe(ref sums, (nuint)(k + doubles));
            }

            row = ref Unsafe.Add(ref row, _stride);
        }
    }

    private void AddSquareVectors(ReadOnlySpan<float> rows, int count)
    {
        int doubles = Vector<double>.Count;
        ref float row = ref MemoryMarshal.GetReference(rows);
        ref double squares = ref MemoryMarshal.GetArrayDataReference(_squares);
        ref double means = ref MemoryMarshal.GetArrayDataReference(_means);
        for (int i = 0; i < count; i++)
        {
            foreach (int k in _vectors)
            {
                Vector.Widen(Vector.LoadUnsafe(ref row, (nuint)k), out Vector<double> low, out Vector<double> high);
                Vector<double> centeredLow = low - Vector.LoadUnsafe(ref means, (nuint)k);
                Vector<double> centeredHigh = high - Vector.LoadUnsafe(ref means, (nuint)(k + doubles));
                (Vector.LoadUnsafe(ref squares, (nuint)k) + (centeredLow * centeredLow)).StoreUnsafe(ref squares, (nuint)k);
                (Vector.LoadUnsafe(ref squares, (nuint)(k + doubles)) + (centeredHigh * centeredHigh)).StoreUnsafe(ref squares, (nuint)(k + doubles));
            }

            row = ref Unsafe.Add(ref row, _stride);
        }
    }
}
