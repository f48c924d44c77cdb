using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Native.Numerics.Quantization;

namespace Native.Numerics.Kernels.Quantized;

/// <summary>
/// Products of unsigned and signed bytes summed four at a time into 32-bit lanes, at one width and with one instruction
/// set: the one operation the integer kernels are built on. Each 32-bit lane i of <see cref="MultiplyAdd"/>'s result is
/// sums[i] + u[4i]·s[4i] + u[4i+1]·s[4i+1] + u[4i+2]·s[4i+2] + u[4i+3]·s[4i+3], exactly, on every implementation.
/// </summary>
/// <remarks>
/// <para>
/// Exactness is what makes the widths interchangeable: every implementation computes the same integer in every lane, so
/// a layer's 32-bit sums, and every byte and float computed from them, are the same bits on every width and CPU. The
/// bound each one relies on, for the values the quantizer produces (unsigned bytes u ≤ <see cref="QuantizedRange.MaximumActivation"/>
/// = 127, signed bytes |s| ≤ <see cref="QuantizedRange.MaximumWeight"/> = 127):
/// </para>
/// <list type="bullet">
/// <item><c>vpdpbusd</c> (<see cref="AvxVnni"/>): each product u·s is formed exactly (|u·s| ≤ 255·128 = 32,640 fits 16 bits)
/// and the four are added to the 32-bit lane without saturation: exact for any bytes.</item>
/// <item><c>vpmaddubsw</c> then <c>vpmaddwd</c> with ones (<see cref="Avx512BW"/>, <see cref="Avx2"/>, <see cref="Ssse3"/>):
/// the first adds adjacent products into 16 bits with signed saturation. With u ≤ 127 and |s| ≤ 127 a pair's sum is at
/// most 2·127·127 = 32,258 ≤ 32,767 in magnitude, so it never saturates; <c>vpmaddwd</c> then adds two such sums into 32
/// bits, which cannot overflow. (With u up to 255 a pair could reach 2·255·127 = 64,770 and saturate: that is why the
/// activations are 7-bit.)</item>
/// <item>The portable form (any other hardware) shifts each byte out of its lane and multiplies in 32 bits: exact.</item>
/// </list>
/// <para>
/// The 32-bit sums themselves wrap modulo 2³² on every implementation alike (no instruction here saturates them), so
/// even a layer too wide to stay in range would give the same bits everywhere; the quantizer refuses such layers
/// (<see cref="QuantizedRange.MaximumInputs"/>), so the sums are also the true ones.
/// </para>
/// </remarks>
/// <typeparam name="TBytes">A vector of bytes: 4 per 32-bit lane.</typeparam>
/// <typeparam name="TInts">A vector of 32-bit sums.</typeparam>
internal interface IByteProducts<TBytes, TInts>
    where TBytes : struct
    where TInts : struct
{
    /// <summary>32-bit lanes per vector: the outputs one vector of sums holds.</summary>
    static abstract int Lanes { get; }

    /// <summary>All lanes zero.</summary>
    static abstract TInts Zero { get; }

    /// <summary>The four bytes at <paramref name="source"/> + <paramref name="offset"/> in every lane.</summary>
    static abstract TBytes Broadcast(ref readonly byte source, nint offset);

    /// <summary><see cref="Lanes"/> × 4 bytes from <paramref name="source"/> + <paramref name="offset"/>, unchecked.</summary>
    static abstract TBytes Load(ref readonly byte source, nint offset);

    /// <summary><paramref name="sums"/> plus, per lane, the four products of the unsigned bytes of <paramref name="unsigned"/> and the signed bytes of <paramref name="signed"/>.</summary>
    static abstract TInts MultiplyAdd(TInts sums, TBytes unsigned, TBytes signed);

    /// <summary>Lane-wise sum.</summary>
    static abstract TInts Add(TInts left, TInts right);

    /// <summary>Stores <see cref="Lanes"/> sums at <paramref name="destination"/> + <paramref name="offset"/>, unchecked.</summary>
    static abstract void Store(TInts sums, ref int destination, nint offset);

    /// <summary>The sum of the lanes (wrapping, as every sum here does).</summary>
    static abstract int Sum(TInts sums);

    /// <summary>
    /// The sums of the lanes of four vectors, in that order (wrapping): the lanes interleaved and added in a tree, a third of
    /// the instructions of four <see cref="Sum"/>s.
    /// </summary>
    static abstract Vector128<int> SumEach(TInts a, TInts b, TInts c, TInts d);
}

