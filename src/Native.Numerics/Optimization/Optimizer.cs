using System.Diagnostics.CodeAnalysis;
using System.Numerics.Tensors;

namespace Native.Numerics;

/// <summary>
/// An optimizer: one rule of gradient descent that moves a parameter span against a gradient span. The one way to
/// write an optimizer — <see cref="GradientDescent"/>, <see cref="Momentum"/> and <see cref="Adam"/> derive from it as
/// an optimizer of a program's own does, with the same paths open to all.
/// </summary>
/// <remarks>
/// <para>
/// A step first clips the gradient to <see cref="MaxGradientNorm"/> (by its whole L2 norm, keeping its direction),
/// then adds the decay term λθ (L2 regularization of the loss by λ/2·‖θ‖², on every parameter, biases included, as
/// PyTorch's <c>weight_decay</c> does), then calls <see cref="BeginStep"/> once and applies the rule,
/// <see cref="Update"/>. State (velocities, moments) is sized once, by <see cref="BindState"/>; a step allocates nothing.
/// </para>
/// <para>
/// <b>What a rule declares, and what the trainer then does.</b> A rule is elementwise by default: parameter i's update
/// reads only parameter i, gradient i and the rule's own state at i. <see cref="Update"/> then receives a range of the
/// parameters and its offset, and the trainer may take one step as several ranges at once on different threads
/// (<see cref="TrainerOptions.Parallelism"/>); a rule that needs the whole gradient at once returns false from
/// <see cref="IsElementwise"/>. A rule that is exactly θ ← θ − η·g, with no state, returns true from
/// <see cref="IsPlainDescent"/>: without decay or clipping the trainer may then fold the step into the model's
/// backward pass, never writing a gradient out.
/// </para>
/// </remarks>
public abstract class Optimizer
{
    private float _learningRate;
    private float _weightDecay;
    private float _maxGradientNorm;

    /// <summary>An optimizer with step size <paramref name="learningRate"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The rate is not finite and positive.</exception>
    protected Optimizer(float learningRate)
    {
        _learningRate = Positive(learningRate, nameof(learningRate));
    }

    /// <summary>The step size η. A schedule may change it between epochs.</summary>
    /// <remarks>0 is allowed here (a schedule may anneal to it); the constructor requires a positive rate.</remarks>
    /// <exception cref="ArgumentOutOfRangeException">The rate is negative or not finite.</exception>
    public float LearningRate
    {
        get => _learningRate;
        set => _learningRate = NonNegative(value, nameof(LearningRate));
    }

    /// <summary>The L2 weight-decay coefficient λ (0, the default, for none).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative or not finite.</exception>
    public float WeightDecay
    {
        get => _weightDecay;
        set => _weightDecay = NonNegative(value, nameof(WeightDecay));
    }

    /// <summary>The largest L2 norm a gradient may have; longer ones are scaled down to it (0, the default, for no clipping).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative or not finite.</exception>
    public float MaxGradientNorm
    {
        get => _maxGradientNorm;
        set => _maxGradientNorm = NonNegative(value, nameof(MaxGradientNorm));
    }

    /// <summary>The number of parameters the state is sized for (0 before binding).</summary>
    public int ParameterCount { get; private set; }

    /// <summary>
    /// Whether the rule is elementwise — parameter i's update reads only parameter i, gradient i and the rule's state at
    /// i — so that a step may be taken as ranges of the parameters, on several threads at once. True unless overridden.
    /// </summary>
    protected virtual bool IsElementwise => true;

    /// <summary>
    /// Whether the rule is exactly θ ← θ − <see cref="LearningRate"/>·g, with no state; then, without weight decay or
    /// clipping, the trainer may fold the step into the model's backward pass. False unless overridden.
    /// </summary>
    protected virtual bool IsPlainDescent => false;

    /// <summary>What the trainer may do besides a whole step, read once when a training session starts.</summary>
    internal OptimizerCapabilities Capabilities =>
        (IsPlainDescent && _weightDecay == 0f && _maxGradientNorm == 0f ? OptimizerCapabilities.PlainStep : OptimizerCapabilities.None)
        | (IsElementwise && _maxGradientNorm == 0f ? OptimizerCapabilities.StepsInRanges : OptimizerCapabilities.None);

