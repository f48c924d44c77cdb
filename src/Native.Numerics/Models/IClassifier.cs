namespace Native.Numerics;

/// <summary>A model that predicts one of <see cref="Classes"/> classes, with probabilities.</summary>
/// <remarks>The calls every classifier answers, whatever holds it; see <see cref="IPredictor"/>.</remarks>
public interface IClassifier : IPredictor
{
    /// <summary>The number of classes; labels run from 0 to <see cref="Classes"/> − 1.</summary>
    int Classes { get; }

    /// <summary>The most probable class of one row: the largest logit (ties go to the lower class), or for a logistic regression class 1 where P(y = 1) ≥ 0.5.</summary>
    /// <exception cref="ArgumentException">The row's length is not <see cref="IPredictor.Features"/>, or its outputs are not finite; the message names the feature (<see cref="PredictionPolicy"/>).</exception>
    int PredictClass(ReadOnlySpan<float> row);

    /// <summary>
    /// The most probable class of one row, as <see cref="PredictClass"/>, without an exception for a row whose outputs are
    /// not finite: then false, and <paramref name="predictedClass"/> is −1. For hot paths that must not throw.
    /// </summary>
    /// <exception cref="ArgumentException">The row's length is not <see cref="IPredictor.Features"/> (a caller's mistake, not the row's).</exception>
    bool TryPredictClass(ReadOnlySpan<float> row, out int predictedClass);

    /// <summary>The most probable class of each row of <paramref name="rows"/> (n rows of <see cref="IPredictor.Features"/> floats), written to <paramref name="classes"/> (n).</summary>
    /// <exception cref="ArgumentException">The lengths do not describe the same number of rows, or a row's outputs are not finite; the message names the row and the feature.</exception>
    void PredictClasses(ReadOnlySpan<float> rows, Span<int> classes);

    /// <summary>
    /// The probability of each class for each of n rows (one row or many): <paramref name="rows"/> holds
    /// n × <see cref="IPredictor.Features"/> floats, <paramref name="probabilities"/> receives n × <see cref="Classes"/>,
    /// each row summing to 1 (for a logistic regression [1 − p, p], p = P(y = 1)) — or NaN throughout for a row whose
    /// outputs are not finite.
    /// </summary>
    /// <exception cref="ArgumentException">The lengths do not describe the same number of rows.</exception>
    void PredictProbabilities(ReadOnlySpan<float> rows, Span<float> probabilities);
}

/// <summary>A model that predicts real values: one per row, or <see cref="IPredictor.Outputs"/> per row for several targets.</summary>
/// <remarks>The calls every regressor answers, whatever holds it; see <see cref="IPredictor"/>.</remarks>
public interface IRegressor : IPredictor
{
    /// <summary>The predicted value of one row.</summary>
    /// <exception cref="ArgumentException">The row's length is not <see cref="IPredictor.Features"/>, or the value is not finite; the message names the feature (<see cref="PredictionPolicy"/>).</exception>
    /// <exception cref="NotSupportedException">The model predicts several values a row: use <see cref="PredictValues"/>.</exception>
    float PredictValue(ReadOnlySpan<float> row);

    /// <summary>
    /// The predicted value of one row, as <see cref="PredictValue"/>, without an exception for a row whose value is not
    /// finite: then false, and <paramref name="value"/> is NaN. For hot paths that must not throw.
    /// </summary>
    /// <exception cref="ArgumentException">The row's length is not <see cref="IPredictor.Features"/> (a caller's mistake, not the row's).</exception>
    /// <exception cref="NotSupportedException">The model predicts several values a row: use <see cref="PredictValues"/>.</exception>
    bool TryPredictValue(ReadOnlySpan<float> row, out float value);

    /// <summary>
    /// The predicted values of each of n rows (one row or many): <paramref name="rows"/> holds n ×
    /// <see cref="IPredictor.Features"/> floats, <paramref name="values"/> receives n × <see cref="IPredictor.Outputs"/>
    /// — NaN for a row whose values are not finite.
    /// </summary>
    /// <exception cref="ArgumentException">The lengths do not describe the same number of rows.</exception>
    void PredictValues(ReadOnlySpan<float> rows, Span<float> values);
}
