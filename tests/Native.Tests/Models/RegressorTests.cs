using Native.Numerics;
using Native.Tests.Kernels;
using Native.Tests.Support;

namespace Native.Tests.Models;

/// <summary>
/// The perceptron regressor and multi-output regression: predictions of k values a row against the reference on every
/// path, the one-value calls refused for k > 1, training that recovers known coefficients and fits what a line cannot,
/// targets that do not fit refused with the counts named.
/// </summary>
public class RegressorTests
{
    public static TheoryData<string, string> WidthsAndModels()
    {
        var data = new TheoryData<string, string>();
        foreach (string width in new[] { "Scalar", "Vector128", "Vector256", "Vector512" })
        {
            data.Add(width, "linear 7-3");
            data.Add(width, "perceptron regressor 7-9-3 tanh");
            data.Add(width, "perceptron regressor 17-5-4-1 relu");
        }

        return data;
    }

    private static DenseModel Create(string name, int seed) => name switch
    {
        "linear 7-3" => new LinearRegression(7, 3),
        "perceptron regressor 7-9-3 tanh" => new MultilayerPerceptronRegressor([7, 9, 3], Activation.Tanh, seed),
        _ => new MultilayerPerceptronRegressor([17, 5, 4, 1], Activation.Relu, seed),
    };

    [Theory]
    [MemberData(nameof(WidthsAndModels))]
    public void PredictValuesGivesEveryOutputOfEveryRowAsTheReferenceDoes(string width, string name)
    {
        DenseModel model = Create(name, seed: 3);
        DenseKernelTests.Random(model.Parameters.Length, 5).CopyTo(model.Parameters);
        model.KernelWidth = Widths.Parse(width);
        var regressor = (IRegressor)model;
        int f = model.Features, k = model.Outputs;
        const int rows = 67;

        // The rows at an odd offset of the caller's array, as users pass them.
        float[] buffer = DenseKernelTests.Random((rows * f) + 1, 6, scale: 2f);
        ReadOnlySpan<float> x = buffer.AsSpan(1);
        float[] values = new float[rows * k];
        regressor.PredictValues(x, values);

        double[] parameters = ReferenceNetwork.ToDouble(model.Parameters);
        float[] one = new float[k];
        for (int i = 0; i < rows; i++)
        {
            double[] expected = ReferenceNetwork.Forward(model.Shape, parameters, x.Slice(i * f, f));
            regressor.PredictValues(x.Slice(i * f, f), one);
            for (int j = 0; j < k; j++)
            {
                double tolerance = 1e-4 * Math.Max(1, Math.Abs(expected[j])) * Math.Sqrt(f);
                Assert.True(Math.Abs(expected[j] - values[(i * k) + j]) <= tolerance, $"{name}: row {i} output {j}: expected {expected[j]}, got {values[(i * k) + j]}");
                Assert.True(Math.Abs(expected[j] - one[j]) <= tolerance, $"{name}: row {i} output {j} alone: expected {expected[j]}, got {one[j]}");
            }

            if (k == 1)
            {
                // The one-row path (not the batch kernels): the same value within rounding, and Try agrees with it exactly.
                float single = regressor.PredictValue(x.Slice(i * f, f));
                double tolerance = 1e-4 * Math.Max(1, Math.Abs(expected[0])) * Math.Sqrt(f);
                Assert.True(Math.Abs(expected[0] - single) <= tolerance, $"{name}: row {i}: expected {expected[0]}, PredictValue gave {single}");
                Assert.True(regressor.TryPredictValue(x.Slice(i * f, f), out float value));
                Assert.Equal(single, value);
            }
        }
    }

