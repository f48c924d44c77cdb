using System.Globalization;

namespace Native.Numerics;

/// <summary>
/// How well a regressor did on a dataset: mean squared error, its root, mean absolute error and R² — over all its outputs,
/// and for a multi-output regression per output too (<see cref="ByOutput"/>).
/// </summary>
/// <remarks>
/// The definitions are those of <see cref="Metrics"/>; in particular R² is 1 or 0 when every actual value is
/// the same (see <see cref="Metrics.RSquared"/>). Every row counts once: sample weights are not taken into account.
/// For several outputs the figures are scikit-learn's <c>multioutput="uniform_average"</c>: the mean of the outputs'
/// MSE, MAE and R² (each output's MSE over the same rows, so the MSE is also that of every value together).
/// </remarks>
public sealed class RegressionReport
{
    /// <summary>Rows predicted per call to the model in <see cref="Evaluate"/>.</summary>
    private const int BatchRows = 256;

    private readonly RegressionReport[] _byOutput;

    private RegressionReport(ReadOnlySpan<float> actual, ReadOnlySpan<float> predicted)
    {
        Count = actual.Length;
        MeanSquaredError = Metrics.MeanSquaredError(actual, predicted);
        MeanAbsoluteError = Metrics.MeanAbsoluteError(actual, predicted);
        RSquared = Metrics.RSquared(actual, predicted);
        _byOutput = [this];
    }

    private RegressionReport(RegressionReport[] byOutput)
    {
        Count = byOutput[0].Count;
        MeanSquaredError = byOutput.Average(report => report.MeanSquaredError);
        MeanAbsoluteError = byOutput.Average(report => report.MeanAbsoluteError);
        RSquared = byOutput.Average(report => report.RSquared);
        _byOutput = byOutput;
    }

    /// <summary>The number of rows evaluated.</summary>
    public int Count { get; }

    /// <summary>The mean of (actual − predicted)² (over every output's values).</summary>
    public double MeanSquaredError { get; }

    /// <summary>The square root of <see cref="MeanSquaredError"/>, in the targets' units.</summary>
    public double RootMeanSquaredError => Math.Sqrt(MeanSquaredError);

    /// <summary>The mean of |actual − predicted| (over every output's values).</summary>
    public double MeanAbsoluteError { get; }

    /// <summary>The coefficient of determination, 1 − SS_res / SS_tot (see <see cref="Metrics.RSquared"/>); for several outputs, the mean of theirs.</summary>
    public double RSquared { get; }

    /// <summary>One report per output (per target column), in output order: for a model of one output, this report alone.</summary>
    public IReadOnlyList<RegressionReport> ByOutput => _byOutput;

    /// <summary>
    /// Runs <paramref name="model"/> over every row of <paramref name="data"/>, in batches, and reports on its predictions:
    /// each of its <see cref="IPredictor.Outputs"/> values against the row's target of the same position.
    /// </summary>
    /// <exception cref="ArgumentException">The dataset has no targets or no rows, or its feature or target count is not the model's.</exception>
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

        int outputs = model.Outputs;
        if (data.TargetCount != outputs)
        {
            throw new ArgumentException($"The model predicts {outputs} {(outputs == 1 ? "value" : "values")} a row, but the dataset has {data.TargetCount} {(data.TargetCount == 1 ? "target" : "targets")} a row.", nameof(data));
        }

        Metrics.CheckLengths(data.Count, data.Count, nameof(data));
        int features = data.Features;
        int batch = Math.Min(BatchRows, data.Count);
        float[] rows = new float[batch * features];
        float[] predicted = new float[checked(data.Count * outputs)];
        for (int start = 0; start < data.Count; start += batch)
        {
            int count = Math.Min(batch, data.Count - start);
            for (int i = 0; i < count; i++)
            {
                data.Row(start + i, rows.AsSpan(i * features, features)).CopyTo(rows.AsSpan(i * features));
            }

            model.PredictValues(rows.AsSpan(0, count * features), predicted.AsSpan(start * outputs, count * outputs));
        }

        return FromPredictions(data.Targets, predicted, outputs);
    }

    /// <summary>A report from predictions already made.</summary>
    /// <exception cref="ArgumentException">The spans are empty or differ in length.</exception>
    public static RegressionReport FromPredictions(ReadOnlySpan<float> actual, ReadOnlySpan<float> predicted) => new(actual, predicted);

    /// <summary>
    /// A report from predictions already made for <paramref name="outputs"/> values a row: <paramref name="actual"/> and
    /// <paramref name="predicted"/> hold n rows of that many, row after row.
    /// </summary>
    /// <exception cref="ArgumentException">The spans are empty, differ in length, or do not hold whole rows.</exception>
    public static RegressionReport FromPredictions(ReadOnlySpan<float> actual, ReadOnlySpan<float> predicted, int outputs)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(outputs, 1);
        if (outputs == 1)
        {
            return new(actual, predicted);
        }

        Metrics.CheckLengths(actual.Length, predicted.Length, nameof(predicted));
        if (actual.Length % outputs != 0)
        {
            throw new ArgumentException($"actual holds {actual.Length} values, not a whole number of rows of {outputs}.", nameof(actual));
        }

        // Each output's column, gathered once, reported on alone.
        int count = actual.Length / outputs;
        float[] actualColumn = new float[count], predictedColumn = new float[count];
        var byOutput = new RegressionReport[outputs];
        for (int j = 0; j < outputs; j++)
        {
            for (int i = 0; i < count; i++)
            {
                actualColumn[i] = actual[(i * outputs) + j];
                predictedColumn[i] = predicted[(i * outputs) + j];
            }

            byOutput[j] = new RegressionReport(actualColumn, predictedColumn);
        }

        return new RegressionReport(byOutput);
    }

    /// <summary>The report on one line, for example "n 100, MSE 0.2500, RMSE 0.5000, MAE 0.4000, R² 0.9120" (for several outputs, their averages).</summary>
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"n {Count}, MSE {MeanSquaredError:G6}, RMSE {RootMeanSquaredError:G6}, MAE {MeanAbsoluteError:G6}, R² {RSquared:F4}{(_byOutput.Length > 1 ? $", {_byOutput.Length} outputs" : string.Empty)}");
}
