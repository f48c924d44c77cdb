using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Native.Numerics.Kernels.Quantized;

/// <summary>
/// A row of features to its bytes and its first layer's sums, for a first layer in dot-product form
/// (<see cref="DotProductKernel"/>): the bytes of <see cref="LevelKernel.Features{TSimd, TVector, TMap}(ref float, in TMap, int, ref byte)"/>
/// and the sums of <see cref="DotProductKernel.Row"/>, the same bits, in one pass over the row where the width allows.
/// </summary>
/// <remarks>
/// <para>
/// Fused (256 bits and below): each step turns one vector of bytes' worth of features into bytes in registers — four float
/// vectors of levels, packed — and multiplies them at once into the sums of up to 12 outputs, so a 784 × 10 head reads its
/// row once and never waits for a stored row of bytes; the bytes are stored too, for the outputs beyond the first 12.
/// The conversion runs at the width of the products, so the whole pass keeps to 256-bit instructions, and on a CPU with
/// AVX-512 the vector port that 512-bit instructions close stays open to <c>vpdpbusd</c> (Intel Xeon, Emerald Rapids,
/// loaded: a 784 × 10 row's bytes and sums in 86–100 ns, against ~108 ns for the bytes at 512 bits, then the sums).
/// </para>
/// <para>
/// At 512 bits (<c>vpmaddubsw</c>, whose three instructions per step leave no room for the conversion's beside them) the
/// two passes stay apart: the bytes, then the sums.
/// </para>
/// <para>
/// One row of a one-layer model of at most 12 outputs and 32 features or more, at 256 bits, takes
/// <see cref="InterleavedKernel"/> instead (the same sums from weights interleaved by step, in fewer instructions); this
/// pass serves the batches, and one row of the other shapes and widths.
/// </para>
/// </remarks>
internal static class FeatureKernel
{
    // The outputs whose sums one fused pass carries: 12 sums, a row's bytes, four vectors of levels and the map's
    // constants fill 32 registers, or spill a little on a CPU with 16.
    private const int Block = 12;

