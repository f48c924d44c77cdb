using System.Globalization;

namespace Native.Numerics;

/// <summary>
/// Reads a table's records into <see cref="TableRow"/>s of a fitted pipeline, one record at a time as the text arrives (a
/// file, or standard input a line at a time): the columns the pipeline reads matched by name in the header, in any order.
/// What <c>native predict</c> and <c>evaluate</c> read files with; no allocation per record.
/// </summary>
/// <remarks>
/// The header must name every column the pipeline uses (its ignored columns may be absent); any other column — the label,
/// an extra — is read past. The separator is detected from the header unless the options give it; blanks, the pipeline's
/// missing tokens, its decimal comma and its categories are read as <see cref="TableRow.SetText(int, ReadOnlySpan{char})"/>
/// reads them, and a value it refuses is a <see cref="FileFormatException"/> at its line and column.
/// </remarks>
public sealed class TableRowReader : IDisposable
{
    private readonly Stream? _owned;
    private readonly CsvRecordReader _records;
    private readonly string? _name;
    private readonly TableHeader _header;
    private readonly FeaturePipeline _pipeline;

    // For each pipeline column that is read, its field in the record.
    private readonly int[] _pipelineColumns;
    private readonly int[] _fields;

    /// <summary>Reads the header of a table from <paramref name="stream"/> (left open) and matches it to <paramref name="pipeline"/>'s columns.</summary>
    /// <param name="stream">The text; it need not be seekable.</param>
    /// <param name="pipeline">The pipeline whose rows to read.</param>
    /// <param name="name">What to call the stream in error messages, or null.</param>
    /// <param name="options">The delimiter and limits (the pipeline's missing tokens and decimal comma are used, not the options'); null for the defaults.</param>
    /// <exception cref="FileFormatException">The text is empty, has no header, names a column twice, or lacks a column the pipeline uses.</exception>
    public TableRowReader(Stream stream, FeaturePipeline pipeline, string? name = null, TableOptions? options = null)
        : this(stream, pipeline, name, options, owned: null)
    {
    }

    private TableRowReader(Stream stream, FeaturePipeline pipeline, string? name, TableOptions? options, Stream? owned)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(pipeline);
        options = Table.Check(options);
        _owned = owned;
        _name = name;
        _pipeline = pipeline;
        _records = new CsvRecordReader(stream, name, options.ToCsvOptions());
        _header = TableHeader.Read(_records, name, options, pipeline.DecimalComma);
        var columns = new List<int>();
        var fields = new List<int>();
        for (int c = 0; c < pipeline.Columns.Count; c++)
        {
            PipelineColumn column = pipeline.Columns[c];
            int field = _header.IndexOf(column.Name);
            if (column.Kind == ColumnKind.Ignored)
            {
                continue;
            }

            if (field < 0)
            {
                throw _header.Error(0, $"no column is named {Csv.Quote(column.Name)}, a {column.Kind.ToString().ToLowerInvariant()} column of the model's pipeline{TableHeader.Suggestion(_header.Names, column.Name)}; the header names {_header.NameList()}.");
            }

            columns.Add(c);
            fields.Add(field);
        }

        _pipelineColumns = [.. columns];
        _fields = [.. fields];
    }

    /// <summary>Opens the table at <paramref name="path"/> and reads its header; dispose the reader to close it.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="FileFormatException">As the constructor.</exception>
    public static TableRowReader Open(string path, FeaturePipeline pipeline, TableOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        FileStream file = Table.OpenRead(path);
        try
        {
            return new TableRowReader(file, pipeline, path, options, file);
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    /// <summary>The column names, as the header writes them.</summary>
    public IReadOnlyList<string> Header => _header.Names;

    /// <summary>The header's line.</summary>
    public int HeaderLine => _header.Line;

    /// <summary>The separator, given or detected.</summary>
    public char Delimiter => _records.Separator;

    /// <summary>The line on which the record last read starts.</summary>
    public int Line => _records.Line;

    /// <summary>
    /// Reads the next record into <paramref name="row"/> (every column the pipeline reads is set; the others are left as they
    /// were); false at the end of the text.
    /// </summary>
    /// <exception cref="ArgumentException">The row is another pipeline's.</exception>
    /// <exception cref="FileFormatException">The record has another number of fields than the header, or a value is refused.</exception>
    public bool ReadRow(TableRow row)
    {
        ArgumentNullException.ThrowIfNull(row);
        if (!ReferenceEquals(row.Pipeline, _pipeline))
        {
            throw new ArgumentException("The row was made by another pipeline than the reader's.", nameof(row));
        }

        int expected = _header.Names.Length;
        if (!_records.Next(expectedFields: expected))
        {
            return false;
        }

        int count = _records.FieldCount;
        if (count != expected)
        {
            int at = Math.Min(count, expected) - (count > expected ? 0 : 1);
            throw FileFormatException.AtLine(_name, _records.LineOf(at), _records.ColumnOf(at), string.Create(CultureInfo.InvariantCulture, $"expected {expected} fields, as in the header; found {(count > expected ? $"more than {expected}" : count.ToString(CultureInfo.InvariantCulture))}."));
        }

        for (int k = 0; k < _fields.Length; k++)
        {
            int field = _fields[k];
            TableRow.SetResult result = row.TrySetText(_pipelineColumns[k], _records.Text(field));
            if (result != TableRow.SetResult.Done)
            {
                throw FileFormatException.AtLine(_name, _records.LineOf(field), _records.ColumnOf(field), row.Problem(_pipelineColumns[k], _records.Text(field), result));
            }
        }

        return true;
    }

    /// <summary>The index in <see cref="Header"/> of the column named <paramref name="name"/>, or −1.</summary>
    public int HeaderIndexOf(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return _header.IndexOf(name);
    }

    /// <summary>The text of field <paramref name="headerColumn"/> of the record last read (a label, say), unquoted.</summary>
    /// <exception cref="ArgumentOutOfRangeException">No such column.</exception>
    public ReadOnlySpan<char> Text(int headerColumn)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(headerColumn);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(headerColumn, _records.FieldCount);
        return _records.Text(headerColumn);
    }

    /// <summary>The line where field <paramref name="headerColumn"/> of the record last read starts.</summary>
    public int LineOf(int headerColumn) => _records.LineOf(headerColumn);

    /// <summary>The 1-based character column where field <paramref name="headerColumn"/> of the record last read starts.</summary>
    public int ColumnOf(int headerColumn) => _records.ColumnOf(headerColumn);

    /// <summary>Closes the file, if this reader opened it.</summary>
    public void Dispose() => _owned?.Dispose();
}
