using Native.Numerics;
using Native.Tests.Support;

namespace Native.Tests.Training;

public class ParallelTrainingTests
{
    [Fact]
    public void AGivenParallelismIsBitIdenticalRunToRun()
    {
        float[] Train()
        {
            var model = new MultilayerPerceptron([2, 16, 3], Activation.Tanh, seed: 2);
            new Trainer(model, new Momentum(0.05f), new TrainerOptions { Epochs = 4, BatchSize = 37, Seed = 5, Parallelism = 2 })
                .Fit(TrainerTests.Blobs(500, 3));
            return model.Parameters.ToArray();
        }

        Assert.Equal(Train(), Train());
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    public void ParallelGradientsEqualTheSingleThreadedOnes(int parallelism)
    {
        // One full-batch step: the split gradient, added part by part, equals the whole one within rounding.
        Dataset data = TrainerTests.Blobs(301, 4);
        float[] Step(int threads)
        {
            var model = new MultilayerPerceptron([2, 8, 3], Activation.Relu, seed: 1);
            new Trainer(model, new GradientDescent(0.5f), new TrainerOptions { Epochs = 1, BatchSize = 301, Parallelism = threads }).Fit(data);
            return model.Parameters.ToArray();
        }

        float[] single = Step(1), split = Step(parallelism);
        for (int i = 0; i < single.Length; i++)
        {
            Assert.Equal(single[i], split[i], 1e-5f);
        }
    }

    public static TheoryData<string> Optimizers => ["momentum", "adam with decay", "clipped", "with gradient tolerance"];

    [Theory]
    [MemberData(nameof(Optimizers))]
    public void EveryOptimizerPathMatchesTheSingleThreadedRun(string kind)
    {
        // Stepping in ranges across threads, or on the calling thread when clipping needs the whole gradient.
        (float[] Parameters, float Norm) Train(int threads)
        {
            var model = new MultilayerPerceptron([2, 12, 3], Activation.Tanh, seed: 3);
            Optimizer optimizer = kind switch
            {
                "adam with decay" => new Adam(0.01f) { WeightDecay = 1e-3f },
                "clipped" => new Momentum(0.05f) { MaxGradientNorm = 0.1f },
                _ => new Momentum(0.05f),
            };
            var options = new TrainerOptions { Epochs = 3, BatchSize = 50, Seed = 2, Parallelism = threads, GradientTolerance = kind == "with gradient tolerance" ? 1e-12f : 0f };
            var last = new LastReport();
            new Trainer(model, optimizer, options).Fit(TrainerTests.Blobs(300, 5), callback: last);
            return (model.Parameters.ToArray(), last.Report.GradientNorm);
        }

        var (single, singleNorm) = Train(1);
        var (split, splitNorm) = Train(3);
        for (int i = 0; i < single.Length; i++)
        {
            Assert.Equal(single[i], split[i], 1e-4f);
        }

        Assert.Equal(float.IsNaN(singleNorm), float.IsNaN(splitNorm));
        if (!float.IsNaN(singleNorm))
        {
            Assert.Equal(singleNorm, splitNorm, 1e-4f);
        }
    }

    private sealed class LastReport : ITrainingCallback
    {
        public EpochReport Report { get; private set; }

        public TrainingDecision OnEpoch(in EpochReport report)
        {
            Report = report;
            return TrainingDecision.Continue;
        }
    }

    [Fact]
    public void BatchesSmallerThanTheThreadCountStillTrain()
    {
        var model = new SoftmaxRegression(2, 3);
        TrainingResult result = new Trainer(model, new GradientDescent(0.1f), new TrainerOptions { Epochs = 2, BatchSize = 1, Parallelism = 4 })
            .Fit(TrainerTests.Blobs(30, 1));
        Assert.Equal(2, result.Epochs);
        Assert.True(float.IsFinite(result.TrainingLoss));
    }

    [Fact]
    public void OneAndTwoThreadsReachTheSameAccuracyOnMnist()
    {
        var (training, test) = Mnist.TenK();
        float Accuracy(int parallelism)
        {
            var model = new MultilayerPerceptron([784, 128, 10], Activation.Relu, seed: 1);
            var options = new TrainerOptions { Epochs = 10, BatchSize = 64, Seed = 1, Parallelism = parallelism, Schedule = LearningRateSchedule.Cosine(10) };
            return new Trainer(model, new Momentum(0.1f, 0.9f) { WeightDecay = 5e-4f }, options).Fit(training, test).ValidationAccuracy;
        }

        float one = Accuracy(1), two = Accuracy(2);
        Assert.True(one >= 0.94f && two >= 0.94f, $"accuracy {one} with one thread, {two} with two");
        Assert.True(Math.Abs(one - two) <= 0.005f, $"accuracy {one} with one thread, {two} with two");
    }
}

public class ParallelAllocationTests
{
    [Fact]
    public void ParallelEpochsAllocateNothingAfterTheFirstOnAnyThread()
    {
        // Each thread counts its own bytes: the calling thread here, each worker after each batch.
        // (See Allocations for why the least of a few runs.)
        long allocated = Allocations.Least(() =>
        {
            var model = new MultilayerPerceptron([2, 16, 3], Activation.Relu, seed: 1);
            var trainer = new Trainer(model, new Adam(0.01f), new TrainerOptions { BatchSize = 20, Parallelism = 3 });
            using TrainingSession session = trainer.Begin(TrainerTests.Blobs(400, 1), TrainerTests.Blobs(100, 2));
            session.RunEpoch();
            long caller = GC.GetAllocatedBytesForCurrentThread();
            long workers = session.WorkerAllocatedBytes;
            Assert.True(workers > 0, "the workers measured themselves");
            for (int epoch = 0; epoch < 5; epoch++)
            {
                session.RunEpoch();
            }

            return (GC.GetAllocatedBytesForCurrentThread() - caller) + (session.WorkerAllocatedBytes - workers);
        });
        Assert.Equal(0, allocated);
    }
}
