namespace Native.Numerics;

/// <summary>
/// Softmax (multinomial logistic) regression: p = softmax(W·x + b), fitted by gradient descent on
/// cross-entropy.
/// </summary>
/// <remarks>
/// The loss of a row is computed from the logits by log-sum-exp, log Σ e^z − z_y, never as log(softmax);
/// its gradient is (a − y)·xᵀ for W and a − y for b, where a = softmax(z) and y is the label one-hot.
/// Parameters: W (classes × features, row-major), then b (classes); all start at zero.
/// </remarks>
public sealed class SoftmaxRegression : ClassifierModel
{
    /// <summary>A softmax regression on <paramref name="features"/> features into <paramref name="classes"/> classes, with zero parameters.</summary>
    public SoftmaxRegression(int features, int classes)
        : base(ModelShape.SoftmaxRegression(features, classes))
    {
    }
}
