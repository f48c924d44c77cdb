using FsCheck;
using FsCheck.Fluent;
using Native.Numerics;
using Native.Tests.Support;

namespace Native.Tests.Evaluation;

public class ClassificationMetricsTests
{
    // Ten rows, three classes. The confusion matrix (rows actual, columns predicted):
    //
    //              predicted 0  1  2   support
    //   actual 0             2  1  1   4
    //   actual 1             1  2  0   3
    //   actual 2             0  1  2   3
    //   predicted            3  4  3   10
    //
    // class 0: precision 2/3, recall 2/4 = 1/2, F1 = 2·2 / (2·2 + 1 + 2) = 4/7
    // class 1: precision 2/4 = 1/2, recall 2/3, F1 = 4 / (4 + 2 + 1) = 4/7
    // class 2: precision 2/3, recall 2/3, F1 = 4 / (4 + 1 + 1) = 2/3
    // accuracy 6/10
    // macro: precision (2/3 + 1/2 + 2/3) / 3 = 11/18, recall (1/2 + 2/3 + 2/3) / 3 = 11/18,
    //        F1 (4/7 + 4/7 + 2/3) / 3 = (12/21 + 12/21 + 14/21) / 3 = 38/63
    // micro: 6/10 for all three
    // weighted: precision (4·2/3 + 3·1/2 + 3·2/3) / 10 = (16/6 + 9/6 + 12/6) / 10 = 37/60,
    //           recall (4·1/2 + 3·2/3 + 3·2/3) / 10 = 6/10, F1 (4·4/7 + 3·4/7 + 3·2/3) / 10 = (4 + 2) / 10
    private static readonly int[] Actual = [0, 0, 0, 0, 1, 1, 1, 2, 2, 2];
    private static readonly int[] Predicted = [0, 0, 1, 2, 1, 1, 0, 2, 2, 1];

    private const double Tolerance = 1e-12;

    [Fact]
    public void TheConfusionMatrixCountsByActualRowAndPredictedColumn()
    {
        var matrix = new ConfusionMatrix(Actual, Predicted, 3);

        Assert.Equal<int>([2, 1, 1, 1, 2, 0, 0, 1, 2], matrix.Counts.ToArray());
        Assert.Equal(1, matrix[0, 2]);
        Assert.Equal(0, matrix[2, 0]);
        Assert.Equal((10, 6, 3), (matrix.Count, matrix.Correct, matrix.Classes));
        Assert.Equal((4, 3, 3), (matrix.ActualCount(0), matrix.ActualCount(1), matrix.ActualCount(2)));
        Assert.Equal((3, 4, 3), (matrix.PredictedCount(0), matrix.PredictedCount(1), matrix.PredictedCount(2)));
        Assert.Throws<ArgumentOutOfRangeException>(() => matrix[3, 0]);
        Assert.Throws<ArgumentOutOfRangeException>(() => matrix.Precision(-1));
    }

    [Fact]
    public void PerClassMetricsMatchTheHandComputation()
    {
        ClassificationReport report = ClassificationReport.FromPredictions(Actual, Predicted, 3);

        Assert.Equal(0.6, report.Accuracy, Tolerance);
        AssertMetrics(report.PerClass[0], 2.0 / 3, 1.0 / 2, 4.0 / 7, 4);
        AssertMetrics(report.PerClass[1], 1.0 / 2, 2.0 / 3, 4.0 / 7, 3);
        AssertMetrics(report.PerClass[2], 2.0 / 3, 2.0 / 3, 2.0 / 3, 3);
        Assert.Equal([0, 1, 2], report.PerClass.Select(m => m.Class));
    }

    [Fact]
    public void AveragesMatchTheHandComputation()
    {
        ClassificationReport report = ClassificationReport.FromPredictions(Actual, Predicted, 3);

        AssertAverages(report.MacroAverage, 11.0 / 18, 11.0 / 18, 38.0 / 63);
        AssertAverages(report.MicroAverage, 0.6, 0.6, 0.6);
        AssertAverages(report.WeightedAverage, 37.0 / 60, 0.6, 0.6);
        Assert.Null(report.LogLoss);
    }

