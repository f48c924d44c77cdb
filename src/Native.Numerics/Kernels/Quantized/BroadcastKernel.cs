using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.X86;

namespace Native.Numerics.Kernels.Quantized;

/// <summary>
/// S = A·W for bytes: A is (rows, inputs) unsigned bytes, a row every <c>stride</c> bytes; W is the layer's signed weights
/// packed for the kernel (<see cref="Quantization.PackedLayer"/>): for each group of four inputs, the four weights of every output
/// side by side, outputs padded to a multiple of 16; S is (rows, padded outputs) 32-bit sums.
/// </summary>
/// <remarks>
/// <para>
/// Outputs lie in the lanes: each 32-bit lane of a vector of sums is one output, and one step broadcasts a group of four
/// input bytes to every lane and multiplies it by the next <see cref="IByteProducts{TBytes, TInts}.Lanes"/> outputs'
/// four weights, adding the four products into each lane (<c>vpdpbusd</c>, or <c>vpmaddubsw</c> + <c>vpmaddwd</c>). The
/// sums come out as vectors of outputs, in order, with no reduction across lanes — the scaling, bias and activation that
/// follow take them as they are — and a layer of any input count needs no tail: the inputs are padded to a multiple of
/// four with zero weights.
/// </para>
/// <para>
/// One row holds up to 8 vectors of sums in registers while it passes over its input bytes once (128 outputs at 512
/// bits); a layer with fewer output vectors splits each output's sum into two or four by the group's position, so a
/// 10-output layer still has 4 to 8 independent additions in flight (<c>vpdpbusd</c> takes 5 cycles to feed its own next
/// use). Four rows at a time share each weight load across the rows and each input broadcast across the outputs.
/// </para>
/// <para>
/// Every path gives the same sums (see <see cref="IByteProducts{TBytes, TInts}"/>): integer addition does not depend on
/// its order, so neither the split sums nor the blocking change a bit.
/// </para>
/// </remarks>
internal static class BroadcastKernel
{
    /// <summary>Sums of one row: <paramref name="sums"/>[o] = Σ_k a[k]·W[k, o] for every padded output o.</summary>
    /// <param name="a">The row's bytes, at least 4 × <paramref name="groups"/>.</param>
    /// <param name="w">The packed weights: <paramref name="groups"/> × <paramref name="outputs"/> × 4 bytes.</param>
    /// <param name="groups">Groups of four inputs.</param>
    /// <param name="outputs">Outputs, padded to a multiple of 16.</param>
    /// <param name="sums">Where the <paramref name="outputs"/> sums go.</param>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Row<TProducts, TBytes, TInts>(ref byte a, ref byte w, int groups, int outputs, ref int sums)
        where TProducts : IByteProducts<TBytes, TInts>
        where TBytes : struct
        where TInts : struct
    {
        Debug.Assert(outputs % 16 == 0, "outputs padded to a multiple of 16");
        int vectors = outputs / TProducts.Lanes;
        nint stride = (nint)outputs * sizeof(int);
        int v = 0;
        for (; v + 8 <= vectors; v += 8)
        {
            OneSumEach<TProducts, TBytes, TInts, EightVectors>(ref a, ref Unsafe.Add(ref w, v * TProducts.Lanes * sizeof(int)), stride, groups, ref Unsafe.Add(ref sums, v * TProducts.Lanes));
        }

        ref byte wv = ref Unsafe.Add(ref w, v * TProducts.Lanes * sizeof(int));
        ref int sv = ref Unsafe.Add(ref sums, v * TProducts.Lanes);
        switch (vectors - v)
        {
            case 0: break;
            case 1: FourSumsEach<TProducts, TBytes, TInts, OneVector>(ref a, ref wv, stride, groups, ref sv); break;
            case 2: FourSumsEach<TProducts, TBytes, TInts, TwoVectors>(ref a, ref wv, stride, groups, ref sv); break;
            case 3: TwoSumsEach<TProducts, TBytes, TInts, ThreeVectors>(ref a, ref wv, stride, groups, ref sv); break;
            case 4: TwoSumsEach<TProducts, TBytes, TInts, FourVectors>(ref a, ref wv, stride, groups, ref sv); break;
            case 5: OneSumEach<TProducts, TBytes, TInts, FiveVectors>(ref a, ref wv, stride, groups, ref sv); break;
            case 6: OneSumEach<TProducts, TBytes, TInts, SixVectors>(ref a, ref wv, stride, groups, ref sv); break;
            default: OneSumEach<TProducts, TBytes, TInts, SevenVectors>(ref a, ref wv, stride, groups, ref sv); break;
        }
    }

