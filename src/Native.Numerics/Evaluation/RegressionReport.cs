using System.Globalization;

namespace Native.Numerics;

/// <summary>How well a regressor did on a dataset: mean squared error, its root, mean absolute error and R².</summary>
/// <remarks>
/// The definitions are those of <see cref="Metrics"/>; in particular R² is 1 or 0 when every actual value is
/// the same (see <see cref="Metrics.RSquared"/>). Every row counts once: sample weights are not taken into account.
/// </remarks>
public sealed class RegressionReport
{
    /// <summary>Rows predicted per call to the model in <see cref="Evaluate"/>.</summary>
    private const int BatchRows = 256;

    private RegressionReport(ReadOnlySpan<float> actual, ReadOnlySpan<float> predicted)
    {
        Count = actual.Length;
        MeanSquaredError = Metrics.MeanSquaredError(actual, predicted);
        MeanAbsoluteError = Metrics.MeanAbsoluteError(actual, predicted);
        RSquared = Metrics.RSquared(actual, predicted);
    }

    /// <summary>The number of rows evaluated.</summary>
    public int Count { get; }

    /// <summary>The mean of (actual − predicted)².</summary>
    public double MeanSquaredError { get; }

    /// <summary>The square root of <see cref="MeanSquaredError"/>, in the targets' units.</summary>
    public double RootMeanSquaredError => Math.Sqrt(MeanSquaredError);

    /// <summary>The mean of |actual − predicted|.</summary>
    public double MeanAbsoluteError { get; }

    /// <summary>The coefficient of determination, 1 − SS_res / SS_tot (see <see cref="Metrics.RSquared"/>).</summary>
    public double RSquared { get; }

    /// <summary>Runs <paramref name="model"/> over every row of <paramref name="data"/>, in batches, and reports on its predictions.</summary>
    /// <exception cref="ArgumentException">The dataset has no targets or no rows, or its feature count is not the model's.</exception>
    public static RegressionReport Evaluate(IRegressor model, Dataset data)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(data);
        if (data.HasLabels)
        {
            throw new ArgumentException("A regression report needs float targets; this dataset has class labels.", nameof(data));
        }

        if (data.Features != model.Features)
        {
            throw new ArgumentException($"The model takes {model.Features} features, but the dataset's rows have {data.Features}.", nameof(data));
        }

        Metrics.CheckLengths(data.Count, data.Count, nameof(data));
        int features = data.Features;
        int batch = Math.Min(BatchRows, data.Count);
        float[] rows = new float[batch * features];
        float[] predicted = new float[data.Count];
        for (int start = 0; start < data.Count; start += batch)
        {
            int count = Math.Min(batch, data.Count - start);
            for (int i = 0; i < count; i++)
            {
                data.Row(start + i, rows.AsSpan(i * features, features)).CopyTo(rows.AsSpan(i * features));
            }

            model.PredictValues(rows.AsSpan(0, count * features), predicted.AsSpan(start, count));
        }

        return new RegressionReport(data.Targets, predicted);
    }

    /// <summary>A report from predictions already made.</summary>
    /// <exception cref="ArgumentException">The spans are empty or differ in length.</exception>
    public static RegressionReport FromPredictions(ReadOnlySpan<float> actual, ReadOnlySpan<float> predicted) => new(actual, predicted);

    /// <summary>The report on one line, for example "n 100, MSE 0.2500, RMSE 0.5000, MAE 0.4000, R² 0.9120".</summary>
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"n {Count}, MSE {MeanSquaredError:G6}, RMSE {RootMeanSquaredError:G6}, MAE {MeanAbsoluteError:G6}, R² {RSquared:F4}");
}
