using System.Globalization;
using ParquetSharp;

namespace Native.Numerics.Parquet;

/// <summary>
/// Parquet files as the text of the CSV file their table would be exported to, for the table reader
/// (<see cref="Table"/>): a header of the columns' names, then a record a row — a number as the float the numeric reader
/// gives (<see cref="ParquetFile"/>), written in full (<c>"R"</c>, which reads back to the same float); an integer
/// exactly; text quoted; a boolean <c>true</c> or <c>false</c>; a null an empty field. Made a batch of rows at a time as
/// it is read, one row group at a time, so a table streams through whatever its size.
/// </summary>
/// <remarks>
/// Columns of other types (dates, timestamps, bytes, lists) are written empty: the caller tells the reader to ignore them.
/// Where each record starts is kept, so a line of the text names its file and row (<see cref="RowOf"/>): records take one
/// line each, but one holding text with line breaks takes more.
/// </remarks>
internal sealed partial class TableTextStream : Stream
{
    private const int BatchRows = 256;

    /// <summary>The bound on what a row group's bytes may declare (<see cref="ParquetOptions.MaxExpansion"/>'s default).</summary>
    private static readonly ParquetOptions Expansion = new();

    private readonly IReadOnlyList<string?> _files;
    private readonly ParquetColumn[] _columns;
    private readonly byte _delimiter;
    private readonly List<Segment> _segments = [];
    private readonly List<byte>[] _fields;
    private readonly List<int>[] _ends;
    private byte[] _buffer = new byte[4096];
    private int _start;
    private int _end;
    private int _line = 2;
    private int _file = -1;
    private ParquetSource? _source;
    private int _group;
    private RowGroupReader? _groupReader;
    private ColumnCursor?[] _cursors = [];
    private long _groupRows;
    private long _groupDone;
    private long _row;
    private bool _ended;

    /// <param name="files">The files, each with the first one's columns (by name, of the same kinds); one null name for a stream.</param>
    /// <param name="first">The first file, open.</param>
    /// <param name="delimiter">The character between fields.</param>
    public TableTextStream(IReadOnlyList<string?> files, ParquetSource first, char delimiter)
    {
        _files = files;
        _columns = [.. first.Columns.Where(c => c.IsTopLevel)];
        _delimiter = (byte)delimiter;
        _fields = [.. _columns.Select(_ => new List<byte>())];
        _ends = [.. _columns.Select(_ => new List<int>())];
        _source = first;
        _file = 0;
        Header();
        StartFile();
    }

    /// <summary>The columns written, in order: the header's names.</summary>
    public IReadOnlyList<ParquetColumn> Columns => _columns;

    /// <summary>Whether column <paramref name="column"/> is written empty (neither numbers nor text).</summary>
    public static bool IsWritten(ParquetColumn column) => column.Kind is ParquetColumnKind.Number or ParquetColumnKind.Text;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    /// <summary>The file and row (of that file, from 0) whose record line <paramref name="line"/> of the text is in; null for the header (line 1).</summary>
    public (string? File, long Row)? RowOf(int line)
    {
        int lo = 0, hi = _segments.Count - 1, found = -1;
        while (lo <= hi)
        {
            int mid = (lo + hi) >>> 1;
            if (_segments[mid].FirstLine <= line)
            {
                found = mid;
                lo = mid + 1;
            }
            else
            {
                hi = mid - 1;
            }
        }

        if (found < 0)
        {
            return null;
        }

        Segment s = _segments[found];
        return (_files[s.File], s.Lines > 0 ? s.FirstRow : s.FirstRow + (line - s.FirstLine));
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        while (_start == _end)
        {
            if (_ended)
            {
                return 0;
            }

            _start = _end = 0;
            Fill();
        }

        int n = Math.Min(buffer.Length, _end - _start);
        _buffer.AsSpan(_start, n).CopyTo(buffer);
        _start += n;
        return n;
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            CloseGroup(check: false);
            _source?.Dispose();
            _source = null;
        }

