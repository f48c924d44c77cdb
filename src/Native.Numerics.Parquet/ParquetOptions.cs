namespace Native.Numerics;

/// <summary>
/// How <see cref="ParquetFile"/> and <see cref="ParquetFeatureReader"/> read Parquet files: which column is the label,
/// which are features, what the labels are, and the limit that keeps a hostile file from taking the machine's memory.
/// </summary>
public sealed class ParquetOptions
{
    /// <summary>The default of <see cref="MaxExpansion"/>: 1,000.</summary>
    public const int DefaultMaxExpansion = 1000;

    /// <summary>
    /// What any row group may expand to as floats, whatever its ratio: 64 MiB, so small files of constant or
    /// near-constant columns (which Parquet's run-length encoding shrinks a thousandfold and more) still read.
    /// </summary>
    public const long MinimumAllowance = 64L * 1024 * 1024;

    internal static readonly ParquetOptions Default = new();

    /// <summary>The name of the label column (compared ordinally); null for the last column.</summary>
    public string? LabelColumn { get; init; }

    /// <summary>
    /// The feature columns, by name, in the order the rows take them; null (the default) for every number column but
    /// the label, in the file's order. A named column that holds text, dates or anything else but numbers is an error.
    /// </summary>
    public IReadOnlyList<string>? FeatureColumns { get; init; }

    /// <summary>
    /// Columns of <see cref="FeatureColumns"/> that are further regression targets, not features: a multi-output
    /// regression's targets after the label, read beside the features into each row (as evaluating such a model reads
    /// them). They are read as features are, but a null or a value that is not a finite number is called the target's in
    /// the error, which says every row needs each target. Null (the default) for none; each named must be a feature column.
    /// </summary>
    public IReadOnlyList<string>? TargetColumns { get; init; }

    /// <summary>Whether the labels are classes or regression targets; by default, inferred from the label column's type.</summary>
    public ParquetLabels Labels { get; init; } = ParquetLabels.Infer;

    /// <summary>
    /// The most a row group may expand: the floats its rows become (rows × columns read × 4 bytes) may be at most this
    /// many times the bytes its columns take in the file, or <see cref="MinimumAllowance"/>, whichever is more. Default
    /// 1,000; MNIST's pixels expand about 15 times and a table of floats about 1 to 4. A row group declaring more is
    /// refused before anything is read (a file of a few bytes can declare a billion rows of one repeated value).
    /// </summary>
    public int MaxExpansion { get; init; } = DefaultMaxExpansion;

    /// <summary>What <paramref name="storedBytes"/> of column chunks may expand to, in bytes of floats.</summary>
    internal long Allowance(long storedBytes) =>
        Math.Max(MinimumAllowance, storedBytes > long.MaxValue / MaxExpansion ? long.MaxValue : storedBytes * MaxExpansion);

    internal void Validate()
    {
        if (MaxExpansion < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxExpansion), MaxExpansion, "The largest expansion must be at least 1.");
        }

        if (!Enum.IsDefined(Labels))
        {
            throw new ArgumentOutOfRangeException(nameof(Labels), Labels, "Unknown kind of labels.");
        }

        if (FeatureColumns is { Count: 0 })
        {
            throw new ArgumentException("Name at least one feature column, or leave FeatureColumns null for every number column.", nameof(FeatureColumns));
        }

        if (TargetColumns is { } targets)
        {
            if (targets.Any(name => name is null) || targets.Distinct(StringComparer.Ordinal).Count() != targets.Count)
            {
                throw new ArgumentException("Name each target column once.", nameof(TargetColumns));
            }

            if (FeatureColumns is { } features && targets.FirstOrDefault(name => !features.Contains(name, StringComparer.Ordinal)) is string missing)
            {
                throw new ArgumentException($"The target column '{missing}' is not one of FeatureColumns; name it there too (the targets are read beside the features).", nameof(TargetColumns));
            }
        }
    }
}

/// <summary>What the label column of a Parquet file holds.</summary>
public enum ParquetLabels
{
    /// <summary>
    /// Decide from the column's type: integers, booleans and text are classes; floats, doubles and decimals are
    /// regression targets.
    /// </summary>
    Infer,

    /// <summary>Classes: integers (mapped in numeric order), booleans (false, true) or text (mapped in ordinal order).</summary>
    Classification,

    /// <summary>Regression targets: every label a finite number.</summary>
    Regression,
}
