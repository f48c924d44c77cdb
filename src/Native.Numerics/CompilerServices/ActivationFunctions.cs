using System.ComponentModel;
using System.Runtime.CompilerServices;
using Native.Numerics.Kernels;

namespace Native.Numerics.CompilerServices;

/// <summary>
/// A hidden layer's activation, as a type the kernels are generic over, so each activation gets its own
/// compiled, fully inlined loop. Not for direct use: generated models name one in their layer stack.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public interface IActivationFunction
{
    /// <summary>The activation this type stands for.</summary>
    internal static abstract Activation Kind { get; }

    /// <summary>f(x) lane by lane; <paramref name="slope"/> is the leaky ReLU's slope (ignored by the others).</summary>
    internal static abstract TVector Apply<TSimd, TVector>(TVector x, TVector slope)
        where TSimd : ISimd<TVector>
        where TVector : struct;

    /// <summary>f′ lane by lane, computed from the activation's output y = f(x), which is what back-propagation keeps.</summary>
    internal static abstract TVector DerivativeFromOutput<TSimd, TVector>(TVector y, TVector slope)
        where TSimd : ISimd<TVector>
        where TVector : struct;
}

/// <summary>The rectified linear unit, max(0, x); NaN stays NaN. Not for direct use.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public readonly struct ReluFunction : IActivationFunction
{
    static Activation IActivationFunction.Kind => Activation.Relu;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static TVector IActivationFunction.Apply<TSimd, TVector>(TVector x, TVector slope) => TSimd.LeakyRelu(x, TSimd.Zero);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static TVector IActivationFunction.DerivativeFromOutput<TSimd, TVector>(TVector y, TVector slope) => TSimd.LeakyReluDerivative(y, TSimd.Zero);
}

/// <summary>The leaky rectified linear unit: x where x &gt; 0, else slope·x. Not for direct use.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public readonly struct LeakyReluFunction : IActivationFunction
{
    static Activation IActivationFunction.Kind => Activation.LeakyRelu;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static TVector IActivationFunction.Apply<TSimd, TVector>(TVector x, TVector slope) => TSimd.LeakyRelu(x, slope);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static TVector IActivationFunction.DerivativeFromOutput<TSimd, TVector>(TVector y, TVector slope) => TSimd.LeakyReluDerivative(y, slope);
}

/// <summary>
/// The logistic sigmoid, 1 / (1 + e^−x); σ′ = σ(1 − σ). Not for direct use. The same code computes
/// <see cref="Activations.Sigmoid(ReadOnlySpan{float}, Span{float})"/>.
/// </summary>
/// <remarks>
/// From e = e^(−|x|), in (0, 1], which never overflows: σ(x) = 1 / (1 + e) for x ≥ 0, and e / (1 + e) for x &lt; 0 — a
/// product, so a tiny σ keeps its digits where 1 / (1 + e^−x) would form a huge e^−x. Below x ≈ −87 e flushes to 0 and
/// so does σ. The vector paths' e^x does not carry NaN, so a NaN input is put back in the result: a NaN feature must
/// reach the logits, where the prediction policy sees it.
/// </remarks>
[EditorBrowsable(EditorBrowsableState.Never)]
public readonly struct SigmoidFunction : IActivationFunction
{
    static Activation IActivationFunction.Kind => Activation.Sigmoid;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static TVector IActivationFunction.Apply<TSimd, TVector>(TVector x, TVector slope) => Apply<TSimd, TVector>(x);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static TVector IActivationFunction.DerivativeFromOutput<TSimd, TVector>(TVector y, TVector slope) =>
        TSimd.Multiply(y, TSimd.Subtract(TSimd.Create(1f), y));

    /// <summary>σ lane by lane.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static TVector Apply<TSimd, TVector>(TVector x)
        where TSimd : ISimd<TVector>
        where TVector : struct
    {
        TVector zero = TSimd.Zero;
        TVector e = TSimd.Exp(TSimd.Min(x, TSimd.Subtract(zero, x)));
        TVector positive = TSimd.Reciprocal(TSimd.Add(TSimd.Create(1f), e));
        TVector negative = TSimd.Multiply(e, positive);

        // positive where x ≥ 0 (x < 0 zeroes it), negative where x < 0 (x ≥ 0 subtracts it away exactly); 0 where σ is
        // subnormal, on every path alike (the scalar tail's exact e^x would keep it, the vector lanes' flushes it).
        TVector result = TSimd.Add(TSimd.ZeroWhereLess(positive, x, zero), TSimd.Subtract(negative, TSimd.ZeroWhereLess(negative, x, zero)));
        return TSimd.KeepNaN(TSimd.ZeroWhereLess(result, x, TSimd.Create(FastExp.MinimumInput)), x);
    }
}

