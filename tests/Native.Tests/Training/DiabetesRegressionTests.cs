using Native.Numerics;
using Native.Tests.Support;
using Xunit.Abstractions;

namespace Native.Tests.Training;

/// <summary>
/// Issue 22's proof for the perceptron regressor: on scikit-learn's diabetes set (tests/data/diabetes, 442 rows of 10
/// features), a perceptron regressor's held-out mean squared error is within 15 % of ordinary least squares' — solved
/// exactly here, in double precision, by the normal equations on the same training rows.
/// </summary>
public sealed class DiabetesRegressionTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    public void APerceptronRegressorIsWithinFifteenPercentOfLeastSquares(int seed)
    {
        Dataset all = Csv.Read(Path.Combine(Mnist.RepositoryRoot(), "tests", "data", "diabetes", "diabetes.csv"), new CsvOptions { LabelColumn = "target", Labels = CsvLabels.Regression });
        Assert.Equal(442, all.Count);
        (Dataset training, Dataset test) = all.Split(0.2, seed);
        Standardizer standardizer = Standardizer.Fit(training);
        training = standardizer.Transform(training);
        test = standardizer.Transform(test);

        double leastSquares = MeanSquaredError(test, LeastSquares(training));

        var perceptron = new MultilayerPerceptronRegressor([10, 32, 1], Activation.Relu, seed: seed);
        new Trainer(perceptron, new Adam(learningRate: 0.01f), new TrainerOptions { Epochs = 300, BatchSize = 32, Seed = seed }).Fit(training);
        double mlp = RegressionReport.Evaluate(perceptron, test).MeanSquaredError;

        output.WriteLine($"seed {seed}: {test.Count} held-out rows; least squares MSE {leastSquares:F1}, perceptron regressor 10-32-1 MSE {mlp:F1} ({mlp / leastSquares:P1} of it)");
        Assert.True(mlp <= 1.15 * leastSquares, $"seed {seed}: perceptron MSE {mlp:F1}, least squares {leastSquares:F1}");
    }

    /// <summary>The weights and then the intercept minimizing the training rows' squared error: (XᵀX)β = Xᵀy with a column of ones.</summary>
    private static double[] LeastSquares(Dataset data)
    {
        int p = data.Features + 1;
        double[,] normal = new double[p, p + 1];
        for (int i = 0; i < data.Count; i++)
        {
            ReadOnlySpan<float> row = data.Row(i);
            double y = data.Targets[i];
            for (int a = 0; a < p; a++)
            {
                double xa = a < data.Features ? row[a] : 1;
                for (int b = 0; b < p; b++)
                {
                    normal[a, b] += xa * (b < data.Features ? row[b] : 1);
                }

                normal[a, p] += xa * y;
            }
        }

        // Gaussian elimination with partial pivoting.
        for (int c = 0; c < p; c++)
        {
            int pivot = c;
            for (int r = c + 1; r < p; r++)
            {
                pivot = Math.Abs(normal[r, c]) > Math.Abs(normal[pivot, c]) ? r : pivot;
            }

            for (int k = 0; k <= p; k++)
            {
                (normal[c, k], normal[pivot, k]) = (normal[pivot, k], normal[c, k]);
            }

            for (int r = 0; r < p; r++)
            {
                if (r != c)
                {
                    double factor = normal[r, c] / normal[c, c];
                    for (int k = c; k <= p; k++)
                    {
                        normal[r, k] -= factor * normal[c, k];
                    }
                }
            }
        }

        double[] beta = new double[p];
        for (int a = 0; a < p; a++)
        {
            beta[a] = normal[a, p] / normal[a, a];
        }

        return beta;
    }

    private static double MeanSquaredError(Dataset data, double[] beta)
    {
        double total = 0;
        for (int i = 0; i < data.Count; i++)
        {
            ReadOnlySpan<float> row = data.Row(i);
            double predicted = beta[data.Features];
            for (int j = 0; j < data.Features; j++)
            {
                predicted += beta[j] * row[j];
            }

            total += (predicted - data.Targets[i]) * (predicted - data.Targets[i]);
        }

        return total / data.Count;
    }
}
