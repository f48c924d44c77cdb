using Native.Numerics;

namespace Native.Tests.Streaming;

/// <summary>
/// Rows streamed through shuffled windows, read in place (bytes stay bytes, or floats when the cache mixes forms): each epoch
/// visits every row of the view once with its own label, whatever the window's order — so a full batch, whose gradient is
/// the same sum in any order, takes the step the dataset's full batch takes (to float rounding of the order of the sum).
/// </summary>
public sealed class WindowTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void AFullBatchThroughShuffledWindowsStepsAsTheDatasetsFullBatch(bool standardize)
    {
        (Dataset training, _) = StreamingTrainingTests.Digits();
        Standardizer standardizer = Standardizer.Fit(training);
        float[] expected = FullBatchStep(standardize ? standardizer.Transform(training) : training);

        using RowSource source = RowSource.FromDataset(training);
        Assert.Equal("bytes", source.StorageDescription);
        RowSource rows = standardize ? standardizer.Transform(source) : source;
        AssertClose(expected, FullBatchStep(rows, windowBytes: 300_000));
    }

    [Fact]
    public void AViewThroughShuffledWindowsStepsAsItsRowsReadInPlace()
    {
        (Dataset training, _) = StreamingTrainingTests.Digits();
        using RowSource source = RowSource.FromDataset(training);
        (RowSource side, _) = source.Split(0.3, seed: 9);
        AssertClose(FullBatchStep(side, windowBytes: null), FullBatchStep(side, windowBytes: 300_000));
    }

    [Fact]
    public void ACacheOfBytesAndFloatsStreamsFloatWindows()
    {
        // The last 1,000 digits at half their pixels' values: fractions, so their blocks are floats and the others bytes.
        (Dataset digits, _) = StreamingTrainingTests.Digits();
        float[] values = new float[digits.Count * 784];
        for (int i = 0; i < digits.Count; i++)
        {
            ReadOnlySpan<float> row = digits.Row(i);
            for (int k = 0; k < 784; k++)
            {
                values[(i * 784) + k] = i >= 2000 ? row[k] * 0.5f : row[k];
            }
        }

        Dataset data = Dataset.FromLabels(values, 784, digits.Labels);
        using RowSource rows = RowSource.FromDataset(data);
        Assert.Contains("bytes", rows.StorageDescription, StringComparison.Ordinal);
        Assert.Contains("float32", rows.StorageDescription, StringComparison.Ordinal);
        AssertClose(FullBatchStep(data), FullBatchStep(rows, windowBytes: 900_000));
    }

    // One epoch of one full batch, plain gradient descent.
    private static TrainerOptions FullBatch(long count) => new() { Epochs = 1, BatchSize = (int)count, Seed = 5 };

    private static float[] FullBatchStep(Dataset data)
    {
        var model = new SoftmaxRegression(784, 10);
        new Trainer(model, new GradientDescent(0.5f), FullBatch(data.Count)).Fit(data);
        return model.Parameters.ToArray();
    }

    // Through windows of at most `windowBytes` (a third of the rows or fewer: the batch spans several), or in place when null.
    private static float[] FullBatchStep(RowSource rows, long? windowBytes)
    {
        var model = new SoftmaxRegression(784, 10);
        var trainer = new Trainer(model, new GradientDescent(0.5f), FullBatch(rows.Count));
        if (windowBytes is long bytes)
        {
            StreamingTrainingTests.LimitWindows(trainer, rows, bytes);
        }

        TrainingMemory memory = TrainingMemory.Estimate(model.Shape, trainer.Optimizer, trainer.Options, rows);
        Assert.Equal(windowBytes is null, memory.StreamResident);
        trainer.Fit(rows);
        return model.Parameters.ToArray();
    }

    private static void AssertClose(float[] expected, float[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        Assert.NotEqual(new float[expected.Length], expected);
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-5f + (1e-4f * Math.Abs(expected[i])), $"parameter {i}: {expected[i]} in memory, {actual[i]} streamed");
        }
    }
}