    [Fact]
    public void UndefinedMetricsCountAsZero()
    {
        // Class 0: predicted 3 times, 2 right: precision 2/3, recall 2/2, F1 = 4 / (4 + 1 + 0) = 0.8.
        // Class 1: occurs once, never predicted: precision undefined → 0, recall 0/1, F1 0.
        // Class 2: neither occurs nor is predicted: all undefined → 0, support 0; it still counts in the macro average.
        ClassificationReport report = ClassificationReport.FromPredictions([0, 0, 1], [0, 0, 0], 3);

        AssertMetrics(report.PerClass[0], 2.0 / 3, 1, 0.8, 2);
        AssertMetrics(report.PerClass[1], 0, 0, 0, 1);
        AssertMetrics(report.PerClass[2], 0, 0, 0, 0);
        AssertAverages(report.MacroAverage, 2.0 / 9, 1.0 / 3, 0.8 / 3);
        AssertAverages(report.WeightedAverage, 4.0 / 9, 2.0 / 3, 1.6 / 3);
    }

    [Fact]
    public void MicroF1EqualsAccuracyForSingleLabelClassification() =>
        Properties.ForAll(
            from classes in Gen.Choose(1, 12)
            from count in Gen.Choose(1, 200)
            from actual in Gen.ArrayOf(Gen.Choose(0, classes - 1), count)
            from predicted in Gen.ArrayOf(Gen.Choose(0, classes - 1), count)
            select (classes, actual, predicted),
            sample =>
            {
                (int classes, int[] actual, int[] predicted) = sample;
                ClassificationReport report = ClassificationReport.FromPredictions(actual, predicted, classes);
                double accuracy = Metrics.Accuracy(actual, predicted);

                Assert.Equal(accuracy, report.Accuracy, Tolerance);
                Assert.Equal(accuracy, report.MicroAverage.F1Score, Tolerance);
                Assert.Equal(accuracy, report.WeightedAverage.Recall, Tolerance); // weighted recall is accuracy too
                Assert.Equal(actual.Length, report.PerClass.Sum(m => m.Support));
            });

    [Fact]
    public void AccuracyIsTheShareOfMatches()
    {
        Assert.Equal(0.6, Metrics.Accuracy(Actual, Predicted), Tolerance);
        Assert.Equal(1, Metrics.Accuracy([3, 1], [3, 1]));
        Assert.Equal(0, Metrics.Accuracy([3, 1], [1, 3]));
    }

    [Fact]
    public void LogLossMatchesTheHandComputation()
    {
        // −(ln 0.7 + ln 0.8 + ln 0.3) / 3 = (0.356675 + 0.223144 + 1.203973) / 3 = 0.594597
        float[] probabilities = [0.7f, 0.2f, 0.1f, 0.1f, 0.8f, 0.1f, 0.3f, 0.3f, 0.4f];
        double expected = -(Math.Log(0.7f) + Math.Log(0.8f) + Math.Log(0.3f)) / 3;

        Assert.Equal(expected, Metrics.LogLoss([0, 1, 0], probabilities, 3), Tolerance);
        Assert.Equal(0.594597, Metrics.LogLoss([0, 1, 0], probabilities, 3), 6);
        Assert.Equal(expected, ClassificationReport.FromPredictions([0, 1, 0], [0, 1, 2], 3, probabilities).LogLoss!.Value, Tolerance);
    }

    [Fact]
    public void LogLossClipsZeroProbabilities()
    {
        // p = 0 is clipped to 1e-15: −ln 1e-15 = 15 ln 10 = 34.538776.
        Assert.Equal(15 * Math.Log(10), Metrics.LogLoss([1], [1f, 0f], 2), 9);
        Assert.Equal(34.538776, Metrics.LogLoss([1], [1f, 0f], 2), 6);
        Assert.Equal(0, Metrics.LogLoss([0], [1f, 0f], 2));
        Assert.Equal(15 * Math.Log(10) / 2, Metrics.LogLoss([0, 1], [1f, 0f, 1f, 0f], 2), 9);
    }