    /// <summary>
    /// Sums of <paramref name="rows"/> rows, <paramref name="rowStride"/> bytes apart in <paramref name="a"/>, each row's
    /// <paramref name="outputs"/> sums after the previous row's in <paramref name="sums"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Rows<TProducts, TBytes, TInts>(ref byte a, int rowStride, int rows, ref byte w, int groups, int outputs, ref int sums)
        where TProducts : IByteProducts<TBytes, TInts>
        where TBytes : struct
        where TInts : struct
    {
        Debug.Assert(outputs % 16 == 0, "outputs padded to a multiple of 16");
        int vectors = outputs / TProducts.Lanes;
        nint stride = (nint)outputs * sizeof(int);

        // Four rows at a time, against as many output vectors as leave room in the registers for the rows' broadcasts and
        // the weights: 4 × 4 sums where the instructions reach 32 registers (EVEX: any CPU with AVX-512, where the JIT
        // encodes even AVX-VNNI's vpdpbusd so), 4 × 2 where they reach 16. Sixteen independent sums keep vpdpbusd's two
        // ports busy through its 5-cycle latency; eight could not (Emerald Rapids: the 784-128-10 batch's hidden layer
        // 603 → 503 ns per row, 4 × 2 → 4 × 4). Two or three rows left over take a block of their height; one, Row.
        // (Blocks of 5 and 6 rows × 4 vectors, 20 and 24 sums, measured no faster: 4 × 4 already runs at the ceiling.)
        int block = TProducts.Lanes == 16 || TProducts.Lanes == 1 || Avx512F.IsSupported ? 4 : 2;
        int whole = rows & ~3, left = rows - whole;
        for (int v = 0; v < vectors; v += block)
        {
            int n = Math.Min(block, vectors - v);
            ref byte wv = ref Unsafe.Add(ref w, v * TProducts.Lanes * sizeof(int));
            for (int r = 0; r < whole; r += 4)
            {
                Block<TProducts, TBytes, TInts, Rows4>(n, ref Unsafe.Add(ref a, (nint)r * rowStride), rowStride, ref wv, stride, groups, ref Unsafe.Add(ref sums, ((nint)r * outputs) + (v * TProducts.Lanes)), outputs);
            }

            ref byte al = ref Unsafe.Add(ref a, (nint)whole * rowStride);
            ref int sl = ref Unsafe.Add(ref sums, ((nint)whole * outputs) + (v * TProducts.Lanes));
            switch (left)
            {
                case 2: Block<TProducts, TBytes, TInts, Rows2>(n, ref al, rowStride, ref wv, stride, groups, ref sl, outputs); break;
                case 3: Block<TProducts, TBytes, TInts, Rows3>(n, ref al, rowStride, ref wv, stride, groups, ref sl, outputs); break;
                default: break;
            }
        }

        if (left == 1)
        {
            Row<TProducts, TBytes, TInts>(ref Unsafe.Add(ref a, (nint)whole * rowStride), ref w, groups, outputs, ref Unsafe.Add(ref sums, (nint)whole * outputs));
        }
    }

