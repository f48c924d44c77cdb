using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Native.Numerics.Kernels;

/// <summary>
/// The forward and gradient kernels of a layer of ten outputs (a softmax over ten classes: digits, MNIST, CIFAR-10) with
/// every output covered by each read of a row: each vector of a row is loaded — and, for byte rows, widened (and
/// standardized) — once for the ten outputs' multiply-adds, where the general blocks (<see cref="ForwardKernel"/>: four
/// outputs, <see cref="GradientKernel"/>: eight, then two) read it two or three times. W is (10, inputs) row-major.
/// </summary>
/// <remarks>
/// Each output's sum is taken in the order the general kernels take it (forward: one accumulator per row and output over
/// the vectors of the row, its lanes summed, then the columns past the last vector one at a time; gradient: one
/// accumulator per weight over the rows, added to the weight once), so the results are theirs to the bit at every width;
/// only which outputs share a read changes. <see cref="ForwardKernel.Rows"/> and <see cref="GradientKernel.Accumulate"/>
/// send a ten-output layer here.
/// </remarks>
internal static class TenOutputKernel
{
    /// <summary>The outputs these kernels cover.</summary>
    public const int Outputs = 10;

    /// <summary>
    /// Whether <see cref="ForwardKernel"/> and <see cref="GradientKernel"/> send ten-output layers here (the default), or
    /// keep them on their general blocks. Settable so that the benchmark runs both in one process and the tests compare them.
    /// </summary>
    internal static bool Enabled { get; set; } = true;

    /// <summary>Whether a layer of <paramref name="outputs"/> outputs goes to these kernels.</summary>
    public static bool Covers(int outputs) => outputs == Outputs && Enabled;

    /// <summary>
    /// Whether both passes of a layer of <paramref name="inputs"/> × <paramref name="outputs"/> go to these kernels: the
    /// gradient whenever <see cref="Covers"/>, the forward pass when W also fits the L1 share <see cref="ForwardKernel"/>
    /// keeps for it (else it tiles W over groups of outputs).
    /// </summary>
    public static bool CoversWhole(int inputs, int outputs) => Covers(outputs) && (long)outputs * inputs <= ForwardKernel.L1Floats;

    /// <summary>
    /// Z[i, 0..10) = A[i]·Wᵀ (no bias) for the first <paramref name="pairs"/> rows of <paramref name="input"/>, an even
    /// number, two rows at a time: per vector of k, 2 row loads and 10 of W feed 20 multiply-adds in 20 accumulators.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void ForwardPairs<TSimd, TVector, TInput>(in Rows input, int pairs, TInput reader, ref float w, int inputs, ref float z)
        where TSimd : ISimd<TVector>
        where TVector : struct
        where TInput : struct, IRowInput, allows ref struct
    {
        for (int i = 0; i < pairs; i += 2)
        {
            Dot2x10<TSimd, TVector, TInput>(reader, in input[i], in input[i + 1], ref w, inputs, ref Unsafe.Add(ref z, (nint)i * Outputs));
        }
    }

