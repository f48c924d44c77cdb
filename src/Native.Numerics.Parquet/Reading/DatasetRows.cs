namespace Native.Numerics.Parquet;

/// <summary>
/// The features of a dataset as they are read: row after row of floats in one array that grows as rows arrive. It is
/// first sized from the rows the footer declares, but never beyond what the file's bytes justify, so a footer that lies
/// costs nothing.
/// </summary>
internal sealed class DatasetRows(int features, long declaredRows, long fileBytes)
{
    /// <summary>Floats of features a byte of a Parquet file is trusted to hold before the rows prove it: 4 (16 bytes).</summary>
    private const long FloatsPerFileByte = 4;

    /// <summary>The most features one dataset holds: what <see cref="Dataset"/>'s padded storage can (an array of at most <see cref="Array.MaxLength"/> floats).</summary>
    private readonly long _maxRows = (Array.MaxLength - 16L) / (((features + 15) / 16) * 16L);

    private float[] _values = new float[(int)Math.Min(
        Math.Max(Math.Min(declaredRows, fileBytes * FloatsPerFileByte / Math.Max(1, features)), 64) * features,
        Array.MaxLength)];

    /// <summary>The rows read.</summary>
    public int Count { get; private set; }

    /// <summary>Every row read, row-major.</summary>
    public ReadOnlySpan<float> Features => _values.AsSpan(0, Count * features);

    /// <summary>Room for up to <paramref name="rows"/> more rows; the location is for the error when the dataset is full.</summary>
    public Span<float> Next(int rows, string? file, int rowGroup, long row)
    {
        if (Count + 1L > _maxRows)
        {
            throw FileFormatException.InFile(file, ParquetSource.Invariant($"row group {rowGroup}, row {row}: too many rows: {Count + 1L} rows of {features} features are more than one dataset can hold."));
        }

        rows = (int)Math.Min(rows, _maxRows - Count);
        long needed = (Count + (long)rows) * features;
        if (needed > _values.Length)
        {
            Array.Resize(ref _values, (int)Math.Min(Math.Max(2L * _values.Length, needed), Array.MaxLength));
        }

        return _values.AsSpan(Count * features, rows * features);
    }

    /// <summary>Counts <paramref name="rows"/> rows written into the span <see cref="Next"/> gave.</summary>
    public void Added(int rows) => Count += rows;
}
