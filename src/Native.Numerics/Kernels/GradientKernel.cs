using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using Native.Numerics.CompilerServices;

namespace Native.Numerics.Kernels;

/// <summary>
/// dW += Eᵀ·A and db += Σ rows of E for a chunk of rows: E is (n, outputs) row-major, A is (n, inputs) as
/// <see cref="Rows"/>, dW is (outputs, inputs) row-major, db is (outputs). With dW and db the weights
/// themselves and E scaled by −η, this is the in-place gradient-descent step.
/// </summary>
internal static class GradientKernel
{
    // dW += Eᵀ·A, blocked: for each group of k-vectors, for each group of outputs, that block of dW is held
    // in registers while the whole batch streams past, then added to dW once. The batch's slice of A
    // (n rows × the group's vectors) stays in L1 across the output groups. With 32 vector registers (the
    // 512-bit path) the block is 8 outputs × 3 vectors: 24 accumulators fed by 3 + 8 loads per row; the
    // outputs and columns it leaves go to 4 × 2 blocks (8 accumulators, 16 registers suffice).
    // Never inlined: the kernel is compiled once, fully optimized, not again inside each caller under that caller's profile
    // (where a synthesized profile can lay its loops out as cold).
    [MethodImpl(MethodImplOptions.AggressiveOptimization | MethodImplOptions.NoInlining)]
    public static void Accumulate<TSimd, TVector, TShape, TInput>(TShape shape, ref float e, in Rows input, TInput reader, ref float dw, ref float db)
        where TSimd : ISimd<TVector>
        where TVector : struct
        where TShape : struct, IDenseShape
        where TInput : struct, IRowInput, allows ref struct
    {
        int inputs = shape.Inputs;
        int outputs = shape.Outputs;
        int count = input.Count;
        if (TenOutputKernel.Covers(outputs))
        {
            // Ten outputs: each vector of a row read once for all ten; the columns past the last whole vector as below.
            nint covered = TenOutputKernel.Accumulate<TSimd, TVector, TInput>(ref e, in input, reader, inputs, ref dw);
            AccumulateBlocks<TSimd, TVector, TInput>(ref e, in input, reader, inputs, outputs, ref dw, 0, outputs, covered);
        }
        else if (TSimd.Width == SimdWidth.Vector512 && outputs >= 8 && inputs >= 3 * TSimd.Count)
        {
            int wideOutputs = outputs & ~7;
            int wideStep = 3 * TSimd.Count;
            nint wideInputs = inputs - (inputs % wideStep);
            for (nint k = 0; k < wideInputs; k += wideStep)
            {
                for (int j = 0; j < wideOutputs; j += 8)
                {
                    OuterProduct8x3<TSimd, TVector, TInput>(ref Unsafe.Add(ref e, j), outputs, in input, reader, k, ref Unsafe.Add(ref dw, (j * (nint)inputs) + k), inputs);
                }
            }

            // What the wide blocks left: the last columns of their outputs, then the last outputs whole.
            AccumulateBlocks<TSimd, TVector, TInput>(ref e, in input, reader, inputs, outputs, ref dw, 0, wideOutputs, wideInputs);
            AccumulateBlocks<TSimd, TVector, TInput>(ref e, in input, reader, inputs, outputs, ref dw, wideOutputs, outputs, 0);
        }
        else
        {
            AccumulateBlocks<TSimd, TVector, TInput>(ref e, in input, reader, inputs, outputs, ref dw, 0, outputs, 0);
        }

        // db += Σ_i E[i, :].
        for (int i = 0; i < count; i++)
        {
            Vectors.AddInPlace<TSimd, TVector>(ref db, ref Unsafe.Add(ref e, (nint)i * outputs), outputs);
        }
    }

