using FsCheck;
using FsCheck.Fluent;
using Native.Numerics;
using Native.Tests.Support;

namespace Native.Tests.Evaluation;

/// <summary>
/// Evaluation with many classes: the confusion matrix is sparse, so 50,000 classes cost megabytes, not the
/// 10 GB of a dense table (the run ended in an OverflowException after 69 s of training).
/// </summary>
public sealed class ManyClassesTests
{
    [Fact]
    public void FiftyThousandClassesCostLittleAndCountExactly()
    {
        const int classes = 50_000, rows = 100_000;
        int[] actual = new int[rows], predicted = new int[rows];
        for (int i = 0; i < rows; i++)
        {
            actual[i] = i % classes;
            predicted[i] = i % 3 == 0 ? (i + 7) % classes : i % classes;
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        var matrix = new ConfusionMatrix(actual, predicted, classes);
        ClassificationReport report = ClassificationReport.FromPredictions(actual, predicted, classes);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.True(allocated < 64 << 20, $"allocated {allocated:N0} bytes");
        Assert.Equal(rows - ((rows + 2) / 3), matrix.Correct);
        Assert.Equal(1, matrix[1, 1]);      // row 1; row 50,001 (a multiple of 3) went to class 8
        Assert.Equal(1, matrix[1, 8]);
        Assert.Equal(1, matrix[0, 7]);      // row 0 went to class 7; row 50,000 is not a multiple of 3
        Assert.Equal(1, matrix[0, 0]);
        Assert.Equal(0, matrix[7, 0]);
        Assert.Equal(matrix.Correct / (double)rows, report.Accuracy);
        InvalidOperationException dense = Assert.Throws<InvalidOperationException>(() => matrix.Counts.Length);
        Assert.Contains("50000 classes would hold 2500000000 cells; read NonZero", dense.Message, StringComparison.Ordinal);
        Assert.StartsWith("50000 classes, 66666 of 100000 rows on the diagonal; the largest confusions", matrix.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void TheSparseTableEqualsADenseCount()
    {
        Gen<(int Classes, int[] Actual, int[] Predicted)> cases =
            from classes in Gen.Choose(1, 12)
            from rows in Gen.Choose(1, 60)
            from actual in Gen.ArrayOf(Gen.Choose(0, classes - 1), rows)
            from predicted in Gen.ArrayOf(Gen.Choose(0, classes - 1), rows)
            select (classes, actual, predicted);
        Properties.ForAll(cases, c =>
        {
            int[] dense = new int[c.Classes * c.Classes];
            for (int i = 0; i < c.Actual.Length; i++)
            {
                dense[(c.Actual[i] * c.Classes) + c.Predicted[i]]++;
            }

            var matrix = new ConfusionMatrix(c.Actual, c.Predicted, c.Classes);
            Assert.Equal(dense, matrix.Counts.ToArray());
            for (int a = 0; a < c.Classes; a++)
            {
                for (int p = 0; p < c.Classes; p++)
                {
                    Assert.Equal(dense[(a * c.Classes) + p], matrix[a, p]);
                }
            }

            var cells = matrix.NonZero;
            Assert.Equal(dense.Count(n => n > 0), cells.Count);
            Assert.All(cells, cell => Assert.Equal(dense[(cell.Actual * c.Classes) + cell.Predicted], cell.Count));
            Assert.Equal(cells.OrderBy(cell => cell.Actual).ThenBy(cell => cell.Predicted), cells);
        });
    }

    [Fact]
    public void EvaluatingAModelOfManyClassesHoldsABoundedBatch()
    {
        // 30,000 classes: a batch of 256 rows' probabilities would be 31 MB; the budget keeps it near 4 MB.
        var model = new SoftmaxRegression(2, 30_000);
        float[] features = new float[2 * 500];
        int[] labels = Enumerable.Range(0, 500).Select(i => i * 60).ToArray();
        Dataset data = Dataset.FromLabels(features, 2, labels, classes: 30_000);
        ClassificationReport.Evaluate(model, data); // warm up

        long before = GC.GetAllocatedBytesForCurrentThread();
        ClassificationReport report = ClassificationReport.Evaluate(model, data);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(500, report.Count);
        Assert.True(allocated < 16 << 20, $"allocated {allocated:N0} bytes");
    }
}
