using System.Globalization;
using ParquetSharp;

namespace Native.Numerics.Parquet.Tests;

/// <summary>
/// A CSV file without quoting as the Parquet file a data team would export it to (Arrow's writer, one row group): a column
/// of numbers as nullable doubles, any other as nullable strings, a blank field a null. Shared by the CLI's Parquet-table
/// tests and <c>ParquetTableBenchmarks</c> (linked into both).
/// </summary>
internal static class CsvParquet
{
    public static void Write(string[] lines, string path)
    {
        string[] names = lines[0].Split(',');
        string[][] rows = [.. lines.Skip(1).Select(line => line.Split(','))];
        bool[] numbers = [.. names.Select((_, j) => rows.All(r => r[j].Length == 0 || double.TryParse(r[j], NumberStyles.Float, CultureInfo.InvariantCulture, out double _)))];
        Column[] columns = [.. names.Select((n, j) => numbers[j] ? (Column)new Column<double?>(n) : new Column<string>(n))];
        using var writer = new ParquetFileWriter(path, columns);
        using RowGroupWriter group = writer.AppendRowGroup();
        for (int j = 0; j < names.Length; j++)
        {
            if (numbers[j])
            {
                using LogicalColumnWriter<double?> column = group.NextColumn().LogicalWriter<double?>();
                column.WriteBatch([.. rows.Select(r => r[j].Length == 0 ? (double?)null : double.Parse(r[j], CultureInfo.InvariantCulture))]);
            }
            else
            {
                using LogicalColumnWriter<string> column = group.NextColumn().LogicalWriter<string>();
                column.WriteBatch([.. rows.Select(r => r[j].Length == 0 ? null! : r[j])]);
            }
        }

        writer.Close();
    }
}
