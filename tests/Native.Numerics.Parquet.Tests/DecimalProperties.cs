using System.Globalization;
using FsCheck.Fluent;
using Native.Tests.Support;

namespace Native.Numerics.Parquet.Tests;

/// <summary>
/// Decimals and unsigned integers become the float a CSV reader makes of their text: the nearest, rounded once (never
/// through a double, which rounds twice).
/// </summary>
public sealed class DecimalProperties
{
    /// <summary>A 64-bit integer of any magnitude: random bits shifted right by 0 to 63.</summary>
    private static readonly FsCheck.Gen<long> Long =
        Gen.Zip(Gen.Zip(Gen.Choose(int.MinValue, int.MaxValue), Gen.Choose(int.MinValue, int.MaxValue)), Gen.Choose(0, 63))
            .Select(t => ((long)t.Item1.Item1 << 32 | (uint)t.Item1.Item2) >> t.Item2);

    [Fact]
    public void ADecimalIsTheFloatItsTextParsesTo() =>
        Properties.ForAll(Gen.Zip(Long, Gen.Choose(0, 30)), c => Bits(Decimals.ToSingle(c.Item1, c.Item2)) == Bits(Parse(c.Item1, c.Item2)), tests: 2000);

    [Fact]
    public void ASmallDecimalIsTheFloatItsTextParsesTo() =>
        // The float-division path: unscaled values below 2^24 and scales up to 10.
        Properties.ForAll(Gen.Zip(Gen.Choose(-(1 << 24) + 1, (1 << 24) - 1), Gen.Choose(0, 10)), c => Bits(Decimals.ToSingle(c.Item1, c.Item2)) == Bits(Parse(c.Item1, c.Item2)), tests: 2000);

    [Fact]
    public void AWideDecimalFromBigEndianBytesIsTheFloatItsTextParsesTo() =>
        Properties.ForAll(Gen.Zip(Gen.Zip(Long, Long), Gen.Zip(Gen.Choose(0, 38), Gen.Choose(1, 16))), c =>
        {
            (long high, ulong low, int scale, int width) = (c.Item1.Item1, (ulong)c.Item1.Item2, c.Item2.Item1, c.Item2.Item2);
            // A value of `width` bytes: the 16-byte value's low bytes, sign-extended as its top byte says.
            Int128 whole = ((Int128)high << 64) | low;
            byte[] bytes = new byte[16];
            System.Buffers.Binary.BinaryPrimitives.WriteInt128BigEndian(bytes, whole);
            byte[] narrow = bytes[(16 - width)..];
            Int128 value = Decimals.FromBigEndian(narrow);
            Int128 expected = (whole << (8 * (16 - width))) >> (8 * (16 - width));
            return value == expected && Bits(Decimals.ToSingle(value, scale)) == Bits(Parse(value, scale));
        }, tests: 2000);

    [Theory]
    [InlineData(0UL)]
    [InlineData(16777217UL)]
    [InlineData(9223372036854775807UL)]
    [InlineData(9223372036854775808UL)]
    [InlineData(9223373136366403583UL)]
    [InlineData(9223373136366403584UL)]
    [InlineData(18446743523953737727UL)]
    [InlineData(18446744073709551615UL)]
    public void AnUnsignedIntegerIsTheFloatItsTextParsesTo(ulong value)
    {
        Assert.Equal(Bits(float.Parse(value.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture)), Bits(Decimals.ToSingle(value)));
    }

    [Fact]
    public void EveryUnsignedIntegerIsTheFloatItsTextParsesTo() =>
        Properties.ForAll(Long.Select(v => (ulong)v), value =>
            Bits(Decimals.ToSingle(value)) == Bits(float.Parse(value.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture)), tests: 2000);

    private static float Parse(Int128 unscaled, int scale)
    {
        // The decimal written out as a CSV file would have it: digits, a point, the scale's digits.
        string digits = Int128.Abs(unscaled).ToString(CultureInfo.InvariantCulture).PadLeft(scale + 1, '0');
        string text = (unscaled < 0 ? "-" : "") + digits[..^scale] + (scale > 0 ? "." + digits[^scale..] : "");
        return float.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture);
    }

    private static int Bits(float value) => BitConverter.SingleToInt32Bits(value);
}
