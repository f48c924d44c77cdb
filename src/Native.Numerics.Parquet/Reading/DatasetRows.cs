namespace Native.Numerics.Parquet;

/// <summary>
/// The features of a dataset as they are read: row after row of floats in one array that grows as rows arrive. It is
/// first sized from the rows the footer declares, but never beyond what the file's bytes justify (16 bytes of floats a
/// byte), and when it must grow, it grows to what the footer declares only while that is at most twice the rows already
/// read: a footer that lies costs at most what the rows read cost again.
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

    /// <summary>
    /// Room for up to <paramref name="rows"/> more rows: as many as fit without growing, if any do (the reader then reads
    /// fewer), else the array grown; the location is for the error when the dataset is full.
    /// </summary>
    public Span<float> Next(int rows, string? file, int rowGroup, long row)
    {
        if (Count + 1L > _maxRows)
        {
            throw FileFormatException.InFile(file, ParquetSource.Invariant($"row group {rowGroup}, row {row}: too many rows: {Count + 1L} rows of {features} features are more than one dataset can hold."));
        }

        long used = (long)Count * features;
        if (used + features > _values.Length)
        {
            // Double, or take the declared size exactly when the rows read so far vouch for it.
            long needed = used + features;
            long declared = declaredRows <= long.MaxValue / features ? declaredRows * features : long.MaxValue;
            long grown = declared >= needed && declared <= 2L * _values.Length ? declared : Math.Max(2L * _values.Length, needed);
            Array.Resize(ref _values, (int)Math.Min(grown / features * features, (long)_maxRows * features));
        }

        int room = (int)Math.Min(rows, (_values.Length - used) / features);
        return _values.AsSpan((int)used, room * features);
    }

    /// <summary>Counts <paramref name="rows"/> rows written into the span <see cref="Next"/> gave.</summary>
    public void Added(int rows) => Count += rows;
}
