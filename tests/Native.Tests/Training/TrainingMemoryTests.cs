using Native.Numerics;

namespace Native.Tests.Training;

/// <summary>The memory a training run needs, estimated before anything is allocated, and runs that cannot fit refused.</summary>
public class TrainingMemoryTests
{
    [Fact]
    public void TheEstimateCountsEachCopyOfTheParameters()
    {
        // Softmax 3 → 2: 8 parameters, each copy 4 × (8 + 16) bytes with its alignment slack. Beside the model: the gradient,
        // the last finite parameters, the best epoch's (early stopping), Adam's two moments and a second thread's gradient.
        Dataset data = Dataset.FromLabels(new float[40 * 3], 3, new int[40]);
        var options = new TrainerOptions { Patience = 2, Parallelism = 2, BatchSize = 8 };

        TrainingMemory memory = TrainingMemory.Estimate(ModelShape.SoftmaxRegression(3, 2), new Adam(0.01f), options, data, data);

        Assert.Equal(8, memory.Parameters);
        Assert.Equal(4 * 24, memory.ModelBytes);
        Assert.Equal(6 * 4 * 24, memory.TrainingBytes);
        Assert.True(memory.TotalBytes == memory.ModelBytes + memory.TrainingBytes + memory.WorkspaceBytes + memory.DataBytes);
        Assert.True(memory.Fits);
    }

    [Fact]
    public void AnOptimizerWithLessStateNeedsLess()
    {
        Dataset data = Dataset.FromLabels(new float[10 * 4], 4, new int[10]);
        ModelShape shape = ModelShape.MultilayerPerceptron([4, 100, 3], [Activation.Relu]);
        long Training(Optimizer optimizer) => TrainingMemory.Estimate(shape, optimizer, new TrainerOptions(), data).TrainingBytes;

        long copy = Training(new Momentum(0.1f)) - Training(new GradientDescent(0.1f));
        Assert.Equal(4L * (shape.ParameterCount + 16), copy);
        Assert.Equal(2 * copy, Training(new Adam(0.01f)) - Training(new GradientDescent(0.1f)));
    }

    [Fact]
    public void ASplitsSidesAreCountedOnce()
    {
        // The two sides of a split share the rows; the estimate counts them once, and each side's row list.
        Dataset all = Dataset.FromLabels(new float[1000 * 20], 20, new int[1000]);
        (Dataset training, Dataset validation) = all.Split(0.5, seed: 1);
        ModelShape shape = ModelShape.SoftmaxRegression(20, 2);
        long split = TrainingMemory.Estimate(shape, new GradientDescent(0.1f), new TrainerOptions(), training, validation).DataBytes;

        long rows = 1000L * 32 * 4, labels = 1000L * 4, lists = 1000L * 4, order = 500L * 4;
        Assert.Equal(rows + labels + lists + order, split);
    }

    [Fact]
    public void ARunThatCannotFitIsRefusedInOneLineBeforeAnythingIsAllocated()
    {
        // More copies of the parameters than the process may hold: Adam, 64 threads each with its gradient.
        long available = TrainingMemory.AvailableBytes;
        int hidden = (int)Math.Min(40_000, Math.Sqrt(available / (4.0 * 68)) * 1.1) + 1;
        var model = new MultilayerPerceptron([1, hidden, hidden, 2], Activation.Relu, seed: 1);
        Dataset data = Dataset.FromLabels([0f, 1f], 1, [0, 1]);
        var trainer = new Trainer(model, new Adam(0.01f), new TrainerOptions { Parallelism = 64, Epochs = 1 });
        long before = GC.GetAllocatedBytesForCurrentThread();

        var error = Assert.Throws<InsufficientMemoryException>(() => trainer.Fit(data));

        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 1_000_000, "buffers were allocated before the check");
        Assert.StartsWith("Training needs about ", error.Message, StringComparison.Ordinal);
        Assert.Contains($"a model of {model.Parameters.Length:N0} parameters", error.Message, StringComparison.InvariantCulture);
        Assert.Contains("but this process may use", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);
    }
}
