using System.Diagnostics;
using System.Globalization;
using BenchmarkDotNet.Attributes;
using Native.Numerics;
using Native.Numerics.Kernels;

namespace Native.Benchmarks;

/// <summary>
/// One softmax-regression epoch (784 × 10, 60,000 MNIST rows, batches of 64, plain gradient descent: the fused step) over
/// rows stored as floats (the baseline) and the same rows stored as bytes (<see cref="Dataset.Compact"/>) two ways: widened
/// in registers into float rows a 64-row chunk at a time before the kernels read them ("bytes-copy"), and read by the
/// kernels themselves, each vector of 16 bytes widened where it is used ("bytes-direct"; <see cref="ByteRowKernel.ReadDirectly"/>
/// forces either, and without it raw bytes into one ten-output layer are read directly); raw pixels (0–255) and
/// standardized (a byte dataset standardizes as it widens). Beside them "idx-bytes": the same images as the IDX reader keeps
/// them, bytes that widen to pixel / 255 (a division per widened vector). Each through the general kernels (the baseline)
/// and through <see cref="TenOutputKernel"/> (the default for ten outputs). The same rows, model, optimizer and seed on
/// every side, in one run; the "Of ceiling" column puts each against this core's multiply-add ceiling measured in the same
/// process (941 M multiply-adds an epoch, forward and gradient).
/// </summary>
/// <remarks>
/// Run: <c>dotnet run -c Release --project benchmarks/Native.Benchmarks -- --filter '*ByteRowBenchmarks*'</c>. On a shared,
/// noisy machine, <c>-- byterows</c> alternates the ways' epochs in one process instead (<see cref="Alternate"/>) and prints
/// medians, their ratios, and each one's share of the multiply-add ceiling; <c>-- byterows-kernels</c> times the kernels
/// alone and the epoch's floor beyond them (<see cref="Kernels"/>).
/// </remarks>
[MemoryDiagnoser]
[Config(typeof(EpochConfig))]
public class ByteRowBenchmarks : IWork
{
    /// <summary>Multiply-adds of one epoch: 60,000 rows × 784 × 10, forward and gradient.</summary>
    public const double EpochMultiplyAdds = 2.0 * 60_000 * 784 * 10;

    // The rows' ways, in the order the alternating run reports them.
    private static readonly string[] Ways = ["floats", "bytes-copy", "bytes-direct", "idx-bytes"];

    // The kernels: the general blocks (the baseline: four outputs per read of a row forward, eight then two for the
    // gradient) and the ten-output kernels (every output per read of a row; TenOutputKernel).
    private static readonly string[] KernelNames = ["general", "ten-output"];

    private TrainingSession _session = null!;

    [Params("floats", "bytes-copy", "bytes-direct", "idx-bytes")]
    public string Rows { get; set; } = "";

    [Params(false, true)]
    public bool Standardized { get; set; }

    /// <summary>The layer's kernels: "general" (the baseline) or "ten-output" (<see cref="TenOutputKernel"/>, the default).</summary>
    [Params("general", "ten-output")]
    public string Kernel { get; set; } = "ten-output";

    /// <summary>MNIST's 60,000 rows as raw pixels, integers 0–255 stored as floats.</summary>
    private static readonly Lazy<Dataset> Pixels = new(() =>
    {
        Dataset scaled = MnistData.Rows60000;
        float[] features = new float[scaled.Count * scaled.Features];
        for (int i = 0; i < scaled.Count; i++)
        {
            ReadOnlySpan<float> row = scaled.Row(i);
            for (int j = 0; j < row.Length; j++)
            {
                features[(i * scaled.Features) + j] = MathF.Round(row[j] * 255f);
            }
        }

        return Dataset.FromLabels(features, scaled.Features, scaled.Labels, scaled.Classes);
    });

    /// <summary>MNIST's 60,000 rows as <see cref="Idx"/> reads them: bytes, widened to pixel / 255.</summary>
    private static readonly Lazy<Dataset> IdxBytes = new(() =>
    {
        Dataset tenThousand = Idx.LoadDirectory(MnistData.Directory());
        return tenThousand.Select([.. Enumerable.Range(0, 6 * tenThousand.Count).Select(i => i % tenThousand.Count)]);
    });

