namespace Native.Numerics;

/// <summary>
/// How <see cref="Table"/> reads a table and fits its <see cref="FeaturePipeline"/>: the separator and number format,
/// which tokens mean "missing", which column is the label, what kind each column is, and what the pipeline does with
/// numbers, categories and blanks. The <c>native</c> command's options map onto these one for one.
/// </summary>
public sealed class TableOptions
{
    /// <summary>
    /// The character between fields, or null (the default) to detect it from the header line: the most frequent of
    /// <c>,</c> <c>;</c> tab and <c>|</c> outside quotes, a tie going to the comma.
    /// </summary>
    public char? Delimiter { get; init; }

    /// <summary>
    /// Whether numbers are written with a decimal comma (<c>3,14</c>), as spreadsheets in much of Europe export them; a
    /// point then makes a field not a number. Only with a delimiter other than a comma.
    /// </summary>
    public bool DecimalComma { get; init; }

    /// <summary>
    /// The character that groups numbers' integer digits in threes (<c>','</c> for <c>"1,037.5"</c>, <c>'.'</c> or a space
    /// with <see cref="DecimalComma"/> for <c>1.037,5</c>), as pandas' <c>thousands=</c>; null (the default) for none. A
    /// number then reads with or without it, strictly: a first group of 1 to 3 digits, the others of exactly 3 (a value
    /// like <c>1,03</c> is an error at its line and column). A comma needs the fields quoted, or another delimiter. Saved
    /// in the pipeline (<see cref="FeaturePipeline.ThousandsSeparator"/>), so data read through it later reads the same.
    /// </summary>
    public char? ThousandsSeparator { get; init; }

    /// <summary>
    /// Tokens that mean "missing" besides an empty or blank field (<c>NA</c>, <c>?</c>, <c>-999</c>): a field is
    /// missing when, trimmed of white space, it equals one of them exactly. None by default.
    /// </summary>
    public IReadOnlyList<string> MissingTokens { get; init; } = [];

    /// <summary>
    /// The label column, by name, as a list of one; or several, the targets of a multi-output regression (read as values, in
    /// the order named: the dataset's <see cref="Dataset.TargetCount"/> and <see cref="Dataset.LabelNames"/>; refused with
    /// <see cref="CsvLabels.Classification"/>, and by a read through a fitted pipeline); empty (the default) for
    /// <see cref="LabelIndex"/>, or the last column when that is null too.
    /// </summary>
    public IReadOnlyList<string> LabelColumns { get; init; } = [];

    /// <summary>The 0-based index of the label column, when <see cref="LabelColumns"/> is empty; null for the last column.</summary>
    public int? LabelIndex { get; init; }

    /// <summary>Whether the labels are classes or regression targets; by default inferred from the labels, as <see cref="Csv"/> infers them.</summary>
    public CsvLabels Labels { get; init; } = CsvLabels.Infer;

    /// <summary>
    /// Kinds told by column name (compared ordinally), overriding what the reading infers: a code of digits that is a
    /// category, a column of numbers to leave out. Every name must be a column of the table.
    /// </summary>
    public IReadOnlyDictionary<string, ColumnKind> ColumnKinds { get; init; } = new Dictionary<string, ColumnKind>();

    /// <summary>The most categories a column keeps: 100 by default. The most frequent are kept (ties by first appearance); the rest share one "other" feature.</summary>
    public int MaxCategories { get; init; } = 100;

    /// <summary>What a blank number becomes: the column's training mean by default.</summary>
    public Imputation Imputation { get; init; } = Imputation.Mean;

    /// <summary>
    /// Whether each number column that had blanks in training gets a 0/1 feature saying the value was missing (as
    /// scikit-learn's <c>add_indicator</c>); false by default.
    /// </summary>
    public bool MissingIndicators { get; init; }

    /// <summary>What a category never kept becomes in a column without an "other" feature: all zeros by default.</summary>
    public UnknownCategories UnknownCategories { get; init; } = UnknownCategories.Ignore;

    /// <summary>Whether the pipeline standardizes the number features (mean 0, deviation 1; one-hot features stay 0 or 1): true by default.</summary>
    public bool Standardize { get; init; } = true;

    /// <summary>
    /// The most distinct category values the reading holds, all columns together: 1,048,576 by default. Past it, new
    /// values count as "other" and the column's note says so, so a column of ten million distinct values costs bounded memory.
    /// </summary>
    public int MaxDistinctValues { get; init; } = 1024 * 1024;

    /// <summary>The most characters of distinct category values the reading holds, all columns together: 32 Mi (64 MiB) by default; past it, as <see cref="MaxDistinctValues"/>.</summary>
    public long MaxDistinctCharacters { get; init; } = 32L * 1024 * 1024;

    /// <summary>The longest field, in characters, as <see cref="CsvOptions.MaxFieldLength"/>: 65,536 by default.</summary>
    public int MaxFieldLength { get; init; } = 65_536;

    /// <summary>The longest record, in characters, as <see cref="CsvOptions.MaxLineLength"/>: 16 Mi by default.</summary>
    public int MaxLineLength { get; init; } = 16 * 1024 * 1024;

    /// <summary>The most fields in one record, as <see cref="CsvOptions.MaxColumns"/>: 1,048,576 by default.</summary>
    public int MaxColumns { get; init; } = 1024 * 1024;

    /// <summary>The record reader's options: the separator (or a comma, until it is detected) and the limits.</summary>
    internal CsvOptions ToCsvOptions() => new()
    {
        Separator = Delimiter ?? ',',
        MaxFieldLength = MaxFieldLength,
        MaxLineLength = MaxLineLength,
        MaxColumns = MaxColumns,
    };
}
