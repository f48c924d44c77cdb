using System.Globalization;
using System.Text;

namespace Native.Cli.Output;

/// <summary>
/// Text from the user's files made safe to print on a terminal: a class name holding an ANSI escape sequence or a
/// line break must not recolor the screen or fake an extra output row. Control characters (C0, DEL, C1), the
/// bidirectional overrides and isolates, and lone surrogates are written as <c>\u001B</c>-style escapes; the rest
/// is printed as it is. JSON output needs none of this: its writer escapes for itself.
/// </summary>
internal static class Printable
{
    public static string Text(string text)
    {
        var escaped = new StringBuilder(text.Length + 16);
        bool changed = false;
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                escaped.Append(c).Append(text[++i]);
            }
            else if (char.IsControl(c) || char.IsSurrogate(c) || c is >= '\u202A' and <= '\u202E' or >= '\u2066' and <= '\u2069')
            {
                escaped.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:X4}");
                changed = true;
            }
            else
            {
                escaped.Append(c);
            }
        }

        return changed ? escaped.ToString() : text;
    }

    /// <summary>
    /// <see cref="Text"/>, as one field of a line whose fields are separated by spaces (<c>native predict</c>'s): a name
    /// holding a space or a double quote, or an empty one, is written in double quotes, a quote inside doubled
    /// (<c>"big, round"</c>), so that each line still splits into its fields.
    /// </summary>
    public static string Field(string text)
    {
        string printable = Text(text);
        return printable.Length == 0 || NeedsQuotes(printable)
            ? "\"" + printable.Replace("\"", "\"\"", StringComparison.Ordinal) + "\""
            : printable;

        static bool NeedsQuotes(string printable)
        {
            foreach (char c in printable)
            {
                if (c == '"' || char.IsWhiteSpace(c))
                {
                    return true;
                }
            }

            return false;
        }
    }
}
