using System.Globalization;
using System.Text;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using nietras.SeparatedValues;
using Native.Numerics;

namespace Native.Benchmarks;

/// <summary>
/// CSV text to a <see cref="Dataset"/>: Native's reader against Sep 0.17.1 (the fastest .NET CSV parser; the baseline)
/// on the same text in memory — MNIST's 10,000 test digits repeated to 60,000 rows, 784 pixel columns and a label
/// column. Two files: pixels as integers 0–255 (as MNIST-as-CSV files are usually shared; 110 MB) and as fractions of
/// 255 in their shortest round-trip form (0.003921569; 191 MB). Each operation parses every field to a float and ends
/// in a dataset: Sep's rows as a user would keep them (a float array, then <see cref="Dataset.FromLabels"/>), Native's
/// through <see cref="Csv.Read(Stream, CsvOptions?, string?)"/>. One thread; MB/s is the text's bytes over the mean.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(CsvConfig))]
public class CsvBenchmarks
{
    private byte[] _text = [];

    /// <summary>How the pixels are written.</summary>
    [Params("integers", "fractions")]
    public string Pixels { get; set; } = "integers";

    [GlobalSetup]
    public void Setup() => _text = MnistCsv.Text(Pixels);

    [Benchmark(Baseline = true, Description = "Sep: rows to floats, then Dataset.FromLabels")]
    public Dataset Sep()
    {
        using SepReader reader = nietras.SeparatedValues.Sep.Reader(o => o with { Unescape = true }).From(new MemoryStream(_text));
        int features = reader.Header.ColNames.Count - 1;
        float[] values = new float[1024 * features];
        int[] labels = new int[1024];
        int rows = 0;
        foreach (SepReader.Row row in reader)
        {
            if (rows == labels.Length)
            {
                Array.Resize(ref labels, 2 * labels.Length);
                Array.Resize(ref values, 2 * values.Length);
            }

            row[0..features].Parse<float>(values.AsSpan(rows * features, features));
            labels[rows++] = row[features].Parse<int>();
        }

        return Dataset.FromLabels(values.AsSpan(0, rows * features), features, labels.AsSpan(0, rows));
    }

    [Benchmark(Description = "Native: Csv.Read")]
    public Dataset Native() => Csv.Read(new MemoryStream(_text));

    private sealed class CsvConfig : ManualConfig
    {
        public CsvConfig()
        {
            AddJob(Job.Default.WithWarmupCount(2).WithIterationCount(8).WithInvocationCount(1).WithUnrollFactor(1));
            AddColumn(new ThroughputColumn());
        }
    }

    /// <summary>MB/s: the text's bytes over the mean time of one operation.</summary>
    private sealed class ThroughputColumn : IColumn
    {
        public string Id => "MBps";

        public string ColumnName => "MB/s";

        public bool AlwaysShow => true;

        public ColumnCategory Category => ColumnCategory.Custom;

        public int PriorityInCategory => 0;

        public bool IsNumeric => true;

        public UnitType UnitType => UnitType.Dimensionless;

        public string Legend => "Megabytes (10^6) of CSV text per second: the text's length over the mean";

        public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

        public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
        {
            double? nanoseconds = summary[benchmarkCase]?.ResultStatistics?.Mean;
            string pixels = (string)benchmarkCase.Parameters["Pixels"];
            return nanoseconds is double mean ? (MnistCsv.Text(pixels).Length / 1e6 / (mean / 1e9)).ToString("N0", CultureInfo.InvariantCulture) : "-";
        }

        public bool IsAvailable(Summary summary) => true;

        public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
    }
}

/// <summary>MNIST's test digits as CSV text, 60,000 rows (the 10,000 digits six times): p0…p783, then label.</summary>
internal static class MnistCsv
{
    private static readonly Dictionary<string, byte[]> Made = [];

    /// <summary>The text with pixels as <c>integers</c> (0–255) or <c>fractions</c> (of 255, shortest round-trip form).</summary>
    public static byte[] Text(string pixels)
    {
        lock (Made)
        {
            if (!Made.TryGetValue(pixels, out byte[]? text))
            {
                Made[pixels] = text = Make(pixels == "fractions");
            }

            return text;
        }
    }

    private static byte[] Make(bool fractions)
    {
        Dataset digits = MnistData.Rows60000;
        var csv = new StringBuilder(200_000_000);
        for (int j = 0; j < digits.Features; j++)
        {
            csv.Append('p').Append(j).Append(',');
        }

        csv.Append("label\n");
        for (int i = 0; i < digits.Count; i++)
        {
            foreach (float pixel in digits.Row(i))
            {
                // The dataset holds byte / 255; the integer is the byte again.
                int value = (int)MathF.Round(pixel * 255f);
                if (fractions)
                {
                    csv.Append((value / 255f).ToString("R", CultureInfo.InvariantCulture));
                }
                else
                {
                    csv.Append(value);
                }

                csv.Append(',');
            }

            csv.Append(digits.Labels[i]).Append('\n');
        }

        return Encoding.UTF8.GetBytes(csv.ToString());
    }
}
