using System.Globalization;

namespace Native.Numerics;

/// <summary>
/// One column of a table while its records are read to fit a pipeline: whether its values are all numbers so far, the
/// numbers (one per row, NaN for missing) while they may be a number column, and the ids of its distinct texts (one per
/// row) while it may be a category column, with each id's count.
/// </summary>
/// <remarks>
/// <para>
/// A column whose kind is not told starts undecided: each value is parsed as a number and, for its first 4,096 distinct
/// texts, also looked up as a category, so that a column of numbers that turns out to hold a word (a code "A7" after 500
/// rows of digits) still has the exact text of every earlier value. A column of more distinct numbers than that stops
/// keeping them (it is a measurement, not a code): should it then meet a word, its earlier values count as "other".
/// </para>
/// <para>
/// <b>Small integers by value.</b> The text of a canonical small integer — "0" to "9999", digits only, no sign, no leading
/// zero — is determined by its value, so such a text is tracked in an array indexed by the value (its id, or none yet)
/// instead of the dictionary of texts: no hashing, no string, for the pixels and codes that fill numeric tables. Its string
/// is made only when <see cref="Texts"/> is asked (the column turned out to be a category). Every other text ("07", "7.0",
/// "+7", words) goes through the dictionary, so the two never hold the same text, and ids, counts and limits are given out
/// exactly as one dictionary would give them.
/// </para>
/// <para>
/// <b>Ids left pending.</b> While every value of an undecided column is missing or such a small integer with an id, each
/// row's id and each id's count follow from the numbers kept for the rows, so none is written per row: the ids and counts
/// are made from the numbers when first needed — a value of another text, a limit met, the column read as a category —
/// and kept per row from then on. A column of pixels or codes that stays a number never writes them.
/// </para>
/// </remarks>
internal sealed partial class ColumnReading
{
    /// <summary>A category id for a missing value.</summary>
    public const int MissingId = -1;

    /// <summary>A category id for a value whose text was not kept: past the reading's limits, or a number read before the column proved to hold text.</summary>
    public const int OtherId = -2;

    /// <summary>The distinct texts an undecided column keeps before it takes itself for a measurement.</summary>
    public const int UndecidedLimit = 4096;

    private readonly TableVocabularyBudget _budget;
    private readonly string[] _tokens;
    private readonly bool _decimalComma;

    /// <summary>The thousands separator numbers may hold (<see cref="TableOptions.ThousandsSeparator"/>), or NUL for none.</summary>
    private readonly char _thousands;

    /// <summary>The largest value of a small integer tracked by value (<see cref="SmallInteger(ReadOnlySpan{char}, out int)"/>).</summary>
    public const int SmallIntegerLimit = 9999;

    private TextIds? _vocabulary = new();

    /// <summary>Each small integer's id + 1 (0: no id yet), by value; grown as larger values come.</summary>
    private int[] _smallIds = [];

    /// <summary>The category ids, one per row, once kept (<see cref="Ids"/>).</summary>
    private ChunkedList<int>? _ids;

    /// <summary>Whether the ids and counts are left to be made from <see cref="Values"/> (every value so far missing or a small integer with an id).</summary>
    private bool _idsPending;

    /// <summary>How many times each kept text appeared, by id; the first <see cref="_distinct"/> are used.</summary>
    private int[]? _counts = new int[16];
    private int _distinct;
    private long _vocabularyCharacters;
    private Mode _mode;
    private string? _nonNumberText;
    private bool _nonNumbersDiffer;

    /// <summary>Whether canonical small integers are tracked by value, and the inline paths taken; false only to test them against the dictionary alone.</summary>
    private readonly bool _byValue;

