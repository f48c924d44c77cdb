using System.Reflection;
using BenchmarkDotNet.Attributes;
using Native.Numerics;

namespace Native.Steady;

/// <summary>
/// One raw <c>float[]</c> row's <c>PredictProbabilities</c>, at each of the 16 float offsets of a 64-byte line in turn, for
/// the models the cold-start harness measures (and the run-time-shaped twin of the 784 × 10 one): the steady state the
/// cold-start work must not lose. Each model is held in a field of its own type, so the calls are the ones users write.
/// </summary>
[MemoryDiagnoser]
public class SteadyStateBenchmarks
{
    private const int Offsets = 16;

    private readonly Softmax4x3 _small = WithWeights(new Softmax4x3());
    private readonly Softmax784x10 _generated = WithWeights(new Softmax784x10());
    private readonly SoftmaxRegression _runTime = WithWeights(new SoftmaxRegression(784, 10));
    private readonly TrainedModel _loaded = ModelFile.Load(Path.Combine(AppContext.BaseDirectory, "models", "mnist.safetensors"));
    private readonly float[] _smallRows = Rows(4);
    private readonly float[] _rows = Rows(784);
    private readonly float[] _probabilities = new float[10];

    [GlobalSetup]
    public static void Describe()
    {
        // Which library this job runs, and whether its prediction entry point is compiled optimized from the first call.
        MethodInfo? entry = typeof(Native.Numerics.CompilerServices.ModelRuntime).GetMethod("PredictProbabilities");
        Type? runtime = typeof(Native.Numerics.CompilerServices.ModelRuntime).Assembly.GetType("Native.Numerics.CompilerServices.ModelRuntime`2");
        MethodInfo? sealedEntry = runtime?.GetMethod("PredictProbabilities");
        Console.WriteLine($"// library {typeof(ModelFile).Assembly.Location}, {File.GetLastWriteTimeUtc(typeof(ModelFile).Assembly.Location):O}; " +
            $"PredictProbabilities: {sealedEntry?.MethodImplementationFlags ?? entry?.MethodImplementationFlags}");
    }

    [Benchmark(OperationsPerInvoke = Offsets)]
    public void Generated4x3()
    {
        for (int offset = 0; offset < Offsets; offset++)
        {
            _small.PredictProbabilities(_smallRows.AsSpan(offset, 4), _probabilities.AsSpan(0, 3));
        }
    }

    [Benchmark(OperationsPerInvoke = Offsets)]
    public void Generated784x10()
    {
        for (int offset = 0; offset < Offsets; offset++)
        {
            _generated.PredictProbabilities(_rows.AsSpan(offset, 784), _probabilities);
        }
    }

    [Benchmark(OperationsPerInvoke = Offsets)]
    public void RunTime784x10()
    {
        for (int offset = 0; offset < Offsets; offset++)
        {
            _runTime.PredictProbabilities(_rows.AsSpan(offset, 784), _probabilities);
        }
    }

    [Benchmark(OperationsPerInvoke = Offsets)]
    public void Compiled784x10()
    {
        for (int offset = 0; offset < Offsets; offset++)
        {
            Mnist.PredictProbabilities(_rows.AsSpan(offset, 784), _probabilities);
        }
    }

    [Benchmark(OperationsPerInvoke = Offsets)]
    public void Loaded784x10()
    {
        for (int offset = 0; offset < Offsets; offset++)
        {
            _loaded.PredictProbabilities(_rows.AsSpan(offset, 784), _probabilities);
        }
    }

    private static TModel WithWeights<TModel>(TModel model)
        where TModel : IModel
    {
        var random = new Random(7);
        Span<float> parameters = model.Parameters;
        for (int i = 0; i < parameters.Length; i++)
        {
            parameters[i] = (float)(random.NextDouble() - 0.5) * 0.1f;
        }

        return model;
    }

    // A float[] with room for a row at every offset, pixel-like values.
    private static float[] Rows(int features)
    {
        var random = new Random(1);
        float[] rows = new float[features + Offsets];
        for (int i = 0; i < rows.Length; i++)
        {
            rows[i] = (float)random.NextDouble();
        }

        return rows;
    }
}

/// <summary>A 4 × 3 softmax regression, its kernels generated for the shape.</summary>
[GeneratedSoftmaxRegression(features: 4, classes: 3)]
public sealed partial class Softmax4x3;

/// <summary>A 784 × 10 softmax regression, its kernels generated for the shape.</summary>
[GeneratedSoftmaxRegression(features: 784, classes: 10)]
public sealed partial class Softmax784x10;

/// <summary>MNIST's trained softmax regression (784 × 10, standardized), compiled in.</summary>
[GeneratedModel("../../Native.Benchmarks/models/mnist.safetensors")]
public static partial class Mnist;
