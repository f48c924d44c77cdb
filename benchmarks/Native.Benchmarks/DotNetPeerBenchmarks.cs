using System.Runtime.CompilerServices;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Filters;
using BenchmarkDotNet.Jobs;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.OnnxRuntime;
using Native.Numerics;
using Native.Numerics.Kernels;

namespace Native.Benchmarks;

/// <summary>
/// Prediction by Native and by the .NET peers a .NET user would otherwise choose, on the same rows and the same shapes:
/// Native's generated model (the baseline) and its run-time-shaped twin; ONNX Runtime 1.31.1 on the ONNX file Native
/// exports for that model; ML.NET 5.0.1 on a model of the same shape from its own trainer. Each writes what the model
/// predicts for every row — the class probabilities, or P(class 1) for the logistic regression — into memory it was
/// given once.
/// </summary>
/// <remarks>
/// <para>
/// Rows are a pinned <c>float[]</c> read at each of the 16 float offsets of a 64-byte line in turn (the mean over where
/// a user's array lands, as <see cref="RowLayoutBenchmarks"/> measures): Native reads the span, ONNX Runtime an
/// <see cref="OrtValue"/> bound once over the same memory at each offset. ML.NET cannot read a row at an offset: its
/// rows are objects each holding their own <c>float[]</c>, as its users write them.
/// </para>
/// <para>
/// Each peer at its fastest honest use. ONNX Runtime: an <see cref="InferenceSession"/> with one intra-op and one
/// inter-op thread, sequential execution, every graph optimization, inputs and output pre-bound
/// (<see cref="OrtIoBinding"/>, one binding per offset), only the probabilities output asked for. ML.NET:
/// <see cref="PredictionEngine{TSrc, TDst}.Predict(TSrc, ref TDst)"/> reusing one output object, with an output type
/// holding only the probabilities (ML.NET computes only the columns asked for); for a batch also
/// <see cref="ITransformer.Transform"/> over an in-memory <see cref="IDataView"/> of the rows, read by a cursor over
/// the probabilities column (its batch form, without the per-row object mapping of <c>CreateEnumerable</c>). ML.NET
/// trains no perceptron, so it has no perceptron rows (<see cref="DotNetPeerConfig"/> leaves them out). ML.NET
/// models cannot be given weights through its public API: it is trained on rows Native's model labelled, to dense
/// weights (see <see cref="MlNet.TrainLike"/>).
/// </para>
/// </remarks>
[MemoryDiagnoser]
[Config(typeof(DotNetPeerConfig))]
public abstract class DotNetPeerBenchmarks : IWork, IDisposable
{
    /// <summary>The float offsets of a 64-byte line: every benchmark reads its row (or batch) at each in turn.</summary>
    protected const int Offsets = AlignedBuffer.FloatsPerLine;

    /// <summary>Rows of a batch.</summary>
    protected const int BatchRows = 64;

    private IModel _generated = null!;
    private IModel _runTime = null!;
    private float[] _rows = [];
    private float[] _outputs = [];
    private int _features;

    private InferenceSession? _session;
    private RunOptions? _runOptions;
    private OrtValue[] _inputs = [];
    private OrtValue? _output;
    private OrtIoBinding[] _bindings = [];

    private PredictionEngineBase<MlNet.FeatureRow, MlNet.ClassProbabilities>? _engine;
    private PredictionEngineBase<MlNet.FeatureRow, MlNet.BinaryProbability>? _binaryEngine;
    private MlNet.ClassProbabilities _classOutput = new();
    private MlNet.BinaryProbability _binaryOutput = new();
    private MlNet.FeatureRow[] _mlRows = [];
    private ITransformer? _mlModel;
    private IDataView? _mlBatch;
    private VBuffer<float> _scores;

    /// <summary>The model: softmax 4 × 3, logistic 30, softmax 64 × 10 and 784 × 10, the 784-128-10 ReLU perceptron (MLP).</summary>
    [Params(PeerModels.Softmax4x3, PeerModels.Logistic30, PeerModels.Softmax64x10, PeerModels.Softmax784x10, PeerModels.Perceptron)]
    public string Model { get; set; } = PeerModels.Softmax4x3;

    /// <summary>Rows per call: 1, or <see cref="BatchRows"/>.</summary>
    protected abstract int Rows { get; }

    /// <summary>Native's two models and the rows; what every benchmark needs.</summary>
    [GlobalSetup]
    public void Setup()
    {
        (_generated, _runTime) = PeerModels.Create(Model);
        _features = _runTime.Features;
        float[] values = PeerModels.RandomRows(Rows + Offsets, _features);
        _rows = GC.AllocateUninitializedArray<float>((Rows * _features) + Offsets, pinned: true);
        values.AsSpan(0, _rows.Length).CopyTo(_rows);
        _outputs = new float[Rows * _runTime.Outputs];
    }

