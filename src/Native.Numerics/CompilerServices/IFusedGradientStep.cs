using System.ComponentModel;

namespace Native.Numerics.CompilerServices;

/// <summary>
/// A model that can take a plain gradient-descent step on a batch without writing its gradient out:
/// the forward pass for the whole batch first, then each weight updated in place from gradient rows held
/// in registers. The trainer uses it when the step is exactly θ ← θ − η·∇ (plain
/// <see cref="GradientDescent"/>, no weight decay, no clipping, no gradient-norm tracking).
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public interface IFusedGradientStep : IModel
{
    /// <summary>
    /// θ ← θ − <paramref name="stepSize"/> · ∇(summed loss of <paramref name="batch"/>), with the gradient taken
    /// at the parameters as they were before the step; returns that summed (sample-weighted) loss.
    /// </summary>
    /// <exception cref="ArgumentException">The batch does not fit the model.</exception>
    float StepInPlace(in Batch batch, float stepSize);
}
