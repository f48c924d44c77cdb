using System.Globalization;

namespace Native.Numerics;

/// <summary>
/// Reads a table as it comes from a database or a spreadsheet — number columns with blanks, text columns, an identifier,
/// a label — and fits the <see cref="FeaturePipeline"/> that turns its records into a model's rows; or reads a table
/// through a pipeline fitted before (held-out rows, new data).
/// </summary>
/// <remarks>
/// <para>
/// <b>The text</b> is read as <see cref="Csv"/> reads it (strict UTF-8, RFC 4180 quoting, the limits of
/// <see cref="TableOptions"/>), with the separator detected from the header line unless given, and numbers in the
/// invariant culture or with a decimal comma. Every column must be named once in the header.
/// </para>
/// <para>
/// <b>Kinds.</b> A column whose kind is not told (<see cref="TableOptions.ColumnKinds"/>) is a number if every value
/// that is not missing is a number, else a category. It is ignored, with a note saying why, when every value is missing;
/// when it is a category whose values are all distinct in 20 rows or more, or more than the reading holds (an identifier
/// or free text); and when it is a column of distinct integers named like an identifier (<c>id</c>, <c>loan_id</c>,
/// <c>customerId</c>). A number that is not finite (<c>NaN</c>, <c>1e999</c>) in a number column is an error.
/// </para>
/// <para>
/// <b>Missing values</b> are empty or blank fields and <see cref="TableOptions.MissingTokens"/>. A number column's are
/// imputed (<see cref="TableOptions.Imputation"/>), with a 0/1 indicator when asked; a category column that had some in
/// training gives them a slot of their own.
/// </para>
/// <para>
/// <b>Categories</b> are the fields' exact text after unquoting: no trimming, no case folding. A column keeps its
/// <see cref="TableOptions.MaxCategories"/> most frequent values (ties by first appearance), in ordinal order; the rest share
/// an "other" slot. The distinct values held while reading are bounded (<see cref="TableOptions.MaxDistinctValues"/>,
/// <see cref="TableOptions.MaxDistinctCharacters"/>); values past the bound count as other.
/// </para>
/// <para>
/// <b>Memory.</b> One pass over the records, holding per row a float per number column and an int per category column, and
/// each distinct category text once; then the dataset's rows, sized once. Errors are <see cref="FileFormatException"/>s
/// naming the file, line and column.
/// </para>
/// </remarks>
public static partial class Table
{
    /// <summary>Reads the table at <paramref name="path"/> and fits a pipeline to it.</summary>
    /// <param name="path">The CSV file.</param>
    /// <param name="options">How to read it and what to fit; null for the defaults.</param>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="FileFormatException">The file is not a table the options can read; the message says where and why.</exception>
    /// <exception cref="ArgumentException">The options contradict themselves.</exception>
    public static TableData Read(string path, TableOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        options = Check(options);
        using FileStream file = OpenRead(path);
        return Read(file, options, path);
    }

    /// <summary>Reads a table from <paramref name="stream"/> (to its end; left open) and fits a pipeline to it.</summary>
    /// <param name="stream">The text; it need not be seekable.</param>
    /// <param name="options">How to read it and what to fit; null for the defaults.</param>
    /// <param name="name">What to call the stream in error messages, or null.</param>
    /// <exception cref="FileFormatException">The text is not a table the options can read.</exception>
    /// <exception cref="ArgumentException">The options contradict themselves.</exception>
    public static TableData Read(Stream stream, TableOptions? options = null, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        options = Check(options);
        return new Fitting(new CsvRecordReader(stream, name, options.ToCsvOptions()), name, options).Read();
    }

    /// <summary>As <see cref="Read(Stream, TableOptions?, string?)"/>, the standardizer's statistics by their scalar loop when <paramref name="vectorized"/> is false (for tests).</summary>
    internal static TableData Read(Stream stream, TableOptions options, string? name, bool vectorized) =>
        new Fitting(new CsvRecordReader(stream, name, Check(options).ToCsvOptions()), name, options, vectorized).Read();

    /// <summary>
    /// Reads the table at <paramref name="path"/> through <paramref name="pipeline"/>, fitted before: its columns matched by
    /// name (any order; other columns read past; a column the pipeline needs and the file lacks is an error), each record
    /// encoded as the pipeline encodes a <see cref="TableRow"/> — blanks imputed, unseen categories as the pipeline says.
    /// </summary>
    /// <param name="path">The CSV file.</param>
    /// <param name="pipeline">The pipeline to read through.</param>
    /// <param name="options">The label, its kind, the delimiter and the limits (the pipeline's own settings are not changed); null for the defaults.</param>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="FileFormatException">The file lacks a column, or a value is refused; the message says where and why.</exception>
    public static TableData Read(string path, FeaturePipeline pipeline, TableOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(pipeline);
        options = Check(options);
        using FileStream file = OpenRead(path);
        return Read(file, pipeline, options, path);
    }

