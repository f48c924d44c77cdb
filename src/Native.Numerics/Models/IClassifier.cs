namespace Native.Numerics;

/// <summary>A model that predicts one of <see cref="Classes"/> classes, with probabilities.</summary>
public interface IClassifier : IModel
{
    /// <summary>The number of classes; labels run from 0 to <see cref="Classes"/> − 1.</summary>
    int Classes { get; }

    /// <summary>The most probable class of one row.</summary>
    int Predict(ReadOnlySpan<float> features);

    /// <summary>The most probable class of each row of <paramref name="rows"/> (n rows of <see cref="IModel.Features"/> floats).</summary>
    void Predict(ReadOnlySpan<float> rows, Span<int> classes);

    /// <summary>
    /// The probability of each class for each of n rows (one row or many): <paramref name="rows"/> holds
    /// n × <see cref="IModel.Features"/> floats, <paramref name="probabilities"/> receives n ×
    /// <see cref="Classes"/>, each row summing to 1.
    /// </summary>
    void PredictProbabilities(ReadOnlySpan<float> rows, Span<float> probabilities);
}

/// <summary>A model that predicts one real value.</summary>
public interface IRegressor : IModel
{
    /// <summary>The predicted value of one row.</summary>
    float Predict(ReadOnlySpan<float> features);

    /// <summary>The predicted value of each row of <paramref name="rows"/> (n rows of <see cref="IModel.Features"/> floats).</summary>
    void Predict(ReadOnlySpan<float> rows, Span<float> values);
}
