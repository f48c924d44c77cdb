using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Native.Numerics.Kernels.Quantized;

// Levels to bytes: four vectors packed into one (Bytes, SignedBytes), one vector stored, and the byte-wise extremes.
internal static partial class IntegerLanes<TVector>
{
    /// <summary>
    /// Stores four vectors of levels, clamped to 0 … 127, as bytes at <paramref name="destination"/> +
    /// <paramref name="offset"/>: <paramref name="a"/>'s lanes first, then <paramref name="b"/>'s, and so on.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void StoreBytes(TVector a, TVector b, TVector c, TVector d, ref byte destination, nint offset) =>
        Unsafe.WriteUnaligned(ref Unsafe.Add(ref destination, offset), Bytes(a, b, c, d));

    /// <summary>
    /// Four vectors of levels, clamped to 0 … 127, as the bytes of one vector of this width: <paramref name="a"/>'s lanes
    /// first, then <paramref name="b"/>'s, and so on.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVector Bytes(TVector a, TVector b, TVector c, TVector d) => Unsigned(SignedBytes(a, b, c, d));

    /// <summary>
    /// Four vectors of levels as signed bytes saturated to −128 … 127, in the order of <see cref="Bytes"/>: a byte of −128
    /// is a level of −128 or less, or an <see cref="Indefinite"/> one (which, only the levels tell).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVector SignedBytes(TVector a, TVector b, TVector c, TVector d)
    {
        if (typeof(TVector) == typeof(Vector512<float>))
        {
            Vector512<int> a512 = Unsafe.BitCast<TVector, Vector512<int>>(a), b512 = Unsafe.BitCast<TVector, Vector512<int>>(b);
            Vector512<int> c512 = Unsafe.BitCast<TVector, Vector512<int>>(c), d512 = Unsafe.BitCast<TVector, Vector512<int>>(d);
            if (Avx512BW.IsSupported)
            {
                // Packing works within 128-bit lanes: lane i holds a[4i..4i+3], b[4i..4i+3], c[…], d[…]; the permutation
                // of 32-bit groups puts a's four groups first, then b's, c's and d's.
                Vector512<sbyte> packed = Avx512BW.PackSignedSaturate(Avx512BW.PackSignedSaturate(a512, b512), Avx512BW.PackSignedSaturate(c512, d512));
                return Unsafe.BitCast<Vector512<int>, TVector>(Avx512F.PermuteVar16x32(packed.AsInt32(), Vector512.Create(0, 4, 8, 12, 1, 5, 9, 13, 2, 6, 10, 14, 3, 7, 11, 15)));
            }

            Vector512<int> low = Vector512.Create(-128), high = Vector512.Create(127);
            Vector512<short> ab = Vector512.Narrow(Vector512.Clamp(a512, low, high), Vector512.Clamp(b512, low, high));
            Vector512<short> cd = Vector512.Narrow(Vector512.Clamp(c512, low, high), Vector512.Clamp(d512, low, high));
            return Unsafe.BitCast<Vector512<sbyte>, TVector>(Vector512.Narrow(ab, cd));
        }

        if (typeof(TVector) == typeof(Vector256<float>))
        {
            Vector256<int> a256 = Unsafe.BitCast<TVector, Vector256<int>>(a), b256 = Unsafe.BitCast<TVector, Vector256<int>>(b);
            Vector256<int> c256 = Unsafe.BitCast<TVector, Vector256<int>>(c), d256 = Unsafe.BitCast<TVector, Vector256<int>>(d);
            if (Avx2.IsSupported)
            {
                Vector256<sbyte> packed = Avx2.PackSignedSaturate(Avx2.PackSignedSaturate(a256, b256), Avx2.PackSignedSaturate(c256, d256));
                return Unsafe.BitCast<Vector256<int>, TVector>(Avx2.PermuteVar8x32(packed.AsInt32(), Vector256.Create(0, 4, 1, 5, 2, 6, 3, 7)));
            }

            Vector256<int> low = Vector256.Create(-128), high = Vector256.Create(127);
            Vector256<short> ab = Vector256.Narrow(Vector256.Clamp(a256, low, high), Vector256.Clamp(b256, low, high));
            Vector256<short> cd = Vector256.Narrow(Vector256.Clamp(c256, low, high), Vector256.Clamp(d256, low, high));
            return Unsafe.BitCast<Vector256<sbyte>, TVector>(Vector256.Narrow(ab, cd));
        }

        if (typeof(TVector) == typeof(Vector128<float>))
        {
            Vector128<int> a128 = Unsafe.BitCast<TVector, Vector128<int>>(a), b128 = Unsafe.BitCast<TVector, Vector128<int>>(b);
            Vector128<int> c128 = Unsafe.BitCast<TVector, Vector128<int>>(c), d128 = Unsafe.BitCast<TVector, Vector128<int>>(d);
            if (Sse2.IsSupported)
            {
                return Unsafe.BitCast<Vector128<sbyte>, TVector>(Sse2.PackSignedSaturate(Sse2.PackSignedSaturate(a128, b128), Sse2.PackSignedSaturate(c128, d128)));
            }

            Vector128<int> low = Vector128.Create(-128), high = Vector128.Create(127);
            Vector128<short> ab = Vector128.Narrow(Vector128.Clamp(a128, low, high), Vector128.Clamp(b128, low, high));
            Vector128<short> cd = Vector128.Narrow(Vector128.Clamp(c128, low, high), Vector128.Clamp(d128, low, high));
            return Unsafe.BitCast<Vector128<sbyte>, TVector>(Vector128.Narrow(ab, cd));
        }

        return Unsafe.BitCast<uint, TVector>(SignedByte(a) | ((uint)SignedByte(b) << 8) | ((uint)SignedByte(c) << 16) | ((uint)SignedByte(d) << 24));
    }

