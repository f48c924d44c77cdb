using Native.Numerics;
using Native.Tests.Support;

namespace Native.Tests.Training;

public class TrainingSessionTests
{
    [Fact]
    public void ASessionRunsOneEpochAtATimeWithoutAllocating()
    {
        var model = new SoftmaxRegression(2, 3);
        var optimizer = new Momentum(0.1f);
        var trainer = new Trainer(model, optimizer, new TrainerOptions { BatchSize = 16, Schedule = LearningRateSchedule.Exponential(0.5f) });
        using (TrainingSession session = trainer.Begin(TrainerTests.Blobs(200, 1), TrainerTests.Blobs(50, 2)))
        {
            EpochReport first = session.RunEpoch();
            Assert.Equal(1, first.Epoch);
            Assert.Equal(1, session.Epoch);
            Assert.Equal(0.1f, first.LearningRate);
            Assert.Equal(0, Allocations.Measure(() => session.RunEpoch(), warmups: 2, repeats: 5));
            Assert.Equal(8, session.Epoch);
            Assert.Equal(0.1f * MathF.Pow(0.5f, 7), optimizer.LearningRate, 1e-9f);
        }

        // Disposing restores the optimizer's rate; a disposed session refuses to run.
        Assert.Equal(0.1f, optimizer.LearningRate);
        TrainingSession done = trainer.Begin(TrainerTests.Blobs(20, 1));
        done.Dispose();
        Assert.Throws<ObjectDisposedException>(() => done.RunEpoch());
    }

    [Fact]
    public void FitIsTheSessionLoopPlusTheStoppingRules()
    {
        Dataset data = TrainerTests.Blobs(120, 3);
        var fitted = new SoftmaxRegression(2, 3);
        new Trainer(fitted, new Adam(0.05f), new TrainerOptions { Epochs = 4, BatchSize = 10, Seed = 9 }).Fit(data);

        var stepped = new SoftmaxRegression(2, 3);
        using (TrainingSession session = new Trainer(stepped, new Adam(0.05f), new TrainerOptions { Epochs = 4, BatchSize = 10, Seed = 9 }).Begin(data))
        {
            for (int i = 0; i < 4; i++)
            {
                session.RunEpoch();
            }
        }

        Assert.Equal(fitted.Parameters.ToArray(), stepped.Parameters.ToArray());
    }
}
