using Native.Numerics;
using Native.Numerics.Kernels;
using Native.Tests.Kernels;
using Native.Tests.Support;
using Native.Numerics.CompilerServices;

namespace Native.Tests.Training;

public class TrainerTests
{
    // A seeded three-class problem in 2-D: three Gaussian blobs.
    internal static Dataset Blobs(int rows, int seed, bool flipLabels = false)
    {
        var random = new SeededRandom(seed);
        float[] x = new float[rows * 2];
        int[] labels = new int[rows];
        float[][] centers = [[0f, 2f], [2f, -1f], [-2f, -1f]];
        for (int i = 0; i < rows; i++)
        {
            int c = random.NextInt32(3);
            x[2 * i] = centers[c][0] + (float)random.NextNormal();
            x[(2 * i) + 1] = centers[c][1] + (float)random.NextNormal();
            labels[i] = flipLabels ? (c + 1) % 3 : c;
        }

        return Dataset.FromLabels(x, 2, labels, classes: 3);
    }

    [Fact]
    public void TheSameSeedGivesBitIdenticalParameters()
    {
        float[] Train(int seed)
        {
            var model = new MultilayerPerceptron([2, 8, 3], Activation.Tanh, seed: 1);
            new Trainer(model, new Adam(0.01f), new TrainerOptions { Epochs = 5, BatchSize = 16, Seed = seed }).Fit(Blobs(300, 7));
            return model.Parameters.ToArray();
        }

        Assert.Equal(Train(3), Train(3));
        Assert.NotEqual(Train(3), Train(4));
    }

    [Fact]
    public void FitAllocatesNothingAfterItsFirstEpoch()
    {
        foreach (Func<IModel> create in new Func<IModel>[] { () => new SoftmaxRegression(2, 3), () => new MultilayerPerceptron([2, 16, 3], Activation.Relu, 1) })
        {
            // The bytes allocated from the end of epoch 2 to the end of epoch 6 (see Allocations for why the least of a few runs).
            long allocated = Allocations.Least(() =>
            {
                var recorder = new AllocationRecorder();
                var options = new TrainerOptions { Epochs = 6, BatchSize = 10, Patience = 100, GradientTolerance = 1e-9f, ClassWeights = ClassWeights.Balanced };
                new Trainer(create(), new Momentum(0.05f, 0.9f, nesterov: true) { WeightDecay = 1e-4f }, options)
                    .Fit(Blobs(500, 1), Blobs(100, 2), recorder);
                Assert.Equal(6, recorder.Bytes.Count);
                return recorder.Bytes[^1] - recorder.Bytes[1];
            });
            Assert.Equal(0, allocated);
        }
    }

    [Fact]
    public void DivergenceThrowsNamingEpochAndRateAndKeepsTheLastFiniteParameters()
    {
        // Large features and a huge rate: the squared error explodes within a few epochs.
        float[] x = Enumerable.Range(0, 100).Select(i => (float)(i * 10)).ToArray();
        float[] y = x.Select(v => (2 * v) + 1).ToArray();
        var model = new LinearRegression(1);
        var recorder = new ParameterRecorder(model);
        var trainer = new Trainer(model, new GradientDescent(1e-3f), new TrainerOptions { Epochs = 1000, BatchSize = 10 });

        var exception = Assert.Throws<TrainingDivergedException>(() => trainer.Fit(Dataset.FromTargets(x, 1, y), callback: recorder));
        Assert.Equal(recorder.Snapshots.Count + 1, exception.Epoch);
        Assert.Equal(1e-3f, exception.LearningRate);
        Assert.Contains($"epoch {exception.Epoch}", exception.Message, StringComparison.Ordinal);
        Assert.Contains("learning rate 0.001", exception.Message, StringComparison.Ordinal);
        Assert.True(model.Parameters.ToArray().All(float.IsFinite));
        float[] expected = recorder.Snapshots.Count == 0 ? new float[2] : recorder.Snapshots[^1];
        Assert.Equal(expected, model.Parameters.ToArray());
    }

