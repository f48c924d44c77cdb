using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Native.Numerics;

/// <summary>
/// The fast path of reading a CSV number: the plain decimal forms that fill numeric files (<c>0</c>, <c>255</c>,
/// <c>-0.5058824</c>, <c>1.5e-3</c>), read exactly as <see cref="float.TryParse(ReadOnlySpan{char}, System.Globalization.NumberStyles, IFormatProvider?, out float)"/>
/// reads them; anything else is left to it (<see cref="Csv.TryParseNumber"/>).
/// </summary>
/// <remarks>
/// <para>
/// The method is Clinger's fast path: a decimal of at most 19 digits is an integer w times 10^e. When w ≤ 2^53 and
/// |e| ≤ 22, both are exact doubles and one multiplication or division rounds w·10^e correctly to a double d. A
/// float from d rounds a second time, which is wrong only when d lies exactly halfway between two floats (the 29
/// bits the float drops are 1 followed by zeros) while the true value does not: those rare values go to the full
/// parser. Every other d rounds to the float nearest the true value, the one .NET's parser (correctly rounded since
/// .NET Core 3.0) gives. The tests compare the two on every form this path takes.
/// </para>
/// <para>
/// Anything outside that — spaces, more digits, larger exponents, "NaN", "∞", no digits at all — returns false,
/// meaning "not decided here", never "not a number".
/// </para>
/// </remarks>
internal static class CsvNumber
{
    /// <summary>The largest integer below which every integer is an exact double: 2^53.</summary>
    private const ulong ExactIntegerLimit = 1UL << 53;

    /// <summary>The largest power of ten that is an exact double.</summary>
    private const int ExactPowerLimit = 22;

    /// <summary>The mantissa bits a double loses on becoming a float (52 − 23), and the pattern of a value exactly halfway.</summary>
    private const ulong DroppedBits = (1UL << 29) - 1, Halfway = 1UL << 28;

    private static ReadOnlySpan<double> PowersOfTen =>
    [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
        1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
    ];

    /// <summary>
    /// Reads each field of <paramref name="fields"/> (spans of <paramref name="text"/>) into the same place of
    /// <paramref name="destination"/> by <see cref="TryParse"/>, up to the first it leaves to the full parser; returns
    /// that field's index, or the number of fields when it read them all.
    /// </summary>
    /// <remarks>
    /// The loop every numeric CSV file spends its time in: references after one length check, as the kernels load.
    /// The record reader makes every field lie within its record's text.
    /// </remarks>
    public static int TryParseFields(ReadOnlySpan<char> text, ReadOnlySpan<CsvRecordReader.FieldSpan> fields, Span<float> destination)
    {
        if (destination.Length < fields.Length)
        {
            throw new ArgumentException("One float per field.", nameof(destination));
        }

        ref char chars = ref MemoryMarshal.GetReference(text);
        ref CsvRecordReader.FieldSpan field = ref MemoryMarshal.GetReference(fields);
        ref float value = ref MemoryMarshal.GetReference(destination);
        for (int j = 0; j < fields.Length; j++)
        {
            CsvRecordReader.FieldSpan span = Unsafe.Add(ref field, j);
            Debug.Assert((uint)span.Start + (uint)span.Length <= (uint)text.Length, "a field lies within its record");
            if (!TryParse(MemoryMarshal.CreateReadOnlySpan(ref Unsafe.Add(ref chars, span.Start), span.Length), out Unsafe.Add(ref value, j)))
            {
                return j;
            }
        }

        return fields.Length;
    }

