using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Native.Numerics.Kernels;

/// <summary>
/// The kernels of a dense layer, at one vector width. A model holds one instance and makes one virtual
/// call per kernel; inside, every loop is specialized to the width with all vector calls inlined.
/// </summary>
/// <remarks>
/// Lengths are checked by the public API before a kernel is called; here they are only asserted, and
/// the loops read through unchecked references (bounds checks cost 2.3× on these loops, docs/performance.md).
/// </remarks>
internal abstract class DenseKernels
{
    /// <summary>The kernels at the width this process prefers (<see cref="SimdSupport.Preferred"/>).</summary>
    public static DenseKernels Preferred { get; } = For(SimdSupport.Preferred);

    /// <summary>The width these kernels run at.</summary>
    public abstract SimdWidth Width { get; }

    /// <summary>The kernels at <paramref name="width"/>.</summary>
    public static DenseKernels For(SimdWidth width) => width switch
    {
        SimdWidth.Vector512 => DenseKernels<Simd512, Vector512<float>>.Instance,
        SimdWidth.Vector256 => DenseKernels<Simd256, Vector256<float>>.Instance,
        SimdWidth.Vector128 => DenseKernels<Simd128, Vector128<float>>.Instance,
        _ => DenseKernels<SimdScalar, float>.Instance,
    };

    /// <summary>
    /// Z = A·Wᵀ + b. A is (n, inputs) as <paramref name="input"/> rows; W is (outputs, inputs) row-major;
    /// b is (outputs); Z is (n, outputs) row-major.
    /// </summary>
    public abstract void Forward(in Rows input, int inputs, ReadOnlySpan<float> weights, ReadOnlySpan<float> bias, int outputs, Span<float> z);

    /// <summary>
    /// dW += Eᵀ·A and db += Σ rows of E. E is (n, outputs) row-major; A is (n, inputs) as
    /// <paramref name="input"/> rows; dW is (outputs, inputs) row-major; db is (outputs).
    /// </summary>
    public abstract void AccumulateGradient(ReadOnlySpan<float> errors, in Rows input, int inputs, int outputs, Span<float> weightGradient, Span<float> biasGradient);

    /// <summary>
    /// D = E·W: the errors one layer down. E is (n, outputs) row-major; W is (outputs, inputs) row-major;
    /// D is (n, inputs) row-major.
    /// </summary>
    public abstract void Backpropagate(ReadOnlySpan<float> errors, int count, int outputs, ReadOnlySpan<float> weights, int inputs, Span<float> inputErrors);

    /// <summary>Applies <paramref name="activation"/> to every element, in place.</summary>
    public abstract void Activate(Activation activation, float slope, Span<float> values);

    /// <summary>Multiplies each error by the activation's derivative, computed from the activation's output.</summary>
    public abstract void MultiplyByDerivative(Activation activation, float slope, ReadOnlySpan<float> outputs, Span<float> errors);

    /// <summary>
    /// Replaces <paramref name="z"/> by softmax(z) and returns its maximum m and Σ e^(z − m), so that
    /// log Σ e^z = m + log Σ e^(z − m) for a caller that needs it (prediction does not). The maximum is
    /// subtracted first, so no exponent exceeds 0: e^z cannot overflow, and the largest term is exactly 1.
    /// </summary>
    public abstract (float Max, float Sum) Softmax(Span<float> z);

    /// <summary>log Σ e^z from what <see cref="Softmax"/> returned.</summary>
    public static float LogSumExp((float Max, float Sum) softmax) => softmax.Max + MathF.Log(softmax.Sum);
}

