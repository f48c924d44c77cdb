using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Native.Numerics;

// One model's PredictProbabilities in a fresh process, on float[] rows: the time to create (or load) the model, the
// first call, the mean of calls 2–100, 101–10,000 and 10,001–100,000, and the steady state (the median of 25 windows
// of about a millisecond after two seconds of calls, or --warm-up SECONDS). Prints one tab-separated line; measure.sh runs a process per model
// and configuration. Times are the calling thread's CPU time (Clock), or with --wall the wall clock's.
// With --probabilities it prints each row's probabilities as bits instead, to compare two builds' arithmetic; `ulp A B`
// compares two such outputs.
//   ColdStart MODEL [--wall] [--warm-up SECONDS] [--probabilities]
//     MODEL: generated-4x3, generated-784x10, compiled-784x10, loaded-784x10, run-time-784x10
//   ColdStart ulp FILE FILE
if (args is ["ulp", string first, string second])
{
    Console.WriteLine(Bits.Compare(first, second));
    return;
}

string model = args.Length > 0 ? args[0] : "generated-4x3";
bool printBits = args.Contains("--probabilities");
Clock.Wall = args.Contains("--wall");
int warmUp = args.SkipWhile(a => a != "--warm-up").Skip(1).Select(int.Parse).FirstOrDefault(2);

long start = Clock.Now();
Measurement result = model switch
{
    "generated-4x3" => Harness.Run(warmUp, new GeneratedSmall(new Softmax4x3()), printBits, start),
    "generated-784x10" => Harness.Run(warmUp, new GeneratedMnist(new Softmax784x10()), printBits, start),
    "compiled-784x10" => Harness.Run(warmUp, CompiledMnist.Initialize(), printBits, start),
    "loaded-784x10" => Harness.Run(warmUp, new LoadedMnist(ModelFile.Load(Path.Combine(AppContext.BaseDirectory, "models", "mnist.safetensors"))), printBits, start),
    "run-time-784x10" => Harness.Run(warmUp, new RunTimeMnist(new SoftmaxRegression(784, 10)), printBits, start),
    _ => throw new ArgumentException($"unknown model '{model}': generated-4x3, generated-784x10, compiled-784x10, loaded-784x10 or run-time-784x10"),
};

if (!printBits)
{
    Console.WriteLine(string.Join('\t', model, Vectorization.Width, result.Create, result.First, result.To100, result.To10000, result.To100000, result.Steady));
}

/// <summary>A 4 × 3 softmax regression (the small model), its kernels generated for the shape.</summary>
[GeneratedSoftmaxRegression(features: 4, classes: 3)]
internal sealed partial class Softmax4x3;

/// <summary>A 784 × 10 softmax regression (MNIST's shape), its kernels generated for the shape.</summary>
[GeneratedSoftmaxRegression(features: 784, classes: 10)]
internal sealed partial class Softmax784x10;

/// <summary>MNIST's trained softmax regression (784 × 10, standardized), compiled in.</summary>
[GeneratedModel("../../Native.Benchmarks/models/mnist.safetensors")]
internal static partial class Mnist;

/// <summary>The figures of one run, in nanoseconds (a window's figure is its mean per call).</summary>
internal readonly record struct Measurement(double Create, double First, double To100, double To10000, double To100000, double Steady);

/// <summary>A model whose PredictProbabilities is timed, called directly (a struct per model, so the timed loop has no virtual call of its own).</summary>
internal interface ITimedModel
{
    int Features { get; }

    int Classes { get; }

    /// <summary>Whatever the model needs before its first prediction and after its creation was timed: a generated model's weights.</summary>
    void Prepare();

    void Predict(float[] row, float[] probabilities);
}

internal readonly struct GeneratedSmall(Softmax4x3 model) : ITimedModel
{
    public int Features => Softmax4x3.Features;

    public int Classes => Softmax4x3.Classes;

    public void Prepare() => Harness.SetWeights(model);

    public void Predict(float[] row, float[] probabilities) => model.PredictProbabilities(row, probabilities);
}

