using BenchmarkDotNet.Attributes;
using Native.Numerics;

namespace Native.Benchmarks;

/// <summary>
/// Softmax regression, 784 features × 10 classes (MNIST's shape): single-row predict, batch predict (per
/// row) and one 64-row training step, naive scalar loops (the baseline) against the run-time-shaped model.
/// </summary>
[MemoryDiagnoser]
public class SoftmaxRegressionBenchmarks
{
    private const int Features = 784, Classes = 10, BatchRows = 64;

    private readonly NaiveSoftmaxRegression _naive = new(Features, Classes);
    private readonly SoftmaxRegression _runtime = new(Features, Classes);
    private readonly float[] _row = new float[Features];
    private readonly float[] _rows = new float[BatchRows * Features];
    private readonly int[] _labels = new int[BatchRows];
    private readonly float[] _probabilities = new float[BatchRows * Classes];
    private readonly float[] _scratch = new float[Classes];
    private readonly float[] _gradientW = new float[Features * Classes];
    private readonly float[] _gradientB = new float[Classes];
    private readonly float[] _gradient = new float[(Features * Classes) + Classes];
    private readonly GradientDescent _sgd = new(0.01f);
    private Dataset _batchData = null!;
    private int[] _batchRows = [];

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(1);
        for (int i = 0; i < _rows.Length; i++)
        {
            _rows[i] = (float)random.NextDouble();
        }

        for (int i = 0; i < _labels.Length; i++)
        {
            _labels[i] = random.Next(Classes);
        }

        _rows.AsSpan(0, Features).CopyTo(_row);
        for (int i = 0; i < _naive.Weights.Length; i++)
        {
            _naive.Weights[i] = (float)(random.NextDouble() - 0.5) * 0.01f;
        }

        _naive.Weights.CopyTo(_runtime.Parameters);
        _batchData = Dataset.FromLabels(_rows, Features, _labels, Classes);
        _batchRows = Enumerable.Range(0, BatchRows).ToArray();
        _sgd.Bind(_runtime.Parameters.Length);
    }

    [Benchmark(Baseline = true, Description = "predict, naive")]
    [BenchmarkCategory("predict")]
    public int PredictNaive() => _naive.Predict(_row, _scratch);

    [Benchmark(Description = "predict, run-time shape")]
    public int PredictRuntime() => _runtime.Predict(_row);

    [Benchmark(Description = "predict probabilities, run-time shape")]
    public void ProbabilitiesRuntime() => _runtime.PredictProbabilities(_row, _scratch);

    [Benchmark(Description = "batch of 64 probabilities, naive", OperationsPerInvoke = BatchRows)]
    public void BatchNaive()
    {
        for (int i = 0; i < BatchRows; i++)
        {
            _naive.Probabilities(_rows.AsSpan(i * Features, Features), _probabilities.AsSpan(i * Classes, Classes));
        }
    }

    [Benchmark(Description = "batch of 64 probabilities, run-time shape", OperationsPerInvoke = BatchRows)]
    public void BatchRuntime() => _runtime.PredictProbabilities(_rows, _probabilities);

    [Benchmark(Description = "train step 64 rows, naive", OperationsPerInvoke = BatchRows)]
    public void TrainNaive() => _naive.TrainStep(_rows, _labels, 0.01f, _gradientW, _gradientB, _scratch);

    [Benchmark(Description = "train step 64 rows, run-time shape", OperationsPerInvoke = BatchRows)]
    public void TrainRuntime()
    {
        Array.Clear(_gradient);
        _runtime.AccumulateGradient(Batch.FromDataset(_batchData, _batchRows), _gradient);
        System.Numerics.Tensors.TensorPrimitives.Multiply(_gradient, 1f / BatchRows, _gradient);
        _sgd.Step(_runtime.Parameters, _gradient);
    }
}
