using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using Native.Numerics.CompilerServices;

namespace Native.Numerics.Kernels;

/// <summary>
/// Z = A·Wᵀ + b for a chunk of rows: A is (n, inputs) as <see cref="Kernels.Rows"/>, W is (outputs, inputs)
/// row-major, b is (outputs), Z is (n, outputs) row-major. Generic over the vector width and over the layer's
/// shape, so a generated model's constant sizes fold into the loops.
/// </summary>
/// <remarks>
/// Lengths are checked by the public API before a kernel is called; the loops read through unchecked
/// references (bounds checks cost these loops dearly: docs/performance.md, "Bounds checks"). One row at a time goes through
/// <see cref="RowKernel"/>, whose dot products end in registers rather than in memory.
/// </remarks>
internal static class ForwardKernel
{
    // The floats of W the pass keeps in L1 at once: 32 KB, the smallest L1 data cache of the CPUs with
    // AVX-512 (Skylake-SP to Cascade Lake, and Zen 4; Ice Lake and Zen 5 have 48 KB).
    internal const int L1Floats = 8192;

    // Forward: Z = A·Wᵀ + b, in dot-product form. Two rows of A against four rows of W share each load:
    // per vector of k, 2 + 4 loads feed 8 multiply-adds held in 8 accumulators. W is taken in tiles of
    // rows that fit in L1 (all of it for 784 × 10, 31 KB; 8 rows, 25 KB, for 784 × 128), and all rows of A
    // stream past one tile before the next: with W beyond L1, a pass over it per pair of rows would
    // read it all from L2 32 times for 64 rows.
    // Never inlined: the kernel is compiled once, fully optimized, not again inside each caller under that caller's profile
    // (where a synthesized profile can lay its loops out as cold).
    [MethodImpl(MethodImplOptions.AggressiveOptimization | MethodImplOptions.NoInlining)]
    public static void Rows<TSimd, TVector, TShape, TInput>(TShape shape, in Rows input, TInput reader, ref float w, ref float b, ref float zOrigin)
        where TSimd : ISimd<TVector>
        where TVector : struct
        where TShape : struct, IDenseShape
        where TInput : struct, IRowInput, allows ref struct
    {
        int inputs = shape.Inputs;
        int outputs = shape.Outputs;
        int count = input.Count;
        int pairs = count & ~1;
        int tile = pairs == 0 || (long)outputs * inputs <= L1Floats ? outputs : Math.Max(4, (L1Floats / inputs) & ~3);
        if (tile == outputs && TenOutputKernel.Covers(outputs))
        {
            // Ten outputs with W in L1: each vector of a pair of rows read once for all ten.
            TenOutputKernel.ForwardPairs<TSimd, TVector, TInput>(in input, pairs, reader, ref w, inputs, ref zOrigin);
            tile = 0;
        }

        for (int first = 0; first < outputs && pairs > 0 && tile > 0; first += tile)
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
                    Dot2x4<TSimd, TVector, TInput>(reader, in a0, in a1, ref Unsafe.Add(ref w, (nint)j * inputs), inputs, ref Unsafe.Add(ref z0, j), ref Unsafe.Add(ref z1, j));
                }

                if (j + 2 <= last)
                {
                    Dot2x2<TSimd, TVector, TInput>(reader, in a0, in a1, ref Unsafe.Add(ref w, (nint)j * inputs), inputs, ref Unsafe.Add(ref z0, j), ref Unsafe.Add(ref z1, j));
                    j += 2;
                }

                for (; j < last; j++)
                {
                    ref float wj = ref Unsafe.Add(ref w, (nint)j * inputs);
                    Unsafe.Add(ref z0, j) = Dot<TSimd, TVector, TInput>(reader, in a0, ref wj, inputs);
                    Unsafe.Add(ref z1, j) = Dot<TSimd, TVector, TInput>(reader, in a1, ref wj, inputs);
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
                Dot1x8<TSimd, TVector, TInput>(reader, in a0, ref Unsafe.Add(ref w, (nint)o * inputs), inputs, ref Unsafe.Add(ref z0, o));
            }

            if (o + 4 <= outputs)
            {
                Dot1x4<TSimd, TVector, TInput>(reader, in a0, ref Unsafe.Add(ref w, (nint)o * inputs), inputs, ref Unsafe.Add(ref z0, o));
                o += 4;
            }

            if (o + 2 <= outputs)
            {
                Dot1x2<TSimd, TVector, TInput>(reader, in a0, ref Unsafe.Add(ref w, (nint)o * inputs), inputs, ref Unsafe.Add(ref z0, o));
                o += 2;
            }

