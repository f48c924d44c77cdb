namespace Native.Numerics;

/// <summary>
/// Linear regression, ŷ = w·x + b, fitted by gradient descent on the mean squared error.
/// </summary>
/// <remarks>
/// The loss of a row is (ŷ − y)², so the gradient of a row is 2(ŷ − y)·x for w and 2(ŷ − y) for b.
/// Parameters: the weights (features), then the bias; all start at zero.
/// </remarks>
public sealed class LinearRegression : DenseModel, IRegressor
{
    /// <summary>A linear regression on <paramref name="features"/> features, with zero parameters.</summary>
    public LinearRegression(int features)
        : base(ModelShape.LinearRegression(features))
    {
    }

    /// <inheritdoc/>
    /// <exception cref="ArgumentException">The row's length is not <see cref="IModel.Features"/>, or its value is not finite (see <see cref="PredictionPolicy"/>).</exception>
    public float Predict(ReadOnlySpan<float> features)
    {
        Span<float> value = stackalloc float[1];
        Forward(features, value);
        return float.IsFinite(value[0]) ? value[0] : throw PredictionPolicy.Unpredictable(features);
    }

    /// <inheritdoc/>
    /// <exception cref="ArgumentException">The lengths disagree, or a row's value is not finite (see <see cref="PredictionPolicy"/>).</exception>
    public void Predict(ReadOnlySpan<float> rows, Span<float> values)
    {
        ForwardBatch(rows, values);
        int bad = values.IndexOfAnyExceptInRange(float.MinValue, float.MaxValue);
        if (bad >= 0)
        {
            throw PredictionPolicy.Unpredictable(rows.Slice(bad * Features, Features), bad, nameof(rows));
        }
    }
}
