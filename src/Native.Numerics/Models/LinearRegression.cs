using Native.Numerics.CompilerServices;

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
        : base(Create<IdentityHead>(ModelShape.LinearRegression(features)))
    {
    }

    /// <inheritdoc/>
    public float PredictValue(ReadOnlySpan<float> row) => Runtime.PredictValue(row);

    /// <inheritdoc/>
    public bool TryPredictValue(ReadOnlySpan<float> row, out float value) => Runtime.TryPredictValue(row, out value);

    /// <inheritdoc/>
    public void PredictValues(ReadOnlySpan<float> rows, Span<float> values) => Runtime.PredictValues(rows, values);
}
