using System.Runtime.CompilerServices;
using Native.Numerics.CompilerServices;
using Native.Numerics.Kernels;

namespace Native.Numerics;

/// <summary>
/// A lane-wise function of one vector and one broadcast parameter, for <see cref="FunctionKernels.Map{TOperator}"/>.
/// Implemented by empty structs, so each operator gets its own compiled, fully inlined loop.
/// </summary>
internal interface IElementwiseOperator
{
    /// <summary>The function on every lane of <paramref name="x"/>, at the width <typeparamref name="TSimd"/>.</summary>
    static abstract TVector Invoke<TSimd, TVector>(TVector x, TVector parameter)
        where TSimd : ISimd<TVector>
        where TVector : struct;
}

/// <summary>
/// A hidden layer's activation (<see cref="IActivationFunction"/>) as an element-wise operator, its parameter the leaky
/// ReLU's slope: the public span functions run the very code the models run.
/// </summary>
internal readonly struct ActivationOperator<TActivation> : IElementwiseOperator
    where TActivation : struct, IActivationFunction
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVector Invoke<TSimd, TVector>(TVector x, TVector parameter)
        where TSimd : ISimd<TVector>
        where TVector : struct =>
        TActivation.Apply<TSimd, TVector>(x, parameter);
}

/// <summary>
/// parameter·e^(−c|x|) / (1 + e^(−c|x|))² with c = 1 (σ′(x), parameter 1) or c = 2 (tanh′ x, parameter 4).
/// </summary>
/// <remarks>
/// σ′(x) = σ(x)(1 − σ(x)) and tanh′ x = 1 − tanh²x lose every digit once σ(x) or tanh x rounds to 1
/// (x ≳ 17 or 9): the difference is 0 where the true derivative is e^(−x) or 4e^(−2x). Written with
/// e = e^(−c|x|) ≤ 1, both are a quotient of accurate positive terms, accurate everywhere, and never overflow.
/// </remarks>
internal readonly struct LogisticDerivativeOperator<TScale> : IElementwiseOperator
    where TScale : struct, ILogisticScale
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVector Invoke<TSimd, TVector>(TVector x, TVector parameter)
        where TSimd : ISimd<TVector>
        where TVector : struct
    {
        TVector negativeMagnitude = TSimd.Min(x, TSimd.Subtract(TSimd.Zero, x));
        TVector e = TSimd.Exp(TSimd.Multiply(negativeMagnitude, TSimd.Create(TScale.Rate)));
        TVector onePlus = TSimd.Add(e, TSimd.Create(1f));
        return TSimd.Multiply(TSimd.Multiply(e, TSimd.Create(TScale.Factor)), TSimd.Reciprocal(TSimd.Multiply(onePlus, onePlus)));
    }
}

/// <summary>The constants c and k of a derivative k·e^(−c|x|) / (1 + e^(−c|x|))².</summary>
internal interface ILogisticScale
{
    /// <summary>The rate c.</summary>
    static abstract float Rate { get; }

    /// <summary>The factor k.</summary>
    static abstract float Factor { get; }
}

/// <summary>σ′(x) = e^(−|x|) / (1 + e^(−|x|))².</summary>
internal readonly struct SigmoidScale : ILogisticScale
{
    public static float Rate => 1f;

    public static float Factor => 1f;
}

/// <summary>tanh′ x = 4e^(−2|x|) / (1 + e^(−2|x|))², since tanh x = 2σ(2x) − 1.</summary>
internal readonly struct TanhScale : ILogisticScale
{
    public static float Rate => 2f;

    public static float Factor => 4f;
}

/// <summary>1 where x &gt; 0, else parameter (0 for ReLU).</summary>
internal readonly struct LeakyReluDerivativeOperator : IElementwiseOperator
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVector Invoke<TSimd, TVector>(TVector x, TVector parameter)
        where TSimd : ISimd<TVector>
        where TVector : struct =>
        // The Simd helper is documented on the activation's output; for the input it is the same test x > 0.
        TSimd.LeakyReluDerivative(x, parameter);
}
