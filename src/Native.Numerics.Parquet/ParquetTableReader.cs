using System.Globalization;
using Native.Numerics.Parquet;

namespace Native.Numerics;

/// <summary>
/// Reads Parquet files' records into <see cref="TableRow"/>s of a fitted pipeline one at a time, as
/// <see cref="TableRowReader"/> reads a CSV file's (and through it: <see cref="ParquetTable"/> says how values read), a row
/// group at a time. What <c>native predict</c> and <c>evaluate</c> read a table model's Parquet data with.
/// </summary>
/// <remarks>
/// The files must hold every column the pipeline uses (its ignored columns may be absent); any other column is read past.
/// A value the pipeline refuses is a <see cref="FileFormatException"/> naming the file and row; <see cref="File"/> and
/// <see cref="Row"/> say where the last record stands.
/// </remarks>
public sealed class ParquetTableReader : IDisposable
{
    private readonly TableTextStream _text;
    private readonly TableRowReader _records;
    private readonly string _first;

    private ParquetTableReader(TableTextStream text, TableRowReader records, string first)
    {
        _text = text;
        _records = records;
        _first = first;
    }

    /// <summary>The files' columns, in order: what <see cref="Text(int)"/> numbers.</summary>
    public IReadOnlyList<string> Header => _records.Header;

    /// <summary>The file of the record last read (before the first, the first file).</summary>
    public string File { get; private set; } = "";

    /// <summary>The row of the record last read, counted from 0 in its file (−1 before the first).</summary>
    public long Row { get; private set; } = -1;

    /// <summary>Where the record last read stands, for a message: <c>'loans.parquet', row 12</c>.</summary>
    public string Where => string.Create(CultureInfo.InvariantCulture, $"'{File}', row {Row}");

    /// <summary>Opens the Parquet file at <paramref name="path"/> (or a directory of them, or a pattern) to read through <paramref name="pipeline"/>.</summary>
    /// <param name="path">A Parquet file, a directory of them, or a pattern.</param>
    /// <param name="pipeline">The pipeline whose rows to read.</param>
    /// <param name="options">The limits; null for the defaults.</param>
    /// <exception cref="FileNotFoundException">No file is there.</exception>
    /// <exception cref="FileFormatException">A file is not Parquet, or lacks a column the pipeline uses.</exception>
    /// <exception cref="ArgumentException">The pipeline reads numbers with a decimal comma, or the options describe text.</exception>
    public static ParquetTableReader Open(string path, FeaturePipeline pipeline, TableOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(pipeline);
        ParquetTable.CheckText(pipeline, options ??= new TableOptions());
        IReadOnlyList<string> files = ParquetFile.Files(path);
        TableTextStream text = ParquetTable.Open(files, ParquetSource.Open(files[0]), options.ThousandsSeparator);
        try
        {
            var records = new TableRowReader(text, pipeline, files[0], ParquetTable.ForText(options, text.Columns, files[0]));
            return new ParquetTableReader(text, records, files[0]) { File = files[0] };
        }
        catch (FileFormatException e) when (ParquetTable.TryLocate(e, text, files[0], out FileFormatException? located))
        {
            text.Dispose();
            throw located;
        }
        catch
        {
            text.Dispose();
            throw;
        }
    }

    /// <summary>Index of the column named <paramref name="name"/> (exactly), or −1.</summary>
    public int HeaderIndexOf(string name) => _records.HeaderIndexOf(name);

    /// <summary>Reads the next record into <paramref name="row"/>; false at the end of the last file.</summary>
    /// <exception cref="FileFormatException">A value the pipeline refuses, or a damaged file; the message names the file and row.</exception>
    public bool ReadRow(TableRow row)
    {
        bool read;
        try
        {
            read = _records.ReadRow(row);
        }
        catch (FileFormatException e) when (ParquetTable.TryLocate(e, _text, _first, out FileFormatException? located))
        {
            throw located;
        }

        if (read && _text.RowOf(_records.Line) is { } where)
        {
            (File, Row) = (where.File!, where.Row);
        }

        return read;
    }

    /// <summary>
    /// The text of column <paramref name="headerColumn"/> in the record last read, as the table reader reads it: a number
    /// written in full, text as it is, a boolean <c>true</c> or <c>false</c>, a null empty.
    /// </summary>
    public ReadOnlySpan<char> Text(int headerColumn) => _records.Text(headerColumn);

    /// <summary>Closes the files.</summary>
    public void Dispose()
    {
        _records.Dispose();
        _text.Dispose();
    }
}
