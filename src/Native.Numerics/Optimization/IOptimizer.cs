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

    /// <summary>
    /// What the trainer may do besides <see cref="Step"/>, read once when a training session starts: nothing, for an
    /// optimizer written outside this library (<see cref="Optimizer"/> declares what its rules allow).
    /// </summary>
    internal OptimizerCapabilities Capabilities => OptimizerCapabilities.None;

    /// <summary>
    /// Starts a step to be taken in ranges of the parameters (<see cref="OptimizerCapabilities.StepsInRanges"/>): binds on
    /// first use and advances what the rule keeps per step; then <see cref="StepRange"/> once per range.
    /// </summary>
    internal void BeginRanges(int parameterCount) => throw new NotSupportedException("This optimizer does not take steps in ranges.");

    /// <summary>
    /// One range of a step begun by <see cref="BeginRanges"/>: <paramref name="parameters"/> and <paramref name="gradient"/>
    /// are the range that starts at <paramref name="offset"/>. Ranges of one step may run at once on different threads.
    /// </summary>
    internal void StepRange(Span<float> parameters, Span<float> gradient, int offset) => throw new NotSupportedException("This optimizer does not take steps in ranges.");
}

/// <summary>What an optimizer lets the trainer do besides a whole step.</summary>
[Flags]
internal enum OptimizerCapabilities
{
    /// <summary>Only <see cref="IOptimizer.Step"/>.</summary>
    None = 0,

    /// <summary>
    /// A step is exactly θ ← θ − η·g, with no state, decay or clipping: a model may fold it into its backward pass
    /// (<see cref="CompilerServices.IFusedGradientStep"/>).
    /// </summary>
    PlainStep = 1,

    /// <summary>A step can be taken a range of parameters at a time, ranges on several threads at once (no whole-gradient norm).</summary>
    StepsInRanges = 2,
}
