using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using Native.Numerics.Parquet;

namespace Native.Numerics;

/// <summary>
/// Parquet files read as tables — text columns, nulls, an identifier, a label — by <see cref="Table"/>'s reader, exactly
/// as the CSV file they would be exported to: the same kinds, categories, imputation, standardizer and rows, so a model
/// trained on either reads the other.
/// </summary>
/// <remarks>
/// <para>
/// <b>Values.</b> A number column gives the float <see cref="ParquetFile"/> gives (every number type, decimals rounded
/// once); a text column (UTF-8 strings, enums) its text, a category unless every value is a number; a boolean the
/// categories <c>true</c> and <c>false</c>; a null is missing (imputed, or its category's missing slot), as are empty
/// text and <see cref="TableOptions.MissingTokens"/>. Columns of other types (dates, timestamps, bytes, lists) are
/// ignored; telling one a kind is an error.
/// </para>
/// <para>
/// <b>Files.</b> A file, a directory of <c>*.parquet</c> files, or a pattern (<see cref="ParquetFile.Files"/>), each with
/// the first one's columns; read a row group at a time. The options are <see cref="Table"/>'s (the label, kinds,
/// categories, imputation, limits); <see cref="TableOptions.Delimiter"/> and <see cref="TableOptions.DecimalComma"/>
/// describe text files and are refused.
/// </para>
/// <para>
/// <b>Errors</b> are <see cref="FileFormatException"/>s naming the file and the row (counted from 0 in its file) where
/// the CSV reader names a line: <c>'loans.parquet', row 1041: column 'grade': …</c>.
/// </para>
/// </remarks>
public static class ParquetTable
{
    /// <summary>Reads the table at <paramref name="path"/> and fits a pipeline to it (<see cref="Table.Read(string, TableOptions?)"/>).</summary>
    /// <param name="path">A Parquet file, a directory of them, or a pattern.</param>
    /// <param name="options">The label, the columns' kinds and what the pipeline does; null for the defaults.</param>
    /// <exception cref="FileNotFoundException">No file is there.</exception>
    /// <exception cref="FileFormatException">A file is not a table the options can read; the message says where and why.</exception>
    /// <exception cref="ArgumentException">The options contradict themselves, or describe text (a delimiter, a decimal comma).</exception>
    public static TableData Read(string path, TableOptions? options = null) =>
        Through(path, options, (text, table, name) => Table.Read(text, table, name));

    /// <summary>Reads the Parquet table in <paramref name="stream"/> (readable and seekable; left open) and fits a pipeline to it.</summary>
    /// <param name="stream">The file's bytes, positioned at its first.</param>
    /// <param name="options">The label, the columns' kinds and what the pipeline does; null for the defaults.</param>
    /// <param name="name">What to call the stream in error messages (its file name, say), or null.</param>
    /// <exception cref="FileFormatException">The stream is not a Parquet table the options can read; the message says where and why.</exception>
    /// <exception cref="ArgumentException">The stream cannot seek, the options contradict themselves, or describe text.</exception>
    public static TableData Read(Stream stream, TableOptions? options = null, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        options ??= new TableOptions();
        CheckText(null, options);
        using TableTextStream text = Open([name], ParquetSource.Open(stream, name, owned: false), options.ThousandsSeparator);
        return Through(text, options, name, (text, table, name) => Table.Read(text, table, name));
    }

    /// <summary>
    /// Reads the table at <paramref name="path"/> through <paramref name="pipeline"/>, fitted before
    /// (<see cref="Table.Read(string, FeaturePipeline, TableOptions?)"/>): columns matched by name, blanks imputed, unseen
    /// categories as the pipeline says.
    /// </summary>
    /// <param name="path">A Parquet file, a directory of them, or a pattern.</param>
    /// <param name="pipeline">The pipeline to read through.</param>
    /// <param name="options">The label and the limits; null for the defaults.</param>
    /// <exception cref="FileNotFoundException">No file is there.</exception>
    /// <exception cref="FileFormatException">A file lacks a column the pipeline needs, or a value does not fit it.</exception>
    /// <exception cref="ArgumentException">The options describe text (a delimiter, a decimal comma).</exception>
    public static TableData Read(string path, FeaturePipeline pipeline, TableOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(pipeline);
        CheckText(pipeline, options ?? new TableOptions());
        return Through(path, options, (text, table, name) => Table.Read(text, pipeline, table, name));
    }

    /// <summary>Refuses options that describe text (a delimiter, a decimal comma), and a pipeline that reads decimal commas.</summary>
    internal static void CheckText(FeaturePipeline? pipeline, TableOptions options)
    {
        if (pipeline is { DecimalComma: true })
        {
            throw new ArgumentException("The pipeline reads numbers written with a decimal comma; a Parquet file's numbers are not text. Read its CSV export.", nameof(pipeline));
        }

        if (options.Delimiter is not null || options.DecimalComma)
        {
            throw new ArgumentException("A delimiter and a decimal comma describe a text file; a Parquet table has neither.", nameof(options));
        }
    }

