using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Native.Numerics.Kernels.Quantized;

/// <summary>
/// The steps between 32-bit integers, floats and bytes that <see cref="ISimd{TVector}"/> lacks, at the width of the float
/// vector <typeparamref name="TVector"/> (one of <see cref="Vector512{T}"/>, <see cref="Vector256{T}"/>,
/// <see cref="Vector128{T}"/> of float, or float). Integer lanes travel in a <typeparamref name="TVector"/> as bits. Each
/// branch below is chosen by a type test the JIT folds, so each width's code holds only its own.
/// </summary>
/// <remarks>
/// <para>
/// A level is a number rounded to the nearest 32-bit integer, ties to even, or <see cref="Indefinite"/> where the number is
/// NaN or at least 2³¹ in magnitude: on x86 exactly what <c>cvtps2dq</c> returns (in the default rounding mode), on every
/// other path computed to match. A byte is a level clamped to 0 … 127 (<see cref="Quantization.QuantizedRange.MaximumActivation"/>,
/// which signed saturation to a byte then a lower clamp at 0 give exactly); four vectors of levels become bytes in one pass
/// (<c>vpackssdw</c>, <c>vpacksswb</c> and a lane permutation at 256 and 512 bits, then the lower clamp), a quarter of the
/// instructions of narrowing each vector alone.
/// </para>
/// </remarks>
/// <typeparam name="TVector">The float vector of the width.</typeparam>
internal static partial class IntegerLanes<TVector>
    where TVector : struct
{
    /// <summary>The level of NaN, and of a number of magnitude 2³¹ or more: <see cref="int.MinValue"/>.</summary>
    public const int Indefinite = int.MinValue;

    // 2^31 as a float: the least magnitude without a level.
    private const float Beyond = 2147483648f;

    /// <summary>
    /// (float)(sums[k] − zero·corrections[k]) for the lanes at <paramref name="offset"/>: a layer's 32-bit sums less the
    /// zero point's share, in exact integer arithmetic, then converted (rounded to nearest, ties to even, as the scalar
    /// conversion rounds).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVector Centered(ref int sums, ref int corrections, int zero, nint offset)
    {
        // A zero point of 0 (a layer whose inputs never go below 0: pixels, ReLU outputs) takes no correction: a 32-bit
        // multiplication's ten cycles off a row's path to its logits.
        if (typeof(TVector) == typeof(Vector512<float>))
        {
            Vector512<int> v = Vector512.LoadUnsafe(ref sums, (nuint)offset);
            v = zero == 0 ? v : v - (Vector512.LoadUnsafe(ref corrections, (nuint)offset) * zero);
            return Unsafe.BitCast<Vector512<float>, TVector>(Vector512.ConvertToSingle(v));
        }

        if (typeof(TVector) == typeof(Vector256<float>))
        {
            Vector256<int> v = Vector256.LoadUnsafe(ref sums, (nuint)offset);
            v = zero == 0 ? v : v - (Vector256.LoadUnsafe(ref corrections, (nuint)offset) * zero);
            return Unsafe.BitCast<Vector256<float>, TVector>(Vector256.ConvertToSingle(v));
        }

        if (typeof(TVector) == typeof(Vector128<float>))
        {
            Vector128<int> v = Vector128.LoadUnsafe(ref sums, (nuint)offset);
            v = zero == 0 ? v : v - (Vector128.LoadUnsafe(ref corrections, (nuint)offset) * zero);
            return Unsafe.BitCast<Vector128<float>, TVector>(Vector128.ConvertToSingle(v));
        }

        return Unsafe.BitCast<float, TVector>(Unsafe.Add(ref sums, offset) - (Unsafe.Add(ref corrections, offset) * zero));
    }

    /// <summary>The level of each lane of <paramref name="values"/>, as integer lanes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVector Levels(TVector values)
    {
        if (typeof(TVector) == typeof(Vector512<float>))
        {
            Vector512<float> v = Unsafe.BitCast<TVector, Vector512<float>>(values);
            Vector512<int> levels = Avx512F.IsSupported
                ? Avx512F.ConvertToVector512Int32(v)
                : Vector512.ConditionalSelect(Vector512.LessThan(Vector512.Abs(v), Vector512.Create(Beyond)).AsInt32(), Vector512.ConvertToInt32Native(Vector512.Round(v)), Vector512.Create(Indefinite));
            return Unsafe.BitCast<Vector512<int>, TVector>(levels);
        }

        if (typeof(TVector) == typeof(Vector256<float>))
        {
            Vector256<float> v = Unsafe.BitCast<TVector, Vector256<float>>(values);
            Vector256<int> levels = Avx.IsSupported
                ? Avx.ConvertToVector256Int32(v)
                : Vector256.ConditionalSelect(Vector256.LessThan(Vector256.Abs(v), Vector256.Create(Beyond)).AsInt32(), Vector256.ConvertToInt32Native(Vector256.Round(v)), Vector256.Create(Indefinite));
            return Unsafe.BitCast<Vector256<int>, TVector>(levels);
        }

        if (typeof(TVector) == typeof(Vector128<float>))
        {
            Vector128<float> v = Unsafe.BitCast<TVector, Vector128<float>>(values);
            Vector128<int> levels = Sse2.IsSupported
                ? Sse2.ConvertToVector128Int32(v)
                : Vector128.ConditionalSelect(Vector128.LessThan(Vector128.Abs(v), Vector128.Create(Beyond)).AsInt32(), Vector128.ConvertToInt32Native(Vector128.Round(v)), Vector128.Create(Indefinite));
            return Unsafe.BitCast<Vector128<int>, TVector>(levels);
        }

        float value = Unsafe.BitCast<TVector, float>(values);
        return Unsafe.BitCast<int, TVector>(MathF.Abs(value) < Beyond ? (int)MathF.Round(value) : Indefinite);
    }

    /// <summary>Integer lanes all <see cref="int.MaxValue"/>: the start of a running <see cref="Least"/>.</summary>
    public static TVector Greatest
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get
        {
            if (typeof(TVector) == typeof(Vector512<float>))
            {
                return Unsafe.BitCast<Vector512<int>, TVector>(Vector512.Create(int.MaxValue));
            }

            if (typeof(TVector) == typeof(Vector256<float>))
            {
                return Unsafe.BitCast<Vector256<int>, TVector>(Vector256.Create(int.MaxValue));
            }

            if (typeof(TVector) == typeof(Vector128<float>))
            {
                return Unsafe.BitCast<Vector128<int>, TVector>(Vector128.Create(int.MaxValue));
            }

            return Unsafe.BitCast<int, TVector>(int.MaxValue);
        }
    }

    /// <summary>The lane-wise least of two vectors of integer lanes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVector Least(TVector left, TVector right)
    {
        if (typeof(TVector) == typeof(Vector512<float>))
        {
            return Unsafe.BitCast<Vector512<int>, TVector>(Vector512.Min(Unsafe.BitCast<TVector, Vector512<int>>(left), Unsafe.BitCast<TVector, Vector512<int>>(right)));
        }

        if (typeof(TVector) == typeof(Vector256<float>))
        {
            return Unsafe.BitCast<Vector256<int>, TVector>(Vector256.Min(Unsafe.BitCast<TVector, Vector256<int>>(left), Unsafe.BitCast<TVector, Vector256<int>>(right)));
        }

        if (typeof(TVector) == typeof(Vector128<float>))
        {
            return Unsafe.BitCast<Vector128<int>, TVector>(Vector128.Min(Unsafe.BitCast<TVector, Vector128<int>>(left), Unsafe.BitCast<TVector, Vector128<int>>(right)));
        }

        return Unsafe.BitCast<int, TVector>(Math.Min(Unsafe.BitCast<TVector, int>(left), Unsafe.BitCast<TVector, int>(right)));
    }

    /// <summary>Whether any integer lane of <paramref name="levels"/> is <see cref="Indefinite"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool AnyIndefinite(TVector levels)
    {
        if (typeof(TVector) == typeof(Vector512<float>))
        {
            return Vector512.EqualsAny(Unsafe.BitCast<TVector, Vector512<int>>(levels), Vector512.Create(Indefinite));
        }

        if (typeof(TVector) == typeof(Vector256<float>))
        {
            return Vector256.EqualsAny(Unsafe.BitCast<TVector, Vector256<int>>(levels), Vector256.Create(Indefinite));
        }

        if (typeof(TVector) == typeof(Vector128<float>))
        {
            return Vector128.EqualsAny(Unsafe.BitCast<TVector, Vector128<int>>(levels), Vector128.Create(Indefinite));
        }

        return Unsafe.BitCast<TVector, int>(levels) == Indefinite;
    }

    /// <summary>x·scale + offset, rounded once (a fused multiply-add on every width, the scalar one included).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVector FusedMultiplyAdd(TVector x, TVector scale, TVector offset)
    {
        if (typeof(TVector) == typeof(Vector512<float>))
        {
            return Unsafe.BitCast<Vector512<float>, TVector>(Vector512.FusedMultiplyAdd(Unsafe.BitCast<TVector, Vector512<float>>(x), Unsafe.BitCast<TVector, Vector512<float>>(scale), Unsafe.BitCast<TVector, Vector512<float>>(offset)));
        }

        if (typeof(TVector) == typeof(Vector256<float>))
        {
            return Unsafe.BitCast<Vector256<float>, TVector>(Vector256.FusedMultiplyAdd(Unsafe.BitCast<TVector, Vector256<float>>(x), Unsafe.BitCast<TVector, Vector256<float>>(scale), Unsafe.BitCast<TVector, Vector256<float>>(offset)));
        }

        if (typeof(TVector) == typeof(Vector128<float>))
        {
            return Unsafe.BitCast<Vector128<float>, TVector>(Vector128.FusedMultiplyAdd(Unsafe.BitCast<TVector, Vector128<float>>(x), Unsafe.BitCast<TVector, Vector128<float>>(scale), Unsafe.BitCast<TVector, Vector128<float>>(offset)));
        }

        return Unsafe.BitCast<float, TVector>(MathF.FusedMultiplyAdd(Unsafe.BitCast<TVector, float>(x), Unsafe.BitCast<TVector, float>(scale), Unsafe.BitCast<TVector, float>(offset)));
    }
}
