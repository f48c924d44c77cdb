using System.Globalization;
using System.Runtime.Intrinsics;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using Native.Numerics;
using Native.Numerics.CompilerServices;
using Native.Numerics.Kernels;
using Native.Numerics.Kernels.Quantized;
using Native.Numerics.Quantization;

namespace Native.Benchmarks;

/// <summary>
/// int8 beside float32: the probabilities of one row (<c>float[]</c> rows at each of the 16 offsets of a cache line, in
/// turn) and of 64 rows (per row), for MNIST's softmax regression and 784-128-10 ReLU perceptron. Float: the run-time
/// model (the baseline) and the generated one. int8: calibrated scales and per-row scales on this machine's fastest
/// integer path (VNNI where the CPU has it), and calibrated without VNNI (<c>vpmaddubsw</c> at the widest width), all
/// quantized from the float models' parameters. And an int8 file of the same shape (models/make-int8.sh: MNIST's trained
/// models, quantized) compiled in by <c>[GeneratedModel]</c> beside the same file from <c>ModelFile.Load</c>: the target is
/// compiled within 10 % of loaded (Int8Compiled against Int8Loaded; their weights differ from the rows above, their work not).
/// </summary>
/// <remarks>
/// The "Of ceiling" column puts each method's multiply-adds against this core's ceiling for its kind: float multiply-adds
/// in registers (<see cref="CeilingBenchmarks"/>) for the float models, byte multiply-adds in registers
/// (<see cref="IntegerCeilingBenchmarks"/>, with or without VNNI) for the int8 ones.
/// Run: <c>dotnet run -c Release --project benchmarks/Native.Benchmarks -- --filter '*QuantizedBenchmarks*' '*IntegerCeiling*' '*CeilingBenchmarks*'</c>.
/// </remarks>
[MemoryDiagnoser]
[Config(typeof(QuantizedConfig))]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class QuantizedBenchmarks : IWork
{
    private const int Offsets = 16, BatchRows = 64, Features = 784;
    private const string OneRow = "1: one row, float[] at every offset", Batch = "2: 64 rows, per row";

    private IClassifier _runTime = null!;
    private IClassifier _generated = null!;
    private QuantizedModel _calibrated = null!;
    private QuantizedModel _perRow = null!;
    private QuantizedModel _withoutVnni = null!;
    private TrainedModel _loaded = null!;
    private bool _softmax;
    private float[] _row = [];
    private float[] _rows = [];
    private float[] _probabilities = [];

    /// <summary>The model: MNIST's softmax regression, or its 784-128-10 ReLU perceptron.</summary>
    [Params("softmax 784x10", "perceptron 784-128-10")]
    public string Model { get; set; } = "";

    [GlobalSetup]
    public void Setup()
    {
        (_generated, _runTime) = Model == "softmax 784x10"
            ? ((IClassifier)new DigitModel(), (IClassifier)new SoftmaxRegression(Features, 10))
            : (new DigitNet(), new MultilayerPerceptron([Features, 128, 10], Activation.Relu, seed: 0));

        // Trained-looking parameters, the same in every model; rows of pixel-like values, 256 of them to calibrate on.
        var random = new Random(1);
        float scale = 2f / MathF.Sqrt(Features);
        for (int i = 0; i < ((IModel)_runTime).Parameters.Length; i++)
        {
            ((IModel)_runTime).Parameters[i] = ((IModel)_generated).Parameters[i] = (float)(random.NextDouble() - 0.5) * scale;
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

        _calibrated = QuantizedModel.Create(Quantizer.Quantize(_runTime.Shape, ((IModel)_runTime).Parameters, null, calibration, ActivationScaling.Calibrated));
        _perRow = QuantizedModel.Create(Quantizer.Quantize(_runTime.Shape, ((IModel)_runTime).Parameters, null, default, ActivationScaling.PerRow));
        _withoutVnni = QuantizedModel.Create(_calibrated.Parameters);
        _withoutVnni.Path = IntegerDispatch.Select(Native.Numerics.Kernels.SimdSupport.Preferred, vnni: false);
        _probabilities = new float[BatchRows * 10];

        // The int8 file the compiled-in model was compiled from, loaded at run time.
        _softmax = Model == "softmax 784x10";
        _loaded = ModelFile.Load(Path.Combine(AppContext.BaseDirectory, "models", _softmax ? "mnist-int8.safetensors" : "mnist-mlp-int8.safetensors"));
    }

    /// <inheritdoc/>
    public (double MultiplyAdds, double Bytes) Work(string method) => (Model == "softmax 784x10" ? Features * 10 : (Features * 128) + (128 * 10), 0);

    [Benchmark(Baseline = true, OperationsPerInvoke = Offsets)]
    [BenchmarkCategory(OneRow)]
    public void FloatRunTime()
    {
        for (int offset = 0; offset < Offsets; offset++)
        {
            _runTime.PredictProbabilities(_row.AsSpan(offset, Features), _probabilities.AsSpan(0, 10));
        }
    }

    [Benchmark(OperationsPerInvoke = Offsets)]
    [BenchmarkCategory(OneRow)]
    public void FloatGenerated()
    {
        for (int offset = 0; offset < Offsets; offset++)
        {
            _generated.PredictProbabilities(_row.AsSpan(offset, Features), _probabilities.AsSpan(0, 10));
        }
    }

    [Benchmark(OperationsPerInvoke = Offsets)]
    [BenchmarkCategory(OneRow)]
    public void Int8Calibrated()
    {
        for (int offset = 0; offset < Offsets; offset++)
        {
            _calibrated.PredictProbabilities(_row.AsSpan(offset, Features), _probabilities.AsSpan(0, 10));
        }
    }

    [Benchmark(OperationsPerInvoke = Offsets)]
    [BenchmarkCategory(OneRow)]
    public void Int8PerRow()
    {
        for (int offset = 0; offset < Offsets; offset++)
        {
            _perRow.PredictProbabilities(_row.AsSpan(offset, Features), _probabilities.AsSpan(0, 10));
        }
    }

    [Benchmark(OperationsPerInvoke = Offsets)]
    [BenchmarkCategory(OneRow)]
    public void Int8CalibratedWithoutVnni()
    {
        for (int offset = 0; offset < Offsets; offset++)
        {
            _withoutVnni.PredictProbabilities(_row.AsSpan(offset, Features), _probabilities.AsSpan(0, 10));
        }
    }

    [Benchmark(OperationsPerInvoke = Offsets)]
    [BenchmarkCategory(OneRow)]
    public void Int8Loaded()
    {
        for (int offset = 0; offset < Offsets; offset++)
        {
            _loaded.PredictProbabilities(_row.AsSpan(offset, Features), _probabilities.AsSpan(0, 10));
        }
    }

    [Benchmark(OperationsPerInvoke = Offsets)]
    [BenchmarkCategory(OneRow)]
    public void Int8Compiled()
    {
        for (int offset = 0; offset < Offsets; offset++)
        {
            if (_softmax)
            {
                CompiledMnistInt8.PredictProbabilities(_row.AsSpan(offset, Features), _probabilities.AsSpan(0, 10));
            }
            else
            {
                CompiledMnistNetInt8.PredictProbabilities(_row.AsSpan(offset, Features), _probabilities.AsSpan(0, 10));
            }
        }
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = BatchRows)]
    [BenchmarkCategory(Batch)]
    public void BatchFloatRunTime() => _runTime.PredictProbabilities(_rows, _probabilities);

    [Benchmark(OperationsPerInvoke = BatchRows)]
    [BenchmarkCategory(Batch)]
    public void BatchFloatGenerated() => _generated.PredictProbabilities(_rows, _probabilities);

    [Benchmark(OperationsPerInvoke = BatchRows)]
    [BenchmarkCategory(Batch)]
    public void BatchInt8Calibrated() => _calibrated.PredictProbabilities(_rows, _probabilities);

    [Benchmark(OperationsPerInvoke = BatchRows)]
    [BenchmarkCategory(Batch)]
    public void BatchInt8PerRow() => _perRow.PredictProbabilities(_rows, _probabilities);

    [Benchmark(OperationsPerInvoke = BatchRows)]
    [BenchmarkCategory(Batch)]
    public void BatchInt8CalibratedWithoutVnni() => _withoutVnni.PredictProbabilities(_rows, _probabilities);

    [Benchmark(OperationsPerInvoke = BatchRows)]
    [BenchmarkCategory(Batch)]
    public void BatchInt8Loaded() => _loaded.PredictProbabilities(_rows, _probabilities);

    [Benchmark(OperationsPerInvoke = BatchRows)]
    [BenchmarkCategory(Batch)]
    public void BatchInt8Compiled()
    {
        if (_softmax)
        {
            CompiledMnistInt8.PredictProbabilities(_rows, _probabilities);
        }
        else
        {
            CompiledMnistNetInt8.PredictProbabilities(_rows, _probabilities);
        }
    }
}

