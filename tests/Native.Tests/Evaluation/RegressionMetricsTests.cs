using Native.Numerics;
using Native.Tests.Support;

namespace Native.Tests.Evaluation;

public class RegressionMetricsTests
{
    private const double Tolerance = 1e-12;

    [Fact]
    public void HandComputedErrors()
    {
        // Errors 0.5, 0, −1, 1. MSE (0.25 + 0 + 1 + 1) / 4 = 0.5625; MAE (0.5 + 0 + 1 + 1) / 4 = 0.625.
        // Mean of actual 2.5; SS_tot 2.25 + 0.25 + 0.25 + 2.25 = 5; SS_res 2.25; R² = 1 − 2.25 / 5 = 0.55.
        float[] actual = [1, 2, 3, 4];
        float[] predicted = [1.5f, 2, 2, 5];

        Assert.Equal(0.5625, Metrics.MeanSquaredError(actual, predicted), Tolerance);
        Assert.Equal(0.625, Metrics.MeanAbsoluteError(actual, predicted), Tolerance);
        Assert.Equal(0.55, Metrics.RSquared(actual, predicted), Tolerance);

        RegressionReport report = RegressionReport.FromPredictions(actual, predicted);
        Assert.Equal((4, 0.5625, 0.75, 0.625, 0.55), (report.Count, report.MeanSquaredError, report.RootMeanSquaredError, report.MeanAbsoluteError, Math.Round(report.RSquared, 12)));
        Assert.Equal("n 4, MSE 0.5625, RMSE 0.75, MAE 0.625, R² 0.5500", report.ToString());
    }

    [Fact]
    public void RSquaredIsOneForPerfectPredictionsAndZeroForTheMean()
    {
        float[] actual = [1, 2, 3, 6]; // mean 3, exactly representable
        Assert.Equal(1, Metrics.RSquared(actual, actual));
        Assert.Equal(0, Metrics.RSquared(actual, [3, 3, 3, 3]));
        Assert.True(Metrics.RSquared(actual, [6, 3, 2, 1]) < 0, "worse than the mean is negative");
    }

    [Fact]
    public void RSquaredOfConstantTargetsIsOneIfPerfectElseZero()
    {
        Assert.Equal(1, Metrics.RSquared([2, 2, 2], [2, 2, 2]));
        Assert.Equal(0, Metrics.RSquared([2, 2, 2], [2, 2, 2.5f]));
    }

    [Fact]
    public void SpanMetricsAllocateNothing()
    {
        float[] actual = [1, 2, 3, 4];
        float[] predicted = [1.5f, 2, 2, 5];
        Assert.Equal(0, Allocations.Measure(() => Metrics.MeanSquaredError(actual, predicted)));
        Assert.Equal(0, Allocations.Measure(() => Metrics.MeanAbsoluteError(actual, predicted)));
        Assert.Equal(0, Allocations.Measure(() => Metrics.RSquared(actual, predicted)));
    }

    [Fact]
    public void BadInputsAreRefused()
    {
        Assert.Throws<ArgumentException>(() => Metrics.MeanSquaredError([], []));
        Assert.Throws<ArgumentException>(() => Metrics.MeanAbsoluteError([1], [1, 2]));
        Assert.Throws<ArgumentException>(() => Metrics.RSquared([1, 2], [1]));
        Assert.Throws<ArgumentException>(() => RegressionReport.FromPredictions([], []));
    }
}
