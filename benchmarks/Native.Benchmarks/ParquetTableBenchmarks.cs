using System.Globalization;
using BenchmarkDotNet.Attributes;
using Native.Numerics;
using ParquetSharp;

namespace Native.Benchmarks;

/// <summary>
/// The loans table (tests/data/loans: 9,000 rows; an identifier, numbers with blanks, text columns, a label) fitted as a
/// table from its CSV file (<c>Table.Read</c>, the baseline) and from the same rows as Parquet (<c>ParquetTable.Read</c>:
/// numbers as DOUBLE, text as strings, a blank a null; one row group, Arrow's defaults), both ending in the same
/// <see cref="TableData"/>. The CSV text is read from memory, the Parquet file from a temporary file (in the page cache
/// after the first iteration). One thread. What the Parquet table costs over its CSV twin is rendering the rows as that
/// text, a batch at a time, for the same reader.
/// </summary>
/// <remarks>Run: <c>dotnet run -c Release --project benchmarks/Native.Benchmarks -- --filter '*ParquetTableBenchmarks*'</c>.</remarks>
[MemoryDiagnoser]
public class ParquetTableBenchmarks
{
    private byte[] _csv = [];
    private string _parquet = "";

    [GlobalSetup]
    public void Setup()
    {
        string csv = MnistData.RepositoryPath("tests", "data", "loans", "loans-train.csv");
        _csv = File.ReadAllBytes(csv);
        _parquet = Path.Combine(Path.GetTempPath(), $"loans-{Guid.NewGuid():N}.parquet");
        Write(File.ReadAllLines(csv), _parquet);
    }

    [GlobalCleanup]
    public void Cleanup() => File.Delete(_parquet);

    [Benchmark(Baseline = true, Description = "Table.Read (CSV text)")]
    public TableData Csv() => Table.Read(new MemoryStream(_csv));

    [Benchmark(Description = "ParquetTable.Read")]
    public TableData Parquet() => ParquetTable.Read(_parquet);

    /// <summary>The CSV lines as Parquet: a column of numbers as nullable doubles, any other as nullable strings; a blank a null.</summary>
    internal static void Write(string[] lines, string path)
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