/// <summary>
/// Issue 23's one-row bound, step by step: a 784 × 10 softmax row (at each of the 16 float offsets of a line, in turn) as
/// the engine computes it — the row's 784 floats to bytes, the 10 sums of 784 byte products, the logits and softmax — each
/// step alone, the first two fused (<see cref="FeatureKernel"/>, what the engine runs with VNNI), and the whole call.
/// </summary>
/// <remarks>
/// A step alone overlaps with the same step of the next row; in the whole call each waits for the one before, so the
/// steps' sum is a lower bound on the row, not its time. Per 32 features the fused pass issues 4 fused multiply-adds, 4
/// conversions, 2 byte min/max and 10 <c>vpdpbusd</c> on the two ports 256-bit arithmetic shares (and 4 packs on a third):
/// at least 245 cycles a row for 784 × 10.
/// Run: <c>dotnet run -c Release --project benchmarks/Native.Benchmarks -- --filter '*QuantizedStepBenchmarks*'</c>.
/// </remarks>
[MemoryDiagnoser]
[System.Diagnostics.CodeAnalysis.SuppressMessage("Performance", "CA1822", Justification = "BenchmarkDotNet runs instance methods.")]
public class QuantizedStepBenchmarks
{
    private const int Offsets = 16, Features = 784, Classes = 10;