    /// <summary>
    /// bytes[j] = byte(x[j]·scale + offset) for j below <paramref name="count"/>, and sums[o] = Σ_k bytes[k]·W[o, k] for o
    /// below <paramref name="outputs"/>; returns whether every feature has a level.
    /// </summary>
    /// <param name="x">The row's features.</param>
    /// <param name="map">Their map to levels.</param>
    /// <param name="count">The features: the layer's inputs.</param>
    /// <param name="bytes">Where the row's bytes go: <paramref name="length"/> of them, any past <paramref name="count"/>.</param>
    /// <param name="w">The weights, row-major, each row <paramref name="length"/> bytes, zero past <paramref name="count"/>.</param>
    /// <param name="length">The bytes of a row of W: a multiple of 64.</param>
    /// <param name="outputs">The rows of W.</param>
    /// <param name="sums">Where the sums go: room for 16 at least; those past the outputs and below 16 may be set to 0.</param>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool Row<TProducts, TBytes, TInts, TMap>(ref float x, in TMap map, int count, ref byte bytes, ref byte w, int length, int outputs, ref int sums)
        where TProducts : IByteProducts<TBytes, TInts>
        where TBytes : struct
        where TInts : struct
        where TMap : struct, IFeatureMap, allows ref struct
    {
        if (TProducts.Lanes == Vector512<int>.Count)
        {
            bool defined = LevelKernel.Features<Simd512, Vector512<float>, TMap>(ref x, in map, count, ref bytes);
            DotProductKernel.Row<TProducts, TBytes, TInts>(ref bytes, ref w, length, count, outputs, ref sums);
            return defined;
        }

        int first = Math.Min(outputs, Block);
        bool result = TProducts.Lanes == Vector256<int>.Count ? Fused<TProducts, TBytes, TInts, Simd256, Vector256<float>, TMap>(ref x, in map, count, ref bytes, ref w, length, first, ref sums)
            : TProducts.Lanes == Vector128<int>.Count ? Fused<TProducts, TBytes, TInts, Simd128, Vector128<float>, TMap>(ref x, in map, count, ref bytes, ref w, length, first, ref sums)
            : Fused<TProducts, TBytes, TInts, SimdScalar, float, TMap>(ref x, in map, count, ref bytes, ref w, length, first, ref sums);
        if (outputs > first)
        {
            DotProductKernel.Row<TProducts, TBytes, TInts>(ref bytes, ref Unsafe.Add(ref w, (nint)first * length), length, count, outputs - first, ref Unsafe.Add(ref sums, first));
        }

        return result;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool Fused<TProducts, TBytes, TInts, TSimd, TVector, TMap>(ref float x, in TMap map, int count, ref byte bytes, ref byte w, int length, int outputs, ref int sums)
        where TProducts : IByteProducts<TBytes, TInts>
        where TBytes : struct
        where TInts : struct
        where TSimd : ISimd<TVector>
        where TVector : struct
        where TMap : struct, IFeatureMap, allows ref struct => outputs switch
        {
            1 => Pass<TProducts, TBytes, TInts, TSimd, TVector, TMap, Rows1>(ref x, in map, count, ref bytes, ref w, length, ref sums),
            2 => Pass<TProducts, TBytes, TInts, TSimd, TVector, TMap, Rows2>(ref x, in map, count, ref bytes, ref w, length, ref sums),
            3 => Pass<TProducts, TBytes, TInts, TSimd, TVector, TMap, Rows3>(ref x, in map, count, ref bytes, ref w, length, ref sums),
            4 => Pass<TProducts, TBytes, TInts, TSimd, TVector, TMap, Rows4>(ref x, in map, count, ref bytes, ref w, length, ref sums),
            5 => Pass<TProducts, TBytes, TInts, TSimd, TVector, TMap, Rows5>(ref x, in map, count, ref bytes, ref w, length, ref sums),
            6 => Pass<TProducts, TBytes, TInts, TSimd, TVector, TMap, Rows6>(ref x, in map, count, ref bytes, ref w, length, ref sums),
            7 => Pass<TProducts, TBytes, TInts, TSimd, TVector, TMap, Rows7>(ref x, in map, count, ref bytes, ref w, length, ref sums),
            8 => Pass<TProducts, TBytes, TInts, TSimd, TVector, TMap, Rows8>(ref x, in map, count, ref bytes, ref w, length, ref sums),
            9 => Pass<TProducts, TBytes, TInts, TSimd, TVector, TMap, Rows9>(ref x, in map, count, ref bytes, ref w, length, ref sums),
            10 => Pass<TProducts, TBytes, TInts, TSimd, TVector, TMap, Rows10>(ref x, in map, count, ref bytes, ref w, length, ref sums),
            11 => Pass<TProducts, TBytes, TInts, TSimd, TVector, TMap, Rows11>(ref x, in map, count, ref bytes, ref w, length, ref sums),
            _ => Pass<TProducts, TBytes, TInts, TSimd, TVector, TMap, Rows12>(ref x, in map, count, ref bytes, ref w, length, ref sums),
        };

    // sums[0 … 16) = first, second, third, then zeros: as one vector at the widest width the CPU has, so the float steps'
    // loads, of any width, each read within one store.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreSums<TProducts, TBytes, TInts>(ref int sums, Vector128<int> first, Vector128<int> second, Vector128<int> third)
        where TProducts : IByteProducts<TBytes, TInts>
        where TBytes : struct
        where TInts : struct
    {
        if (Vector512.IsHardwareAccelerated && TProducts.Lanes == 16)
        {
            Vector512.Create(Vector256.Create(first, second), Vector256.Create(third, Vector128<int>.Zero)).StoreUnsafe(ref sums);
        }
        else if (Vector256.IsHardwareAccelerated && TProducts.Lanes >= 8)
        {
            Vector256.Create(first, second).StoreUnsafe(ref sums);
            Vector256.Create(third, Vector128<int>.Zero).StoreUnsafe(ref sums, 8);
        }
        else
        {
            first.StoreUnsafe(ref sums);
            second.StoreUnsafe(ref sums, 4);
            third.StoreUnsafe(ref sums, 8);
            Vector128<int>.Zero.StoreUnsafe(ref sums, 12);
        }
    }

    // The row's bytes, and n rows of W against them: each step's bytes made from 4 × TSimd.Count features (one TBytes),
    // stored, and multiplied into the n sums; the features left over (fewer than a step) made by LevelKernel first, and
    // their bytes read back last.
    [MethodImpl(MethodImplOptions.AggressiveOptimization | MethodImplOptions.NoInlining)]
    private static bool Pass<TProducts, TBytes, TInts, TSimd, TVector, TMap, TRows>(ref float x, in TMap map, int count, ref byte bytes, ref byte w, int length, ref int sums)
        where TProducts : IByteProducts<TBytes, TInts>
        where TBytes : struct
        where TInts : struct
        where TSimd : ISimd<TVector>
        where TVector : struct
        where TMap : struct, IFeatureMap, allows ref struct
        where TRows : struct, IRowCount
    {
        int n = TRows.Value;
        nint stride = length, step = TProducts.Lanes * sizeof(int);

        // The features past the last whole step first, by the general kernel: a call made while the sums are live would
        // keep them in memory.
        nint whole = count / step * step;
        bool defined = LevelKernel.Features<TSimd, TVector, TMap>(ref x, in map, whole, count, ref bytes);

        TVector scale = TSimd.Create(map.Scale), offset = TSimd.Create(map.Offset);
        TVector leastByte = IntegerLanes<TVector>.GreatestBytes;
        TInts s0 = TProducts.Zero, s1 = TProducts.Zero, s2 = TProducts.Zero, s3 = TProducts.Zero, s4 = TProducts.Zero, s5 = TProducts.Zero;
        TInts s6 = TProducts.Zero, s7 = TProducts.Zero, s8 = TProducts.Zero, s9 = TProducts.Zero, s10 = TProducts.Zero, s11 = TProducts.Zero;
        nint k = 0;
        for (; k < whole; k += step)
        {
            TVector packed = LevelKernel.Quad<TSimd, TVector, TMap>(ref x, in map, k, scale, offset);
            leastByte = IntegerLanes<TVector>.LeastBytes(leastByte, packed);
            TBytes u = Unsafe.BitCast<TVector, TBytes>(IntegerLanes<TVector>.Unsigned(packed));
            Unsafe.WriteUnaligned(ref Unsafe.Add(ref bytes, k), u);
            ref byte column = ref Unsafe.Add(ref w, k);
            s0 = TProducts.MultiplyAdd(s0, u, TProducts.Load(in column, 0));
            if (n > 1) { s1 = TProducts.MultiplyAdd(s1, u, TProducts.Load(in column, stride)); }
            if (n > 2) { s2 = TProducts.MultiplyAdd(s2, u, TProducts.Load(in column, 2 * stride)); }
            if (n > 3) { s3 = TProducts.MultiplyAdd(s3, u, TProducts.Load(in column, 3 * stride)); }
            if (n > 4) { s4 = TProducts.MultiplyAdd(s4, u, TProducts.Load(in column, 4 * stride)); }
            if (n > 5) { s5 = TProducts.MultiplyAdd(s5, u, TProducts.Load(in column, 5 * stride)); }
            if (n > 6) { s6 = TProducts.MultiplyAdd(s6, u, TProducts.Load(in column, 6 * stride)); }
            if (n > 7) { s7 = TProducts.MultiplyAdd(s7, u, TProducts.Load(in column, 7 * stride)); }
            if (n > 8) { s8 = TProducts.MultiplyAdd(s8, u, TProducts.Load(in column, 8 * stride)); }
            if (n > 9) { s9 = TProducts.MultiplyAdd(s9, u, TProducts.Load(in column, 9 * stride)); }
            if (n > 10) { s10 = TProducts.MultiplyAdd(s10, u, TProducts.Load(in column, 10 * stride)); }
            if (n > 11) { s11 = TProducts.MultiplyAdd(s11, u, TProducts.Load(in column, 11 * stride)); }
        }

        // Their bytes (any past the features: their weights are zero).
        for (; k < count; k += step)
        {
            TBytes u = TProducts.Load(in bytes, k);
            ref byte column = ref Unsafe.Add(ref w, k);
            s0 = TProducts.MultiplyAdd(s0, u, TProducts.Load(in column, 0));
            if (n > 1) { s1 = TProducts.MultiplyAdd(s1, u, TProducts.Load(in column, stride)); }
            if (n > 2) { s2 = TProducts.MultiplyAdd(s2, u, TProducts.Load(in column, 2 * stride)); }
            if (n > 3) { s3 = TProducts.MultiplyAdd(s3, u, TProducts.Load(in column, 3 * stride)); }
            if (n > 4) { s4 = TProducts.MultiplyAdd(s4, u, TProducts.Load(in column, 4 * stride)); }
            if (n > 5) { s5 = TProducts.MultiplyAdd(s5, u, TProducts.Load(in column, 5 * stride)); }
            if (n > 6) { s6 = TProducts.MultiplyAdd(s6, u, TProducts.Load(in column, 6 * stride)); }
            if (n > 7) { s7 = TProducts.MultiplyAdd(s7, u, TProducts.Load(in column, 7 * stride)); }
            if (n > 8) { s8 = TProducts.MultiplyAdd(s8, u, TProducts.Load(in column, 8 * stride)); }
            if (n > 9) { s9 = TProducts.MultiplyAdd(s9, u, TProducts.Load(in column, 9 * stride)); }
            if (n > 10) { s10 = TProducts.MultiplyAdd(s10, u, TProducts.Load(in column, 10 * stride)); }
            if (n > 11) { s11 = TProducts.MultiplyAdd(s11, u, TProducts.Load(in column, 11 * stride)); }
        }

        // One store of 16 sums where the float steps read them as one 512-bit vector (a read spanning several stores waits
        // for them to reach the cache: ~110 cycles a row, measured), whole vectors of the float width elsewhere.
        Vector128<int> zero = Vector128<int>.Zero;
        Vector128<int> first = TProducts.SumEach(s0, s1, s2, s3);
        Vector128<int> second = n > 4 ? TProducts.SumEach(s4, s5, s6, s7) : zero;
        Vector128<int> third = n > 8 ? TProducts.SumEach(s8, s9, s10, s11) : zero;
        StoreSums<TProducts, TBytes, TInts>(ref sums, first, second, third);

        // A byte of −128 is a feature far below the range, or one without a level: only the levels tell which.
        return defined && (!IntegerLanes<TVector>.AnyLeastByte(leastByte) || LevelKernel.Defined<TSimd, TVector, TMap>(ref x, in map, 0, whole));
    }
}