    /// <summary>The session and one binding per offset, for <c>OnnxRuntime</c>.</summary>
    [GlobalSetup(Target = "OnnxRuntime")]
    public void SetupOnnxRuntime()
    {
        Setup();
        using var file = new MemoryStream();
        ModelFile.Save(_runTime, file, ModelFormat.Onnx);
        using var options = new SessionOptions
        {
            IntraOpNumThreads = 1,
            InterOpNumThreads = 1,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
        };
        _session = new InferenceSession(file.ToArray(), options);
        _runOptions = new RunOptions();
        _output = OrtValue.CreateTensorValueFromMemory(_outputs, [Rows, _runTime.Outputs]);
        string outputName = _runTime.Shape.Kind == ModelKind.LogisticRegression ? "probability" : "probabilities";
        _inputs = new OrtValue[Offsets];
        _bindings = new OrtIoBinding[Offsets];
        for (int offset = 0; offset < Offsets; offset++)
        {
            _inputs[offset] = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, new Memory<float>(_rows, offset, Rows * _features), [Rows, _features]);
            _bindings[offset] = _session.CreateIoBinding();
            _bindings[offset].BindInput("input", _inputs[offset]);
            _bindings[offset].BindOutput(outputName, _output);
        }

        // The same work: ONNX Runtime's outputs are Native's, on the rows at the last offset.
        var native = new float[_outputs.Length];
        Predict(_runTime, Offsets - 1, native);
        Onnx(Offsets - 1);
        for (int i = 0; i < native.Length; i++)
        {
            if (MathF.Abs(native[i] - _outputs[i]) > 1e-5f)
            {
                throw new InvalidOperationException($"ONNX Runtime predicts {_outputs[i]} where Native predicts {native[i]} (output {i}).");
            }
        }
    }

    /// <summary>The ML.NET model, its prediction engine and its rows, for the ML.NET benchmarks.</summary>
    [GlobalSetup(Targets = ["MlNetPredictionEngine", "MlNetTransform"])]
    public void SetupMlNet()
    {
        Setup();
        var ml = new MLContext(MlNet.Seed);
        _mlModel = MlNet.TrainLike(ml, _runTime);
        if (_runTime.Outputs == 1)
        {
            _binaryEngine = MlNet.Engine<MlNet.BinaryProbability>(ml, _mlModel, _features);
        }
        else
        {
            _engine = MlNet.Engine<MlNet.ClassProbabilities>(ml, _mlModel, _features);
        }

        // One object per row, each with its own array: the rows at each offset, or the batch's rows.
        _mlRows = new MlNet.FeatureRow[Rows == 1 ? Offsets : Rows];
        for (int i = 0; i < _mlRows.Length; i++)
        {
            int start = Rows == 1 ? i : i * _features;
            _mlRows[i] = new MlNet.FeatureRow { Features = _rows.AsSpan(start, _features).ToArray() };
        }

        _mlBatch = ml.Data.LoadFromEnumerable(_mlRows, MlNet.FeatureSchema(_features));
    }

    [GlobalCleanup]
    public void Dispose()
    {
        Dispose(disposing: true);
        GC.SuppressFinalize(this);
    }

    /// <inheritdoc/>
    public (double MultiplyAdds, double Bytes) Work(string method) => (PeerModels.MultiplyAdds(Model), 0);

    protected virtual void Dispose(bool disposing)
    {
        if (!disposing)
        {
            return;
        }

        foreach (OrtIoBinding binding in _bindings)
        {
            binding.Dispose();
        }

        foreach (OrtValue input in _inputs)
        {
            input.Dispose();
        }

        _output?.Dispose();
        _runOptions?.Dispose();
        _session?.Dispose();
        _engine?.Dispose();
        _binaryEngine?.Dispose();
        _bindings = [];
        _inputs = [];
    }

    /// <summary>Native's generated model on the rows at <paramref name="offset"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    protected void Generated(int offset) => Predict(_generated, offset, _outputs);

    /// <summary>Native's run-time-shaped model on the rows at <paramref name="offset"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    protected void RunTime(int offset) => Predict(_runTime, offset, _outputs);

    /// <summary>ONNX Runtime on the rows at <paramref name="offset"/>, through that offset's binding.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    protected void Onnx(int offset) => _session!.RunWithBinding(_runOptions, _bindings[offset]);

    /// <summary>ML.NET's prediction engine on its <paramref name="index"/>-th row object.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    protected void Engine(int index)
    {
        if (_engine is not null)
        {
            _engine.Predict(_mlRows[index], ref _classOutput);
        }
        else
        {
            _binaryEngine!.Predict(_mlRows[index], ref _binaryOutput);
        }
    }

    /// <summary>ML.NET's transform over the batch's data view, every row's probabilities read by a cursor.</summary>
    protected float Transform()
    {
        IDataView scored = _mlModel!.Transform(_mlBatch!);
        DataViewSchema.Column column = scored.Schema[_engine is not null ? "Score" : "Probability"];
        using DataViewRowCursor cursor = scored.GetRowCursor([column]);
        float sum = 0f;
        if (_engine is not null)
        {
            ValueGetter<VBuffer<float>> getter = cursor.GetGetter<VBuffer<float>>(column);
            while (cursor.MoveNext())
            {
                getter(ref _scores);
                sum += _scores.GetValues()[0];
            }
        }
        else
        {
            ValueGetter<float> getter = cursor.GetGetter<float>(column);
            float probability = 0f;
            while (cursor.MoveNext())
            {
                getter(ref probability);
                sum += probability;
            }
        }

        return sum;
    }

    private void Predict(IModel model, int offset, Span<float> outputs)
    {
        ReadOnlySpan<float> rows = _rows.AsSpan(offset, Rows * _features);
        if (Rows == 1)
        {
            model.Forward(rows, outputs);
        }
        else
        {
            model.ForwardBatch(rows, outputs);
        }
    }
}