    // A block of THeight rows (2 to 4: rows of A here) against n output vectors (1 to 4), as a kernel whose guards fold to
    // exactly its sums.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Block<TProducts, TBytes, TInts, THeight>(int n, ref byte a, int rowStride, ref byte w, nint stride, int groups, ref int sums, int outputs)
        where TProducts : IByteProducts<TBytes, TInts>
        where TBytes : struct
        where TInts : struct
        where THeight : struct, IRowCount
    {
        switch (n)
        {
            case 1: RowsByVectors<TProducts, TBytes, TInts, THeight, OneVector>(ref a, rowStride, ref w, stride, groups, ref sums, outputs); break;
            case 2: RowsByVectors<TProducts, TBytes, TInts, THeight, TwoVectors>(ref a, rowStride, ref w, stride, groups, ref sums, outputs); break;
            case 3: RowsByVectors<TProducts, TBytes, TInts, THeight, ThreeVectors>(ref a, rowStride, ref w, stride, groups, ref sums, outputs); break;
            default: RowsByVectors<TProducts, TBytes, TInts, THeight, FourVectors>(ref a, rowStride, ref w, stride, groups, ref sums, outputs); break;
        }
    }

    // Up to eight output vectors of one row, one sum each.
    [MethodImpl(MethodImplOptions.AggressiveOptimization | MethodImplOptions.NoInlining)]
    private static void OneSumEach<TProducts, TBytes, TInts, TCount>(ref byte a, ref byte w, nint stride, int groups, ref int sums)
        where TProducts : IByteProducts<TBytes, TInts>
        where TBytes : struct
        where TInts : struct
        where TCount : struct, IVectorCount
    {
        int n = TCount.Value;
        nint step = TProducts.Lanes * sizeof(int);
        TInts s0 = TProducts.Zero, s1 = TProducts.Zero, s2 = TProducts.Zero, s3 = TProducts.Zero;
        TInts s4 = TProducts.Zero, s5 = TProducts.Zero, s6 = TProducts.Zero, s7 = TProducts.Zero;
        for (nint g = 0; g < groups; g++)
        {
            TBytes x = TProducts.Broadcast(in a, g * sizeof(int));
            ref byte row = ref Unsafe.Add(ref w, g * stride);
            s0 = TProducts.MultiplyAdd(s0, x, TProducts.Load(in row, 0));
            if (n > 1) { s1 = TProducts.MultiplyAdd(s1, x, TProducts.Load(in row, step)); }
            if (n > 2) { s2 = TProducts.MultiplyAdd(s2, x, TProducts.Load(in row, 2 * step)); }
            if (n > 3) { s3 = TProducts.MultiplyAdd(s3, x, TProducts.Load(in row, 3 * step)); }
            if (n > 4) { s4 = TProducts.MultiplyAdd(s4, x, TProducts.Load(in row, 4 * step)); }
            if (n > 5) { s5 = TProducts.MultiplyAdd(s5, x, TProducts.Load(in row, 5 * step)); }
            if (n > 6) { s6 = TProducts.MultiplyAdd(s6, x, TProducts.Load(in row, 6 * step)); }
            if (n > 7) { s7 = TProducts.MultiplyAdd(s7, x, TProducts.Load(in row, 7 * step)); }
        }

        nint lanes = TProducts.Lanes;
        TProducts.Store(s0, ref sums, 0);
        if (n > 1) { TProducts.Store(s1, ref sums, lanes); }
        if (n > 2) { TProducts.Store(s2, ref sums, 2 * lanes); }
        if (n > 3) { TProducts.Store(s3, ref sums, 3 * lanes); }
        if (n > 4) { TProducts.Store(s4, ref sums, 4 * lanes); }
        if (n > 5) { TProducts.Store(s5, ref sums, 5 * lanes); }
        if (n > 6) { TProducts.Store(s6, ref sums, 6 * lanes); }
        if (n > 7) { TProducts.Store(s7, ref sums, 7 * lanes); }
    }

