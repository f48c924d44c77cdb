using Native.Numerics;

namespace Native.Tests.Evaluation;

public class ReportEvaluateTests
{
    /// <summary>More than two batches of 256, the last one partial.</summary>
    private const int Rows = 600;

    [Fact]
    public void EvaluatingAClassifierAgreesWithItsOwnPredictions()
    {
        // Three features, three classes; W = 4·I, so the model predicts the largest feature. Labels mostly agree.
        var model = new SoftmaxRegression(3, 3);
        model.Parameters.Clear();
        for (int c = 0; c < 3; c++)
        {
            model.Parameters[(c * 3) + c] = 4f;
        }

        Dataset data = ThreeClassData();
        ClassificationReport report = ClassificationReport.Evaluate(model, data);

        int[] predicted = new int[data.Count];
        float[] probabilities = new float[data.Count * 3];
        for (int i = 0; i < data.Count; i++)
        {
            predicted[i] = model.PredictClass(data.Row(i));
            model.PredictProbabilities(data.Row(i), probabilities.AsSpan(i * 3, 3));
        }

        ClassificationReport expected = ClassificationReport.FromPredictions(data.Labels, predicted, 3, probabilities);
        Assert.Equal(expected.ConfusionMatrix.Counts.ToArray(), report.ConfusionMatrix.Counts.ToArray());
        Assert.Equal(expected.LogLoss!.Value, report.LogLoss!.Value, 1e-9);
        Assert.Equal(expected.Accuracy, report.Accuracy);
        Assert.InRange(report.Accuracy, 0.8, 0.95); // the labels disagree with the largest feature for 1 row in 7
    }

    [Fact]
    public void AModelWithZeroParametersIsUniform()
    {
        // Every probability 1/3: log-loss ln 3; every prediction class 0 (ties go to the lower class).
        Dataset data = ThreeClassData();
        ClassificationReport report = ClassificationReport.Evaluate(new SoftmaxRegression(3, 3), data);

        Assert.Equal(Math.Log(3), report.LogLoss!.Value, 6);
        Assert.Equal(data.Labels.Count(0) / (double)data.Count, report.Accuracy, 12);
        Assert.Equal(data.Count, report.ConfusionMatrix.PredictedCount(0));
    }

    [Fact]
    public void MismatchedModelsAndDatasetsAreRefused()
    {
        Dataset data = ThreeClassData();
        ArgumentException features = Assert.Throws<ArgumentException>(() => ClassificationReport.Evaluate(new SoftmaxRegression(4, 3), data));
        Assert.Contains("4 features", features.Message, StringComparison.Ordinal);
        Assert.Contains("have 3", features.Message, StringComparison.Ordinal);
        ArgumentException classes = Assert.Throws<ArgumentException>(() => ClassificationReport.Evaluate(new SoftmaxRegression(3, 4), data));
        Assert.Contains("predicts 4 classes, but the dataset has 3", classes.Message, StringComparison.Ordinal);

        Dataset regression = Dataset.FromTargets([1, 2, 3], 1, [1, 2, 3]);
        Assert.Throws<ArgumentException>(() => ClassificationReport.Evaluate(new LogisticRegression(1), regression));
        Assert.Throws<ArgumentException>(() => RegressionReport.Evaluate(new LinearRegression(1), data));
        Assert.Throws<ArgumentException>(() => RegressionReport.Evaluate(new LinearRegression(2), regression));
        Assert.Throws<ArgumentException>(() => RegressionReport.Evaluate(new LinearRegression(1), Dataset.FromTargets([], 1, [])));
    }

    [Fact]
    public void EvaluatingARegressorAgreesWithItsOwnPredictions()
    {
        // y = 2x + 1 exactly, then with an error on every third row.
        var model = new LinearRegression(1);
        model.Parameters[0] = 2f; // the weight
        model.Parameters[1] = 1f; // the bias
        float[] x = [.. Enumerable.Range(0, Rows).Select(i => (float)i)]; // integers: 2x + 1 is exact in float
        float[] exact = [.. x.Select(v => (2 * v) + 1)];

        RegressionReport perfect = RegressionReport.Evaluate(model, Dataset.FromTargets(x, 1, exact));
        Assert.Equal((Rows, 0.0, 0.0, 1.0), (perfect.Count, perfect.MeanSquaredError, perfect.MeanAbsoluteError, perfect.RSquared));

        float[] noisy = [.. exact.Select((y, i) => i % 3 == 0 ? y + 0.5f : y)];
        RegressionReport report = RegressionReport.Evaluate(model, Dataset.FromTargets(x, 1, noisy));
        RegressionReport expected = RegressionReport.FromPredictions(noisy, exact);
        Assert.Equal(expected.MeanSquaredError, report.MeanSquaredError);
        Assert.Equal(expected.RSquared, report.RSquared);
        Assert.Equal(0.25 / 3, report.MeanSquaredError, 6);
    }

    /// <summary>
    /// 600 rows of three features; the label is the index of the largest feature, except for every
    /// seventh row, whose label is the next class.
    /// </summary>
    private static Dataset ThreeClassData()
    {
        float[] features = new float[Rows * 3];
        int[] labels = new int[Rows];
        for (int i = 0; i < Rows; i++)
        {
            int largest = (i * 7 / 3) % 3;
            for (int j = 0; j < 3; j++)
            {
                features[(i * 3) + j] = j == largest ? 1f : ((i + j) % 5) / 10f;
            }

            labels[i] = i % 7 == 0 ? (largest + 1) % 3 : largest;
        }

        return Dataset.FromLabels(features, 3, labels);
    }
}
