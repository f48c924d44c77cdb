using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Native.Numerics.Kernels;

/// <summary>Softmax over one row of logits, stable: the maximum is subtracted before any exponential.</summary>
internal static class SoftmaxKernel
{
    /// <summary>log Σ e^z from what <see cref="Row{TSimd, TVector}"/> returned.</summary>
    public static float LogSumExp((float Max, float Sum) softmax) => softmax.Max + MathF.Log(softmax.Sum);

    /// <summary>Rows up to this many vectors long take the padded path of <see cref="Row"/>.</summary>
    private const int PaddedVectors = 4;

    /// <summary>
    /// Replaces <paramref name="z"/> by softmax(z) and returns its maximum m and Σ e^(z − m), so that
    /// log Σ e^z = m + log Σ e^(z − m) for a caller that needs it (prediction does not). The maximum is
    /// subtracted first, so no exponent exceeds 0: e^z cannot overflow, and the largest term is exactly 1.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    [SkipLocalsInit]
    public static (float Max, float Sum) Row<TSimd, TVector>(Span<float> z)
        where TSimd : ISimd<TVector>
        where TVector : struct
    {
        int length = z.Length;
        Debug.Assert(length > 0);
        if (TSimd.Count > 1 && length <= ShortRow)
        {
            return SoftmaxShort(z);
        }

        if (TSimd.Count > 1 && length % TSimd.Count != 0 && length <= PaddedVectors * TSimd.Count)
        {
            // A short row (the classes of a model, say) in whole vectors: copied beside padding of −∞, whose
            // e^x is 0, so max, exp and sum run a vector at a time and the padding adds nothing.
            // Plain loops move these few floats: a call to a copy routine costs more than the copy.
            int padded = (length + TSimd.Count - 1) / TSimd.Count * TSimd.Count;
            Span<float> row = stackalloc float[PaddedVectors * TSimd.Count];
            row = row[..padded];
            ref float source = ref MemoryMarshal.GetReference(z);
            ref float target = ref MemoryMarshal.GetReference(row);
            int k = 0;
            for (; k < length; k++)
            {
                Unsafe.Add(ref target, k) = Unsafe.Add(ref source, k);
            }

            for (; k < padded; k++)
            {
                Unsafe.Add(ref target, k) = float.NegativeInfinity;
            }

            (float Max, float Sum) result = SoftmaxWhole<TSimd, TVector>(row);
            for (k = 0; k < length; k++)
            {
                Unsafe.Add(ref source, k) = Unsafe.Add(ref target, k);
            }

            return result;
        }

        return SoftmaxWhole<TSimd, TVector>(z);
    }

    /// <summary>Rows up to this long (the classes of most models) take <see cref="SoftmaxShort"/>.</summary>
    private const int ShortRow = 16;

    /// <summary>
    /// Softmax of a row of at most 16 floats in four 128-bit vectors, built lane by lane from single-float
    /// loads, lanes past the row −∞ (whose e^x is 0). The row was usually just written a float at a time
    /// (a kernel's sums); one wide load of it would wait for all those stores to reach the cache, as a load
    /// fed by several pending stores cannot take their data directly, while each single-float load can.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (float Max, float Sum) SoftmaxShort(Span<float> z)
    {
        ref float v = ref MemoryMarshal.GetReference(z);
        int length = z.Length;
        Vector128<float> a = Lanes(ref v, 0, length), b = Lanes(ref v, 4, length);
        Vector128<float> c = Lanes(ref v, 8, length), d = Lanes(ref v, 12, length);

        // The maximum, subtracted so that no exponent exceeds 0.
        float max = Simd128.MaxAcross(Vector128.MaxNative(Vector128.MaxNative(a, b), Vector128.MaxNative(c, d)));
        Vector128<float> shift = Vector128.Create(max);
        a = FastExp.Exp<Simd128, Vector128<float>>(a - shift);
        b = FastExp.Exp<Simd128, Vector128<float>>(b - shift);
        c = FastExp.Exp<Simd128, Vector128<float>>(c - shift);
        d = FastExp.Exp<Simd128, Vector128<float>>(d - shift);
        float sum = Vector128.Sum((a + b) + (c + d));

        // Normalized, back into the row.
        Vector128<float> scale = Vector128.Create(1f / sum);
        Store(a * scale, ref v, 0, length);
        Store(b * scale, ref v, 4, length);
        Store(c * scale, ref v, 8, length);
        Store(d * scale, ref v, 12, length);
        return (max, sum);
    }