        base.Dispose(disposing);
    }

    private void Header()
    {
        var header = new List<byte>();
        for (int j = 0; j < _columns.Length; j++)
        {
            if (j > 0)
            {
                header.Add(_delimiter);
            }

            Quoted(header, System.Text.Encoding.UTF8.GetBytes(_columns[j].Name));
        }

        header.Add((byte)'\n');
        AppendRange(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(header));
    }

    /// <summary>Opens the next file's first row group (checking its columns), or marks the end.</summary>
    private void StartFile()
    {
        if (_source is null)
        {
            _source = ParquetSource.Open(_files[_file]!);
            foreach (ParquetColumn column in _columns)
            {
                ParquetColumn? same = _source.Find(column.Name);
                if (same is null || same.Kind != column.Kind)
                {
                    throw FileFormatException.InFile(_files[_file], same is null
                        ? $"no column is named {Messages.Quote(column.Name)}, which '{_files[0]}' has; every file of a table has the same columns."
                        : $"column {Messages.Quote(column.Name)} is {same.Type}, but {column.Type} in '{_files[0]}'; every file of a table has the same columns.");
                }
            }
        }

        _row = 0;
        _group = 0;
        _segments.Add(new Segment(_line, _file, 0, 0));
    }

    /// <summary>The next batch of rows as text into the buffer; the next row group or file when one ends.</summary>
    private void Fill()
    {
        while (_groupReader is null || _groupDone == _groupRows)
        {
            CloseGroup();
            if (_group < _source!.RowGroups)
            {
                OpenGroup(_group++);
                continue;
            }

            _source.Dispose();
            _source = null;
            if (++_file == _files.Count)
            {
                _ended = true;
                return;
            }

            StartFile();
        }

        int rows = (int)Math.Min(BatchRows, _groupRows - _groupDone);
        for (int j = 0; j < _columns.Length; j++)
        {
            _fields[j].Clear();
            _ends[j].Clear();
            if (_cursors[j] is { } cursor)
            {
                ReadFields(cursor, rows, _fields[j], _ends[j]);
            }
            else
            {
                for (int i = 0; i < rows; i++)
                {
                    _ends[j].Add(0);
                }
            }
        }

        for (int i = 0; i < rows; i++)
        {
            int breaks = 0;
            for (int j = 0; j < _columns.Length; j++)
            {
                if (j > 0)
                {
                    Append(_delimiter);
                }

                int from = i == 0 ? 0 : _ends[j][i - 1];
                int to = _ends[j][i];
                if (to > from)
                {
                    Span<byte> field = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_fields[j])[from..to];
                    breaks += field.Count((byte)'\n');
                    AppendRange(field);
                }
            }

            Append((byte)'\n');
            if (breaks > 0)
            {
                _segments.Add(new Segment(_line, _file, _row, breaks + 1));
                _segments.Add(new Segment(_line + breaks + 1, _file, _row + 1, 0));
            }

            _line += breaks + 1;
            _row++;
        }

        _groupDone += rows;
    }

    private void OpenGroup(int index)
    {
        _groupReader = _source!.RowGroup(index);
        _groupDone = 0;
        long stored = 0;
        int written = 0;
        try
        {
            _groupRows = _groupReader.MetaData.NumRows;
            foreach (ParquetColumn column in _columns.Where(IsWritten))
            {
                using ColumnChunkMetaData chunk = _groupReader.MetaData.GetColumnChunkMetaData(_source.Find(column.Name)!.Index);
                stored += Math.Max(0, chunk.TotalCompressedSize);
                written++;
            }
        }
        catch (Exception e) when (ParquetSource.IsReaderFailure(e))
        {
            throw ParquetSource.Failure(_files[_file], ParquetSource.Invariant($"row group {index}: its metadata is damaged"), e);
        }

        // As the numeric reader: a row group may not declare more rows than its bytes could hold (a few bytes can declare a
        // billion rows of nulls), at most ParquetOptions.MaxExpansion times their size as floats.
        written = Math.Max(written, 1);
        if (_groupRows < 0 || (_groupRows > 0 && (_groupRows > long.MaxValue / 4 / written || _groupRows * 4 * written > Expansion.Allowance(stored))))
        {
            throw FileFormatException.InFile(_files[_file], _groupRows < 0
                ? ParquetSource.Invariant($"row group {index} declares {_groupRows} rows.")
                : ParquetSource.Invariant($"row group {index} declares {_groupRows} rows: {written} columns of them from {stored} bytes in the file, more than {Expansion.MaxExpansion} times as much as floats, which no table compresses to (a damaged or hostile file?)."));
        }

        _cursors = new ColumnCursor?[_columns.Length];
        for (int j = 0; j < _columns.Length; j++)
        {
            if (IsWritten(_columns[j]))
            {
                _cursors[j] = new ColumnCursor(_groupReader, _source.Find(_columns[j].Name)!, _files[_file], index, _row);
            }
        }
    }

    /// <summary>Closes the row group's columns, first checking (when <paramref name="check"/>) that none holds more values than its rows.</summary>
    private void CloseGroup(bool check = true)
    {
        ColumnCursor?[] cursors = _cursors;
        RowGroupReader? group = _groupReader;
        bool complete = group is not null && _groupDone == _groupRows;
        _cursors = [];
        _groupReader = null;
        try
        {
            if (check && complete)
            {
                foreach (ColumnCursor? cursor in cursors)
                {
                    cursor?.CheckEnd();
                }
            }
        }
        finally
        {
            foreach (ColumnCursor? cursor in cursors)
            {
                cursor?.Dispose();
            }

            group?.Dispose();
        }
    }

    private void Append(byte b)
    {
        if (_end == _buffer.Length)
        {
            Array.Resize(ref _buffer, _buffer.Length * 2);
        }

        _buffer[_end++] = b;
    }

    private void AppendRange(ReadOnlySpan<byte> bytes)
    {
        if (_end + bytes.Length > _buffer.Length)
        {
            Array.Resize(ref _buffer, Math.Max(_buffer.Length * 2, _end + bytes.Length));
        }

        bytes.CopyTo(_buffer.AsSpan(_end));
        _end += bytes.Length;
    }

    /// <summary>A run of one-line records from <see cref="FirstRow"/> on (<see cref="Lines"/> 0), or one record of <see cref="Lines"/> lines.</summary>
    private readonly record struct Segment(int FirstLine, int File, long FirstRow, int Lines);
}