/// <summary>
/// The hyperbolic tangent, to within a few units in the last place everywhere, with tanh 0 = 0; tanh′ = 1 − tanh².
/// Not for direct use. The same code computes <see cref="Activations.Tanh(ReadOnlySpan{float}, Span{float})"/>, on every
/// path, vector lanes and scalar tails alike.
/// </summary>
/// <remarks>
/// <para>
/// <c>TensorPrimitives.Tanh</c> is not used: measured in System.Numerics.Tensors 10.0.12 on AVX-512, its
/// vector path returns tanh 0 = −5.96·10⁻⁸ (wrong sign, not 0) and has a relative error of 1.5·10⁻³ at
/// x = 2·10⁻⁵ (an absolute error of about 6·10⁻⁸ near 0, as from e^(2x) − 1). This one's worst relative
/// error against double, measured over [−20, 20] and down to ±10⁻³⁰, is 1.3·10⁻⁷; the tests hold it below 3·10⁻⁷.
/// </para>
/// <para>
/// The method is Cephes' <c>tanhf</c> (S. L. Moshier). For |x| &lt; 0.625, an odd polynomial
/// x + x·s·P(s) with s = x², which has no cancellation; above it, 1 − 2 / (e^(2|x|) + 1), where 2 / (…) is
/// at most 0.45, so the subtraction loses at most a bit. e^(2|x|) saturates for huge |x| (see
/// <see cref="FastExp"/>), which gives exactly 1. The sign is restored last, so tanh(−x) = −tanh(x) exactly.
/// Both branches are computed and the right one kept per lane.
/// </para>
/// </remarks>
[EditorBrowsable(EditorBrowsableState.Never)]
public readonly struct TanhFunction : IActivationFunction
{
    static Activation IActivationFunction.Kind => Activation.Tanh;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static TVector IActivationFunction.Apply<TSimd, TVector>(TVector x, TVector slope) => Apply<TSimd, TVector>(x);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static TVector IActivationFunction.DerivativeFromOutput<TSimd, TVector>(TVector y, TVector slope) =>
        TSimd.Subtract(TSimd.Create(1f), TSimd.Multiply(y, y));

    /// <summary>Below this |x|, the polynomial; from it on, the exponential form.</summary>
    internal const float PolynomialLimit = 0.625f;

    // Cephes tanhf: tanh x ≈ x + x·s·P(s), s = x², on |x| < 0.625.
    private const float P0 = -5.70498872745e-3f;
    private const float P1 = 2.06390887954e-2f;
    private const float P2 = -5.37397155531e-2f;
    private const float P3 = 1.33314422036e-1f;
    private const float P4 = -3.33332819422e-1f;

    /// <summary>tanh lane by lane.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static TVector Apply<TSimd, TVector>(TVector x)
        where TSimd : ISimd<TVector>
        where TVector : struct
    {
        TVector zero = TSimd.Zero;
        TVector one = TSimd.Create(1f);
        TVector negative = TSimd.Subtract(zero, x);
        TVector magnitude = TSimd.Max(x, negative);

        // Small |x|: x + x·s·P(s), odd by construction.
        TVector s = TSimd.Multiply(x, x);
        TVector p = TSimd.MultiplyAdd(TSimd.Create(P0), s, TSimd.Create(P1));
        p = TSimd.MultiplyAdd(p, s, TSimd.Create(P2));
        p = TSimd.MultiplyAdd(p, s, TSimd.Create(P3));
        p = TSimd.MultiplyAdd(p, s, TSimd.Create(P4));
        TVector small = TSimd.MultiplyAdd(TSimd.Multiply(p, s), x, x);

        // Large |x|: 1 − 2 / (e^(2|x|) + 1) for |x|, then the sign of x: keep it where x ≥ 0, negate where x ≤ 0.
        TVector exponential = TSimd.Exp(TSimd.Add(magnitude, magnitude));
        TVector large = TSimd.Subtract(one, TSimd.Multiply(TSimd.Create(2f), TSimd.Reciprocal(TSimd.Add(exponential, one))));
        large = TSimd.Subtract(TSimd.ZeroWhereLess(large, x, zero), TSimd.ZeroWhereLess(large, negative, zero));

        // Keep the small form where |x| < limit (|x| ≤ the float just below it), the large where |x| ≥ limit.
        TVector keepSmall = TSimd.ZeroWhereLess(small, TSimd.Create(BelowLimit), magnitude);
        TVector keepLarge = TSimd.ZeroWhereLess(large, magnitude, TSimd.Create(PolynomialLimit));
        return TSimd.Add(keepSmall, keepLarge);
    }

    /// <summary>The largest float below <see cref="PolynomialLimit"/> (0x3F1FFFFF; a test checks it).</summary>
    internal const float BelowLimit = 0.62499994f;
}

/// <summary>No activation: the output layer, whose values go to the head.</summary>
internal readonly struct IdentityFunction : IActivationFunction
{
    static Activation IActivationFunction.Kind => throw new NotSupportedException("The identity is not a hidden layer's activation.");

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static TVector IActivationFunction.Apply<TSimd, TVector>(TVector x, TVector slope) => x;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static TVector IActivationFunction.DerivativeFromOutput<TSimd, TVector>(TVector y, TVector slope) => TSimd.Create(1f);
}
