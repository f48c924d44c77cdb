using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Native.Numerics.Kernels.Quantized;

/// <summary>
/// The steps between 32-bit integers, floats and bytes that <see cref="ISimd{TVector}"/> lacks, at the width of the float
/// vector <typeparamref name="TVector"/> (one of <see cref="Vector512{T}"/>, <see cref="Vector256{T}"/>,
/// <see cref="Vector128{T}"/> of float, or float). Each branch below is chosen by a type test the JIT folds, so each width's
/// code holds only its own.
/// </summary>
/// <typeparam name="TVector">The float vector of the width.</typeparam>
internal static class IntegerLanes<TVector>
    where TVector : struct
{
    /// <summary>
    /// (float)(sums[k] − zero·corrections[k]) for the lanes at <paramref name="offset"/>: a layer's 32-bit sums less the
    /// zero point's share, in exact integer arithmetic, then converted (rounded to nearest, ties to even, as the scalar
    /// conversion rounds).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVector Centered(ref int sums, ref int corrections, int zero, nint offset)
    {
        if (typeof(TVector) == typeof(Vector512<float>))
        {
            Vector512<int> v = Vector512.LoadUnsafe(ref sums, (nuint)offset) - (Vector512.LoadUnsafe(ref corrections, (nuint)offset) * zero);
            return Unsafe.BitCast<Vector512<float>, TVector>(Vector512.ConvertToSingle(v));
        }

        if (typeof(TVector) == typeof(Vector256<float>))
        {
            Vector256<int> v = Vector256.LoadUnsafe(ref sums, (nuint)offset) - (Vector256.LoadUnsafe(ref corrections, (nuint)offset) * zero);
            return Unsafe.BitCast<Vector256<float>, TVector>(Vector256.ConvertToSingle(v));
        }

        if (typeof(TVector) == typeof(Vector128<float>))
        {
            Vector128<int> v = Vector128.LoadUnsafe(ref sums, (nuint)offset) - (Vector128.LoadUnsafe(ref corrections, (nuint)offset) * zero);
            return Unsafe.BitCast<Vector128<float>, TVector>(Vector128.ConvertToSingle(v));
        }

        return Unsafe.BitCast<float, TVector>(Unsafe.Add(ref sums, offset) - (Unsafe.Add(ref corrections, offset) * zero));
    }

    /// <summary>
    /// Stores the lanes of <paramref name="levels"/> — numbers from 0 to 255 — rounded to the nearest whole number (ties to
    /// even) as bytes at <paramref name="destination"/> + <paramref name="offset"/>: one byte per lane.
    /// </summary>
    /// <remarks>
    /// On x86 the conversion rounds (<c>cvtps2dq</c>, in the default rounding mode, to nearest even), as
    /// <see cref="MathF.Round(float)"/> does on the scalar path; elsewhere the lanes are rounded first, then converted.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void StoreBytes(TVector levels, ref byte destination, nint offset)
    {
        ref byte target = ref Unsafe.Add(ref destination, offset);
        if (typeof(TVector) == typeof(Vector512<float>))
        {
            Vector512<float> v = Unsafe.BitCast<TVector, Vector512<float>>(levels);
            if (Avx512F.IsSupported)
            {
                Avx512F.ConvertToVector128Byte(Avx512F.ConvertToVector512Int32(v)).StoreUnsafe(ref target);
            }
            else
            {
                Vector512<int> whole = Vector512.ConvertToInt32Native(Vector512.Round(v));
                Vector512.Narrow(Vector512.Narrow(whole, whole).AsUInt16(), Vector512<ushort>.Zero).GetLower().GetLower().StoreUnsafe(ref target);
            }

            return;
        }

        if (typeof(TVector) == typeof(Vector256<float>))
        {
            Vector256<float> v = Unsafe.BitCast<TVector, Vector256<float>>(levels);
            Vector256<int> whole = Avx.IsSupported ? Avx.ConvertToVector256Int32(v) : Vector256.ConvertToInt32Native(Vector256.Round(v));
            Vector128<byte> bytes = Avx512F.VL.IsSupported
                ? Avx512F.VL.ConvertToVector128Byte(whole)
                : Vector128.Narrow(Vector128.Narrow(whole.GetLower(), whole.GetUpper()).AsUInt16(), Vector128<ushort>.Zero);
            Unsafe.WriteUnaligned(ref target, bytes.AsUInt64().ToScalar());
            return;
        }

        if (typeof(TVector) == typeof(Vector128<float>))
        {
            Vector128<float> v = Unsafe.BitCast<TVector, Vector128<float>>(levels);
            Vector128<int> whole = Sse2.IsSupported ? Sse2.ConvertToVector128Int32(v) : Vector128.ConvertToInt32Native(Vector128.Round(v));
            Vector128<byte> bytes = Vector128.Narrow(Vector128.Narrow(whole, whole).AsUInt16(), Vector128<ushort>.Zero);
            Unsafe.WriteUnaligned(ref target, bytes.AsUInt32().ToScalar());
            return;
        }

        target = (byte)MathF.Round(Unsafe.BitCast<TVector, float>(levels));
    }
}