    [GlobalSetup]
    public void Setup()
    {
        Dataset data = Rows == "idx-bytes" ? IdxBytes.Value : Pixels.Value;
        if (Rows is "bytes-copy" or "bytes-direct")
        {
            data = data.Compact();
            if (!data.StoresBytes)
            {
                throw new InvalidOperationException("MNIST's pixels did not compact to bytes.");
            }
        }

        if (Standardized)
        {
            data = Standardizer.Fit(data).Transform(data);
        }

        // Raw pixels take a step size small enough not to diverge; standardized rows one that learns.
        var model = new SoftmaxRegression(784, 10);
        var optimizer = new GradientDescent(Standardized ? 0.01f : 1e-6f);
        _session = new Trainer(model, optimizer, new TrainerOptions { BatchSize = 64, Epochs = int.MaxValue, Seed = 1 }).Begin(data);
    }

    [GlobalCleanup]
    public void Cleanup() => _session.Dispose();

    [Benchmark]
    public EpochReport Epoch()
    {
        // Set before every epoch, as the alternating run takes the ways in turn in one process.
        ByteRowKernel.ReadDirectly = Rows == "bytes-direct";
        TenOutputKernel.Enabled = Kernel == "ten-output";
        return _session.RunEpoch();
    }

    /// <summary>
    /// The epoch's multiply-adds only, so "Of ceiling" is the share of the multiply-add ceiling, as issue 21 states its target
    /// (the rows' bytes, 188 MB as floats and 47 MB as bytes, would make the float rows' column the memory ceiling's share).
    /// </summary>
    public (double MultiplyAdds, double Bytes) Work(string method) => (EpochMultiplyAdds, 0);

    /// <summary>
    /// One way's epochs, over and over for <paramref name="seconds"/> (after a second of warm-up), printing the median: a
    /// process to profile (<c>perf record</c> with <c>DOTNET_PerfMapEnabled=1</c>) with nothing else in it.
    /// </summary>
    public static void Repeat(TextWriter output, string rows, string kernel, bool standardized, double seconds)
    {
        var way = new ByteRowBenchmarks { Rows = rows, Kernel = kernel, Standardized = standardized };
        way.Setup();
        var warmUp = Stopwatch.StartNew();
        while (warmUp.Elapsed < TimeSpan.FromSeconds(1))
        {
            way.Epoch();
        }

        var times = new List<double>();
        var elapsed = Stopwatch.StartNew();
        while (elapsed.Elapsed < TimeSpan.FromSeconds(seconds))
        {
            long started = Stopwatch.GetTimestamp();
            way.Epoch();
            times.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }

        way.Cleanup();
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{rows} {kernel} standardized {standardized}: {times.Count} epochs, median {times.Order().ElementAt(times.Count / 2):F2} ms, least {times.Min():F2} ms"));
    }

