using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using ParquetSharp;

namespace Native.Numerics.Parquet;

/// <summary>What a label column's values become, read a batch at a time beside the features.</summary>
internal abstract class LabelReader
{
    /// <summary>Reads the next <paramref name="rows"/> labels from <paramref name="cursor"/>.</summary>
    public abstract void Read(ColumnCursor cursor, int rows);
}

/// <summary>
/// The rows of one or more Parquet files, a batch at a time: for each row the chosen feature columns as floats, written
/// row-major into a caller's span, and the label column handed to a <see cref="LabelReader"/>. One row group is open at a
/// time and only its chosen columns are read; the row group's metadata is checked before any of its data.
/// </summary>
/// <remarks>
/// <para>
/// This is the streaming core: <see cref="ParquetFile.Read(string, ParquetOptions?)"/> fills a dataset from it and
/// <see cref="ParquetFeatureReader"/> hands out its rows one at a time. A row source for streaming training sits on it
/// the same way: (1) a first pass over the label column alone (a <see cref="Selection"/> of no features; only the
/// label's column chunks are read, a small share of the file) fixes the classes, as <see cref="Labels"/>
/// numbers them; (2) each epoch then reads batches of features and labels. Row groups are the natural blocks of a
/// block shuffle: <see cref="ParquetSource.RowGroup"/> opens any of them by index, so visiting (file, row group) pairs in
/// a seeded random order instead of in order is a change to <see cref="NextRowGroup"/> alone. The trainer's rows are
/// padded to 16 floats; a stride parameter on <see cref="Read"/> (today the stride is <see cref="Features"/>) lets the
/// batches land in its buffers without a copy.
/// </para>
/// <para>
/// Memory: the reader below holds the chosen columns' chunks of the open row group (as stored, compressed) and one
/// decoded page of each; this class holds one batch of each column in its cursors. Nothing grows with the file.
/// </para>
/// </remarks>
internal sealed class RowBatches : IDisposable
{
    private readonly IReadOnlyList<string>? _paths;
    private readonly ParquetOptions _options;
    private readonly Selection _selection;
    private readonly string[] _features;
    private readonly string? _label;
    private ParquetSource? _source;
    private int _file = -1;
    private int _rowGroup = -1;
    private long _rowGroupRows;
    private long _rowsLeft;
    private long _firstRowOfGroup;
    private ColumnCursor[] _cursors = [];

    /// <summary>What each feature column is called in errors: "feature", or "target" for one of <see cref="ParquetOptions.TargetColumns"/>.</summary>
    private readonly string[] _roles;
    private ColumnCursor? _labelCursor;
    private float[] _column = [];

    /// <summary>The batches of the files at <paramref name="paths"/>, the first already open as <paramref name="first"/>.</summary>
    public RowBatches(ParquetSource first, IReadOnlyList<string>? paths, Selection selection, ParquetOptions options)
    {
        _source = first;
        _file = 0;
        _paths = paths;
        _selection = selection;
        _features = selection.Features;
        _label = selection.Label;
        _options = options;
        _roles = [.. _features.Select(name => options.TargetColumns?.Contains(name, StringComparer.Ordinal) == true ? "target" : "feature")];
    }

    /// <summary>The number of features in a row.</summary>
    public int Features => _features.Length;

    /// <summary>The file being read (its path, or the stream's name).</summary>
    public string? File => _source?.Name;

    /// <summary>The row group being read, from 0.</summary>
    public int RowGroup => _rowGroup;

    /// <summary>The index in its file of the row the next batch starts with.</summary>
    public long NextRow => _firstRowOfGroup + (_rowGroupRows - _rowsLeft);

    /// <summary>
    /// Reads up to <paramref name="maxRows"/> rows into <paramref name="rows"/> (row-major, <paramref name="stride"/>
    /// floats apart, <see cref="Features"/> by default) and their labels into <paramref name="labels"/>, from one row group;
    /// 0 at the end of the last file. The floats between a row's features and the next row are left as they are.
    /// </summary>
    public int Read(Span<float> rows, int maxRows, LabelReader? labels, int stride = 0)
    {
        if (!MoreRows())
        {
            return 0;
        }

        stride = stride == 0 ? Features : stride;
        if (stride < Features)
        {
            throw new ArgumentOutOfRangeException(nameof(stride), stride, "The stride must hold a row's features.");
        }

        int count = (int)Math.Min(Math.Min(maxRows, _rowsLeft), rows.Length >= Features ? ((rows.Length - Features) / stride) + 1 : 0);
        if (count <= 0)
        {
            throw new ArgumentException("The destination holds no whole row.", nameof(rows));
        }

        // The columns a block of 16 at a time (each read into its own stretch of the scratch), then written row by row:
        // 16 features of a row are one cache line, where writing a column at a time would touch a line per value.
        int features = Features;
        if (_column.Length < Block * count)
        {
            _column = new float[Block * count];
        }

        for (int first = 0; first < features; first += Block)
        {
            int width = Math.Min(Block, features - first);
            for (int k = 0; k < width; k++)
            {
                _cursors[first + k].ReadFloats(_column.AsSpan(k * count, count), _roles[first + k]);
            }

            Transpose(_column.AsSpan(0, width * count), count, width, rows[first..], stride);
        }

        if (labels is not null)
        {
            labels.Read(_labelCursor!, count);
        }

        _rowsLeft -= count;
        if (_rowsLeft == 0)
        {
            foreach (ColumnCursor cursor in _cursors)
            {
                cursor.CheckEnd();
            }

            _labelCursor?.CheckEnd();
        }

        return count;
    }

