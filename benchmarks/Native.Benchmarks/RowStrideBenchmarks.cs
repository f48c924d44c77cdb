using System.Diagnostics;
using System.Globalization;
using BenchmarkDotNet.Attributes;
using Native.Numerics;

namespace Native.Benchmarks;

/// <summary>
/// One training epoch over a dataset whose rows are stored the old way — every row padded to 16 floats, a cache line
/// (the baseline) — against the new: a row of fewer than 16 features in the next power of two of floats (1, 2, 4 or 8),
/// 16 and more unchanged in whole lines. The same rows, model, optimizer and seed on both sides, in one process.
/// </summary>
/// <remarks>
/// 784 features (MNIST's width, softmax 784 × 10, 10,000 rows) is stored the same both ways: its row shows the kernels
/// and the training loop around them did not slow down. The narrow ones (logistic regression on 1, 4 and 8 features,
/// 1,000,000 rows) show what the smaller rows save in memory traffic. Run:
/// <c>dotnet run -c Release --project benchmarks/Native.Benchmarks -- --filter '*RowStrideBenchmarks*'</c>; on a
/// shared, noisy machine, <c>-- rowstride</c> alternates the two layouts' epochs in one process instead
/// (<see cref="Alternate"/>) and prints medians.
/// </remarks>
[MemoryDiagnoser]
[Config(typeof(EpochConfig))]
public class RowStrideBenchmarks
{
    private TrainingSession _session = null!;

    [Params(1, 4, 8, 784)]
    public int Features { get; set; }

    [Params("padded to 16", "packed")]
    public string Rows { get; set; } = "";

    [GlobalSetup]
    public void Setup()
    {
        int rows = Features == 784 ? 10_000 : 1_000_000, classes = Features == 784 ? 10 : 2;
        var random = new Random(1);
        float[] features = new float[rows * Features];
        int[] labels = new int[rows];
        for (int i = 0; i < rows; i++)
        {
            double sum = 0;
            for (int j = 0; j < Features; j++)
            {
                float x = (float)(random.NextDouble() - 0.5);
                features[(i * Features) + j] = x;
                sum += x * (j + 1);
            }

            labels[i] = classes == 2 ? (sum > 0 ? 1 : 0) : random.Next(classes);
        }

        Dataset data = Dataset.FromLabels(features, Features, labels, classes);
        if (Rows == "padded to 16")
        {
            data = data.WithStride((Features + 15) / 16 * 16);
        }

        IModel model = classes == 2 ? new LogisticRegression(Features) : new SoftmaxRegression(Features, classes);
        _session = new Trainer(model, new GradientDescent(0.01f), new TrainerOptions { BatchSize = 64, Epochs = int.MaxValue, Seed = 1 }).Begin(data);
    }

    [GlobalCleanup]
    public void Cleanup() => _session.Dispose();

    [Benchmark]
    public EpochReport Epoch() => _session.RunEpoch();

    /// <summary>
    /// Both layouts in one process, their epochs alternated (which goes first alternating too) after two seconds of
    /// warm-up, 21 rounds: the median and the least of each, and the ratio of the medians. Noise from other work on
    /// the machine falls on both sides alike.
    /// </summary>
    public static void Alternate(TextWriter output)
    {
        foreach (int features in new[] { 1, 4, 8, 784 })
        {
            RowStrideBenchmarks packed = new() { Features = features, Rows = "packed" }, padded = new() { Features = features, Rows = "padded to 16" };
            packed.Setup();
            padded.Setup();
            var warmUp = Stopwatch.StartNew();
            while (warmUp.Elapsed < TimeSpan.FromSeconds(2))
            {
                packed.Epoch();
                padded.Epoch();
            }

            List<double> packedTimes = [], paddedTimes = [];
            for (int round = 0; round < 21; round++)
            {
                (RowStrideBenchmarks first, List<double> firstTimes, RowStrideBenchmarks second, List<double> secondTimes) =
                    round % 2 == 0 ? (packed, packedTimes, padded, paddedTimes) : (padded, paddedTimes, packed, packedTimes);
                firstTimes.Add(Time(first));
                secondTimes.Add(Time(second));
            }

            packed.Cleanup();
            padded.Cleanup();
            double packedMedian = Median(packedTimes), paddedMedian = Median(paddedTimes);
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{features,4} features: padded to 16 {paddedMedian,8:F2} ms (least {paddedTimes.Min(),8:F2}), packed {packedMedian,8:F2} ms (least {packedTimes.Min(),8:F2}); packed / padded {packedMedian / paddedMedian:F3}"));
        }

        static double Time(RowStrideBenchmarks benchmark)
        {
            long started = Stopwatch.GetTimestamp();
            benchmark.Epoch();
            return Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        }

        static double Median(List<double> times) => times.Order().ElementAt(times.Count / 2);
    }
}