    /// <summary>
    /// Reads <paramref name="text"/> when it is a plain decimal this path decides exactly: an optional sign, digits
    /// with an optional '.', an optional exponent. False means "ask the full parser", whatever the text is.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool TryParse(ReadOnlySpan<char> text, out float value)
    {
        // Up to 7 digits, no sign or point: most of a pixel file, and exact as a float (9,999,999 < 2^24).
        if ((uint)(text.Length - 1) < 7)
        {
            ref char first = ref MemoryMarshal.GetReference(text);
            uint integer = (uint)(first - '0');
            if (integer <= 9)
            {
                for (int i = 1; i < text.Length; i++)
                {
                    uint digit = (uint)(Unsafe.Add(ref first, i) - '0');
                    if (digit > 9)
                    {
                        return TryParseDecimal(text, out value);
                    }

                    integer = (integer * 10) + digit;
                }

                value = integer;
                return true;
            }
        }

        return TryParseDecimal(text, out value);
    }

    /// <summary>The longest number <see cref="TryParseDecimalComma"/> swaps on the stack; longer ones go to a parser of that culture.</summary>
    private const int DecimalCommaStackLength = 128;

    /// <summary>Numbers with a decimal comma and no grouping: "3,14", "-0,5", "1,5e-3".</summary>
    private static readonly System.Globalization.NumberFormatInfo DecimalCommaFormat = new() { NumberDecimalSeparator = ",", NumberGroupSeparator = "\u00A0" };

    /// <summary>
    /// Reads <paramref name="text"/> as a number written with a decimal comma ("3,14"), exactly as the invariant culture
    /// reads "3.14": the comma and the point are swapped, so a point (a thousands separator in such files, or a mistake)
    /// makes the text not a number. Surrounding white space is allowed; true only for a number (perhaps not finite).
    /// </summary>
    public static bool TryParseDecimalComma(ReadOnlySpan<char> text, out float value)
    {
        if (text.Length > DecimalCommaStackLength)
        {
            value = 0f;
            return text.IndexOfAny('.', '\0') < 0 && float.TryParse(text, System.Globalization.NumberStyles.Float, DecimalCommaFormat, out value);
        }

        Span<char> swapped = stackalloc char[text.Length];
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            swapped[i] = c == ',' ? '.' : c == '.' ? ',' : c;
        }

