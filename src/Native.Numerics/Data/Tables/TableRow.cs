using System.Globalization;

namespace Native.Numerics;

/// <summary>
/// One raw record of a table, as a <see cref="FeaturePipeline"/> reads it: a value per column — a number, a category, or
/// missing — set one at a time and reused row after row. Made by <see cref="FeaturePipeline.CreateRow"/> or
/// <see cref="TrainedModel.CreateRow"/>; every value starts missing.
/// </summary>
/// <remarks>
/// <para>
/// Setting a value allocates nothing: a number is kept as a float, and a category is resolved to its slot when it is set
/// (looked up by its characters, no string made), so no text is kept. A value the pipeline's column did not keep goes to
/// the column's other slot, else is all zeros, or an error when the column says so (<see cref="UnknownCategories.Error"/>).
/// </para>
/// <para>
/// A row is for one thread at a time (it is the caller's buffer); the pipeline and the model that read it are shared.
/// Setting a value of an ignored column does nothing, so a record can be set column by column as it comes.
/// </para>
/// </remarks>
public sealed class TableRow
{
    /// <summary>A category's slot when the column writes all zeros (a value not kept, or missing, with no slot for it).</summary>
    internal const int NoSlot = -1;

    private readonly FeaturePipeline _pipeline;
    private readonly PipelineColumn[] _columns;
    private readonly float[] _values;
    private readonly int[] _slots;

    internal TableRow(FeaturePipeline pipeline)
    {
        _pipeline = pipeline;
        _columns = pipeline.ColumnArray;
        _values = new float[_columns.Length];
        _slots = new int[_columns.Length];
        Clear();
    }

    /// <summary>The pipeline whose row this is.</summary>
    public FeaturePipeline Pipeline => _pipeline;

    /// <summary>The pipeline's columns: what the column indices of the setters count.</summary>
    public IReadOnlyList<PipelineColumn> Columns => _columns;

    /// <summary>Each column's number (NaN when missing, or not a number column).</summary>
    internal ReadOnlySpan<float> Values => _values;

    /// <summary>Each category column's slot (<see cref="NoSlot"/> for all zeros).</summary>
    internal ReadOnlySpan<int> Slots => _slots;

    /// <summary>The index of the column named <paramref name="name"/> (ordinal): look it up once, then set values by index.</summary>
    /// <exception cref="ArgumentException">The pipeline has no such column.</exception>
    public int ColumnOf(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        int column = _pipeline.IndexOf(name);
        return column >= 0 ? column : throw new ArgumentException($"The pipeline has no column {Csv.Quote(name)}; its columns are {Names()}.", nameof(name));
    }

    /// <summary>The index of the column named <paramref name="name"/> (ordinal, no string made); false when there is none.</summary>
    public bool TryGetColumn(ReadOnlySpan<char> name, out int column) => _pipeline.ColumnLookup.TryGetValue(name, out column);

    /// <summary>Every value missing: numbers to be imputed, categories in their missing slot (or all zeros).</summary>
    public void Clear()
    {
        Array.Fill(_values, float.NaN);
        for (int c = 0; c < _columns.Length; c++)
        {
            _slots[c] = _columns[c].MissingSlot;
        }
    }

