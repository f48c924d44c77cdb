namespace Native.Numerics;

/// <summary>
/// Logistic regression, P(y = 1 | x) = σ(w·x + b), fitted by gradient descent on binary cross-entropy.
/// Labels are 0 and 1.
/// </summary>
/// <remarks>
/// The loss of a row is computed from the logit z in softplus form, softplus(z) − y·z, which never takes
/// the logarithm of 0; its gradient is (σ(z) − y)·x for w and σ(z) − y for b. Parameters: the weights
/// (features), then the bias; all start at zero. <see cref="IModel.Forward"/> writes P(y = 1).
/// </remarks>
public sealed class LogisticRegression : DenseModel, IClassifier
{
    /// <summary>A logistic regression on <paramref name="features"/> features, with zero parameters.</summary>
    public LogisticRegression(int features)
        : base(ModelShape.LogisticRegression(features))
    {
    }

    /// <inheritdoc/>
    public int Classes => 2;

    /// <summary>P(y = 1) for one row.</summary>
    public float PredictProbability(ReadOnlySpan<float> features)
    {
        Span<float> probability = stackalloc float[1];
        Forward(features, probability);
        return probability[0];
    }

    /// <summary>Class 1 where P(y = 1) ≥ 0.5, that is, where the logit is at least 0.</summary>
    /// <exception cref="ArgumentException">The row's length is not <see cref="IModel.Features"/>, or its logit is not finite (see <see cref="PredictionPolicy"/>).</exception>
    public int Predict(ReadOnlySpan<float> features)
    {
        CheckLength(features.Length, Features, nameof(features));
        return PredictRow(features, -1);
    }

    /// <inheritdoc/>
    public void Predict(ReadOnlySpan<float> rows, Span<int> classes)
    {
        int count = CheckBatchLengths(rows, classes.Length, 1, nameof(classes));
        for (int i = 0; i < count; i++)
        {
            classes[i] = PredictRow(rows.Slice(i * Features, Features), i);
        }
    }

    private int PredictRow(ReadOnlySpan<float> features, int row)
    {
        Span<float> logit = stackalloc float[1];
        ForwardLogits(features, logit);
        return float.IsFinite(logit[0]) ? (logit[0] >= 0f ? 1 : 0) : throw PredictionPolicy.Unpredictable(features, row, row < 0 ? nameof(features) : "rows");
    }

    /// <summary>Writes [1 − p, p], p = P(y = 1), for each of n rows, row-major (n × 2).</summary>
    public void PredictProbabilities(ReadOnlySpan<float> rows, Span<float> probabilities)
    {
        int count = CheckBatchLengths(rows, probabilities.Length, 2, nameof(probabilities));
        for (int i = 0; i < count; i++)
        {
            float p = PredictProbability(rows.Slice(i * Features, Features));
            probabilities[2 * i] = 1f - p;
            probabilities[(2 * i) + 1] = p;
        }
    }
}
