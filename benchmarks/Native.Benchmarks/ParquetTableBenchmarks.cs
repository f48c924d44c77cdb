using BenchmarkDotNet.Attributes;
using Native.Numerics;

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
        Native.Numerics.Parquet.Tests.CsvParquet.Write(File.ReadAllLines(csv), _parquet);
    }

    [GlobalCleanup]
    public void Cleanup() => File.Delete(_parquet);

    [Benchmark(Baseline = true, Description = "Table.Read (CSV text)")]
    public TableData Csv() => Table.Read(new MemoryStream(_csv));

    [Benchmark(Description = "ParquetTable.Read")]
    public TableData Parquet() => ParquetTable.Read(_parquet);
}
