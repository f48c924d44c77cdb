using System.Globalization;
using System.Text;
using Native.Numerics.Kernels;

namespace Native.Numerics;

/// <summary>
/// Reads a CSV file into a <see cref="Dataset"/>: a header row naming the columns, then one row per sample;
/// one column is the label (by default the last), every other column a feature.
/// </summary>
/// <remarks>
/// <para>
/// <b>Text.</b> UTF-8 (a byte-order mark is skipped; UTF-16 with its mark is read too), strictly: a byte that
/// is not valid UTF-8, and a NUL character, are errors at their line and column, never replaced. Fields separated
/// by commas (or <see cref="CsvOptions.Separator"/>), quoted as RFC 4180 says when they hold separators, quotes
/// or line breaks; lines ending in <c>\n</c> or <c>\r\n</c>; blank lines, and a trailing newline, ignored.
/// </para>
/// <para>
/// <b>Limits</b>, checked as the text streams (<see cref="CsvOptions"/>): a field of at most 65,536 characters
/// (<see cref="CsvOptions.MaxFieldLength"/>), a record of at most 16 Mi (<see cref="CsvOptions.MaxLineLength"/>),
/// at most 1 Mi fields (<see cref="CsvOptions.MaxColumns"/>); raise them in the options.
/// </para>
/// <para>
/// <b>Numbers</b> are read in the invariant culture — an optional sign, digits, a '.' before decimals, an
/// optional exponent (<c>1.5e-3</c>), surrounding spaces allowed — and must be finite floats: NaN, infinity
/// and values beyond ±3.4e38 are refused. An empty feature is refused too (there is no missing-value
/// imputation).
/// </para>
/// <para>
/// <b>Labels</b> (see <see cref="CsvLabels"/>): integers become classes in numeric order (labels −1, 3, 7
/// become classes 0, 1, 2), text becomes classes in ordinal order; either way the dataset's
/// <see cref="Dataset.ClassNames"/> keep the labels as written (integers in canonical form), so a model
/// file saved with them can say which class is which. Surrounding spaces are trimmed. Regression targets
/// are finite floats. By default the kind is inferred: all integers → classes; all numbers → targets;
/// otherwise classes named by the text.
/// </para>
/// <para>
/// <b>Errors</b> are <see cref="FileFormatException"/>s naming the file, the line and the column (in
/// characters, both 1-based) and what was found: an empty file; no header (a first row of numbers only);
/// fewer than two columns; no data rows; a row with more or fewer fields than the header (ragged); a
/// feature that is empty, not a number, or not finite; a missing (empty) label; only one class; an
/// unterminated quoted field; the label column not found.
/// </para>
/// <para>
/// <b>Memory.</b> Rows are read one at a time from the stream; what is kept is the features (as floats,
/// in a buffer that doubles as it fills), one label per row, and each distinct label once. The dataset keeps
/// the header's names: <see cref="Dataset.FeatureNames"/> and <see cref="Dataset.LabelName"/>.
/// </para>
/// </remarks>
public static partial class Csv
{
    /// <summary>The longest piece of a field quoted in an error message.</summary>
    private const int QuoteLimit = 40;

    /// <summary>Reads the CSV file at <paramref name="path"/> into a dataset.</summary>
    /// <param name="path">The file.</param>
    /// <param name="options">Which column is the label and what the labels are; null for the defaults (the last column, inferred).</param>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="FileFormatException">The file is not a valid CSV dataset; the message says where and why.</exception>
    /// <exception cref="ArgumentException">The options contradict themselves (a label column named and indexed, a negative index, a quote or line break as separator).</exception>
    public static Dataset Read(string path, CsvOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        CheckOptions(options);
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 64 * 1024, FileOptions.SequentialScan);
        return Read(file, options, path);
    }

    /// <summary>Reads CSV text from <paramref name="stream"/> (from its current position to its end) into a dataset. The stream is left open.</summary>
    /// <param name="stream">The stream; it need not be seekable.</param>
    /// <param name="options">Which column is the label and what the labels are; null for the defaults.</param>
    /// <param name="name">What to call the stream in error messages (its file name, say), or null.</param>
    /// <exception cref="FileFormatException">The content is not a valid CSV dataset.</exception>
    /// <exception cref="ArgumentException">The options contradict themselves.</exception>
    public static Dataset Read(Stream stream, CsvOptions? options = null, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        CheckOptions(options);
        return new Builder(new CsvRecordReader(stream, name, options ?? Default), name, options ?? Default, Remaining(stream)).Read();
    }

    /// <summary>The bytes left in <paramref name="stream"/>, if it can say (to size a dataset's storage once), else null.</summary>
    private static long? Remaining(Stream stream)
    {
        try
        {
            return stream.CanSeek ? Math.Max(0, stream.Length - stream.Position) : null;
        }
        catch (Exception e) when (e is NotSupportedException or IOException)
        {
            return null;
        }
    }

    private static readonly CsvOptions Default = new();

    private static void CheckOptions(CsvOptions? options)
    {
        if (options is null)
        {
            return;
        }

        if (options.LabelColumn is not null && options.LabelIndex is not null)
        {
            throw new ArgumentException("Name the label column or give its index, not both.", nameof(options));
        }

        if (options.LabelIndex is < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.LabelIndex, "The label column index must be 0 or more.");
        }

        if (!Enum.IsDefined(options.Labels))
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.Labels, "Unknown kind of labels.");
        }

        if (options.ThousandsSeparator is char thousands && (thousands == '.' || !Serialization.ModelFileFormat.IsThousandsSeparator(thousands) || (thousands == options.Separator && thousands != ',')))
        {
            throw new ArgumentException($"The thousands separator must be one of , ' _ a space or a no-break space, and not the separator (got U+{(int)thousands:X4}).", nameof(options));
        }

        CheckLimits(options);
    }

    /// <summary>Refuses limits that would refuse every file, and a separator that cannot separate.</summary>
    internal static void CheckLimits(CsvOptions options)
    {
        if (options.Separator is '"' or '\r' or '\n')
        {
            throw new ArgumentException($"The separator cannot be a quote or a line break (got U+{(int)options.Separator:X4}).", nameof(options));
        }

        if (options.MaxFieldLength < 1 || options.MaxLineLength < 1 || options.MaxColumns < 2)
        {
            throw new ArgumentOutOfRangeException(nameof(options), "The limits must allow a field of at least 1 character, a line of at least 1 and at least 2 columns.");
        }
    }

    /// <summary>
    /// Reads a number in the invariant culture: an optional sign, digits, a '.' before decimals, an optional
    /// exponent, surrounding white space. Unlike <see cref="float.TryParse(ReadOnlySpan{char}, NumberStyles, IFormatProvider?, out float)"/>
    /// alone, refuses trailing NUL characters ("1\0" is not 1).
    /// </summary>
    internal static bool TryParseNumber(ReadOnlySpan<char> text, out float value)
    {
        value = 0f;
        return !text.Contains('\0') && float.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value);
    }

    /// <summary>A field for a message: at most <see cref="QuoteLimit"/> characters, control characters escaped.</summary>
    internal static string Quote(ReadOnlySpan<char> text)
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
