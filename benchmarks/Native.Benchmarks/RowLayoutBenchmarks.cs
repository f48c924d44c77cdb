using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using Native.Numerics;
using Native.Numerics.Kernels;

namespace Native.Benchmarks;

/// <summary>
/// One row's <c>PredictProbabilities</c>, generated model against its run-time-shaped twin (the baseline), on the rows
/// users pass: <see cref="RowLayout.FloatArray"/> is the mean over rows starting at each of the 16 float offsets of a
/// 64-byte line (where a <c>float[]</c> or a span into one lands), <see cref="RowLayout.Aligned"/> the same row at a
/// line's start. Every vector path the library has, in jobs that force it (<c>NATIVE_SIMD_WIDTH</c>).
/// </summary>
/// <remarks>
/// Sixteen calls per invocation, for both layouts, so the loop's cost is the same on both sides. The row stays in L1
/// between calls, as the row a caller has just built does.
/// </remarks>
[MemoryDiagnoser]
[Config(typeof(RowLayoutConfig))]
public class RowLayoutBenchmarks : IWork
{
    private const int Offsets = AlignedBuffer.FloatsPerLine;

    private IClassifier _generated = null!;
    private IClassifier _runTime = null!;
    private AlignedBuffer _rows = null!;
    private float[] _probabilities = [];
    private int _features;

    /// <summary>The model: softmax 4 × 3, logistic 30, softmax 64 × 10 and 784 × 10, the 784-128-10 ReLU perceptron.</summary>
    [Params("softmax 4x3", "logistic 30", "softmax 64x10", "softmax 784x10", "perceptron 784-128-10")]
    public string Model { get; set; } = "";

    [Params(RowLayout.FloatArray, RowLayout.Aligned)]
    public RowLayout Layout { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        (_generated, _runTime) = Model switch
        {
            "softmax 4x3" => ((IClassifier)new IrisModel(), (IClassifier)new SoftmaxRegression(4, 3)),
            "logistic 30" => (new TumorModel(), new LogisticRegression(30)),
            "softmax 64x10" => (new SmallDigitModel(), new SoftmaxRegression(64, 10)),
            "softmax 784x10" => (new DigitModel(), new SoftmaxRegression(784, 10)),
            _ => (new DigitNet(), new MultilayerPerceptron([784, 128, 10], Activation.Relu, seed: 0)),
        };

        // Trained-looking parameters, the same in both; rows of pixel-like values.
        var random = new Random(1);
        float scale = 2f / MathF.Sqrt(_runTime.Features);
        Span<float> runTime = ((IModel)_runTime).Parameters, generated = ((IModel)_generated).Parameters;
        for (int i = 0; i < runTime.Length; i++)
        {
            runTime[i] = generated[i] = (float)(random.NextDouble() - 0.5) * scale;
        }

        _features = _runTime.Features;
        _rows = new AlignedBuffer(_features + Offsets);
        for (int i = 0; i < _rows.Length; i++)
        {
            _rows.Span[i] = (float)random.NextDouble();
        }

        _probabilities = new float[_runTime.Classes];
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Offsets)]
    public void RunTime()
    {
        for (int offset = 0; offset < Offsets; offset++)
        {
            _runTime.PredictProbabilities(Row(offset), _probabilities);
        }
    }

    [Benchmark(OperationsPerInvoke = Offsets)]
    public void Generated()
    {
        for (int offset = 0; offset < Offsets; offset++)
        {
            _generated.PredictProbabilities(Row(offset), _probabilities);
        }
    }

    /// <inheritdoc/>
    public (double MultiplyAdds, double Bytes) Work(string method) => (Model switch
    {
        "softmax 4x3" => 4 * 3,
        "logistic 30" => 30,
        "softmax 64x10" => 64 * 10,
        "softmax 784x10" => 784 * 10,
        _ => (784 * 128) + (128 * 10),
    }, 0);

    private ReadOnlySpan<float> Row(int offset) => _rows.Span.Slice(Layout == RowLayout.Aligned ? 0 : offset, _features);
}

/// <summary>Where the benchmarked row starts.</summary>
public enum RowLayout
{
    /// <summary>At each of the 16 float offsets of a 64-byte line, in turn: where a <c>float[]</c> row lands.</summary>
    FloatArray,

    /// <summary>At the start of a 64-byte line, as a dataset's rows are.</summary>
    Aligned,
}

/// <summary>The 512-, 256- and 128-bit paths, each forced in its own job.</summary>
public sealed class RowLayoutConfig : ManualConfig
{
    public RowLayoutConfig()
    {
        AddColumn(new EfficiencyColumn());
        foreach (string width in new[] { "Vector512", "Vector256", "Vector128" })
        {
            AddJob(Job.Default
                .WithWarmupCount(3)
                .WithIterationCount(10)
                .WithEnvironmentVariable("NATIVE_SIMD_WIDTH", width)
                .WithId(width));
        }
    }
}