    private QuantizedModel _model = null!;
    private PackedLayer _layer = null!;
    private ZeroPointMap _map;
    private float[] _row = [];
    private byte[] _bytes = [];
    private int[] _sums = [];
    private float[] _logits = [];
    private float[] _probabilities = [];

    [GlobalSetup]
    public void Setup()
    {
        var softmax = new SoftmaxRegression(Features, Classes);
        var random = new Random(1);
        float scale = 2f / MathF.Sqrt(Features);
        foreach (ref float parameter in softmax.Parameters)
        {
            parameter = (float)(random.NextDouble() - 0.5) * scale;
        }

        _row = new float[Features + Offsets];
        float[] calibration = new float[256 * Features];
        foreach (float[] rows in new[] { _row, calibration })
        {
            for (int i = 0; i < rows.Length; i++)
            {
                rows[i] = (float)random.NextDouble();
            }
        }

        _model = QuantizedModel.Create(Quantizer.Quantize(softmax.Shape, softmax.Parameters, null, calibration, ActivationScaling.Calibrated));
        _layer = new PackedLayer(_model.Parameters.Layers[0], activation: null);
        _map = QuantizedModel.ZeroPointMapOf(_model.Parameters);
        _bytes = new byte[_layer.InputBytes];
        _sums = new int[_layer.PaddedOutputs];
        _logits = new float[_layer.PaddedOutputs];
        _probabilities = new float[Classes];
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Offsets, Description = "whole row: PredictProbabilities (int8, calibrated)")]
    public void WholeRow()
    {
        for (int offset = 0; offset < Offsets; offset++)
        {
            _model.PredictProbabilities(_row.AsSpan(offset, Features), _probabilities);
        }
    }

    [Benchmark(OperationsPerInvoke = Offsets, Description = "1. floats to bytes, 512-bit")]
    public void Bytes512()
    {
        for (int offset = 0; offset < Offsets; offset++)
        {
            LevelKernel.Features<Simd512, Vector512<float>, ZeroPointMap>(ref _row[offset], in _map, Features, ref _bytes[0]);
        }
    }

    [Benchmark(OperationsPerInvoke = Offsets, Description = "1. floats to bytes, 256-bit")]
    public void Bytes256()
    {
        for (int offset = 0; offset < Offsets; offset++)
        {
            LevelKernel.Features<Simd256, Vector256<float>, ZeroPointMap>(ref _row[offset], in _map, Features, ref _bytes[0]);
        }
    }

    [Benchmark(OperationsPerInvoke = Offsets, Description = "2. 10 sums of 784 byte products, vpdpbusd 256-bit")]
    public void SumsVnni256()
    {
        for (int offset = 0; offset < Offsets; offset++)
        {
            _layer.Sums<VnniProducts256, Vector256<byte>, Vector256<int>>(ref _bytes[0], ref _sums[0]);
        }
    }

    [Benchmark(OperationsPerInvoke = Offsets, Description = "2. 10 sums of 784 byte products, vpmaddubsw 512-bit")]
    public void Sums512()
    {
        for (int offset = 0; offset < Offsets; offset++)
        {
            _layer.Sums<Products512, Vector512<byte>, Vector512<int>>(ref _bytes[0], ref _sums[0]);
        }
    }

    [Benchmark(OperationsPerInvoke = Offsets, Description = "1 + 2 fused (FeatureKernel, vpdpbusd 256-bit)")]
    public void Fused()
    {
        for (int offset = 0; offset < Offsets; offset++)
        {
            FeatureKernel.Row<VnniProducts256, Vector256<byte>, Vector256<int>, ZeroPointMap>(ref _row[offset], in _map, Features, ref _bytes[0], ref _layer.Weights, _layer.InputBytes, Classes, ref _sums[0]);
        }
    }

    [Benchmark(OperationsPerInvoke = Offsets, Description = "3. logits and softmax, 512-bit")]
    public void Tail()
    {
        for (int offset = 0; offset < Offsets; offset++)
        {
            LevelKernel.Values<Simd512, Vector512<float>, IdentityFunction>(ref _sums[0], ref _layer.WeightSums, _layer.InputZeroPoint, _layer.InputScale, ref _layer.WeightScales, ref _layer.Biases, _layer.PaddedOutputs, 0f, ref _logits[0]);
            Probabilities<SoftmaxHead>(ref _logits[0], ref _probabilities[0]);
        }
    }

    private static void Probabilities<THead>(ref float logits, ref float probabilities)
        where THead : struct, IOutputHead => THead.Probabilities<Simd512, Vector512<float>>(ref logits, Classes, ref probabilities);
}

