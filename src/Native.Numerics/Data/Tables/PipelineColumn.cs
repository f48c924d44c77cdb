namespace Native.Numerics;

/// <summary>
/// One column of a table as a fitted <see cref="FeaturePipeline"/> reads it: its name and kind, where its features stand
/// in the model's row, and what was fitted — the fill of a number, the categories of a text column — with what training
/// saw of it. Immutable.
/// </summary>
/// <remarks>
/// <para>
/// A <see cref="ColumnKind.Number"/> column writes its value at <see cref="Offset"/> (a missing one replaced by
/// <see cref="Fill"/>), then, when <see cref="HasIndicator"/>, 1 if the value was missing and 0 if not: a width of 1 or 2.
/// </para>
/// <para>
/// A <see cref="ColumnKind.Category"/> column writes one 0/1 feature per slot, a single 1 at most: first one slot per kept
/// value of <see cref="Categories"/>, in that (ordinal) order; then, when <see cref="HasOther"/>, the slot of every value
/// not kept — rare in training, or never seen; then, when <see cref="HasMissingSlot"/>, the slot of a missing value.
/// A value not kept in a column without an other slot is all zeros, or an error (<see cref="Unknown"/>); a missing value
/// in a column without a missing slot is all zeros. Values are matched exactly, as the CSV reader unquotes them: no
/// trimming, no case folding (<c>"B"</c>, <c>" B"</c> and <c>"b"</c> are three values).
/// </para>
/// <para>An <see cref="ColumnKind.Ignored"/> column has width 0: records still name it, and it is read past.</para>
/// </remarks>
public sealed class PipelineColumn
{
    private readonly string[] _categories;
    private readonly Dictionary<string, int> _slots;

    internal PipelineColumn(
        string name,
        ColumnKind kind,
        bool kindInferred,
        int offset,
        float fill,
        bool hasIndicator,
        string[] categories,
        bool hasOther,
        bool hasMissingSlot,
        UnknownCategories unknown,
        long count,
        long missing,
        string? note)
    {
        Name = name;
        Kind = kind;
        KindInferred = kindInferred;
        Offset = offset;
        Fill = kind == ColumnKind.Number ? fill : 0f;
        HasIndicator = kind == ColumnKind.Number && hasIndicator;
        bool category = kind == ColumnKind.Category;
        _categories = category ? categories : [];
        HasOther = category && hasOther;
        HasMissingSlot = category && hasMissingSlot;
        Unknown = unknown;
        Count = count;
        Missing = missing;
        Note = note;
        Width = kind switch
        {
            ColumnKind.Number => HasIndicator ? 2 : 1,
            ColumnKind.Category => _categories.Length + (HasOther ? 1 : 0) + (HasMissingSlot ? 1 : 0),
            _ => 0,
        };
        _slots = new Dictionary<string, int>(_categories.Length, StringComparer.Ordinal);
        for (int s = 0; s < _categories.Length; s++)
        {
            _slots.Add(_categories[s], s);
        }

        Lookup = _slots.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    /// <summary>The column's name, as the table's header writes it.</summary>
    public string Name { get; }

    /// <summary>What the column is to the model.</summary>
    public ColumnKind Kind { get; }

    /// <summary>Whether the kind was inferred from the values (false: told, by <see cref="TableOptions.ColumnKinds"/>).</summary>
    public bool KindInferred { get; }

    /// <summary>Where the column's first feature stands in the model's row.</summary>
    public int Offset { get; }

    /// <summary>How many features the column writes: 1 or 2 for a number, one per slot for a category, 0 when ignored.</summary>
    public int Width { get; }

    /// <summary>A number column's imputed value: what a missing value becomes (0 for other kinds).</summary>
    public float Fill { get; }

    /// <summary>Whether a number column writes a second feature, 1 when the value was missing.</summary>
    public bool HasIndicator { get; }

    /// <summary>A category column's kept values, in slot order (ordinal); empty for other kinds.</summary>
    public IReadOnlyList<string> Categories => _categories;

    /// <summary>Whether a category column has an "other" slot, for values it did not keep.</summary>
    public bool HasOther { get; }

    /// <summary>Whether a category column has a slot for a missing value (it saw blanks in training).</summary>
    public bool HasMissingSlot { get; }

    /// <summary>What a category column does with a value it did not keep when it has no other slot.</summary>
    public UnknownCategories Unknown { get; }

    /// <summary>The other slot (after the kept values), or −1 when there is none.</summary>
    public int OtherSlot => HasOther ? _categories.Length : -1;

    /// <summary>The missing slot (last), or −1 when there is none.</summary>
    public int MissingSlot => HasMissingSlot ? _categories.Length + (HasOther ? 1 : 0) : -1;

    /// <summary>The values training saw in the column that were not missing (0 when the pipeline did not say).</summary>
    public long Count { get; }

    /// <summary>The missing values (blank, or a missing token) training saw in the column.</summary>
    public long Missing { get; }

    /// <summary>What the reading found worth saying (an identifier left out, values beyond the limits), or null.</summary>
    public string? Note { get; }

    /// <summary>The slot of a kept category value (exact match), or −1 when the column did not keep it.</summary>
    public int SlotOf(ReadOnlySpan<char> value) => Lookup.TryGetValue(value, out int slot) ? slot : -1;

    /// <summary>The kept values by text, looked up without a string.</summary>
    internal Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> Lookup { get; }

    /// <summary>The kept values (the array itself).</summary>
    internal string[] CategoryArray => _categories;

    /// <inheritdoc/>
    public override string ToString() => $"{Name}: {Kind.ToString().ToLowerInvariant()}, {Width} feature{(Width == 1 ? "" : "s")} at {Offset}";
}
