using Native.Numerics.CompilerServices;

namespace Native.Numerics;

/// <summary>
/// Logistic regression, P(y = 1 | x) = σ(w·x + b), fitted by gradient descent on binary cross-entropy.
/// Labels are 0 and 1.
/// </summary>
/// <remarks>
/// The loss of a row is computed from the logit z in softplus form, softplus(z) − y·z, which never takes
/// the logarithm of 0; its gradient is (σ(z) − y)·x for w and σ(z) − y for b. Parameters: the weights
/// (features), then the bias; all start at zero. <see cref="IModel.Forward"/> writes P(y = 1); <see cref="PredictProbabilities"/>
/// writes [1 − p, p].
/// </remarks>
public sealed class LogisticRegression : DenseModel, IClassifier
{
    /// <summary>A logistic regression on <paramref name="features"/> features, with zero parameters.</summary>
    public LogisticRegression(int features)
        : base(Create<SigmoidHead>(ModelShape.LogisticRegression(features)))
    {
    }

    /// <inheritdoc/>
    public int Classes => 2;

    /// <summary>Class 1 where P(y = 1) ≥ 0.5, that is, where the logit is at least 0.</summary>
    /// <exception cref="ArgumentException">The row's length is not the model's, or its logit is not finite (<see cref="PredictionPolicy"/>).</exception>
    public int PredictClass(ReadOnlySpan<float> row) => Runtime.PredictClass(row);

    /// <inheritdoc/>
    public bool TryPredictClass(ReadOnlySpan<float> row, out int predictedClass) => Runtime.TryPredictClass(row, out predictedClass);

    /// <inheritdoc/>
    public void PredictClasses(ReadOnlySpan<float> rows, Span<int> classes) => Runtime.PredictClasses(rows, classes);

    /// <summary>Writes [1 − p, p], p = P(y = 1), for each of n rows (one row or many), row-major (n × 2); NaN for a row whose logit is not finite.</summary>
    /// <exception cref="ArgumentException">The lengths do not describe the same number of rows.</exception>
    public void PredictProbabilities(ReadOnlySpan<float> rows, Span<float> probabilities) => Runtime.PredictProbabilities(rows, probabilities);
}