    public ColumnReading(string name, int index, ColumnKind? told, TableVocabularyBudget budget, string[] tokens, bool decimalComma, char thousands = '\0', bool smallIntegersByValue = true)
    {
        _thousands = thousands;
        _byValue = smallIntegersByValue;
        Name = name;
        Index = index;
        Told = told;
        _budget = budget;
        _tokens = tokens;
        _decimalComma = decimalComma;
        _mode = told switch
        {
            ColumnKind.Number => Mode.Number,
            ColumnKind.Category => Mode.Category,
            _ => Mode.Undecided,
        };
        Values = _mode == Mode.Category ? null : new ChunkedList<float>();
        _ids = _mode == Mode.Category ? new ChunkedList<int>() : null;
        _idsPending = _mode == Mode.Undecided;
        UpdateKnownSmall();
        if (_mode == Mode.Number)
        {
            _vocabulary = null;
            _counts = null;
        }
    }

    private enum Mode
    {
        /// <summary>Told a number: every value must be one.</summary>
        Number,

        /// <summary>Every value a number so far; their texts kept as categories too, up to <see cref="UndecidedLimit"/>.</summary>
        Undecided,

        /// <summary>Every value a number so far, too many distinct ones to keep their texts.</summary>
        Measurement,

        /// <summary>A category: told, or a value was not a number.</summary>
        Category,
    }

    public string Name { get; }

    /// <summary>The column's field in each record.</summary>
    public int Index { get; }

    public ColumnKind? Told { get; }

    /// <summary>The numbers, one per row (NaN for missing), while the column may be a number column; else null.</summary>
    public ChunkedList<float>? Values { get; private set; }

    /// <summary>The category ids, one per row, while the column may be a category column; else null.</summary>
    public ChunkedList<int>? Ids
    {
        get
        {
            MakePendingIds();
            return _ids;
        }
    }

    /// <summary>Whether every value that is not missing is a number.</summary>
    public bool AllNumbers => _mode != Mode.Category;

    /// <summary>Whether every number is an integer.</summary>
    public bool AllIntegers { get; private set; } = true;

    public long Present { get; private set; }

    public long Missing { get; private set; }

    /// <summary>Values counted as other: past the reading's limits, or numbers whose text was not kept.</summary>
    public long Others { get; private set; }

    /// <summary>Whether some value did not fit the reading's limits.</summary>
    public bool Overflowed { get; private set; }

    /// <summary>The distinct texts kept.</summary>
    public int Distinct => _distinct;

    /// <summary>How many times each kept text appeared, by id (ids in order of first appearance).</summary>
    public IReadOnlyList<int> Counts
    {
        get
        {
            MakePendingIds();
            return _counts is null ? [] : new ArraySegment<int>(_counts, 0, _distinct);
        }
    }

    /// <summary>The first number that is not finite ("NaN", "1e999"): its line, column and text; an error if the column stays a number.</summary>
    public (int Line, int Column, string Text)? FirstNonFinite { get; private set; }

    /// <summary>When every value but one text is a number: that text and how often it appeared (a likely missing token); else null.</summary>
    public (string Text, long Count)? LoneText => _nonNumberText is not null && !_nonNumbersDiffer && NumberCount > 0 ? (_nonNumberText, NonNumbers) : null;

    private long NonNumbers { get; set; }

    private long NumberCount { get; set; }

    /// <summary>Whether <see cref="TryAddKnownSmall(ReadOnlySpan{char})"/> may take a field: no missing tokens, and a number column, a measurement, or an undecided one whose ids are pending.</summary>
    private bool _knownSmall;
    /// <summary>Reads one field of the column; <paramref name="records"/> places an error.</summary>
    public void Add(ReadOnlySpan<char> text, CsvRecordReader records, string? file) => Add(text, text.Length, records, file);

