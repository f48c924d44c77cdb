using System.Buffers.Binary;
using System.Globalization;

namespace Native.Numerics.Parquet;

/// <summary>
/// Parquet's decimals (an unscaled integer and a scale: 1234 and 2 is 12.34) and unsigned integers as the nearest float,
/// exactly as a CSV reader turns the same number written out in decimal: one rounding, never two.
/// </summary>
/// <remarks>
/// Dividing in double and then narrowing to float rounds twice, and the second rounding can land on the other
/// neighbour when the first left the value on a float halfway point. So an unscaled value and a power of ten that are
/// both exact floats (below 2^24, and 10^0 to 10^10) are divided in float — IEEE division rounds once — and every
/// other decimal goes through its decimal text (<c>1234E-2</c>), which <see cref="float.Parse(ReadOnlySpan{char}, NumberStyles, IFormatProvider?)"/> rounds once.
/// </remarks>
internal static class Decimals
{
    /// <summary>The widest unscaled value read: 16 bytes (precision 38), as Arrow's decimal128.</summary>
    public const int MaxBytes = 16;

    private const long ExactFloat = 1L << 24;

    /// <summary>10^0 to 10^10: each exact as a float (10^10 is 9,765,625 × 2^10, and 9,765,625 is below 2^24).</summary>
    private static ReadOnlySpan<float> PowersOfTen => [1f, 1e1f, 1e2f, 1e3f, 1e4f, 1e5f, 1e6f, 1e7f, 1e8f, 1e9f, 1e10f];

    /// <summary>The float nearest <paramref name="unscaled"/> × 10^−<paramref name="scale"/>.</summary>
    public static float ToSingle(long unscaled, int scale)
    {
        if (scale == 0)
        {
            return unscaled;
        }

        if ((ulong)scale < (ulong)PowersOfTen.Length && unscaled > -ExactFloat && unscaled < ExactFloat)
        {
            return unscaled / PowersOfTen[scale];
        }

        return ThroughText(unscaled, scale);
    }

    /// <summary>The float nearest <paramref name="unscaled"/> × 10^−<paramref name="scale"/>.</summary>
    public static float ToSingle(Int128 unscaled, int scale) =>
        unscaled >= long.MinValue && unscaled <= long.MaxValue ? ToSingle((long)unscaled, scale) : ThroughText(unscaled, scale);

    /// <summary>The float nearest <paramref name="value"/>, rounded once whatever the platform's conversion does above 2^63.</summary>
    public static float ToSingle(ulong value)
    {
        if (value <= long.MaxValue)
        {
            return (long)value;
        }

        // Halve, keeping the lost bit as a sticky bit so the rounding of the halved value is the rounding of the whole.
        return (long)((value >> 1) | (value & 1)) * 2f;
    }

    /// <summary>A big-endian two's-complement integer of 1 to 16 bytes (Parquet's FIXED_LEN_BYTE_ARRAY and BYTE_ARRAY decimals).</summary>
    public static Int128 FromBigEndian(ReadOnlySpan<byte> bytes)
    {
        Span<byte> widened = stackalloc byte[MaxBytes];
        widened.Fill(bytes.Length > 0 && (sbyte)bytes[0] < 0 ? (byte)0xFF : (byte)0);
        bytes.CopyTo(widened[(MaxBytes - bytes.Length)..]);
        return BinaryPrimitives.ReadInt128BigEndian(widened);
    }

    private static float ThroughText(Int128 unscaled, int scale)
    {
        // 40 digits and a sign, then "E-" and the scale.
        Span<char> text = stackalloc char[64];
        unscaled.TryFormat(text, out int length, default, CultureInfo.InvariantCulture);
        text[length++] = 'E';
        text[length++] = '-';
        scale.TryFormat(text[length..], out int digits, default, CultureInfo.InvariantCulture);
        return float.Parse(text[..(length + digits)], NumberStyles.Float, CultureInfo.InvariantCulture);
    }
}
