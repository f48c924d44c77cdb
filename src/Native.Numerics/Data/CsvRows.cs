using Native.Numerics.Kernels;

namespace Native.Numerics;

/// <summary>
/// The rows of a dataset as a CSV reader parses them: written straight into 64-byte-aligned storage, row after row,
/// each padded as a <see cref="Dataset"/> keeps it, so the dataset takes the storage without a copy.
/// </summary>
/// <remarks>
/// Growing storage copies the rows and touches fresh memory, and fresh memory costs a page fault per page: for MNIST
/// as CSV (188 MB of floats) doubling from a small buffer and copying into the dataset at the end took a quarter of the
/// time. So when the text's length is known (a file, a seekable stream), the storage is sized from how many bytes the
/// first rows took — once, near the true size — and a final block that is at most an eighth too long is kept as it is
/// (its unused end never written, so never touched); only a worse guess is copied to size. The guess never exceeds what
/// the text could hold (a row takes at least two bytes per field), so memory stays proportional to the input.
/// </remarks>
internal sealed class CsvRows(int featureCount, long? textBytes)
{
    /// <summary>Rows read before the first estimate: enough for their average length to stand for the rest.</summary>
    private const int SampleRows = 256;

    private readonly int _stride = Dataset.RowStride(featureCount);
    private AlignedBuffer _storage = new(Dataset.RowStride(featureCount));
    private int _capacity = 1;

    /// <summary>The rows written.</summary>
    public int Count { get; private set; }

    /// <summary>
    /// The row to write next (its padding zero); <paramref name="consumedBytes"/> is how far the text has been read,
    /// for sizing the storage.
    /// </summary>
    public Span<float> Next(long consumedBytes)
    {
        if (Count == _capacity)
        {
            Grow(Capacity(consumedBytes));
        }

        return _storage.Span.Slice(Count++ * _stride, featureCount);
    }

    /// <summary>The storage of the <see cref="Count"/> rows, for <see cref="Dataset.FromStorage"/>.</summary>
    public AlignedBuffer Finish()
    {
        long used = (long)Count * _stride;
        if ((_capacity - Count) * 8L > Count)
        {
            Grow(Count);
        }

        return _storage.Truncate((int)used);
    }

    private int Capacity(long consumedBytes)
    {
        long limit = (Array.MaxLength - AlignedBuffer.FloatsPerLine) / _stride;
        long wanted = 2L * Count;
        if (textBytes is long total && Count >= SampleRows && consumedBytes > 0)
        {
            // The rows the whole text holds if the rest is like what was read, 5 % more (MNIST's first 256 rows
            // are 1.3 % shorter than its average); but at least an eighth more than now, and never more than the text
            // could hold at two bytes per field.
            long estimate = (long)(Count * (double)total / consumedBytes * 1.05) + 16;
            long most = (total / Math.Max(1, (2L * featureCount) + 1)) + Count + 1;
            wanted = Math.Min(Math.Max(estimate, Count + (Count / 8) + 1), Math.Max(most, Count + 1));
        }

        return (int)Math.Min(wanted, limit);
    }

    private void Grow(int capacity)
    {
        var storage = new AlignedBuffer(checked(capacity * _stride));
        _storage.Span[..(Count * _stride)].CopyTo(storage.Span);
        _storage = storage;
        _capacity = capacity;
    }
}
