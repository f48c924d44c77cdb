using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using Native.Numerics;
using Native.Numerics.CompilerServices;

namespace Native.BeforeAfter;

/// <summary>
/// Two jobs at one vector path (<c>NATIVE_SIMD_WIDTH</c>, <see cref="Width"/>): built against the tree in
/// <see cref="Baseline"/> (the baseline) and against this one.
/// </summary>
public sealed class BeforeAfterConfig : ManualConfig
{
    /// <summary>The baseline's source tree, given on the command line.</summary>
    public static string Baseline { get; set; } = "";

    /// <summary>The vector path both jobs run: Vector512 unless the command line names another.</summary>
    public static string Width { get; set; } = "Vector512";

    public BeforeAfterConfig()
    {
        Job job = Job.Default.WithWarmupCount(4).WithIterationCount(12).WithEnvironmentVariable("NATIVE_SIMD_WIDTH", Width);
        AddJob(job.WithArguments([new MsBuildArgument("/p:NativeSource=" + Baseline)]).WithBaseline(true).WithId("before"));
        AddJob(job.WithId("after"));

        WithOption(ConfigOptions.KeepBenchmarkFiles, false);

        // The two builds take minutes on a busy machine: BenchmarkDotNet's two-minute limit would end them.
        WithBuildTimeout(TimeSpan.FromMinutes(30));
        HideColumns("Error", "StdDev", "RatioSD");
    }
}

/// <summary>One row's <c>PredictProbabilities</c> on <c>float[]</c> rows at each of the 16 offsets of a 64-byte line.</summary>
[MemoryDiagnoser]
[Config(typeof(BeforeAfterConfig))]
public class OneRow
{
    private IClassifier _model = null!;
    private float[] _rows = [];
    private float[] _probabilities = [];
    private int _features;

    [Params("softmax 4x3", "softmax 64x10", "softmax 784x10", "perceptron 784-128-10")]
    public string Model { get; set; } = "";

    [Params("generated", "run-time")]
    public string Kind { get; set; } = "";

    [GlobalSetup]
    public void Setup()
    {
        (IModel generated, IModel runTime) = Catalog.Pair(Model);
        _model = (IClassifier)(Kind == "generated" ? generated : runTime);
        _features = _model.Features;
        (_rows, _) = Catalog.Data(_features + 16, 2, 1);
        _probabilities = new float[_model.Classes];
    }

    [Benchmark(OperationsPerInvoke = 16)]
    public void PredictProbabilities()
    {
        for (int offset = 0; offset < 16; offset++)
        {
            _model.PredictProbabilities(_rows.AsSpan(offset, _features), _probabilities);
        }
    }
}

/// <summary>The compiled MNIST model (with its standardizer) on one row: the standardizing one-row kernel.</summary>
[MemoryDiagnoser]
[Config(typeof(BeforeAfterConfig))]
public class CompiledRow
{
    private float[] _rows = [];
    private readonly float[] _probabilities = new float[10];

    [GlobalSetup]
    public void Setup() => (_rows, _) = Catalog.Data(CompiledMnist.Features + 16, 2, 1);

    [Benchmark(OperationsPerInvoke = 16)]
    public void PredictProbabilities()
    {
        for (int offset = 0; offset < 16; offset++)
        {
            CompiledMnist.PredictProbabilities(_rows.AsSpan(offset, CompiledMnist.Features), _probabilities);
        }
    }
}

/// <summary>An epoch of plain SGD steps in place (batches of 64, the fused step) over 4,096 rows, as the trainer takes them.</summary>
[MemoryDiagnoser]
[Config(typeof(BeforeAfterConfig))]
public class Epoch
{
    private const int Rows = 4096;
    private IFusedGradientStep _model = null!;
    private Dataset _data = null!;
    private int[] _order = [];
    private float[] _gradient = [];

    [Params("softmax 784x10", "perceptron 784-128-10")]
    public string Model { get; set; } = "";

    [Params("generated", "run-time")]
    public string Kind { get; set; } = "";

    [GlobalSetup]
    public void Setup()
    {
        (IModel generated, IModel runTime) = Catalog.Pair(Model);
        IModel model = Kind == "generated" ? generated : runTime;
        _model = (IFusedGradientStep)model;
        (float[] rows, int[] labels) = Catalog.Data(model.Features, model.Outputs, Rows);
        _data = Dataset.FromLabels(rows, model.Features, labels, model.Outputs);
        _order = [.. Enumerable.Range(0, Rows).OrderBy(i => (i * 7919) % Rows)];
        _gradient = new float[model.Parameters.Length];
    }

    [Benchmark]
    public float StepInPlace()
    {
        float loss = 0;
        for (int start = 0; start < Rows; start += 64)
        {
            loss += _model.StepInPlace(Batch.FromDataset(_data, _order.AsSpan(start, 64)), 1e-4f);
        }

        return loss;
    }

    [Benchmark]
    public float AccumulateGradient()
    {
        // Batches of 256: four chunks each, the gradient buffer path.
        float loss = 0;
        for (int start = 0; start < Rows; start += 256)
        {
            loss += _model.AccumulateGradient(Batch.FromDataset(_data, _order.AsSpan(start, 256)), _gradient);
        }

        return loss;
    }
}