    /// <summary>
    /// The 784 × 10 layer's kernels alone, at 512 bits, on one batch of 64 shuffled MNIST byte rows read directly (in cache
    /// after the first pass): the forward pass, the gradient, and both, for the general and the ten-output kernels, each as
    /// a share of the multiply-add ceiling. What the epoch adds beyond them (the head, the batches, the rows' first reads
    /// from memory) is the epoch's time less these.
    /// </summary>
    public static void Kernels(TextWriter output)
    {
        double ceiling = Ceiling.MultiplyAddsPerNanosecond(null);
        Dataset bytes = Pixels.Value.Compact();
        int[] order = [.. Enumerable.Range(0, 64).Select(i => (int)((i * 7919L) % bytes.Count))];
        float[] w = [.. Enumerable.Range(0, (784 * 10) + 16).Select(i => ((i % 13) - 6) * 1e-4f)];
        float[] b = new float[32];
        float[] z = new float[(64 * 10) + 16];
        float[] e = [.. Enumerable.Range(0, (64 * 10) + 16).Select(i => ((i % 7) - 3) * 1e-6f)];
        float[] floats = new float[64 * 784];
        for (int i = 0; i < 64; i++)
        {
            bytes.Row(order[i]).CopyTo(floats.AsSpan(i * 784, 784));
        }

        foreach (string kernel in KernelNames)
        {
            TenOutputKernel.Enabled = kernel == "ten-output";
            double forward = Rate(() => ForwardOnce(bytes, order, w, b, z), 64 * 7840);
            double gradient = Rate(() => GradientOnce(bytes, order, e, w, b), 64 * 7840);
            double both = Rate(() => { ForwardOnce(bytes, order, w, b, z); GradientOnce(bytes, order, e, w, b); }, 2 * 64 * 7840);
            double floatForward = Rate(() => FloatForwardOnce(floats, w, b, z), 64 * 7840);
            double floatGradient = Rate(() => FloatGradientOnce(floats, e, w, b), 64 * 7840);
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{kernel,-10} the same rows widened first, as floats: forward {floatForward / ceiling,4:P0}, gradient {floatGradient / ceiling,4:P0}"));
            output.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"{kernel,-10} forward {forward / ceiling,4:P0}, gradient {gradient / ceiling,4:P0}, both {both / ceiling,4:P0} of the ceiling ({ceiling:F1} multiply-adds per ns); both at this rate: an epoch's kernels {EpochMultiplyAdds / both / 1e6:F2} ms"));
        }

        TenOutputKernel.Enabled = true;

        // The epoch's cost beyond the 784 features' multiply-adds: the same 60,000 rows, labels, batches, shuffle, head and
        // step with 16 features (pixels 392-407, the middle of each image) instead of 784, whose kernels' work is 2 % of it.
        Dataset pixels = Pixels.Value;
        float[] narrow = new float[pixels.Count * 16];
        for (int i = 0; i < pixels.Count; i++)
        {
            pixels.Row(i).Slice(392, 16).CopyTo(narrow.AsSpan(i * 16, 16));
        }

        Dataset narrowBytes = Dataset.FromLabels(narrow, 16, pixels.Labels, pixels.Classes).Compact();
        using TrainingSession session = new Trainer(new SoftmaxRegression(16, 10), new GradientDescent(1e-6f), new TrainerOptions { BatchSize = 64, Epochs = int.MaxValue, Seed = 1 }).Begin(narrowBytes);
        var times = new List<double>();
        var elapsed = Stopwatch.StartNew();
        while (elapsed.Elapsed < TimeSpan.FromSeconds(4))
        {
            long started = Stopwatch.GetTimestamp();
            session.RunEpoch();
            times.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }

        double floor = times.Skip(times.Count / 4).Order().ElementAt((times.Count - (times.Count / 4)) / 2);
        output.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"the epoch beyond its 784-feature kernels (16 byte features, 10 classes, 60,000 rows, batch 64): median {floor:F2} ms, least {times.Min():F2} ms; with the kernels at the ceiling an epoch would take {(EpochMultiplyAdds / ceiling / 1e6) + floor:F2} ms, {EpochMultiplyAdds / ceiling / 1e6 / ((EpochMultiplyAdds / ceiling / 1e6) + floor),4:P0} of it"));

        // Multiply-adds per nanosecond: the best of 200 timings of 20 runs each, after a second of warm-up.
        static double Rate(Action run, double multiplyAdds)
        {
            var warmUp = Stopwatch.StartNew();
            while (warmUp.Elapsed < TimeSpan.FromSeconds(1))
            {
                run();
            }

            double best = double.MaxValue;
            for (int i = 0; i < 200; i++)
            {
                long started = Stopwatch.GetTimestamp();
                for (int r = 0; r < 20; r++)
                {
                    run();
                }

                best = Math.Min(best, Stopwatch.GetElapsedTime(started).TotalNanoseconds / 20);
            }

            return multiplyAdds / best;
        }
    }

    private static void ForwardOnce(Dataset bytes, int[] order, float[] w, float[] b, float[] z)
    {
        Batch batch = Batch.FromDataset(bytes, order);
        Native.Numerics.Kernels.Rows rows = batch.Rows;
        ForwardKernel.Rows<Simd512, System.Runtime.Intrinsics.Vector512<float>, Native.Numerics.CompilerServices.DenseShape, ByteInput>(new(784, 10), in rows, default, ref w[0], ref b[0], ref z[0]);
    }

    private static void FloatForwardOnce(float[] floats, float[] w, float[] b, float[] z)
    {
        var rows = new Native.Numerics.Kernels.Rows(in floats[0], 784, 64);
        ForwardKernel.Rows<Simd512, System.Runtime.Intrinsics.Vector512<float>, Native.Numerics.CompilerServices.DenseShape, RawInput>(new(784, 10), in rows, default, ref w[0], ref b[0], ref z[0]);
    }

    private static void FloatGradientOnce(float[] floats, float[] e, float[] w, float[] b)
    {
        var rows = new Native.Numerics.Kernels.Rows(in floats[0], 784, 64);
        GradientKernel.Accumulate<Simd512, System.Runtime.Intrinsics.Vector512<float>, Native.Numerics.CompilerServices.DenseShape, RawInput>(new(784, 10), ref e[0], in rows, default, ref w[0], ref b[0]);
    }

    private static void GradientOnce(Dataset bytes, int[] order, float[] e, float[] w, float[] b)
    {
        Batch batch = Batch.FromDataset(bytes, order);
        Native.Numerics.Kernels.Rows rows = batch.Rows;
        GradientKernel.Accumulate<Simd512, System.Runtime.Intrinsics.Vector512<float>, Native.Numerics.CompilerServices.DenseShape, ByteInput>(new(784, 10), ref e[0], in rows, default, ref w[0], ref b[0]);
    }

    /// <summary>
    /// Float rows and byte rows (copied, direct) in one process, their epochs taken in turn (which goes first rotating too)
    /// after three seconds of warm-up, 21 rounds: medians and minimums, the ratios of the medians to the float rows', and
    /// each median's share of the 512-bit multiply-add ceiling measured in this process. Noise from other work on the
    /// machine falls on every side alike.
    /// </summary>
    public static void Alternate(TextWriter output)
    {
        double ceiling = Ceiling.MultiplyAddsPerNanosecond(null);
        double atCeiling = EpochMultiplyAdds / ceiling / 1e6;
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"multiply-add ceiling, 512-bit: {ceiling:F1} per ns (an epoch at the ceiling: {atCeiling:F2} ms)"));
        foreach (bool standardized in new[] { false, true })
        {
            ByteRowBenchmarks[] ways = [.. Ways.SelectMany(rows => KernelNames.Select(kernel => new ByteRowBenchmarks { Rows = rows, Standardized = standardized, Kernel = kernel }))];
            foreach (ByteRowBenchmarks way in ways)
            {
                way.Setup();
            }

            var warmUp = Stopwatch.StartNew();
            while (warmUp.Elapsed < TimeSpan.FromSeconds(3))
            {
                foreach (ByteRowBenchmarks way in ways)
                {
                    way.Epoch();
                }
            }

            List<double>[] times = [.. ways.Select(_ => new List<double>())];
            for (int round = 0; round < 21; round++)
            {
                for (int turn = 0; turn < ways.Length; turn++)
                {
                    int which = (round + turn) % ways.Length;
                    times[which].Add(Time(ways[which]));
                }
            }

            foreach (ByteRowBenchmarks way in ways)
            {
                way.Cleanup();
            }

            double floatMedian = Median(times[0]);
            output.WriteLine(standardized ? "standardized:" : "raw pixels:");
            for (int i = 0; i < ways.Length; i++)
            {
                double median = Median(times[i]);
                output.WriteLine(string.Create(
                    CultureInfo.InvariantCulture,
                    $"  {ways[i].Rows,-12} {ways[i].Kernel,-10} median {median,7:F2} ms (least {times[i].Min(),7:F2}), {atCeiling / median,4:P0} of ceiling (least: {atCeiling / times[i].Min(),4:P0}); / floats {median / floatMedian:F3}"));
            }
        }

        static double Time(ByteRowBenchmarks benchmark)
        {
            long started = Stopwatch.GetTimestamp();
            benchmark.Epoch();
            return Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        }

        static double Median(List<double> times) => times.Order().ElementAt(times.Count / 2);
    }
}
