using System.Numerics;
using System.Runtime.CompilerServices;

namespace Native.Numerics;

// Small integers by value ("0" to "9999"): their ids from an array indexed by the value, left pending while the numbers tell them.
internal sealed partial class ColumnReading
{
    /// <summary>
    /// Reads the field as <see cref="Add(ReadOnlySpan{char}, int, CsvRecordReader, string?)"/> would when that is only to keep its number: a small integer (<see cref="SmallInteger(ReadOnlySpan{char}, out int)"/>)
    /// in a column that keeps no id per row, and whose text, if the column tracks texts, has its id already. False, having
    /// done nothing, for any other field: <see cref="Add(ReadOnlySpan{char}, int, CsvRecordReader, string?)"/> reads it.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryAddKnownSmall(ReadOnlySpan<char> text)
    {
        if (!_knownSmall || !SmallInteger(text, out int value) || (_idsPending && ((uint)value >= (uint)_smallIds.Length || _smallIds[value] == 0)))
        {
            return false;
        }

        Present++;
        NumberCount++;
        Values!.Add(value);
        return true;
    }

    /// <summary>
    /// <see cref="TryAddKnownSmall(ReadOnlySpan{char})"/> for the field of <paramref name="length"/> characters at
    /// <paramref name="start"/>, read by <see cref="SmallIntegerWithSlack"/>: at least four characters must be readable
    /// there, whatever the field's length (a record's text with the reader's slack behind it).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryAddKnownSmall(ref readonly char start, int length)
    {
        if (!_knownSmall || !SmallIntegerWithSlack(in start, length, out int value) || (_idsPending && ((uint)value >= (uint)_smallIds.Length || _smallIds[value] == 0)))
        {
            return false;
        }

        Present++;
        NumberCount++;
        Values!.Add(value);
        return true;
    }

    /// <summary>
    /// Whether <paramref name="text"/> is a canonical small integer, "0" to "9999" (<see cref="SmallIntegerLimit"/>): one
    /// to four digits, the first not 0 unless it is the only one. Such a text is the one the value writes, and no other
    /// text has that value's id.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static bool SmallInteger(ReadOnlySpan<char> text, out int value)
    {
        value = 0;
        if ((uint)(text.Length - 1) >= 4)
        {
            return false;
        }

        uint first = (uint)(text[0] - '0');
        if (first > 9 || (first == 0 && text.Length > 1))
        {
            return false;
        }

        uint integer = first;
        for (int i = 1; i < text.Length; i++)
        {
            uint digit = (uint)(text[i] - '0');
            if (digit > 9)
            {
                return false;
            }

            integer = (integer * 10) + digit;
        }

        value = (int)integer;
        return true;
    }

    /// <summary>
    /// <see cref="SmallInteger(ReadOnlySpan{char}, out int)"/> of the first <paramref name="length"/> characters of
    /// <paramref name="field"/>, a word at a time when the field has four characters to read.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool SmallInteger(ReadOnlySpan<char> field, int length, out int value) =>
        field.Length >= 4 ? SmallIntegerWithSlack(in field[0], length, out value) : SmallInteger(field[..length], out value);

    /// <summary>The digit '0' in each of four UTF-16 lanes of a 64-bit word.</summary>
    private const ulong ZeroDigits = 0x0030_0030_0030_0030;

    /// <summary>Added to a lane of 0–9 it stays below 0x8000; to a lane of 10 or more it reaches 0x8000 (or the lane had it).</summary>
    private const ulong DigitLimit = 0x7FF6_7FF6_7FF6_7FF6, LaneTops = 0x8000_8000_8000_8000;

    /// <summary>
    /// <see cref="SmallInteger(ReadOnlySpan{char}, out int)"/> without a loop or a branch per character: the field's four characters are read as one
    /// 64-bit word (<paramref name="start"/> must have four readable characters, the field's and what follows it), the
    /// characters past <paramref name="length"/> shifted out, and every digit checked and combined at once (SWAR: lanes of
    /// 16 bits). Gives what <see cref="SmallInteger(ReadOnlySpan{char}, out int)"/> gives for the field's text; the tests compare the two.
    /// </summary>
    /// <remarks>
    /// Little-endian: the first character is the low lane. Subtracting '0' from every lane may borrow from the lane above
    /// only when a lane is below '0' — not a digit, so the text is refused anyway, and the lanes below it are exact; the
    /// first lane that is not a digit is always seen. After the shift the last digit is the top lane and the lanes below
    /// the first digit are 0, so the value is (d₀·10 + d₁)·100 + (d₂·10 + d₃) over four lanes, whatever the length.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static bool SmallIntegerWithSlack(ref readonly char start, int length, out int value)
    {
        value = 0;
        if ((uint)(length - 1) >= 4)
        {
            return false;
        }

        ulong word = Unsafe.ReadUnaligned<ulong>(in Unsafe.As<char, byte>(ref Unsafe.AsRef(in start)));
        ulong digits = (word - ZeroDigits) << (64 - (16 * length));
        ulong pairs = (digits * 10) + (digits >> 16);
        uint integer = (uint)(((pairs & 0xFFFF) * 100) + ((pairs >> 32) & 0xFFFF));

        // One test, no branch on a character: every lane a digit, and no leading zero (a value of at least 10^(length−1)
        // unless it is the one digit 0), so a field of "0" among others of three digits costs no misprediction.
        ulong notDigits = (digits | (digits + DigitLimit)) & LaneTops;
        if ((notDigits | (integer < LeastOfLength[length] ? 1UL : 0UL)) != 0)
        {
            return false;
        }

        value = (int)integer;
        return true;
    }