    // Two rows of A (a0, a1) against the ten rows of W: z[0..10] for a0, z[10..20] for a1.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Dot2x10<TSimd, TVector, TInput>(TInput reader, ref readonly float a0, ref readonly float a1, ref float w, int inputs, ref float z)
        where TSimd : ISimd<TVector>
        where TVector : struct
        where TInput : struct, IRowInput, allows ref struct
    {
        ref float w0 = ref w;
        ref float w1 = ref Unsafe.Add(ref w0, inputs);
        ref float w2 = ref Unsafe.Add(ref w1, inputs);
        ref float w3 = ref Unsafe.Add(ref w2, inputs);
        ref float w4 = ref Unsafe.Add(ref w3, inputs);
        ref float w5 = ref Unsafe.Add(ref w4, inputs);
        ref float w6 = ref Unsafe.Add(ref w5, inputs);
        ref float w7 = ref Unsafe.Add(ref w6, inputs);
        ref float w8 = ref Unsafe.Add(ref w7, inputs);
        ref float w9 = ref Unsafe.Add(ref w8, inputs);
        TVector p0 = TSimd.Zero, p1 = TSimd.Zero, p2 = TSimd.Zero, p3 = TSimd.Zero, p4 = TSimd.Zero;
        TVector p5 = TSimd.Zero, p6 = TSimd.Zero, p7 = TSimd.Zero, p8 = TSimd.Zero, p9 = TSimd.Zero;
        TVector q0 = TSimd.Zero, q1 = TSimd.Zero, q2 = TSimd.Zero, q3 = TSimd.Zero, q4 = TSimd.Zero;
        TVector q5 = TSimd.Zero, q6 = TSimd.Zero, q7 = TSimd.Zero, q8 = TSimd.Zero, q9 = TSimd.Zero;
        nint k = 0;
        for (; k <= inputs - TSimd.Count; k += TSimd.Count)
        {
            TVector x0 = reader.Load<TSimd, TVector>(in a0, k);
            TVector x1 = reader.Load<TSimd, TVector>(in a1, k);
            TVector v;
            v = TSimd.Load(in w0, k);
            p0 = TSimd.MultiplyAdd(x0, v, p0);
            q0 = TSimd.MultiplyAdd(x1, v, q0);
            v = TSimd.Load(in w1, k);
            p1 = TSimd.MultiplyAdd(x0, v, p1);
            q1 = TSimd.MultiplyAdd(x1, v, q1);
            v = TSimd.Load(in w2, k);
            p2 = TSimd.MultiplyAdd(x0, v, p2);
            q2 = TSimd.MultiplyAdd(x1, v, q2);
            v = TSimd.Load(in w3, k);
            p3 = TSimd.MultiplyAdd(x0, v, p3);
            q3 = TSimd.MultiplyAdd(x1, v, q3);
            v = TSimd.Load(in w4, k);
            p4 = TSimd.MultiplyAdd(x0, v, p4);
            q4 = TSimd.MultiplyAdd(x1, v, q4);
            v = TSimd.Load(in w5, k);
            p5 = TSimd.MultiplyAdd(x0, v, p5);
            q5 = TSimd.MultiplyAdd(x1, v, q5);
            v = TSimd.Load(in w6, k);
            p6 = TSimd.MultiplyAdd(x0, v, p6);
            q6 = TSimd.MultiplyAdd(x1, v, q6);
            v = TSimd.Load(in w7, k);
            p7 = TSimd.MultiplyAdd(x0, v, p7);
            q7 = TSimd.MultiplyAdd(x1, v, q7);
            v = TSimd.Load(in w8, k);
            p8 = TSimd.MultiplyAdd(x0, v, p8);
            q8 = TSimd.MultiplyAdd(x1, v, q8);
            v = TSimd.Load(in w9, k);
            p9 = TSimd.MultiplyAdd(x0, v, p9);
            q9 = TSimd.MultiplyAdd(x1, v, q9);
        }

        if (typeof(TVector) == typeof(Vector512<float>) && Avx512F.IsSupported)
        {
            // The twenty sums at once (SumsOfSixteen, SumsOfFour): a third of the shuffles and adds of twenty TSimd.Sum, and
            // the same bits. Fed in the order that leaves p0..p9, q0..q5 in the first vector's lanes 0..15 — z[0..16) — and
            // q6..q9 in the second's lanes 0, 4, 8, 12, gathered into z[16..20).
            SumsOfSixteen(
                As512(p0), As512(p4), As512(p8), As512(q2), As512(p1), As512(p5), As512(p9), As512(q3),
                As512(p2), As512(p6), As512(q0), As512(q4), As512(p3), As512(p7), As512(q1), As512(q5)).StoreUnsafe(ref z);
            Vector512<float> last = SumsOfFour(As512(q6), As512(q7), As512(q8), As512(q9));
            Vector512.Shuffle(last, Vector512.Create(0, 4, 8, 12, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)).GetLower().GetLower().StoreUnsafe(ref z, 2 * Outputs - 4);
        }
        else
        {
            z = TSimd.Sum(p0); Unsafe.Add(ref z, 1) = TSimd.Sum(p1); Unsafe.Add(ref z, 2) = TSimd.Sum(p2); Unsafe.Add(ref z, 3) = TSimd.Sum(p3);
            Unsafe.Add(ref z, 4) = TSimd.Sum(p4); Unsafe.Add(ref z, 5) = TSimd.Sum(p5); Unsafe.Add(ref z, 6) = TSimd.Sum(p6);
            Unsafe.Add(ref z, 7) = TSimd.Sum(p7); Unsafe.Add(ref z, 8) = TSimd.Sum(p8); Unsafe.Add(ref z, 9) = TSimd.Sum(p9);
            Unsafe.Add(ref z, 10) = TSimd.Sum(q0); Unsafe.Add(ref z, 11) = TSimd.Sum(q1); Unsafe.Add(ref z, 12) = TSimd.Sum(q2);
            Unsafe.Add(ref z, 13) = TSimd.Sum(q3); Unsafe.Add(ref z, 14) = TSimd.Sum(q4); Unsafe.Add(ref z, 15) = TSimd.Sum(q5);
            Unsafe.Add(ref z, 16) = TSimd.Sum(q6); Unsafe.Add(ref z, 17) = TSimd.Sum(q7); Unsafe.Add(ref z, 18) = TSimd.Sum(q8);
            Unsafe.Add(ref z, 19) = TSimd.Sum(q9);
        }

        // The tail, shorter than one vector, as ForwardKernel's blocks take it: z[j] += x0 · W[j, k], z[10 + j] += x1 · W[j, k].
        for (; k < inputs; k++)
        {
            float x0 = reader.Load<SimdScalar, float>(in a0, k);
            float x1 = reader.Load<SimdScalar, float>(in a1, k);
            for (int j = 0; j < Outputs; j++)
            {
                float v = Unsafe.Add(ref w0, (j * (nint)inputs) + k);
                Unsafe.Add(ref z, j) += x0 * v;
                Unsafe.Add(ref z, Outputs + j) += x1 * v;
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> As512<TVector>(TVector value)
        where TVector : struct => Unsafe.As<TVector, Vector512<float>>(ref value);

    // The lanes of each of sixteen vectors summed, as Simd512.Sum sums one — the upper 256 bits added to the lower, then
    // the upper 128 of those to the lower, then (x0 + x1) + (x2 + x3) — but with each shuffle and add serving two, four or
    // eight of them: 45 instructions instead of about 144. The sum of a[4m + l] is left in lane 4l + m.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> SumsOfSixteen(
        Vector512<float> a0, Vector512<float> a1, Vector512<float> a2, Vector512<float> a3, Vector512<float> a4, Vector512<float> a5, Vector512<float> a6, Vector512<float> a7,
        Vector512<float> a8, Vector512<float> a9, Vector512<float> a10, Vector512<float> a11, Vector512<float> a12, Vector512<float> a13, Vector512<float> a14, Vector512<float> a15)
    {
        Vector512<float> s0 = FoldHalves(FoldHalves256(a0, a1), FoldHalves256(a2, a3));
        Vector512<float> s1 = FoldHalves(FoldHalves256(a4, a5), FoldHalves256(a6, a7));
        Vector512<float> s2 = FoldHalves(FoldHalves256(a8, a9), FoldHalves256(a10, a11));
        Vector512<float> s3 = FoldHalves(FoldHalves256(a12, a13), FoldHalves256(a14, a15));
        return AddPairs(AddPairs(s0, s1), AddPairs(s2, s3));
    }

    // The lanes of each of four vectors summed as SumsOfSixteen sums them: the sum of a[l] in lane 4l.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> SumsOfFour(Vector512<float> a0, Vector512<float> a1, Vector512<float> a2, Vector512<float> a3)
    {
        Vector512<float> s = FoldHalves(FoldHalves256(a0, a1), FoldHalves256(a2, a3));
        Vector512<float> pairs = AddPairs(s, s);
        return AddPairs(pairs, pairs);
    }

    // [a.lower256 + a.upper256, b.lower256 + b.upper256]: the first step of two sums.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> FoldHalves256(Vector512<float> a, Vector512<float> b) =>
        Avx512F.Shuffle4x128(a, b, 0b01_00_01_00) + Avx512F.Shuffle4x128(a, b, 0b11_10_11_10);

    // With c = [A, B] and d = [C, D] (four 256-bit halves): [A.lower + A.upper, B…, C…, D…], the second step of four sums.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> FoldHalves(Vector512<float> c, Vector512<float> d) =>
        Avx512F.Shuffle4x128(c, d, 0b10_00_10_00) + Avx512F.Shuffle4x128(c, d, 0b11_01_11_01);

    // In each 128-bit lane: [x0 + x1, x2 + x3, y0 + y1, y2 + y3], the pairs of x then of y.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> AddPairs(Vector512<float> x, Vector512<float> y) =>
        Avx512F.Shuffle(x, y, 0b10_00_10_00) + Avx512F.Shuffle(x, y, 0b11_01_11_01);

    /// <summary>
    /// dW[0..10, 0..m) += (Eᵀ·A) there, for the m columns that fill whole vectors: blocks of 10 outputs × 2 vectors (20
    /// accumulators fed by 2 row loads and 10 broadcast errors per row), then one of 10 × 1 when a vector is left. E is (n, 10)
    /// row-major; dW is (10, inputs) row-major. Returns m: the columns past it are the caller's.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static nint Accumulate<TSimd, TVector, TInput>(ref float e, in Rows input, TInput reader, int inputs, ref float dw)
        where TSimd : ISimd<TVector>
        where TVector : struct
        where TInput : struct, IRowInput, allows ref struct
    {
        nint k = 0;
        for (; k <= inputs - (2 * TSimd.Count); k += 2 * TSimd.Count)
        {
            OuterProduct10x2<TSimd, TVector, TInput>(ref e, in input, reader, k, ref Unsafe.Add(ref dw, k), inputs);
        }

        if (k <= inputs - TSimd.Count)
        {
            OuterProduct10x1<TSimd, TVector, TInput>(ref e, in input, reader, k, ref Unsafe.Add(ref dw, k), inputs);
            k += TSimd.Count;
        }

        return k;
    }

    // dW[0..10, k..k+2v] += Σ_i E[i, 0..10] ⊗ A[i, k..k+2v]; dw points at dW[0, k].
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void OuterProduct10x2<TSimd, TVector, TInput>(ref float e, in Rows input, TInput reader, nint k, ref float dw, int inputs)
        where TSimd : ISimd<TVector>
        where TVector : struct
        where TInput : struct, IRowInput, allows ref struct
    {
        TVector s00 = TSimd.Zero, s01 = TSimd.Zero, s10 = TSimd.Zero, s11 = TSimd.Zero;
        TVector s20 = TSimd.Zero, s21 = TSimd.Zero, s30 = TSimd.Zero, s31 = TSimd.Zero;
        TVector s40 = TSimd.Zero, s41 = TSimd.Zero, s50 = TSimd.Zero, s51 = TSimd.Zero;
        TVector s60 = TSimd.Zero, s61 = TSimd.Zero, s70 = TSimd.Zero, s71 = TSimd.Zero;
        TVector s80 = TSimd.Zero, s81 = TSimd.Zero, s90 = TSimd.Zero, s91 = TSimd.Zero;

        // The view's fields in locals, so that they stay in registers beside the accumulators.
        ref float origin = ref Unsafe.AsRef(in input.Origin);
        ref int index = ref MemoryMarshal.GetReference(input.Indices);
        bool indexed = input.IsIndexed;
        nint stride = input.Stride;
        int count = input.Count;
        for (int i = 0; i < count; i++)
        {
            ref float a = ref Unsafe.Add(ref origin, (indexed ? Unsafe.Add(ref index, i) : i) * stride);
            ref float ei = ref Unsafe.Add(ref e, (nint)i * Outputs);
            TVector x0 = reader.Load<TSimd, TVector>(in a, k);
            TVector x1 = reader.Load<TSimd, TVector>(in a, k + TSimd.Count);
            TVector g;
            g = TSimd.Create(ei);
            s00 = TSimd.MultiplyAdd(g, x0, s00); s01 = TSimd.MultiplyAdd(g, x1, s01);
            g = TSimd.Create(Unsafe.Add(ref ei, 1));
            s10 = TSimd.MultiplyAdd(g, x0, s10); s11 = TSimd.MultiplyAdd(g, x1, s11);
            g = TSimd.Create(Unsafe.Add(ref ei, 2));
            s20 = TSimd.MultiplyAdd(g, x0, s20); s21 = TSimd.MultiplyAdd(g, x1, s21);
            g = TSimd.Create(Unsafe.Add(ref ei, 3));
            s30 = TSimd.MultiplyAdd(g, x0, s30); s31 = TSimd.MultiplyAdd(g, x1, s31);
            g = TSimd.Create(Unsafe.Add(ref ei, 4));
            s40 = TSimd.MultiplyAdd(g, x0, s40); s41 = TSimd.MultiplyAdd(g, x1, s41);
            g = TSimd.Create(Unsafe.Add(ref ei, 5));
            s50 = TSimd.MultiplyAdd(g, x0, s50); s51 = TSimd.MultiplyAdd(g, x1, s51);
            g = TSimd.Create(Unsafe.Add(ref ei, 6));
            s60 = TSimd.MultiplyAdd(g, x0, s60); s61 = TSimd.MultiplyAdd(g, x1, s61);
            g = TSimd.Create(Unsafe.Add(ref ei, 7));
            s70 = TSimd.MultiplyAdd(g, x0, s70); s71 = TSimd.MultiplyAdd(g, x1, s71);
            g = TSimd.Create(Unsafe.Add(ref ei, 8));
            s80 = TSimd.MultiplyAdd(g, x0, s80); s81 = TSimd.MultiplyAdd(g, x1, s81);
            g = TSimd.Create(Unsafe.Add(ref ei, 9));
            s90 = TSimd.MultiplyAdd(g, x0, s90); s91 = TSimd.MultiplyAdd(g, x1, s91);
        }

        AddTwo<TSimd, TVector>(ref dw, s00, s01);
        AddTwo<TSimd, TVector>(ref Unsafe.Add(ref dw, 1 * (nint)inputs), s10, s11);
        AddTwo<TSimd, TVector>(ref Unsafe.Add(ref dw, 2 * (nint)inputs), s20, s21);
        AddTwo<TSimd, TVector>(ref Unsafe.Add(ref dw, 3 * (nint)inputs), s30, s31);
        AddTwo<TSimd, TVector>(ref Unsafe.Add(ref dw, 4 * (nint)inputs), s40, s41);
        AddTwo<TSimd, TVector>(ref Unsafe.Add(ref dw, 5 * (nint)inputs), s50, s51);
        AddTwo<TSimd, TVector>(ref Unsafe.Add(ref dw, 6 * (nint)inputs), s60, s61);
        AddTwo<TSimd, TVector>(ref Unsafe.Add(ref dw, 7 * (nint)inputs), s70, s71);
        AddTwo<TSimd, TVector>(ref Unsafe.Add(ref dw, 8 * (nint)inputs), s80, s81);
        AddTwo<TSimd, TVector>(ref Unsafe.Add(ref dw, 9 * (nint)inputs), s90, s91);
    }

    // dW[0..10, k..k+v] += Σ_i E[i, 0..10] ⊗ A[i, k..k+v]: the one vector the 10 × 2 blocks leave (784 features at 512 bits).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void OuterProduct10x1<TSimd, TVector, TInput>(ref float e, in Rows input, TInput reader, nint k, ref float dw, int inputs)
        where TSimd : ISimd<TVector>
        where TVector : struct
        where TInput : struct, IRowInput, allows ref struct
    {
        TVector s0 = TSimd.Zero, s1 = TSimd.Zero, s2 = TSimd.Zero, s3 = TSimd.Zero, s4 = TSimd.Zero;
        TVector s5 = TSimd.Zero, s6 = TSimd.Zero, s7 = TSimd.Zero, s8 = TSimd.Zero, s9 = TSimd.Zero;

        // The view's fields in locals, so that they stay in registers beside the accumulators.
        ref float origin = ref Unsafe.AsRef(in input.Origin);
        ref int index = ref MemoryMarshal.GetReference(input.Indices);
        bool indexed = input.IsIndexed;
        nint stride = input.Stride;
        int count = input.Count;
        for (int i = 0; i < count; i++)
        {
            ref float a = ref Unsafe.Add(ref origin, (indexed ? Unsafe.Add(ref index, i) : i) * stride);
            ref float ei = ref Unsafe.Add(ref e, (nint)i * Outputs);
            TVector x = reader.Load<TSimd, TVector>(in a, k);
            s0 = TSimd.MultiplyAdd(TSimd.Create(ei), x, s0);
            s1 = TSimd.MultiplyAdd(TSimd.Create(Unsafe.Add(ref ei, 1)), x, s1);
            s2 = TSimd.MultiplyAdd(TSimd.Create(Unsafe.Add(ref ei, 2)), x, s2);
            s3 = TSimd.MultiplyAdd(TSimd.Create(Unsafe.Add(ref ei, 3)), x, s3);
            s4 = TSimd.MultiplyAdd(TSimd.Create(Unsafe.Add(ref ei, 4)), x, s4);
            s5 = TSimd.MultiplyAdd(TSimd.Create(Unsafe.Add(ref ei, 5)), x, s5);
            s6 = TSimd.MultiplyAdd(TSimd.Create(Unsafe.Add(ref ei, 6)), x, s6);
            s7 = TSimd.MultiplyAdd(TSimd.Create(Unsafe.Add(ref ei, 7)), x, s7);
            s8 = TSimd.MultiplyAdd(TSimd.Create(Unsafe.Add(ref ei, 8)), x, s8);
            s9 = TSimd.MultiplyAdd(TSimd.Create(Unsafe.Add(ref ei, 9)), x, s9);
        }

        AddOne<TSimd, TVector>(ref dw, s0);
        AddOne<TSimd, TVector>(ref Unsafe.Add(ref dw, 1 * (nint)inputs), s1);
        AddOne<TSimd, TVector>(ref Unsafe.Add(ref dw, 2 * (nint)inputs), s2);
        AddOne<TSimd, TVector>(ref Unsafe.Add(ref dw, 3 * (nint)inputs), s3);
        AddOne<TSimd, TVector>(ref Unsafe.Add(ref dw, 4 * (nint)inputs), s4);
        AddOne<TSimd, TVector>(ref Unsafe.Add(ref dw, 5 * (nint)inputs), s5);
        AddOne<TSimd, TVector>(ref Unsafe.Add(ref dw, 6 * (nint)inputs), s6);
        AddOne<TSimd, TVector>(ref Unsafe.Add(ref dw, 7 * (nint)inputs), s7);
        AddOne<TSimd, TVector>(ref Unsafe.Add(ref dw, 8 * (nint)inputs), s8);
        AddOne<TSimd, TVector>(ref Unsafe.Add(ref dw, 9 * (nint)inputs), s9);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void AddTwo<TSimd, TVector>(ref float destination, TVector first, TVector second)
        where TSimd : ISimd<TVector>
        where TVector : struct
    {
        TSimd.Store(TSimd.Add(TSimd.Load(in destination, 0), first), ref destination, 0);
        TSimd.Store(TSimd.Add(TSimd.Load(in destination, TSimd.Count), second), ref destination, TSimd.Count);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void AddOne<TSimd, TVector>(ref float destination, TVector value)
        where TSimd : ISimd<TVector>
        where TVector : struct => TSimd.Store(TSimd.Add(TSimd.Load(in destination, 0), value), ref destination, 0);
}
