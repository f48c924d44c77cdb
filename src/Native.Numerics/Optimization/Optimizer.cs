using System.Numerics.Tensors;

namespace Native.Numerics;

/// <summary>
/// What every optimizer here shares: the learning rate, L2 weight decay and gradient-norm clipping,
/// applied before the rule of the derived class.
/// </summary>
/// <remarks>
/// A step first clips the gradient to <see cref="MaxGradientNorm"/> (by its whole L2 norm, keeping its
/// direction), then adds the decay term λθ (L2 regularization of the loss by λ/2·‖θ‖², on every
/// parameter, biases included, as PyTorch's <c>weight_decay</c> does), then applies the rule.
/// </remarks>
public abstract class Optimizer : IOptimizer
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

    /// <inheritdoc/>
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

    /// <inheritdoc/>
    public void Bind(int parameterCount)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(parameterCount);
        ParameterCount = parameterCount;
        BindState(parameterCount);
    }

    /// <inheritdoc/>
    public abstract void Reset();

    /// <inheritdoc/>
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
        Update(parameters, gradient);
    }

    /// <inheritdoc/>
    OptimizerCapabilities IOptimizer.Capabilities =>
        (IsPlainDescent && _weightDecay == 0f && _maxGradientNorm == 0f ? OptimizerCapabilities.PlainStep : OptimizerCapabilities.None)
        | (RangesSupported && _maxGradientNorm == 0f ? OptimizerCapabilities.StepsInRanges : OptimizerCapabilities.None);

    /// <summary>Whether the rule is θ ← θ − η·g itself, with no state (before decay and clipping).</summary>
    private protected virtual bool IsPlainDescent => false;

    /// <summary>Whether the rule implements <see cref="BeginStep"/> and <see cref="UpdateRange"/>.</summary>
    private protected virtual bool RangesSupported => false;

    /// <inheritdoc/>
    void IOptimizer.BeginRanges(int parameterCount)
    {
        BindOrCheck(parameterCount, nameof(parameterCount));
        BeginStep();
    }

    /// <inheritdoc/>
    void IOptimizer.StepRange(Span<float> parameters, Span<float> gradient, int offset)
    {
        AddWeightDecay(parameters, gradient);
        UpdateRange(parameters, gradient, offset);
    }

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

    /// <summary>Advances the state kept per step, before the ranges of a step.</summary>
    private protected virtual void BeginStep()
    {
    }

    /// <summary>Applies the rule to one range of the parameters, starting at <paramref name="offset"/>.</summary>
    private protected virtual void UpdateRange(Span<float> parameters, ReadOnlySpan<float> gradient, int offset) =>
        throw new NotSupportedException($"{GetType().Name} does not take steps in ranges.");

    /// <summary>Sizes the rule's state for <paramref name="parameterCount"/> parameters, zeroed.</summary>
    protected abstract void BindState(int parameterCount);

    /// <summary>Applies the rule to <paramref name="parameters"/> with the (clipped, decayed) <paramref name="gradient"/>.</summary>
    protected abstract void Update(Span<float> parameters, ReadOnlySpan<float> gradient);

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