/// <summary>The quantized benchmarks' ceiling column (the job is BenchmarkDotNet's default, or the command line's).</summary>
public sealed class QuantizedConfig : ManualConfig
{
    public QuantizedConfig() => AddColumn(new QuantizedEfficiencyColumn());
}

/// <summary>
/// A benchmark's time as a share of what this core's ceiling allows for its multiply-adds: the float ceiling for the
/// float methods, the byte ceiling for the int8 ones (VNNI's, unless the method runs without it).
/// </summary>
public sealed class QuantizedEfficiencyColumn : IColumn
{
    public string Id => nameof(QuantizedEfficiencyColumn);

    public string ColumnName => "Of ceiling";

    public bool AlwaysShow => true;

    public ColumnCategory Category => ColumnCategory.Custom;

    public int PriorityInCategory => 0;

    public bool IsNumeric => true;

    public UnitType UnitType => UnitType.Dimensionless;

    public string Legend => "Share of this core's ceiling (float multiply-adds, or byte multiply-adds, in registers) the benchmark's work reaches";

    public bool IsAvailable(Summary summary) => true;

    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        double? mean = summary[benchmarkCase]?.ResultStatistics?.Mean;
        if (mean is not > 0 || Activator.CreateInstance(benchmarkCase.Descriptor.Type) is not IWork work)
        {
            return "-";
        }

        foreach (var parameter in benchmarkCase.Parameters.Items)
        {
            benchmarkCase.Descriptor.Type.GetProperty(parameter.Name)?.SetValue(work, parameter.Value);
        }

        string method = benchmarkCase.Descriptor.WorkloadMethod.Name;
        double multiplyAdds = work.Work(method).MultiplyAdds;
        double rate = method.Contains("Int8", StringComparison.Ordinal)
            ? IntegerCeiling.BytesPerNanosecond(vnni: !method.EndsWith("WithoutVnni", StringComparison.Ordinal))
            : Ceiling.MultiplyAddsPerNanosecond(null);
        return rate > 0 ? (multiplyAdds / rate / mean.Value).ToString("P0", CultureInfo.InvariantCulture) : "-";
    }
}
