using Native.Numerics;
using Native.Tests.Models;
using Native.Tests.Support;
using Native.Tests.Training;

namespace Native.Tests.Data;

/// <summary>
/// How a dataset stores its rows: narrow rows in the next power of two of floats (a one-feature row costs 4 bytes, not
/// 64), wide ones in whole cache lines; and a split's sides as views of one storage. The kernels read rows at every
/// stride and through every view with the same results, bit for bit.
/// </summary>
public class DatasetLayoutTests
{
    [Theory]
    [InlineData(1, 1)]
    [InlineData(2, 2)]
    [InlineData(3, 4)]
    [InlineData(4, 4)]
    [InlineData(5, 8)]
    [InlineData(8, 8)]
    [InlineData(9, 16)]
    [InlineData(16, 16)]
    [InlineData(17, 32)]
    [InlineData(784, 784)]
    public void ARowTakesTheNextPowerOfTwoUpToALineThenWholeLines(int features, int stride)
    {
        Dataset data = Dataset.FromTargets(new float[7 * features], features, new float[7]);
        Assert.Equal(stride, data.Stride);
        for (int i = 0; i < data.Count; i++)
        {
            unsafe
            {
                fixed (float* row = data.Row(i))
                {
                    // Never across a cache line below 16 floats; from 16 on, starting on one.
                    long first = (long)row, last = (long)(row + features - 1);
                    Assert.True(features >= 16 ? first % 64 == 0 : first / 64 == last / 64, $"row {i} of {features} features at {first % 64}");
                }
            }
        }
    }

    [Fact]
    public void AOneFeatureRowCostsItsFourBytes()
    {
        // A million one-feature rows and their targets: 8 MB, where 16-float rows took 68 MB.
        float[] features = new float[1_000_000], targets = new float[1_000_000];
        Dataset.FromTargets(features, 1, targets);
        long before = GC.GetAllocatedBytesForCurrentThread();
        Dataset data = Dataset.FromTargets(features, 1, targets);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.InRange(allocated, 8_000_000, 8_100_000);
        Assert.Equal(1_000_000, data.Count);
    }

    [Fact]
    public void ASplitsSidesAreViewsThatCostTheirIndices()
    {
        const int rows = 20_000, features = 64;
        float[] values = DenseKernelTestsRandom(rows * features);
        Dataset all = Dataset.FromLabels(values, features, [.. Enumerable.Range(0, rows).Select(i => i % 3)]);
        all.Split(0.25, seed: 4, stratify: true);
        long before = GC.GetAllocatedBytesForCurrentThread();
        (Dataset training, Dataset test) = all.Split(0.25, seed: 4, stratify: true);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        // The indices (the shuffle, then each side's), not the 5 MB of rows.
        Assert.InRange(allocated, 0, 4 * rows * 3);
        (int[] trainingRows, int[] testRows) = all.SplitIndices(0.25, seed: 4, stratify: true);
        AssertSameRows(all.Select(trainingRows), training);
        AssertSameRows(all.Select(testRows), test);

        // A view of a view, and a shuffle (a view too), read the right rows.
        Dataset shuffled = training.Shuffle(9);
        AssertSameRows(all.Select(trainingRows).Select(Dataset.ShuffledIndices(training.Count, 9)), shuffled);
    }