    // Three or four output vectors of one row, each summed in two parts (even and odd groups), added at the end.
    [MethodImpl(MethodImplOptions.AggressiveOptimization | MethodImplOptions.NoInlining)]
    private static void TwoSumsEach<TProducts, TBytes, TInts, TCount>(ref byte a, ref byte w, nint stride, int groups, ref int sums)
        where TProducts : IByteProducts<TBytes, TInts>
        where TBytes : struct
        where TInts : struct
        where TCount : struct, IVectorCount
    {
        int n = TCount.Value;
        nint step = TProducts.Lanes * sizeof(int);
        TInts s0 = TProducts.Zero, s1 = TProducts.Zero, s2 = TProducts.Zero, s3 = TProducts.Zero;
        TInts t0 = TProducts.Zero, t1 = TProducts.Zero, t2 = TProducts.Zero, t3 = TProducts.Zero;
        nint g = 0;
        for (; g + 1 < groups; g += 2)
        {
            TBytes x = TProducts.Broadcast(in a, g * sizeof(int));
            TBytes y = TProducts.Broadcast(in a, (g + 1) * sizeof(int));
            ref byte row = ref Unsafe.Add(ref w, g * stride);
            ref byte next = ref Unsafe.Add(ref row, stride);
            s0 = TProducts.MultiplyAdd(s0, x, TProducts.Load(in row, 0));
            t0 = TProducts.MultiplyAdd(t0, y, TProducts.Load(in next, 0));
            s1 = TProducts.MultiplyAdd(s1, x, TProducts.Load(in row, step));
            t1 = TProducts.MultiplyAdd(t1, y, TProducts.Load(in next, step));
            s2 = TProducts.MultiplyAdd(s2, x, TProducts.Load(in row, 2 * step));
            t2 = TProducts.MultiplyAdd(t2, y, TProducts.Load(in next, 2 * step));
            if (n > 3)
            {
                s3 = TProducts.MultiplyAdd(s3, x, TProducts.Load(in row, 3 * step));
                t3 = TProducts.MultiplyAdd(t3, y, TProducts.Load(in next, 3 * step));
            }
        }

        if (g < groups)
        {
            TBytes x = TProducts.Broadcast(in a, g * sizeof(int));
            ref byte row = ref Unsafe.Add(ref w, g * stride);
            s0 = TProducts.MultiplyAdd(s0, x, TProducts.Load(in row, 0));
            s1 = TProducts.MultiplyAdd(s1, x, TProducts.Load(in row, step));
            s2 = TProducts.MultiplyAdd(s2, x, TProducts.Load(in row, 2 * step));
            if (n > 3) { s3 = TProducts.MultiplyAdd(s3, x, TProducts.Load(in row, 3 * step)); }
        }

        nint lanes = TProducts.Lanes;
        TProducts.Store(TProducts.Add(s0, t0), ref sums, 0);
        TProducts.Store(TProducts.Add(s1, t1), ref sums, lanes);
        TProducts.Store(TProducts.Add(s2, t2), ref sums, 2 * lanes);
        if (n > 3) { TProducts.Store(TProducts.Add(s3, t3), ref sums, 3 * lanes); }
    }

