using System.Globalization;

namespace Native.Numerics;

/// <summary>
/// What a text that is not a number looks like, when it looks like something a table reader is often handed and does not
/// read as a number: a percentage ("12%"), an amount with a currency sign ("$1,200", "-€3.50", "12 £"), a date
/// ("2024-01-17", "17/01/2024", "2024-01-17T08:30"). The schema's notes and the errors of a column told to be a number
/// say so, rather than call each value a category of its own or suggest it means missing.
/// </summary>
internal enum TextShape
{
    /// <summary>None of the shapes below.</summary>
    None,

    /// <summary>A number followed by '%'.</summary>
    Percentage,

    /// <summary>A number with a currency sign before or after it (a Unicode currency symbol: $ € £ ¥ …).</summary>
    Amount,

    /// <summary>Three groups of digits joined by '-', '/' or '.', one of them a four-digit year at either end, perhaps with a time after.</summary>
    Date,
}

/// <summary>Tells a text's <see cref="TextShape"/>, and what a note or an error says of each.</summary>
internal static class TextShapes
{
    /// <summary>The longest text looked at: a date with its time and zone, or a large amount.</summary>
    private const int LongestText = 40;

    /// <summary>The shape of <paramref name="text"/> (trimmed), read with a decimal comma or point as the table is.</summary>
    public static TextShape Of(ReadOnlySpan<char> text, bool decimalComma)
    {
        ReadOnlySpan<char> trimmed = text.Trim();
        if (trimmed.IsEmpty || trimmed.Length > LongestText)
        {
            return TextShape.None;
        }

        if (trimmed[^1] == '%')
        {
            return IsNumber(trimmed[..^1].TrimEnd(), decimalComma) ? TextShape.Percentage : TextShape.None;
        }

        if (IsAmount(trimmed, decimalComma))
        {
            return TextShape.Amount;
        }

        return IsDate(trimmed) ? TextShape.Date : TextShape.None;
    }

    /// <summary>
    /// The shape every text of <paramref name="texts"/> has, when they all have the same one (None when any has none, or
    /// shapes differ, or there are no texts), and the first text as an example.
    /// </summary>
    public static (TextShape Shape, string? Example) OfAll(IEnumerable<string> texts, bool decimalComma)
    {
        TextShape shape = TextShape.None;
        string? example = null;
        foreach (string text in texts)
        {
            TextShape each = Of(text, decimalComma);
            if (each == TextShape.None || (example is not null && each != shape))
            {
                return (TextShape.None, null);
            }

            shape = each;
            example ??= text;
        }

        return (shape, example);
    }

    /// <summary>What a schema's note says of a text column whose every value has <paramref name="shape"/>; null for none.</summary>
    public static string? Note(TextShape shape, string example, bool decimalComma) => shape switch
    {
        TextShape.Percentage => $"every value is a percentage ({Csv.Quote(example)}): the '%' sign is not read, so the column is text; write the numbers without it ({Csv.Quote(Bare(example))}) to make this a number column",
        TextShape.Amount => $"every value is an amount with a currency sign ({Csv.Quote(example)}): the sign is not read, so the column is text; write the numbers without it ({Csv.Quote(Bare(example))}){GroupingAdvice(example, decimalComma)} to make this a number column",
        TextShape.Date => $"every value is a date ({Csv.Quote(example)}): a date is not a number, so each day is a value of its own; derive numbers from it (days since a start, the month) or ignore it (native: --ignore)",
        _ => null,
    };

    /// <summary>What an error says of a value of <paramref name="shape"/> in a column told to be a number; empty for none.</summary>
    public static string Hint(TextShape shape) => shape switch
    {
        TextShape.Percentage => "; it is a percentage: the '%' sign is not read, write the number without it",
        TextShape.Amount => "; it is an amount with a currency sign: the sign is not read, write the number without it",
        TextShape.Date => "; it is a date, which is not a number: derive a number from it, or ignore the column",
        _ => "",
    };