    /// <summary>
    /// Reads one field of the column, the first <paramref name="length"/> characters of <paramref name="field"/>; the
    /// characters after them (the rest of the record and the reader's slack) let short texts be read a word at a time.
    /// <paramref name="records"/> places an error.
    /// </summary>
    public void Add(ReadOnlySpan<char> field, int length, CsvRecordReader records, string? file)
    {
        ReadOnlySpan<char> text = field[..length];
        if (_tokens.Length > 0 && IsToken(text))
        {
            AddMissing();
            return;
        }

        if (_byValue && SmallInteger(field, length, out int small))
        {
            AddSmall(small);
            return;
        }

        // From here on the text is not a small integer tracked by value (when they are): Track looks it up as text.

        if (_mode == Mode.Category && (_nonNumbersDiffer || _nonNumberText is null) && (_thousands == '\0' || Told == ColumnKind.Category))
        {
            // A category whose values are no longer all one word or numbers: no number is needed (but with a thousands
            // separator a column not told to be text still refuses a number whose groups are wrong, wherever it is).
            if (text.IsEmpty || text.IsWhiteSpace())
            {
                AddMissing();
            }
            else
            {
                _ids!.Add(Track(field, length));
                Present++;
            }

            return;
        }

        bool number = _decimalComma ? CsvNumber.TryParseDecimalComma(text, out float value) : CsvNumber.TryParse(text, out value);
        if (!number)
        {
            if (text.IsEmpty || text.IsWhiteSpace())
            {
                AddMissing();
                return;
            }

            number = !_decimalComma && Csv.TryParseNumber(text, out value);
            if (!number && _thousands != '\0')
            {
                number = Grouped(text, records, file, out value);
            }
        }

        MakePendingIds();
        Present++;
        if (number)
        {
            NumberCount++;
            if (_mode == Mode.Category)
            {
                _ids!.Add(Track(field, length));
                return;
            }

            if (!float.IsFinite(value))
            {
                if (_mode == Mode.Number)
                {
                    throw FileFormatException.AtLine(file, records.LineOf(Index), records.ColumnOf(Index), $"column {Csv.Quote(Name)}: {Csv.Quote(text)} is not a finite number (the column is told to be a number){TokenHint(text)}.");
                }

                FirstNonFinite ??= (records.LineOf(Index), records.ColumnOf(Index), text.ToString());
            }

            AllIntegers &= value == MathF.Round(value);
            Values!.Add(value);
            if (_mode == Mode.Undecided)
            {
                _ids!.Add(Track(field, length));
                if (Distinct > UndecidedLimit)
                {
                    BecomeMeasurement();
                }
            }

            return;
        }

        // Not a number.
        if (_mode == Mode.Number)
        {
            throw FileFormatException.AtLine(file, records.LineOf(Index), records.ColumnOf(Index), $"column {Csv.Quote(Name)}: {Csv.Quote(text)} is not a number, and the column is told to be one ({(_decimalComma ? "digits, ',' for decimals" : "invariant culture: digits, '.' for decimals, an optional exponent")}){TokenHint(text)}.");
        }

        NonNumbers++;
        if (_nonNumberText is null)
        {
            _nonNumberText = text.ToString();
            UpdateKnownSmall();
        }
        else if (!_nonNumbersDiffer && !text.SequenceEqual(_nonNumberText))
        {
            _nonNumbersDiffer = true;
            UpdateKnownSmall();
        }

        if (_mode != Mode.Category)
        {
            BecomeCategory();
        }

        _ids!.Add(Track(field, length));
    }

    /// <summary>The kept texts, by id: the dictionary's, and the small integers' written out.</summary>
    public string[] Texts()
    {
        string[] texts = new string[Distinct];
        foreach ((string text, int id) in _vocabulary?.Pairs() ?? [])
        {
            texts[id] = text;
        }

        for (int value = 0; value < _smallIds.Length; value++)
        {
            if (_smallIds[value] > 0)
            {
                texts[_smallIds[value] - 1] = value.ToString(CultureInfo.InvariantCulture);
            }
        }

        return texts;
    }

    /// <summary>Frees what the column held for a kind it did not take.</summary>
    public void DropNumbers() => Values = null;

