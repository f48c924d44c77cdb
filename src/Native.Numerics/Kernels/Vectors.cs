using System.Runtime.CompilerServices;

namespace Native.Numerics.Kernels;

/// <summary>Element-wise loops the kernels share, at one vector width.</summary>
internal static class Vectors
{
    /// <summary>destination[k] += source[k] for k below <paramref name="length"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void AddInPlace<TSimd, TVector>(ref float destination, ref float source, int length)
        where TSimd : ISimd<TVector>
        where TVector : struct
    {
        nint k = 0;
        for (; k <= length - TSimd.Count; k += TSimd.Count)
        {
            TSimd.Store(TSimd.Add(TSimd.Load(in destination, k), TSimd.Load(in source, k)), ref destination, k);
        }

        for (; k < length; k++)
        {
            Unsafe.Add(ref destination, k) += Unsafe.Add(ref source, k);
        }
    }

    /// <summary>values[k] *= <paramref name="factor"/> for k below <paramref name="length"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Scale<TSimd, TVector>(ref float values, float factor, int length)
        where TSimd : ISimd<TVector>
        where TVector : struct
    {
        TVector factors = TSimd.Create(factor);
        nint k = 0;
        for (; k <= length - TSimd.Count; k += TSimd.Count)
        {
            TSimd.Store(TSimd.Multiply(TSimd.Load(in values, k), factors), ref values, k);
        }

        for (; k < length; k++)
        {
            Unsafe.Add(ref values, k) *= factor;
        }
    }

    /// <summary>
    /// destination[k] = (x[k] − means[k]) × scales[k] for k below <paramref name="length"/>: a standardizer's transform, the
    /// same two rounded operations as <see cref="Standardizer.Transform(ReadOnlySpan{float}, Span{float})"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Standardize<TSimd, TVector>(ref float x, ref float means, ref float scales, ref float destination, int length)
        where TSimd : ISimd<TVector>
        where TVector : struct
    {
        nint k = 0;
        for (; k <= length - TSimd.Count; k += TSimd.Count)
        {
            // The one-row kernels standardize as they read, through the same method: the same bits either way.
            TSimd.Store(StandardizedInput.Standardize<TSimd, TVector>(in x, ref means, ref scales, k), ref destination, k);
        }

        for (; k < length; k++)
        {
            Unsafe.Add(ref destination, k) = (Unsafe.Add(ref x, k) - Unsafe.Add(ref means, k)) * Unsafe.Add(ref scales, k);
        }
    }
}