    /// <summary>Sizes the optimizer's state for <paramref name="parameterCount"/> parameters and resets it.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The count is negative.</exception>
    public void Bind(int parameterCount)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(parameterCount);
        ParameterCount = parameterCount;
        BindState(parameterCount);
    }

    /// <summary>Forgets the state (velocities, moments, step count) without resizing it.</summary>
    public abstract void Reset();

    /// <summary>
    /// Takes one step: moves <paramref name="parameters"/> against <paramref name="gradient"/> (the gradient of the
    /// mean loss). The gradient span is scratch: clipping and weight decay change it in place. Binds on first use if
    /// <see cref="Bind"/> was not called.
    /// </summary>
    /// <exception cref="ArgumentException">The spans' lengths differ, or differ from the bound count.</exception>
    [SuppressMessage("Naming", "CA1716:Identifiers should not match keywords", Justification = "Step is the established name (PyTorch's optimizer.step); Visual Basic can still call it as [Step].")]
    public void Step(Span<float> parameters, Span<float> gradient)
    {
        if (parameters.Length != gradient.Length)
        {
            throw new ArgumentException($"parameters has length {parameters.Length} but gradient has length {gradient.Length}.", nameof(gradient));
        }

        BindOrCheck(parameters.Length, nameof(parameters));
        if (_maxGradientNorm > 0f)
        {
            float norm = TensorPrimitives.Norm(gradient);
            if (norm > _maxGradientNorm)
            {
                TensorPrimitives.Multiply(gradient, _maxGradientNorm / norm, gradient);
            }
        }

        AddWeightDecay(parameters, gradient);
        BeginStep();
        Update(parameters, gradient, 0);
    }

    /// <summary>
    /// Starts a step to be taken in ranges of the parameters (<see cref="IsElementwise"/>): binds on first use and
    /// advances what the rule keeps per step; then <see cref="StepRange"/> once per range.
    /// </summary>
    internal void BeginRanges(int parameterCount)
    {
        BindOrCheck(parameterCount, nameof(parameterCount));
        BeginStep();
    }

    /// <summary>
    /// One range of a step begun by <see cref="BeginRanges"/>: <paramref name="parameters"/> and <paramref name="gradient"/>
    /// are the range that starts at <paramref name="offset"/>. Ranges of one step may run at once on different threads.
    /// </summary>
    internal void StepRange(Span<float> parameters, Span<float> gradient, int offset)
    {
        AddWeightDecay(parameters, gradient);
        Update(parameters, gradient, offset);
    }

    /// <summary>Sizes the rule's state for <paramref name="parameterCount"/> parameters, zeroed.</summary>
    protected abstract void BindState(int parameterCount);

    /// <summary>
    /// Writes the rule's state (velocities, moments, step counts) into <paramref name="state"/>, for a training checkpoint.
    /// A rule with state overrides this and <see cref="LoadState"/>; a stateless rule (plain gradient descent) need not.
    /// </summary>
    protected virtual void SaveState(OptimizerState state)
    {
    }

    /// <summary>Reads back what <see cref="SaveState"/> wrote (the state is bound already, to the same parameter count).</summary>
    /// <exception cref="ArgumentException">The state is not this rule's (a name missing, a length different).</exception>
    protected virtual void LoadState(OptimizerState state)
    {
    }

    /// <summary>The rule's state, for a checkpoint.</summary>
    internal OptimizerState SaveStateForCheckpoint()
    {
        var state = new OptimizerState();
        SaveState(state);
        return state;
    }

    /// <summary>Restores the rule's state from a checkpoint, binding it to <paramref name="parameterCount"/> parameters first.</summary>
    internal void LoadStateFromCheckpoint(int parameterCount, OptimizerState state)
    {
        BindOrCheck(parameterCount, nameof(parameterCount));
        LoadState(state);
    }

    /// <summary>Advances what the rule keeps per step (Adam's step count, say), once per step, before <see cref="Update"/>.</summary>
    protected virtual void BeginStep()
    {
    }

    /// <summary>
    /// Applies the rule to <paramref name="parameters"/> with the (clipped, decayed) <paramref name="gradient"/>: the
    /// whole block with <paramref name="offset"/> 0, or — for an elementwise rule — the range of it that starts at
    /// <paramref name="offset"/>, perhaps at the same time as other ranges of the same step on other threads.
    /// </summary>
    /// <param name="parameters">The parameters of the range, to update in place.</param>
    /// <param name="gradient">The gradient of the range.</param>
    /// <param name="offset">Where the range starts in the whole block: the index of the rule's state for <c>parameters[0]</c>.</param>
    protected abstract void Update(Span<float> parameters, ReadOnlySpan<float> gradient, int offset);

    // Binds the rule's state on first use; after that, the parameter count must stay the same.
    private void BindOrCheck(int parameterCount, string parameterName)
    {
        if (ParameterCount == 0 && parameterCount > 0)
        {
            Bind(parameterCount);
        }
        else if (parameterCount != ParameterCount)
        {
            throw new ArgumentException($"The optimizer is bound to {ParameterCount} parameters; got {parameterCount}. Call Bind to resize it.", parameterName);
        }
    }

    // g ← g + λθ, over the whole gradient or one range of it.
    private void AddWeightDecay(ReadOnlySpan<float> parameters, Span<float> gradient)
    {
        if (_weightDecay > 0f)
        {
            TensorPrimitives.MultiplyAdd(parameters, _weightDecay, gradient, gradient);
        }
    }

    private protected static float Positive(float value, string name)
    {
        if (!(value > 0f) || float.IsPositiveInfinity(value))
        {
            throw new ArgumentOutOfRangeException(name, value, $"{name} must be finite and positive.");
        }

        return value;
    }

    private protected static float NonNegative(float value, string name)
    {
        if (!(value >= 0f) || float.IsPositiveInfinity(value))
        {
            throw new ArgumentOutOfRangeException(name, value, $"{name} must be finite and not negative.");
        }

        return value;
    }

    private protected static float Fraction(float value, string name)
    {
        if (!(value >= 0f && value < 1f))
        {
            throw new ArgumentOutOfRangeException(name, value, $"{name} must be in [0, 1).");
        }

        return value;
    }
}

/// <summary>What an optimizer lets the trainer do besides a whole step.</summary>
[Flags]
internal enum OptimizerCapabilities
{
    /// <summary>Only <see cref="Optimizer.Step"/>.</summary>
    None = 0,

    /// <summary>
    /// A step is exactly θ ← θ − η·g, with no state, decay or clipping: a model may fold it into its backward pass
    /// (<see cref="CompilerServices.IFusedGradientStep"/>).
    /// </summary>
    PlainStep = 1,

    /// <summary>A step can be taken a range of parameters at a time, ranges on several threads at once (no whole-gradient norm).</summary>
    StepsInRanges = 2,
}
