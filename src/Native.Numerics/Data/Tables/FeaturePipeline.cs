using System.Globalization;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Native.Numerics;

/// <summary>
/// The fitted steps that turn a table's raw record into a model's row of floats: numbers imputed (and flagged when
/// missing, if asked), categories one-hot encoded over the values kept in training, numbers standardized. Fitted by
/// <see cref="Table.Read(string, TableOptions?)"/>, saved in the model file, and applied by every way of predicting, so
/// a record goes in as it comes, blanks and categories never seen included. Immutable and safe from many threads.
/// </summary>
/// <remarks>
/// <para>
/// <see cref="Columns"/> are every column of the table but the label, in file order, ignored ones included (with width
/// 0), so that records map by name. A raw record is a <see cref="TableRow"/> (<see cref="CreateRow"/>), set value by value;
/// <see cref="Transform"/> writes the model's row from it. A model that travels with its pipeline
/// (<see cref="TrainedModel.Pipeline"/>) predicts from a <see cref="TableRow"/> directly, with no allocation.
/// </para>
/// <para>
/// The encoded features come in column order; each column writes <see cref="PipelineColumn.Width"/> of them from
/// <see cref="PipelineColumn.Offset"/> on (see <see cref="PipelineColumn"/>). The <see cref="Standardizer"/>, when there
/// is one, holds a mean and a deviation for every feature: the number columns' own, and 0 and 1 for the 0/1 features
/// (one-hot slots and missing indicators), which so stay as they are.
/// </para>
/// </remarks>
public sealed partial class FeaturePipeline
{
    private readonly PipelineColumn[] _columns;
    private readonly string[] _featureNames;
    private readonly string[] _missingTokens;
    private readonly Dictionary<string, int> _columnIndex;

    // The encoding's plan, flat: the number columns (their index, offset, fill and indicator offset or −1), then the category
    // columns (index and offset).
    private readonly int[] _numberColumns;
    private readonly int[] _numberOffsets;
    private readonly float[] _fills;
    private readonly int[] _indicatorOffsets;
    private readonly int[] _categoryColumns;
    private readonly int[] _categoryOffsets;

    internal FeaturePipeline(PipelineColumn[] columns, Standardizer? standardizer, string[] missingTokens, bool decimalComma, Imputation imputation, char? thousandsSeparator = null)
    {
        _columns = columns;
        ThousandsSeparator = thousandsSeparator;
        _missingTokens = missingTokens;
        DecimalComma = decimalComma;
        Imputation = imputation;
        _columnIndex = new Dictionary<string, int>(columns.Length, StringComparer.Ordinal);
        var names = new List<string>();
        var numbers = new List<int>();
        var categories = new List<int>();
        int offset = 0;
        for (int c = 0; c < columns.Length; c++)
        {
            PipelineColumn column = columns[c];
            if (!_columnIndex.TryAdd(column.Name, c))
            {
                throw new ArgumentException($"Two columns are named {Csv.Quote(column.Name)}.", nameof(columns));
            }

            if (column.Kind != ColumnKind.Ignored && column.Offset != offset)
            {
                throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"Column {Csv.Quote(column.Name)} starts at feature {column.Offset}; expected {offset}, after the columns before it."), nameof(columns));
            }