    /// <summary>The least canonical integer of each length 0–4: 0 for one digit, else 10^(length−1).</summary>
    private static ReadOnlySpan<uint> LeastOfLength => [0, 0, 10, 100, 1000];

    /// <summary>
    /// Reads a canonical small integer, as <see cref="Add(ReadOnlySpan{char}, int, CsvRecordReader, string?)"/> reads any field, in the same order of steps: a number (exact
    /// and finite), and its text's id by value.
    /// </summary>
    private void AddSmall(int value)
    {
        Present++;
        if (_mode == Mode.Category)
        {
            // As Add: a category past its lone word counts no numbers.
            if (!_nonNumbersDiffer && _nonNumberText is not null)
            {
                NumberCount++;
            }

            _ids!.Add(TrackSmall(value));
            return;
        }

        NumberCount++;
        if (_mode != Mode.Undecided)
        {
            Values!.Add(value);
            return;
        }

        if (!_idsPending)
        {
            Values!.Add(value);
            _ids!.Add(TrackSmall(value));
        }
        else if ((uint)value >= (uint)_smallIds.Length || _smallIds[value] == 0)
        {
            // A new text: its id now, or, past the limits, the ids kept from here on.
            if (NewSmall(value) == OtherId)
            {
                MakePendingIds();
                Values!.Add(value);
                _ids!.Add(OtherId);
                return;
            }

            Values!.Add(value);
        }
        else
        {
            Values!.Add(value);
            return;
        }

        if (_distinct > UndecidedLimit)
        {
            BecomeMeasurement();
        }
    }

    /// <summary>
    /// Makes the ids and counts left pending: each row's id from its number (a missing one's <see cref="MissingId"/>), each
    /// id's count from the rows; they are kept per row from then on.
    /// </summary>
    private void MakePendingIds()
    {
        if (!_idsPending)
        {
            return;
        }

        _idsPending = false;
        UpdateKnownSmall();
        var ids = new ChunkedList<int>();
        int[] counts = _counts!;
        Array.Clear(counts, 0, _distinct);
        ChunkedList<float> values = Values!;
        for (int chunk = 0; chunk < values.Chunks; chunk++)
        {
            foreach (float value in values.Chunk(chunk))
            {
                int id = float.IsNaN(value) ? MissingId : _smallIds[(int)value] - 1;
                if (id >= 0)
                {
                    counts[id]++;
                }

                ids.Add(id);
            }
        }

        _ids = ids;
    }

    /// <summary>The id of a small integer's text, as <see cref="Track"/> gives it for the text.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int TrackSmall(int value)
    {
        int[] ids = _smallIds;
        if ((uint)value < (uint)ids.Length)
        {
            int id = ids[value] - 1;
            if (id >= 0)
            {
                _counts![id]++;
                return id;
            }
        }

        return NewSmall(value);
    }

    /// <summary>A small integer without an id: a new one while the limits allow, else <see cref="OtherId"/>.</summary>
    private int NewSmall(int value)
    {
        int length = value < 10 ? 1 : value < 100 ? 2 : value < 1000 ? 3 : 4;
        if (!_budget.TryTake(length))
        {
            Overflowed = true;
            Others++;
            return OtherId;
        }

        if (value >= _smallIds.Length)
        {
            Array.Resize(ref _smallIds, Math.Min(Math.Max(256, (int)BitOperations.RoundUpToPowerOf2((uint)value + 1)), SmallIntegerLimit + 1));
        }

        int id = NewId(length);
        _smallIds[value] = id + 1;
        return id;
    }

    /// <summary>Counts a new text of <paramref name="length"/> characters, seen once; returns its id.</summary>
    private int NewId(int length)
    {
        if (_distinct == _counts!.Length)
        {
            Array.Resize(ref _counts, 2 * _counts.Length);
        }

        int id = _distinct++;
        _counts[id] = 1;
        _vocabularyCharacters += length;
        return id;
    }
}
