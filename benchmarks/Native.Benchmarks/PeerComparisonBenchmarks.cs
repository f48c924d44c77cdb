using BenchmarkDotNet.Attributes;
using Native.Numerics;
using Native.Numerics.Kernels;

namespace Native.Benchmarks;

/// <summary>
/// The work benchmarks/peers/peers.py does in PyTorch and scikit-learn, done here: whole epochs over
/// 60,000 × 784 rows in batches of 64 (softmax regression by SGD η = 0.1; the 784-128-10 ReLU perceptron by
/// momentum 0.05 / 0.9, on one thread and on two), and single-row predictions. An epoch is one
/// <see cref="TrainingSession.RunEpoch"/>: shuffling, batches gathered in place, steps, no validation.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(EpochConfig))]
public class EpochBenchmarks : IWork
{
    private const int Rows = 60_000;
    private readonly List<TrainingSession> _sessions = [];
    private TrainingSession _softmax = null!;
    private TrainingSession _softmaxGenerated = null!;
    private TrainingSession _perceptron = null!;
    private TrainingSession _perceptronGenerated = null!;
    private TrainingSession _perceptronTwoThreads = null!;
    private TrainingSession _perceptronGeneratedTwoThreads = null!;

    [GlobalSetup]
    public void Setup()
    {
        Dataset data = MnistData.Rows60000;
        _softmax = Start(new SoftmaxRegression(784, 10), new GradientDescent(0.1f), data, 1);
        _softmaxGenerated = Start(new DigitModel(), new GradientDescent(0.1f), data, 1);
        _perceptron = Start(new MultilayerPerceptron([784, 128, 10], Activation.Relu, seed: 1), new Momentum(0.05f, 0.9f), data, 1);
        _perceptronGenerated = Start(Seeded(new DigitNet()), new Momentum(0.05f, 0.9f), data, 1);
        _perceptronTwoThreads = Start(new MultilayerPerceptron([784, 128, 10], Activation.Relu, seed: 1), new Momentum(0.05f, 0.9f), data, 2);
        _perceptronGeneratedTwoThreads = Start(Seeded(new DigitNet()), new Momentum(0.05f, 0.9f), data, 2);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        foreach (TrainingSession session in _sessions)
        {
            session.Dispose();
        }
    }

    /// <inheritdoc/>
    /// <remarks>
    /// An epoch's multiply-adds (per row, the forward pass and the gradient: 2 × 784 × 10 for softmax regression;
    /// 2 × (784 × 128 + 128 × 10) + 128 × 10 for the perceptron) and its bytes from memory (every row read once: the
    /// 188 MB of rows do not fit the caches). The two-thread epochs count half of each, each core's share, since the
    /// ceiling is one core's.
    /// </remarks>
    public (double MultiplyAdds, double Bytes) Work(string method)
    {
        double multiplyAdds = method.StartsWith("Softmax", StringComparison.Ordinal)
            ? 2.0 * 784 * 10
            : (2.0 * ((784 * 128) + (128 * 10))) + (128 * 10);
        double share = method.EndsWith("TwoThreads", StringComparison.Ordinal) ? 0.5 : 1;
        return (share * Rows * multiplyAdds, share * Rows * 784 * sizeof(float));
    }

    [Benchmark(Description = "softmax 784-10 epoch, run-time shape")]
    public EpochReport SoftmaxEpochRuntime() => _softmax.RunEpoch();

    [Benchmark(Description = "softmax 784-10 epoch, generated")]
    public EpochReport SoftmaxEpochGenerated() => _softmaxGenerated.RunEpoch();

    [Benchmark(Description = "perceptron 784-128-10 epoch, run-time shape")]
    public EpochReport PerceptronEpochRuntime() => _perceptron.RunEpoch();

    [Benchmark(Description = "perceptron 784-128-10 epoch, generated")]
    public EpochReport PerceptronEpochGenerated() => _perceptronGenerated.RunEpoch();

    [Benchmark(Description = "perceptron 784-128-10 epoch, run-time shape, 2 threads")]
    public EpochReport PerceptronEpochRuntimeTwoThreads() => _perceptronTwoThreads.RunEpoch();

    [Benchmark(Description = "perceptron 784-128-10 epoch, generated, 2 threads")]
    public EpochReport PerceptronEpochGeneratedTwoThreads() => _perceptronGeneratedTwoThreads.RunEpoch();

    private static DigitNet Seeded(DigitNet model)
    {
        model.Initialize(seed: 1);
        return model;
    }

    private TrainingSession Start(IModel model, Optimizer optimizer, Dataset data, int threads)
    {
        TrainingSession session = new Trainer(model, optimizer, new TrainerOptions { BatchSize = 64, Epochs = int.MaxValue, Seed = 1, Parallelism = threads }).Begin(data);
        _sessions.Add(session);
        return session;
    }
}

/// <summary>Single-row predictions at the peers' shapes.</summary>
[MemoryDiagnoser]
[Config(typeof(VectorWidthConfig))]
public class PredictBenchmarks : IWork
{
    private readonly SoftmaxRegression _softmax = new(784, 10);
    private readonly DigitModel _softmaxGenerated = new();
    private readonly MultilayerPerceptron _perceptron = new([784, 128, 10], Activation.Relu, seed: 1);
    private readonly DigitNet _perceptronGenerated = new();
    private readonly float[] _probabilities = new float[10];
    private readonly AlignedBuffer _row = new(784);

    [GlobalSetup]
    public void Setup()
    {
        // A real digit, aligned as a dataset's rows are; written parameters, as a trained model's are.
        MnistData.Rows60000.Row(0).CopyTo(_row.Span);
        var random = new Random(1);
        foreach (ref float w in _softmax.Parameters)
        {
            w = (float)(random.NextDouble() - 0.5) * 0.01f;
        }

        _softmax.Parameters.CopyTo(_softmaxGenerated.Parameters);
        _perceptron.Parameters.CopyTo(_perceptronGenerated.Parameters);
    }

    /// <inheritdoc/>
    /// <remarks>One row's forward pass: 784 × 10 multiply-adds, or 784 × 128 + 128 × 10 for the perceptron; the row and the parameters stay in cache.</remarks>
    public (double MultiplyAdds, double Bytes) Work(string method) =>
        (method.StartsWith("Softmax", StringComparison.Ordinal) ? 784 * 10 : (784 * 128) + (128 * 10), 0);

    [Benchmark(Description = "softmax 784-10 probabilities, one row, run-time shape")]
    public void SoftmaxProbabilitiesRuntime() => _softmax.PredictProbabilities(_row.Span, _probabilities);

    [Benchmark(Description = "softmax 784-10 probabilities, one row, generated")]
    public void SoftmaxProbabilitiesGenerated() => _softmaxGenerated.PredictProbabilities(_row.Span, _probabilities);

    [Benchmark(Description = "perceptron 784-128-10 class, one row, run-time shape")]
    public int PerceptronPredictRuntime() => _perceptron.PredictClass(_row.Span);

    [Benchmark(Description = "perceptron 784-128-10 class, one row, generated")]
    public int PerceptronPredictGenerated() => _perceptronGenerated.PredictClass(_row.Span);
}
