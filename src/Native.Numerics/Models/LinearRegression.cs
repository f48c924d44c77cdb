using Native.Numerics.CompilerServices;

namespace Native.Numerics;

/// <summary>
/// Linear regression, ŷ = w·x + b, fitted by gradient descent on the mean squared error; or, for several targets,
/// ŷ = W·x + b, one value per target (a multi-output regression).
/// </summary>
/// <remarks>
/// The loss of a row is (ŷ − y)², summed over the outputs when there are several, so the gradient of a row is
/// 2(ŷ − y)·xᵀ for W and 2(ŷ − y) for b. Parameters: W (outputs × features, row-major; for one output, the weights),
/// then b; all start at zero. A model of several outputs answers <see cref="PredictValues"/> with
/// <see cref="IPredictor.Outputs"/> values a row; <see cref="PredictValue"/> and <see cref="TryPredictValue"/>, which
/// return one value, are for a model of one.
/// </remarks>
public sealed class LinearRegression : DenseModel, IRegressor
{
    /// <summary>A linear regression on <paramref name="features"/> features, with zero parameters.</summary>
    public LinearRegression(int features)
        : this(features, outputs: 1)
    {
    }

    /// <summary>A linear regression on <paramref name="features"/> features into <paramref name="outputs"/> values (one per target), with zero parameters.</summary>
    public LinearRegression(int features, int outputs)
        : base(Create<IdentityHead>(ModelShape.LinearRegression(features, outputs)))
    {
    }

    /// <inheritdoc/>
    public float PredictValue(ReadOnlySpan<float> row) => Runtime.PredictValue(row);

    /// <inheritdoc/>
    public bool TryPredictValue(ReadOnlySpan<float> row, out float value) => Runtime.TryPredictValue(row, out value);

    /// <inheritdoc/>
    public void PredictValues(ReadOnlySpan<float> rows, Span<float> values) => Runtime.PredictValues(rows, values);
}
