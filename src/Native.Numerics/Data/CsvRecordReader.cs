using System.Globalization;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Native.Numerics;

/// <summary>
/// Splits CSV text into records and fields (RFC 4180), one record at a time, keeping only the current
/// record in memory, and knowing the line and column where each field starts.
/// </summary>
/// <remarks>
/// <para>
/// A field is either unquoted — everything up to the next separator or line break — or quoted: it starts
/// with <c>"</c>, may hold separators, line breaks and doubled quotes (<c>""</c> for one <c>"</c>), and
/// ends at a lone <c>"</c>, which must be followed by a separator, a line break or the end. Line breaks are
/// <c>\n</c>, <c>\r\n</c> or a lone <c>\r</c>. A line with nothing on it is skipped, so a trailing newline
/// (or several) adds no record.
/// </para>
/// <para>
/// Lines and columns are 1-based; a column counts UTF-16 characters from the start of its line. The bytes are
/// decoded here, strictly (<see cref="CsvDecoder"/>): UTF-8, or UTF-16 with a byte-order mark; an invalid byte
/// and a NUL character are errors at their line and column, never replaced. A field longer than
/// <see cref="CsvOptions.MaxFieldLength"/>, a record longer than <see cref="CsvOptions.MaxLineLength"/> and a
/// record of more than <see cref="CsvOptions.MaxColumns"/> fields are errors too, found as the text streams,
/// so no record costs more memory than the limits allow.
/// </para>
/// <para>
/// <b>How it is fast.</b> The decoded text sits in one buffer that holds the current record whole. An unquoted
/// field is never copied: a field is where it starts in the record and how long it is. The separators and line
/// breaks are found 64 characters at a time (<see cref="CsvSpecials"/>: one bit per character that may end a
/// field), so the cost per field is a bit scan and two stores, not a search call. Quoted fields — rare in numeric
/// data — are read a character at a time, unescaped in place.
/// </para>
/// </remarks>
internal sealed partial class CsvRecordReader
{
    /// <summary>The characters a buffer first holds (it grows for a longer record, up to the limits).</summary>
    private const int InitialCapacity = 32 * 1024;

    private readonly CsvDecoder _decoder;
    private readonly string? _name;
    private char _separator;
    private readonly int _maxFieldLength;
    private readonly int _maxLineLength;
    private readonly int _maxColumns;

    /// <summary>The decoded text, <see cref="CsvSpecials.BlockLength"/> characters longer than it may fill, so a block can always be loaded.</summary>
    private char[] _buffer = new char[InitialCapacity + CsvSpecials.BlockLength];

    /// <summary>Where the current record starts in <see cref="_buffer"/>.</summary>
    private int _recordStart;

    /// <summary>Where the next record starts (the text after the current one).</summary>
    private int _position;

    /// <summary>Where the decoded text ends.</summary>
    private int _end;

    /// <summary>Where the line being read starts: the record's start, or the character after a line break in a quoted field.</summary>
    private int _lineStart;

    /// <summary>The line being read.</summary>
    private int _line = 1;

    /// <summary>The line-break characters inside quoted fields of the record: they do not count towards its length.</summary>
    private int _uncounted;

    private FieldSpan[] _fields = new FieldSpan[64];
    private int _fieldCount;

    /// <summary>
    /// Each field's line and column, kept once the record has a quoted field (which may hold line breaks); until
    /// then a field's line is the record's and its column follows from where it starts.
    /// </summary>
    private (int Line, int Column)[] _positions = [];

    /// <summary>The characters decoded so far.</summary>
    private long _charsDecoded;
    private bool _exact;

    public CsvRecordReader(Stream stream, string? name, CsvOptions options)
    {
        _decoder = new CsvDecoder(stream, name);
        _name = name;
        _separator = options.Separator;
        _maxFieldLength = options.MaxFieldLength;
        _maxLineLength = options.MaxLineLength;
        _maxColumns = options.MaxColumns;
    }

    /// <summary>About how many bytes of the stream the records read so far took (for sizing what they fill).</summary>
    public long ConsumedBytes => _charsDecoded == 0 ? 0 : (long)(_decoder.BytesDecoded * ((double)(_charsDecoded - (_end - _position)) / _charsDecoded));

    /// <summary>The number of fields of the current record.</summary>
    public int FieldCount => _fieldCount;

    /// <summary>The line on which the current record starts.</summary>
    public int Line { get; private set; }

    /// <summary>The text of the current record (quoted fields unescaped in place); <see cref="Fields"/> index it.</summary>
    public ReadOnlySpan<char> RecordText => _buffer.AsSpan(_recordStart, _position - _recordStart);

    /// <summary>
    /// <see cref="RecordText"/> and the <see cref="CsvSpecials.BlockLength"/> characters of the buffer after it (whatever
    /// they hold: the next records, or stale text): for parsers that read a few characters past a field's end at once.
    /// </summary>
    public ReadOnlySpan<char> RecordTextWithSlack => _buffer.AsSpan(_recordStart, _position - _recordStart + CsvSpecials.BlockLength);

    /// <summary>Where each field of the current record stands in <see cref="RecordText"/>.</summary>
    public ReadOnlySpan<FieldSpan> Fields => _fields.AsSpan(0, _fieldCount);

    /// <summary>The text of field <paramref name="index"/> of the current record (quotes removed, doubled quotes undoubled).</summary>
    public ReadOnlySpan<char> Text(int index)
    {
        FieldSpan field = _fields[index];
        return _buffer.AsSpan(_recordStart + field.Start, field.Length);
    }

    /// <summary>The line on which field <paramref name="index"/> of the current record starts.</summary>
    public int LineOf(int index) => _exact ? _positions[index].Line : Line;