    // One or two output vectors of one row, each summed in four parts by the group's position modulo 4.
    [MethodImpl(MethodImplOptions.AggressiveOptimization | MethodImplOptions.NoInlining)]
    private static void FourSumsEach<TProducts, TBytes, TInts, TCount>(ref byte a, ref byte w, nint stride, int groups, ref int sums)
        where TProducts : IByteProducts<TBytes, TInts>
        where TBytes : struct
        where TInts : struct
        where TCount : struct, IVectorCount
    {
        int n = TCount.Value;
        nint step = TProducts.Lanes * sizeof(int);
        TInts s0 = TProducts.Zero, t0 = TProducts.Zero, u0 = TProducts.Zero, v0 = TProducts.Zero;
        TInts s1 = TProducts.Zero, t1 = TProducts.Zero, u1 = TProducts.Zero, v1 = TProducts.Zero;
        nint g = 0;
        for (; g + 3 < groups; g += 4)
        {
            ref byte row = ref Unsafe.Add(ref w, g * stride);
            TBytes x0 = TProducts.Broadcast(in a, g * sizeof(int));
            TBytes x1 = TProducts.Broadcast(in a, (g + 1) * sizeof(int));
            TBytes x2 = TProducts.Broadcast(in a, (g + 2) * sizeof(int));
            TBytes x3 = TProducts.Broadcast(in a, (g + 3) * sizeof(int));
            s0 = TProducts.MultiplyAdd(s0, x0, TProducts.Load(in row, 0));
            t0 = TProducts.MultiplyAdd(t0, x1, TProducts.Load(in row, stride));
            u0 = TProducts.MultiplyAdd(u0, x2, TProducts.Load(in row, 2 * stride));
            v0 = TProducts.MultiplyAdd(v0, x3, TProducts.Load(in row, 3 * stride));
            if (n > 1)
            {
                s1 = TProducts.MultiplyAdd(s1, x0, TProducts.Load(in row, step));
                t1 = TProducts.MultiplyAdd(t1, x1, TProducts.Load(in row, stride + step));
                u1 = TProducts.MultiplyAdd(u1, x2, TProducts.Load(in row, (2 * stride) + step));
                v1 = TProducts.MultiplyAdd(v1, x3, TProducts.Load(in row, (3 * stride) + step));
            }
        }

        for (; g < groups; g++)
        {
            ref byte row = ref Unsafe.Add(ref w, g * stride);
            TBytes x = TProducts.Broadcast(in a, g * sizeof(int));
            s0 = TProducts.MultiplyAdd(s0, x, TProducts.Load(in row, 0));
            if (n > 1) { s1 = TProducts.MultiplyAdd(s1, x, TProducts.Load(in row, step)); }
        }

        TProducts.Store(TProducts.Add(TProducts.Add(s0, t0), TProducts.Add(u0, v0)), ref sums, 0);
        if (n > 1) { TProducts.Store(TProducts.Add(TProducts.Add(s1, t1), TProducts.Add(u1, v1)), ref sums, TProducts.Lanes); }
    }