    [Fact]
    public void SpanMetricsAllocateNothing()
    {
        float[] probabilities = [0.7f, 0.2f, 0.1f, 0.1f, 0.8f, 0.1f, 0.3f, 0.3f, 0.4f];
        int[] actual = [0, 1, 0];
        Assert.Equal(0, Allocations.Measure(() => Metrics.Accuracy(Actual, Predicted)));
        Assert.Equal(0, Allocations.Measure(() => Metrics.LogLoss(actual, probabilities, 3)));
    }

    [Fact]
    public void BadInputsAreRefused()
    {
        Assert.Throws<ArgumentException>(() => Metrics.Accuracy([], []));
        Assert.Throws<ArgumentException>(() => Metrics.Accuracy([1, 2], [1]));
        Assert.Throws<ArgumentException>(() => Metrics.LogLoss([0, 1], new float[5], 3));
        Assert.Throws<ArgumentException>(() => Metrics.LogLoss([], [], 3));
        ArgumentOutOfRangeException label = Assert.Throws<ArgumentOutOfRangeException>(() => Metrics.LogLoss([0, 3], new float[6], 3));
        Assert.Contains("Actual class 1 is 3", label.Message, StringComparison.Ordinal);

        ArgumentOutOfRangeException predicted = Assert.Throws<ArgumentOutOfRangeException>(() => new ConfusionMatrix([0, 1, 2], [0, -1, 2], 3));
        Assert.Contains("Predicted class 1 is -1", predicted.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => ClassificationReport.FromPredictions([0, 3], [0, 1], 3));
        Assert.Throws<ArgumentException>(() => ClassificationReport.FromPredictions([0, 1], [0, 1], 2, new float[3]));
        Assert.Throws<ArgumentException>(() => ClassificationReport.FromPredictions([], [], 2));
    }

    [Fact]
    public void TheConfusionMatrixPrintsAsATable()
    {
        string expected = string.Join(
            Environment.NewLine,
            "        predicted →",
            "actual  0 1 2",
            "     0  2 1 1",
            "     1  1 2 0",
            "     2  0 1 2");

        Assert.Equal(expected, new ConfusionMatrix(Actual, Predicted, 3).ToString());
    }

    [Fact]
    public void WideCountsWidenEveryColumn()
    {
        int[] actual = [.. Enumerable.Repeat(0, 1234), 11];
        int[] predicted = [.. Enumerable.Repeat(0, 1234), 3];
        string[] lines = new ConfusionMatrix(actual, predicted, 12).ToString().Split(Environment.NewLine);

        Assert.Equal(14, lines.Length);
        Assert.Equal("actual     0    1    2    3    4    5    6    7    8    9   10   11", lines[1]);
        Assert.Equal("     0  1234    0    0    0    0    0    0    0    0    0    0    0", lines[2]);
        Assert.Equal("    11     0    0    0    1    0    0    0    0    0    0    0    0", lines[13]);
    }

    [Fact]
    public void TheReportPrintsEveryClassAndAverage()
    {
        string text = ClassificationReport.FromPredictions(Actual, Predicted, 3, new float[30]).ToString();

        Assert.Contains("           0     0.6667     0.5000     0.5714          4", text, StringComparison.Ordinal);
        Assert.Contains("    accuracy                           0.6000         10", text, StringComparison.Ordinal);
        Assert.Contains("   macro avg     0.6111     0.6111     0.6032         10", text, StringComparison.Ordinal);
        Assert.Contains("weighted avg     0.6167     0.6000     0.6000         10", text, StringComparison.Ordinal);
        Assert.Contains("log-loss 34.5388", text, StringComparison.Ordinal);
        Assert.Contains("     2  0 1 2", text, StringComparison.Ordinal);
    }

    private static void AssertMetrics(ClassMetrics metrics, double precision, double recall, double f1, int support)
    {
        Assert.Equal(precision, metrics.Precision, Tolerance);
        Assert.Equal(recall, metrics.Recall, Tolerance);
        Assert.Equal(f1, metrics.F1Score, Tolerance);
        Assert.Equal(support, metrics.Support);
    }

    private static void AssertAverages(AveragedMetrics metrics, double precision, double recall, double f1)
    {
        Assert.Equal(precision, metrics.Precision, Tolerance);
        Assert.Equal(recall, metrics.Recall, Tolerance);
        Assert.Equal(f1, metrics.F1Score, Tolerance);
    }
}