    /// <summary>The text of the table <paramref name="files"/> hold (<paramref name="first"/> open), its fields between <see cref="Delimiter"/>s.</summary>
    internal static TableTextStream Open(IReadOnlyList<string?> files, ParquetSource first, char? thousands)
    {
        try
        {
            return new TableTextStream(files, first, Delimiter(thousands));
        }
        catch
        {
            first.Dispose();
            throw;
        }
    }

    /// <summary>The table's text made from the files, read by <paramref name="read"/>; a line of the text in an error becomes its file and row.</summary>
    private static TableData Through(string path, TableOptions? options, Func<Stream, TableOptions, string?, TableData> read)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        options ??= new TableOptions();
        CheckText(null, options);
        IReadOnlyList<string> files = ParquetFile.Files(path);
        using TableTextStream text = Open(files, ParquetSource.Open(files[0]), options.ThousandsSeparator);
        return Through(text, options, files[0], read);
    }

    /// <summary>The character between the text's fields: a comma, or a semicolon where commas group thousands.</summary>
    internal static char Delimiter(char? thousands) => thousands == ',' ? ';' : ',';

    private static TableData Through(TableTextStream text, TableOptions options, string? first, Func<Stream, TableOptions, string?, TableData> read)
    {
        TableOptions table = ForText(options, text.Columns, first);
        try
        {
            return read(text, table, first);
        }
        catch (FileFormatException e) when (TryLocate(e, text, first, out FileFormatException? located))
        {
            throw located;
        }
    }

    /// <summary>
    /// The table reader's error <paramref name="e"/> at a line of <paramref name="text"/> (named <paramref name="first"/>) as
    /// an error of its file and row, in <paramref name="located"/>; false for an error that is not at a line of the text.
    /// </summary>
    internal static bool TryLocate(FileFormatException e, TableTextStream text, string? first, [NotNullWhen(true)] out FileFormatException? located)
    {
        located = null;
        if (e.Line is not int line || e.Column is not int column || e.Path != first)
        {
            return false;
        }

        string place = string.Create(CultureInfo.InvariantCulture, $", line {line}, column {column}: ");
        int at = e.Message.IndexOf(place, StringComparison.Ordinal);
        string detail = at >= 0 ? e.Message[(at + place.Length)..] : e.Message;
        located = text.RowOf(line) is { } where
            ? FileFormatException.InFile(where.File, string.Create(CultureInfo.InvariantCulture, $"row {where.Row}: {detail}"), e)
            : FileFormatException.InFile(first, detail, e);
        return true;
    }

    /// <summary>
    /// The options for the text: every setting of <paramref name="options"/>, the delimiter the text uses, and the columns of
    /// other types ignored (a kind told for one is an error).
    /// </summary>
    internal static TableOptions ForText(TableOptions options, IReadOnlyList<ParquetColumn> columns, string? file)
    {
        var kinds = new Dictionary<string, ColumnKind>(options.ColumnKinds, StringComparer.Ordinal);
        foreach (ParquetColumn column in columns)
        {
            if (TableTextStream.IsWritten(column))
            {
                continue;
            }

            if (kinds.TryGetValue(column.Name, out ColumnKind told) && told != ColumnKind.Ignored)
            {
                throw FileFormatException.InFile(file, $"column {Messages.Quote(column.Name)} is {column.Type}: neither numbers nor text, so it cannot be read as {(told == ColumnKind.Number ? "numbers" : "categories")}; it is ignored.");
            }

            kinds[column.Name] = ColumnKind.Ignored;
        }

        return new TableOptions
        {
            Delimiter = Delimiter(options.ThousandsSeparator),
            DecimalComma = false,
            ThousandsSeparator = options.ThousandsSeparator,
            MissingTokens = options.MissingTokens,
            LabelColumns = options.LabelColumns,
            LabelIndex = options.LabelIndex,
            Labels = options.Labels,
            ColumnKinds = kinds,
            MaxCategories = options.MaxCategories,
            Imputation = options.Imputation,
            MissingIndicators = options.MissingIndicators,
            UnknownCategories = options.UnknownCategories,
            Standardize = options.Standardize,
            MaxDistinctValues = options.MaxDistinctValues,
            MaxDistinctCharacters = options.MaxDistinctCharacters,
            MaxFieldLength = options.MaxFieldLength,
            MaxLineLength = options.MaxLineLength,
            MaxColumns = options.MaxColumns,
        };
    }
}
