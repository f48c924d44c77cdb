using Native.Numerics;

namespace Native.Tests.Training;

/// <summary>A library user's mistakes: absurd settings, a failed thread start, two trainings of one model at once.</summary>
public class TrainerMisuseTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(100_000)]
    public void AParallelismOutsideOneToTheCapIsRefusedWhereItIsSet(int parallelism)
    {
        // 100,000 once aborted the runtime (PAL_SEHException) starting threads; now it is refused before any starts.
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new TrainerOptions { Parallelism = parallelism });
        Assert.Equal("Parallelism", error.ParamName);
        Assert.Contains($"from 1 to {TrainerOptions.MaxParallelism}", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TheCapIsSixtyFourOrTheProcessorCount()
    {
        Assert.Equal(Math.Max(64, Environment.ProcessorCount), TrainerOptions.MaxParallelism);
        Assert.Equal(64, new TrainerOptions { Parallelism = 64 }.Parallelism);
    }

    [Theory]
    [InlineData(float.NaN)]
    [InlineData(float.PositiveInfinity)]
    [InlineData(0.5f)]
    [InlineData(-3f)]
    public void ADivergenceFactorThatMeansNothingIsRefused(float factor)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new TrainerOptions { DivergenceFactor = factor });
        Assert.Equal("DivergenceFactor", error.ParamName);
    }

    [Fact]
    public void EveryOptionIsCheckedWhereItIsSet()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new TrainerOptions { Epochs = 0 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new TrainerOptions { BatchSize = 0 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new TrainerOptions { Patience = -1 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new TrainerOptions { GradientTolerance = float.NaN });
        Assert.Throws<ArgumentOutOfRangeException>(() => new TrainerOptions { MinimumImprovement = float.PositiveInfinity });
        Assert.Throws<ArgumentNullException>(() => new TrainerOptions { Schedule = null! });
        Assert.Equal(0f, new TrainerOptions { DivergenceFactor = 0f }.DivergenceFactor);
    }

    [Fact]
    public void AWorkerThatCannotStartStopsTheOnesAlreadyRunning()
    {
        // The third worker's start fails (as under a thread limit): the two already running are stopped and joined.
        var started = new List<Thread>();
        GradientWorkers.StartThread = thread =>
        {
            if (started.Count == 2)
            {
#pragma warning disable CA2201 // What Thread.Start throws when the system gives no more threads, simulated here.
                throw new OutOfMemoryException("Thread creation failed.");
#pragma warning restore CA2201
            }

            thread.Start();
            started.Add(thread);
        };
        var model = new SoftmaxRegression(2, 3);
        try
        {
            var trainer = new Trainer(model, new Momentum(0.1f), new TrainerOptions { Parallelism = 5, Epochs = 1 });
            var error = Assert.Throws<InvalidOperationException>(() => trainer.Fit(TrainerTests.Blobs(50, 1)));
            Assert.Contains("Could not start gradient worker 3 of 4 (TrainerOptions.Parallelism = 5)", error.Message, StringComparison.Ordinal);
            Assert.IsType<OutOfMemoryException>(error.InnerException);
        }
        finally
        {
            GradientWorkers.StartThread = null;
        }

        Assert.Equal(2, started.Count);
        Assert.All(started, thread => Assert.False(thread.IsAlive, $"{thread.Name} is still running"));

        // And the failed start released the model: it trains now.
        new Trainer(model, new Momentum(0.1f), new TrainerOptions { Parallelism = 2, Epochs = 1 }).Fit(TrainerTests.Blobs(50, 1));
    }

    [Fact]
    public async Task TwoTrainingsOfOneModelAtOnceAreRefused()
    {
        var model = new MultilayerPerceptron([2, 8, 3], Activation.Tanh, seed: 1);
        using var inFirstEpoch = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        var first = Task.Run(() => new Trainer(model, new GradientDescent(0.1f), new TrainerOptions { Epochs = 2 })
            .Fit(TrainerTests.Blobs(100, 1), callback: new Blocking(inFirstEpoch, release)));
        Assert.True(inFirstEpoch.Wait(TimeSpan.FromSeconds(30)));
        try
        {
            // Another trainer, another optimizer, the same model: refused, naming the model.
            var error = Assert.Throws<InvalidOperationException>(() => new Trainer(model, new Adam(0.01f)).Fit(TrainerTests.Blobs(100, 2)));
            Assert.Contains("The model MultilayerPerceptron (", error.Message, StringComparison.Ordinal);
            Assert.Contains("is already being trained", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            release.Set();
        }

        Assert.Equal(2, (await first).Epochs);

        // Once the first has ended, the model trains again.
        Assert.Equal(1, new Trainer(model, new Adam(0.01f), new TrainerOptions { Epochs = 1 }).Fit(TrainerTests.Blobs(100, 2)).Epochs);
    }

    [Fact]
    public void OneOptimizerTrainingTwoModelsAtOnceIsRefused()
    {
        var optimizer = new Adam(0.01f);
        var trainer = new Trainer(new SoftmaxRegression(2, 3), optimizer);
        using TrainingSession session = trainer.Begin(TrainerTests.Blobs(20, 1));
        var error = Assert.Throws<InvalidOperationException>(() => new Trainer(new SoftmaxRegression(2, 3), optimizer).Begin(TrainerTests.Blobs(20, 1)));
        Assert.Contains("The optimizer Adam is already training another model", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ASessionHoldsItsModelUntilDisposed()
    {
        var model = new SoftmaxRegression(2, 3);
        TrainingSession session = new Trainer(model, new GradientDescent(0.1f)).Begin(TrainerTests.Blobs(20, 1));
        Assert.Throws<InvalidOperationException>(() => new Trainer(model, new GradientDescent(0.1f)).Fit(TrainerTests.Blobs(20, 1)));
        session.Dispose();
        new Trainer(model, new GradientDescent(0.1f), new TrainerOptions { Epochs = 1 }).Fit(TrainerTests.Blobs(20, 1));
    }

    /// <summary>Says when the first epoch has ended, then waits to be released.</summary>
    private sealed class Blocking(ManualResetEventSlim reached, ManualResetEventSlim release) : ITrainingCallback
    {
        public TrainingDecision OnEpoch(in EpochReport report)
        {
            reached.Set();
            release.Wait(TimeSpan.FromSeconds(30));
            return TrainingDecision.Continue;
        }
    }
}
