using ParquetSharp;

// Usage: ToParquet INPUT.csv OUTPUT.parquet [ROWS_PER_GROUP]
// INPUT: a header line of column names, then lines of comma-separated integers (run.sh's generated data). Each column
// becomes an int32 column of the same name; rows are written in row groups of ROWS_PER_GROUP (default 131,072), so the
// file can be read, as a data team's export would be, one row group at a time.
if (args.Length < 2)
{
    Console.Error.WriteLine("usage: ToParquet INPUT.csv OUTPUT.parquet [ROWS_PER_GROUP]");
    return 2;
}

int groupRows = args.Length > 2 ? int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 131_072;
using var reader = new StreamReader(args[0], System.Text.Encoding.ASCII, false, 1 << 20);
string[] names = (reader.ReadLine() ?? throw new InvalidDataException($"{args[0]}: empty")).Split(',');
int[][] columns = [.. names.Select(_ => new int[groupRows])];
using var file = new ParquetFileWriter(args[1], [.. names.Select(name => (Column)new Column<int>(name))], Compression.Snappy);
long rows = 0, line = 1;
int filled = 0;
while (reader.ReadLine() is { } text)
{
    line++;
    ReadOnlySpan<char> rest = text;
    for (int c = 0; c < names.Length; c++)
    {
        int comma = rest.IndexOf(',');
        ReadOnlySpan<char> field = comma < 0 ? rest : rest[..comma];
        if (!int.TryParse(field, System.Globalization.CultureInfo.InvariantCulture, out columns[c][filled]) || (comma < 0) != (c == names.Length - 1))
        {
            throw new InvalidDataException($"{args[0]}, line {line}, column {c + 1}: expected {names.Length} integers");
        }

        rest = comma < 0 ? default : rest[(comma + 1)..];
    }

    if (++filled == groupRows)
    {
        Flush(file, columns, filled);
        rows += filled;
        filled = 0;
    }
}

if (filled > 0)
{
    Flush(file, columns, filled);
    rows += filled;
}

file.Close();
Console.WriteLine($"{args[1]}: {rows} rows, {names.Length} int32 columns, row groups of {groupRows}");
return 0;

static void Flush(ParquetFileWriter file, int[][] columns, int count)
{
    using RowGroupWriter group = file.AppendRowGroup();
    foreach (int[] values in columns)
    {
        using LogicalColumnWriter<int> writer = group.NextColumn().LogicalWriter<int>();
        writer.WriteBatch(values, 0, count);
    }
}
