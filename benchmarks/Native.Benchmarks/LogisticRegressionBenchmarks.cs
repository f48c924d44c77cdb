using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using Native.Numerics;
using Native.Numerics.Kernels;

namespace Native.Benchmarks;

/// <summary>
/// Logistic regression on 30 features (the breast-cancer data's shape): P(y = 1) of one row, of 64 rows (per row),
/// and one plain-SGD step on 64 rows (per row); naive (baseline), TensorPrimitives, run-time-shaped, generated.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(EfficiencyConfig))]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class LogisticRegressionBenchmarks : IWork
{
    private const int Features = 30, BatchRows = 64;
    private const float Rate = 0.01f;

    private readonly NaiveLogisticRegression _naive = new(Features);
    private readonly ComposedLogisticRegression _composed = new(Features);
    private readonly LogisticRegression _runtime = new(Features);
    private readonly TumorModel _generated = new();
    private readonly AlignedBuffer _rowBuffer = new(BatchRows * Features);
    private readonly AlignedBuffer _oneRow = new(Features);
    private readonly int[] _labels = new int[BatchRows];
    private readonly float[] _probabilities = new float[BatchRows];
    private readonly float[] _pair = new float[2];
    private readonly float[] _gradient = new float[Features + 1];
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
            rows[i] = (float)((random.NextDouble() * 2) - 1);
        }

        for (int i = 0; i < _labels.Length; i++)
        {
            _labels[i] = random.Next(2);
        }

        for (int i = 0; i < Features; i++)
        {
            _naive.Weights[i] = (float)(random.NextDouble() - 0.5) * 0.2f;
        }

        _naive.Weights.CopyTo(_composed.Parameters, 0);
        _naive.Weights.CopyTo(_runtime.Parameters);
        _naive.Weights.CopyTo(_generated.Parameters);
        _data = Dataset.FromLabels(_rowBuffer.Span, Features, _labels, 2);
        _data.Row(0).CopyTo(_oneRow.Span);
        _batchRows = Enumerable.Range(0, BatchRows).ToArray();
        _sgd.Bind(_runtime.Parameters.Length);
    }

    /// <inheritdoc/>
    /// <remarks>Per row: 30 multiply-adds to predict; twice that to train (forward, then the gradient). Rows and parameters stay in cache.</remarks>
    public (double MultiplyAdds, double Bytes) Work(string method) =>
        (method.StartsWith("Train", StringComparison.Ordinal) ? 2 * Features : Features, 0);

    [Benchmark(Baseline = true)]
    [BenchmarkCategory("1: predict one row")]
    public float PredictNaive() => _naive.Probability(_oneRow.Span);

    [Benchmark]
    [BenchmarkCategory("1: predict one row")]
    public float PredictComposed() => _composed.Probability(_oneRow.Span);

    [Benchmark]
    [BenchmarkCategory("1: predict one row")]
    public float PredictRunTime()
    {
        _runtime.PredictProbabilities(_oneRow.Span, _pair);
        return _pair[1];
    }

    [Benchmark]
    [BenchmarkCategory("1: predict one row")]
    public float PredictGenerated()
    {
        _generated.PredictProbabilities(_oneRow.Span, _pair);
        return _pair[1];
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = BatchRows)]
    [BenchmarkCategory("2: predict 64 rows, per row")]
    public void BatchNaive()
    {
        for (int i = 0; i < BatchRows; i++)
        {
            _probabilities[i] = _naive.Probability(_rowBuffer.Span.Slice(i * Features, Features));
        }
    }

    [Benchmark(OperationsPerInvoke = BatchRows)]
    [BenchmarkCategory("2: predict 64 rows, per row")]
    public void BatchComposed() => _composed.Probabilities(_rowBuffer.Span, _probabilities);

    [Benchmark(OperationsPerInvoke = BatchRows)]
    [BenchmarkCategory("2: predict 64 rows, per row")]
    public void BatchRunTime() => _runtime.ForwardBatch(_rowBuffer.Span, _probabilities);

    [Benchmark(OperationsPerInvoke = BatchRows)]
    [BenchmarkCategory("2: predict 64 rows, per row")]
    public void BatchGenerated() => _generated.ForwardBatch(_rowBuffer.Span, _probabilities);

    [Benchmark(Baseline = true, OperationsPerInvoke = BatchRows)]
    [BenchmarkCategory("3: train step on 64 rows, per row")]
    public void TrainNaive() => _naive.TrainStep(_rowBuffer.Span, _labels, Rate, _gradient);

    [Benchmark(OperationsPerInvoke = BatchRows)]
    [BenchmarkCategory("3: train step on 64 rows, per row")]
    public void TrainComposed() => _composed.TrainStep(_rowBuffer.Span, _labels, Rate, _gradient, _probabilities);

    [Benchmark(OperationsPerInvoke = BatchRows)]
    [BenchmarkCategory("3: train step on 64 rows, per row")]
    public void TrainRunTime() => GradientStep.Run(_runtime, Batch.FromDataset(_data, _batchRows), _gradient, _sgd);

    [Benchmark(OperationsPerInvoke = BatchRows)]
    [BenchmarkCategory("3: train step on 64 rows, per row")]
    public void TrainGenerated() => _generated.StepInPlace(Batch.FromDataset(_data, _batchRows), Rate / BatchRows);
}
