namespace Native.Numerics.Serialization;

/// <summary>
/// A feature pipeline as plain data (the <c>native.pipeline</c> entry of a model file, every field checked by
/// <see cref="ModelFileFormat.DecodePipeline"/>): what <c>ModelFile</c> builds a <c>FeaturePipeline</c> from, and what the
/// source generator compiles into a typed row. Only BCL types and the library's plain enums, so that a netstandard2.0
/// project can link this file.
/// </summary>
/// <remarks>
/// Consistent when made: the columns' names are distinct; each column that is not ignored starts where the one before it
/// ended, its width is what its kind and fields say (a number: 1, or 2 with an indicator; a category: its categories, then
/// other and missing slots if any, at least 1), and the widths sum to the model's features; fills are finite; a column's
/// categories are distinct.
/// </remarks>
internal sealed class PipelineDescription
{
    public PipelineDescription(PipelineColumnDescription[] columns, string[] missingTokens, bool decimalComma, Imputation imputation, char? thousandsSeparator = null)
    {
        Columns = columns;
        ThousandsSeparator = thousandsSeparator;
        MissingTokens = missingTokens;
        DecimalComma = decimalComma;
        Imputation = imputation;
    }

    /// <summary>Every column of the table but the label, in file order, ignored ones included.</summary>
    public PipelineColumnDescription[] Columns { get; }

    /// <summary>Tokens that mean "missing" besides a blank field.</summary>
    public string[] MissingTokens { get; }

    /// <summary>Whether numbers given as text use a decimal comma.</summary>
    public bool DecimalComma { get; }

    /// <summary>The character that groups numbers' digits in threes in text, or null for none (the field absent).</summary>
    public char? ThousandsSeparator { get; }

    /// <summary>How the number columns' fills were computed.</summary>
    public Imputation Imputation { get; }
}

/// <summary>One column of a <see cref="PipelineDescription"/>.</summary>
internal sealed class PipelineColumnDescription
{
    public PipelineColumnDescription(
        string name,
        ColumnKind kind,
        bool inferred,
        int offset,
        int width,
        float fill,
        bool indicator,
        string[] categories,
        bool other,
        bool missingSlot,
        UnknownCategories unknown,
        long count,
        long missing,
        string? note)
    {
        Name = name;
        Kind = kind;
        Inferred = inferred;
        Offset = offset;
        Width = width;
        Fill = fill;
        Indicator = indicator;
        Categories = categories;
        Other = other;
        MissingSlot = missingSlot;
        Unknown = unknown;
        Count = count;
        Missing = missing;
        Note = note;
    }

    /// <summary>The column's name in the table's header.</summary>
    public string Name { get; }

    public ColumnKind Kind { get; }

    /// <summary>Whether the kind was inferred (false: told).</summary>
    public bool Inferred { get; }

    /// <summary>Where the column's features start in the model's row (0 for an ignored column).</summary>
    public int Offset { get; }

    /// <summary>How many features it writes.</summary>
    public int Width { get; }

    /// <summary>A number's imputed value.</summary>
    public float Fill { get; }

    /// <summary>Whether a number writes a missing indicator after its value.</summary>
    public bool Indicator { get; }

    /// <summary>A category's kept values, in slot order.</summary>
    public string[] Categories { get; }

    /// <summary>Whether a category has an "other" slot (after the kept values).</summary>
    public bool Other { get; }

    /// <summary>Whether a category has a slot for missing values (last).</summary>
    public bool MissingSlot { get; }

    /// <summary>What a category not kept becomes without an other slot.</summary>
    public UnknownCategories Unknown { get; }

    /// <summary>The values training saw that were not missing.</summary>
    public long Count { get; }

    /// <summary>The missing values training saw.</summary>
    public long Missing { get; }

    /// <summary>What the reading noted about the column, or null.</summary>
    public string? Note { get; }
}