    /// <summary>The column at which field <paramref name="index"/> of the current record starts (its opening quote, if quoted).</summary>
    public int ColumnOf(int index) => _exact ? _positions[index].Column : _fields[index].Start + 1;

    /// <summary>
    /// Reads the next record that is not a blank line; false at the end of the text. A record with more fields than
    /// <paramref name="expectedFields"/> (when it is positive) stops there: the caller reports it as ragged.
    /// </summary>
    public bool Next(int expectedFields = 0)
    {
        while (true)
        {
            _recordStart = _position;
            _fieldCount = 0;
            if (_position == _end)
            {
                bool more = More(out _);
                _position = _recordStart;
                if (!more)
                {
                    return _decoder.AtInvalidByte ? throw _decoder.InvalidByte(_line, 1) : false;
                }
            }

            char first = _buffer[_position];
            if (first is '\n' or '\r')
            {
                // A blank line: no record.
                _position = EndLine(_position);
                continue;
            }

            Line = _line;
            _lineStart = _position;
            _uncounted = 0;
            _exact = false;
            ReadRecord(expectedFields);
            return true;
        }
    }

    /// <summary>
    /// Reads the fields of the record at <see cref="_recordStart"/>, up to and including its line break; leaves
    /// <see cref="_position"/> after it.
    /// </summary>
    private void ReadRecord(int expectedFields)
    {
        // The loop's state in locals; _fieldCount is written back before anything else reads it.
        char[] buffer = _buffer;
        FieldSpan[] fields = _fields;
        char separator = _separator;
        int maxField = _maxFieldLength;
        int stopAt = Math.Min(expectedFields > 0 ? expectedFields + 1 : int.MaxValue, _maxColumns);
        int count = 0;
        int recordStart = _recordStart;
        bool exact = _exact;
        int p = recordStart;
        int fieldStart = p;
        long recordLimit = RecordLimit();
        while (true)
        {
            ulong mask = CsvSpecials.Mask(ref buffer[p], separator);
            int available = _end - p;
            if (available < CsvSpecials.BlockLength)
            {
                mask &= (1UL << available) - 1;
            }

            while (mask != 0)
            {
                int at = p + BitOperations.TrailingZeroCount(mask);
                mask &= mask - 1;
                char c = Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(buffer), at); // at < _end <= buffer.Length
                if (c == separator && c != '\0')
                {
                    // A field ends; the next starts after the separator (which counts towards the record's length).
                    // (A NUL is refused even as the separator, as it always was.)
                    if (at - fieldStart > maxField || at >= recordLimit)
                    {
                        CheckLength(fieldStart, at, at + 1);
                    }

                    if ((uint)count >= (uint)fields.Length)
                    {
                        _fieldCount = count;
                        fields = GrowFields();
                    }

                    Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(fields), count) = new FieldSpan(fieldStart - recordStart, at - fieldStart); // count < fields.Length
                    if (exact)
                    {
                        _positions[count] = (_line, fieldStart - _lineStart + 1);
                    }

                    count++;
                    fieldStart = at + 1;
                    if (count >= stopAt)
                    {
                        _fieldCount = count;
                        if (expectedFields > 0 && count > expectedFields)
                        {
                            _position = fieldStart;
                            return; // more fields than expected: the caller's error, reported at the extra field
                        }

                        throw TooManyColumns(fieldStart);
                    }
                }
                else if (c is '\n' or '\r')
                {
                    CheckLength(fieldStart, at, at);
                    _fieldCount = count;
                    AddField(fieldStart, at);
                    _position = EndLine(at);
                    return;
                }
                else if (c == '"')
                {
                    if (at == fieldStart)
                    {
                        // A quoted field: read a character at a time, then carry on after what ended it.
                        _fieldCount = count;
                        if (!ReadQuoted(at, expectedFields, out fieldStart))
                        {
                            return;
                        }

                        (buffer, fields, count, recordStart, exact, recordLimit) = (_buffer, _fields, _fieldCount, _recordStart, _exact, RecordLimit());
                        p = fieldStart;
                        goto NextBlock;
                    }
                }
                else if (c == '\0')
                {
                    CheckLength(fieldStart, at, at);
                    throw Nul(at);
                }

                // Anything else the mask marks (a quote inside an unquoted field, a tab) is text.
            }

            p += CsvSpecials.BlockLength;
            if (p < _end)
            {
                continue;
            }

            // The decoded text ends inside this field: check the limits before holding more of it.
            int scanned = _end;
            CheckLength(fieldStart, scanned, scanned);
            _fieldCount = count;
            if (!More(out int shift))
            {
                if (_decoder.AtInvalidByte)
                {
                    throw _decoder.InvalidByte(_line, scanned - shift - _lineStart + 1);
                }

                AddField(fieldStart - shift, scanned - shift);
                _position = scanned - shift;
                return;
            }

            (buffer, recordStart, recordLimit) = (_buffer, _recordStart, RecordLimit());
            p = scanned - shift;
            fieldStart -= shift;

        NextBlock:;
        }
    }

    /// <summary>The position at which a separator would make the record too long (<see cref="CheckRecordLength"/>).</summary>
    private long RecordLimit() => (long)_recordStart + _uncounted + _maxLineLength;

    /// <summary>Doubles the room for fields (and their positions, when kept).</summary>
    private FieldSpan[] GrowFields()
    {
        Array.Resize(ref _fields, (int)Math.Min(2L * _fields.Length, Array.MaxLength));
        if (_exact)
        {
            Array.Resize(ref _positions, _fields.Length);
        }

        return _fields;
    }
}
