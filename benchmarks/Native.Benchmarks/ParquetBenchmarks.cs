using System.Globalization;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using Native.Numerics;
using ParquetSharp;

namespace Native.Benchmarks;

/// <summary>
/// MNIST-sized data (60,000 rows of 784 pixels and a label: MNIST's 10,000 test digits six times, as
/// <see cref="CsvBenchmarks"/> uses) read as Parquet against Native's CSV reader on the same rows (the baseline). The
/// Parquet file is made in the setup by Apache Arrow's C++ writer (through ParquetSharp, as pyarrow writes): row groups of
/// 10,000 rows, Snappy, dictionary encoding (Arrow's defaults), the pixels as <c>integers</c> (uint8: INT32, Int(8,
/// unsigned)) or as <c>floats</c> (FLOAT, pixel / 255), the label INT32; the CSV text writes the same pixels as integers
/// or as shortest round-trip fractions. Each operation ends in a <see cref="Dataset"/> (<c>ParquetFile.Read</c>, against
/// <c>Csv.Read</c>) or, for the streaming reader, in every row read into one reused span (<c>ParquetFeatureReader.ReadRows</c>).
/// The Parquet file is read from a temporary file (in the page cache after the first iteration), the CSV text from memory.
/// One thread. MB/s is the input's bytes over the mean (Parquet's bytes are compressed, so compare rows/s across formats).
/// </summary>
/// <remarks>Run: <c>dotnet run -c Release --project benchmarks/Native.Benchmarks -- --filter '*ParquetBenchmarks*'</c>.</remarks>
[MemoryDiagnoser]
[Config(typeof(ParquetConfig))]
public class ParquetBenchmarks
{
    private const int Rows = 60_000;

    private byte[] _csv = [];
    private string _parquet = "";
    private float[] _rows = [];

    /// <summary>How the pixels are stored.</summary>
    [Params("integers", "floats")]
    public string Pixels { get; set; } = "integers";

    [GlobalSetup]
    public void Setup()
    {
        _csv = MnistCsv.Text(Pixels == "integers" ? "integers" : "fractions");
        _parquet = MnistParquet.Path(Pixels);
        _rows = new float[4096 * 784];
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        MnistParquet.Delete();
        _parquet = "";
    }

    [Benchmark(Baseline = true, Description = "Csv.Read (CSV text)")]
    public Dataset Csv() => Numerics.Csv.Read(new MemoryStream(_csv));

    [Benchmark(Description = "ParquetFile.Read")]
    public Dataset Parquet() => ParquetFile.Read(_parquet);

    [Benchmark(Description = "ParquetFeatureReader.ReadRows (streamed)")]
    public int ParquetStreamed()
    {
        using ParquetFeatureReader reader = ParquetFeatureReader.Open(_parquet);
        reader.SelectByCount(784);
        int rows = 0;
        for (int read; (read = reader.ReadRows(_rows)) > 0;)
        {
            rows += read;
        }

        return rows == Rows ? rows : throw new InvalidOperationException($"Read {rows} rows.");
    }

    private sealed class ParquetConfig : ManualConfig
    {
        public ParquetConfig()
        {
            AddJob(Job.Default.WithWarmupCount(2).WithIterationCount(8).WithInvocationCount(1).WithUnrollFactor(1));
            AddColumn(new ThroughputColumn(rows: false), new ThroughputColumn(rows: true));
        }
    }

    /// <summary>MB/s of input (CSV text or Parquet file) or rows/s: over the mean time of one operation.</summary>
    private sealed class ThroughputColumn(bool rows) : IColumn
    {
        public string Id => rows ? "Rowsps" : "MBps";

        public string ColumnName => rows ? "M rows/s" : "MB/s";

        public bool AlwaysShow => true;

        public ColumnCategory Category => ColumnCategory.Custom;

        public int PriorityInCategory => rows ? 1 : 0;

        public bool IsNumeric => true;

        public UnitType UnitType => UnitType.Dimensionless;

        public string Legend => rows ? "Millions of rows per second" : "Megabytes (10^6) of input per second: the CSV text's or the Parquet file's length over the mean";

        public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

        public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
        {
            if (summary[benchmarkCase]?.ResultStatistics?.Mean is not double mean)
            {
                return "-";
            }

            string pixels = (string)benchmarkCase.Parameters["Pixels"];
            double seconds = mean / 1e9;
            if (rows)
            {
                return (Rows / 1e6 / seconds).ToString("F2", CultureInfo.InvariantCulture);
            }

            long bytes = benchmarkCase.Descriptor.WorkloadMethod.Name == nameof(Csv)
                ? MnistCsv.Text(pixels == "integers" ? "integers" : "fractions").Length
                : new FileInfo(MnistParquet.Path(pixels)).Length;
            return (bytes / 1e6 / seconds).ToString("N0", CultureInfo.InvariantCulture);
        }

        public bool IsAvailable(Summary summary) => true;

        public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
    }
}

/// <summary>MNIST's test digits as a Parquet file of 60,000 rows, written once per process into a temporary file by Arrow's writer.</summary>
internal static class MnistParquet
{
    private static readonly Dictionary<string, string> Made = [];

    /// <summary>The file with pixels as <c>integers</c> (uint8) or <c>floats</c> (pixel / 255): p0…p783, then label.</summary>
    public static string Path(string pixels)
    {
        lock (Made)
        {
            if (!Made.TryGetValue(pixels, out string? path))
            {
                Made[pixels] = path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"native-mnist-{pixels}-{Environment.ProcessId}.parquet");
                Write(path, pixels == "floats");
            }

            return path;
        }
    }

    /// <summary>Deletes the files this process wrote.</summary>
    public static void Delete()
    {
        lock (Made)
        {
            foreach (string path in Made.Values)
            {
                File.Delete(path);
            }

            Made.Clear();
        }
    }

    private static void Write(string path, bool floats)
    {
        Dataset digits = MnistData.Rows60000;
        int features = digits.Features;
        ParquetSharp.Column[] columns = [.. Enumerable.Range(0, features).Select(j => floats ? (ParquetSharp.Column)new Column<float>($"p{j}") : new Column<byte>($"p{j}")), new Column<int>("label")];
        using var writer = new ParquetFileWriter(path, columns, Compression.Snappy);
        const int GroupRows = 10_000;
        byte[] bytes = new byte[GroupRows];
        float[] values = new float[GroupRows];
        for (int start = 0; start < digits.Count; start += GroupRows)
        {
            int count = Math.Min(GroupRows, digits.Count - start);
            using RowGroupWriter group = writer.AppendRowGroup();
            for (int j = 0; j < features; j++)
            {
                for (int i = 0; i < count; i++)
                {
                    // The dataset holds byte / 255; the integer is the byte again.
                    int pixel = (int)MathF.Round(digits.Row(start + i)[j] * 255f);
                    bytes[i] = (byte)pixel;
                    values[i] = pixel / 255f;
                }

                if (floats)
                {
                    using LogicalColumnWriter<float> column = group.NextColumn().LogicalWriter<float>();
                    column.WriteBatch(values.AsSpan(0, count));
                }
                else
                {
                    using LogicalColumnWriter<byte> column = group.NextColumn().LogicalWriter<byte>();
                    column.WriteBatch(bytes.AsSpan(0, count));
                }
            }

            using LogicalColumnWriter<int> labels = group.NextColumn().LogicalWriter<int>();
            labels.WriteBatch([.. digits.Labels.Slice(start, count)]);
        }

        writer.Close();
    }
}