    [Fact]
    public void EarlyStoppingRestoresTheBestEpochsParameters()
    {
        // The validation labels are the training labels rotated: the better the model learns, the worse it validates.
        var model = new SoftmaxRegression(2, 3);
        var recorder = new ParameterRecorder(model);
        var trainer = new Trainer(model, new GradientDescent(0.5f), new TrainerOptions { Epochs = 50, BatchSize = 32, Patience = 3 });
        TrainingResult result = trainer.Fit(Blobs(300, 1), Blobs(300, 1, flipLabels: true), recorder);

        Assert.Equal(StopReason.EarlyStopping, result.StopReason);
        Assert.Equal(result.BestEpoch + 3, result.Epochs);
        Assert.Equal(recorder.Snapshots[result.BestEpoch - 1], model.Parameters.ToArray());
        Assert.Equal(recorder.Reports[result.BestEpoch - 1].ValidationLoss, result.ValidationLoss, 1e-6f);
        Assert.Equal(recorder.Reports.Min(r => r.ValidationLoss), result.ValidationLoss);
    }

    [Fact]
    public void ASampleWeightOfTwoEqualsTheRowTwice()
    {
        Dataset data = Blobs(40, 3);
        float[] weights = Enumerable.Range(0, 40).Select(i => i == 5 ? 2f : 1f).ToArray();
        int[] duplicated = [.. Enumerable.Range(0, 40), 5];

        float[] Train(Dataset d)
        {
            var model = new SoftmaxRegression(2, 3);
            new Trainer(model, new GradientDescent(0.3f), new TrainerOptions { Epochs = 3, BatchSize = 1000 }).Fit(d);
            return model.Parameters.ToArray();
        }

        float[] weighted = Train(data.WithSampleWeights(weights));
        float[] repeated = Train(data.Select(duplicated));
        for (int i = 0; i < weighted.Length; i++)
        {
            Assert.Equal(repeated[i], weighted[i], 1e-5f);
        }
    }

    [Fact]
    public void BalancedClassWeightsAreNOverKTimesTheClassCount()
    {
        Dataset data = Dataset.FromLabels(new float[6], 1, [0, 0, 0, 0, 1, 2], classes: 4);
        float[] weights = ClassWeights.Balanced.For(data);
        Assert.Equal([6f / (4 * 4), 6f / 4, 6f / 4, 0f], weights);
        Assert.Equal([2f, 1f], ClassWeights.From([2f, 1f]).For(Dataset.FromLabels(new float[2], 1, [0, 1])));
        Assert.Throws<ArgumentException>(() => ClassWeights.From([1f]).For(data));
    }

    [Fact]
    public void ClassWeightsScaleEachRowsLoss()
    {
        // With weights (2, 1, 1), one full-batch step equals the step on data where class 0 rows appear twice.
        Dataset data = Blobs(60, 9);
        int[] doubled = [.. Enumerable.Range(0, 60), .. Enumerable.Range(0, 60).Where(i => data.Labels[i] == 0)];
        float[] Train(Dataset d, ClassWeights? weights)
        {
            var model = new SoftmaxRegression(2, 3);
            new Trainer(model, new GradientDescent(0.3f), new TrainerOptions { Epochs = 1, BatchSize = 1000, ClassWeights = weights }).Fit(d);
            return model.Parameters.ToArray();
        }

        float[] weighted = Train(data, ClassWeights.From([2f, 1f, 1f]));
        float[] repeated = Train(data.Select(doubled), null);
        for (int i = 0; i < weighted.Length; i++)
        {
            Assert.Equal(repeated[i], weighted[i], 1e-5f);
        }
    }

    [Fact]
    public void OneFullBatchEpochIsOneStepOfGradientDescent()
    {
        Dataset data = Blobs(50, 4);
        var model = new SoftmaxRegression(2, 3);
        DenseKernelTests.Random(model.Parameters.Length, 5).CopyTo(model.Parameters);
        float[] before = model.Parameters.ToArray();
        float[] gradient = new float[before.Length];
        model.AccumulateGradient(Batch.FromDataset(data), gradient);

        new Trainer(model, new GradientDescent(0.2f), new TrainerOptions { Epochs = 1, BatchSize = 50 }).Fit(data);
        for (int i = 0; i < before.Length; i++)
        {
            Assert.Equal(before[i] - (0.2f * gradient[i] / 50), model.Parameters[i], 1e-6f);
        }
    }

    [Theory]
    [InlineData(1, 37)]
    [InlineData(10, 4)]
    [InlineData(37, 1)]
    [InlineData(1000, 1)]
    public void TheBatchSizeSetsTheStepsPerEpoch(int batchSize, int steps)
    {
        var counter = new CountingOptimizer();
        new Trainer(new SoftmaxRegression(2, 3), counter, new TrainerOptions { Epochs = 2, BatchSize = batchSize }).Fit(Blobs(37, 1));
        Assert.Equal(2 * steps, counter.Steps);
    }

