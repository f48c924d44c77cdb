using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.X86;

namespace Native.Numerics.Kernels.Quantized;

/// <summary>
/// S = A·Wᵀ for many rows of bytes, in dot-product form (<see cref="DotProductKernel"/>'s layout): A is (rows, inputs)
/// unsigned bytes, a row every <c>rowStride</c> bytes; W is the layer's signed weights row-major, each row <c>length</c>
/// bytes, zero past the inputs; S is (rows, <c>sumStride</c>) 32-bit sums, the first <c>outputs</c> of each row written.
/// </summary>
/// <remarks>
/// <para>
/// Blocks of four rows against five rows of W (two rows where the instructions reach only 16 registers): per vector of
/// inputs, four row loads and five weight loads feed twenty multiply-adds into twenty sums, where one row at a time
/// (<see cref="DotProductKernel.Row"/>) loads every weight vector for each row — eleven loads per ten multiply-adds for a
/// 784 × 10 head. Each sum's lanes are added at the end, four sums at a time. A row left over alone takes
/// <see cref="DotProductKernel.Row"/>. (Emerald Rapids, 256-bit <c>vpdpbusd</c>: a 784 × 10 layer's sums of 64 rows 45 → 36 ns
/// per row, the ceiling 31; the batch's rows' bytes made first, then these sums, against one fused pass per row
/// (<see cref="FeatureKernel"/>): 112 → 94 ns per row.)
/// </para>
/// <para>
/// The sums are exact on every path (<see cref="IByteProducts{TBytes, TInts}"/>), so they are the one-row kernel's to the
/// bit: integer addition does not notice the blocking.
/// </para>
/// </remarks>
internal static class DotProductRowsKernel
{
    /// <summary>sums[r·sumStride + o] = Σ_k a[r·rowStride + k]·W[o, k] for r below <paramref name="rows"/>, o below <paramref name="outputs"/>.</summary>
    /// <param name="a">The rows' bytes, <paramref name="rowStride"/> apart, each at least <paramref name="length"/> readable bytes.</param>
    /// <param name="rowStride">The bytes from one row to the next.</param>
    /// <param name="rows">The rows.</param>
    /// <param name="w">The weights, row-major, each row <paramref name="length"/> bytes, zero past <paramref name="inputs"/>.</param>
    /// <param name="length">The bytes of a row of W: a multiple of 64.</param>
    /// <param name="inputs">The inputs: the kernel reads them rounded up to its vector's bytes, no more.</param>
    /// <param name="outputs">The rows of W.</param>
    /// <param name="sums">Where the sums go.</param>
    /// <param name="sumStride">The sums from one row to the next.</param>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Rows<TProducts, TBytes, TInts>(ref byte a, int rowStride, int rows, ref byte w, int length, int inputs, int outputs, ref int sums, int sumStride)
        where TProducts : IByteProducts<TBytes, TInts>
        where TBytes : struct
        where TInts : struct
    {
        int step = TProducts.Lanes * sizeof(int);
        int read = Math.Min(length, (inputs + step - 1) / step * step);

        // Four rows × five outputs: 20 sums, 4 rows' vectors and a weight vector (25 registers: EVEX, any CPU with AVX-512,
        // where the JIT encodes even AVX-VNNI's vpdpbusd so); where the instructions reach 16, two rows × five outputs.
        int height = TProducts.Lanes == 16 || TProducts.Lanes == 1 || Avx512F.IsSupported ? 4 : 2;
        int r = 0;
        for (; r + height <= rows; r += height)
        {
            Across<TProducts, TBytes, TInts>(height, ref Unsafe.Add(ref a, (nint)r * rowStride), rowStride, ref w, length, read, outputs, ref Unsafe.Add(ref sums, (nint)r * sumStride), sumStride);
        }

        if (rows - r > 1)
        {
            Across<TProducts, TBytes, TInts>(rows - r, ref Unsafe.Add(ref a, (nint)r * rowStride), rowStride, ref w, length, read, outputs, ref Unsafe.Add(ref sums, (nint)r * sumStride), sumStride);
        }
        else if (rows - r == 1)
        {
            DotProductKernel.Row<TProducts, TBytes, TInts>(ref Unsafe.Add(ref a, (nint)r * rowStride), ref w, length, inputs, outputs, ref Unsafe.Add(ref sums, (nint)r * sumStride));
        }
    }

