using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using Native.Numerics;
using Native.Numerics.Kernels;

namespace Native.Benchmarks;

/// <summary>
/// Softmax regression, 784 features × 10 classes (MNIST's shape): the probabilities of one row, of a batch of 64
/// rows (per row), and one plain-SGD step on 64 rows (per row). Naive scalar loops (the baseline of each group),
/// composed from TensorPrimitives, the run-time-shaped model, and the generated one; all with the same parameters.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(EfficiencyConfig))]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class SoftmaxRegressionBenchmarks : IWork
{
    private const int Features = 784, Classes = 10, BatchRows = 64;
    private const float Rate = 0.01f;

    private readonly NaiveSoftmaxRegression _naive = new(Features, Classes);
    private readonly ComposedSoftmaxRegression _composed = new(Features, Classes);
    private readonly SoftmaxRegression _runtime = new(Features, Classes);
    private readonly DigitModel _generated = new();
    private readonly AlignedBuffer _rowBuffer = new(BatchRows * Features);
    private readonly AlignedBuffer _oneRow = new(Features);
    private readonly int[] _labels = new int[BatchRows];
    private readonly float[] _probabilities = new float[BatchRows * Classes];
    private readonly float[] _scratch = new float[Classes];
    private readonly float[] _gradientW = new float[Features * Classes];
    private readonly float[] _gradientB = new float[Classes];
    private readonly float[] _gradient = new float[(Features * Classes) + Classes];
    private readonly GradientDescent _sgd = new(Rate);
    private Dataset _data = null!;
    private int[] _batchRows = [];

    // Rows live 64-byte aligned, as in a Dataset: a float[] is only 8-byte aligned, its 512-bit loads would
    // split cache lines, and the result would depend on where the array happened to land.
    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(1);
        Span<float> rows = _rowBuffer.Span;
        for (int i = 0; i < rows.Length; i++)
        {
            rows[i] = (float)random.NextDouble();
        }

        for (int i = 0; i < _labels.Length; i++)
        {
            _labels[i] = random.Next(Classes);
        }

        for (int i = 0; i < _naive.Weights.Length; i++)
        {
            _naive.Weights[i] = (float)(random.NextDouble() - 0.5) * 0.01f;
        }

        _naive.Weights.CopyTo(_composed.Parameters, 0);
        _naive.Weights.CopyTo(_runtime.Parameters);
        _naive.Weights.CopyTo(_generated.Parameters);
        _data = Dataset.FromLabels(_rowBuffer.Span, Features, _labels, Classes);
        _data.Row(0).CopyTo(_oneRow.Span);
        _batchRows = Enumerable.Range(0, BatchRows).ToArray();
        _sgd.Bind(_runtime.Parameters.Length);
    }

    /// <inheritdoc/>
    /// <remarks>Per row: the forward pass's multiply-adds to predict; twice that to train (forward, then the gradient). Rows and parameters stay in cache.</remarks>
    public (double MultiplyAdds, double Bytes) Work(string method) =>
        (method.StartsWith("Train", StringComparison.Ordinal) ? 2 * Features * Classes : Features * Classes, 0);

    [Benchmark(Baseline = true)]
    [BenchmarkCategory("1: predict one row")]
    public void PredictNaive() => _naive.Probabilities(_oneRow.Span, _scratch);

    [Benchmark]
    [BenchmarkCategory("1: predict one row")]
    public void PredictComposed() => _composed.Probabilities(_oneRow.Span, _scratch);

    [Benchmark]
    [BenchmarkCategory("1: predict one row")]
    public void PredictRunTime() => _runtime.Forward(_oneRow.Span, _scratch);

    [Benchmark]
    [BenchmarkCategory("1: predict one row")]
    public void PredictGenerated() => _generated.Forward(_oneRow.Span, _scratch);

    [Benchmark(Baseline = true, OperationsPerInvoke = BatchRows)]
    [BenchmarkCategory("2: predict 64 rows, per row")]
    public void BatchNaive()
    {
        for (int i = 0; i < BatchRows; i++)
        {
            _naive.Probabilities(_rowBuffer.Span.Slice(i * Features, Features), _probabilities.AsSpan(i * Classes, Classes));
        }
    }

    [Benchmark(OperationsPerInvoke = BatchRows)]
    [BenchmarkCategory("2: predict 64 rows, per row")]
    public void BatchComposed()
    {
        for (int i = 0; i < BatchRows; i++)
        {
            _composed.Probabilities(_rowBuffer.Span.Slice(i * Features, Features), _probabilities.AsSpan(i * Classes, Classes));
        }
    }

    [Benchmark(OperationsPerInvoke = BatchRows)]
    [BenchmarkCategory("2: predict 64 rows, per row")]
    public void BatchRunTime() => _runtime.ForwardBatch(_rowBuffer.Span, _probabilities);

    [Benchmark(OperationsPerInvoke = BatchRows)]
    [BenchmarkCategory("2: predict 64 rows, per row")]
    public void BatchGenerated() => _generated.ForwardBatch(_rowBuffer.Span, _probabilities);

    [Benchmark(Baseline = true, OperationsPerInvoke = BatchRows)]
    [BenchmarkCategory("3: train step on 64 rows, per row")]
    public void TrainNaive() => _naive.TrainStep(_rowBuffer.Span, _labels, Rate, _gradientW, _gradientB, _scratch);

    [Benchmark(OperationsPerInvoke = BatchRows)]
    [BenchmarkCategory("3: train step on 64 rows, per row")]
    public void TrainComposed() => _composed.TrainStep(_rowBuffer.Span, _labels, Rate, _gradient, _scratch);

    [Benchmark(OperationsPerInvoke = BatchRows)]
    [BenchmarkCategory("3: train step on 64 rows, per row")]
    public void TrainRunTime() => GradientStep.Run(_runtime, Batch.FromDataset(_data, _batchRows), _gradient, _sgd);

    [Benchmark(OperationsPerInvoke = BatchRows)]
    [BenchmarkCategory("3: train step on 64 rows, per row")]
    public void TrainGenerated() => _generated.StepInPlace(Batch.FromDataset(_data, _batchRows), Rate / BatchRows);
}