    /// <summary>Signed bytes with the negative ones made 0: bytes 0 … 127.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVector Unsigned(TVector signedBytes)
    {
        if (typeof(TVector) == typeof(Vector512<float>))
        {
            return Unsafe.BitCast<Vector512<sbyte>, TVector>(Vector512.Max(Unsafe.BitCast<TVector, Vector512<sbyte>>(signedBytes), Vector512<sbyte>.Zero));
        }

        if (typeof(TVector) == typeof(Vector256<float>))
        {
            return Unsafe.BitCast<Vector256<sbyte>, TVector>(Vector256.Max(Unsafe.BitCast<TVector, Vector256<sbyte>>(signedBytes), Vector256<sbyte>.Zero));
        }

        if (typeof(TVector) == typeof(Vector128<float>))
        {
            return Unsafe.BitCast<Vector128<sbyte>, TVector>(Vector128.Max(Unsafe.BitCast<TVector, Vector128<sbyte>>(signedBytes), Vector128<sbyte>.Zero));
        }

        // A byte is negative where its top bit is set: those bytes cleared.
        uint bytes = Unsafe.BitCast<TVector, uint>(signedBytes);
        uint negative = (bytes >> 7) & 0x01010101u;
        return Unsafe.BitCast<uint, TVector>(bytes & ~(negative * 0xFFu));
    }

