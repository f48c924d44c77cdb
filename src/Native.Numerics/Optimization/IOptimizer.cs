using System.Diagnostics.CodeAnalysis;

namespace Native.Numerics;

/// <summary>
/// Updates a parameter span from a gradient span by one rule of gradient descent. State (velocities,
/// moments) is sized once, by <see cref="Bind"/>; a step allocates nothing.
/// </summary>
public interface IOptimizer
{
    /// <summary>The step size η. A schedule may change it between epochs.</summary>
    float LearningRate { get; set; }

    /// <summary>Sizes the optimizer's state for <paramref name="parameterCount"/> parameters and resets it.</summary>
    void Bind(int parameterCount);

    /// <summary>Forgets the state (velocities, moments, step count) without resizing it.</summary>
    void Reset();

    /// <summary>
    /// Takes one step: moves <paramref name="parameters"/> against <paramref name="gradient"/> (the gradient
    /// of the mean loss). The gradient span is scratch: clipping and weight decay change it in place.
    /// Binds on first use if <see cref="Bind"/> was not called.
    /// </summary>
    /// <exception cref="ArgumentException">The spans' lengths differ, or differ from the bound count.</exception>
    [SuppressMessage("Naming", "CA1716:Identifiers should not match keywords", Justification = "Step is the established name (PyTorch's optimizer.step); Visual Basic can still call it as [Step].")]
    void Step(Span<float> parameters, Span<float> gradient);
}