internal readonly struct GeneratedMnist(Softmax784x10 model) : ITimedModel
{
    public int Features => Softmax784x10.Features;

    public int Classes => Softmax784x10.Classes;

    public void Prepare() => Harness.SetWeights(model);

    public void Predict(float[] row, float[] probabilities) => model.PredictProbabilities(row, probabilities);
}

internal readonly struct CompiledMnist : ITimedModel
{
    public int Features => Mnist.Features;

    public int Classes => Mnist.Classes;

    public void Prepare()
    {
    }

    public void Predict(float[] row, float[] probabilities) => Mnist.PredictProbabilities(row, probabilities);

    /// <summary>Runs the compiled model's class initializer (its engine; its weights copied into aligned storage): its "create".</summary>
    public static CompiledMnist Initialize()
    {
        GC.KeepAlive(Mnist.Standardizer);
        return default;
    }
}

internal readonly struct LoadedMnist(TrainedModel model) : ITimedModel
{
    public int Features => model.Shape.Features;

    public int Classes => model.Shape.Classes;

    public void Prepare()
    {
    }

    public void Predict(float[] row, float[] probabilities) => model.PredictProbabilities(row, probabilities);
}

internal readonly struct RunTimeMnist(SoftmaxRegression model) : ITimedModel
{
    public int Features => model.Features;

    public int Classes => model.Classes;

    public void Prepare() => Harness.SetWeights(model);

    public void Predict(float[] row, float[] probabilities) => model.PredictProbabilities(row, probabilities);
}

internal static class Harness
{
    private const int Rows = 16;

    /// <summary>Gives a new model small seeded weights (its own are zero, or for a perceptron its initialization), as a trained one has.</summary>
    public static void SetWeights(IModel model)
    {
        var random = new Random(7);
        Span<float> parameters = model.Parameters;
        for (int i = 0; i < parameters.Length; i++)
        {
            parameters[i] = (float)(random.NextDouble() - 0.5) * 0.1f;
        }
    }

    /// <summary>
    /// Times the model's calls from the first one, in windows, then after <paramref name="warmUp"/> seconds of calls the
    /// steady state; <paramref name="start"/> is when its creation began.
    /// </summary>
    public static Measurement Run<TModel>(int warmUp, TModel model, bool printBits, long start)
        where TModel : struct, ITimedModel
    {
        long created = Clock.Now();
        model.Prepare();

        // Rows as callers pass them: separate float[] arrays (wherever the allocator puts them), pixels in [0, 1).
        var random = new Random(1);
        float[][] rows = new float[Rows][];
        for (int r = 0; r < Rows; r++)
        {
            rows[r] = new float[model.Features];
            for (int i = 0; i < rows[r].Length; i++)
            {
                rows[r][i] = (float)random.NextDouble();
            }
        }

        float[] probabilities = new float[model.Classes];
        if (printBits)
        {
            PrintBits(model, rows, probabilities);
            return default;
        }

        double first = Calls(model, rows, probabilities, 1);
        double to100 = Calls(model, rows, probabilities, 99) / 99;
        double to10000 = Calls(model, rows, probabilities, 9_900) / 9_900;
        double to100000 = Calls(model, rows, probabilities, 90_000) / 90_000;

        // Seconds of calls by the wall clock (two by default: on a quiet machine the tiered JIT's promotions are done well
        // within them), then 25 windows of about a millisecond each, whose median is the steady state.
        long warmUntil = Stopwatch.GetTimestamp() + (warmUp * Stopwatch.Frequency);
        while (Stopwatch.GetTimestamp() < warmUntil)
        {
            Calls(model, rows, probabilities, 1_000);
        }

        int window = (int)Math.Clamp(1_000_000 / Math.Max(to100000, 1), 1_000, 100_000);
        double[] steady = new double[25];
        for (int i = 0; i < steady.Length; i++)
        {
            steady[i] = Calls(model, rows, probabilities, window) / window;
        }

        Array.Sort(steady);
        return new Measurement(created - start, first, to100, to10000, to100000, steady[steady.Length / 2]);
    }