    // One block of 2 to 4 rows across every output, five at a time.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Across<TProducts, TBytes, TInts>(int height, ref byte a, int rowStride, ref byte w, int length, int read, int outputs, ref int sums, int sumStride)
        where TProducts : IByteProducts<TBytes, TInts>
        where TBytes : struct
        where TInts : struct
    {
        switch (height)
        {
            case 2: Across<TProducts, TBytes, TInts, Rows2>(ref a, rowStride, ref w, length, read, outputs, ref sums, sumStride); break;
            case 3: Across<TProducts, TBytes, TInts, Rows3>(ref a, rowStride, ref w, length, read, outputs, ref sums, sumStride); break;
            default: Across<TProducts, TBytes, TInts, Rows4>(ref a, rowStride, ref w, length, read, outputs, ref sums, sumStride); break;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Across<TProducts, TBytes, TInts, THeight>(ref byte a, int rowStride, ref byte w, int length, int read, int outputs, ref int sums, int sumStride)
        where TProducts : IByteProducts<TBytes, TInts>
        where TBytes : struct
        where TInts : struct
        where THeight : struct, IRowCount
    {
        int o = 0;
        for (; o + 5 <= outputs; o += 5)
        {
            Block<TProducts, TBytes, TInts, THeight, Rows5>(ref a, rowStride, ref Unsafe.Add(ref w, (nint)o * length), length, read, ref Unsafe.Add(ref sums, o), sumStride);
        }

        ref byte wo = ref Unsafe.Add(ref w, (nint)o * length);
        ref int so = ref Unsafe.Add(ref sums, o);
        switch (outputs - o)
        {
            case 1: Block<TProducts, TBytes, TInts, THeight, Rows1>(ref a, rowStride, ref wo, length, read, ref so, sumStride); break;
            case 2: Block<TProducts, TBytes, TInts, THeight, Rows2>(ref a, rowStride, ref wo, length, read, ref so, sumStride); break;
            case 3: Block<TProducts, TBytes, TInts, THeight, Rows3>(ref a, rowStride, ref wo, length, read, ref so, sumStride); break;
            case 4: Block<TProducts, TBytes, TInts, THeight, Rows4>(ref a, rowStride, ref wo, length, read, ref so, sumStride); break;
            default: break;
        }
    }

    // THeight rows of A (2 to 4) against TCount rows of W (1 to 5), over the rows' first `read` bytes: each sum's lanes
    // added at the end.
    [MethodImpl(MethodImplOptions.AggressiveOptimization | MethodImplOptions.NoInlining)]
    private static void Block<TProducts, TBytes, TInts, THeight, TCount>(ref byte a, int rowStride, ref byte w, int length, int read, ref int sums, int sumStride)
        where TProducts : IByteProducts<TBytes, TInts>
        where TBytes : struct
        where TInts : struct
        where THeight : struct, IRowCount
        where TCount : struct, IRowCount
    {
        int m = THeight.Value, n = TCount.Value;
        nint stride = length;
        ref byte a1 = ref Unsafe.Add(ref a, rowStride);
        ref byte a2 = ref Unsafe.Add(ref a1, m > 2 ? rowStride : 0);
        ref byte a3 = ref Unsafe.Add(ref a2, m > 3 ? rowStride : 0);
        TInts s00 = TProducts.Zero, s01 = TProducts.Zero, s02 = TProducts.Zero, s03 = TProducts.Zero, s04 = TProducts.Zero;
        TInts s10 = TProducts.Zero, s11 = TProducts.Zero, s12 = TProducts.Zero, s13 = TProducts.Zero, s14 = TProducts.Zero;
        TInts s20 = TProducts.Zero, s21 = TProducts.Zero, s22 = TProducts.Zero, s23 = TProducts.Zero, s24 = TProducts.Zero;
        TInts s30 = TProducts.Zero, s31 = TProducts.Zero, s32 = TProducts.Zero, s33 = TProducts.Zero, s34 = TProducts.Zero;
        for (nint k = 0; k < read; k += TProducts.Lanes * sizeof(int))
        {
            TBytes x0 = TProducts.Load(in a, k);
            TBytes x1 = TProducts.Load(in a1, k);
            TBytes x2 = m > 2 ? TProducts.Load(in a2, k) : default;
            TBytes x3 = m > 3 ? TProducts.Load(in a3, k) : default;
            ref byte column = ref Unsafe.Add(ref w, k);
            TBytes w0 = TProducts.Load(in column, 0);
            s00 = TProducts.MultiplyAdd(s00, x0, w0);
            s10 = TProducts.MultiplyAdd(s10, x1, w0);
            if (m > 2) { s20 = TProducts.MultiplyAdd(s20, x2, w0); }
            if (m > 3) { s30 = TProducts.MultiplyAdd(s30, x3, w0); }
            if (n > 1)
            {
                TBytes w1 = TProducts.Load(in column, stride);
                s01 = TProducts.MultiplyAdd(s01, x0, w1);
                s11 = TProducts.MultiplyAdd(s11, x1, w1);
                if (m > 2) { s21 = TProducts.MultiplyAdd(s21, x2, w1); }
                if (m > 3) { s31 = TProducts.MultiplyAdd(s31, x3, w1); }
            }

            if (n > 2)
            {
                TBytes w2 = TProducts.Load(in column, 2 * stride);
                s02 = TProducts.MultiplyAdd(s02, x0, w2);
                s12 = TProducts.MultiplyAdd(s12, x1, w2);
                if (m > 2) { s22 = TProducts.MultiplyAdd(s22, x2, w2); }
                if (m > 3) { s32 = TProducts.MultiplyAdd(s32, x3, w2); }
            }

            if (n > 3)
            {
                TBytes w3 = TProducts.Load(in column, 3 * stride);
                s03 = TProducts.MultiplyAdd(s03, x0, w3);
                s13 = TProducts.MultiplyAdd(s13, x1, w3);
                if (m > 2) { s23 = TProducts.MultiplyAdd(s23, x2, w3); }
                if (m > 3) { s33 = TProducts.MultiplyAdd(s33, x3, w3); }
            }

            if (n > 4)
            {
                TBytes w4 = TProducts.Load(in column, 4 * stride);
                s04 = TProducts.MultiplyAdd(s04, x0, w4);
                s14 = TProducts.MultiplyAdd(s14, x1, w4);
                if (m > 2) { s24 = TProducts.MultiplyAdd(s24, x2, w4); }
                if (m > 3) { s34 = TProducts.MultiplyAdd(s34, x3, w4); }
            }
        }

        Store<TProducts, TBytes, TInts>(n, ref sums, s00, s01, s02, s03, s04);
        Store<TProducts, TBytes, TInts>(n, ref Unsafe.Add(ref sums, sumStride), s10, s11, s12, s13, s14);
        if (m > 2) { Store<TProducts, TBytes, TInts>(n, ref Unsafe.Add(ref sums, 2 * sumStride), s20, s21, s22, s23, s24); }
        if (m > 3) { Store<TProducts, TBytes, TInts>(n, ref Unsafe.Add(ref sums, 3 * sumStride), s30, s31, s32, s33, s34); }
    }

    // One row's first n (1 to 5) sums, each its lanes added.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store<TProducts, TBytes, TInts>(int n, ref int sums, TInts s0, TInts s1, TInts s2, TInts s3, TInts s4)
        where TProducts : IByteProducts<TBytes, TInts>
        where TBytes : struct
        where TInts : struct
    {
        DotProductKernel.Store<TProducts, TBytes, TInts>(n, ref sums, s0, s1, s2, s3);
        if (n > 4)
        {
            Unsafe.Add(ref sums, 4) = TProducts.Sum(s4);
        }
    }
}