            offset += column.Width;
            (column.Kind == ColumnKind.Number ? numbers : column.Kind == ColumnKind.Category ? categories : null)?.Add(c);
            names.AddRange(FeatureNamesOf(column));
        }

        if (offset == 0)
        {
            throw new ArgumentException("The pipeline writes no feature: every column is ignored.", nameof(columns));
        }

        if (standardizer is not null && standardizer.Features != offset)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"The standardizer transforms {standardizer.Features} features; the pipeline writes {offset}."), nameof(standardizer));
        }

        Features = offset;
        Standardizer = standardizer;
        _featureNames = [.. names];
        _numberColumns = [.. numbers];
        _numberOffsets = [.. numbers.Select(c => columns[c].Offset)];
        _fills = [.. numbers.Select(c => columns[c].Fill)];
        _indicatorOffsets = [.. numbers.Select(c => columns[c].HasIndicator ? columns[c].Offset + 1 : -1)];
        _categoryColumns = [.. categories];
        _categoryOffsets = [.. categories.Select(c => columns[c].Offset)];
        ColumnLookup = _columnIndex.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    /// <summary>Every column of the table but the label, in file order, ignored ones included.</summary>
    public IReadOnlyList<PipelineColumn> Columns => _columns;

    /// <summary>The number of features the pipeline writes: the length of the model's row.</summary>
    public int Features { get; }

    /// <summary>The name of each feature written: <c>income</c>, <c>income (missing)</c>, <c>grade=B</c>, <c>grade (other)</c>, <c>grade (missing)</c>.</summary>
    public IReadOnlyList<string> FeatureNames => _featureNames;

    /// <summary>The standardizer of the features written, or null when they are not standardized.</summary>
    public Standardizer? Standardizer { get; }

    /// <summary>Tokens that mean "missing" besides a blank field (matched after trimming white space).</summary>
    public IReadOnlyList<string> MissingTokens => _missingTokens;

    /// <summary>Whether numbers given as text are written with a decimal comma (<c>3,14</c>).</summary>
    public bool DecimalComma { get; }

    /// <summary>
    /// The character that groups a number's integer digits in threes in text (<c>1,037.5</c>; see
    /// <see cref="TableOptions.ThousandsSeparator"/>), or null when numbers have none.
    /// </summary>
    public char? ThousandsSeparator { get; }

    /// <summary><see cref="ThousandsSeparator"/>, or NUL for none.</summary>
    internal char Thousands => ThousandsSeparator ?? '\0';

    /// <summary>How the fills of the number columns were computed.</summary>
    public Imputation Imputation { get; }

    /// <summary>Whether any column is a category: then a model's float-span predictions are refused, and rows go through <see cref="TableRow"/>.</summary>
    public bool HasCategories => _categoryColumns.Length > 0;

    /// <summary>The number columns: the length of a float row when no column is a category (one value per number column, NaN for missing).</summary>
    internal int NumberColumns => _numberColumns.Length;

    /// <summary>The columns by name, looked up without a string.</summary>
    internal Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> ColumnLookup { get; }

    internal string[] MissingTokenArray => _missingTokens;

    internal PipelineColumn[] ColumnArray => _columns;

    /// <summary>
    /// Reads <paramref name="text"/> as a number column's text is read (<see cref="TableRow.SetText(int, ReadOnlySpan{char})"/>):
    /// the invariant culture or a decimal comma (<see cref="DecimalComma"/>), digits grouped in threes by the
    /// <see cref="ThousandsSeparator"/> if any, surrounding white space allowed. True for a number, perhaps not finite; false
    /// for anything else, a number whose groups are not of three digits included. Allocates nothing.
    /// </summary>
    public bool TryParseNumber(ReadOnlySpan<char> text, out float value) => TableText.TryParseNumber(text, DecimalComma, Thousands, out value);

    /// <summary>A raw record for this pipeline, every value missing; reuse it row after row.</summary>
    public TableRow CreateRow() => new(this);

    /// <summary>The index in <see cref="Columns"/> of the column named <paramref name="name"/> (ordinal), or −1.</summary>
    public int IndexOf(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return _columnIndex.TryGetValue(name, out int column) ? column : -1;
    }

    /// <summary>
    /// Writes the model's row for <paramref name="row"/> into <paramref name="features"/>: encoded and, when the pipeline
    /// has a <see cref="Standardizer"/>, standardized. Allocates nothing. The row a model takes without its pipeline
    /// (<see cref="TrainedModel.Model"/>).
    /// </summary>
    /// <exception cref="ArgumentException">The row is another pipeline's, or <paramref name="features"/> is not <see cref="Features"/> long.</exception>
    public void Transform(TableRow row, Span<float> features)
    {
        Encode(row, features);
        Standardizer?.Transform(features, features);
    }

    /// <summary>Writes the encoded (not standardized) row for <paramref name="row"/>: what a dataset read by <see cref="Table"/> holds.</summary>
    internal void Encode(TableRow row, Span<float> features)
    {
        ArgumentNullException.ThrowIfNull(row);
        if (!ReferenceEquals(row.Pipeline, this))
        {
            throw new ArgumentException("The row was made by another pipeline; make rows with this one's CreateRow (or the model's).", nameof(row));
        }

        CheckFeatures(features.Length, nameof(features));
        features.Clear();
        ref float x = ref MemoryMarshal.GetReference(features);
        ReadOnlySpan<float> values = row.Values;
        ReadOnlySpan<int> slots = row.Slots;
        for (int k = 0; k < _numberColumns.Length; k++)
        {
            float value = values[_numberColumns[k]];
            if (float.IsNaN(value))
            {
                value = _fills[k];
                int indicator = _indicatorOffsets[k];
                if (indicator >= 0)
                {
                    Unsafe.Add(ref x, indicator) = 1f; // indicator < Features: checked when the pipeline was made
                }
            }

            Unsafe.Add(ref x, _numberOffsets[k]) = value;
        }

        for (int k = 0; k < _categoryColumns.Length; k++)
        {
            int slot = slots[_categoryColumns[k]];
            if (slot >= 0)
            {
                Unsafe.Add(ref x, _categoryOffsets[k] + slot) = 1f; // a slot is within its column's width
            }
        }
    }

    /// <summary>
    /// Writes the encoded row for <paramref name="values"/>, one per number column in column order (NaN for missing), of a
    /// pipeline without categories: the float-span rule of a <see cref="TrainedModel"/>.
    /// </summary>
    internal void EncodeNumbers(ReadOnlySpan<float> values, Span<float> features)
    {
        features.Clear();
        for (int k = 0; k < _numberColumns.Length; k++)
        {
            float value = values[k];
            if (float.IsNaN(value))
            {
                value = _fills[k];
                if (_indicatorOffsets[k] >= 0)
                {
                    features[_indicatorOffsets[k]] = 1f;
                }
            }

            features[_numberOffsets[k]] = value;
        }
    }

    private void CheckFeatures(int length, string name)
    {
        if (length != Features)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"{name} has length {length}; the pipeline writes {Features} features."), name);
        }
    }

    /// <summary>The names of the features <paramref name="column"/> writes.</summary>
    private static IEnumerable<string> FeatureNamesOf(PipelineColumn column)
    {
        if (column.Kind == ColumnKind.Number)
        {
            yield return column.Name;
            if (column.HasIndicator)
            {
                yield return $"{column.Name} (missing)";
            }
        }
        else if (column.Kind == ColumnKind.Category)
        {
            foreach (string value in column.Categories)
            {
                yield return $"{column.Name}={value}";
            }

            if (column.HasOther)
            {
                yield return $"{column.Name} (other)";
            }

            if (column.HasMissingSlot)
            {
                yield return $"{column.Name} (missing)";
            }
        }
    }
}