    // Lanes start..start+4 of the row, −∞ past its end.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<float> Lanes(ref float v, int start, int length) => Vector128.Create(
        start < length ? Unsafe.Add(ref v, start) : float.NegativeInfinity,
        start + 1 < length ? Unsafe.Add(ref v, start + 1) : float.NegativeInfinity,
        start + 2 < length ? Unsafe.Add(ref v, start + 2) : float.NegativeInfinity,
        start + 3 < length ? Unsafe.Add(ref v, start + 3) : float.NegativeInfinity);

    // Lanes start..start+4 back into the row, as far as it goes.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(Vector128<float> values, ref float v, int start, int length)
    {
        if (start + 4 <= length)
        {
            values.StoreUnsafe(ref v, (nuint)start);
            return;
        }

        // Constant lane numbers: each lane leaves its register directly (a variable one goes through memory).
        if (start < length)
        {
            Unsafe.Add(ref v, start) = values.GetElement(0);
        }

        if (start + 1 < length)
        {
            Unsafe.Add(ref v, start + 1) = values.GetElement(1);
        }

        if (start + 2 < length)
        {
            Unsafe.Add(ref v, start + 2) = values.GetElement(2);
        }
    }

    // Softmax over a row of any length: whole vectors, then one float at a time.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (float Max, float Sum) SoftmaxWhole<TSimd, TVector>(Span<float> z)
        where TSimd : ISimd<TVector>
        where TVector : struct
    {
        ref float v = ref MemoryMarshal.GetReference(z);
        nint length = z.Length;

        // The maximum, so that every exponent below is at most 0.
        float max = v;
        nint k = 0;
        if (length >= TSimd.Count)
        {
            TVector m = TSimd.Load(in v, 0);
            for (k = TSimd.Count; k <= length - TSimd.Count; k += TSimd.Count)
            {
                m = TSimd.Max(m, TSimd.Load(in v, k));
            }

            max = TSimd.MaxAcross(m);
        }

        for (; k < length; k++)
        {
            max = MathF.Max(max, Unsafe.Add(ref v, k));
        }

        // e^(z − max) in place, and their sum.
        TVector shift = TSimd.Create(max);
        TVector sums = TSimd.Zero;
        for (k = 0; k <= length - TSimd.Count; k += TSimd.Count)
        {
            TVector p = TSimd.Exp(TSimd.Subtract(TSimd.Load(in v, k), shift));
            sums = TSimd.Add(sums, p);
            TSimd.Store(p, ref v, k);
        }

        float sum = TSimd.Sum(sums);
        for (; k < length; k++)
        {
            float p = MathF.Exp(Unsafe.Add(ref v, k) - max);
            sum += p;
            Unsafe.Add(ref v, k) = p;
        }

        // Normalize. The sum is at least 1 (the maximum's own term), so this never divides by zero.
        float scale = 1f / sum;
        TVector scales = TSimd.Create(scale);
        for (k = 0; k <= length - TSimd.Count; k += TSimd.Count)
        {
            TSimd.Store(TSimd.Multiply(TSimd.Load(in v, k), scales), ref v, k);
        }

        for (; k < length; k++)
        {
            Unsafe.Add(ref v, k) *= scale;
        }

        return (max, sum);
    }

    /// <summary>The most classes <see cref="Probabilities{TSimd, TVector}"/> keeps in registers.</summary>
    public const int RegisterClasses = 16;

    /// <summary>
    /// Logits within ±64 need no maximum subtracted: e^z can neither overflow (16 · e^64 ≈ 10^29) nor vanish (e^−64 ≈ 10^−28
    /// is a normal float), and the subtraction, which exists only to prevent overflow, would round z − max. Skipping it
    /// takes the maximum's reduction off the chain of a one-row prediction.
    /// </summary>
    internal const float ShiftFreeLimit = 64f;

    /// <summary>
    /// The probabilities of one row's <paramref name="classes"/> (at most 16) logits, written to exactly
    /// <paramref name="classes"/> floats at <paramref name="destination"/>. The logits are read from a buffer padded to a
    /// multiple of 4 as whole 128-bit vectors — the form <see cref="RowKernel"/> stored them in, so each load takes its
    /// data straight from the store before it — and combined into the widest register that holds them. The maximum is
    /// subtracted only when some logit lies beyond ±<see cref="ShiftFreeLimit"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Probabilities<TSimd, TVector>(ref float logits, int classes, ref float destination)
        where TSimd : ISimd<TVector>
        where TVector : struct
    {
        if (classes <= 4 && TSimd.Count >= 4)
        {
            Vector128<float> real = Vector128.LessThan(Vector128<int>.Indices, Vector128.Create(classes)).AsSingle();
            Vector128<float> z = Vector128.ConditionalSelect(real, Vector128.LoadUnsafe(ref logits), Vector128.Create(float.NegativeInfinity));
            float shift = Vector128.LessThanOrEqualAll(Vector128.Abs(z) & real, Vector128.Create(ShiftFreeLimit)) ? 0f : Simd128.MaxAcross(z);
            Vector128<float> e = FastExp.Exp<Simd128, Vector128<float>>(z - Vector128.Create(shift));
            StoreFirst(e * Vector128.Create(1f / Simd128.Sum(e)), ref destination, classes);
        }
        else if (classes <= 8 && TSimd.Count >= 8)
        {
            Vector256<float> real = Vector256.LessThan(Vector256<int>.Indices, Vector256.Create(classes)).AsSingle();
            Vector256<float> z = Vector256.ConditionalSelect(real, Vector256.LoadUnsafe(ref logits), Vector256.Create(float.NegativeInfinity));
            float shift = Vector256.LessThanOrEqualAll(Vector256.Abs(z) & real, Vector256.Create(ShiftFreeLimit)) ? 0f : Simd256.MaxAcross(z);
            Vector256<float> e = FastExp.Exp<Simd256, Vector256<float>>(z - Vector256.Create(shift));
            StoreFirst(e * Vector256.Create(1f / Simd256.Sum(e)), ref destination, classes);
        }
        else if (TSimd.Count == 16)
        {
            Vector512<float> real = Vector512.LessThan(Vector512<int>.Indices, Vector512.Create(classes)).AsSingle();
            Vector512<float> z = Vector512.ConditionalSelect(real, Vector512.LoadUnsafe(ref logits), Vector512.Create(float.NegativeInfinity));
            float shift = Vector512.LessThanOrEqualAll(Vector512.Abs(z) & real, Vector512.Create(ShiftFreeLimit)) ? 0f : Simd512.MaxAcross(z);
            Vector512<float> e = FastExp.Exp<Simd512, Vector512<float>>(z - Vector512.Create(shift));
            StoreFirst(e * Vector512.Create(1f / Simd512.Sum(e)), ref destination, classes);
        }
        else
        {
            // Narrower paths with more classes than one register holds: the row softmax, in the buffer, then copied out.
            Span<float> row = MemoryMarshal.CreateSpan(ref logits, classes);
            Row<TSimd, TVector>(row);
            row.CopyTo(MemoryMarshal.CreateSpan(ref destination, classes));
        }
    }

    // The first `count` lanes to destination, as few stores as that takes and none past it.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreFirst(Vector512<float> values, ref float destination, int count)
    {
        if (count == 16)
        {
            values.StoreUnsafe(ref destination);
            return;
        }

        values.GetLower().StoreUnsafe(ref destination);
        StoreFirst(values.GetUpper(), ref Unsafe.Add(ref destination, 8), count - 8);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreFirst(Vector256<float> values, ref float destination, int count)
    {
        if (count == 8)
        {
            values.StoreUnsafe(ref destination);
        }
        else if (count > 4)
        {
            values.GetLower().StoreUnsafe(ref destination);
            StoreFirst(values.GetUpper(), ref Unsafe.Add(ref destination, 4), count - 4);
        }
        else
        {
            StoreFirst(values.GetLower(), ref destination, count);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreFirst(Vector128<float> values, ref float destination, int count)
    {
        if (count == 4)
        {
            values.StoreUnsafe(ref destination);
            return;
        }

        // Two lanes as one 64-bit store, then the third alone.
        if (count >= 2)
        {
            Unsafe.WriteUnaligned(ref Unsafe.As<float, byte>(ref destination), values.AsUInt64().ToScalar());
        }
        else
        {
            destination = values.ToScalar();
        }

        if (count == 3)
        {
            Unsafe.Add(ref destination, 2) = values.GetElement(2);
        }
    }
}
