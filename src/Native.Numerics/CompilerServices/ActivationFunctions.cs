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

/// <summary>The logistic sigmoid, 1 / (1 + e^−x); σ′ = σ(1 − σ). Not for direct use.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public readonly struct SigmoidFunction : IActivationFunction
{
    static Activation IActivationFunction.Kind => Activation.Sigmoid;

    // e^−x overflows to a huge value (σ → 0) or underflows to 0 (σ → 1), never NaN for a number.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static TVector IActivationFunction.Apply<TSimd, TVector>(TVector x, TVector slope) =>
        TSimd.Reciprocal(TSimd.Add(TSimd.Create(1f), TSimd.Exp(TSimd.Subtract(TSimd.Zero, x))));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static TVector IActivationFunction.DerivativeFromOutput<TSimd, TVector>(TVector y, TVector slope) =>
        TSimd.Multiply(y, TSimd.Subtract(TSimd.Create(1f), y));
}

/// <summary>
/// The hyperbolic tangent, by the same accurate method as <see cref="Activations.Tanh(ReadOnlySpan{float}, Span{float})"/>
/// on every path (<see cref="TanhOperator"/>: exact at 0, a few units in the last place everywhere); tanh′ = 1 − tanh².
/// Not for direct use.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public readonly struct TanhFunction : IActivationFunction
{
    static Activation IActivationFunction.Kind => Activation.Tanh;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static TVector IActivationFunction.Apply<TSimd, TVector>(TVector x, TVector slope) => TanhOperator.Invoke<TSimd, TVector>(x, slope);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static TVector IActivationFunction.DerivativeFromOutput<TSimd, TVector>(TVector y, TVector slope) =>
        TSimd.Subtract(TSimd.Create(1f), TSimd.Multiply(y, y));
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
