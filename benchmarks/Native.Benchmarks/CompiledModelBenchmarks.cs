using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using Native.Numerics;
using Native.Numerics.Kernels;

namespace Native.Benchmarks;

/// <summary>
/// One raw row's <c>PredictProbabilities</c> from a trained, standardized model, three ways: compiled in with
/// <c>[GeneratedModel(file)]</c>; the shape-generated model of the same shape with the file's weights, the caller
/// standardizing into a scratch row first (the baseline: what the compiled model replaces); and the file loaded at run
/// time (<see cref="TrainedModel"/>, standardizing inside). Rows as users pass them: a <c>float[]</c> row at each of the
/// 16 float offsets of a 64-byte line in turn.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(CompiledModelConfig))]
public class CompiledModelBenchmarks : IWork
{
    private const int Offsets = AlignedBuffer.FloatsPerLine;

    private IClassifier _shapeGenerated = null!;
    private Standardizer _standardizer = null!;
    private TrainedModel _loaded = null!;
    private float[] _rows = [];
    private float[] _scratch = [];
    private float[] _probabilities = [];
    private int _features;
    private bool _digits;

    /// <summary>The model: digits 64 × 10 or MNIST 784 × 10, both softmax regressions trained with standardization.</summary>
    [Params("digits 64x10", "mnist 784x10")]
    public string Model { get; set; } = "";

    [GlobalSetup]
    public void Setup()
    {
        _digits = Model.StartsWith("digits", StringComparison.Ordinal);
        string path = Path.Combine(AppContext.BaseDirectory, "models", _digits ? "digits.safetensors" : "mnist.safetensors");
        _loaded = ModelFile.Load(path);
        _shapeGenerated = _digits
            ? ModelFile.LoadInto(new SmallDigitModel(), path).Model
            : ModelFile.LoadInto(new DigitModel(), path).Model;
        _standardizer = _loaded.Standardizer!;
        _features = _loaded.Shape.Features;

        // Raw rows in the data's units (pixels of 0 to 16, or 0 to 1), a float[] with room for every offset.
        var random = new Random(1);
        _rows = new float[_features + Offsets];
        for (int i = 0; i < _rows.Length; i++)
        {
            _rows[i] = (float)random.NextDouble() * (_digits ? 16f : 1f);
        }

        _scratch = new float[_features];
        _probabilities = new float[_loaded.Shape.Classes];
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Offsets)]
    public void ShapeGenerated()
    {
        for (int offset = 0; offset < Offsets; offset++)
        {
            _standardizer.Transform(_rows.AsSpan(offset, _features), _scratch);
            _shapeGenerated.PredictProbabilities(_scratch, _probabilities);
        }
    }

    [Benchmark(OperationsPerInvoke = Offsets)]
    public void Compiled()
    {
        for (int offset = 0; offset < Offsets; offset++)
        {
            if (_digits)
            {
                CompiledDigits.PredictProbabilities(_rows.AsSpan(offset, _features), _probabilities);
            }
            else
            {
                CompiledMnist.PredictProbabilities(_rows.AsSpan(offset, _features), _probabilities);
            }
        }
    }

    [Benchmark(OperationsPerInvoke = Offsets)]
    public void Loaded()
    {
        for (int offset = 0; offset < Offsets; offset++)
        {
            _loaded.PredictProbabilities(_rows.AsSpan(offset, _features), _probabilities);
        }
    }

    /// <inheritdoc/>
    public (double MultiplyAdds, double Bytes) Work(string method) => (Model.StartsWith("digits", StringComparison.Ordinal) ? 64 * 10 : 784 * 10, 0);
}

/// <summary>The default job (the widest vectors) with the share-of-ceiling column.</summary>
public sealed class CompiledModelConfig : ManualConfig
{
    public CompiledModelConfig()
    {
        AddColumn(new EfficiencyColumn());
        AddJob(Job.Default.WithWarmupCount(3).WithIterationCount(15));
    }
}