    // Two to four rows against one to four output vectors: each weight load serves every row, each broadcast every vector.
    // One index walks the rows' groups and one reference the weights, so a group costs two additions and a compare beside
    // its loads and multiply-adds. (An index times the stride, as before, cost an imul per group on a port vpdpbusd
    // needs: Emerald Rapids, the 784-128-10 batch's hidden layer 502 → 403 ns per row, the ceiling 410.)
    [MethodImpl(MethodImplOptions.AggressiveOptimization | MethodImplOptions.NoInlining)]
    private static void RowsByVectors<TProducts, TBytes, TInts, THeight, TCount>(ref byte a, int rowStride, ref byte w, nint stride, int groups, ref int sums, int outputs)
        where TProducts : IByteProducts<TBytes, TInts>
        where TBytes : struct
        where TInts : struct
        where THeight : struct, IRowCount
        where TCount : struct, IVectorCount
    {
        int m = THeight.Value, n = TCount.Value;
        nint step = TProducts.Lanes * sizeof(int);
        ref byte a1 = ref Unsafe.Add(ref a, rowStride);
        ref byte a2 = ref Unsafe.Add(ref a1, m > 2 ? rowStride : 0);
        ref byte a3 = ref Unsafe.Add(ref a2, m > 3 ? rowStride : 0);
        TInts s00 = TProducts.Zero, s01 = TProducts.Zero, s02 = TProducts.Zero, s03 = TProducts.Zero;
        TInts s10 = TProducts.Zero, s11 = TProducts.Zero, s12 = TProducts.Zero, s13 = TProducts.Zero;
        TInts s20 = TProducts.Zero, s21 = TProducts.Zero, s22 = TProducts.Zero, s23 = TProducts.Zero;
        TInts s30 = TProducts.Zero, s31 = TProducts.Zero, s32 = TProducts.Zero, s33 = TProducts.Zero;
        ref byte row = ref w;
        nint end = (nint)groups * sizeof(int);
        for (nint k = 0; k < end; k += sizeof(int))
        {
            TBytes x0 = TProducts.Broadcast(in a, k);
            TBytes x1 = TProducts.Broadcast(in a1, k);
            TBytes x2 = m > 2 ? TProducts.Broadcast(in a2, k) : default;
            TBytes x3 = m > 3 ? TProducts.Broadcast(in a3, k) : default;
            TBytes w0 = TProducts.Load(in row, 0);
            s00 = TProducts.MultiplyAdd(s00, x0, w0);
            s10 = TProducts.MultiplyAdd(s10, x1, w0);
            if (m > 2) { s20 = TProducts.MultiplyAdd(s20, x2, w0); }
            if (m > 3) { s30 = TProducts.MultiplyAdd(s30, x3, w0); }
            if (n > 1)
            {
                TBytes w1 = TProducts.Load(in row, step);
                s01 = TProducts.MultiplyAdd(s01, x0, w1);
                s11 = TProducts.MultiplyAdd(s11, x1, w1);
                if (m > 2) { s21 = TProducts.MultiplyAdd(s21, x2, w1); }
                if (m > 3) { s31 = TProducts.MultiplyAdd(s31, x3, w1); }
            }

            if (n > 2)
            {
                TBytes w2 = TProducts.Load(in row, 2 * step);
                s02 = TProducts.MultiplyAdd(s02, x0, w2);
                s12 = TProducts.MultiplyAdd(s12, x1, w2);
                if (m > 2) { s22 = TProducts.MultiplyAdd(s22, x2, w2); }
                if (m > 3) { s32 = TProducts.MultiplyAdd(s32, x3, w2); }
            }

            if (n > 3)
            {
                TBytes w3 = TProducts.Load(in row, 3 * step);
                s03 = TProducts.MultiplyAdd(s03, x0, w3);
                s13 = TProducts.MultiplyAdd(s13, x1, w3);
                if (m > 2) { s23 = TProducts.MultiplyAdd(s23, x2, w3); }
                if (m > 3) { s33 = TProducts.MultiplyAdd(s33, x3, w3); }
            }

            row = ref Unsafe.Add(ref row, stride);
        }

        StoreRow<TProducts, TBytes, TInts>(n, ref sums, s00, s01, s02, s03);
        StoreRow<TProducts, TBytes, TInts>(n, ref Unsafe.Add(ref sums, outputs), s10, s11, s12, s13);
        if (m > 2) { StoreRow<TProducts, TBytes, TInts>(n, ref Unsafe.Add(ref sums, 2 * outputs), s20, s21, s22, s23); }
        if (m > 3) { StoreRow<TProducts, TBytes, TInts>(n, ref Unsafe.Add(ref sums, 3 * outputs), s30, s31, s32, s33); }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreRow<TProducts, TBytes, TInts>(int n, ref int sums, TInts s0, TInts s1, TInts s2, TInts s3)
        where TProducts : IByteProducts<TBytes, TInts>
        where TBytes : struct
        where TInts : struct
    {
        nint lanes = TProducts.Lanes;
        TProducts.Store(s0, ref sums, 0);
        if (n > 1) { TProducts.Store(s1, ref sums, lanes); }
        if (n > 2) { TProducts.Store(s2, ref sums, 2 * lanes); }
        if (n > 3) { TProducts.Store(s3, ref sums, 3 * lanes); }
    }

    /// <summary>A number of output vectors, as a type, so each block's guards fold to its exact accumulators.</summary>
    private interface IVectorCount
    {
        static abstract int Value { get; }
    }

    private readonly struct OneVector : IVectorCount { public static int Value => 1; }
    private readonly struct TwoVectors : IVectorCount { public static int Value => 2; }
    private readonly struct ThreeVectors : IVectorCount { public static int Value => 3; }
    private readonly struct FourVectors : IVectorCount { public static int Value => 4; }
    private readonly struct FiveVectors : IVectorCount { public static int Value => 5; }
    private readonly struct SixVectors : IVectorCount { public static int Value => 6; }
    private readonly struct SevenVectors : IVectorCount { public static int Value => 7; }
    private readonly struct EightVectors : IVectorCount { public static int Value => 8; }
}