        return TryParse(swapped, out value) || Csv.TryParseNumber(swapped, out value);
    }

    /// <summary>The longest number with thousands separators <see cref="TryParseGrouped"/> reads (its digits copied on the stack).</summary>
    private const int GroupedStackLength = 128;

    /// <summary>
    /// Reads <paramref name="text"/> as a number whose integer digits are grouped by <paramref name="separator"/> in threes
    /// ("1,037.5", "-12,000", "1.037,5" with a decimal comma), as pandas' <c>thousands=</c> reads them: surrounding white
    /// space allowed, then an optional sign, a first group of 1 to 3 digits, further groups of exactly 3, an optional
    /// decimal mark and digits (no separator among them), an optional exponent. Only text that holds the separator and
    /// reads as a number once the separators are removed is this method's: <see cref="GroupedNumber.NotGrouped"/> for any
    /// other (a word, a plain number, nothing), <see cref="GroupedNumber.Malformed"/> when such text's groups are not
    /// those ("1,03", "10,00,000", "1,0375"), which a strict reader refuses.
    /// </summary>
    /// <remarks>Called only after the plain parsers said "not a number", so a number path without separators never comes here.</remarks>
    public static GroupedNumber TryParseGrouped(ReadOnlySpan<char> text, char separator, bool decimalComma, out float value)
    {
        value = 0f;
        ReadOnlySpan<char> trimmed = text.Trim();
        if (trimmed.IsEmpty || trimmed.Length > GroupedStackLength || trimmed.IndexOf(separator) < 0)
        {
            return GroupedNumber.NotGrouped;
        }

        char point = decimalComma ? ',' : '.';
        int start = trimmed[0] is '-' or '+' ? 1 : 0;
        int end = start;
        while (end < trimmed.Length && (char.IsAsciiDigit(trimmed[end]) || trimmed[end] == separator))
        {
            end++;
        }

        // The integer part, digits and separators, ends at the decimal mark, the exponent or the end; without it the text
        // cannot be a number with the separators removed.
        Span<char> plain = stackalloc char[trimmed.Length];
        int length = 0;
        if (start == 1)
        {
            plain[length++] = trimmed[0];
        }

        int group = 0, groups = 0;
        bool wellFormed = end > start && trimmed[start] != separator;
        for (int i = start; i < end; i++)
        {
            if (trimmed[i] == separator)
            {
                wellFormed &= groups == 0 ? group is >= 1 and <= 3 : group == 3;
                groups++;
                group = 0;
            }
            else
            {
                plain[length++] = trimmed[i];
                group++;
            }
        }

        wellFormed &= groups > 0 && group == 3;
        ReadOnlySpan<char> rest = trimmed[end..];
        if (rest.IndexOf(separator) >= 0 || (!rest.IsEmpty && rest[0] != point && (rest[0] | 0x20) != 'e'))
        {
            // A separator after the integer part, or other text there: not a grouped number ("1,2,a", "Smith, J").
            return GroupedNumber.NotGrouped;
        }

        if (end == start)
        {
            return GroupedNumber.NotGrouped;
        }

        rest.CopyTo(plain[length..]);
        length += rest.Length;
        ReadOnlySpan<char> number = plain[..length];
        bool parsed = decimalComma ? TryParseDecimalComma(number, out value) : TryParse(number, out value) || Csv.TryParseNumber(number, out value);
        if (!parsed)
        {
            value = 0f;
            return GroupedNumber.NotGrouped;
        }

        return wellFormed ? GroupedNumber.Number : GroupedNumber.Malformed;
    }

    private static bool TryParseDecimal(ReadOnlySpan<char> text, out float value)
    {
        value = 0;
        int i = 0;
        bool negative = false;
        if (!text.IsEmpty && text[0] is '-' or '+')
        {
            negative = text[0] == '-';
            i = 1;
        }

        ulong mantissa = 0;
        int start = i;
        while (i < text.Length && (uint)(text[i] - '0') <= 9)
        {
            mantissa = (mantissa * 10) + (uint)(text[i] - '0');
            i++;
        }

        int digits = i - start, decimals = 0;
        if (i < text.Length && text[i] == '.')
        {
            int first = ++i;
            while (i < text.Length && (uint)(text[i] - '0') <= 9 && digits + (i - first) < 19)
            {
                mantissa = (mantissa * 10) + (uint)(text[i] - '0');
                i++;
            }

            decimals = i - first;
            digits += decimals;
        }

        if (digits == 0 || digits > 19)
        {
            return false;
        }

        int exponent = -decimals;
        if (i < text.Length && (text[i] | 0x20) == 'e')
        {
            i++;
            bool negativeExponent = false;
            if (i < text.Length && text[i] is '-' or '+')
            {
                negativeExponent = text[i] == '-';
                i++;
            }

            int first = i, written = 0;
            while (i < text.Length && (uint)(text[i] - '0') <= 9 && i - first < 4)
            {
                written = (written * 10) + (text[i] - '0');
                i++;
            }

            if (i == first)
            {
                return false;
            }

            exponent += negativeExponent ? -written : written;
        }

        if (i != text.Length || mantissa > ExactIntegerLimit)
        {
            return false;
        }

        double exact;
        if (mantissa == 0)
        {
            exact = 0;
        }
        else if (exponent is < -ExactPowerLimit or > ExactPowerLimit)
        {
            return false;
        }
        else
        {
            exact = exponent < 0 ? mantissa / PowersOfTen[-exponent] : mantissa * PowersOfTen[exponent];
            if ((BitConverter.DoubleToUInt64Bits(exact) & DroppedBits) == Halfway)
            {
                return false;
            }
        }

        value = negative ? -(float)exact : (float)exact;
        return true;
    }
}

/// <summary>What <see cref="CsvNumber.TryParseGrouped"/> found.</summary>
internal enum GroupedNumber
{
    /// <summary>Not a number with thousands separators: no separator, or not a number once they are removed.</summary>
    NotGrouped,

    /// <summary>A number, its digits grouped in threes.</summary>
    Number,

    /// <summary>A number once the separators are removed, but its groups are not of three digits.</summary>
    Malformed,
}