    // dW[first..last, from..inputs) += (Eᵀ·A) there, in 4 × 2 blocks of outputs × vectors, then smaller ones.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void AccumulateBlocks<TSimd, TVector, TInput>(ref float e, in Rows input, TInput reader, int inputs, int outputs, ref float dw, int first, int last, nint from)
        where TSimd : ISimd<TVector>
        where TVector : struct
        where TInput : struct, IRowInput, allows ref struct
    {
        int step = 2 * TSimd.Count;
        nint k = from;
        for (; k <= inputs - step; k += step)
        {
            int j = first;
            for (; j + 4 <= last; j += 4)
            {
                OuterProduct4x2<TSimd, TVector, TInput>(ref Unsafe.Add(ref e, j), outputs, in input, reader, k, ref Unsafe.Add(ref dw, (j * (nint)inputs) + k), inputs);
            }

            if (j + 2 <= last)
            {
                OuterProduct2x2<TSimd, TVector, TInput>(ref Unsafe.Add(ref e, j), outputs, in input, reader, k, ref Unsafe.Add(ref dw, (j * (nint)inputs) + k), inputs);
                j += 2;
            }

            for (; j < last; j++)
            {
                OuterProduct1x2<TSimd, TVector, TInput>(ref Unsafe.Add(ref e, j), outputs, in input, reader, k, ref Unsafe.Add(ref dw, (j * (nint)inputs) + k));
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
                    AccumulateColumns<TSimd, TVector, TInput>(ref ej, outputs, in input, reader, c, ref dwj);
                    c += TSimd.Count;
                }

                // Then 256- and 128-bit steps where this width is wider.
                if (TSimd.Count > 8 && c <= inputs - 8)
                {
                    AccumulateColumns<Simd256, Vector256<float>, TInput>(ref ej, outputs, in input, reader, c, ref dwj);
                    c += 8;
                }

                if (TSimd.Count > 4 && c <= inputs - 4)
                {
                    AccumulateColumns<Simd128, Vector128<float>, TInput>(ref ej, outputs, in input, reader, c, ref dwj);
                    c += 4;
                }

                for (; c < inputs; c++)
                {
                    AccumulateColumns<SimdScalar, float, TInput>(ref ej, outputs, in input, reader, c, ref dwj);
                }
            }
        }
    }

    // dW[j, c..c+v) += Σ_i E[i, j] · A[i, c..c+v), one vector of width TNarrow (a tail's step, at any width down to
    // one column); ej points at E[0, j], dwj at dW[j, 0].
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void AccumulateColumns<TNarrow, TNarrowVector, TInput>(ref float ej, int outputs, in Rows input, TInput reader, nint c, ref float dwj)
        where TNarrow : ISimd<TNarrowVector>
        where TNarrowVector : struct
        where TInput : struct, IRowInput, allows ref struct
    {
        TNarrowVector s = TNarrow.Zero;
        for (int i = 0; i < input.Count; i++)
        {
            s = TNarrow.MultiplyAdd(TNarrow.Create(Unsafe.Add(ref ej, (nint)i * outputs)), reader.Load<TNarrow, TNarrowVector>(in input[i], c), s);
        }

        TNarrow.Store(TNarrow.Add(TNarrow.Load(in dwj, c), s), ref dwj, c);
    }

    // dW[j..j+8, k..k+3v] += Σ_i E[i, j..j+8] ⊗ A[i, k..k+3v]; e points at E[0, j], dw at dW[j, k].
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void OuterProduct8x3<TSimd, TVector, TInput>(ref float e, int outputs, in Rows input, TInput reader, nint k, ref float dw, int inputs)
        where TSimd : ISimd<TVector>
        where TVector : struct
        where TInput : struct, IRowInput, allows ref struct
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
            TVector x0 = reader.Load<TSimd, TVector>(in a, k);
            TVector x1 = reader.Load<TSimd, TVector>(in a, k + TSimd.Count);
            TVector x2 = reader.Load<TSimd, TVector>(in a, k + (2 * TSimd.Count));
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

        AddThree<TSimd, TVector>(ref dw, s00, s01, s02);
        AddThree<TSimd, TVector>(ref Unsafe.Add(ref dw, inputs), s10, s11, s12);
        AddThree<TSimd, TVector>(ref Unsafe.Add(ref dw, 2 * (nint)inputs), s20, s21, s22);
        AddThree<TSimd, TVector>(ref Unsafe.Add(ref dw, 3 * (nint)inputs), s30, s31, s32);
        AddThree<TSimd, TVector>(ref Unsafe.Add(ref dw, 4 * (nint)inputs), s40, s41, s42);
        AddThree<TSimd, TVector>(ref Unsafe.Add(ref dw, 5 * (nint)inputs), s50, s51, s52);
        AddThree<TSimd, TVector>(ref Unsafe.Add(ref dw, 6 * (nint)inputs), s60, s61, s62);
        AddThree<TSimd, TVector>(ref Unsafe.Add(ref dw, 7 * (nint)inputs), s70, s71, s72);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void AddThree<TSimd, TVector>(ref float destination, TVector first, TVector second, TVector third)
        where TSimd : ISimd<TVector>
        where TVector : struct
    {
        TSimd.Store(TSimd.Add(TSimd.Load(in destination, 0), first), ref destination, 0);
        TSimd.Store(TSimd.Add(TSimd.Load(in destination, TSimd.Count), second), ref destination, TSimd.Count);
        TSimd.Store(TSimd.Add(TSimd.Load(in destination, 2 * TSimd.Count), third), ref destination, 2 * TSimd.Count);
    }

    // dW[j..j+4, k..k+2v] += Σ_i E[i, j..j+4] ⊗ A[i, k..k+2v]; e points at E[0, j], dw at dW[j, k].
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void OuterProduct4x2<TSimd, TVector, TInput>(ref float e, int outputs, in Rows input, TInput reader, nint k, ref float dw, int inputs)
        where TSimd : ISimd<TVector>
        where TVector : struct
        where TInput : struct, IRowInput, allows ref struct
    {
        TVector s00 = TSimd.Zero, s01 = TSimd.Zero, s10 = TSimd.Zero, s11 = TSimd.Zero;
        TVector s20 = TSimd.Zero, s21 = TSimd.Zero, s30 = TSimd.Zero, s31 = TSimd.Zero;
        for (int i = 0; i < input.Count; i++)
        {
            ref readonly float a = ref input[i];
            TVector x0 = reader.Load<TSimd, TVector>(in a, k);
            TVector x1 = reader.Load<TSimd, TVector>(in a, k + TSimd.Count);
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

        AddTwo<TSimd, TVector>(ref dw, s00, s01);
        AddTwo<TSimd, TVector>(ref Unsafe.Add(ref dw, inputs), s10, s11);
        AddTwo<TSimd, TVector>(ref Unsafe.Add(ref dw, 2 * (nint)inputs), s20, s21);
        AddTwo<TSimd, TVector>(ref Unsafe.Add(ref dw, 3 * (nint)inputs), s30, s31);
    }

    // dW[j..j+2, k..k+2v] += Σ_i E[i, j..j+2] ⊗ A[i, k..k+2v].
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void OuterProduct2x2<TSimd, TVector, TInput>(ref float e, int outputs, in Rows input, TInput reader, nint k, ref float dw, int inputs)
        where TSimd : ISimd<TVector>
        where TVector : struct
        where TInput : struct, IRowInput, allows ref struct
    {
        TVector s00 = TSimd.Zero, s01 = TSimd.Zero, s10 = TSimd.Zero, s11 = TSimd.Zero;
        for (int i = 0; i < input.Count; i++)
        {
            ref readonly float a = ref input[i];
            TVector x0 = reader.Load<TSimd, TVector>(in a, k);
            TVector x1 = reader.Load<TSimd, TVector>(in a, k + TSimd.Count);
            ref float ei = ref Unsafe.Add(ref e, (nint)i * outputs);
            TVector g = TSimd.Create(ei);
            s00 = TSimd.MultiplyAdd(g, x0, s00);
            s01 = TSimd.MultiplyAdd(g, x1, s01);
            g = TSimd.Create(Unsafe.Add(ref ei, 1));
            s10 = TSimd.MultiplyAdd(g, x0, s10);
            s11 = TSimd.MultiplyAdd(g, x1, s11);
        }

        AddTwo<TSimd, TVector>(ref dw, s00, s01);
        AddTwo<TSimd, TVector>(ref Unsafe.Add(ref dw, inputs), s10, s11);
    }

    // dW[j, k..k+2v] += Σ_i E[i, j] · A[i, k..k+2v].
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void OuterProduct1x2<TSimd, TVector, TInput>(ref float e, int outputs, in Rows input, TInput reader, nint k, ref float dw)
        where TSimd : ISimd<TVector>
        where TVector : struct
        where TInput : struct, IRowInput, allows ref struct
    {
        TVector s0 = TSimd.Zero, s1 = TSimd.Zero;
        for (int i = 0; i < input.Count; i++)
        {
            ref readonly float a = ref input[i];
            TVector g = TSimd.Create(Unsafe.Add(ref e, (nint)i * outputs));
            s0 = TSimd.MultiplyAdd(g, reader.Load<TSimd, TVector>(in a, k), s0);
            s1 = TSimd.MultiplyAdd(g, reader.Load<TSimd, TVector>(in a, k + TSimd.Count), s1);
        }

        AddTwo<TSimd, TVector>(ref dw, s0, s1);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void AddTwo<TSimd, TVector>(ref float destination, TVector first, TVector second)
        where TSimd : ISimd<TVector>
        where TVector : struct
    {
        TSimd.Store(TSimd.Add(TSimd.Load(in destination, 0), first), ref destination, 0);
        TSimd.Store(TSimd.Add(TSimd.Load(in destination, TSimd.Count), second), ref destination, TSimd.Count);
    }
}