/// <summary>The portable products: each byte shifted out of its lane, multiplied and added in 32 bits.</summary>
internal static class PortableProducts
{
    /// <summary>sums + Σ of the four byte products per lane, for a 128-bit vector.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<int> MultiplyAdd(Vector128<int> sums, Vector128<byte> unsigned, Vector128<byte> signed)
    {
        Vector128<int> u = unsigned.AsInt32(), s = signed.AsInt32(), mask = Vector128.Create(0xFF);
        sums += (u & mask) * Vector128.ShiftRightArithmetic(Vector128.ShiftLeft(s, 24), 24);
        sums += (Vector128.ShiftRightLogical(u, 8) & mask) * Vector128.ShiftRightArithmetic(Vector128.ShiftLeft(s, 16), 24);
        sums += (Vector128.ShiftRightLogical(u, 16) & mask) * Vector128.ShiftRightArithmetic(Vector128.ShiftLeft(s, 8), 24);
        return sums + (Vector128.ShiftRightLogical(u, 24) * Vector128.ShiftRightArithmetic(s, 24));
    }

    /// <summary>The same for a 256-bit vector.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<int> MultiplyAdd(Vector256<int> sums, Vector256<byte> unsigned, Vector256<byte> signed)
    {
        Vector256<int> u = unsigned.AsInt32(), s = signed.AsInt32(), mask = Vector256.Create(0xFF);
        sums += (u & mask) * Vector256.ShiftRightArithmetic(Vector256.ShiftLeft(s, 24), 24);
        sums += (Vector256.ShiftRightLogical(u, 8) & mask) * Vector256.ShiftRightArithmetic(Vector256.ShiftLeft(s, 16), 24);
        sums += (Vector256.ShiftRightLogical(u, 16) & mask) * Vector256.ShiftRightArithmetic(Vector256.ShiftLeft(s, 8), 24);
        return sums + (Vector256.ShiftRightLogical(u, 24) * Vector256.ShiftRightArithmetic(s, 24));
    }

    /// <summary>The same for a 512-bit vector.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<int> MultiplyAdd(Vector512<int> sums, Vector512<byte> unsigned, Vector512<byte> signed)
    {
        Vector512<int> u = unsigned.AsInt32(), s = signed.AsInt32(), mask = Vector512.Create(0xFF);
        sums += (u & mask) * Vector512.ShiftRightArithmetic(Vector512.ShiftLeft(s, 24), 24);
        sums += (Vector512.ShiftRightLogical(u, 8) & mask) * Vector512.ShiftRightArithmetic(Vector512.ShiftLeft(s, 16), 24);
        sums += (Vector512.ShiftRightLogical(u, 16) & mask) * Vector512.ShiftRightArithmetic(Vector512.ShiftLeft(s, 8), 24);
        return sums + (Vector512.ShiftRightLogical(u, 24) * Vector512.ShiftRightArithmetic(s, 24));
    }
}

/// <summary>One lane of four bytes at a time, in plain integer arithmetic: the reference every vector path is held to.</summary>
internal readonly struct ScalarProducts : IByteProducts<uint, int>
{
    public static int Lanes
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => 1;
    }

    public static int Zero
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => 0;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static uint Broadcast(ref readonly byte source, nint offset) => Unsafe.ReadUnaligned<uint>(in Unsafe.Add(ref Unsafe.AsRef(in source), offset));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static uint Load(ref readonly byte source, nint offset) => Unsafe.ReadUnaligned<uint>(in Unsafe.Add(ref Unsafe.AsRef(in source), offset));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int MultiplyAdd(int sums, uint unsigned, uint signed) =>
        sums + ((int)(byte)unsigned * (sbyte)signed) + ((int)(byte)(unsigned >> 8) * (sbyte)(signed >> 8))
             + ((int)(byte)(unsigned >> 16) * (sbyte)(signed >> 16)) + ((int)(byte)(unsigned >> 24) * (sbyte)(signed >> 24));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Add(int left, int right) => left + right;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(int sums, ref int destination, nint offset) => Unsafe.Add(ref destination, offset) = sums;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Sum(int sums) => sums;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<int> SumEach(int a, int b, int c, int d) => Vector128.Create(a, b, c, d);
}

