using System.Runtime.InteropServices;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Native.Numerics;

namespace Native.Benchmarks;

/// <summary>
/// int8 beside float32, Native beside ONNX Runtime 1.31.1, in one run: the probabilities of one row (the row at each of the 16
/// float offsets of a cache line, in turn) and of 64 rows (per row), for a 784×10 softmax regression and a 784-128-10 ReLU
/// perceptron. Native: the float <see cref="TrainedModel"/> (the baseline) and that model quantized with 256 calibration rows
/// (<see cref="TrainedModel.Quantize(ReadOnlySpan{float})"/>), called as users call them. ONNX Runtime: the float model saved
/// as ONNX, and the quantized model saved as ONNX (QuantizeLinear / DequantizeLinear around Gemm, what
/// <see cref="ModelFile.Save(TrainedModel, Stream, ModelFormat)"/> writes for it), each in its own session.
/// </summary>
/// <remarks>
/// ONNX Runtime is given its best case: one intra-op and one inter-op thread, sequential execution, all graph optimizations;
/// every input and output an OrtValue made once over the same pinned arrays Native reads and writes (one input OrtValue per
/// row offset, each over the pinned row at that offset), bound once with <see cref="OrtIoBinding"/>, and one
/// <see cref="RunOptions"/> reused, so a measured call is <see cref="InferenceSession.RunWithBinding(RunOptions, OrtIoBinding)"/>
/// alone; only the probabilities output is asked for, as Native computes only that.
/// The "Of ceiling" column is <see cref="QuantizedBenchmarks"/>'s: the float ceiling for float methods, VNNI's byte ceiling
/// for int8 ones (ONNX Runtime's int8 graph included).
/// Run: <c>dotnet run -c Release --project benchmarks/Native.Benchmarks -- --filter '*QuantizedPeerBenchmarks*'</c>
/// (the batches alone: <c>'*QuantizedPeerBenchmarks.Batch*'</c>); where a batch's time goes, stage by stage, in one process:
/// <c>-- int8-batch [rounds] [perceptron|softmax]</c> (<see cref="QuantizedBatchStages"/>).
/// </remarks>
[MemoryDiagnoser]
[Config(typeof(QuantizedConfig))]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class QuantizedPeerBenchmarks : IWork, IDisposable
{
    private const int Offsets = 16, BatchRows = 64, Features = 784, Classes = 10;
    private const string OneRow = "1: one row, float[] at every offset", Batch = "2: 64 rows, per row";

    private TrainedModel _float = null!;
    private TrainedModel _int8 = null!;
    private float[] _row = [];
    private float[] _rows = [];
    private float[] _probabilities = [];
    private GCHandle _rowHandle;
    private readonly List<IDisposable> _disposables = [];
    private Peer _onnxFloat = null!;
    private Peer _onnxInt8 = null!;

    /// <summary>The model: a 784×10 softmax regression, or a 784-128-10 ReLU perceptron.</summary>
    [Params("softmax 784x10", "perceptron 784-128-10")]
    public string Model { get; set; } = "";

    [GlobalSetup]
    public void Setup()
    {
        IModel model = Model == "softmax 784x10"
            ? new SoftmaxRegression(Features, Classes)
            : new MultilayerPerceptron([Features, 128, Classes], Activation.Relu, seed: 0);

        // Trained-looking parameters as in QuantizedBenchmarks; pixel-like rows, 256 of them to calibrate on.
        var random = new Random(1);
        float scale = 2f / MathF.Sqrt(Features);
        foreach (ref float parameter in model.Parameters)
        {
            parameter = (float)(random.NextDouble() - 0.5) * scale;
        }

        _row = new float[Features + Offsets];
        _rows = new float[BatchRows * Features];
        float[] calibration = new float[256 * Features];
        foreach (float[] rows in new[] { _row, _rows, calibration })
        {
            for (int i = 0; i < rows.Length; i++)
            {
                rows[i] = (float)random.NextDouble();
            }
        }

        _probabilities = new float[BatchRows * Classes];
        _float = new TrainedModel(model);
        _int8 = _float.Quantize(calibration);

        _rowHandle = GCHandle.Alloc(_row, GCHandleType.Pinned);
        _onnxFloat = new Peer(Onnx(_float), _row, _rowHandle.AddrOfPinnedObject(), _rows, _probabilities, _disposables);
        _onnxInt8 = new Peer(Onnx(_int8), _row, _rowHandle.AddrOfPinnedObject(), _rows, _probabilities, _disposables);
        Agree(NativeFloat, OnnxRuntimeFloat, "float32, one row", Classes, 1e-4f);
        Agree(BatchNativeFloat, BatchOnnxRuntimeFloat, "float32, 64 rows", BatchRows * Classes, 1e-4f);

        // The QDQ graph standardizes, then quantizes, where the engine folds both: a level may round the other way.
        Agree(NativeInt8, OnnxRuntimeInt8, "int8, one row", Classes, 0.02f);
        Agree(BatchNativeInt8, BatchOnnxRuntimeInt8, "int8, 64 rows", BatchRows * Classes, 0.02f);
    }

    /// <inheritdoc/>
    public (double MultiplyAdds, double Bytes) Work(string method) => (Model == "softmax 784x10" ? Features * Classes : (Features * 128) + (128 * Classes), 0);

    [GlobalCleanup]
    public void Dispose()
    {
        Dispose(disposing: true);
        GC.SuppressFinalize(this);
    }

    protected virtual void Dispose(bool disposing)
    {
        if (!disposing)
        {
            return;
        }

        for (int i = _disposables.Count - 1; i >= 0; i--)
        {
            _disposables[i].Dispose();
        }

        _disposables.Clear();
        if (_rowHandle.IsAllocated)
        {
            _rowHandle.Free();
        }
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Offsets)]
    [BenchmarkCategory(OneRow)]
    public void NativeFloat()
    {
        for (int offset = 0; offset < Offsets; offset++)
        {
            _float.PredictProbabilities(_row.AsSpan(offset, Features), _probabilities.AsSpan(0, Classes));
        }
    }

    [Benchmark(OperationsPerInvoke = Offsets)]
    [BenchmarkCategory(OneRow)]
    public void NativeInt8()
    {
        for (int offset = 0; offset < Offsets; offset++)
        {
            _int8.PredictProbabilities(_row.AsSpan(offset, Features), _probabilities.AsSpan(0, Classes));
        }
    }

    [Benchmark(OperationsPerInvoke = Offsets)]
    [BenchmarkCategory(OneRow)]
    public void OnnxRuntimeFloat() => _onnxFloat.RunRows();

    [Benchmark(OperationsPerInvoke = Offsets)]
    [BenchmarkCategory(OneRow)]
    public void OnnxRuntimeInt8() => _onnxInt8.RunRows();

    [Benchmark(Baseline = true, OperationsPerInvoke = BatchRows)]
    [BenchmarkCategory(Batch)]
    public void BatchNativeFloat() => _float.PredictProbabilities(_rows, _probabilities);

    [Benchmark(OperationsPerInvoke = BatchRows)]
    [BenchmarkCategory(Batch)]
    public void BatchNativeInt8() => _int8.PredictProbabilities(_rows, _probabilities);

    [Benchmark(OperationsPerInvoke = BatchRows)]
    [BenchmarkCategory(Batch)]
    public void BatchOnnxRuntimeFloat() => _onnxFloat.RunBatch();

    [Benchmark(OperationsPerInvoke = BatchRows)]
    [BenchmarkCategory(Batch)]
    public void BatchOnnxRuntimeInt8() => _onnxInt8.RunBatch();

    /// <summary>Refuses to measure a peer whose probabilities are not Native's: the first <paramref name="count"/> each call writes.</summary>
    private void Agree(Action native, Action peer, string what, int count, float tolerance)
    {
        Array.Clear(_probabilities);
        native();
        float[] expected = _probabilities[..count];
        Array.Clear(_probabilities);
        peer();
        for (int i = 0; i < count; i++)
        {
            if (!(Math.Abs(expected[i] - _probabilities[i]) <= tolerance))
            {
                throw new InvalidOperationException($"{Model}, {what}: ONNX Runtime's probability {i} is {_probabilities[i]}, Native's {expected[i]}; the benchmark would compare different answers.");
            }
        }
    }

    private static byte[] Onnx(TrainedModel model)
    {
        using var file = new MemoryStream();
        ModelFile.Save(model, file, ModelFormat.Onnx);
        return file.ToArray();
    }

    /// <summary>One ONNX Runtime session with its bindings made once: one per row offset, and one for the batch.</summary>
    private sealed class Peer
    {
        private readonly InferenceSession _session;
        private readonly RunOptions _options;
        private readonly OrtIoBinding[] _rowBindings = new OrtIoBinding[Offsets];
        private readonly OrtIoBinding _batchBinding;

        public Peer(byte[] onnx, float[] row, IntPtr pinnedRow, float[] rows, float[] probabilities, List<IDisposable> owned)
        {
            var sessionOptions = new SessionOptions
            {
                IntraOpNumThreads = 1,
                InterOpNumThreads = 1,
                ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
                GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
            };
            owned.Add(sessionOptions);
            _session = Own(new InferenceSession(onnx, sessionOptions), owned);
            _options = Own(new RunOptions(), owned);

            OrtValue oneOutput = Own(OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, probabilities.AsMemory(0, Classes), [1, Classes]), owned);
            for (int offset = 0; offset < Offsets; offset++)
            {
                OrtValue input = Own(OrtValue.CreateTensorValueWithData(
                    OrtMemoryInfo.DefaultInstance, TensorElementType.Float, [1, Features], pinnedRow + (offset * sizeof(float)), Features * sizeof(float)), owned);
                _rowBindings[offset] = Own(_session.CreateIoBinding(), owned);
                _rowBindings[offset].BindInput("input", input);
                _rowBindings[offset].BindOutput("probabilities", oneOutput);
            }

            GC.KeepAlive(row);
            OrtValue batchInput = Own(OrtValue.CreateTensorValueFromMemory(rows, [BatchRows, Features]), owned);
            OrtValue batchOutput = Own(OrtValue.CreateTensorValueFromMemory(probabilities, [BatchRows, Classes]), owned);
            _batchBinding = Own(_session.CreateIoBinding(), owned);
            _batchBinding.BindInput("input", batchInput);
            _batchBinding.BindOutput("probabilities", batchOutput);
        }

        public void RunRows()
        {
            foreach (OrtIoBinding binding in _rowBindings)
            {
                _session.RunWithBinding(_options, binding);
            }
        }

        public void RunBatch() => _session.RunWithBinding(_options, _batchBinding);

        private static T Own<T>(T disposable, List<IDisposable> owned)
            where T : IDisposable
        {
            owned.Add(disposable);
            return disposable;
        }
    }
}