    /// <summary>Sets a number column's value; NaN means missing (imputed). Does nothing for an ignored column.</summary>
    /// <exception cref="ArgumentException">The column is a category, or the value is infinite.</exception>
    public void SetNumber(int column, float value)
    {
        PipelineColumn target = Column(column);
        if (target.Kind != ColumnKind.Number)
        {
            if (target.Kind == ColumnKind.Ignored)
            {
                return;
            }

            throw new ArgumentException($"Column {Csv.Quote(target.Name)} holds categories; set it with SetCategory or SetText.", nameof(column));
        }

        if (float.IsInfinity(value))
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"Column {Csv.Quote(target.Name)}: {value} is not a finite number (NaN means missing)."), nameof(value));
        }

        _values[column] = value;
    }

    /// <summary>Sets the number of the column named <paramref name="name"/>; see <see cref="SetNumber(int, float)"/>.</summary>
    /// <exception cref="ArgumentException">No such column, the column is a category, or the value is infinite.</exception>
    public void SetNumber(string name, float value) => SetNumber(ColumnOf(name), value);

    /// <summary>
    /// Sets a category column's value, matched exactly against the values the column kept; one not kept goes to the other
    /// slot, or is all zeros (<see cref="UnknownCategories.Ignore"/>). Does nothing for an ignored column. Allocates nothing.
    /// </summary>
    /// <exception cref="ArgumentException">The column is a number, or the value was not kept and the column has no other slot and refuses unknown values (<see cref="UnknownCategories.Error"/>).</exception>
    public void SetCategory(int column, ReadOnlySpan<char> value)
    {
        PipelineColumn target = Column(column);
        if (target.Kind != ColumnKind.Category)
        {
            if (target.Kind == ColumnKind.Ignored)
            {
                return;
            }

            throw new ArgumentException($"Column {Csv.Quote(target.Name)} holds numbers; set it with SetNumber or SetText.", nameof(column));
        }

        if (!TrySetCategory(column, target, value))
        {
            throw new ArgumentException(UnknownMessage(target, value), nameof(value));
        }
    }

    /// <summary>Sets the category of the column named <paramref name="name"/>; see <see cref="SetCategory(int, ReadOnlySpan{char})"/>.</summary>
    /// <exception cref="ArgumentException">No such column, the column is a number, or the value is refused.</exception>
    public void SetCategory(string name, ReadOnlySpan<char> value) => SetCategory(ColumnOf(name), value);

    /// <summary>Marks a column's value missing: a number imputed, a category in its missing slot (or all zeros).</summary>
    /// <exception cref="ArgumentOutOfRangeException">No such column.</exception>
    public void SetMissing(int column)
    {
        PipelineColumn target = Column(column);
        _values[column] = float.NaN;
        _slots[column] = target.MissingSlot;
    }

    /// <summary>Marks the value of the column named <paramref name="name"/> missing.</summary>
    /// <exception cref="ArgumentException">No such column.</exception>
    public void SetMissing(string name) => SetMissing(ColumnOf(name));

    /// <summary>
    /// Sets a column's value from text, as a CSV field holds it: a blank or one of the pipeline's missing tokens is missing;
    /// a number column's text must be a finite number (invariant culture, or a decimal comma when the pipeline reads them,
    /// surrounding white space allowed); a category column's text is the category, exactly. Allocates nothing.
    /// </summary>
    /// <exception cref="ArgumentException">A number column's text is not a finite number, or a category is refused (see <see cref="SetCategory(int, ReadOnlySpan{char})"/>).</exception>
    public void SetText(int column, ReadOnlySpan<char> text)
    {
        SetResult result = TrySetText(column, text);
        if (result != SetResult.Done)
        {
            throw new ArgumentException(Problem(column, text, result), nameof(text));
        }
    }

    /// <summary>Sets the value of the column named <paramref name="name"/> from text; see <see cref="SetText(int, ReadOnlySpan{char})"/>.</summary>
    /// <exception cref="ArgumentException">No such column, or the text is refused.</exception>
    public void SetText(string name, ReadOnlySpan<char> text) => SetText(ColumnOf(name), text);

    /// <summary>What setting a value from text came to.</summary>
    internal enum SetResult
    {
        Done,
        NotANumber,
        NotFinite,
        UnknownCategory,
    }

    /// <summary>Sets a column from text, saying what went wrong instead of throwing (the readers make their own errors).</summary>
    internal SetResult TrySetText(int column, ReadOnlySpan<char> text)
    {
        PipelineColumn target = Column(column);
        switch (target.Kind)
        {
            case ColumnKind.Number:
                {
                    if (TableText.IsMissing(text, _pipeline.MissingTokenArray))
                    {
                        _values[column] = float.NaN;
                        return SetResult.Done;
                    }

                    if (!TableText.TryParseNumber(text, _pipeline.DecimalComma, _pipeline.Thousands, out float value))
                    {
                        return SetResult.NotANumber;
                    }

                    if (!float.IsFinite(value))
                    {
                        return SetResult.NotFinite;
                    }

                    _values[column] = value;
                    return SetResult.Done;
                }

            case ColumnKind.Category:
                if (TableText.IsMissing(text, _pipeline.MissingTokenArray))
                {
                    _slots[column] = target.MissingSlot;
                    return SetResult.Done;
                }

                return TrySetCategory(column, target, text) ? SetResult.Done : SetResult.UnknownCategory;
            default:
                return SetResult.Done;
        }
    }

    /// <summary>The message of a value <see cref="TrySetText"/> refused.</summary>
    internal string Problem(int column, ReadOnlySpan<char> text, SetResult result)
    {
        PipelineColumn target = _columns[column];
        string number = TableText.NumberForm(_pipeline.DecimalComma, _pipeline.Thousands);
        return result switch
        {
            SetResult.NotANumber => $"column {Csv.Quote(target.Name)}: {Csv.Quote(text)} is not a number ({number}); the column held numbers in training{TextShapes.Hint(TextShapes.Of(text, _pipeline.DecimalComma))}{TokensHint()}.",
            SetResult.NotFinite => $"column {Csv.Quote(target.Name)}: {Csv.Quote(text)} is not a finite number{TokensHint()}.",
            _ => UnknownMessage(target, text),
        };
    }

    private bool TrySetCategory(int column, PipelineColumn target, ReadOnlySpan<char> value)
    {
        if (target.Lookup.TryGetValue(value, out int slot))
        {
            _slots[column] = slot;
            return true;
        }

        if (target.HasOther)
        {
            _slots[column] = target.OtherSlot;
            return true;
        }

        _slots[column] = NoSlot;
        return target.Unknown == UnknownCategories.Ignore;
    }

    private static string UnknownMessage(PipelineColumn target, ReadOnlySpan<char> value) =>
        $"column {Csv.Quote(target.Name)}: {Csv.Quote(value)} is not one of the {target.Categories.Count} categories the model knows, and unknown categories are errors for this model.";

    private string TokensHint() => _pipeline.MissingTokenArray.Length == 0
        ? "; a blank field means missing"
        : $"; a blank field or {string.Join(", ", _pipeline.MissingTokenArray.Select(token => Csv.Quote(token)))} means missing";

    private PipelineColumn Column(int column)
    {
        if ((uint)column >= (uint)_columns.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(column), column, string.Create(CultureInfo.InvariantCulture, $"The pipeline has {_columns.Length} columns (0 to {_columns.Length - 1})."));
        }

        return _columns[column];
    }

    private string Names() => TableHeader.NameList([.. _columns.Select(column => column.Name)]);
}
