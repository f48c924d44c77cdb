using System.Runtime.CompilerServices;

namespace Native.Numerics.Kernels.Quantized;

/// <summary>
/// s = W·a for one row of bytes, in dot-product form: a is the row's unsigned bytes, W the layer's signed weights
/// row-major, each row <c>length</c> bytes (the inputs padded to a multiple of 64 with zero weights), s the 32-bit sums.
/// </summary>
/// <remarks>
/// <para>
/// Each vector of the row's bytes is loaded once and meets the same columns of up to 16 rows of W (12 below 512 bits:
/// VEX-encoded <c>vpdpbusd</c> reaches only 16 registers), each row's products summed in its own register; at the end each
/// register's lanes are added into the row's sum. This is the form for a layer of few outputs and many inputs (a
/// 784 × 10 head, a logistic regression's one output), where <see cref="BroadcastKernel"/>'s outputs in lanes would leave
/// most lanes empty and take a step per four inputs: 784 × 10 is 130 multiply-adds of 64 bytes here against 196 there.
/// </para>
/// <para>
/// The sums are exact on every path (<see cref="IByteProducts{TBytes, TInts}"/>); the lanes' order of addition differs
/// between widths, which integer addition does not notice.
/// </para>
/// </remarks>
internal static class DotProductKernel
{
    /// <summary>sums[o] = Σ_k a[k]·W[o, k] for o below <paramref name="outputs"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Row<TProducts, TBytes, TInts>(ref byte a, ref byte w, int length, int outputs, ref int sums)
        where TProducts : IByteProducts<TBytes, TInts>
        where TBytes : struct
        where TInts : struct
    {
        int block = TProducts.Lanes == 16 ? 16 : 12;
        int o = 0;
        for (; o + block <= outputs; o += block)
        {
            if (block == 16)
            {
                Block<TProducts, TBytes, TInts, Rows16>(ref a, ref Unsafe.Add(ref w, (nint)o * length), length, ref Unsafe.Add(ref sums, o));
            }
            else
            {
                Block<TProducts, TBytes, TInts, Rows12>(ref a, ref Unsafe.Add(ref w, (nint)o * length), length, ref Unsafe.Add(ref sums, o));
            }
        }

        ref byte wo = ref Unsafe.Add(ref w, (nint)o * length);
        ref int so = ref Unsafe.Add(ref sums, o);
        switch (outputs - o)
        {
            case 0: break;
            case 1: Block<TProducts, TBytes, TInts, Rows1>(ref a, ref wo, length, ref so); break;
            case 2: Block<TProducts, TBytes, TInts, Rows2>(ref a, ref wo, length, ref so); break;
            case 3: Block<TProducts, TBytes, TInts, Rows3>(ref a, ref wo, length, ref so); break;
            case 4: Block<TProducts, TBytes, TInts, Rows4>(ref a, ref wo, length, ref so); break;
            case 5: Block<TProducts, TBytes, TInts, Rows5>(ref a, ref wo, length, ref so); break;
            case 6: Block<TProducts, TBytes, TInts, Rows6>(ref a, ref wo, length, ref so); break;
            case 7: Block<TProducts, TBytes, TInts, Rows7>(ref a, ref wo, length, ref so); break;
            case 8: Block<TProducts, TBytes, TInts, Rows8>(ref a, ref wo, length, ref so); break;
            case 9: Block<TProducts, TBytes, TInts, Rows9>(ref a, ref wo, length, ref so); break;
            case 10: Block<TProducts, TBytes, TInts, Rows10>(ref a, ref wo, length, ref so); break;
            case 11: Block<TProducts, TBytes, TInts, Rows11>(ref a, ref wo, length, ref so); break;
            default:
                // Blocks of 12 to 15 rows are left over only at 512 bits; the narrower paths' code keeps none of these.
                if (TProducts.Lanes == 16)
                {
                    switch (outputs - o)
                    {
                        case 12: Block<TProducts, TBytes, TInts, Rows12>(ref a, ref wo, length, ref so); break;
                        case 13: Block<TProducts, TBytes, TInts, Rows13>(ref a, ref wo, length, ref so); break;
                        case 14: Block<TProducts, TBytes, TInts, Rows14>(ref a, ref wo, length, ref so); break;
                        default: Block<TProducts, TBytes, TInts, Rows15>(ref a, ref wo, length, ref so); break;
                    }
                }

                break;
        }
    }