    [Fact]
    public void TheOneValueCallsRefuseAModelOfSeveralOutputs()
    {
        var model = new MultilayerPerceptronRegressor([3, 4, 2]);
        NotSupportedException error = Assert.Throws<NotSupportedException>(() => model.PredictValue([1f, 2f, 3f]));
        Assert.Contains("use PredictValues", error.Message, StringComparison.Ordinal);
        Assert.Throws<NotSupportedException>(() => new LinearRegression(3, 2).TryPredictValue([1f, 2f, 3f], out _));

        // PredictValues wants k values a row.
        ArgumentException lengths = Assert.Throws<ArgumentException>(() => model.PredictValues(new float[6], new float[2]));
        Assert.Contains("values", lengths.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void PredictionsAllocateNothing()
    {
        var single = new MultilayerPerceptronRegressor([10, 16, 1], Activation.Relu, seed: 1);
        var multiple = new MultilayerPerceptronRegressor([10, 16, 3], Activation.Relu, seed: 1);
        float[] row = DenseKernelTests.Random(10, 2), rows = DenseKernelTests.Random(80, 3), values = new float[24];
        float sink = 0;
        Assert.Equal(0, Allocations.Measure(() => sink += single.PredictValue(row)));
        Assert.Equal(0, Allocations.Measure(() => multiple.PredictValues(rows, values)));
        Assert.Equal(0, Allocations.Measure(() => multiple.PredictValues(row, values.AsSpan(0, 3))));
        Assert.True(float.IsFinite(sink));
    }

    [Fact]
    public void AMultiOutputLinearRegressionRecoversItsCoefficients()
    {
        // y = W·x + b exactly, 3 targets of 4 features: gradient descent on the summed squared error finds W and b.
        float[] w = [1f, -2f, 0.5f, 3f, 0f, 1.5f, -1f, 2f, -0.5f, 0.25f, 4f, -3f];
        float[] b = [0.5f, -1f, 2f];
        const int rows = 300;
        float[] x = DenseKernelTests.Random(rows * 4, 21, scale: 1f);
        float[] y = new float[rows * 3];
        for (int i = 0; i < rows; i++)
        {
            for (int j = 0; j < 3; j++)
            {
                float sum = b[j];
                for (int f = 0; f < 4; f++)
                {
                    sum += w[(j * 4) + f] * x[(i * 4) + f];
                }

                y[(i * 3) + j] = sum;
            }
        }

        Dataset data = Dataset.FromTargets(x, 4, y, targetCount: 3);
        Assert.Equal(3, data.TargetCount);
        var model = new LinearRegression(4, 3);
        new Trainer(model, new Adam(learningRate: 0.05f), new TrainerOptions { Epochs = 400, BatchSize = 32 }).Fit(data);

        for (int p = 0; p < w.Length; p++)
        {
            Assert.True(Math.Abs(w[p] - model.Parameters[p]) < 2e-2f, $"weight {p}: expected {w[p]}, got {model.Parameters[p]}");
        }

        for (int j = 0; j < 3; j++)
        {
            Assert.True(Math.Abs(b[j] - model.Parameters[w.Length + j]) < 2e-2f, $"bias {j}: expected {b[j]}, got {model.Parameters[w.Length + j]}");
        }

        RegressionReport report = RegressionReport.Evaluate(model, data);
        Assert.Equal(3, report.ByOutput.Count);
        Assert.True(report.RSquared > 0.999, report.ToString());
    }

    [Fact]
    public void APerceptronRegressorFitsWhatALineCannot()
    {
        // Two targets, x₀² and |x₁|: no line comes close, a small perceptron does.
        const int rows = 512;
        float[] x = DenseKernelTests.Random(rows * 2, 31, scale: 2f);
        float[] y = new float[rows * 2];
        for (int i = 0; i < rows; i++)
        {
            y[2 * i] = x[2 * i] * x[2 * i];
            y[(2 * i) + 1] = Math.Abs(x[(2 * i) + 1]);
        }

        Dataset data = Dataset.FromTargets(x, 2, y, targetCount: 2);
        var options = new TrainerOptions { Epochs = 300, BatchSize = 32, Seed = 1 };
        var perceptron = new MultilayerPerceptronRegressor([2, 32, 2], Activation.Relu, seed: 2);
        var line = new LinearRegression(2, 2);
        new Trainer(perceptron, new Adam(learningRate: 0.01f), options).Fit(data);
        new Trainer(line, new Adam(learningRate: 0.01f), options).Fit(data);

        RegressionReport curved = RegressionReport.Evaluate(perceptron, data), straight = RegressionReport.Evaluate(line, data);
        Assert.True(curved.MeanSquaredError < 0.1 * straight.MeanSquaredError, $"perceptron {curved}; line {straight}");
        Assert.True(curved.ByOutput.All(r => r.RSquared > 0.95), curved.ToString());
    }

    [Fact]
    public void TargetsThatDoNotFitAreRefusedWithTheCounts()
    {
        float[] x = DenseKernelTests.Random(10 * 3, 1);
        Dataset two = Dataset.FromTargets(x, 3, DenseKernelTests.Random(20, 2), targetCount: 2);

        ArgumentException error = Assert.Throws<ArgumentException>(() => new Trainer(new LinearRegression(3), new Adam()).Fit(two));
        Assert.Contains("predicts 1 value a row, but the training data have 2 targets a row", error.Message, StringComparison.Ordinal);

        ArgumentException batch = Assert.Throws<ArgumentException>(() => new LinearRegression(3, 3).Loss(Batch.FromTargets(x, 3, DenseKernelTests.Random(20, 2), targetCount: 2)));
        Assert.Contains("The batch has 2 targets a row", batch.Message, StringComparison.Ordinal);

        ArgumentException ragged = Assert.Throws<ArgumentException>(() => Dataset.FromTargets(x, 3, new float[21], targetCount: 2));
        Assert.Contains("not a whole number of rows of 2 targets", ragged.Message, StringComparison.Ordinal);

        ArgumentException report = Assert.Throws<ArgumentException>(() => RegressionReport.Evaluate(new LinearRegression(3, 3), two));
        Assert.Contains("predicts 3 values a row, but the dataset has 2 targets a row", report.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AMultiOutputReportIsTheMeanOfItsOutputsReports()
    {
        // Worked example: output 0 is exact, output 1 is off by 1 on every row.
        float[] actual = [1f, 10f, 2f, 20f, 3f, 30f];
        float[] predicted = [1f, 11f, 2f, 19f, 3f, 31f];
        RegressionReport report = RegressionReport.FromPredictions(actual, predicted, outputs: 2);

        Assert.Equal(3, report.Count);
        Assert.Equal(0.0, report.ByOutput[0].MeanSquaredError);
        Assert.Equal(1.0, report.ByOutput[1].MeanSquaredError);
        Assert.Equal(0.5, report.MeanSquaredError);
        Assert.Equal(0.5, report.MeanAbsoluteError);
        Assert.Equal(1.0, report.ByOutput[0].RSquared);
        Assert.Equal(1 - (3.0 / 200.0), report.ByOutput[1].RSquared, 12);
        Assert.EndsWith(", 2 outputs", report.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void ShapesOfTheRegressorsSayWhatTheyAre()
    {
        ModelShape shape = ModelShape.MultilayerPerceptronRegressor([5, 8, 1], [Activation.Relu]);
        Assert.Equal(ModelTask.Regression, shape.Task);
        Assert.Equal(0, shape.Classes);
        Assert.Equal("MultilayerPerceptronRegressor 5-8-1 (Relu)", shape.ToString());
        Assert.IsType<MultilayerPerceptronRegressor>(shape.CreateModel(seed: 4));
        Assert.IsType<LinearRegression>(ModelShape.LinearRegression(5, 2).CreateModel());
        Assert.NotEqual(shape, ModelShape.MultilayerPerceptron([5, 8, 2], [Activation.Relu]));

        // The same seed starts a regressor where a classifier of the same layers starts.
        var regressor = new MultilayerPerceptronRegressor([5, 8, 2], Activation.Relu, seed: 9);
        var classifier = new MultilayerPerceptron([5, 8, 2], Activation.Relu, seed: 9);
        Assert.True(regressor.Parameters.SequenceEqual(classifier.Parameters));

        Assert.Throws<ArgumentOutOfRangeException>(() => ModelShape.LinearRegression(5, 0));
        Assert.Throws<ArgumentException>(() => new MultilayerPerceptronRegressor(ModelShape.MultilayerPerceptron([5, 8, 2], [Activation.Relu])));
    }

    [Fact]
    public void PredictValuesNamesItsValuesSpan()
    {
        // A span of the wrong length was called 'outputs', a parameter no caller of PredictValues has.
        var model = new TrainedModel(new LinearRegression(2));
        var error = Assert.Throws<ArgumentException>(() => model.PredictValues(new float[4], new float[3]));
        Assert.Equal("values holds 3 values; 2 rows need 2. (Parameter 'values')", error.Message);
        Assert.Equal("values", error.ParamName);
        Assert.Equal("values", Assert.Throws<ArgumentException>(() => new MultilayerPerceptronRegressor([2, 3, 2], Activation.Tanh, 1).PredictValues(new float[4], new float[3])).ParamName);
    }
}
