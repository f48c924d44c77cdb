namespace Native.Numerics;

/// <summary>How a table's fields read: what is missing, and what is a number. One definition for fitting and predicting.</summary>
internal static class TableText
{
    /// <summary>Whether <paramref name="text"/> means missing: empty or white space, or one of <paramref name="tokens"/> once trimmed.</summary>
    public static bool IsMissing(ReadOnlySpan<char> text, string[] tokens)
    {
        if (text.IsEmpty)
        {
            return true;
        }

        ReadOnlySpan<char> trimmed = text.Trim();
        if (trimmed.IsEmpty)
        {
            return true;
        }

        foreach (string token in tokens)
        {
            if (trimmed.SequenceEqual(token))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Reads a number: invariant culture (an optional sign, digits, '.' for decimals, an optional exponent, surrounding
    /// white space), or with a decimal comma. True for a number, perhaps not finite ("NaN", "1e999").
    /// </summary>
    public static bool TryParseNumber(ReadOnlySpan<char> text, bool decimalComma, out float value) =>
        decimalComma
            ? CsvNumber.TryParseDecimalComma(text, out value)
            : CsvNumber.TryParse(text, out value) || Csv.TryParseNumber(text, out value);
}