    // Rows first … first + n of W against the whole row: n sums, each summed across its lanes at the end.
    [MethodImpl(MethodImplOptions.AggressiveOptimization | MethodImplOptions.NoInlining)]
    private static void Block<TProducts, TBytes, TInts, TRows>(ref byte a, ref byte w, int length, ref int sums)
        where TProducts : IByteProducts<TBytes, TInts>
        where TBytes : struct
        where TInts : struct
        where TRows : struct, IRowCount
    {
        int n = TRows.Value;
        nint stride = length;
        TInts s0 = TProducts.Zero, s1 = TProducts.Zero, s2 = TProducts.Zero, s3 = TProducts.Zero, s4 = TProducts.Zero, s5 = TProducts.Zero, s6 = TProducts.Zero, s7 = TProducts.Zero;
        TInts s8 = TProducts.Zero, s9 = TProducts.Zero, s10 = TProducts.Zero, s11 = TProducts.Zero, s12 = TProducts.Zero, s13 = TProducts.Zero, s14 = TProducts.Zero, s15 = TProducts.Zero;
        for (nint k = 0; k < length; k += TProducts.Lanes * sizeof(int))
        {
            TBytes x = TProducts.Load(in a, k);
            ref byte column = ref Unsafe.Add(ref w, k);
            s0 = TProducts.MultiplyAdd(s0, x, TProducts.Load(in column, 0));
            if (n > 1) { s1 = TProducts.MultiplyAdd(s1, x, TProducts.Load(in column, stride)); }
            if (n > 2) { s2 = TProducts.MultiplyAdd(s2, x, TProducts.Load(in column, 2 * stride)); }
            if (n > 3) { s3 = TProducts.MultiplyAdd(s3, x, TProducts.Load(in column, 3 * stride)); }
            if (n > 4) { s4 = TProducts.MultiplyAdd(s4, x, TProducts.Load(in column, 4 * stride)); }
            if (n > 5) { s5 = TProducts.MultiplyAdd(s5, x, TProducts.Load(in column, 5 * stride)); }
            if (n > 6) { s6 = TProducts.MultiplyAdd(s6, x, TProducts.Load(in column, 6 * stride)); }
            if (n > 7) { s7 = TProducts.MultiplyAdd(s7, x, TProducts.Load(in column, 7 * stride)); }
            if (n > 8) { s8 = TProducts.MultiplyAdd(s8, x, TProducts.Load(in column, 8 * stride)); }
            if (n > 9) { s9 = TProducts.MultiplyAdd(s9, x, TProducts.Load(in column, 9 * stride)); }
            if (n > 10) { s10 = TProducts.MultiplyAdd(s10, x, TProducts.Load(in column, 10 * stride)); }
            if (n > 11) { s11 = TProducts.MultiplyAdd(s11, x, TProducts.Load(in column, 11 * stride)); }
            if (n > 12) { s12 = TProducts.MultiplyAdd(s12, x, TProducts.Load(in column, 12 * stride)); }
            if (n > 13) { s13 = TProducts.MultiplyAdd(s13, x, TProducts.Load(in column, 13 * stride)); }
            if (n > 14) { s14 = TProducts.MultiplyAdd(s14, x, TProducts.Load(in column, 14 * stride)); }
            if (n > 15) { s15 = TProducts.MultiplyAdd(s15, x, TProducts.Load(in column, 15 * stride)); }
        }

        sums = TProducts.Sum(s0);
        if (n > 1) { Unsafe.Add(ref sums, 1) = TProducts.Sum(s1); }
        if (n > 2) { Unsafe.Add(ref sums, 2) = TProducts.Sum(s2); }
        if (n > 3) { Unsafe.Add(ref sums, 3) = TProducts.Sum(s3); }
        if (n > 4) { Unsafe.Add(ref sums, 4) = TProducts.Sum(s4); }
        if (n > 5) { Unsafe.Add(ref sums, 5) = TProducts.Sum(s5); }
        if (n > 6) { Unsafe.Add(ref sums, 6) = TProducts.Sum(s6); }
        if (n > 7) { Unsafe.Add(ref sums, 7) = TProducts.Sum(s7); }
        if (n > 8) { Unsafe.Add(ref sums, 8) = TProducts.Sum(s8); }
        if (n > 9) { Unsafe.Add(ref sums, 9) = TProducts.Sum(s9); }
        if (n > 10) { Unsafe.Add(ref sums, 10) = TProducts.Sum(s10); }
        if (n > 11) { Unsafe.Add(ref sums, 11) = TProducts.Sum(s11); }
        if (n > 12) { Unsafe.Add(ref sums, 12) = TProducts.Sum(s12); }
        if (n > 13) { Unsafe.Add(ref sums, 13) = TProducts.Sum(s13); }
        if (n > 14) { Unsafe.Add(ref sums, 14) = TProducts.Sum(s14); }
        if (n > 15) { Unsafe.Add(ref sums, 15) = TProducts.Sum(s15); }
    }

    /// <summary>A number of rows of W, as a type, so each block's guards fold to its exact accumulators.</summary>
    private interface IRowCount
    {
        static abstract int Value { get; }
    }

    private readonly struct Rows1 : IRowCount { public static int Value => 1; }
    private readonly struct Rows2 : IRowCount { public static int Value => 2; }
    private readonly struct Rows3 : IRowCount { public static int Value => 3; }
    private readonly struct Rows4 : IRowCount { public static int Value => 4; }
    private readonly struct Rows5 : IRowCount { public static int Value => 5; }
    private readonly struct Rows6 : IRowCount { public static int Value => 6; }
    private readonly struct Rows7 : IRowCount { public static int Value => 7; }
    private readonly struct Rows8 : IRowCount { public static int Value => 8; }
    private readonly struct Rows9 : IRowCount { public static int Value => 9; }
    private readonly struct Rows10 : IRowCount { public static int Value => 10; }
    private readonly struct Rows11 : IRowCount { public static int Value => 11; }
    private readonly struct Rows12 : IRowCount { public static int Value => 12; }
    private readonly struct Rows13 : IRowCount { public static int Value => 13; }
    private readonly struct Rows14 : IRowCount { public static int Value => 14; }
    private readonly struct Rows15 : IRowCount { public static int Value => 15; }
    private readonly struct Rows16 : IRowCount { public static int Value => 16; }
}
