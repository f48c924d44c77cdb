using System.Globalization;
using System.Text;

namespace Native.Numerics.Parquet;

/// <summary>How messages quote what a file holds: as the CSV reader's do.</summary>
internal static class Messages
{
    /// <summary>The longest piece of a value quoted in a message.</summary>
    private const int QuoteLimit = 40;

    /// <summary>A value for a message: in single quotes, at most 40 characters, control characters escaped.</summary>
    public static string Quote(ReadOnlySpan<char> text)
    {
        var quoted = new StringBuilder("'");
        foreach (char c in text.Length > QuoteLimit ? text[..QuoteLimit] : text)
        {
            if (char.IsControl(c) || char.IsSurrogate(c))
            {
                quoted.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:X4}");
            }
            else
            {
                quoted.Append(c);
            }
        }

        return quoted.Append(text.Length > QuoteLimit ? "…'" : "'").ToString();
    }
}
