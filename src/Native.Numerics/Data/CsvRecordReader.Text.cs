using System.Globalization;
using System.Runtime.InteropServices;

namespace Native.Numerics;

internal sealed partial class CsvRecordReader
{
    /// <summary>
    /// Reads the quoted field whose opening quote is at <paramref name="quote"/>, unescaping it in place, and what ends
    /// it. True when a separator ended it and the record goes on (<paramref name="next"/> is where the next field
    /// starts); false when the record ended (a line break, the end of the text) or has more fields than expected.
    /// </summary>
    private bool ReadQuoted(int quote, int expectedFields, out int next)
    {
        if (!_exact)
        {
            // From here on fields may start on later lines: keep each one's line and column.
            if (_positions.Length < _fields.Length)
            {
                _positions = new (int, int)[_fields.Length];
            }

            for (int k = 0; k < _fieldCount; k++)
            {
                _positions[k] = (Line, _fields[k].Start + 1);
            }

            _exact = true;
        }

        int line = _line, column = quote - _lineStart + 1;
        int r = quote + 1;
        CheckRecordLength(r);
        int content = r, w = r;
        while (true)
        {
            if (r == _end)
            {
                bool more = More(out int shift);
                (r, w, content) = (r - shift, w - shift, content - shift);
                if (!more)
                {
                    throw _decoder.AtInvalidByte
                        ? _decoder.InvalidByte(_line, r - _lineStart + 1)
                        : FileFormatException.AtLine(_name, line, column, "a quoted field is never closed: the text ends before its closing quote.");
                }
            }

            char c = _buffer[r];
            if (c == '"')
            {
                CheckRecordLength(r + 1);
                if (Peek(ref r, ref w, ref content, 1) == '"')
                {
                    CheckRecordLength(r + 2);
                    Append(ref w, content, '"', line, column);
                    r += 2;
                    continue;
                }

                r++;
                break;
            }

            if (c is '\n' or '\r')
            {
                int consumed = c == '\r' && Peek(ref r, ref w, ref content, 1) == '\n' ? 2 : 1;
                r += consumed;
                _uncounted += consumed;
                _line = _line == int.MaxValue ? _line : _line + 1;
                _lineStart = r;
                Append(ref w, content, consumed == 2 ? '\n' : c, line, column);
                continue;
            }

            if (c == '\0')
            {
                throw Nul(r);
            }

            CheckRecordLength(r + 1);
            Append(ref w, content, c, line, column);
            r++;
        }

        // The field, then what follows its closing quote.
        AddField(content, w);
        _positions[_fieldCount - 1] = (line, column);
        int after = Peek(ref r, ref w, ref content, 0);
        if (after == '\0' && _separator == '\0')
        {
            throw Nul(r);
        }

        if (after == _separator)
        {
            CheckRecordLength(r + 1);
            next = r + 1;
            if (expectedFields > 0 && _fieldCount > expectedFields)
            {
                _position = next;
                return false;
            }

            if (_fieldCount == _maxColumns)
            {
                throw TooManyColumns(next);
            }

            return true;
        }

        next = r;
        if (after is '\n' or '\r')
        {
            _position = EndLine(r);
            return false;
        }

        if (after == EndOfText)
        {
            _position = r;
            return false;
        }

        throw FileFormatException.AtLine(_name, _line, r - _lineStart + 1, $"unexpected {Describe((char)after)} after the closing quote of a quoted field; expected '{_separator}' or the end of the line (write a quote inside a quoted field as \"\").");
    }

    private const int EndOfText = -1;

    /// <summary>
    /// The character <paramref name="ahead"/> after <paramref name="r"/> (decoding more if needed, which may move the
    /// record: the positions given are moved with it), or −1 at the end of the text. An invalid byte there is an error.
    /// </summary>
    private int Peek(ref int r, ref int w, ref int content, int ahead)
    {
        if (r + ahead == _end)
        {
            bool more = More(out int shift);
            (r, w, content) = (r - shift, w - shift, content - shift);
            if (!more)
            {
                return _decoder.AtInvalidByte ? throw _decoder.InvalidByte(_line, r + ahead - _lineStart + 1) : EndOfText;
            }
        }

        return _buffer[r + ahead];
    }

    /// <summary>Writes one character of a quoted field's text at <paramref name="w"/>, after checking the field's length.</summary>
    private void Append(ref int w, int content, char c, int line, int column)
    {
        if (w - content == _maxFieldLength)
        {
            throw FieldTooLong(line, column);
        }

        _buffer[w++] = c;
    }

