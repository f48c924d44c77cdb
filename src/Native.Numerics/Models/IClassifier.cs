namespace Native.Numerics;

/// <summary>A model that predicts one of <see cref="Classes"/> classes, with probabilities.</summary>
public interface IClassifier : IModel
{
    /// <summary>The number of classes; labels run from 0 to <see cref="Classes"/> − 1.</summary>
    int Classes { get; }

    /// <summary>The most probable class of one row.</summary>
    /// <exception cref="ArgumentException">The row's logits are not finite; the message names the feature (<see cref="PredictionPolicy"/>).</exception>
    int Predict(ReadOnlySpan<float> features);

    /// <summary>The most probable class of each row of <paramref name="rows"/> (n rows of <see cref="IModel.Features"/> floats).</summary>
    /// <exception cref="ArgumentException">A row's logits are not finite; the message names the row and the feature.</exception>
    void Predict(ReadOnlySpan<float> rows, Span<int> classes);

    /// <summary>
    /// The probability of each class for each of n rows (one row or many): <paramref name="rows"/> holds
    /// n × <see cref="IModel.Features"/> floats, <paramref name="probabilities"/> receives n ×
    /// <see cref="Classes"/>, each row summing to 1 — or NaN throughout for a row whose logits are not finite.
    /// </summary>
    void PredictProbabilities(ReadOnlySpan<float> rows, Span<float> probabilities);
}

/// <summary>A model that predicts one real value.</summary>
public interface IRegressor : IModel
{
    /// <summary>The predicted value of one row.</summary>
    /// <exception cref="ArgumentException">The value is not finite; the message names the feature (<see cref="PredictionPolicy"/>).</exception>
    float Predict(ReadOnlySpan<float> features);

    /// <summary>The predicted value of each row of <paramref name="rows"/> (n rows of <see cref="IModel.Features"/> floats).</summary>
    /// <remarks>A row whose value is not finite gets NaN, as in <see cref="IModel.ForwardBatch"/> (<see cref="PredictionPolicy"/>).</remarks>
    void Predict(ReadOnlySpan<float> rows, Span<float> values);
}
