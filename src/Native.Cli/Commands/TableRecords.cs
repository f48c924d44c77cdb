using System.Globalization;
using Native.Cli.Output;
using Native.Numerics;

namespace Native.Cli.Commands;

/// <summary>
/// A table model's data as <c>evaluate</c> and <c>predict</c> read it, a record at a time: a CSV file's records
/// (<see cref="TableRowReader"/>) or Parquet files' (<see cref="ParquetTableReader"/>), each saying where a record stands in
/// its own terms (a line and column; a file and row).
/// </summary>
internal abstract class TableRecords : IDisposable
{
    public abstract IReadOnlyList<string> Header { get; }

    /// <summary>Where the record last read stands: <c>'loans.csv', line 12</c>, <c>'loans.parquet', row 10</c>.</summary>
    public abstract string Where { get; }

    public static TableRecords Csv(string path, FeaturePipeline pipeline, TableOptions options) => new CsvRecords(TableRowReader.Open(path, pipeline, options), path);

    /// <summary>The records of CSV text in <paramref name="text"/> (left open), called <paramref name="name"/> in messages.</summary>
    public static TableRecords Csv(Stream text, string name, FeaturePipeline pipeline, TableOptions options) => new CsvRecords(new TableRowReader(text, pipeline, name, options), name);

    public static TableRecords Parquet(string path, FeaturePipeline pipeline, TableOptions options) => new ParquetRecords(ParquetTableReader.Open(path, pipeline, options));

    public abstract int HeaderIndexOf(string name);

    public abstract bool ReadRow(TableRow row);

    public abstract ReadOnlySpan<char> Text(int column);

    /// <summary>Where field <paramref name="column"/> of the record last read stands.</summary>
    public abstract string WhereField(int column);

    /// <summary>An error about the header (the file's columns).</summary>
    public abstract FileFormatException HeaderError(string message);

    public abstract void Dispose();

    private sealed class CsvRecords(TableRowReader reader, string path) : TableRecords
    {
        public override IReadOnlyList<string> Header => reader.Header;

        public override string Where => string.Create(CultureInfo.InvariantCulture, $"'{path}', line {reader.Line}");

        public override int HeaderIndexOf(string name) => reader.HeaderIndexOf(name);

        public override bool ReadRow(TableRow row) => reader.ReadRow(row);

        public override ReadOnlySpan<char> Text(int column) => reader.Text(column);

        public override string WhereField(int column) => string.Create(CultureInfo.InvariantCulture, $"'{path}', line {reader.LineOf(column)}, column {reader.ColumnOf(column)}");

        public override FileFormatException HeaderError(string message) => FileFormatException.AtLine(path, reader.HeaderLine, 1, message);

        public override void Dispose() => reader.Dispose();
    }

    private sealed class ParquetRecords(ParquetTableReader reader) : TableRecords
    {
        public override IReadOnlyList<string> Header => reader.Header;

        public override string Where => reader.Where;

        public override int HeaderIndexOf(string name) => reader.HeaderIndexOf(name);

        public override bool ReadRow(TableRow row) => reader.ReadRow(row);

        public override ReadOnlySpan<char> Text(int column) => reader.Text(column);

        public override string WhereField(int column) => $"{reader.Where}, column '{Printable.Text(reader.Header[column])}'";

        public override FileFormatException HeaderError(string message) => FileFormatException.InFile(reader.File, message);

        public override void Dispose() => reader.Dispose();
    }
}