    // The nanoseconds `count` calls take in all, less the clock's own cost. Compiled optimized from the start, so that the
    // loop around the calls costs the same under every configuration and the figures are the model's.
    [MethodImpl(MethodImplOptions.AggressiveOptimization | MethodImplOptions.NoInlining)]
    private static double Calls<TModel>(TModel model, float[][] rows, float[] probabilities, int count)
        where TModel : struct, ITimedModel
    {
        long start = Clock.Now();
        for (int i = 0; i < count; i++)
        {
            model.Predict(rows[i & (Rows - 1)], probabilities);
        }

        return Math.Max(Clock.Now() - start - Clock.Overhead, 0);
    }

    private static void PrintBits<TModel>(TModel model, float[][] rows, float[] probabilities)
        where TModel : struct, ITimedModel
    {
        foreach (float[] row in rows)
        {
            model.Predict(row, probabilities);
            Console.WriteLine(string.Join(' ', probabilities.Select(p => BitConverter.SingleToInt32Bits(p).ToString("X8", CultureInfo.InvariantCulture))));
        }
    }
}

/// <summary>
/// Nanoseconds by the calling thread's CPU-time clock (Linux's CLOCK_THREAD_CPUTIME_ID): on a machine shared with other
/// work, the time the scheduler gives to other processes is not counted, so a window measures the model and not its
/// neighbours; on a quiet machine it reads as the wall clock does. The tiered JIT's background compilations run on a thread
/// of their own and are not counted either, as on a machine with a core to spare; a first call's compilation is.
/// </summary>
internal static partial class Clock
{
    private const int ThreadCpuTime = 3;

    /// <summary>Read the wall clock (Stopwatch) instead.</summary>
    public static bool Wall { get; set; }

    /// <summary>What two readings back to back measure: the least of 100 tries, taken off every window.</summary>
    public static long Overhead { get; } = MeasureOverhead();

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static long Now()
    {
        if (Wall)
        {
            return (long)(Stopwatch.GetTimestamp() * (1e9 / Stopwatch.Frequency));
        }

        ClockGetTime(ThreadCpuTime, out TimeSpec time);
        return (time.Seconds * 1_000_000_000) + time.Nanoseconds;
    }

    private static long MeasureOverhead()
    {
        long least = long.MaxValue;
        for (int i = 0; i < 100; i++)
        {
            least = Math.Min(least, -Now() + Now());
        }

        return least;
    }

    [LibraryImport("libc", EntryPoint = "clock_gettime")]
    private static partial int ClockGetTime(int clock, out TimeSpec time);

    private readonly struct TimeSpec
    {
        public readonly long Seconds;
        public readonly long Nanoseconds;
    }
}

/// <summary>Two runs' probabilities, as --probabilities prints them, compared bit for bit.</summary>
internal static class Bits
{
    /// <summary>How many rows are equal bit for bit, and the largest difference of one probability, in units in the last place and as a number.</summary>
    public static string Compare(string first, string second)
    {
        string[] a = File.ReadAllLines(first), b = File.ReadAllLines(second);
        if (a.Length != b.Length)
        {
            return $"{a.Length} rows against {b.Length}";
        }

        int equal = 0;
        long largest = 0;
        double absolute = 0;
        for (int row = 0; row < a.Length; row++)
        {
            int[] x = Parse(a[row]), y = Parse(b[row]);
            equal += x.SequenceEqual(y) ? 1 : 0;
            for (int i = 0; i < Math.Min(x.Length, y.Length); i++)
            {
                // Probabilities are positive floats, whose bit patterns order as the values do: the difference of the
                // patterns is the distance in units in the last place.
                largest = Math.Max(largest, Math.Abs((long)x[i] - y[i]));
                absolute = Math.Max(absolute, Math.Abs(BitConverter.Int32BitsToSingle(x[i]) - (double)BitConverter.Int32BitsToSingle(y[i])));
            }
        }

        return $"{equal} of {a.Length} rows bit-equal, up to {largest} ulp, {absolute:G2} at most";
    }

    private static int[] Parse(string line) =>
        [.. line.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(bits => int.Parse(bits, NumberStyles.HexNumber, CultureInfo.InvariantCulture))];
}
