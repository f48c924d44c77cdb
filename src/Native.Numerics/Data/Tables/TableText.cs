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
    /// <remarks>
    /// With a thousands separator (not NUL), a number whose integer digits it groups in threes reads too ("1,037.5"); one
    /// whose groups are wrong ("1,03") does not.
    /// </remarks>
    public static bool TryParseNumber(ReadOnlySpan<char> text, bool decimalComma, char thousands, out float value) =>
        (decimalComma
            ? CsvNumber.TryParseDecimalComma(text, out value)
            : CsvNumber.TryParse(text, out value) || Csv.TryParseNumber(text, out value))
        || (thousands != '\0' && CsvNumber.TryParseGrouped(text, thousands, decimalComma, out value) == GroupedNumber.Number);

    /// <summary>What a number with thousands separators must look like, for a message.</summary>
    public static string GroupingRule(char thousands, bool decimalComma) =>
        $"expected digits grouped in threes by {Csv.Quote([thousands])} (1{thousands}037{(decimalComma ? ',' : '.')}5; the first group 1 to 3 digits), '{(decimalComma ? ',' : '.')}' for decimals";

    /// <summary>How a pipeline's numbers are written, for a message: the decimal mark, and the thousands separator if any.</summary>
    public static string NumberForm(bool decimalComma, char thousands) =>
        (decimalComma ? "digits, ',' for decimals" : "digits, '.' for decimals, an optional exponent")
        + (thousands != '\0' ? $", {Csv.Quote([thousands])} between groups of three" : "");
}