    private void AddMissing()
    {
        Missing++;
        Values?.Add(float.NaN);
        _ids?.Add(MissingId);
    }

    /// <summary>The id of a category's text, a new one for a new text while the limits allow, else <see cref="OtherId"/>.</summary>
    /// <remarks>
    /// The text is the first <paramref name="length"/> characters of <paramref name="field"/>; it is not a small integer
    /// tracked by value (<see cref="Add(ReadOnlySpan{char}, int, CsvRecordReader, string?)"/> has read those).
    /// </remarks>
    private int Track(ReadOnlySpan<char> field, int length)
    {
        if (_vocabulary!.TryGetValue(field, length, out int id))
        {
            _counts![id]++;
            return id;
        }

        if (!_budget.TryTake(length))
        {
            Overflowed = true;
            Others++;
            return OtherId;
        }

        id = NewId(length);
        _vocabulary.Add(field[..length].ToString(), id);
        return id;
    }

    /// <summary>Too many distinct numbers to keep their texts: the column is taken for a measurement, and its texts freed.</summary>
    private void BecomeMeasurement()
    {
        _budget.Give(Distinct, _vocabularyCharacters);
        _vocabulary = new TextIds();
        _smallIds = [];
        _counts = new int[16];
        _distinct = 0;
        _vocabularyCharacters = 0;
        _ids = null;
        _idsPending = false;
        _mode = Mode.Measurement;
        UpdateKnownSmall();
    }

    /// <summary>A value is not a number: the column is a category from here on, its numbers kept as text (or as other, for a measurement).</summary>
    private void BecomeCategory()
    {
        if (_mode == Mode.Measurement)
        {
            // The earlier numbers' texts were not kept: each counts as other (a missing one stays missing).
            var ids = new ChunkedList<int>();
            ChunkedList<float> values = Values!;
            for (int i = 0; i < values.Count; i++)
            {
                bool missing = float.IsNaN(values[i]);
                ids.Add(missing ? MissingId : OtherId);
                Others += missing ? 0 : 1;
            }

            _ids = ids;
        }

        Values = null;
        _mode = Mode.Category;
        UpdateKnownSmall();
    }

    private bool IsToken(ReadOnlySpan<char> text)
    {
        ReadOnlySpan<char> trimmed = text.Trim();
        foreach (string token in _tokens)
        {
            if (trimmed.SequenceEqual(token))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Reads a number with thousands separators ("1,037.5"); false for text that is not one. A number whose groups are not
    /// of three digits ("1,03") is an error at its line and column: the separator was asked for, and such a value is a
    /// typo or another convention (Indian lakh grouping, a list of values), not a number to guess at.
    /// </summary>
    private bool Grouped(ReadOnlySpan<char> text, CsvRecordReader records, string? file, out float value) =>
        CsvNumber.TryParseGrouped(text, _thousands, _decimalComma, out value) switch
        {
            GroupedNumber.Number => true,
            GroupedNumber.Malformed => throw FileFormatException.AtLine(file, records.LineOf(Index), records.ColumnOf(Index), $"column {Csv.Quote(Name)}: {Csv.Quote(text)} is not a number with thousands separators: {TableText.GroupingRule(_thousands, _decimalComma)}."),
            _ => false,
        };

    /// <summary>
    /// What an error on a value that is not a number in a column told to be one suggests: what it is, when it is a
    /// percentage, an amount or a date (<see cref="TextShape"/>); else, for a short one, that it may mean missing.
    /// </summary>
    private string TokenHint(ReadOnlySpan<char> text) =>
        TextShapes.Of(text, _decimalComma) is TextShape shape and not TextShape.None ? TextShapes.Hint(shape)
        : text.Trim().Length is > 0 and <= 16 ? $"; if it means missing, add it to the missing tokens (native: --missing {Csv.Quote(text.Trim())})" : "";

    /// <inheritdoc/>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Name}: {_mode}, {Present} present, {Missing} missing, {Distinct} distinct");
}