    [Fact]
    public void TheCallbackSeesEveryEpochAndCanStopTraining()
    {
        var recorder = new ParameterRecorder(null) { StopAfter = 3 };
        var schedule = LearningRateSchedule.Step(1, 0.5f);
        TrainingResult result = new Trainer(new SoftmaxRegression(2, 3), new GradientDescent(0.4f), new TrainerOptions { Epochs = 10, Schedule = schedule })
            .Fit(Blobs(200, 1), Blobs(50, 2), recorder);

        Assert.Equal(StopReason.Callback, result.StopReason);
        Assert.Equal(3, result.Epochs);
        Assert.Equal([1, 2, 3], recorder.Reports.Select(r => r.Epoch));
        Assert.Equal([0.4f, 0.2f, 0.1f], recorder.Reports.Select(r => r.LearningRate));
        Assert.All(recorder.Reports, r =>
        {
            Assert.Equal(10, r.Epochs);
            Assert.InRange(r.ValidationAccuracy, 0.5f, 1f);
            Assert.True(r.TrainingLoss > 0 && float.IsFinite(r.ValidationLoss));
            Assert.True(r.RowsPerSecond > 0 && r.Elapsed > TimeSpan.Zero && r.TotalElapsed >= r.Elapsed);
            Assert.True(float.IsNaN(r.GradientNorm));
        });
        Assert.True(recorder.Reports[2].TrainingLoss < recorder.Reports[0].TrainingLoss);
    }

    [Fact]
    public void RegressionReportsNoAccuracy()
    {
        var recorder = new ParameterRecorder(null);
        Dataset data = Dataset.FromTargets([1f, 2f, 3f, 4f], 1, [2f, 4f, 6f, 8f]);
        new Trainer(new LinearRegression(1), new GradientDescent(0.01f), new TrainerOptions { Epochs = 2 }).Fit(data, data, recorder);
        Assert.All(recorder.Reports, r => Assert.True(float.IsNaN(r.ValidationAccuracy) && float.IsFinite(r.ValidationLoss)));
    }

    [Fact]
    public void CancellationStopsBeforeTheNextBatch()
    {
        using var source = new CancellationTokenSource();
        var recorder = new ParameterRecorder(null) { OnEpoch = source.Cancel };
        var trainer = new Trainer(new SoftmaxRegression(2, 3), new GradientDescent(0.1f), new TrainerOptions { Epochs = 10 });
        Assert.ThrowsAny<OperationCanceledException>(() => trainer.Fit(Blobs(100, 1), callback: recorder, cancellationToken: source.Token));
        Assert.Single(recorder.Reports);
    }

    [Fact]
    public void DataThatDoNotFitTheModelAreRefusedBeforeTraining()
    {
        var model = new SoftmaxRegression(3, 3);
        float[] before = model.Parameters.ToArray();
        var trainer = new Trainer(model, new GradientDescent(0.1f));
        Assert.Contains("2 features", Assert.Throws<ArgumentException>(() => trainer.Fit(Blobs(10, 1))).Message, StringComparison.Ordinal);
        Assert.Contains("float targets", Assert.Throws<ArgumentException>(() => trainer.Fit(Dataset.FromTargets(new float[3], 3, [1f]))).Message, StringComparison.Ordinal);
        Assert.Contains("5 classes", Assert.Throws<ArgumentException>(() => trainer.Fit(Dataset.FromLabels(new float[3], 3, [4]))).Message, StringComparison.Ordinal);
        var early = new Trainer(new SoftmaxRegression(2, 3), new GradientDescent(0.1f), new TrainerOptions { Patience = 2 });
        Assert.Contains("validation", Assert.Throws<ArgumentException>(() => early.Fit(Blobs(10, 1))).Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => new Trainer(model, new GradientDescent(0.1f), new TrainerOptions { BatchSize = 0 }).Fit(Blobs(10, 1)));
        Assert.Equal(before, model.Parameters.ToArray());
    }

