using System.Runtime.CompilerServices;
using Native.Numerics.CompilerServices;

namespace Native.Numerics.Kernels;

/// <summary>A hidden layer's activation over a chunk of its outputs, and the derivative back-propagation multiplies by.</summary>
/// <remarks>Tails shorter than a vector run the same formula on <see cref="SimdScalar"/>, so every element of a row gets the same function.</remarks>
internal static class ActivationKernel
{
    /// <summary>values[k] = f(values[k]) for k below <paramref name="length"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Apply<TSimd, TVector, TActivation>(ref float values, int length, float slope)
        where TSimd : ISimd<TVector>
        where TVector : struct
        where TActivation : struct, IActivationFunction
    {
        TVector slopes = TSimd.Create(slope);
        nint k = 0;
        for (; k <= length - TSimd.Count; k += TSimd.Count)
        {
            TSimd.Store(TActivation.Apply<TSimd, TVector>(TSimd.Load(in values, k), slopes), ref values, k);
        }

        for (; k < length; k++)
        {
            Unsafe.Add(ref values, k) = TActivation.Apply<SimdScalar, float>(Unsafe.Add(ref values, k), slope);
        }
    }

    /// <summary>errors[k] *= f′ computed from the activation's outputs[k], for k below <paramref name="length"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void MultiplyByDerivative<TSimd, TVector, TActivation>(ref float outputs, ref float errors, int length, float slope)
        where TSimd : ISimd<TVector>
        where TVector : struct
        where TActivation : struct, IActivationFunction
    {
        TVector slopes = TSimd.Create(slope);
        nint k = 0;
        for (; k <= length - TSimd.Count; k += TSimd.Count)
        {
            TVector derivative = TActivation.DerivativeFromOutput<TSimd, TVector>(TSimd.Load(in outputs, k), slopes);
            TSimd.Store(TSimd.Multiply(TSimd.Load(in errors, k), derivative), ref errors, k);
        }

        for (; k < length; k++)
        {
            Unsafe.Add(ref errors, k) *= TActivation.DerivativeFromOutput<SimdScalar, float>(Unsafe.Add(ref outputs, k), slope);
        }
    }
}