    /// <summary>All signed bytes 127: the start of a running <see cref="LeastBytes"/>.</summary>
    public static TVector GreatestBytes
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get
        {
            if (typeof(TVector) == typeof(Vector512<float>))
            {
                return Unsafe.BitCast<Vector512<sbyte>, TVector>(Vector512.Create(sbyte.MaxValue));
            }

            if (typeof(TVector) == typeof(Vector256<float>))
            {
                return Unsafe.BitCast<Vector256<sbyte>, TVector>(Vector256.Create(sbyte.MaxValue));
            }

            if (typeof(TVector) == typeof(Vector128<float>))
            {
                return Unsafe.BitCast<Vector128<sbyte>, TVector>(Vector128.Create(sbyte.MaxValue));
            }

            return Unsafe.BitCast<uint, TVector>(0x7F7F7F7Fu);
        }
    }

    /// <summary>The byte-wise least of two vectors of signed bytes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVector LeastBytes(TVector left, TVector right)
    {
        if (typeof(TVector) == typeof(Vector512<float>))
        {
            return Unsafe.BitCast<Vector512<sbyte>, TVector>(Vector512.Min(Unsafe.BitCast<TVector, Vector512<sbyte>>(left), Unsafe.BitCast<TVector, Vector512<sbyte>>(right)));
        }

        if (typeof(TVector) == typeof(Vector256<float>))
        {
            return Unsafe.BitCast<Vector256<sbyte>, TVector>(Vector256.Min(Unsafe.BitCast<TVector, Vector256<sbyte>>(left), Unsafe.BitCast<TVector, Vector256<sbyte>>(right)));
        }

        if (typeof(TVector) == typeof(Vector128<float>))
        {
            return Unsafe.BitCast<Vector128<sbyte>, TVector>(Vector128.Min(Unsafe.BitCast<TVector, Vector128<sbyte>>(left), Unsafe.BitCast<TVector, Vector128<sbyte>>(right)));
        }

        uint l = Unsafe.BitCast<TVector, uint>(left), r = Unsafe.BitCast<TVector, uint>(right), least = 0;
        for (int shift = 0; shift < 32; shift += 8)
        {
            least |= (uint)(byte)Math.Min((sbyte)(l >> shift), (sbyte)(r >> shift)) << shift;
        }

        return Unsafe.BitCast<uint, TVector>(least);
    }

    /// <summary>Whether any signed byte of <paramref name="signedBytes"/> is −128.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool AnyLeastByte(TVector signedBytes)
    {
        if (typeof(TVector) == typeof(Vector512<float>))
        {
            return Vector512.EqualsAny(Unsafe.BitCast<TVector, Vector512<sbyte>>(signedBytes), Vector512.Create(sbyte.MinValue));
        }

        if (typeof(TVector) == typeof(Vector256<float>))
        {
            return Vector256.EqualsAny(Unsafe.BitCast<TVector, Vector256<sbyte>>(signedBytes), Vector256.Create(sbyte.MinValue));
        }

        if (typeof(TVector) == typeof(Vector128<float>))
        {
            return Vector128.EqualsAny(Unsafe.BitCast<TVector, Vector128<sbyte>>(signedBytes), Vector128.Create(sbyte.MinValue));
        }

        uint bytes = Unsafe.BitCast<TVector, uint>(signedBytes);
        return (byte)bytes == 0x80 || (byte)(bytes >> 8) == 0x80 || (byte)(bytes >> 16) == 0x80 || (byte)(bytes >> 24) == 0x80;
    }

    /// <summary>Stores one vector of levels, clamped to 0 … 127, as bytes at <paramref name="destination"/> + <paramref name="offset"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void StoreBytes(TVector levels, ref byte destination, nint offset)
    {
        ref byte target = ref Unsafe.Add(ref destination, offset);
        if (typeof(TVector) == typeof(Vector512<float>))
        {
            Vector512<int> v = Vector512.Clamp(Unsafe.BitCast<TVector, Vector512<int>>(levels), Vector512<int>.Zero, Vector512.Create(127));
            if (Avx512F.IsSupported)
            {
                Avx512F.ConvertToVector128Byte(v).StoreUnsafe(ref target);
            }
            else
            {
                Vector512.Narrow(Vector512.Narrow(v, v), Vector512<short>.Zero).AsByte().GetLower().GetLower().StoreUnsafe(ref target);
            }

            return;
        }

        if (typeof(TVector) == typeof(Vector256<float>))
        {
            Vector256<int> v = Vector256.Clamp(Unsafe.BitCast<TVector, Vector256<int>>(levels), Vector256<int>.Zero, Vector256.Create(127));
            Vector128<byte> bytes = Vector128.Narrow(Vector128.Narrow(v.GetLower(), v.GetUpper()), Vector128<short>.Zero).AsByte();
            Unsafe.WriteUnaligned(ref target, bytes.AsUInt64().ToScalar());
            return;
        }

        if (typeof(TVector) == typeof(Vector128<float>))
        {
            Vector128<int> v = Vector128.Clamp(Unsafe.BitCast<TVector, Vector128<int>>(levels), Vector128<int>.Zero, Vector128.Create(127));
            Vector128<byte> bytes = Vector128.Narrow(Vector128.Narrow(v, v), Vector128<short>.Zero).AsByte();
            Unsafe.WriteUnaligned(ref target, bytes.AsUInt32().ToScalar());
            return;
        }

        target = Byte(levels);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static byte Byte(TVector level) => (byte)Math.Clamp(Unsafe.BitCast<TVector, int>(level), 0, 127);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static byte SignedByte(TVector level) => (byte)(sbyte)Math.Clamp(Unsafe.BitCast<TVector, int>(level), -128, 127);
}