    /// <summary>Consumes the line break (\n, \r\n or \r) at <paramref name="at"/>; returns where the next line starts.</summary>
    private int EndLine(int at)
    {
        _line = _line == int.MaxValue ? _line : _line + 1;
        if (_buffer[at] == '\r')
        {
            int w = at, content = at;
            if (Peek(ref at, ref w, ref content, 1) == '\n')
            {
                return at + 2;
            }
        }

        return at + 1;
    }

    /// <summary>
    /// Decodes more text behind <see cref="_end"/>, keeping the current record (from <see cref="_recordStart"/>): moved
    /// to the front of the buffer when the room behind it runs short, into a buffer twice as long when it fills more
    /// than half. <paramref name="shift"/> is how far the text moved towards the front. False at the end of the text or
    /// at an invalid byte.
    /// </summary>
    private bool More(out int shift)
    {
        shift = 0;
        int capacity = _buffer.Length - CsvSpecials.BlockLength;
        if (capacity - _end < capacity / 8)
        {
            int keep = _end - _recordStart;
            char[] target = _buffer;
            if (keep > capacity / 2)
            {
                long larger = Math.Min(2L * capacity, Array.MaxLength - CsvSpecials.BlockLength);
                if (larger - keep < 2)
                {
                    throw FileFormatException.AtLine(_name, Line, 1, "a record too long to hold in memory; is this a CSV file?");
                }

                target = new char[larger + CsvSpecials.BlockLength];
            }

            Array.Copy(_buffer, _recordStart, target, 0, keep);
            shift = _recordStart;
            _buffer = target;
            _recordStart = 0;
            _lineStart -= shift;
            _end = keep;
            capacity = _buffer.Length - CsvSpecials.BlockLength;
        }

        int read = _decoder.Read(_buffer.AsSpan(_end, capacity - _end));
        _end += read;
        _charsDecoded += read;
        return read > 0;
    }

    /// <summary>Adds the field from <paramref name="start"/> to <paramref name="end"/> (positions in the buffer).</summary>
    private void AddField(int start, int end)
    {
        if (_fieldCount == _fields.Length)
        {
            GrowFields();
        }

        _fields[_fieldCount] = new FieldSpan(start - _recordStart, end - start);
        if (_exact)
        {
            _positions[_fieldCount] = (_line, start - _lineStart + 1);
        }

        _fieldCount++;
    }

    /// <summary>
    /// Checks an unquoted field that runs from <paramref name="fieldStart"/> to <paramref name="fieldEnd"/>, and the record
    /// up to <paramref name="recordEnd"/>, against the limits: the field's first.
    /// </summary>
    private void CheckLength(int fieldStart, int fieldEnd, int recordEnd)
    {
        if (fieldEnd - fieldStart > _maxFieldLength)
        {
            throw FieldTooLong(_line, fieldStart - _lineStart + 1);
        }

        CheckRecordLength(recordEnd);
    }

    /// <summary>Checks the record's length up to <paramref name="end"/>: its characters but the line breaks inside quoted fields.</summary>
    private void CheckRecordLength(int end)
    {
        if (end - _recordStart - _uncounted > _maxLineLength)
        {
            throw FileFormatException.AtLine(_name, Line, 1, Invariant($"a record longer than {_maxLineLength} characters (CsvOptions.MaxLineLength; native: --max-line-length); is this a CSV file?"));
        }
    }

    private FileFormatException FieldTooLong(int line, int column) =>
        FileFormatException.AtLine(_name, line, column, Invariant($"a field longer than {_maxFieldLength} characters (CsvOptions.MaxFieldLength; native: --max-field-length); is this a CSV file?"));

    private FileFormatException TooManyColumns(int fieldStart) =>
        FileFormatException.AtLine(_name, _line, fieldStart - _lineStart + 1, Invariant($"more than {_maxColumns} fields in one record (CsvOptions.MaxColumns; native: --max-columns); is this a CSV file, and is the separator '{_separator}' right?"));

    private FileFormatException Nul(int at) =>
        FileFormatException.AtLine(_name, _line, at - _lineStart + 1, "a NUL character (U+0000): this is binary data, not CSV text (a UTF-16 file needs its byte-order mark).");

    /// <summary>A character for a message: printable as itself, anything else by its code.</summary>
    internal static string Describe(char c) =>
        char.IsControl(c) || char.IsSurrogate(c) || char.IsWhiteSpace(c)
            ? Invariant($"character U+{(int)c:X4}")
            : $"'{c}'";

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    /// <summary>A field of the current record: where its text starts in <see cref="RecordText"/>, and how long it is.</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal readonly record struct FieldSpan(int Start, int Length);
}
