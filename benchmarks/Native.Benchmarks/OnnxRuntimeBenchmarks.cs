using BenchmarkDotNet.Attributes;
using Microsoft.ML.OnnxRuntime;
using Native.Numerics;

namespace Native.Benchmarks;

/// <summary>
/// One row through the same ONNX file, by ONNX Runtime and by Native: the file is a model Native saved as ONNX
/// (Gemm per layer, Softmax or Sigmoid head), read back by <see cref="ModelFile.Load(Stream, ModelFormat, string?)"/> for Native and given
/// as bytes to an <see cref="InferenceSession"/> for ONNX Runtime — one intra-op and one inter-op thread,
/// sequential execution, all graph optimizations, input and output OrtValues bound once to arrays
/// (<see cref="OrtIoBinding"/>), and only the probabilities (or value) output asked for, as Native computes only that.
/// </summary>
/// <remarks>Run: <c>dotnet run -c Release --project benchmarks/Native.Benchmarks -- --filter '*OnnxRuntime*'</c>.</remarks>
[MemoryDiagnoser]
[Config(typeof(EfficiencyConfig))]
public class OnnxRuntimeBenchmarks : IWork, IDisposable
{
    private InferenceSession _session = null!;
    private OrtIoBinding _binding = null!;
    private RunOptions _runOptions = null!;
    private OrtValue _input = null!;
    private OrtValue _output = null!;
    private IModel _native = null!;
    private float[] _row = null!;
    private float[] _result = null!;

    /// <summary>The shapes the issue measured ONNX Runtime on: 4×3 softmax, logistic 30, 784×10 softmax, 784-128-10 perceptron.</summary>
    [Params("softmax 4-3", "logistic 30", "softmax 784-10", "perceptron 784-128-10")]
    public string Model { get; set; } = "softmax 4-3";

    [GlobalSetup]
    public void Setup()
    {
        IModel model = Model switch
        {
            "softmax 4-3" => new SoftmaxRegression(4, 3),
            "logistic 30" => new LogisticRegression(30),
            "softmax 784-10" => new SoftmaxRegression(784, 10),
            _ => new MultilayerPerceptron([784, 128, 10], Activation.Relu, seed: 1),
        };
        var random = new Random(1);
        foreach (ref float parameter in model.Parameters)
        {
            parameter = (float)((random.NextDouble() - 0.5) * 0.2);
        }

        using var file = new MemoryStream();
        ModelFile.Save(model, file, ModelFormat.Onnx);
        byte[] onnx = file.ToArray();
        _native = ModelFile.Load(new MemoryStream(onnx), ModelFormat.Onnx).Model;

        _row = new float[model.Features];
        for (int i = 0; i < _row.Length; i++)
        {
            _row[i] = (float)random.NextDouble();
        }

        _result = new float[model.Outputs];
        var options = new SessionOptions
        {
            IntraOpNumThreads = 1,
            InterOpNumThreads = 1,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
        };
        _session = new InferenceSession(onnx, options);
        _runOptions = new RunOptions();
        _input = OrtValue.CreateTensorValueFromMemory(_row, [1, _row.Length]);
        _output = OrtValue.CreateTensorValueFromMemory(_result, [1, _result.Length]);
        _binding = _session.CreateIoBinding();
        _binding.BindInput("input", _input);
        _binding.BindOutput(model.Shape.Kind switch
        {
            ModelKind.LinearRegression => "value",
            ModelKind.LogisticRegression => "probability",
            _ => "probabilities",
        }, _output);
    }

    /// <inheritdoc/>
    public (double MultiplyAdds, double Bytes) Work(string method) => (Model switch
    {
        "softmax 4-3" => 4 * 3,
        "logistic 30" => 30,
        "softmax 784-10" => 784 * 10,
        _ => (784 * 128) + (128 * 10),
    }, 0);

    [GlobalCleanup]
    public void Dispose()
    {
        Dispose(disposing: true);
        GC.SuppressFinalize(this);
    }

    protected virtual void Dispose(bool disposing)
    {
        if (!disposing || _session is null)
        {
            return;
        }

        _binding.Dispose();
        _input.Dispose();
        _output.Dispose();
        _runOptions.Dispose();
        _session.Dispose();
    }

    [Benchmark(Baseline = true, Description = "ONNX Runtime 1.31.1, one row")]
    public float OnnxRuntime()
    {
        _session.RunWithBinding(_runOptions, _binding);
        return _result[0];
    }

    [Benchmark(Description = "Native, the same file, one row")]
    public float Native()
    {
        _native.Forward(_row, _result);
        return _result[0];
    }
}