/// <summary>The dense-layer kernels at the width <typeparamref name="TSimd"/>.</summary>
/// <remarks>
/// Each entry point is compiled fully optimized on its first call (<see cref="MethodImplOptions.AggressiveOptimization"/>):
/// a training run calls them a few hundred times per second, and waiting for tiered compilation made the first
/// epochs of a short run over ten times slower. They read no static state the JIT would otherwise fold.
/// </remarks>
internal sealed class DenseKernels<TSimd, TVector> : DenseKernels
    where TSimd : ISimd<TVector>
    where TVector : struct
{
    public static readonly DenseKernels<TSimd, TVector> Instance = new();

    private DenseKernels()
    {
    }

    public override SimdWidth Width => TSimd.Width;

    // The floats of W the forward pass keeps in L1 at once: 32 KB, the smallest L1 data cache of the CPUs
    // with AVX-512 (Skylake-SP to Cascade Lake; Ice Lake and Zen 4/5 have 48 KB).
    private const int L1Floats = 8192;

    // Forward: Z = A·Wᵀ + b, in dot-product form. Two rows of A against four rows of W share each load:
    // per vector of k, 2 + 4 loads feed 8 multiply-adds held in 8 accumulators. W is taken in tiles of
    // rows that fit in L1 (all of it for 784 × 10, 31 KB; 8 rows, 25 KB, for 784 × 128), and all rows of A
    // stream past one tile before the next: with W beyond L1, a pass over it per pair of rows would
    // read it all from L2 32 times for 64 rows.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public override void Forward(in Rows input, int inputs, ReadOnlySpan<float> weights, ReadOnlySpan<float> bias, int outputs, Span<float> z)
    {
        Debug.Assert(weights.Length >= outputs * inputs && bias.Length >= outputs && z.Length >= input.Count * outputs);
        ref float w = ref MemoryMarshal.GetReference(weights);
        ref float b = ref MemoryMarshal.GetReference(bias);
        ref float zOrigin = ref MemoryMarshal.GetReference(z);
        int count = input.Count;
        int pairs = count & ~1;
        int tile = pairs == 0 || (long)outputs * inputs <= L1Floats ? outputs : Math.Max(4, (L1Floats / inputs) & ~3);
        for (int first = 0; first < outputs && pairs > 0; first += tile)
        {
            int last = Math.Min(outputs, first + tile);
            for (int i = 0; i < pairs; i += 2)
            {
                ref readonly float a0 = ref input[i];
                ref readonly float a1 = ref input[i + 1];
                ref float z0 = ref Unsafe.Add(ref zOrigin, (nint)i * outputs);
                ref float z1 = ref Unsafe.Add(ref z0, outputs);
                int j = first;
                for (; j + 4 <= last; j += 4)
                {
                    Dot2x4(in a0, in a1, ref Unsafe.Add(ref w, (nint)j * inputs), inputs, ref Unsafe.Add(ref z0, j), ref Unsafe.Add(ref z1, j));
                }

                if (j + 2 <= last)
                {
                    Dot2x2(in a0, in a1, ref Unsafe.Add(ref w, (nint)j * inputs), inputs, ref Unsafe.Add(ref z0, j), ref Unsafe.Add(ref z1, j));
                    j += 2;
                }

                for (; j < last; j++)
                {
                    ref float wj = ref Unsafe.Add(ref w, (nint)j * inputs);
                    Unsafe.Add(ref z0, j) = Dot(in a0, ref wj, inputs);
                    Unsafe.Add(ref z1, j) = Dot(in a1, ref wj, inputs);
                }
            }
        }

        if (pairs < count)
        {
            // One row: as many outputs per pass over it as the registers hold (8, then 4, 2, 1).
            ref readonly float a0 = ref input[pairs];
            ref float z0 = ref Unsafe.Add(ref zOrigin, (nint)pairs * outputs);
            int o = 0;
            for (; o + 8 <= outputs; o += 8)
            {
                Dot1x8(in a0, ref Unsafe.Add(ref w, (nint)o * inputs), inputs, ref Unsafe.Add(ref z0, o));
            }

            if (o + 4 <= outputs)
            {
                Dot1x4(in a0, ref Unsafe.Add(ref w, (nint)o * inputs), inputs, ref Unsafe.Add(ref z0, o));
                o += 4;
            }

            if (o + 2 <= outputs)
            {
                Dot1x2(in a0, ref Unsafe.Add(ref w, (nint)o * inputs), inputs, ref Unsafe.Add(ref z0, o));
                o += 2;
            }

            if (o < outputs)
            {
                Unsafe.Add(ref z0, o) = Dot(in a0, ref Unsafe.Add(ref w, (nint)o * inputs), inputs);
            }
        }

        // Add the bias to every row.
        for (int r = 0; r < count; r++)
        {
            AddInPlace(ref Unsafe.Add(ref zOrigin, (nint)r * outputs), ref b, outputs);
        }
    }

    // Two rows of A (a0, a1) against four rows of W starting at w: z0[0..4] and z1[0..4].
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Dot2x4(ref readonly float a0, ref readonly float a1, ref float w, int inputs, ref float z0, ref float z1)
    {
        ref float w1 = ref Unsafe.Add(ref w, inputs);
        ref float w2 = ref Unsafe.Add(ref w1, inputs);
        ref float w3 = ref Unsafe.Add(ref w2, inputs);
        TVector s00 = TSimd.Zero, s01 = TSimd.Zero, s02 = TSimd.Zero, s03 = TSimd.Zero;
        TVector s10 = TSimd.Zero, s11 = TSimd.Zero, s12 = TSimd.Zero, s13 = TSimd.Zero;
        nint k = 0;
        for (; k <= inputs - TSimd.Count; k += TSimd.Count)
        {
            TVector x0 = TSimd.Load(in a0, k);
            TVector x1 = TSimd.Load(in a1, k);
            TVector v = TSimd.Load(in w, k);
            s00 = TSimd.MultiplyAdd(x0, v, s00);
            s10 = TSimd.MultiplyAdd(x1, v, s10);
            v = TSimd.Load(in w1, k);
            s01 = TSimd.MultiplyAdd(x0, v, s01);
            s11 = TSimd.MultiplyAdd(x1, v, s11);
            v = TSimd.Load(in w2, k);
            s02 = TSimd.MultiplyAdd(x0, v, s02);
            s12 = TSimd.MultiplyAdd(x1, v, s12);
            v = TSimd.Load(in w3, k);
            s03 = TSimd.MultiplyAdd(x0, v, s03);
            s13 = TSimd.MultiplyAdd(x1, v, s13);
        }

        float t00 = TSimd.Sum(s00), t01 = TSimd.Sum(s01), t02 = TSimd.Sum(s02), t03 = TSimd.Sum(s03);
        float t10 = TSimd.Sum(s10), t11 = TSimd.Sum(s11), t12 = TSimd.Sum(s12), t13 = TSimd.Sum(s13);

        // The tail, shorter than one vector.
        for (; k < inputs; k++)
        {
            float x0 = Unsafe.Add(ref Unsafe.AsRef(in a0), k);
            float x1 = Unsafe.Add(ref Unsafe.AsRef(in a1), k);
            float v0 = Unsafe.Add(ref w, k), v1 = Unsafe.Add(ref w1, k), v2 = Unsafe.Add(ref w2, k), v3 = Unsafe.Add(ref w3, k);
            t00 += x0 * v0; t01 += x0 * v1; t02 += x0 * v2; t03 += x0 * v3;
            t10 += x1 * v0; t11 += x1 * v1; t12 += x1 * v2; t13 += x1 * v3;
        }

        z0 = t00; Unsafe.Add(ref z0, 1) = t01; Unsafe.Add(ref z0, 2) = t02; Unsafe.Add(ref z0, 3) = t03;
        z1 = t10; Unsafe.Add(ref z1, 1) = t11; Unsafe.Add(ref z1, 2) = t12; Unsafe.Add(ref z1, 3) = t13;
    }

    // Two rows of A against two rows of W: z0[0..2] and z1[0..2].
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Dot2x2(ref readonly float a0, ref readonly float a1, ref float w, int inputs, ref float z0, ref float z1)
    {
        ref float w1 = ref Unsafe.Add(ref w, inputs);
        TVector s00 = TSimd.Zero, s01 = TSimd.Zero, s10 = TSimd.Zero, s11 = TSimd.Zero;
        nint k = 0;
        for (; k <= inputs - TSimd.Count; k += TSimd.Count)
        {
            TVector x0 = TSimd.Load(in a0, k);
            TVector x1 = TSimd.Load(in a1, k);
            TVector v = TSimd.Load(in w, k);
            s00 = TSimd.MultiplyAdd(x0, v, s00);
            s10 = TSimd.MultiplyAdd(x1, v, s10);
            v = TSimd.Load(in w1, k);
            s01 = TSimd.MultiplyAdd(x0, v, s01);
            s11 = TSimd.MultiplyAdd(x1, v, s11);
        }

        float t00 = TSimd.Sum(s00), t01 = TSimd.Sum(s01), t10 = TSimd.Sum(s10), t11 = TSimd.Sum(s11);
        for (; k < inputs; k++)
        {
            float x0 = Unsafe.Add(ref Unsafe.AsRef(in a0), k);
            float x1 = Unsafe.Add(ref Unsafe.AsRef(in a1), k);
            float v0 = Unsafe.Add(ref w, k), v1 = Unsafe.Add(ref w1, k);
            t00 += x0 * v0; t01 += x0 * v1;
            t10 += x1 * v0; t11 += x1 * v1;
        }

        z0 = t00; Unsafe.Add(ref z0, 1) = t01;
        z1 = t10; Unsafe.Add(ref z1, 1) = t11;
    }

    // One row of A against eight rows of W: z[0..8], each vector of the row loaded once for all eight.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Dot1x8(ref readonly float a, ref float w, int inputs, ref float z)
    {
        ref float w1 = ref Unsafe.Add(ref w, inputs);
        ref float w2 = ref Unsafe.Add(ref w1, inputs);
        ref float w3 = ref Unsafe.Add(ref w2, inputs);
        ref float w4 = ref Unsafe.Add(ref w3, inputs);
        ref float w5 = ref Unsafe.Add(ref w4, inputs);
        ref float w6 = ref Unsafe.Add(ref w5, inputs);
        ref float w7 = ref Unsafe.Add(ref w6, inputs);
        TVector s0 = TSimd.Zero, s1 = TSimd.Zero, s2 = TSimd.Zero, s3 = TSimd.Zero;
        TVector s4 = TSimd.Zero, s5 = TSimd.Zero, s6 = TSimd.Zero, s7 = TSimd.Zero;
        nint k = 0;
        for (; k <= inputs - TSimd.Count; k += TSimd.Count)
        {
            TVector x = TSimd.Load(in a, k);
            s0 = TSimd.MultiplyAdd(x, TSimd.Load(in w, k), s0);
            s1 = TSimd.MultiplyAdd(x, TSimd.Load(in w1, k), s1);
            s2 = TSimd.MultiplyAdd(x, TSimd.Load(in w2, k), s2);
            s3 = TSimd.MultiplyAdd(x, TSimd.Load(in w3, k), s3);
            s4 = TSimd.MultiplyAdd(x, TSimd.Load(in w4, k), s4);
            s5 = TSimd.MultiplyAdd(x, TSimd.Load(in w5, k), s5);
            s6 = TSimd.MultiplyAdd(x, TSimd.Load(in w6, k), s6);
            s7 = TSimd.MultiplyAdd(x, TSimd.Load(in w7, k), s7);
        }

        float t0 = TSimd.Sum(s0), t1 = TSimd.Sum(s1), t2 = TSimd.Sum(s2), t3 = TSimd.Sum(s3);
        float t4 = TSimd.Sum(s4), t5 = TSimd.Sum(s5), t6 = TSimd.Sum(s6), t7 = TSimd.Sum(s7);
        for (; k < inputs; k++)
        {
            float x = Unsafe.Add(ref Unsafe.AsRef(in a), k);
            t0 += x * Unsafe.Add(ref w, k);
            t1 += x * Unsafe.Add(ref w1, k);
            t2 += x * Unsafe.Add(ref w2, k);
            t3 += x * Unsafe.Add(ref w3, k);
            t4 += x * Unsafe.Add(ref w4, k);
            t5 += x * Unsafe.Add(ref w5, k);
            t6 += x * Unsafe.Add(ref w6, k);
            t7 += x * Unsafe.Add(ref w7, k);
        }

        z = t0; Unsafe.Add(ref z, 1) = t1; Unsafe.Add(ref z, 2) = t2; Unsafe.Add(ref z, 3) = t3;
        Unsafe.Add(ref z, 4) = t4; Unsafe.Add(ref z, 5) = t5; Unsafe.Add(ref z, 6) = t6; Unsafe.Add(ref z, 7) = t7;
    }

    // One row of A against two rows of W: z[0..2]. Two accumulators per output (even and odd vectors), so the
    // chains of dependent multiply-adds are half as long: with few outputs, their latency is the bound.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Dot1x2(ref readonly float a, ref float w, int inputs, ref float z)
    {
        ref float w1 = ref Unsafe.Add(ref w, inputs);
        TVector s0 = TSimd.Zero, s1 = TSimd.Zero, u0 = TSimd.Zero, u1 = TSimd.Zero;
        nint k = 0;
        for (; k <= inputs - (2 * TSimd.Count); k += 2 * TSimd.Count)
        {
            TVector x = TSimd.Load(in a, k);
            TVector y = TSimd.Load(in a, k + TSimd.Count);
            s0 = TSimd.MultiplyAdd(x, TSimd.Load(in w, k), s0);
            s1 = TSimd.MultiplyAdd(x, TSimd.Load(in w1, k), s1);
            u0 = TSimd.MultiplyAdd(y, TSimd.Load(in w, k + TSimd.Count), u0);
            u1 = TSimd.MultiplyAdd(y, TSimd.Load(in w1, k + TSimd.Count), u1);
        }

        if (k <= inputs - TSimd.Count)
        {
            TVector x = TSimd.Load(in a, k);
            s0 = TSimd.MultiplyAdd(x, TSimd.Load(in w, k), s0);
            s1 = TSimd.MultiplyAdd(x, TSimd.Load(in w1, k), s1);
            k += TSimd.Count;
        }

        float t0 = TSimd.Sum(TSimd.Add(s0, u0)), t1 = TSimd.Sum(TSimd.Add(s1, u1));
        for (; k < inputs; k++)
        {
            float x = Unsafe.Add(ref Unsafe.AsRef(in a), k);
            t0 += x * Unsafe.Add(ref w, k);
            t1 += x * Unsafe.Add(ref w1, k);
        }

        z = t0; Unsafe.Add(ref z, 1) = t1;
    }

    // One row of A against four rows of W: z[0..4], two accumulators per output (see Dot1x2).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Dot1x4(ref readonly float a, ref float w, int inputs, ref float z)
    {
        ref float w1 = ref Unsafe.Add(ref w, inputs);
        ref float w2 = ref Unsafe.Add(ref w1, inputs);
        ref float w3 = ref Unsafe.Add(ref w2, inputs);
        TVector s0 = TSimd.Zero, s1 = TSimd.Zero, s2 = TSimd.Zero, s3 = TSimd.Zero;
        TVector u0 = TSimd.Zero, u1 = TSimd.Zero, u2 = TSimd.Zero, u3 = TSimd.Zero;
        nint k = 0;
        for (; k <= inputs - (2 * TSimd.Count); k += 2 * TSimd.Count)
        {
            TVector x = TSimd.Load(in a, k);
            TVector y = TSimd.Load(in a, k + TSimd.Count);
            s0 = TSimd.MultiplyAdd(x, TSimd.Load(in w, k), s0);
            s1 = TSimd.MultiplyAdd(x, TSimd.Load(in w1, k), s1);
            s2 = TSimd.MultiplyAdd(x, TSimd.Load(in w2, k), s2);
            s3 = TSimd.MultiplyAdd(x, TSimd.Load(in w3, k), s3);
            u0 = TSimd.MultiplyAdd(y, TSimd.Load(in w, k + TSimd.Count), u0);
            u1 = TSimd.MultiplyAdd(y, TSimd.Load(in w1, k + TSimd.Count), u1);
            u2 = TSimd.MultiplyAdd(y, TSimd.Load(in w2, k + TSimd.Count), u2);
            u3 = TSimd.MultiplyAdd(y, TSimd.Load(in w3, k + TSimd.Count), u3);
        }

        if (k <= inputs - TSimd.Count)
        {
            TVector x = TSimd.Load(in a, k);
            s0 = TSimd.MultiplyAdd(x, TSimd.Load(in w, k), s0);
            s1 = TSimd.MultiplyAdd(x, TSimd.Load(in w1, k), s1);
            s2 = TSimd.MultiplyAdd(x, TSimd.Load(in w2, k), s2);
            s3 = TSimd.MultiplyAdd(x, TSimd.Load(in w3, k), s3);
            k += TSimd.Count;
        }

        float t0 = TSimd.Sum(TSimd.Add(s0, u0)), t1 = TSimd.Sum(TSimd.Add(s1, u1));
        float t2 = TSimd.Sum(TSimd.Add(s2, u2)), t3 = TSimd.Sum(TSimd.Add(s3, u3));
        for (; k < inputs; k++)
        {
            float x = Unsafe.Add(ref Unsafe.AsRef(in a), k);
            t0 += x * Unsafe.Add(ref w, k);
            t1 += x * Unsafe.Add(ref w1, k);
            t2 += x * Unsafe.Add(ref w2, k);
            t3 += x * Unsafe.Add(ref w3, k);
        }

        z = t0; Unsafe.Add(ref z, 1) = t1; Unsafe.Add(ref z, 2) = t2; Unsafe.Add(ref z, 3) = t3;
    }

    // One row of A against one row of W, with two accumulators to hide the multiply-add latency.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float Dot(ref readonly float a, ref float w, int inputs)
    {
        TVector s0 = TSimd.Zero, s1 = TSimd.Zero;
        nint k = 0;
        for (; k <= inputs - (2 * TSimd.Count); k += 2 * TSimd.Count)
        {
            s0 = TSimd.MultiplyAdd(TSimd.Load(in a, k), TSimd.Load(in w, k), s0);
            s1 = TSimd.MultiplyAdd(TSimd.Load(in a, k + TSimd.Count), TSimd.Load(in w, k + TSimd.Count), s1);
        }

        if (k <= inputs - TSimd.Count)
        {
            s0 = TSimd.MultiplyAdd(TSimd.Load(in a, k), TSimd.Load(in w, k), s0);
            k += TSimd.Count;
        }

        return TSimd.Sum(TSimd.Add(s0, s1)) + DotTail(in a, ref w, k, inputs);
    }

    // Σ a[c]·w[c] over the columns c in [k, inputs), fewer than one vector: in 256- and then 128-bit steps
    // where this width is wider (30 features at 512 bits: 16, then 8 + 4 + 2, not 14 dependent scalar steps).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float DotTail(ref readonly float a, ref float w, nint k, int inputs)
    {
        float total = 0f;
        if (TSimd.Count > 8 && k <= inputs - 8)
        {
            total += Simd256.Sum(Simd256.Multiply(Simd256.Load(in a, k), Simd256.Load(in w, k)));
            k += 8;
        }

        if (TSimd.Count > 4 && k <= inputs - 4)
        {
            total += Simd128.Sum(Simd128.Multiply(Simd128.Load(in a, k), Simd128.Load(in w, k)));
            k += 4;
        }

        for (; k < inputs; k++)
        {
            total += Unsafe.Add(ref Unsafe.AsRef(in a), k) * Unsafe.Add(ref w, k);
        }

        return total;
    }

    // dW += Eᵀ·A, blocked: for each group of k-vectors, for each group of outputs, that block of dW is held
    // in registers while the whole batch streams past, then added to dW once. The batch's slice of A
    // (n rows × the group's vectors) stays in L1 across the output groups. With 32 vector registers (the
    // 512-bit path) the block is 8 outputs × 3 vectors: 24 accumulators fed by 3 + 8 loads per row; the
    // outputs and columns it leaves go to 4 × 2 blocks (8 accumulators, 16 registers suffice).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public override void AccumulateGradient(ReadOnlySpan<float> errors, in Rows input, int inputs, int outputs, Span<float> weightGradient, Span<float> biasGradient)
    {
        int count = input.Count;
        Debug.Assert(errors.Length >= count * outputs && weightGradient.Length >= outputs * inputs && biasGradient.Length >= outputs);
        ref float e = ref MemoryMarshal.GetReference(errors);
        ref float dw = ref MemoryMarshal.GetReference(weightGradient);
        if (TSimd.Width == SimdWidth.Vector512 && outputs >= 8 && inputs >= 3 * TSimd.Count)
        {
            int wideOutputs = outputs & ~7;
            int wideStep = 3 * TSimd.Count;
            nint wideInputs = inputs - (inputs % wideStep);
            for (nint k = 0; k < wideInputs; k += wideStep)
            {
                for (int j = 0; j < wideOutputs; j += 8)
                {
                    OuterProduct8x3(ref Unsafe.Add(ref e, j), outputs, in input, k, ref Unsafe.Add(ref dw, (j * (nint)inputs) + k), inputs);
                }
            }

            // What the wide blocks left: the last columns of their outputs, then the last outputs whole.
            AccumulateBlocks(ref e, in input, inputs, outputs, ref dw, 0, wideOutputs, wideInputs);
            AccumulateBlocks(ref e, in input, inputs, outputs, ref dw, wideOutputs, outputs, 0);
        }
        else
        {
            AccumulateBlocks(ref e, in input, inputs, outputs, ref dw, 0, outputs, 0);
        }

        // db += Σ_i E[i, :].
        ref float db = ref MemoryMarshal.GetReference(biasGradient);
        for (int i = 0; i < count; i++)
        {
            AddInPlace(ref db, ref Unsafe.Add(ref e, (nint)i * outputs), outputs);
        }
    }

    // dW[first..last, from..inputs) += (Eᵀ·A) there, in 4 × 2 blocks of outputs × vectors, then smaller ones.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void AccumulateBlocks(ref float e, in Rows input, int inputs, int outputs, ref float dw, int first, int last, nint from)
    {
        int step = 2 * TSimd.Count;
        nint k = from;
        for (; k <= inputs - step; k += step)
        {
            int j = first;
            for (; j + 4 <= last; j += 4)
            {
                OuterProduct4x2(ref Unsafe.Add(ref e, j), outputs, in input, k, ref Unsafe.Add(ref dw, (j * (nint)inputs) + k), inputs);
            }

            if (j + 2 <= last)
            {
                OuterProduct2x2(ref Unsafe.Add(ref e, j), outputs, in input, k, ref Unsafe.Add(ref dw, (j * (nint)inputs) + k), inputs);
                j += 2;
            }

            for (; j < last; j++)
            {
                OuterProduct1x2(ref Unsafe.Add(ref e, j), outputs, in input, k, ref Unsafe.Add(ref dw, (j * (nint)inputs) + k));
            }
        }

        if (k < inputs)
        {
            // The last columns, fewer than two vectors: one vector if it fits, narrower ones, then one column at a time.
            for (int j = first; j < last; j++)
            {
                ref float ej = ref Unsafe.Add(ref e, j);
                ref float dwj = ref Unsafe.Add(ref dw, j * (nint)inputs);
                nint c = k;
                if (c <= inputs - TSimd.Count)
                {
                    AccumulateColumns<TSimd, TVector>(ref ej, outputs, in input, c, ref dwj);
                    c += TSimd.Count;
                }

                // Then 256- and 128-bit steps where this width is wider.
                if (TSimd.Count > 8 && c <= inputs - 8)
                {
                    AccumulateColumns<Simd256, Vector256<float>>(ref ej, outputs, in input, c, ref dwj);
                    c += 8;
                }

                if (TSimd.Count > 4 && c <= inputs - 4)
                {
                    AccumulateColumns<Simd128, Vector128<float>>(ref ej, outputs, in input, c, ref dwj);
                    c += 4;
                }

                for (; c < inputs; c++)
                {
                    AccumulateColumns<SimdScalar, float>(ref ej, outputs, in input, c, ref dwj);
                }
            }
        }
    }

    // dW[j, c..c+v) += Σ_i E[i, j] · A[i, c..c+v), one vector of width TNarrow (a tail's step, at any width down to
    // one column); ej points at E[0, j], dwj at dW[j, 0].
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void AccumulateColumns<TNarrow, TNarrowVector>(ref float ej, int outputs, in Rows input, nint c, ref float dwj)
        where TNarrow : ISimd<TNarrowVector>
        where TNarrowVector : struct
    {
        TNarrowVector s = TNarrow.Zero;
        for (int i = 0; i < input.Count; i++)
        {
            s = TNarrow.MultiplyAdd(TNarrow.Create(Unsafe.Add(ref ej, (nint)i * outputs)), TNarrow.Load(in input[i], c), s);
        }

        TNarrow.Store(TNarrow.Add(TNarrow.Load(in dwj, c), s), ref dwj, c);
    }

    // dW[j..j+8, k..k+3v] += Σ_i E[i, j..j+8] ⊗ A[i, k..k+3v]; e points at E[0, j], dw at dW[j, k].
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void OuterProduct8x3(ref float e, int outputs, in Rows input, nint k, ref float dw, int inputs)
    {
        TVector s00 = TSimd.Zero, s01 = TSimd.Zero, s02 = TSimd.Zero, s10 = TSimd.Zero, s11 = TSimd.Zero, s12 = TSimd.Zero;
        TVector s20 = TSimd.Zero, s21 = TSimd.Zero, s22 = TSimd.Zero, s30 = TSimd.Zero, s31 = TSimd.Zero, s32 = TSimd.Zero;
        TVector s40 = TSimd.Zero, s41 = TSimd.Zero, s42 = TSimd.Zero, s50 = TSimd.Zero, s51 = TSimd.Zero, s52 = TSimd.Zero;
        TVector s60 = TSimd.Zero, s61 = TSimd.Zero, s62 = TSimd.Zero, s70 = TSimd.Zero, s71 = TSimd.Zero, s72 = TSimd.Zero;

        // The view's fields in locals, so that they stay in registers beside the 24 accumulators.
        ref float origin = ref Unsafe.AsRef(in input.Origin);
        ref int index = ref MemoryMarshal.GetReference(input.Indices);
        bool indexed = input.IsIndexed;
        nint stride = input.Stride;
        int count = input.Count;
        for (int i = 0; i < count; i++)
        {
            ref float a = ref Unsafe.Add(ref origin, (indexed ? Unsafe.Add(ref index, i) : i) * stride);
            TVector x0 = TSimd.Load(in a, k);
            TVector x1 = TSimd.Load(in a, k + TSimd.Count);
            TVector x2 = TSimd.Load(in a, k + (2 * TSimd.Count));
            ref float ei = ref Unsafe.Add(ref e, (nint)i * outputs);
            TVector g = TSimd.Create(ei);
            s00 = TSimd.MultiplyAdd(g, x0, s00); s01 = TSimd.MultiplyAdd(g, x1, s01); s02 = TSimd.MultiplyAdd(g, x2, s02);
            g = TSimd.Create(Unsafe.Add(ref ei, 1));
            s10 = TSimd.MultiplyAdd(g, x0, s10); s11 = TSimd.MultiplyAdd(g, x1, s11); s12 = TSimd.MultiplyAdd(g, x2, s12);
            g = TSimd.Create(Unsafe.Add(ref ei, 2));
            s20 = TSimd.MultiplyAdd(g, x0, s20); s21 = TSimd.MultiplyAdd(g, x1, s21); s22 = TSimd.MultiplyAdd(g, x2, s22);
            g = TSimd.Create(Unsafe.Add(ref ei, 3));
            s30 = TSimd.MultiplyAdd(g, x0, s30); s31 = TSimd.MultiplyAdd(g, x1, s31); s32 = TSimd.MultiplyAdd(g, x2, s32);
            g = TSimd.Create(Unsafe.Add(ref ei, 4));
            s40 = TSimd.MultiplyAdd(g, x0, s40); s41 = TSimd.MultiplyAdd(g, x1, s41); s42 = TSimd.MultiplyAdd(g, x2, s42);
            g = TSimd.Create(Unsafe.Add(ref ei, 5));
            s50 = TSimd.MultiplyAdd(g, x0, s50); s51 = TSimd.MultiplyAdd(g, x1, s51); s52 = TSimd.MultiplyAdd(g, x2, s52);
            g = TSimd.Create(Unsafe.Add(ref ei, 6));
            s60 = TSimd.MultiplyAdd(g, x0, s60); s61 = TSimd.MultiplyAdd(g, x1, s61); s62 = TSimd.MultiplyAdd(g, x2, s62);
            g = TSimd.Create(Unsafe.Add(ref ei, 7));
            s70 = TSimd.MultiplyAdd(g, x0, s70); s71 = TSimd.MultiplyAdd(g, x1, s71); s72 = TSimd.MultiplyAdd(g, x2, s72);
        }

        AddThree(ref dw, s00, s01, s02);
        AddThree(ref Unsafe.Add(ref dw, inputs), s10, s11, s12);
        AddThree(ref Unsafe.Add(ref dw, 2 * (nint)inputs), s20, s21, s22);
        AddThree(ref Unsafe.Add(ref dw, 3 * (nint)inputs), s30, s31, s32);
        AddThree(ref Unsafe.Add(ref dw, 4 * (nint)inputs), s40, s41, s42);
        AddThree(ref Unsafe.Add(ref dw, 5 * (nint)inputs), s50, s51, s52);
        AddThree(ref Unsafe.Add(ref dw, 6 * (nint)inputs), s60, s61, s62);
        AddThree(ref Unsafe.Add(ref dw, 7 * (nint)inputs), s70, s71, s72);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void AddThree(ref float destination, TVector first, TVector second, TVector third)
    {
        TSimd.Store(TSimd.Add(TSimd.Load(in destination, 0), first), ref destination, 0);
        TSimd.Store(TSimd.Add(TSimd.Load(in destination, TSimd.Count), second), ref destination, TSimd.Count);
        TSimd.Store(TSimd.Add(TSimd.Load(in destination, 2 * TSimd.Count), third), ref destination, 2 * TSimd.Count);
    }

    // dW[j..j+4, k..k+2v] += Σ_i E[i, j..j+4] ⊗ A[i, k..k+2v]; e points at E[0, j], dw at dW[j, k].
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void OuterProduct4x2(ref float e, int outputs, in Rows input, nint k, ref float dw, int inputs)
    {
        TVector s00 = TSimd.Zero, s01 = TSimd.Zero, s10 = TSimd.Zero, s11 = TSimd.Zero;
        TVector s20 = TSimd.Zero, s21 = TSimd.Zero, s30 = TSimd.Zero, s31 = TSimd.Zero;
        for (int i = 0; i < input.Count; i++)
        {
            ref readonly float a = ref input[i];
            TVector x0 = TSimd.Load(in a, k);
            TVector x1 = TSimd.Load(in a, k + TSimd.Count);
            ref float ei = ref Unsafe.Add(ref e, (nint)i * outputs);
            TVector g = TSimd.Create(ei);
            s00 = TSimd.MultiplyAdd(g, x0, s00);
            s01 = TSimd.MultiplyAdd(g, x1, s01);
            g = TSimd.Create(Unsafe.Add(ref ei, 1));
            s10 = TSimd.MultiplyAdd(g, x0, s10);
            s11 = TSimd.MultiplyAdd(g, x1, s11);
            g = TSimd.Create(Unsafe.Add(ref ei, 2));
            s20 = TSimd.MultiplyAdd(g, x0, s20);
            s21 = TSimd.MultiplyAdd(g, x1, s21);
            g = TSimd.Create(Unsafe.Add(ref ei, 3));
            s30 = TSimd.MultiplyAdd(g, x0, s30);
            s31 = TSimd.MultiplyAdd(g, x1, s31);
        }

        AddTwo(ref dw, s00, s01);
        AddTwo(ref Unsafe.Add(ref dw, inputs), s10, s11);
        AddTwo(ref Unsafe.Add(ref dw, 2 * (nint)inputs), s20, s21);
        AddTwo(ref Unsafe.Add(ref dw, 3 * (nint)inputs), s30, s31);
    }

    // dW[j..j+2, k..k+2v] += Σ_i E[i, j..j+2] ⊗ A[i, k..k+2v].
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void OuterProduct2x2(ref float e, int outputs, in Rows input, nint k, ref float dw, int inputs)
    {
        TVector s00 = TSimd.Zero, s01 = TSimd.Zero, s10 = TSimd.Zero, s11 = TSimd.Zero;
        for (int i = 0; i < input.Count; i++)
        {
            ref readonly float a = ref input[i];
            TVector x0 = TSimd.Load(in a, k);
            TVector x1 = TSimd.Load(in a, k + TSimd.Count);
            ref float ei = ref Unsafe.Add(ref e, (nint)i * outputs);
            TVector g = TSimd.Create(ei);
            s00 = TSimd.MultiplyAdd(g, x0, s00);
            s01 = TSimd.MultiplyAdd(g, x1, s01);
            g = TSimd.Create(Unsafe.Add(ref ei, 1));
            s10 = TSimd.MultiplyAdd(g, x0, s10);
            s11 = TSimd.MultiplyAdd(g, x1, s11);
        }

        AddTwo(ref dw, s00, s01);
        AddTwo(ref Unsafe.Add(ref dw, inputs), s10, s11);
    }

    // dW[j, k..k+2v] += Σ_i E[i, j] · A[i, k..k+2v].
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void OuterProduct1x2(ref float e, int outputs, in Rows input, nint k, ref float dw)
    {
        TVector s0 = TSimd.Zero, s1 = TSimd.Zero;
        for (int i = 0; i < input.Count; i++)
        {
            ref readonly float a = ref input[i];
            TVector g = TSimd.Create(Unsafe.Add(ref e, (nint)i * outputs));
            s0 = TSimd.MultiplyAdd(g, TSimd.Load(in a, k), s0);
            s1 = TSimd.MultiplyAdd(g, TSimd.Load(in a, k + TSimd.Count), s1);
        }

        AddTwo(ref dw, s0, s1);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void AddTwo(ref float destination, TVector first, TVector second)
    {
        TSimd.Store(TSimd.Add(TSimd.Load(in destination, 0), first), ref destination, 0);
        TSimd.Store(TSimd.Add(TSimd.Load(in destination, TSimd.Count), second), ref destination, TSimd.Count);
    }

    // D = E·W: each row of D is a combination of the rows of W. Four rows of D × two vectors of columns
    // are held in registers while the outputs j stream past (2 loads of W + 4 broadcasts per 8 multiply-adds).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public override void Backpropagate(ReadOnlySpan<float> errors, int count, int outputs, ReadOnlySpan<float> weights, int inputs, Span<float> inputErrors)
    {
        Debug.Assert(errors.Length >= count * outputs && weights.Length >= outputs * inputs && inputErrors.Length >= count * inputs);
        ref float e = ref MemoryMarshal.GetReference(errors);
        ref float w = ref MemoryMarshal.GetReference(weights);
        ref float d = ref MemoryMarshal.GetReference(inputErrors);
        int step = 2 * TSimd.Count;
        int i = 0;
        for (; i + 4 <= count; i += 4)
        {
            ref float e0 = ref Unsafe.Add(ref e, (nint)i * outputs);
            ref float d0 = ref Unsafe.Add(ref d, (nint)i * inputs);
            nint k = 0;
            for (; k <= inputs - step; k += step)
            {
                Combine4x2(ref e0, outputs, ref w, inputs, k, ref d0);
            }

            for (int r = 0; r < 4; r++)
            {
                CombineTail(ref Unsafe.Add(ref e0, (nint)r * outputs), outputs, ref w, inputs, k, ref Unsafe.Add(ref d0, (nint)r * inputs));
            }
        }

        for (; i < count; i++)
        {
            CombineTail(ref Unsafe.Add(ref e, (nint)i * outputs), outputs, ref w, inputs, 0, ref Unsafe.Add(ref d, (nint)i * inputs));
        }
    }

    // D[i..i+4, k..k+2v] = Σ_j E[i..i+4, j] ⊗ W[j, k..k+2v]; e points at E[i, 0], d at D[i, 0].
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Combine4x2(ref float e, int outputs, ref float w, int inputs, nint k, ref float d)
    {
        TVector s00 = TSimd.Zero, s01 = TSimd.Zero, s10 = TSimd.Zero, s11 = TSimd.Zero;
        TVector s20 = TSimd.Zero, s21 = TSimd.Zero, s30 = TSimd.Zero, s31 = TSimd.Zero;
        for (int j = 0; j < outputs; j++)
        {
            ref float wj = ref Unsafe.Add(ref w, (j * (nint)inputs) + k);
            TVector v0 = TSimd.Load(in wj, 0);
            TVector v1 = TSimd.Load(in wj, TSimd.Count);
            TVector g = TSimd.Create(Unsafe.Add(ref e, j));
            s00 = TSimd.MultiplyAdd(g, v0, s00);
            s01 = TSimd.MultiplyAdd(g, v1, s01);
            g = TSimd.Create(Unsafe.Add(ref e, outputs + j));
            s10 = TSimd.MultiplyAdd(g, v0, s10);
            s11 = TSimd.MultiplyAdd(g, v1, s11);
            g = TSimd.Create(Unsafe.Add(ref e, (2 * outputs) + j));
            s20 = TSimd.MultiplyAdd(g, v0, s20);
            s21 = TSimd.MultiplyAdd(g, v1, s21);
            g = TSimd.Create(Unsafe.Add(ref e, (3 * outputs) + j));
            s30 = TSimd.MultiplyAdd(g, v0, s30);
            s31 = TSimd.MultiplyAdd(g, v1, s31);
        }

        ref float dk = ref Unsafe.Add(ref d, k);
        TSimd.Store(s00, ref dk, 0);
        TSimd.Store(s01, ref dk, TSimd.Count);
        TSimd.Store(s10, ref dk, inputs);
        TSimd.Store(s11, ref dk, inputs + TSimd.Count);
        TSimd.Store(s20, ref dk, 2 * (nint)inputs);
        TSimd.Store(s21, ref dk, (2 * (nint)inputs) + TSimd.Count);
        TSimd.Store(s30, ref dk, 3 * (nint)inputs);
        TSimd.Store(s31, ref dk, (3 * (nint)inputs) + TSimd.Count);
    }

    // One row of D from column k on: a vector at a time, then one column at a time.
    private static void CombineTail(ref float e, int outputs, ref float w, int inputs, nint k, ref float d)
    {
        for (; k <= inputs - TSimd.Count; k += TSimd.Count)
        {
            TVector s = TSimd.Zero;
            for (int j = 0; j < outputs; j++)
            {
                s = TSimd.MultiplyAdd(TSimd.Create(Unsafe.Add(ref e, j)), TSimd.Load(in w, (j * (nint)inputs) + k), s);
            }

            TSimd.Store(s, ref d, k);
        }

        for (; k < inputs; k++)
        {
            float s = 0f;
            for (int j = 0; j < outputs; j++)
            {
                s += Unsafe.Add(ref e, j) * Unsafe.Add(ref w, (j * (nint)inputs) + k);
            }

            Unsafe.Add(ref d, k) = s;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public override void Activate(Activation activation, float slope, Span<float> values)
    {
        ref float v = ref MemoryMarshal.GetReference(values);
        nint length = values.Length;
        nint k = 0;
        switch (activation)
        {
            case Activation.Relu:
            case Activation.LeakyRelu:
                // ReLU is the leaky form with slope 0.
                TVector s = TSimd.Create(activation == Activation.Relu ? 0f : slope);
                for (; k <= length - TSimd.Count; k += TSimd.Count)
                {
                    TSimd.Store(TSimd.LeakyRelu(TSimd.Load(in v, k), s), ref v, k);
                }

                for (; k < length; k++)
                {
                    Unsafe.Add(ref v, k) = SimdScalar.LeakyRelu(Unsafe.Add(ref v, k), activation == Activation.Relu ? 0f : slope);
                }

                break;
            case Activation.Sigmoid:
                for (; k <= length - TSimd.Count; k += TSimd.Count)
                {
                    TSimd.Store(Sigmoid(TSimd.Load(in v, k)), ref v, k);
                }

                for (; k < length; k++)
                {
                    Unsafe.Add(ref v, k) = Sigmoid(Unsafe.Add(ref v, k));
                }

                break;
            case Activation.Tanh:
                for (; k <= length - TSimd.Count; k += TSimd.Count)
                {
                    TSimd.Store(Tanh(TSimd.Load(in v, k)), ref v, k);
                }

                for (; k < length; k++)
                {
                    Unsafe.Add(ref v, k) = MathF.Tanh(Unsafe.Add(ref v, k));
                }

                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(activation), activation, "Unknown activation.");
        }
    }

    // σ(x) = 1 / (1 + e^-x): e^-x overflows to a huge value (σ → 0) or underflows to 0 (σ → 1), never NaN.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TVector Sigmoid(TVector x) =>
        TSimd.Reciprocal(TSimd.Add(TSimd.Create(1f), TSimd.Exp(TSimd.Subtract(TSimd.Zero, x))));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float Sigmoid(float x) => 1f / (1f + MathF.Exp(-x));

    // tanh(x) = 2σ(2x) − 1.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TVector Tanh(TVector x) =>
        TSimd.Subtract(TSimd.Multiply(TSimd.Create(2f), Sigmoid(TSimd.Add(x, x))), TSimd.Create(1f));

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public override void MultiplyByDerivative(Activation activation, float slope, ReadOnlySpan<float> outputs, Span<float> errors)
    {
        Debug.Assert(outputs.Length >= errors.Length);
        ref float a = ref MemoryMarshal.GetReference(outputs);
        ref float e = ref MemoryMarshal.GetReference(errors);
        nint length = errors.Length;
        nint k = 0;
        TVector one = TSimd.Create(1f);
        switch (activation)
        {
            case Activation.Relu:
            case Activation.LeakyRelu:
                // The derivative from the output: 1 where the output is positive, else the slope.
                float scalarSlope = activation == Activation.Relu ? 0f : slope;
                TVector s = TSimd.Create(scalarSlope);
                for (; k <= length - TSimd.Count; k += TSimd.Count)
                {
                    TSimd.Store(TSimd.Multiply(TSimd.Load(in e, k), TSimd.LeakyReluDerivative(TSimd.Load(in a, k), s)), ref e, k);
                }

                for (; k < length; k++)
                {
                    Unsafe.Add(ref e, k) *= SimdScalar.LeakyReluDerivative(Unsafe.Add(ref a, k), scalarSlope);
                }

                break;
            case Activation.Sigmoid:
                // σ' = σ(1 − σ).
                for (; k <= length - TSimd.Count; k += TSimd.Count)
                {
                    TVector y = TSimd.Load(in a, k);
                    TSimd.Store(TSimd.Multiply(TSimd.Load(in e, k), TSimd.Multiply(y, TSimd.Subtract(one, y))), ref e, k);
                }

                for (; k < length; k++)
                {
                    float y = Unsafe.Add(ref a, k);
                    Unsafe.Add(ref e, k) *= y * (1f - y);
                }

                break;
            case Activation.Tanh:
                // tanh' = 1 − tanh².
                for (; k <= length - TSimd.Count; k += TSimd.Count)
                {
                    TVector y = TSimd.Load(in a, k);
                    TSimd.Store(TSimd.Multiply(TSimd.Load(in e, k), TSimd.Subtract(one, TSimd.Multiply(y, y))), ref e, k);
                }

                for (; k < length; k++)
                {
                    float y = Unsafe.Add(ref a, k);
                    Unsafe.Add(ref e, k) *= 1f - (y * y);
                }

                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(activation), activation, "Unknown activation.");
        }
    }

    /// <summary>Rows up to this many vectors long take the padded path of <see cref="Softmax"/>.</summary>
    private const int PaddedVectors = 4;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    [SkipLocalsInit]
    public override (float Max, float Sum) Softmax(Span<float> z)
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

            (float Max, float Sum) result = SoftmaxWhole(row);
            for (k = 0; k < length; k++)
            {
                Unsafe.Add(ref source, k) = Unsafe.Add(ref target, k);
            }

            return result;
        }

        return SoftmaxWhole(z);
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
    private static (float Max, float Sum) SoftmaxWhole(Span<float> z)
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

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void AddInPlace(ref float destination, ref float source, int length)
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
}
