using Native.Numerics;

namespace Native.Tests.Training;

/// <summary>The trainer reaches the known optimum of convex problems.</summary>
public class TrainerGoldenTests
{
    // The course's table: hours studied and whether the student passed.
    private static readonly float[] Hours = [0.5f, 0.75f, 1f, 1.25f, 1.5f, 1.75f, 1.75f, 2f, 2.25f, 2.5f, 2.75f, 3f, 3.25f, 3.5f, 4f, 4.25f, 4.5f, 4.75f, 5f, 5.5f];
    private static readonly int[] Passed = [0, 0, 0, 0, 0, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 1, 1, 1, 1, 1];

    [Fact]
    public void LogisticRegressionOnTheStudentTableReachesTheMaximumLikelihoodFit()
    {
        var model = new LogisticRegression(1);
        var trainer = new Trainer(model, new Momentum(0.1f, 0.9f), new TrainerOptions
        {
            BatchSize = Hours.Length, // full batch: exact gradient descent on the mean log-loss
            Epochs = 100_000,
            GradientTolerance = 1e-6f,
        });
        TrainingResult result = trainer.Fit(Dataset.FromLabels(Hours, 1, Passed));

        Assert.Equal(StopReason.GradientTolerance, result.StopReason);
        Assert.Equal(1.5046f, model.Parameters[0], 1e-3f); // slope
        Assert.Equal(-4.0777f, model.Parameters[1], 1e-3f); // intercept
        float[] probabilities = new float[4];
        model.PredictProbabilities([2f, 4f], probabilities); // [1 − p, p] for each of the two rows
        Assert.Equal(0.2557f, probabilities[1], 1e-3f);
        Assert.Equal(0.8744f, probabilities[3], 1e-3f);
    }

    [Fact]
    public void LinearRegressionByGradientDescentReachesTheNormalEquationsSolution()
    {
        // y = 1.5 x₀ − 2 x₁ + 0.5 x₂ + 3 + noise, on 200 seeded rows.
        const int rows = 200, features = 3;
        var random = new SeededRandom(42);
        float[] x = new float[rows * features];
        float[] y = new float[rows];
        for (int i = 0; i < rows; i++)
        {
            for (int k = 0; k < features; k++)
            {
                x[(i * features) + k] = (float)random.NextNormal();
            }

            y[i] = (1.5f * x[i * 3]) - (2f * x[(i * 3) + 1]) + (0.5f * x[(i * 3) + 2]) + 3f + (float)(0.3 * random.NextNormal());
        }

        double[] expected = NormalEquations(x, y, rows, features);

        var model = new LinearRegression(features);
        var trainer = new Trainer(model, new GradientDescent(0.1f), new TrainerOptions { BatchSize = rows, Epochs = 20_000, GradientTolerance = 1e-5f });
        TrainingResult result = trainer.Fit(Dataset.FromTargets(x, features, y));

        Assert.Equal(StopReason.GradientTolerance, result.StopReason);
        for (int k = 0; k <= features; k++)
        {
            Assert.Equal(expected[k], model.Parameters[k], 1e-3);
        }
    }

    // Solves (XᵀX) θ = Xᵀy with a column of ones appended for the intercept, by Gaussian elimination in double.
    private static double[] NormalEquations(float[] x, float[] y, int rows, int features)
    {
        int n = features + 1;
        double[,] a = new double[n, n + 1];
        for (int i = 0; i < rows; i++)
        {
            double[] row = new double[n];
            for (int k = 0; k < features; k++)
            {
                row[k] = x[(i * features) + k];
            }

            row[features] = 1;
            for (int r = 0; r < n; r++)
            {
                for (int c = 0; c < n; c++)
                {
                    a[r, c] += row[r] * row[c];
                }

                a[r, n] += row[r] * y[i];
            }
        }

        for (int p = 0; p < n; p++)
        {
            for (int r = p + 1; r < n; r++)
            {
                double factor = a[r, p] / a[p, p];
                for (int c = p; c <= n; c++)
                {
                    a[r, c] -= factor * a[p, c];
                }
            }
        }

        double[] theta = new double[n];
        for (int r = n - 1; r >= 0; r--)
        {
            double sum = a[r, n];
            for (int c = r + 1; c < n; c++)
            {
                sum -= a[r, c] * theta[c];
            }

            theta[r] = sum / a[r, r];
        }

        return theta;
    }
}
