using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Native.Numerics;

/// <summary>
/// Adam (Kingma and Ba, 2015): per-parameter steps from running means of the gradient and of its square.
/// </summary>
/// <remarks>
/// m ← β₁m + (1 − β₁)∇; v ← β₂v + (1 − β₂)∇²; θ ← θ − η·m̂ / (√v̂ + ε), where m̂ = m / (1 − β₁ᵗ) and
/// v̂ = v / (1 − β₂ᵗ) correct the bias of the zero start at step t. Weight decay is the coupled L2 form
/// (added to the gradient), as PyTorch's <c>Adam(weight_decay=…)</c>.
/// </remarks>
public sealed class Adam : Optimizer
{
    private float[] _mean = [];
    private float[] _variance = [];
    private float _beta1;
    private float _beta2;
    private float _epsilon;
    private double _beta1Power = 1;
    private double _beta2Power = 1;

    /// <summary>Adam with step size <paramref name="learningRate"/> and the usual constants.</summary>
    public Adam(float learningRate = 1e-3f, float beta1 = 0.9f, float beta2 = 0.999f, float epsilon = 1e-8f)
        : base(learningRate)
    {
        Beta1 = beta1;
        Beta2 = beta2;
        Epsilon = epsilon;
    }

    /// <summary>The decay β₁ of the running mean of the gradient, in [0, 1).</summary>
    public float Beta1
    {
        get => _beta1;
        set => _beta1 = Fraction(value, nameof(Beta1));
    }

    /// <summary>The decay β₂ of the running mean of the squared gradient, in [0, 1).</summary>
    public float Beta2
    {
        get => _beta2;
        set => _beta2 = Fraction(value, nameof(Beta2));
    }

    /// <summary>The small ε added to √v̂ so a step never divides by zero.</summary>
    public float Epsilon
    {
        get => _epsilon;
        set => _epsilon = Positive(value, nameof(Epsilon));
    }

    /// <summary>The number of steps taken since binding or reset.</summary>
    public int Steps { get; private set; }

    /// <inheritdoc/>
    public override void Reset()
    {
        Array.Clear(_mean);
        Array.Clear(_variance);
        Steps = 0;
        _beta1Power = 1;
        _beta2Power = 1;
    }

    /// <inheritdoc/>
    protected override void BindState(int parameterCount)
    {
        _mean = new float[parameterCount];
        _variance = new float[parameterCount];
        Reset();
    }

    /// <inheritdoc/>
    protected override void SaveState(OptimizerState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        state.Write("mean", _mean);
        state.Write("variance", _variance);
        state.Write("steps", Steps);
        state.Write("beta1_power", _beta1Power);
        state.Write("beta2_power", _beta2Power);
    }

    /// <inheritdoc/>
    protected override void LoadState(OptimizerState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        state.Read("mean", _mean);
        state.Read("variance", _variance);
        double steps = state.ReadNumber("steps");
        Steps = steps >= 0 && steps <= int.MaxValue && steps == Math.Floor(steps) ? (int)steps : throw new ArgumentException($"The checkpoint's Adam step count is {steps}.", nameof(state));
        _beta1Power = state.ReadNumber("beta1_power");
        _beta2Power = state.ReadNumber("beta2_power");
    }

    /// <inheritdoc/>
    protected override void BeginStep()
    {
        Steps++;
        _beta1Power *= _beta1;
        _beta2Power *= _beta2;
    }

    /// <inheritdoc/>
    protected override void Update(Span<float> parameters, ReadOnlySpan<float> gradient, int offset)
    {
        // Fold the bias corrections into two scalars: step = η / (1 − β₁ᵗ), and v̂ = v · 1 / (1 − β₂ᵗ).
        float step = (float)(LearningRate / (1 - _beta1Power));
        float varianceScale = (float)(1 / (1 - _beta2Power));
        float beta1 = _beta1, beta2 = _beta2, epsilon = _epsilon;
        float oneMinusBeta1 = 1f - beta1, oneMinusBeta2 = 1f - beta2;

        ref float theta = ref MemoryMarshal.GetReference(parameters);
        ref float g = ref MemoryMarshal.GetReference(gradient);
        ref float m = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_mean), offset);
        ref float v = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_variance), offset);
        nint length = parameters.Length;
        nint i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            for (; i <= length - Vector<float>.Count; i += Vector<float>.Count)
            {
                var gi = Vector.LoadUnsafe(ref g, (nuint)i);
                var mi = (Vector.LoadUnsafe(ref m, (nuint)i) * beta1) + (gi * oneMinusBeta1);
                var vi = (Vector.LoadUnsafe(ref v, (nuint)i) * beta2) + (gi * gi * oneMinusBeta2);
                mi.StoreUnsafe(ref m, (nuint)i);
                vi.StoreUnsafe(ref v, (nuint)i);
                var denominator = Vector.SquareRoot(vi * varianceScale) + new Vector<float>(epsilon);
                (Vector.LoadUnsafe(ref theta, (nuint)i) - (mi * step / denominator)).StoreUnsafe(ref theta, (nuint)i);
            }
        }

        for (; i < length; i++)
        {
            float gi = Unsafe.Add(ref g, i);
            float mi = Unsafe.Add(ref m, i) = (Unsafe.Add(ref m, i) * beta1) + (gi * oneMinusBeta1);
            float vi = Unsafe.Add(ref v, i) = (Unsafe.Add(ref v, i) * beta2) + (gi * gi * oneMinusBeta2);
            Unsafe.Add(ref theta, i) -= mi * step / (MathF.Sqrt(vi * varianceScale) + epsilon);
        }
    }
}
