namespace Native.Numerics;

/// <summary>What the distinct category texts of a table's reading may hold, all columns together (<see cref="TableOptions.MaxDistinctValues"/>, <see cref="TableOptions.MaxDistinctCharacters"/>).</summary>
internal sealed class TableVocabularyBudget(int values, long characters)
{
    private int _values = values;
    private long _characters = characters;

    /// <summary>Takes room for one more text of <paramref name="length"/> characters; false when there is none.</summary>
    public bool TryTake(int length)
    {
        if (_values == 0 || _characters < length)
        {
            return false;
        }

        _values--;
        _characters -= length;
        return true;
    }

    /// <summary>Gives back the room of texts no longer held.</summary>
    public void Give(int values, long characters)
    {
        _values += values;
        _characters += characters;
    }
}
