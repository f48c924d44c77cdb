using System.Runtime.CompilerServices;

namespace Native.Numerics;

// The inline paths of a column's reading: what Table's record loop does without a call for the fields most tables are made of.
internal sealed partial class ColumnReading
{
    /// <summary>Whether <see cref="TryAddKnownText"/> may take a field: a category column that counts no numbers.</summary>
    private bool _knownText;

    /// <summary>Whether <see cref="TryAddKnownNumber"/> may take a field (see there).</summary>
    private bool _knownNumber;

    /// <summary>
    /// Reads the field as <see cref="Add(ReadOnlySpan{char}, int, CsvRecordReader, string?)"/> would when the column is a
    /// category that counts no numbers (told one, or its values past one word) and the field's text has an id already: the
    /// id kept for the row and counted. False, having done nothing, for any other field. The first <paramref name="length"/>
    /// characters of <paramref name="field"/> are the text; what follows them lets its last word be read whole.
    /// </summary>
    /// <remarks>
    /// A text with an id was read by <see cref="Add(ReadOnlySpan{char}, int, CsvRecordReader, string?)"/> once, so it is
    /// none of what that reads another way: not a missing token, not blank, not a small integer tracked by value.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryAddKnownText(ReadOnlySpan<char> field, int length)
    {
        if (!_knownText || !_vocabulary!.TryGetValue(field, length, out int id))
        {
            return false;
        }

        _counts![id]++;
        _ids!.Add(id);
        Present++;
        return true;
    }

    /// <summary>
    /// Reads the field as <see cref="Add(ReadOnlySpan{char}, int, CsvRecordReader, string?)"/> would when that is to keep a
    /// finite number its fast parser reads (<see cref="CsvNumber.TryParse"/>), in a column with no missing tokens that is a
    /// number, a measurement, or undecided with its ids kept per row — then only when the text has an id already. False,
    /// having done nothing, for any other field. The first <paramref name="length"/> characters of <paramref name="field"/>
    /// are the text; what follows them lets its last word be read whole.
    /// </summary>
    /// <remarks>
    /// Without missing tokens, a text that parses is neither blank nor a token; a small integer's text is read as the same
    /// number either way, and in an undecided column it has no id among the texts (its id is by value), so it goes to
    /// <see cref="Add(ReadOnlySpan{char}, int, CsvRecordReader, string?)"/> there.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryAddKnownNumber(ReadOnlySpan<char> field, int length)
    {
        if (!_knownNumber || !CsvNumber.TryParse(field[..length], out float value) || !float.IsFinite(value))
        {
            return false;
        }

        if (_mode == Mode.Undecided)
        {
            if (!_vocabulary!.TryGetValue(field, length, out int id))
            {
                return false;
            }

            _counts![id]++;
            _ids!.Add(id);
        }

        Present++;
        NumberCount++;
        AllIntegers &= value == MathF.Round(value);
        Values!.Add(value);
        return true;
    }

    /// <summary>Which inline paths may take a field, after the column's mode or what it knows changed.</summary>
    private void UpdateKnownSmall()
    {
        _knownSmall = _tokens.Length == 0 && _byValue && (_mode is Mode.Number or Mode.Measurement || (_mode == Mode.Undecided && _idsPending));
        _knownText = _byValue && _mode == Mode.Category && (_nonNumbersDiffer || _nonNumberText is null);
        _knownNumber = _tokens.Length == 0 && _byValue && !_decimalComma && (_mode is Mode.Number or Mode.Measurement || (_mode == Mode.Undecided && !_idsPending));
    }
}
