using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using Native.Numerics;
using Native.Numerics.Kernels;

namespace Native.Benchmarks;

/// <summary>
/// The 784-128-10 ReLU perceptron (MNIST's classic shape): the probabilities of one row (a forward pass), of 64
/// rows (per row), and one plain-SGD step on 64 rows (per row); naive (baseline), TensorPrimitives,
/// run-time-shaped, generated; all with the same parameters.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(EfficiencyConfig))]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class PerceptronBenchmarks : IWork
{
    private const int Features = 784, Hidden = 128, Classes = 10, BatchRows = 64;
    private const float Rate = 0.01f;

    private readonly NaivePerceptron _naive = new(Features, Hidden, Classes);
    private readonly NaivePerceptron.Scratch _naiveScratch = new(Features, Hidden, Classes);
    private readonly ComposedPerceptron _composed = new(Features, Hidden, Classes);
    private readonly MultilayerPerceptron _runtime = new([Features, Hidden, Classes], Activation.Relu, seed: 1);
    private readonly DigitNet _generated = new();
    private readonly AlignedBuffer _rowBuffer = new(BatchRows * Features);
    private readonly AlignedBuffer _oneRow = new(Features);
    private readonly int[] _labels = new int[BatchRows];
    private readonly float[] _probabilities = new float[BatchRows * Classes];
    private readonly float[] _hidden = new float[Hidden];
    private readonly float[] _errors = new float[Hidden];
    private readonly float[] _p = new float[Classes];
    private readonly float[] _gradient = new float[(Hidden * Features) + Hidden + (Classes * Hidden) + Classes];
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

        // Every variant starts from the run-time model's seeded parameters (per layer W then b).
        ReadOnlySpan<float> parameters = _runtime.Parameters;
        parameters.CopyTo(_composed.Parameters);
        parameters.CopyTo(_generated.Parameters);
        int w2 = (Hidden * Features) + Hidden;
        parameters[..(Hidden * Features)].CopyTo(_naive.W1);
        parameters.Slice(Hidden * Features, Hidden).CopyTo(_naive.B1);
        parameters.Slice(w2, Classes * Hidden).CopyTo(_naive.W2);
        parameters.Slice(w2 + (Classes * Hidden), Classes).CopyTo(_naive.B2);
        _data = Dataset.FromLabels(_rowBuffer.Span, Features, _labels, Classes);
        _data.Row(0).CopyTo(_oneRow.Span);
        _batchRows = Enumerable.Range(0, BatchRows).ToArray();
        _sgd.Bind(_runtime.Parameters.Length);
    }

    /// <inheritdoc/>
    /// <remarks>
    /// Per row: the forward pass's multiply-adds (784 × 128 + 128 × 10) to predict; to train, those again for the
    /// weight gradients and 128 × 10 more to carry the errors back to the hidden layer. Rows and parameters stay in cache.
    /// </remarks>
    public (double MultiplyAdds, double Bytes) Work(string method)
    {
        const int forward = (Features * Hidden) + (Hidden * Classes);
        return (method.StartsWith("Train", StringComparison.Ordinal) ? (2 * forward) + (Hidden * Classes) : forward, 0);
    }

    [Benchmark(Baseline = true)]
    [BenchmarkCategory("1: predict one row")]
    public void PredictNaive() => _naive.Forward(_oneRow.Span, _hidden, _p);

    [Benchmark]
    [BenchmarkCategory("1: predict one row")]
    public void PredictComposed() => _composed.Probabilities(_oneRow.Span, _hidden, _p);

    [Benchmark]
    [BenchmarkCategory("1: predict one row")]
    public void PredictRunTime() => _runtime.Forward(_oneRow.Span, _p);

    [Benchmark]
    [BenchmarkCategory("1: predict one row")]
    public void PredictGenerated() => _generated.Forward(_oneRow.Span, _p);

    [Benchmark(Baseline = true, OperationsPerInvoke = BatchRows)]
    [BenchmarkCategory("2: predict 64 rows, per row")]
    public void BatchNaive()
    {
        for (int i = 0; i < BatchRows; i++)
        {
            _naive.Forward(_rowBuffer.Span.Slice(i * Features, Features), _hidden, _probabilities.AsSpan(i * Classes, Classes));
        }
    }

    [Benchmark(OperationsPerInvoke = BatchRows)]
    [BenchmarkCategory("2: predict 64 rows, per row")]
    public void BatchComposed()
    {
        for (int i = 0; i < BatchRows; i++)
        {
            _composed.Probabilities(_rowBuffer.Span.Slice(i * Features, Features), _hidden, _probabilities.AsSpan(i * Classes, Classes));
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
    public void TrainNaive() => _naive.TrainStep(_rowBuffer.Span, _labels, Rate, _naiveScratch);

    [Benchmark(OperationsPerInvoke = BatchRows)]
    [BenchmarkCategory("3: train step on 64 rows, per row")]
    public void TrainComposed() => _composed.TrainStep(_rowBuffer.Span, _labels, Rate, _gradient, _hidden, _errors, _p);

    [Benchmark(OperationsPerInvoke = BatchRows)]
    [BenchmarkCategory("3: train step on 64 rows, per row")]
    public void TrainRunTime() => GradientStep.Run(_runtime, Batch.FromDataset(_data, _batchRows), _gradient, _sgd);

    [Benchmark(OperationsPerInvoke = BatchRows)]
    [BenchmarkCategory("3: train step on 64 rows, per row")]
    public void TrainGenerated() => _generated.StepInPlace(Batch.FromDataset(_data, _batchRows), Rate / BatchRows);
}