    /// <summary>Whether a row remains (opening the next row group, and the next file, when the current one is done).</summary>
    public bool MoreRows()
    {
        while (_rowsLeft == 0)
        {
            if (!NextRowGroup())
            {
                return false;
            }
        }

        return true;
    }

    public void Dispose()
    {
        CloseRowGroup();
        _source?.Dispose();
        _source = null;
    }

    /// <summary>The columns read before their values are written into rows.</summary>
    private const int Block = 16;

    /// <summary>
    /// Writes <paramref name="width"/> columns of <paramref name="count"/> values (column after column in
    /// <paramref name="columns"/>) into the first <paramref name="width"/> floats of <paramref name="count"/> rows of
    /// <paramref name="stride"/> floats.
    /// </summary>
    private static void Transpose(ReadOnlySpan<float> columns, int count, int width, Span<float> rows, int stride)
    {
        if (columns.Length < width * count || rows.Length < ((count - 1) * stride) + width)
        {
            throw new ArgumentException("The block does not fit.", nameof(rows));
        }

        // Checked above: every read and write below is inside the spans.
        ref float source = ref MemoryMarshal.GetReference(columns);
        ref float destination = ref MemoryMarshal.GetReference(rows);
        for (nint i = 0; i < count; i++)
        {
            ref float row = ref Unsafe.Add(ref destination, i * stride);
            ref float column = ref Unsafe.Add(ref source, i);
            for (nint k = 0; k < width; k++)
            {
                Unsafe.Add(ref row, k) = Unsafe.Add(ref column, k * count);
            }
        }
    }

    /// <summary>The rows a batch should hold so it fits the caches: about 1 MiB of floats, from 64 to 4,096 rows.</summary>
    public static int BatchRows(int features) => Math.Clamp((1 << 18) / Math.Max(1, features), 64, 4096);

    private bool NextRowGroup()
    {
        CloseRowGroup();
        while (_source is not null && _rowGroup + 1 >= _source.RowGroups)
        {
            _source.Dispose();
            _source = null;
            if (_paths is null || ++_file >= _paths.Count)
            {
                return false;
            }

            _source = ParquetSource.Open(_paths[_file]);
            _selection.Verify(_source, _options);
            _rowGroup = -1;
            _firstRowOfGroup = 0;
            _rowGroupRows = 0;
        }

        if (_source is null)
        {
            return false;
        }

        _rowGroup++;
        _firstRowOfGroup += _rowGroupRows;
        using RowGroupReader group = _source.RowGroup(_rowGroup);
        ParquetColumn[] columns = [.. _features.Select(name => _source.Find(name)!)];
        ParquetColumn? label = _label is null ? null : _source.Find(_label);
        long stored = 0;
        try
        {
            _rowGroupRows = group.MetaData.NumRows;
            foreach (ParquetColumn column in label is null ? columns : [.. columns, label])
            {
                using ColumnChunkMetaData chunk = group.MetaData.GetColumnChunkMetaData(column.Index);
                stored += Math.Max(0, chunk.TotalCompressedSize);
            }
        }
        catch (Exception e) when (ParquetSource.IsReaderFailure(e))
        {
            throw ParquetSource.Failure(_source.Name, ParquetSource.Invariant($"row group {_rowGroup}: its metadata is damaged"), e);
        }

        int read = columns.Length + (label is null ? 0 : 1);
        if (_rowGroupRows < 0 || (_rowGroupRows > 0 && (_rowGroupRows > long.MaxValue / 4 / read || _rowGroupRows * 4 * read > _options.Allowance(stored))))
        {
            throw FileFormatException.InFile(_source.Name, _rowGroupRows < 0
                ? ParquetSource.Invariant($"row group {_rowGroup} declares {_rowGroupRows} rows.")
                : ParquetSource.Invariant($"row group {_rowGroup} declares {_rowGroupRows} rows: {read} columns of them are {Size(_rowGroupRows * 4.0 * read)} of floats from {Size(stored)} in the file, more than {_options.MaxExpansion} times as much, which no table compresses to (a damaged or hostile file?). If the file is genuine, raise ParquetOptions.MaxExpansion."));
        }

        _rowsLeft = _rowGroupRows;
        _cursors = new ColumnCursor[columns.Length];
        try
        {
            for (int f = 0; f < columns.Length; f++)
            {
                _cursors[f] = new ColumnCursor(group, columns[f], _source.Name, _rowGroup, _firstRowOfGroup);
            }

            _labelCursor = label is null ? null : new ColumnCursor(group, label, _source.Name, _rowGroup, _firstRowOfGroup);
        }
        catch
        {
            CloseRowGroup();
            throw;
        }

        return true;
    }

    private void CloseRowGroup()
    {
        foreach (ColumnCursor? cursor in _cursors)
        {
            cursor?.Dispose();
        }

        _cursors = [];
        _labelCursor?.Dispose();
        _labelCursor = null;
    }

    private static string Size(double bytes) => bytes >= 1 << 20 ? ParquetSource.Invariant($"{bytes / (1 << 20):F1} MiB") : ParquetSource.Invariant($"{bytes:F0} bytes");
}
