using System.Diagnostics;
using Native.Numerics;
using Native.Numerics.Kernels;

namespace Native.Tests.Training;

/// <summary>
/// The divergence guard's factor (a loss that explodes but stays finite), and cancellation inside a batch that
/// takes seconds.
/// </summary>
[Collection(nameof(DivergenceAndCancellationTests))]
public sealed class DivergenceAndCancellationTests
{
    [Fact]
    public void ALossThatExplodesButStaysFiniteStopsTraining()
    {
        // The softmax at --lr 1e10: loss 1.1 → 5.9e8, accuracy swinging, exit 0 and a model saved.
        var model = new SoftmaxRegression(2, 3);
        var snapshots = new Snapshots(model);
        var trainer = new Trainer(model, new GradientDescent(1e10f), new TrainerOptions { Epochs = 30, BatchSize = 32, Seed = 1 });

        TrainingDivergedException error = Assert.Throws<TrainingDivergedException>(() => trainer.Fit(TrainerTests.Blobs(300, 1), callback: snapshots));

        Assert.Contains("more than 10000 times its best", error.Message, StringComparison.Ordinal);
        Assert.Contains("above where training started", error.Message, StringComparison.Ordinal);
        Assert.Equal(snapshots.Losses.Count + 1, error.Epoch);
        Assert.All(snapshots.Losses, loss => Assert.True(float.IsFinite(loss)));
        Assert.Equal(snapshots.Last ?? new float[model.Parameters.Length], model.Parameters.ToArray());

        // With the factor off, the same run "finishes": finite losses, every one far past the start (ln 3).
        var unguarded = new SoftmaxRegression(2, 3);
        var losses = new Snapshots(unguarded);
        new Trainer(unguarded, new GradientDescent(1e10f), new TrainerOptions { Epochs = 30, BatchSize = 32, Seed = 1, DivergenceFactor = 0f })
            .Fit(TrainerTests.Blobs(300, 1), callback: losses);
        Assert.Equal(30, losses.Losses.Count);
        Assert.All(losses.Losses, loss => Assert.True(float.IsFinite(loss) && loss > 1e4 * MathF.Log(3), $"loss {loss}"));
    }

    [Fact]
    public void ALossThatFallsToNearZeroAndWobblesIsNotDivergence()
    {
        // Separable data and a large rate: the loss falls by many orders of magnitude and then jitters by factors
        // far beyond 10,000 relative to its best. It never climbs above where it started, so training goes on.
        float[] x = Enumerable.Range(0, 200).Select(i => i < 100 ? -1f - (i * 0.01f) : 1f + (i * 0.01f)).ToArray();
        int[] labels = Enumerable.Range(0, 200).Select(i => i < 100 ? 0 : 1).ToArray();
        var model = new LogisticRegression(1);
        var losses = new Snapshots(model);
        TrainingResult result = new Trainer(model, new GradientDescent(50f), new TrainerOptions { Epochs = 200, BatchSize = 7, Seed = 3 })
            .Fit(Dataset.FromLabels(x, 1, labels), callback: losses);

        Assert.Equal(200, result.Epochs);
        Assert.True(losses.Losses.Min() < 1e-6, $"the loss only fell to {losses.Losses.Min()}");
    }

    [Fact]
    public void TheFactorIsValidated()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new TrainerOptions { DivergenceFactor = 0.5f });
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void CancellationStopsInsideABatchThatTakesSeconds(int parallelism)
    {
        // One full batch of 32,000 rows through a 1.9-million-parameter perceptron: seconds of work. Cancelled after
        // 100 ms (by a thread of its own: a timer's callback waits for the thread pool, which the training keeps
        // busy), it stops between slices of the batch, not at its end.
        const int rows = 32_000, features = 784;
        float[] x = DenseKernelsData(rows * features);
        int[] labels = Enumerable.Range(0, rows).Select(i => i % 10).ToArray();
        Dataset data = Dataset.FromLabels(x, features, labels, classes: 10);
        var model = new MultilayerPerceptron([features, 1024, 1024, 10], Activation.Relu, seed: 1);
        var trainer = new Trainer(model, new GradientDescent(0.01f), new TrainerOptions { Epochs = 1, BatchSize = rows, Parallelism = parallelism });

        // Warm up (the first pass compiles the kernels), then measure from the moment of cancellation to the stop.
        new Trainer(model, new GradientDescent(0.01f), new TrainerOptions { Epochs = 1, BatchSize = 64, Parallelism = parallelism })
            .Fit(Dataset.FromLabels(x.AsSpan(0, 64 * features), features, labels.AsSpan(0, 64), classes: 10));
        using var source = new CancellationTokenSource();
        long cancelled = 0;
        var canceller = new Thread(() =>
        {
            Thread.Sleep(100);
            cancelled = Stopwatch.GetTimestamp();
            source.Cancel();
        });
        var clock = Stopwatch.StartNew();
        canceller.Start();
        Assert.ThrowsAny<OperationCanceledException>(() => trainer.Fit(data, cancellationToken: source.Token));
        TimeSpan stopping = Stopwatch.GetElapsedTime(cancelled);
        canceller.Join();

        // The bound: honoured within a second. (The slices take well under 100 ms each; the rest is room for a
        // machine busy with other tests.)
        Assert.True(stopping < TimeSpan.FromSeconds(1), $"took {stopping.TotalMilliseconds:F0} ms to stop after the cancellation ({clock.Elapsed.TotalMilliseconds:F0} ms in all)");
    }

    private static float[] DenseKernelsData(int length)
    {
        var random = new SeededRandom(5);
        float[] values = new float[length];
        for (int i = 0; i < length; i++)
        {
            values[i] = (float)random.NextDouble();
        }

        return values;
    }

    private sealed class Snapshots(IModel model) : ITrainingCallback
    {
        public List<float> Losses { get; } = [];

        public float[]? Last { get; private set; }

        public TrainingDecision OnEpoch(in EpochReport report)
        {
            Losses.Add(report.TrainingLoss);
            Last = model.Parameters.ToArray();
            return TrainingDecision.Continue;
        }
    }
}

/// <summary>The timing tests run alone: other tests' threads on a two-core machine would be measured with them.</summary>
[CollectionDefinition(nameof(DivergenceAndCancellationTests), DisableParallelization = true)]
public sealed class DivergenceAndCancellationTestsDefinition;