    /// <summary>Reads a table from <paramref name="stream"/> through <paramref name="pipeline"/>; see <see cref="Read(string, FeaturePipeline, TableOptions?)"/>.</summary>
    /// <param name="stream">The text; it need not be seekable; left open.</param>
    /// <param name="pipeline">The pipeline to read through.</param>
    /// <param name="options">The label, its kind, the delimiter and the limits; null for the defaults.</param>
    /// <param name="name">What to call the stream in error messages, or null.</param>
    /// <exception cref="FileFormatException">The text lacks a column, or a value is refused.</exception>
    public static TableData Read(Stream stream, FeaturePipeline pipeline, TableOptions? options = null, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(pipeline);
        options = Check(options);
        return Encoding.Read(stream, pipeline, options, name);
    }

    internal static FileStream OpenRead(string path) =>
        new(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 64 * 1024, FileOptions.SequentialScan);

    /// <summary>The options, or the defaults, after refusing what contradicts itself.</summary>
    internal static TableOptions Check(TableOptions? options)
    {
        options ??= new TableOptions();
        Csv.CheckLimits(options.ToCsvOptions());
        if (options.Delimiter is char delimiter && (delimiter is '"' or '\r' or '\n' or '\0'))
        {
            throw new ArgumentException($"The delimiter cannot be a quote, a line break or NUL (got U+{(int)delimiter:X4}).", nameof(options));
        }

        if (options.DecimalComma && options.Delimiter == ',')
        {
            throw new ArgumentException("A decimal comma needs a delimiter other than the comma (';' or tab).", nameof(options));
        }

        if (options.ThousandsSeparator is char thousands)
        {
            if (!Serialization.ModelFileFormat.IsThousandsSeparator(thousands))
            {
                throw new ArgumentException($"The thousands separator must be one of , . ' _ a space or a no-break space (got U+{(int)thousands:X4}).", nameof(options));
            }

            if (thousands == (options.DecimalComma ? ',' : '.'))
            {
                throw new ArgumentException($"The thousands separator '{thousands}' is the decimal mark; with {(options.DecimalComma ? "a decimal comma, use '.' or a space" : "a decimal point, use ',' or a space")}.", nameof(options));
            }

            if (thousands == options.Delimiter && thousands != ',')
            {
                throw new ArgumentException($"The thousands separator '{thousands}' is the delimiter; give another delimiter.", nameof(options));
            }
        }

        ArgumentNullException.ThrowIfNull(options.MissingTokens, nameof(options));
        ArgumentNullException.ThrowIfNull(options.LabelColumns, nameof(options));
        ArgumentNullException.ThrowIfNull(options.ColumnKinds, nameof(options));
        if (options.MissingTokens.Any(token => token is null || token.Trim().Length == 0 || token.Trim() != token))
        {
            throw new ArgumentException("A missing token must be text without surrounding white space (blank fields are missing already).", nameof(options));
        }

        if (options.LabelColumns.Count > 1 && options.Labels == CsvLabels.Classification)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"{options.LabelColumns.Count} label columns were named for classification; several label columns are the targets of a multi-output regression (Labels = CsvLabels.Regression)."), nameof(options));
        }

        if (options.LabelColumns.Any(label => label is null) || options.LabelColumns.Distinct(StringComparer.Ordinal).Count() != options.LabelColumns.Count)
        {
            throw new ArgumentException("The label columns must be named, each once.", nameof(options));
        }

        if (options.LabelColumns.Count == 1 && options.LabelIndex is not null)
        {
            throw new ArgumentException("Name the label column or give its index, not both.", nameof(options));
        }

        if (options.LabelIndex is < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.LabelIndex, "The label column index must be 0 or more.");
        }

        if (!Enum.IsDefined(options.Labels) || !Enum.IsDefined(options.Imputation) || !Enum.IsDefined(options.UnknownCategories) || options.ColumnKinds.Values.Any(kind => !Enum.IsDefined(kind)))
        {
            throw new ArgumentOutOfRangeException(nameof(options), "An option holds a value its enum does not define.");
        }

        if (options.MaxCategories < 1 || options.MaxDistinctValues < 1 || options.MaxDistinctCharacters < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(options), "MaxCategories, MaxDistinctValues and MaxDistinctCharacters must be at least 1.");
        }

        return options;
    }
}
