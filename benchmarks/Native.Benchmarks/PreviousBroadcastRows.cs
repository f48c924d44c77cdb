using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.X86;
using Native.Numerics.Kernels.Quantized;

namespace Native.Benchmarks;

/// <summary>
/// The batch kernel of <see cref="BroadcastKernel"/> as it was before blocks of rows walked their groups by one index
/// (4 rows × up to 4 vectors, each group's weights found as index × stride), kept beside the current one so
/// <see cref="QuantizedBatchStages"/> measures the two in one process. Rows whose count is not a multiple of four are
/// left out (the measured batch has 64).
/// </summary>
internal static class PreviousBroadcastRows
{
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Rows<TProducts, TBytes, TInts>(ref byte a, int rowStride, int rows, ref byte w, int groups, int outputs, ref int sums)
        where TProducts : IByteProducts<TBytes, TInts>
        where TBytes : struct
        where TInts : struct
    {
        int vectors = outputs / TProducts.Lanes;
        nint stride = (nint)outputs * sizeof(int);
        int block = TProducts.Lanes == 16 || TProducts.Lanes == 1 || Avx512F.IsSupported ? 4 : 2;
        int whole = rows & ~3;
        for (int v = 0; v < vectors; v += block)
        {
            int n = Math.Min(block, vectors - v);
            ref byte wv = ref Unsafe.Add(ref w, v * TProducts.Lanes * sizeof(int));
            for (int r = 0; r < whole; r += 4)
            {
                ref byte ar = ref Unsafe.Add(ref a, (nint)r * rowStride);
                ref int sr = ref Unsafe.Add(ref sums, ((nint)r * outputs) + (v * TProducts.Lanes));
                switch (n)
                {
                    case 1: FourRows<TProducts, TBytes, TInts>(1, ref ar, rowStride, ref wv, stride, groups, ref sr, outputs); break;
                    case 2: FourRows<TProducts, TBytes, TInts>(2, ref ar, rowStride, ref wv, stride, groups, ref sr, outputs); break;
                    case 3: FourRows<TProducts, TBytes, TInts>(3, ref ar, rowStride, ref wv, stride, groups, ref sr, outputs); break;
                    default: FourRows<TProducts, TBytes, TInts>(4, ref ar, rowStride, ref wv, stride, groups, ref sr, outputs); break;
                }
            }
        }
    }

    // As the library had it but for the vector count, which there was a type argument: inlined here, the constant folds alike.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void FourRows<TProducts, TBytes, TInts>(int n, ref byte a, int rowStride, ref byte w, nint stride, int groups, ref int sums, int outputs)
        where TProducts : IByteProducts<TBytes, TInts>
        where TBytes : struct
        where TInts : struct
    {
        nint step = TProducts.Lanes * sizeof(int);
        ref byte a1 = ref Unsafe.Add(ref a, rowStride);
        ref byte a2 = ref Unsafe.Add(ref a1, rowStride);
        ref byte a3 = ref Unsafe.Add(ref a2, rowStride);
        TInts s00 = TProducts.Zero, s01 = TProducts.Zero, s02 = TProducts.Zero, s03 = TProducts.Zero;
        TInts s10 = TProducts.Zero, s11 = TProducts.Zero, s12 = TProducts.Zero, s13 = TProducts.Zero;
        TInts s20 = TProducts.Zero, s21 = TProducts.Zero, s22 = TProducts.Zero, s23 = TProducts.Zero;
        TInts s30 = TProducts.Zero, s31 = TProducts.Zero, s32 = TProducts.Zero, s33 = TProducts.Zero;
        for (nint g = 0; g < groups; g++)
        {
            ref byte row = ref Unsafe.Add(ref w, g * stride);
            nint k = g * sizeof(int);
            TBytes x0 = TProducts.Broadcast(in a, k);
            TBytes x1 = TProducts.Broadcast(in a1, k);
            TBytes x2 = TProducts.Broadcast(in a2, k);
            TBytes x3 = TProducts.Broadcast(in a3, k);
            TBytes w0 = TProducts.Load(in row, 0);
            s00 = TProducts.MultiplyAdd(s00, x0, w0);
            s10 = TProducts.MultiplyAdd(s10, x1, w0);
            s20 = TProducts.MultiplyAdd(s20, x2, w0);
            s30 = TProducts.MultiplyAdd(s30, x3, w0);
            if (n > 1)
            {
                TBytes w1 = TProducts.Load(in row, step);
                s01 = TProducts.MultiplyAdd(s01, x0, w1);
                s11 = TProducts.MultiplyAdd(s11, x1, w1);
                s21 = TProducts.MultiplyAdd(s21, x2, w1);
                s31 = TProducts.MultiplyAdd(s31, x3, w1);
            }

            if (n > 2)
            {
                TBytes w2 = TProducts.Load(in row, 2 * step);
                s02 = TProducts.MultiplyAdd(s02, x0, w2);
                s12 = TProducts.MultiplyAdd(s12, x1, w2);
                s22 = TProducts.MultiplyAdd(s22, x2, w2);
                s32 = TProducts.MultiplyAdd(s32, x3, w2);
            }

            if (n > 3)
            {
                TBytes w3 = TProducts.Load(in row, 3 * step);
                s03 = TProducts.MultiplyAdd(s03, x0, w3);
                s13 = TProducts.MultiplyAdd(s13, x1, w3);
                s23 = TProducts.MultiplyAdd(s23, x2, w3);
                s33 = TProducts.MultiplyAdd(s33, x3, w3);
            }
        }

        Store<TProducts, TBytes, TInts>(n, ref sums, s00, s01, s02, s03);
        Store<TProducts, TBytes, TInts>(n, ref Unsafe.Add(ref sums, outputs), s10, s11, s12, s13);
        Store<TProducts, TBytes, TInts>(n, ref Unsafe.Add(ref sums, 2 * outputs), s20, s21, s22, s23);
        Store<TProducts, TBytes, TInts>(n, ref Unsafe.Add(ref sums, 3 * outputs), s30, s31, s32, s33);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store<TProducts, TBytes, TInts>(int n, ref int sums, TInts s0, TInts s1, TInts s2, TInts s3)
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
}
