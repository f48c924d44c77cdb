using System.Numerics.Tensors;

namespace Native.Numerics;

/// <summary>Plain gradient descent: θ ← θ − η∇.</summary>
/// <remarks>
/// With the trainer, a batch of one row makes this stochastic gradient descent, the whole training set
/// full-batch gradient descent, and anything between mini-batch gradient descent.
/// </remarks>
public sealed class GradientDescent : Optimizer
{
    /// <summary>Gradient descent with step size <paramref name="learningRate"/>.</summary>
    public GradientDescent(float learningRate)
        : base(learningRate)
    {
    }

    /// <inheritdoc/>
    public override void Reset()
    {
    }

    /// <inheritdoc/>
    protected override void BindState(int parameterCount)
    {
    }

    /// <inheritdoc/>
    protected override bool IsPlainDescent => true;

    /// <inheritdoc/>
    protected override void Update(Span<float> parameters, ReadOnlySpan<float> gradient, int offset) =>
        TensorPrimitives.MultiplyAdd(gradient, -LearningRate, parameters, parameters);
}