            if (o < outputs)
            {
                Unsafe.Add(ref z0, o) = Dot<TSimd, TVector, TInput>(reader, in a0, ref Unsafe.Add(ref w, (nint)o * inputs), inputs);
            }
        }

        // Add the bias to every row.
        for (int r = 0; r < count; r++)
        {
            Vectors.AddInPlace<TSimd, TVector>(ref Unsafe.Add(ref zOrigin, (nint)r * outputs), ref b, outputs);
        }
    }

    // Two rows of A (a0, a1) against four rows of W starting at w: z0[0..4] and z1[0..4].
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Dot2x4<TSimd, TVector, TInput>(TInput reader, ref readonly float a0, ref readonly float a1, ref float w, int inputs, ref float z0, ref float z1)
        where TSimd : ISimd<TVector>
        where TVector : struct
        where TInput : struct, IRowInput, allows ref struct
    {
        ref float w1 = ref Unsafe.Add(ref w, inputs);
        ref float w2 = ref Unsafe.Add(ref w1, inputs);
        ref float w3 = ref Unsafe.Add(ref w2, inputs);
        TVector s00 = TSimd.Zero, s01 = TSimd.Zero, s02 = TSimd.Zero, s03 = TSimd.Zero;
        TVector s10 = TSimd.Zero, s11 = TSimd.Zero, s12 = TSimd.Zero, s13 = TSimd.Zero;
        nint k = 0;
        for (; k <= inputs - TSimd.Count; k += TSimd.Count)
        {
            TVector x0 = reader.Load<TSimd, TVector>(in a0, k);
            TVector x1 = reader.Load<TSimd, TVector>(in a1, k);
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
            float x0 = reader.Load<SimdScalar, float>(in a0, k);
            float x1 = reader.Load<SimdScalar, float>(in a1, k);
            float v0 = Unsafe.Add(ref w, k), v1 = Unsafe.Add(ref w1, k), v2 = Unsafe.Add(ref w2, k), v3 = Unsafe.Add(ref w3, k);
            t00 += x0 * v0; t01 += x0 * v1; t02 += x0 * v2; t03 += x0 * v3;
            t10 += x1 * v0; t11 += x1 * v1; t12 += x1 * v2; t13 += x1 * v3;
        }

        z0 = t00; Unsafe.Add(ref z0, 1) = t01; Unsafe.Add(ref z0, 2) = t02; Unsafe.Add(ref z0, 3) = t03;
        z1 = t10; Unsafe.Add(ref z1, 1) = t11; Unsafe.Add(ref z1, 2) = t12; Unsafe.Add(ref z1, 3) = t13;
    }

    // Two rows of A against two rows of W: z0[0..2] and z1[0..2].
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Dot2x2<TSimd, TVector, TInput>(TInput reader, ref readonly float a0, ref readonly float a1, ref float w, int inputs, ref float z0, ref float z1)
        where TSimd : ISimd<TVector>
        where TVector : struct
        where TInput : struct, IRowInput, allows ref struct
    {
        ref float w1 = ref Unsafe.Add(ref w, inputs);
        TVector s00 = TSimd.Zero, s01 = TSimd.Zero, s10 = TSimd.Zero, s11 = TSimd.Zero;
        nint k = 0;
        for (; k <= inputs - TSimd.Count; k += TSimd.Count)
        {
            TVector x0 = reader.Load<TSimd, TVector>(in a0, k);
            TVector x1 = reader.Load<TSimd, TVector>(in a1, k);
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
            float x0 = reader.Load<SimdScalar, float>(in a0, k);
            float x1 = reader.Load<SimdScalar, float>(in a1, k);
            float v0 = Unsafe.Add(ref w, k), v1 = Unsafe.Add(ref w1, k);
            t00 += x0 * v0; t01 += x0 * v1;
            t10 += x1 * v0; t11 += x1 * v1;
        }

        z0 = t00; Unsafe.Add(ref z0, 1) = t01;
        z1 = t10; Unsafe.Add(ref z1, 1) = t11;
    }

    // One row of A against eight rows of W: z[0..8], each vector of the row loaded once for all eight.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Dot1x8<TSimd, TVector, TInput>(TInput reader, ref readonly float a, ref float w, int inputs, ref float z)
        where TSimd : ISimd<TVector>
        where TVector : struct
        where TInput : struct, IRowInput, allows ref struct
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
            TVector x = reader.Load<TSimd, TVector>(in a, k);
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
            float x = reader.Load<SimdScalar, float>(in a, k);
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
    private static void Dot1x2<TSimd, TVector, TInput>(TInput reader, ref readonly float a, ref float w, int inputs, ref float z)
        where TSimd : ISimd<TVector>
        where TVector : struct
        where TInput : struct, IRowInput, allows ref struct
    {
        ref float w1 = ref Unsafe.Add(ref w, inputs);
        TVector s0 = TSimd.Zero, s1 = TSimd.Zero, u0 = TSimd.Zero, u1 = TSimd.Zero;
        nint k = 0;
        for (; k <= inputs - (2 * TSimd.Count); k += 2 * TSimd.Count)
        {
            TVector x = reader.Load<TSimd, TVector>(in a, k);
            TVector y = reader.Load<TSimd, TVector>(in a, k + TSimd.Count);
            s0 = TSimd.MultiplyAdd(x, TSimd.Load(in w, k), s0);
            s1 = TSimd.MultiplyAdd(x, TSimd.Load(in w1, k), s1);
            u0 = TSimd.MultiplyAdd(y, TSimd.Load(in w, k + TSimd.Count), u0);
            u1 = TSimd.MultiplyAdd(y, TSimd.Load(in w1, k + TSimd.Count), u1);
        }

        if (k <= inputs - TSimd.Count)
        {
            TVector x = reader.Load<TSimd, TVector>(in a, k);
            s0 = TSimd.MultiplyAdd(x, TSimd.Load(in w, k), s0);
            s1 = TSimd.MultiplyAdd(x, TSimd.Load(in w1, k), s1);
            k += TSimd.Count;
        }

        float t0 = TSimd.Sum(TSimd.Add(s0, u0)), t1 = TSimd.Sum(TSimd.Add(s1, u1));
        for (; k < inputs; k++)
        {
            float x = reader.Load<SimdScalar, float>(in a, k);
            t0 += x * Unsafe.Add(ref w, k);
            t1 += x * Unsafe.Add(ref w1, k);
        }

        z = t0; Unsafe.Add(ref z, 1) = t1;
    }

    // One row of A against four rows of W: z[0..4], two accumulators per output (see Dot1x2).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Dot1x4<TSimd, TVector, TInput>(TInput reader, ref readonly float a, ref float w, int inputs, ref float z)
        where TSimd : ISimd<TVector>
        where TVector : struct
        where TInput : struct, IRowInput, allows ref struct
    {
        ref float w1 = ref Unsafe.Add(ref w, inputs);
        ref float w2 = ref Unsafe.Add(ref w1, inputs);
        ref float w3 = ref Unsafe.Add(ref w2, inputs);
        TVector s0 = TSimd.Zero, s1 = TSimd.Zero, s2 = TSimd.Zero, s3 = TSimd.Zero;
        TVector u0 = TSimd.Zero, u1 = TSimd.Zero, u2 = TSimd.Zero, u3 = TSimd.Zero;
        nint k = 0;
        for (; k <= inputs - (2 * TSimd.Count); k += 2 * TSimd.Count)
        {
            TVector x = reader.Load<TSimd, TVector>(in a, k);
            TVector y = reader.Load<TSimd, TVector>(in a, k + TSimd.Count);
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
            TVector x = reader.Load<TSimd, TVector>(in a, k);
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
            float x = reader.Load<SimdScalar, float>(in a, k);
            t0 += x * Unsafe.Add(ref w, k);
            t1 += x * Unsafe.Add(ref w1, k);
            t2 += x * Unsafe.Add(ref w2, k);
            t3 += x * Unsafe.Add(ref w3, k);
        }

        z = t0; Unsafe.Add(ref z, 1) = t1; Unsafe.Add(ref z, 2) = t2; Unsafe.Add(ref z, 3) = t3;
    }

    // One row of A against one row of W, with two accumulators to hide the multiply-add latency.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float Dot<TSimd, TVector, TInput>(TInput reader, ref readonly float a, ref float w, int inputs)
        where TSimd : ISimd<TVector>
        where TVector : struct
        where TInput : struct, IRowInput, allows ref struct
    {
        TVector s0 = TSimd.Zero, s1 = TSimd.Zero;
        nint k = 0;
        for (; k <= inputs - (2 * TSimd.Count); k += 2 * TSimd.Count)
        {
            s0 = TSimd.MultiplyAdd(reader.Load<TSimd, TVector>(in a, k), TSimd.Load(in w, k), s0);
            s1 = TSimd.MultiplyAdd(reader.Load<TSimd, TVector>(in a, k + TSimd.Count), TSimd.Load(in w, k + TSimd.Count), s1);
        }

        if (k <= inputs - TSimd.Count)
        {
            s0 = TSimd.MultiplyAdd(reader.Load<TSimd, TVector>(in a, k), TSimd.Load(in w, k), s0);
            k += TSimd.Count;
        }

        return TSimd.Sum(TSimd.Add(s0, s1)) + DotTail<TSimd, TVector, TInput>(reader, in a, ref w, k, inputs);
    }

    // Σ a[c]·w[c] over the columns c in [k, inputs), fewer than one vector: in 256- and then 128-bit steps
    // where this width is wider (30 features at 512 bits: 16, then 8 + 4 + 2, not 14 dependent scalar steps).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float DotTail<TSimd, TVector, TInput>(TInput reader, ref readonly float a, ref float w, nint k, int inputs)
        where TSimd : ISimd<TVector>
        where TVector : struct
        where TInput : struct, IRowInput, allows ref struct
    {
        float total = 0f;
        if (TSimd.Count > 8 && k <= inputs - 8)
        {
            total += Simd256.Sum(Simd256.Multiply(reader.Load<Simd256, Vector256<float>>(in a, k), Simd256.Load(in w, k)));
            k += 8;
        }

        if (TSimd.Count > 4 && k <= inputs - 4)
        {
            total += Simd128.Sum(Simd128.Multiply(reader.Load<Simd128, Vector128<float>>(in a, k), Simd128.Load(in w, k)));
            k += 4;
        }

        for (; k < inputs; k++)
        {
            total += reader.Load<SimdScalar, float>(in a, k) * Unsafe.Add(ref w, k);
        }

        return total;
    }
}
