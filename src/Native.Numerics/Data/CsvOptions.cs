namespace Native.Numerics;

/// <summary>How <see cref="Csv"/> reads a file: which column is the label, and what the labels are.</summary>
public sealed class CsvOptions
{
    /// <summary>The name of the label column, as the header row writes it (compared ordinally); null to use <see cref="LabelIndex"/>.</summary>
    public string? LabelColumn { get; init; }

    /// <summary>The 0-based index of the label column; null (with <see cref="LabelColumn"/> null) for the last column.</summary>
    public int? LabelIndex { get; init; }

    /// <summary>Whether the labels are classes or regression targets; by default, inferred from the labels.</summary>
    public CsvLabels Labels { get; init; } = CsvLabels.Infer;

    /// <summary>
    /// The character that groups numbers' integer digits in threes (<c>','</c> for a quoted <c>"1,037.5"</c>), as pandas'
    /// <c>thousands=</c>; null (the default) for none. A number then reads with or without it, strictly: a first group of
    /// 1 to 3 digits, the others of exactly 3 (<c>1,03</c> is an error at its line and column). One of <c>,</c> <c>'</c>
    /// <c>_</c>, a space or a no-break space: not the point, which is the decimal mark here.
    /// </summary>
    public char? ThousandsSeparator { get; init; }

    /// <summary>The character between fields: a comma by default; a semicolon or a tab for some files.</summary>
    public char Separator { get; init; } = ',';

    /// <summary>
    /// The longest field, in characters: 65,536 by default. Numbers, column names and class names are far shorter;
    /// a longer field is an error at its line and column, found before it is held (a 1.1-billion-character field
    /// once took 6 GB and ended in an out-of-memory crash).
    /// </summary>
    public int MaxFieldLength { get; init; } = 65_536;

    /// <summary>
    /// The longest record (a line, or several when a quoted field holds line breaks), in characters, separators
    /// included: 16,777,216 (16 Mi) by default, enough for a million features. A longer one is an error at its line,
    /// found as it streams, so a file without line breaks (<c>/dev/zero</c>, say) costs no more than this.
    /// </summary>
    public int MaxLineLength { get; init; } = 16 * 1024 * 1024;

    /// <summary>The most fields in one record: 1,048,576 by default.</summary>
    public int MaxColumns { get; init; } = 1024 * 1024;
}

/// <summary>What the label column of a CSV file holds.</summary>
public enum CsvLabels
{
    /// <summary>
    /// Decide from the labels: classes if every label is an integer; regression targets if every label is a
    /// number and some are not integers; classes (named by the text) if any label is not a number.
    /// </summary>
    Infer,

    /// <summary>Classes: integers (mapped in numeric order) or text (mapped in ordinal order).</summary>
    Classification,

    /// <summary>Regression targets: every label a finite float.</summary>
    Regression,
}
