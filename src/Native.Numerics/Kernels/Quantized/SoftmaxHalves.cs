using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Native.Numerics.Kernels.Quantized;

/// <summary>
/// The softmax of 9 to 16 logits in two 256-bit registers, bit for bit what <see cref="SoftmaxKernel.Probabilities"/>
/// computes at 512 bits in one: for a row whose other steps keep to 256-bit instructions.
/// </summary>
/// <remarks>
/// On Intel cores a 512-bit instruction in flight closes port 1 to vector arithmetic for a while after it, so a quantized
/// row on the 256-bit VNNI path that ends in a 512-bit softmax slows the products of the rows after it (Intel Xeon,
/// Emerald Rapids: ~100 cycles a 784 × 10 row, measured). The lanes are computed as the 512-bit kernel computes them (the
/// same exponential, lane by lane; the maximum and sum across the two halves added first, as
/// <see cref="Simd512.MaxAcross"/> and <see cref="Simd512.Sum"/> do), so a row's probabilities do not depend on which
/// kernel ran.
/// </remarks>
internal static class SoftmaxHalves
{
    /// <summary>The least number of classes this kernel takes.</summary>
    public const int LeastClasses = 9;

    /// <summary>The most.</summary>
    public const int MostClasses = 16;

    /// <summary>destination[0 … classes) = softmax(logits[0 … classes)), for 9 to 16 classes; logits padded to 16 floats.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Probabilities(ref float logits, int classes, ref float destination) =>
        Probabilities(Vector256.LoadUnsafe(ref logits), Vector256.LoadUnsafe(ref logits, (nuint)Vector256<float>.Count), classes, ref destination);

    /// <summary>destination[0 … classes) = softmax of the first <paramref name="classes"/> (9 to 16) of the lanes of <paramref name="low"/> then <paramref name="high"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Probabilities(Vector256<float> low, Vector256<float> high, int classes, ref float destination)
    {
        Vector256<float> realHigh = Vector256.LessThan(Vector256<int>.Indices, Vector256.Create(classes - Vector256<float>.Count)).AsSingle();
        Vector256<float> limit = Vector256.Create(SoftmaxKernel.ShiftFreeLimit);
        Vector256<float> lowExp, highExp;
        if (Vector256.LessThanOrEqualAll(Vector256.Abs(low), limit) && Vector256.LessThanOrEqualAll(Vector256.Abs(high) & realHigh, limit))
        {
            // No shift, and no lane beyond the exponential's clamps: its bits without them (twelve instructions fewer on
            // the ports the next row's products need); the padding's lanes 0, as the exponential of −∞ is.
            lowExp = FastExp.Within<Simd256, Vector256<float>>(low);
            highExp = FastExp.Within<Simd256, Vector256<float>>(high & realHigh) & realHigh;
        }
        else
        {
            high = Vector256.ConditionalSelect(realHigh, high, Vector256.Create(float.NegativeInfinity));
            Vector256<float> shift = Vector256.Create(Simd256.MaxAcross(Vector256.MaxNative(low, high)));
            lowExp = FastExp.Exp<Simd256, Vector256<float>>(low - shift);
            highExp = FastExp.Exp<Simd256, Vector256<float>>(high - shift);
        }

        Vector256<float> inverse = Vector256.Create(1f / Simd256.Sum(lowExp + highExp));
        (lowExp * inverse).StoreUnsafe(ref destination);
        StoreFirst(highExp * inverse, ref Unsafe.Add(ref destination, Vector256<float>.Count), classes - Vector256<float>.Count);
    }

    // The first `count` (1 … 8) lanes, in as few stores as that takes and none past them.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreFirst(Vector256<float> values, ref float destination, int count)
    {
        if (count == Vector256<float>.Count)
        {
            values.StoreUnsafe(ref destination);
            return;
        }

        Vector128<float> part = values.GetLower();
        if (count >= 4)
        {
            part.StoreUnsafe(ref destination);
            destination = ref Unsafe.Add(ref destination, 4);
            part = values.GetUpper();
            count -= 4;
        }

        if (count >= 2)
        {
            Unsafe.WriteUnaligned(ref Unsafe.As<float, byte>(ref destination), part.AsUInt64().ToScalar());
            if (count == 3)
            {
                Unsafe.Add(ref destination, 2) = part.GetElement(2);
            }
        }
        else if (count == 1)
        {
            destination = part.ToScalar();
        }
    }
}
