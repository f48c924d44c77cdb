using Native.Numerics;
using Native.Tests.Support;

namespace Native.Tests.Streaming;

/// <summary>Training on a <see cref="RowSource"/>: the same loop as on a dataset, read in place or through windows.</summary>
public sealed class StreamingTrainingTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("native-streaming-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    /// <summary>The first 3,000 MNIST training digits (pixels k / 255, so stored as bytes) and the 2,000 test digits.</summary>
    internal static (Dataset Training, Dataset Test) Digits()
    {
        (Dataset training, Dataset test) = Mnist.TenK();
        return (training.Select([.. Enumerable.Range(0, 3000)]), test);
    }

    public static TheoryData<string, int> Paths => new()
    {
        { "sgd", 1 },       // the fused step
        { "momentum", 1 },  // the plain step
        { "adam", 2 },      // the parallel step
    };

    [Theory]
    [MemberData(nameof(Paths))]
    public void RowsReadInPlaceTrainBitForBitAsTheDatasetDoes(string optimizer, int threads)
    {
        (Dataset training, _) = Digits();
        TrainerOptions Options() => new() { Epochs = 3, BatchSize = 64, Seed = 7, Parallelism = threads };

        var inMemory = new SoftmaxRegression(784, 10);
        new Trainer(inMemory, Create(optimizer), Options()).Fit(training);

        using RowSource rows = RowSource.FromDataset(training);
        Assert.Equal("bytes", rows.StorageDescription);
        var streamed = new SoftmaxRegression(784, 10);
        var trainer = new Trainer(streamed, Create(optimizer), Options());
        Assert.True(TrainingMemory.Estimate(streamed.Shape, trainer.Optimizer, trainer.Options, rows).StreamResident);
        trainer.Fit(rows);

        Assert.Equal(inMemory.Parameters.ToArray(), streamed.Parameters.ToArray());
    }

    [Fact]
    public void RowsStreamedThroughWindowsLearnAsWell()
    {
        (Dataset training, Dataset test) = Digits();
        using RowSource rows = RowSource.FromDataset(training);

        // A budget that leaves room for windows of two blocks, 256 rows (the cache is 2.6 MB: 3,000 rows of 836 bytes).
        var model = new SoftmaxRegression(784, 10);
        var options = new TrainerOptions { Epochs = 5, BatchSize = 64, Seed = 3 };
        var trainer = new Trainer(model, new Momentum(0.05f), options);
        LimitWindows(trainer, rows, 300_000);
        TrainingMemory memory = TrainingMemory.Estimate(model.Shape, trainer.Optimizer, options, rows);
        Assert.False(memory.StreamResident);
        Assert.InRange(memory.StreamWindowBytes, 250_000, 300_000);

        TrainingResult result = trainer.Fit(rows);
        Assert.Equal(5, result.Epochs);
        float accuracy = Accuracy(model, test);
        Assert.True(accuracy > 0.85f, $"test accuracy {accuracy:P1} after 5 epochs on 3,000 digits streamed through windows");
    }

    [Fact]
    public void WindowsAreTheSameRowsInAnotherOrder()
    {
        // Without shuffling, windows visit every row once, in order: the same steps as the dataset in order.
        (Dataset training, _) = Digits();
        var inMemory = new LogisticRegressionOn(training);
        var streamed = new LogisticRegressionOn(training);
        new Trainer(inMemory.Model, new GradientDescent(0.1f), new TrainerOptions { Epochs = 2, BatchSize = 50, Shuffle = false }).Fit(inMemory.Data);
        using RowSource rows = RowSource.FromDataset(streamed.Data);
        var trainer = new Trainer(streamed.Model, new GradientDescent(0.1f), new TrainerOptions { Epochs = 2, BatchSize = 50, Shuffle = false });
        LimitWindows(trainer, rows, 300_000);
        Assert.False(TrainingMemory.Estimate(streamed.Model.Shape, trainer.Optimizer, trainer.Options, rows).StreamResident);
        trainer.Fit(rows);
        Assert.Equal(inMemory.Model.Parameters.ToArray(), streamed.Model.Parameters.ToArray());
    }

    [Fact]
    public void StreamingAllocatesNothingPerBatchAfterTheFirstEpoch()
    {
        (Dataset training, _) = Digits();
        using RowSource rows = RowSource.FromDataset(training);
        var model = new SoftmaxRegression(784, 10);
        var trainer = new Trainer(model, new Momentum(0.05f), new TrainerOptions { Epochs = 100, BatchSize = 32 });
        LimitWindows(trainer, rows, 300_000);
        using TrainingSession session = trainer.Begin(rows);
        Assert.IsType<StreamedRows>(session.Rows);
        Assert.False(TrainingMemory.Estimate(model.Shape, trainer.Optimizer, trainer.Options, rows).StreamResident);
        long allocated = Allocations.Least(() =>
        {
            session.RunEpoch();
            long caller = GC.GetAllocatedBytesForCurrentThread();
            long producer = session.WorkerAllocatedBytes;
            session.RunEpoch();
            session.RunEpoch();
            return (GC.GetAllocatedBytesForCurrentThread() - caller) + (session.WorkerAllocatedBytes - producer);
        });
        Assert.Equal(0, allocated);
    }

    [Fact]
    public void AStreamedValidationSetIsMeasuredAsADatasetIs()
    {
        (Dataset training, Dataset test) = Digits();
        using RowSource rows = RowSource.FromDataset(training);
        using RowSource held = RowSource.FromDataset(test);
        var model = new SoftmaxRegression(784, 10);
        var trainer = new Trainer(model, new GradientDescent(0.1f), new TrainerOptions { Epochs = 2, BatchSize = 64, Seed = 1 });
        TrainingResult result = trainer.Fit(rows, held);
        Assert.Equal(Accuracy(model, test), result.ValidationAccuracy, 1e-6f);
        Assert.Equal(LogLoss(model, test), result.ValidationLoss, 1e-4f);
    }

    [Fact]
    public void EarlyStoppingOnStreamedRowsKeepsTheBestEpoch()
    {
        (Dataset training, Dataset test) = Digits();
        using RowSource rows = RowSource.FromDataset(training);
        using RowSource held = RowSource.FromDataset(test);
        var model = new SoftmaxRegression(784, 10);
        var trainer = new Trainer(model, new Momentum(0.5f, 0.9f), new TrainerOptions { Epochs = 12, BatchSize = 32, Seed = 2, Patience = 2 });
        LimitWindows(trainer, rows, 300_000);
        TrainingResult result = trainer.Fit(rows, held);
        Assert.Equal(LogLoss(model, test), result.ValidationLoss, 1e-4f);
        Assert.True(result.BestEpoch <= result.Epochs);
    }

    [Fact]
    public void ClassWeightsWeighStreamedRowsAsDatasetRows()
    {
        (Dataset training, _) = Digits();
        Dataset unbalanced = training.Select([.. Enumerable.Range(0, training.Count).Where(i => training.Labels[i] != 3 || i % 4 == 0)]);
        TrainerOptions Options() => new() { Epochs = 2, BatchSize = 64, Seed = 4, ClassWeights = ClassWeights.Balanced };
        var inMemory = new SoftmaxRegression(784, 10);
        new Trainer(inMemory, new Momentum(0.05f), Options()).Fit(unbalanced);
        using RowSource rows = RowSource.FromDataset(unbalanced);
        var streamed = new SoftmaxRegression(784, 10);
        new Trainer(streamed, new Momentum(0.05f), Options()).Fit(rows);
        Assert.Equal(inMemory.Parameters.ToArray(), streamed.Parameters.ToArray());
    }

    [Fact]
    public void ARegressionStreamsItsTargets()
    {
        // 40,000 rows of 20 features: 10 blocks of 4,096 rows, streamed two blocks a window.
        var random = new Random(5);
        int n = 40_000, features = 20;
        float[] x = new float[n * features], y = new float[n];
        for (int i = 0; i < n; i++)
        {
            for (int k = 0; k < features; k++)
            {
                x[(i * features) + k] = (float)((random.NextDouble() * 4) - 2);
            }

            y[i] = (1.5f * x[i * features]) - (2f * x[(i * features) + 1]) + 3f;
        }

        using RowSource rows = RowSource.FromDataset(Dataset.FromTargets(x, features, y));
        Assert.Equal("float32", rows.StorageDescription);
        var model = new LinearRegression(features);
        var trainer = new Trainer(model, new GradientDescent(0.05f), new TrainerOptions { Epochs = 10, BatchSize = 32 });
        LimitWindows(trainer, rows, 1_200_000);
        Assert.False(TrainingMemory.Estimate(model.Shape, trainer.Optimizer, trainer.Options, rows).StreamResident);
        trainer.Fit(rows);
        Assert.Equal(1.5f, model.Parameters[0], 0.01f);
        Assert.Equal(-2f, model.Parameters[1], 0.01f);
        Assert.Equal(3f, model.Parameters[features], 0.01f);
    }

    /// <summary>
    /// Sets the trainer's budget so that <paramref name="rows"/> stream through windows of at most (and about)
    /// <paramref name="windowBytes"/>: the largest budget whose estimate plans such windows, found by bisection.
    /// </summary>
    internal static void LimitWindows(Trainer trainer, RowSource rows, long windowBytes)
    {
        long low = 1, high = 1L << 40;
        while (high - low > 1)
        {
            long middle = low + ((high - low) / 2);
            trainer.Options.MemoryBudget = middle;
            TrainingMemory memory = TrainingMemory.Estimate(trainer.Model.Shape, trainer.Optimizer, trainer.Options, rows);
            (memory is { StreamResident: false } && memory.StreamWindowBytes <= windowBytes ? ref low : ref high) = middle;
        }

        trainer.Options.MemoryBudget = low;
    }

    internal static float Accuracy(IModel model, Dataset data)
    {
        float[] outputs = new float[model.Outputs];
        int correct = 0;
        for (int i = 0; i < data.Count; i++)
        {
            model.Forward(data.Row(i), outputs);
            correct += System.Numerics.Tensors.TensorPrimitives.IndexOfMax(outputs) == data.Labels[i] ? 1 : 0;
        }

        return correct / (float)data.Count;
    }

    internal static float LogLoss(IModel model, Dataset data) => (float)(model.Loss(Batch.FromDataset(data)) / data.Count);

    private static Optimizer Create(string name) => name switch
    {
        "sgd" => new GradientDescent(0.1f),
        "momentum" => new Momentum(0.05f),
        _ => new Adam(0.002f),
    };

    /// <summary>Digit 0 against the rest, as a logistic regression (bytes rows, int labels 0 and 1).</summary>
    private sealed class LogisticRegressionOn(Dataset digits)
    {
        public Dataset Data { get; } = Dataset.FromLabels(Flatten(digits), 784, [.. digits.Labels.ToArray().Select(label => label == 0 ? 1 : 0)]);

        public LogisticRegression Model { get; } = new(784);

        private static float[] Flatten(Dataset data) => [.. Enumerable.Range(0, data.Count).SelectMany(i => data.Row(i).ToArray())];
    }
}