    /// <summary>The number the text holds, written without its currency sign, '%', letters or spaces ("$1,200" → "1,200").</summary>
    private static string Bare(string text)
    {
        var bare = new System.Text.StringBuilder(text.Length);
        foreach (char c in text)
        {
            if (char.IsAsciiDigit(c) || c is '+' or '-' or '.' or ',')
            {
                bare.Append(c);
            }
        }

        return bare.ToString();
    }

    /// <summary>"; --thousands ','" when the amount's digits are grouped, as "$1,200" is; else empty.</summary>
    private static string GroupingAdvice(string example, bool decimalComma)
    {
        char separator = decimalComma ? '.' : ',';
        return Bare(example).Contains(separator, StringComparison.Ordinal) ? $" and --thousands '{separator}' (TableOptions.ThousandsSeparator)" : "";
    }

    private static bool IsNumber(ReadOnlySpan<char> text, bool decimalComma)
    {
        if (text.IsEmpty)
        {
            return false;
        }

        char separator = decimalComma ? '.' : ',';
        return (TableText.TryParseNumber(text, decimalComma, '\0', out float value) || CsvNumber.TryParseGrouped(text, separator, decimalComma, out value) == GroupedNumber.Number)
            && float.IsFinite(value);
    }

    /// <summary>
    /// A currency sign before the number ("$1,200", "-$3.50", "$-3.50", "US$ 12") or after it ("12 €", "1.200,50€"), with
    /// an optional minus sign before either.
    /// </summary>
    private static bool IsAmount(ReadOnlySpan<char> text, bool decimalComma)
    {
        int first = 0;
        while (first < text.Length && !IsCurrency(text[first]))
        {
            first++;
        }

        if (first == text.Length)
        {
            return false;
        }

        int last = first;
        while (last + 1 < text.Length && IsCurrency(text[last + 1]))
        {
            last++;
        }

        ReadOnlySpan<char> before = text[..first].Trim(), after = text[(last + 1)..].Trim();
        if (after.IsEmpty)
        {
            // "12 €", "-1.200,50€": the number before the sign.
            return IsNumber(before, decimalComma);
        }

        // "$1,200", "-$3.50", "US$ 12": at most a minus sign or a few letters (a country's) before the sign.
        bool prefix = before.IsEmpty || before is "-" or "+" || (before.Length <= 3 && IsLetters(before));
        return prefix && IsNumber(after, decimalComma);
    }

    private static bool IsCurrency(char c) => CharUnicodeInfo.GetUnicodeCategory(c) == UnicodeCategory.CurrencySymbol;

    private static bool IsLetters(ReadOnlySpan<char> text)
    {
        foreach (char c in text)
        {
            if (!char.IsAsciiLetter(c))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// Three groups of digits joined by one separator ('-', '/' or '.'), the first or the last of four digits (the year) and
    /// the others of one or two; then nothing, or a time after 'T' or a space that starts with a digit.
    /// </summary>
    private static bool IsDate(ReadOnlySpan<char> text)
    {
        int end = text.IndexOfAny('T', ' ');
        ReadOnlySpan<char> date = end < 0 ? text : text[..end];
        if (end >= 0 && (end + 1 >= text.Length || !char.IsAsciiDigit(text[end + 1])))
        {
            return false;
        }

        int separatorAt = date.IndexOfAny('-', '/', '.');
        if (separatorAt <= 0)
        {
            return false;
        }

        char separator = date[separatorAt];
        Span<int> lengths = stackalloc int[3];
        int group = 0, length = 0;
        foreach (char c in date)
        {
            if (c == separator)
            {
                if (group == 2)
                {
                    return false;
                }

                lengths[group++] = length;
                length = 0;
            }
            else if (char.IsAsciiDigit(c))
            {
                length++;
            }
            else
            {
                return false;
            }
        }

        if (group != 2)
        {
            return false;
        }

        lengths[2] = length;
        bool yearFirst = lengths[0] == 4 && lengths[1] is 1 or 2 && lengths[2] is 1 or 2;
        bool yearLast = lengths[2] == 4 && lengths[0] is 1 or 2 && lengths[1] is 1 or 2;
        return yearFirst || yearLast;
    }
}