/// <summary>128 bits: <c>pmaddubsw</c> + <c>pmaddwd</c> (SSSE3), or the portable form.</summary>
internal readonly struct Products128 : IByteProducts<Vector128<byte>, Vector128<int>>
{
    public static int Lanes
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => Vector128<int>.Count;
    }

    public static Vector128<int> Zero
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => Vector128<int>.Zero;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> Broadcast(ref readonly byte source, nint offset) => Vector128.Create(ScalarProducts.Broadcast(in source, offset)).AsByte();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> Load(ref readonly byte source, nint offset) => Vector128.LoadUnsafe(in source, (nuint)offset);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<int> MultiplyAdd(Vector128<int> sums, Vector128<byte> unsigned, Vector128<byte> signed) =>
        Ssse3.IsSupported
            ? sums + Sse2.MultiplyAddAdjacent(Ssse3.MultiplyAddAdjacent(unsigned, signed.AsSByte()), Vector128<short>.One)
            : PortableProducts.MultiplyAdd(sums, unsigned, signed);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<int> Add(Vector128<int> left, Vector128<int> right) => left + right;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(Vector128<int> sums, ref int destination, nint offset) => sums.StoreUnsafe(ref destination, (nuint)offset);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Sum(Vector128<int> sums) => Vector128.Sum(sums);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<int> SumEach(Vector128<int> a, Vector128<int> b, Vector128<int> c, Vector128<int> d) => Lanes128.SumEach(a, b, c, d);
}

/// <summary>256 bits: <c>vpmaddubsw</c> + <c>vpmaddwd</c> (AVX2), or the portable form.</summary>
internal readonly struct Products256 : IByteProducts<Vector256<byte>, Vector256<int>>
{
    public static int Lanes
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => Vector256<int>.Count;
    }

    public static Vector256<int> Zero
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => Vector256<int>.Zero;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<byte> Broadcast(ref readonly byte source, nint offset) => Vector256.Create(ScalarProducts.Broadcast(in source, offset)).AsByte();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<byte> Load(ref readonly byte source, nint offset) => Vector256.LoadUnsafe(in source, (nuint)offset);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<int> MultiplyAdd(Vector256<int> sums, Vector256<byte> unsigned, Vector256<byte> signed) =>
        Avx2.IsSupported
            ? sums + Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(unsigned, signed.AsSByte()), Vector256<short>.One)
            : PortableProducts.MultiplyAdd(sums, unsigned, signed);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<int> Add(Vector256<int> left, Vector256<int> right) => left + right;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(Vector256<int> sums, ref int destination, nint offset) => sums.StoreUnsafe(ref destination, (nuint)offset);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Sum(Vector256<int> sums) => Vector256.Sum(sums);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<int> SumEach(Vector256<int> a, Vector256<int> b, Vector256<int> c, Vector256<int> d) => Lanes128.SumEach(a, b, c, d);
}

/// <summary>512 bits: <c>vpmaddubsw</c> + <c>vpmaddwd</c> (AVX-512BW), or the portable form.</summary>
internal readonly struct Products512 : IByteProducts<Vector512<byte>, Vector512<int>>
{
    public static int Lanes
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => Vector512<int>.Count;
    }

    public static Vector512<int> Zero
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => Vector512<int>.Zero;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<byte> Broadcast(ref readonly byte source, nint offset) => Vector512.Create(ScalarProducts.Broadcast(in source, offset)).AsByte();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<byte> Load(ref readonly byte source, nint offset) => Vector512.LoadUnsafe(in source, (nuint)offset);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<int> MultiplyAdd(Vector512<int> sums, Vector512<byte> unsigned, Vector512<byte> signed) =>
        Avx512BW.IsSupported
            ? sums + Avx512BW.MultiplyAddAdjacent(Avx512BW.MultiplyAddAdjacent(unsigned, signed.AsSByte()), Vector512<short>.One)
            : PortableProducts.MultiplyAdd(sums, unsigned, signed);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<int> Add(Vector512<int> left, Vector512<int> right) => left + right;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(Vector512<int> sums, ref int destination, nint offset) => sums.StoreUnsafe(ref destination, (nuint)offset);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Sum(Vector512<int> sums) => Vector512.Sum(sums);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<int> SumEach(Vector512<int> a, Vector512<int> b, Vector512<int> c, Vector512<int> d) =>
        Lanes128.SumEach(a.GetLower() + a.GetUpper(), b.GetLower() + b.GetUpper(), c.GetLower() + c.GetUpper(), d.GetLower() + d.GetUpper());
}

