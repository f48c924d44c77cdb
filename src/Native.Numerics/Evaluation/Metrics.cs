namespace Native.Numerics;

/// <summary>
/// Metrics of predictions against the truth, over spans: accuracy and log-loss for classification; mean
/// squared error, mean absolute error and R² for regression. They accumulate in double and allocate nothing.
/// </summary>
/// <remarks>
/// Every row counts once: sample weights are not taken into account. Empty inputs are refused, since a
/// mean of nothing is not a number.
/// </remarks>
public static class Metrics
{
    /// <summary>
    /// The smallest probability <see cref="LogLoss"/> takes the logarithm of, 10^-15, as scikit-learn's
    /// <c>log_loss</c> used by default: a confident wrong answer costs −ln(10^-15) ≈ 34.54, not infinity.
    /// </summary>
    public const double MinimumProbability = 1e-15;

    /// <summary>The share of rows whose predicted class is the actual one, from 0 to 1.</summary>
    /// <exception cref="ArgumentException">The spans are empty or differ in length.</exception>
    public static double Accuracy(ReadOnlySpan<int> actual, ReadOnlySpan<int> predicted)
    {
        CheckLengths(actual.Length, predicted.Length, nameof(predicted));
        int correct = 0;
        for (int i = 0; i < actual.Length; i++)
        {
            correct += actual[i] == predicted[i] ? 1 : 0;
        }

        return (double)correct / actual.Length;
    }

    /// <summary>
    /// The log-loss (mean cross-entropy): −(1/n) Σ ln p_i[actual_i], where p_i is row i of
    /// <paramref name="probabilities"/>, each probability first clipped to [<see cref="MinimumProbability"/>, 1].
    /// </summary>
    /// <remarks>
    /// Rows are not renormalized (scikit-learn's older <c>log_loss</c> divides each clipped row by its sum;
    /// models here already give rows summing to 1). A NaN probability gives a NaN loss.
    /// </remarks>
    /// <param name="actual">The class of each of n rows.</param>
    /// <param name="probabilities">The predicted probability of each class for each row: n × <paramref name="classes"/>, row-major.</param>
    /// <param name="classes">The number of classes.</param>
    /// <exception cref="ArgumentException">No rows, or the lengths do not describe the same n rows.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An actual class is outside 0 to <paramref name="classes"/> − 1, or <paramref name="classes"/> is below 1.</exception>
    public static double LogLoss(ReadOnlySpan<int> actual, ReadOnlySpan<float> probabilities, int classes)
    {
        CheckLengths(actual.Length, actual.Length, nameof(actual));
        CheckProbabilities(actual.Length, probabilities.Length, classes);
        return LogLossSum(actual, probabilities, classes) / actual.Length;
    }

    /// <summary>The mean of (actual − predicted)².</summary>
    /// <exception cref="ArgumentException">The spans are empty or differ in length.</exception>
    public static double MeanSquaredError(ReadOnlySpan<float> actual, ReadOnlySpan<float> predicted)
    {
        CheckLengths(actual.Length, predicted.Length, nameof(predicted));
        return SquaredErrorSum(actual, predicted) / actual.Length;
    }

    /// <summary>The mean of |actual − predicted|.</summary>
    /// <exception cref="ArgumentException">The spans are empty or differ in length.</exception>
    public static double MeanAbsoluteError(ReadOnlySpan<float> actual, ReadOnlySpan<float> predicted)
    {
        CheckLengths(actual.Length, predicted.Length, nameof(predicted));
        double sum = 0;
        for (int i = 0; i < actual.Length; i++)
        {
            sum += Math.Abs((double)actual[i] - predicted[i]);
        }

        return sum / actual.Length;
    }

    /// <summary>
    /// The coefficient of determination, R² = 1 − SS_res / SS_tot, where SS_res = Σ (actual − predicted)² and
    /// SS_tot = Σ (actual − mean of actual)²: 1 for perfect predictions, 0 for always predicting the mean,
    /// negative for worse.
    /// </summary>
    /// <remarks>
    /// When every actual value is the same, SS_tot is 0 and the ratio undefined; R² is then 1 if the
    /// predictions are perfect and 0 otherwise, as scikit-learn's <c>r2_score</c> does (its default
    /// <c>force_finite=True</c>).
    /// </remarks>
    /// <exception cref="ArgumentException">The spans are empty or differ in length.</exception>
    public static double RSquared(ReadOnlySpan<float> actual, ReadOnlySpan<float> predicted)
    {
        CheckLengths(actual.Length, predicted.Length, nameof(predicted));
        double mean = 0;
        foreach (float value in actual)
        {
            mean += value;
        }

        mean /= actual.Length;
        double total = 0;
        foreach (float value in actual)
        {
            total += (value - mean) * (value - mean);
        }

        double residual = SquaredErrorSum(actual, predicted);
        if (total == 0)
        {
            return residual == 0 ? 1 : 0;
        }

        return 1 - (residual / total);
    }

    /// <summary>Σ −ln max(p_i[actual_i], <see cref="MinimumProbability"/>), for lengths already checked.</summary>
    internal static double LogLossSum(ReadOnlySpan<int> actual, ReadOnlySpan<float> probabilities, int classes)
    {
        double sum = 0;
        for (int i = 0; i < actual.Length; i++)
        {
            if ((uint)actual[i] >= (uint)classes)
            {
                throw new ArgumentOutOfRangeException(nameof(actual), actual[i], $"Actual class {i} is {actual[i]}, outside the {classes} classes 0 to {classes - 1}.");
            }

            // Clipped to [MinimumProbability, 1], so a zero costs 34.5, not infinity; a NaN stays NaN.
            double p = Math.Clamp(probabilities[(i * classes) + actual[i]], MinimumProbability, 1);
            sum -= Math.Log(p);
        }

        return sum;
    }

    /// <summary>Checks that <paramref name="probabilities"/> floats are <paramref name="count"/> rows of <paramref name="classes"/>.</summary>
    internal static void CheckProbabilities(int count, int probabilities, int classes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(classes, 1);
        if (probabilities != (long)count * classes)
        {
            throw new ArgumentException($"Expected {count} rows of {classes} probabilities = {(long)count * classes} floats, got {probabilities}.", nameof(probabilities));
        }
    }

    /// <summary>Checks that there is at least one row and that both spans have as many.</summary>
    internal static void CheckLengths(int actual, int predicted, string name)
    {
        if (actual == 0)
        {
            throw new ArgumentException("There are no rows to evaluate: a mean of nothing is not a number.", nameof(actual));
        }

        if (predicted != actual)
        {
            throw new ArgumentException($"Expected one prediction per actual value ({actual}), got {predicted}.", name);
        }
    }

    private static double SquaredErrorSum(ReadOnlySpan<float> actual, ReadOnlySpan<float> predicted)
    {
        double sum = 0;
        for (int i = 0; i < actual.Length; i++)
        {
            double error = (double)actual[i] - predicted[i];
            sum += error * error;
        }

        return sum;
    }
}
