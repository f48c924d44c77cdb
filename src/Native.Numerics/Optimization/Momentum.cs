using System.Numerics.Tensors;

namespace Native.Numerics;

/// <summary>
/// Gradient descent with momentum, by the rule v ← γv + η∇, θ ← θ − v; or, with Nesterov's correction,
/// θ ← θ − (γv + η∇) after updating v, which looks ahead along the velocity.
/// </summary>
/// <remarks>
/// The velocity carries past steps, so the descent coasts through shallow local minima and damps
/// oscillation across narrow valleys. It starts at zero. The learning rate is inside the velocity, so
/// a schedule's change of η affects new gradients only.
/// </remarks>
public sealed class Momentum : Optimizer
{
    private float[] _velocity = [];
    private float _momentum;

    /// <summary>Momentum descent with step size <paramref name="learningRate"/> and momentum γ = <paramref name="momentum"/>.</summary>
    public Momentum(float learningRate, float momentum = 0.9f, bool nesterov = false)
        : base(learningRate)
    {
        MomentumCoefficient = momentum;
        Nesterov = nesterov;
    }

    /// <summary>The momentum γ, in [0, 1).</summary>
    public float MomentumCoefficient
    {
        get => _momentum;
        set => _momentum = Fraction(value, nameof(MomentumCoefficient));
    }

    /// <summary>Whether the step uses Nesterov's look-ahead.</summary>
    public bool Nesterov { get; set; }

    /// <inheritdoc/>
    public override void Reset() => Array.Clear(_velocity);

    /// <inheritdoc/>
    protected override void BindState(int parameterCount) => _velocity = new float[parameterCount];

    /// <inheritdoc/>
    protected override void SaveState(OptimizerState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        state.Write("velocity", _velocity);
    }

    /// <inheritdoc/>
    protected override void LoadState(OptimizerState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        state.Read("velocity", _velocity);
    }

    /// <inheritdoc/>
    protected override void Update(Span<float> parameters, ReadOnlySpan<float> gradient, int offset)
    {
        // v ← γv + η∇.
        Span<float> velocity = _velocity.AsSpan(offset, parameters.Length);
        TensorPrimitives.Multiply(velocity, _momentum, velocity);
        TensorPrimitives.MultiplyAdd(gradient, LearningRate, velocity, velocity);
        if (Nesterov)
        {
            // θ ← θ − (γv + η∇).
            TensorPrimitives.MultiplyAdd(velocity, -_momentum, parameters, parameters);
            TensorPrimitives.MultiplyAdd(gradient, -LearningRate, parameters, parameters);
        }
        else
        {
            // θ ← θ − v.
            TensorPrimitives.Subtract(parameters, velocity, parameters);
        }
    }
}
