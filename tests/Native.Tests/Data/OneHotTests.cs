using FsCheck;
using FsCheck.Fluent;
using Native.Numerics;
using Native.Tests.Support;

namespace Native.Tests.Data;

public class OneHotTests
{
    [Fact]
    public void DecodingAnEncodingGivesTheLabelsBack() =>
        Properties.ForAll(
            from classes in Gen.Choose(1, 20)
            from labels in Gen.ArrayOf(Gen.Choose(0, classes - 1))
            select (classes, labels),
            sample =>
            {
                (int classes, int[] labels) = sample;
                float[] rows = new float[labels.Length * classes];
                OneHot.Encode(labels, classes, rows);
                for (int i = 0; i < labels.Length; i++)
                {
                    ReadOnlySpan<float> row = rows.AsSpan(i * classes, classes);
                    Assert.Equal(1f, row[labels[i]]);
                    Assert.Equal(1, row.Count(1f));
                    Assert.Equal(classes - 1, row.Count(0f));
                }

                int[] decoded = new int[labels.Length];
                OneHot.Decode(rows, classes, decoded);
                Assert.Equal(labels, decoded);
            });

    [Fact]
    public void EncodingOverwritesWhatWasThere()
    {
        float[] rows = [9, 9, 9, 9, 9, 9];
        OneHot.Encode([2, 0], 3, rows);
        Assert.Equal<float>([0, 0, 1, 1, 0, 0], rows);
    }

    [Fact]
    public void DecodingProbabilitiesTakesTheLargestAndTiesGoLow()
    {
        int[] labels = new int[3];
        OneHot.Decode([0.2f, 0.5f, 0.3f, 0.4f, 0.4f, 0.2f, 0f, 0f, 1f], 3, labels);
        Assert.Equal<int>([1, 0, 2], labels);
    }

    [Fact]
    public void ALabelOutOfRangeIsRefusedByIndexBeforeAnythingIsWritten()
    {
        float[] rows = [7, 7, 7, 7, 7, 7, 7, 7, 7];

        ArgumentOutOfRangeException high = Assert.Throws<ArgumentOutOfRangeException>(() => OneHot.Encode([0, 1, 3], 3, rows));
        Assert.Contains("Label 2 is 3", high.Message, StringComparison.Ordinal);
        Assert.Equal("labels", high.ParamName);
        Assert.All(rows, value => Assert.Equal(7f, value));

        ArgumentOutOfRangeException negative = Assert.Throws<ArgumentOutOfRangeException>(() => OneHot.Encode([0, -1, 2], 3, rows));
        Assert.Contains("Label 1 is -1", negative.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void WrongLengthsAndClassCountsAreRefused()
    {
        Assert.Throws<ArgumentException>(() => OneHot.Encode([0, 1], 3, new float[5]));
        Assert.Throws<ArgumentException>(() => OneHot.Encode([0, 1], 3, new float[7]));
        Assert.Throws<ArgumentOutOfRangeException>(() => OneHot.Encode([0], 0, []));
        Assert.Throws<ArgumentException>(() => OneHot.Decode(new float[5], 3, new int[2]));
        Assert.Throws<ArgumentOutOfRangeException>(() => OneHot.Decode([], 0, new int[2]));
    }

    [Fact]
    public void EncodingAndDecodingAllocateNothing()
    {
        int[] labels = [3, 1, 4, 1, 5, 9, 2, 6];
        float[] rows = new float[labels.Length * 10];
        int[] decoded = new int[labels.Length];

        Assert.Equal(0, Allocations.Measure(() => OneHot.Encode(labels, 10, rows)));
        Assert.Equal(0, Allocations.Measure(() => OneHot.Decode(rows, 10, decoded)));
    }
}
