using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

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
    /// <param name="a">The row's bytes: <paramref name="length"/> of them, any past <paramref name="inputs"/>.</param>
    /// <param name="w">The weights, row-major, each row <paramref name="length"/> bytes, zero past <paramref name="inputs"/>.</param>
    /// <param name="length">The bytes of a row of W: a multiple of 64.</param>
    /// <param name="inputs">The inputs: the kernel reads them rounded up to its vector's bytes, no more.</param>
    /// <param name="outputs">The rows of W.</param>
    /// <param name="sums">Where the sums go.</param>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Row<TProducts, TBytes, TInts>(ref byte a, ref byte w, int length, int inputs, int outputs, ref int sums)
        where TProducts : IByteProducts<TBytes, TInts>
        where TBytes : struct
        where TInts : struct
    {
        // A row of 784 bytes is 25 vectors of 32 at 256 bits, not the 26 its 832-byte stride holds.
        int step = TProducts.Lanes * sizeof(int);
        int read = Math.Min(length, (inputs + step - 1) / step * step);
        int block = TProducts.Lanes == 16 ? 16 : 12;
        int o = 0;
        for (; o + block <= outputs; o += block)
        {
            if (block == 16)
            {
                Block<TProducts, TBytes, TInts, Rows16>(ref a, ref Unsafe.Add(ref w, (nint)o * length), length, read, ref Unsafe.Add(ref sums, o));
            }
            else
            {
                Block<TProducts, TBytes, TInts, Rows12>(ref a, ref Unsafe.Add(ref w, (nint)o * length), length, read, ref Unsafe.Add(ref sums, o));
            }
        }

        ref byte wo = ref Unsafe.Add(ref w, (nint)o * length);
        ref int so = ref Unsafe.Add(ref sums, o);
        switch (outputs - o)
        {
            case 0: break;
            case 1: Block<TProducts, TBytes, TInts, Rows1>(ref a, ref wo, length, read, ref so); break;
            case 2: Block<TProducts, TBytes, TInts, Rows2>(ref a, ref wo, length, read, ref so); break;
            case 3: Block<TProducts, TBytes, TInts, Rows3>(ref a, ref wo, length, read, ref so); break;
            case 4: Block<TProducts, TBytes, TInts, Rows4>(ref a, ref wo, length, read, ref so); break;
            case 5: Block<TProducts, TBytes, TInts, Rows5>(ref a, ref wo, length, read, ref so); break;
            case 6: Block<TProducts, TBytes, TInts, Rows6>(ref a, ref wo, length, read, ref so); break;
            case 7: Block<TProducts, TBytes, TInts, Rows7>(ref a, ref wo, length, read, ref so); break;
            case 8: Block<TProducts, TBytes, TInts, Rows8>(ref a, ref wo, length, read, ref so); break;
            case 9: Block<TProducts, TBytes, TInts, Rows9>(ref a, ref wo, length, read, ref so); break;
            case 10: Block<TProducts, TBytes, TInts, Rows10>(ref a, ref wo, length, read, ref so); break;
            case 11: Block<TProducts, TBytes, TInts, Rows11>(ref a, ref wo, length, read, ref so); break;
            default:
                // Blocks of 12 to 15 rows are left over only at 512 bits; the narrower paths' code keeps none of these.
                if (TProducts.Lanes == 16)
                {
                    switch (outputs - o)
                    {
                        case 12: Block<TProducts, TBytes, TInts, Rows12>(ref a, ref wo, length, read, ref so); break;
                        case 13: Block<TProducts, TBytes, TInts, Rows13>(ref a, ref wo, length, read, ref so); break;
                        case 14: Block<TProducts, TBytes, TInts, Rows14>(ref a, ref wo, length, read, ref so); break;
                        default: Block<TProducts, TBytes, TInts, Rows15>(ref a, ref wo, length, read, ref so); break;
                    }
                }

                break;
        }
    }

    // Rows first … first + n of W against the row's first `read` bytes: n sums, each summed across its lanes at the end,
    // four at a time.
    [MethodImpl(MethodImplOptions.AggressiveOptimization | MethodImplOptions.NoInlining)]
    private static void Block<TProducts, TBytes, TInts, TRows>(ref byte a, ref byte w, int length, int read, ref int sums)
        where TProducts : IByteProducts<TBytes, TInts>
        where TBytes : struct
        where TInts : struct
        where TRows : struct, IRowCount
    {
        int n = TRows.Value;
        nint stride = length;
        TInts s0 = TProducts.Zero, s1 = TProducts.Zero, s2 = TProducts.Zero, s3 = TProducts.Zero, s4 = TProducts.Zero, s5 = TProducts.Zero, s6 = TProducts.Zero, s7 = TProducts.Zero;
        TInts s8 = TProducts.Zero, s9 = TProducts.Zero, s10 = TProducts.Zero, s11 = TProducts.Zero, s12 = TProducts.Zero, s13 = TProducts.Zero, s14 = TProducts.Zero, s15 = TProducts.Zero;
        for (nint k = 0; k < read; k += TProducts.Lanes * sizeof(int))
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

        Store<TProducts, TBytes, TInts>(n, ref sums, s0, s1, s2, s3);
        if (n > 4) { Store<TProducts, TBytes, TInts>(n - 4, ref Unsafe.Add(ref sums, 4), s4, s5, s6, s7); }
        if (n > 8) { Store<TProducts, TBytes, TInts>(n - 8, ref Unsafe.Add(ref sums, 8), s8, s9, s10, s11); }
        if (n > 12) { Store<TProducts, TBytes, TInts>(n - 12, ref Unsafe.Add(ref sums, 12), s12, s13, s14, s15); }
    }

    // The lane sums of the first `count` (1 … 4, or more for all four) of four vectors, at sums[0 … count).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void Store<TProducts, TBytes, TInts>(int count, ref int sums, TInts a, TInts b, TInts c, TInts d)
        where TProducts : IByteProducts<TBytes, TInts>
        where TBytes : struct
        where TInts : struct
    {
        Vector128<int> each = TProducts.SumEach(a, b, c, d);
        if (count >= 4)
        {
            each.StoreUnsafe(ref sums);
            return;
        }

        if (count >= 2)
        {
            Unsafe.WriteUnaligned(ref Unsafe.As<int, byte>(ref sums), each.AsInt64().ToScalar());
            if (count == 3)
            {
                Unsafe.Add(ref sums, 2) = each.GetElement(2);
            }

            return;
        }

        sums = each.ToScalar();
    }
}