    [Theory]
    [MemberData(nameof(Widths.All), MemberType = typeof(Widths))]
    public void TheKernelsGiveTheSameGradientAtEveryStrideAndThroughAView(string width)
    {
        // Rows as a caller passes them (stride = features), as a dataset stores them, and as a view of a larger dataset
        // names them: the same sums in the same order, so the same bits.
        foreach (int features in new[] { 1, 2, 3, 5, 8, 9, 15, 16, 17, 33 })
        {
            foreach (ModelShape shape in new[] { ModelShape.SoftmaxRegression(features, 3), ModelShape.MultilayerPerceptron([features, 7, 3], [Activation.Tanh]), ModelShape.LinearRegression(features) })
            {
                var c = new ModelCase(shape, 70, features);
                float[] x = c.Features();
                int[]? labels = c.Labels();
                float[]? targets = c.Targets();
                float[] weights = c.Weights();
                float[] expected = Gradient(c, width, c.Batch(x, labels, targets, weights));

                Dataset stored = labels is null ? Dataset.FromTargets(x, features, targets, weights) : Dataset.FromLabels(x, features, labels, classes: 3, sampleWeights: weights);
                Assert.Equal(expected, Gradient(c, width, Batch.FromDataset(stored)));

                // The same rows as the second half of a dataset twice as long, through its split-off view.
                int[] order = [.. Enumerable.Range(c.Rows, c.Rows)];
                Dataset doubled = labels is null
                    ? Dataset.FromTargets([.. x, .. x], features, [.. targets!, .. targets!], [.. weights, .. weights])
                    : Dataset.FromLabels([.. x, .. x], features, [.. labels, .. labels], classes: 3, sampleWeights: [.. weights, .. weights]);
                Dataset view = doubled.View(order);
                Assert.Equal(expected, Gradient(c, width, Batch.FromDataset(view)));
                Assert.Equal(expected, Gradient(c, width, Batch.FromDataset(view, [.. Enumerable.Range(0, c.Rows)], weights)));
            }
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void TrainingOnASplitsViewsGivesTheBitsOfTrainingOnCopies(int parallelism)
    {
        // Sample weights, balanced classes, a validation side with early stopping, standardization: every path that reads
        // rows, labels or weights through a view gives what the same rows copied out give.
        Dataset all = TrainerTests.Blobs(600, 3).WithSampleWeights([.. Enumerable.Range(0, 600).Select(i => 0.5f + (i % 4))]);
        (int[] trainingRows, int[] validationRows) = all.SplitIndices(0.3, seed: 2, stratify: true);
        (Dataset trainingView, Dataset validationView) = all.Split(0.3, seed: 2, stratify: true);

        float[] Train(Dataset training, Dataset validation)
        {
            Standardizer standardizer = Standardizer.Fit(training);
            var model = new MultilayerPerceptron([2, 9, 3], Activation.Relu, seed: 4);
            var options = new TrainerOptions { Epochs = 6, BatchSize = 50, Seed = 1, Patience = 3, ClassWeights = ClassWeights.Balanced, Parallelism = parallelism };
            new Trainer(model, new Momentum(0.05f), options).Fit(training, validation);
            new Trainer(model, new Adam(0.01f), options).Fit(standardizer.Transform(training), standardizer.Transform(validation));
            return [.. model.Parameters.ToArray(), .. standardizer.Means.ToArray(), .. standardizer.StandardDeviations.ToArray()];
        }

        Assert.Equal(Train(all.Select(trainingRows), all.Select(validationRows)), Train(trainingView, validationView));
        Assert.Equal(all.Select(validationRows).SampleWeights.ToArray(), validationView.SampleWeights.ToArray());
        Assert.Equal(all.Select(validationRows).Labels.ToArray(), validationView.Labels.ToArray());
    }

    [Fact]
    public void WithTargetsSharesTheRowsAndReplacesTheTargetsInRowOrder()
    {
        // Two targets a row; a view (a split shuffles and selects stored rows) given new targets in its own order.
        float[] features = [.. Enumerable.Range(0, 40).Select(i => (float)i)];
        float[] targets = [.. Enumerable.Range(0, 20).Select(i => i * 10f)];
        Dataset all = Dataset.FromTargets(features, 4, targets, targetCount: 2);
        (Dataset view, Dataset other) = all.Split(0.4, seed: 3);
        float[] replaced = [.. view.Targets.ToArray().Select(t => -t)];
        Dataset changed = view.WithTargets(replaced);
        Assert.Equal(replaced, changed.Targets.ToArray());
        Assert.Equal(view.Count, changed.Count);
        for (int i = 0; i < view.Count; i++)
        {
            Assert.Equal(view.Row(i).ToArray(), changed.Row(i).ToArray());
        }

        // The rows outside the view and the dataset it came from keep theirs.
        Assert.Equal(targets, all.Targets.ToArray());
        Assert.DoesNotContain(other.Targets.ToArray(), t => t < 0);

        Assert.Contains("Expected 2 targets per row (10 rows), 20 values; got 3.", Assert.Throws<ArgumentException>(() => all.WithTargets([1f, 2f, 3f])).Message);
        float[] bad = (float[])targets.Clone();
        bad[7] = float.NaN;
        Assert.Contains("Target 7 (row 3) is NaN", Assert.Throws<ArgumentException>(() => all.WithTargets(bad)).Message);
        Assert.Throws<InvalidOperationException>(() => TrainerTests.Blobs(10, 2).WithTargets(new float[10]));
    }

    private static float[] Gradient(ModelCase c, string width, Batch batch)
    {
        DenseModel model = c.CreateModel(Widths.Parse(width));
        float[] gradient = new float[model.Parameters.Length];
        model.AccumulateGradient(batch, gradient);
        return gradient;
    }

    private static void AssertSameRows(Dataset expected, Dataset actual)
    {
        Assert.Equal(expected.Count, actual.Count);
        for (int i = 0; i < expected.Count; i++)
        {
            Assert.Equal(expected.Row(i).ToArray(), actual.Row(i).ToArray());
        }

        Assert.Equal(expected.Labels.ToArray(), actual.Labels.ToArray());
    }

    private static float[] DenseKernelTestsRandom(int length) => Kernels.DenseKernelTests.Random(length, 5);
}