/// <summary>One row per call: the mean over the 16 offsets of a cache line.</summary>
public class DotNetPeerOneRowBenchmarks : DotNetPeerBenchmarks
{
    protected override int Rows => 1;

    [Benchmark(Baseline = true, OperationsPerInvoke = Offsets)]
    public void NativeGenerated()
    {
        for (int offset = 0; offset < Offsets; offset++)
        {
            Generated(offset);
        }
    }

    [Benchmark(OperationsPerInvoke = Offsets)]
    public void NativeRunTime()
    {
        for (int offset = 0; offset < Offsets; offset++)
        {
            RunTime(offset);
        }
    }

    [Benchmark(OperationsPerInvoke = Offsets)]
    public void OnnxRuntime()
    {
        for (int offset = 0; offset < Offsets; offset++)
        {
            Onnx(offset);
        }
    }

    [Benchmark(OperationsPerInvoke = Offsets)]
    public void MlNetPredictionEngine()
    {
        for (int row = 0; row < Offsets; row++)
        {
            Engine(row);
        }
    }
}

/// <summary>64 rows per call, the time per row: the mean over the 16 offsets of a cache line where the batch starts.</summary>
public class DotNetPeerBatchBenchmarks : DotNetPeerBenchmarks
{
    protected override int Rows => BatchRows;

    [Benchmark(Baseline = true, OperationsPerInvoke = Offsets * BatchRows)]
    public void NativeGenerated()
    {
        for (int offset = 0; offset < Offsets; offset++)
        {
            Generated(offset);
        }
    }

    [Benchmark(OperationsPerInvoke = Offsets * BatchRows)]
    public void NativeRunTime()
    {
        for (int offset = 0; offset < Offsets; offset++)
        {
            RunTime(offset);
        }
    }

    [Benchmark(OperationsPerInvoke = Offsets * BatchRows)]
    public void OnnxRuntime()
    {
        for (int offset = 0; offset < Offsets; offset++)
        {
            Onnx(offset);
        }
    }

    /// <summary>The prediction engine row by row over the batch's 64 row objects.</summary>
    [Benchmark(OperationsPerInvoke = Offsets * BatchRows)]
    public void MlNetPredictionEngine()
    {
        for (int pass = 0; pass < Offsets; pass++)
        {
            for (int row = 0; row < BatchRows; row++)
            {
                Engine(row);
            }
        }
    }

    /// <summary>The batch through <see cref="ITransformer.Transform"/>.</summary>
    [Benchmark(OperationsPerInvoke = Offsets * BatchRows)]
    public float MlNetTransform()
    {
        float sum = 0f;
        for (int pass = 0; pass < Offsets; pass++)
        {
            sum += Transform();
        }

        return sum;
    }
}

/// <summary>3 warm-up and 10 measured iterations, the efficiency column, and no ML.NET benchmark of the perceptron (ML.NET trains none).</summary>
public sealed class DotNetPeerConfig : ManualConfig
{
    public DotNetPeerConfig()
    {
        AddJob(Job.Default.WithWarmupCount(3).WithIterationCount(10).WithId("peers"));
        AddColumn(new EfficiencyColumn());
        AddFilter(new SimpleFilter(benchmark =>
            !(benchmark.Descriptor.WorkloadMethod.Name.StartsWith("MlNet", StringComparison.Ordinal)
              && benchmark.Parameters["Model"] is PeerModels.Perceptron)));
    }
}