/// <summary>A number of rows of W, as a type, so each block's guards fold to its exact accumulators.</summary>
internal interface IRowCount
{
    static abstract int Value { get; }
}

internal readonly struct Rows1 : IRowCount { public static int Value => 1; }
internal readonly struct Rows2 : IRowCount { public static int Value => 2; }
internal readonly struct Rows3 : IRowCount { public static int Value => 3; }
internal readonly struct Rows4 : IRowCount { public static int Value => 4; }
internal readonly struct Rows5 : IRowCount { public static int Value => 5; }
internal readonly struct Rows6 : IRowCount { public static int Value => 6; }
internal readonly struct Rows7 : IRowCount { public static int Value => 7; }
internal readonly struct Rows8 : IRowCount { public static int Value => 8; }
internal readonly struct Rows9 : IRowCount { public static int Value => 9; }
internal readonly struct Rows10 : IRowCount { public static int Value => 10; }
internal readonly struct Rows11 : IRowCount { public static int Value => 11; }
internal readonly struct Rows12 : IRowCount { public static int Value => 12; }
internal readonly struct Rows13 : IRowCount { public static int Value => 13; }
internal readonly struct Rows14 : IRowCount { public static int Value => 14; }
internal readonly struct Rows15 : IRowCount { public static int Value => 15; }
internal readonly struct Rows16 : IRowCount { public static int Value => 16; }