/// <summary>128 bits with AVX-VNNI: one <c>vpdpbusd</c> per multiply-add, or the portable form where the CPU lacks it.</summary>
internal readonly struct VnniProducts128 : IByteProducts<Vector128<byte>, Vector128<int>>
{
    public static int Lanes
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => Vector128<int>.Count;
    }

    public static Vector128<int> Zero
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => Vector128<int>.Zero;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> Broadcast(ref readonly byte source, nint offset) => Products128.Broadcast(in source, offset);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> Load(ref readonly byte source, nint offset) => Vector128.LoadUnsafe(in source, (nuint)offset);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<int> MultiplyAdd(Vector128<int> sums, Vector128<byte> unsigned, Vector128<byte> signed) =>
        AvxVnni.IsSupported
            ? AvxVnni.MultiplyWideningAndAdd(sums, unsigned, signed.AsSByte())
            : PortableProducts.MultiplyAdd(sums, unsigned, signed);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<int> Add(Vector128<int> left, Vector128<int> right) => left + right;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(Vector128<int> sums, ref int destination, nint offset) => sums.StoreUnsafe(ref destination, (nuint)offset);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Sum(Vector128<int> sums) => Vector128.Sum(sums);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<int> SumEach(Vector128<int> a, Vector128<int> b, Vector128<int> c, Vector128<int> d) => Lanes128.SumEach(a, b, c, d);
}

/// <summary>256 bits with AVX-VNNI: one <c>vpdpbusd</c> per multiply-add, or the portable form where the CPU lacks it.</summary>
internal readonly struct VnniProducts256 : IByteProducts<Vector256<byte>, Vector256<int>>
{
    public static int Lanes
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => Vector256<int>.Count;
    }

    public static Vector256<int> Zero
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => Vector256<int>.Zero;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<byte> Broadcast(ref readonly byte source, nint offset) => Products256.Broadcast(in source, offset);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<byte> Load(ref readonly byte source, nint offset) => Vector256.LoadUnsafe(in source, (nuint)offset);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<int> MultiplyAdd(Vector256<int> sums, Vector256<byte> unsigned, Vector256<byte> signed) =>
        AvxVnni.IsSupported
            ? AvxVnni.MultiplyWideningAndAdd(sums, unsigned, signed.AsSByte())
            : PortableProducts.MultiplyAdd(sums, unsigned, signed);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<int> Add(Vector256<int> left, Vector256<int> right) => left + right;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(Vector256<int> sums, ref int destination, nint offset) => sums.StoreUnsafe(ref destination, (nuint)offset);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Sum(Vector256<int> sums) => Vector256.Sum(sums);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<int> SumEach(Vector256<int> a, Vector256<int> b, Vector256<int> c, Vector256<int> d) => Lanes128.SumEach(a, b, c, d);
}

/// <summary>Four vectors' lane sums at once, as <see cref="IByteProducts{TBytes, TInts}.SumEach"/> computes them.</summary>
internal static class Lanes128
{
    /// <summary>[Σa, Σb, Σc, Σd]: the lanes interleaved in pairs and added, twice (<c>punpck*dq</c>, <c>punpck*qdq</c>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<int> SumEach(Vector128<int> a, Vector128<int> b, Vector128<int> c, Vector128<int> d)
    {
        if (!Sse2.IsSupported)
        {
            return Vector128.Create(Vector128.Sum(a), Vector128.Sum(b), Vector128.Sum(c), Vector128.Sum(d));
        }

        // [a0 + a2, b0 + b2, a1 + a3, b1 + b3], the same for c and d, then the pairs' halves added.
        Vector128<int> ab = Sse2.UnpackLow(a, b) + Sse2.UnpackHigh(a, b);
        Vector128<int> cd = Sse2.UnpackLow(c, d) + Sse2.UnpackHigh(c, d);
        return Sse2.UnpackLow(ab.AsInt64(), cd.AsInt64()).AsInt32() + Sse2.UnpackHigh(ab.AsInt64(), cd.AsInt64()).AsInt32();
    }

    /// <summary>The same for 256-bit vectors: each 128-bit half's four sums, then the halves added.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<int> SumEach(Vector256<int> a, Vector256<int> b, Vector256<int> c, Vector256<int> d)
    {
        if (!Avx2.IsSupported)
        {
            return SumEach(a.GetLower() + a.GetUpper(), b.GetLower() + b.GetUpper(), c.GetLower() + c.GetUpper(), d.GetLower() + d.GetUpper());
        }

        Vector256<int> ab = Avx2.UnpackLow(a, b) + Avx2.UnpackHigh(a, b);
        Vector256<int> cd = Avx2.UnpackLow(c, d) + Avx2.UnpackHigh(c, d);
        Vector256<int> abcd = Avx2.UnpackLow(ab.AsInt64(), cd.AsInt64()).AsInt32() + Avx2.UnpackHigh(ab.AsInt64(), cd.AsInt64()).AsInt32();
        return abcd.GetLower() + abcd.GetUpper();
    }
}