    [Fact]
    public void TheGradientToleranceStopsAConvergedRun()
    {
        var recorder = new ParameterRecorder(null);
        Dataset data = Dataset.FromTargets([1f, 2f, 3f, 4f], 1, [3f, 5f, 7f, 9f]);
        TrainingResult result = new Trainer(new LinearRegression(1), new GradientDescent(0.05f), new TrainerOptions { Epochs = 100_000, BatchSize = 4, GradientTolerance = 1e-4f })
            .Fit(data, callback: recorder);
        Assert.Equal(StopReason.GradientTolerance, result.StopReason);
        Assert.True(recorder.Reports[^1].GradientNorm < 1e-4f);
        Assert.True(recorder.Reports[^2].GradientNorm >= 1e-4f);
    }

    [Fact]
    public void AFusedModelStepsInPlaceOnlyForPlainGradientDescent()
    {
        Dataset data = Blobs(100, 2);
        float[] Train(IModel model, Optimizer optimizer)
        {
            new Trainer(model, optimizer, new TrainerOptions { Epochs = 3, BatchSize = 16, Seed = 4 }).Fit(data);
            return model.Parameters.ToArray();
        }

        var fused = new FusedSpy();
        float[] expected = Train(new SoftmaxRegression(2, 3), new GradientDescent(0.3f));
        float[] actual = Train(fused, new GradientDescent(0.3f));
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.Equal(expected[i], actual[i], 1e-5f); // (η/w)·g and η·(g/w) round differently
        }

        Assert.Equal(3 * 7, fused.FusedSteps);

        foreach (Optimizer other in new Optimizer[] { new Momentum(0.3f), new GradientDescent(0.3f) { WeightDecay = 0.01f }, new GradientDescent(0.3f) { MaxGradientNorm = 1f } })
        {
            var spy = new FusedSpy();
            Train(spy, other);
            Assert.Equal(0, spy.FusedSteps);
        }
    }

    // A softmax regression that steps in place by accumulating its gradient and subtracting it.
    private sealed class FusedSpy : IFusedGradientStep
    {
        private readonly SoftmaxRegression _inner = new(2, 3);

        public int FusedSteps { get; private set; }

        public ModelShape Shape => _inner.Shape;

        public ModelTask Task => _inner.Task;

        public int Features => _inner.Features;

        public int Outputs => _inner.Outputs;

        public Span<float> Parameters => _inner.Parameters;

        public void Forward(ReadOnlySpan<float> row, Span<float> outputs) => _inner.Forward(row, outputs);

        public void ForwardBatch(ReadOnlySpan<float> rows, Span<float> outputs) => _inner.ForwardBatch(rows, outputs);

        public float Loss(in Batch batch) => _inner.Loss(batch);

        public float AccumulateGradient(in Batch batch, Span<float> gradient) => _inner.AccumulateGradient(batch, gradient);

        public float StepInPlace(in Batch batch, float stepSize)
        {
            FusedSteps++;
            float[] gradient = new float[Parameters.Length];
            float loss = _inner.AccumulateGradient(batch, gradient);
            for (int i = 0; i < gradient.Length; i++)
            {
                Parameters[i] -= stepSize * gradient[i];
            }

            return loss;
        }
    }

    private sealed class AllocationRecorder : ITrainingCallback
    {
        public List<long> Bytes { get; } = new(capacity: 100);

        public TrainingDecision OnEpoch(in EpochReport report)
        {
            Bytes.Add(GC.GetAllocatedBytesForCurrentThread());
            return TrainingDecision.Continue;
        }
    }

    private sealed class ParameterRecorder(IModel? model) : ITrainingCallback
    {
        public List<float[]> Snapshots { get; } = [];

        public List<EpochReport> Reports { get; } = [];

        public int StopAfter { get; init; } = int.MaxValue;

        public Action? OnEpoch { get; init; }

        TrainingDecision ITrainingCallback.OnEpoch(in EpochReport report)
        {
            Reports.Add(report);
            if (model is not null)
            {
                Snapshots.Add(model.Parameters.ToArray());
            }

            OnEpoch?.Invoke();
            return Reports.Count >= StopAfter ? TrainingDecision.Stop : TrainingDecision.Continue;
        }
    }

    // Counts the steps it is asked to take (each begins once, whether whole or in ranges) and takes none.
    private sealed class CountingOptimizer() : Optimizer(0.01f)
    {
        public int Steps { get; private set; }

        public override void Reset()
        {
        }

        protected override void BindState(int parameterCount)
        {
        }

        protected override void BeginStep() => Steps++;

        protected override void Update(Span<float> parameters, ReadOnlySpan<float> gradient, int offset)
        {
        }
    }
}
