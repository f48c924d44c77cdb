using Native.Numerics;

namespace Native.Tests.Models;

public class BatchAndDatasetTests
{
    private static readonly float[] SixRows = [0f, 1f, 10f, 11f, 20f, 21f, 30f, 31f, 40f, 41f, 50f, 51f];
    private static readonly int[] SixLabels = [0, 1, 2, 0, 1, 2];

    // Batches are ref structs, which lambdas cannot capture: each assertion makes its own.
    private static Batch Labelled() => Batch.FromLabels(SixRows, 2, SixLabels);

    [Fact]
    public void ADatasetBatchReadsTheNamedRowsInPlace()
    {
        Dataset data = Dataset.FromLabels(SixRows, 2, [0, 1, 2, 0, 1, 2], sampleWeights: [1f, 2f, 3f, 4f, 5f, 6f]);
        Batch batch = Batch.FromDataset(data, [4, 1, 4]);
        Assert.Equal(3, batch.Count);
        Assert.Equal([40f, 41f], batch.Row(0).ToArray());
        Assert.Equal([10f, 11f], batch.Row(1).ToArray());
        Assert.Equal([1, 1, 1], new[] { batch.Label(0), batch.Label(1), batch.Label(2) });
        Assert.Equal(5f, batch.Weight(0));
        Assert.Equal(2f, batch.Weight(1));
        Assert.True(batch.HasLabels && batch.HasWeights);
        Assert.Throws<InvalidOperationException>(() => Batch.FromDataset(data, [0]).Target(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => Batch.FromDataset(data, [0]).Row(1));
        Assert.Throws<ArgumentOutOfRangeException>(() => Batch.FromDataset(data, [6]));
    }

    [Fact]
    public void ContiguousBatchesCheckTheirLengths()
    {
        Batch batch = Batch.FromTargets(SixRows, 2, [1f, 2f, 3f, 4f, 5f, 6f]);
        Assert.Equal(3f, batch.Target(2));
        Assert.Equal(1f, batch.Weight(2));
        var exception = Assert.Throws<ArgumentException>(() => Batch.FromLabels(SixRows, 2, [0, 1]));
        Assert.Contains("12", exception.Message, StringComparison.Ordinal);
        Assert.Contains("2 rows", exception.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => Batch.FromTargets(SixRows, 2, [1f, 2f, 3f, 4f, 5f, float.NaN]));
        Assert.Throws<ArgumentException>(() => Batch.FromLabels(SixRows, 2, [0, 0, 0, 0, 0, 0], [1f, 1f, 1f, 1f, 1f, -1f]));
    }

    [Fact]
    public void ValidateNamesWhatDoesNotFit()
    {
        Assert.Contains("takes 3", Assert.Throws<ArgumentException>(() => Batch.Validate(Labelled(), ModelShape.SoftmaxRegression(3, 3))).Message, StringComparison.Ordinal);
        Assert.Contains("Row 2 of the batch has label 2", Assert.Throws<ArgumentException>(() => Batch.Validate(Labelled(), ModelShape.LogisticRegression(2))).Message, StringComparison.Ordinal);
        Assert.Contains("float targets", Assert.Throws<ArgumentException>(() => Batch.Validate(Labelled(), ModelShape.LinearRegression(2))).Message, StringComparison.Ordinal);
        Batch.Validate(Labelled(), ModelShape.SoftmaxRegression(2, 3));

        // A bad batch leaves the gradient untouched: the labels are checked before any work.
        var model = new SoftmaxRegression(2, 2);
        float[] gradient = Enumerable.Repeat(7f, model.Parameters.Length).ToArray();
        Assert.Throws<ArgumentException>(() => model.AccumulateGradient(Labelled(), gradient));
        Assert.All(gradient, g => Assert.Equal(7f, g));
    }

    [Fact]
    public void DatasetRowsAreAlignedAndPadded()
    {
        Dataset data = Dataset.FromTargets(new float[5 * 17], 17, new float[5]);
        Assert.Equal(32, data.Stride);
        for (int i = 0; i < data.Count; i++)
        {
            unsafe
            {
                fixed (float* row = data.Row(i))
                {
                    Assert.Equal(0, (long)row % 64);
                }
            }
        }
    }

    [Fact]
    public void DatasetsRefuseWhatCannotBeTrainedOn()
    {
        float[] features = [1f, 2f, 3f, float.PositiveInfinity];
        var exception = Assert.Throws<ArgumentException>(() => Dataset.FromLabels(features, 2, [0, 1]));
        Assert.Contains("Feature 1 of row 1", exception.Message, StringComparison.Ordinal);
        Assert.StartsWith("The label of row 1 is 5, but there are only 3 classes (0 to 2).", Assert.Throws<ArgumentException>(() => Dataset.FromLabels([1f, 2f], 1, [0, 5], classes: 3)).Message, StringComparison.Ordinal);

        // Three labels for two rows: the lengths disagree, and the message names both rather than blaming the features.
        ArgumentException lengths = Assert.Throws<ArgumentException>(() => Dataset.FromLabels([1f, 2f, 3f, 4f], 2, [0, 1, 1]));
        Assert.StartsWith("labels has 3 entries, one per row, but features holds 4 floats: 2 rows of 2 features.", lengths.Message, StringComparison.Ordinal);
        Assert.Equal("labels", lengths.ParamName);
        Assert.Throws<ArgumentException>(() => Dataset.FromLabels([1f, 2f], 1, [0, -1]));
        Assert.Throws<ArgumentException>(() => Dataset.FromTargets([1f, 2f], 1, [0f, float.NaN]));
        Assert.Throws<ArgumentException>(() => Dataset.FromLabels([1f, 2f, 3f], 2, [0]));
        Assert.Throws<ArgumentException>(() => Dataset.FromLabels([1f, 2f], 1, [0, 1], classNames: ["only one"]));
    }

    [Fact]
    public void SelectAndWeightsMakeNewDatasetsAndLeaveTheOriginal()
    {
        Dataset data = Dataset.FromLabels(SixRows, 2, [0, 1, 2, 0, 1, 2], classNames: ["a", "b", "c"]);
        Dataset picked = data.Select([5, 5, 0]);
        Assert.Equal(3, picked.Count);
        Assert.Equal([50f, 51f], picked.Row(0).ToArray());
        Assert.Equal([2, 2, 0], picked.Labels.ToArray());
        Assert.Equal(["a", "b", "c"], picked.ClassNames);

        Dataset weighted = data.WithSampleWeights([1f, 1f, 1f, 1f, 1f, 3f]);
        Assert.Equal(3f, weighted.SampleWeights[5]);
        Assert.True(data.SampleWeights.IsEmpty);
        Assert.Throws<ArgumentException>(() => data.WithSampleWeights([1f]));
    }
}
