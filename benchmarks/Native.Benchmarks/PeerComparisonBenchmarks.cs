using BenchmarkDotNet.Attributes;
using Native.Numerics;

namespace Native.Benchmarks;

/// <summary>
/// The work benchmarks/peers/peers.py does in PyTorch and scikit-learn, done here: whole epochs over
/// 60,000 × 784 rows in batches of 64 (softmax regression by SGD η = 0.1; the 784-128-10 ReLU perceptron by
/// momentum 0.05 / 0.9, on one thread and on two), and single-row predictions. An epoch is one
/// <see cref="TrainingSession.RunEpoch"/>: shuffling, batches gathered in place, steps, no validation.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(EpochConfig))]
public class EpochBenchmarks
{
    private TrainingSession _softmax = null!;
    private TrainingSession _perceptron = null!;
    private TrainingSession _perceptronTwoThreads = null!;

    [GlobalSetup]
    public void Setup()
    {
        Dataset data = MnistData.Rows60000;
        _softmax = Start(new SoftmaxRegression(784, 10), new GradientDescent(0.1f), data, 1);
        _perceptron = Start(new MultilayerPerceptron([784, 128, 10], Activation.Relu, seed: 1), new Momentum(0.05f, 0.9f), data, 1);
        _perceptronTwoThreads = Start(new MultilayerPerceptron([784, 128, 10], Activation.Relu, seed: 1), new Momentum(0.05f, 0.9f), data, 2);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _softmax.Dispose();
        _perceptron.Dispose();
        _perceptronTwoThreads.Dispose();
    }

    [Benchmark(Description = "softmax 784-10 epoch, run-time shape")]
    public EpochReport SoftmaxEpochRuntime() => _softmax.RunEpoch();

    [Benchmark(Description = "perceptron 784-128-10 epoch, run-time shape")]
    public EpochReport PerceptronEpochRuntime() => _perceptron.RunEpoch();

    [Benchmark(Description = "perceptron 784-128-10 epoch, run-time shape, 2 threads")]
    public EpochReport PerceptronEpochRuntimeTwoThreads() => _perceptronTwoThreads.RunEpoch();

    private static TrainingSession Start(IModel model, IOptimizer optimizer, Dataset data, int threads) =>
        new Trainer(model, optimizer, new TrainerOptions { BatchSize = 64, Epochs = int.MaxValue, Seed = 1, Parallelism = threads }).Begin(data);
}

/// <summary>Single-row predictions at the peers' shapes.</summary>
[MemoryDiagnoser]
[Config(typeof(VectorWidthConfig))]
public class PredictBenchmarks
{
    private readonly SoftmaxRegression _softmax = new(784, 10);
    private readonly MultilayerPerceptron _perceptron = new([784, 128, 10], Activation.Relu, seed: 1);
    private readonly float[] _probabilities = new float[10];
    private float[] _row = [];

    [GlobalSetup]
    public void Setup()
    {
        _row = MnistData.Rows60000.Row(0).ToArray();
        var random = new Random(1);
        foreach (ref float w in _softmax.Parameters)
        {
            w = (float)(random.NextDouble() - 0.5) * 0.01f;
        }
    }

    [Benchmark(Description = "softmax 784-10 probabilities, one row, run-time shape")]
    public void SoftmaxProbabilitiesRuntime() => _softmax.PredictProbabilities(_row, _probabilities);

    [Benchmark(Description = "perceptron 784-128-10 class, one row, run-time shape")]
    public int PerceptronPredictRuntime() => _perceptron.Predict(_row);
}
