using System.Buffers;
using System.Globalization;

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
/// </remarks>
internal sealed class CsvRecordReader(Stream stream, string? name, CsvOptions options)
{
    private const int EndOfText = -1;

    private readonly CsvDecoder _decoder = new(stream, name);
    private readonly char _separator = options.Separator;

    /// <summary>The characters that end a run of an unquoted field's text.</summary>
    private readonly SearchValues<char> _stops = SearchValues.Create([options.Separator, '\r', '\n', '\0']);
    private readonly List<Field> _fields = [];
    private char[] _text = new char[256];
    private int _textLength;
    private int _line = 1;
    private int _column = 1;
    private long _recordLength;

    /// <summary>The fields of the current record.</summary>
    public IReadOnlyList<Field> Fields => _fields;

    /// <summary>The line on which the current record starts.</summary>
    public int Line { get; private set; }

    /// <summary>The text of field <paramref name="index"/> of the current record (quotes removed, doubled quotes undoubled).</summary>
    public ReadOnlySpan<char> Text(int index) => _text.AsSpan(_fields[index].Start, _fields[index].Length);

    /// <summary>
    /// Reads the next record that is not a blank line; false at the end of the text. A record with more fields than
    /// <paramref name="expectedFields"/> (when it is positive) stops there: the caller reports it as ragged.
    /// </summary>
    public bool Next(int expectedFields = 0)
    {
        while (true)
        {
            if (Peek() == EndOfText)
            {
                return false;
            }

            _fields.Clear();
            _textLength = 0;
            _recordLength = 0;
            Line = _line;
            int next;
            do
            {
                next = ReadField();
            }
            while (next == _separator && (expectedFields <= 0 || _fields.Count <= expectedFields));

            if (next == _separator)
            {
                return true; // more fields than expected: the caller's error, reported at the extra field
            }

            EndLine();
            bool blank = _fields.Count == 1 && _fields[0].Length == 0 && !_fields[0].Quoted;
            if (!blank)
            {
                return true;
            }
        }
    }

    /// <summary>Reads one field and returns what ended it: the separator (consumed), a line break or the end (not consumed).</summary>
    private int ReadField()
    {
        int line = _line, column = _column, start = _textLength;
        if (_fields.Count == options.MaxColumns)
        {
            throw FileFormatException.AtLine(name, line, column, Invariant($"more than {options.MaxColumns} fields in one record (CsvOptions.MaxColumns; native: --max-columns); is this a CSV file, and is the separator '{_separator}' right?"));
        }

        if (Peek() != '"')
        {
            while (true)
            {
                // The characters up to the next separator, line break or NUL, a run at a time (a vectorized search).
                ReadOnlySpan<char> available = _decoder.Available(_line, _column);
                int stop = available.IndexOfAny(_stops);
                ReadOnlySpan<char> run = stop < 0 ? available : available[..stop];
                if (!run.IsEmpty)
                {
                    AppendRun(run, start, line, column);
                }

                if (stop < 0 && !available.IsEmpty)
                {
                    continue;
                }

                int c = Peek();
                if (c == _separator)
                {
                    Take();
                    _fields.Add(new Field(start, _textLength - start, line, column, false));
                    return c;
                }

                if (c is '\r' or '\n' or EndOfText)
                {
                    _fields.Add(new Field(start, _textLength - start, line, column, false));
                    return c;
                }

                Append((char)Take(), start, line, column); // a NUL: Take reports it
            }
        }

        Take(); // the opening quote
        while (true)
        {
            int c = Take();
            if (c == EndOfText)
            {
                throw FileFormatException.AtLine(name, line, column, "a quoted field is never closed: the text ends before its closing quote.");
            }

            if (c == '"')
            {
                if (Peek() == '"')
                {
                    Take();
                    Append('"', start, line, column);
                    continue;
                }

                break;
            }

            Append((char)c, start, line, column);
        }

        _fields.Add(new Field(start, _textLength - start, line, column, true));
        int after = Peek();
        if (after == _separator)
        {
            Take();
            return after;
        }

        if (after is '\r' or '\n' or EndOfText)
        {
            return after;
        }

        throw FileFormatException.AtLine(name, _line, _column, $"unexpected {Describe((char)after)} after the closing quote of a quoted field; expected '{_separator}' or the end of the line (write a quote inside a quoted field as \"\").");
    }

    /// <summary>Consumes the line break (\n, \r\n or \r) that ends a record, if any.</summary>
    private void EndLine()
    {
        int c = Peek();
        if (c == '\r' || c == '\n')
        {
            Take();
        }
    }

    // A run of ordinary characters (no separator, line break or NUL) into the field: consumed, counted, copied.
    private void AppendRun(ReadOnlySpan<char> run, int fieldStart, int line, int column)
    {
        if (_textLength - fieldStart + run.Length > options.MaxFieldLength)
        {
            throw FileFormatException.AtLine(name, line, column, Invariant($"a field longer than {options.MaxFieldLength} characters (CsvOptions.MaxFieldLength; native: --max-field-length); is this a CSV file?"));
        }

        _recordLength += run.Length;
        if (_recordLength > options.MaxLineLength)
        {
            throw FileFormatException.AtLine(name, Line, 1, Invariant($"a record longer than {options.MaxLineLength} characters (CsvOptions.MaxLineLength; native: --max-line-length); is this a CSV file?"));
        }

        if (_textLength + run.Length > _text.Length)
        {
            Array.Resize(ref _text, (int)Math.Min(Math.Max(2L * _text.Length, (long)_textLength + run.Length), Array.MaxLength));
        }

        run.CopyTo(_text.AsSpan(_textLength));
        _textLength += run.Length;
        _column = (int)Math.Min((long)_column + run.Length, int.MaxValue);
        _decoder.Advance(run.Length);
    }

    private void Append(char c, int fieldStart, int line, int column)
    {
        if (_textLength - fieldStart == options.MaxFieldLength)
        {
            throw FileFormatException.AtLine(name, line, column, Invariant($"a field longer than {options.MaxFieldLength} characters (CsvOptions.MaxFieldLength; native: --max-field-length); is this a CSV file?"));
        }

        if (_textLength == _text.Length)
        {
            Array.Resize(ref _text, (int)Math.Min(2L * _text.Length, Array.MaxLength));
        }

        _text[_textLength++] = c;
    }

    private int Peek() => _decoder.Peek(_line, _column);

    /// <summary>Consumes one character, keeping the line and column; a \r\n pair is consumed whole, as one line break.</summary>
    private int Take()
    {
        int c = Peek();
        if (c == EndOfText)
        {
            return c;
        }

        _decoder.Advance();
        if (c == '\r' && Peek() == '\n')
        {
            _decoder.Advance();
            c = '\n';
        }

        if (c is '\n' or '\r')
        {
            _line = _line == int.MaxValue ? _line : _line + 1;
            _column = 1;
            return c;
        }

        if (c == '\0')
        {
            throw FileFormatException.AtLine(name, _line, _column, "a NUL character (U+0000): this is binary data, not CSV text (a UTF-16 file needs its byte-order mark).");
        }

        if (++_recordLength > options.MaxLineLength)
        {
            throw FileFormatException.AtLine(name, Line, 1, Invariant($"a record longer than {options.MaxLineLength} characters (CsvOptions.MaxLineLength; native: --max-line-length); is this a CSV file?"));
        }

        if (_column < int.MaxValue)
        {
            _column++;
        }

        return c;
    }

    /// <summary>A character for a message: printable as itself, anything else by its code.</summary>
    internal static string Describe(char c) =>
        char.IsControl(c) || char.IsSurrogate(c) || char.IsWhiteSpace(c)
            ? Invariant($"character U+{(int)c:X4}")
            : $"'{c}'";

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    /// <summary>A field of the current record: where its text is, and where it starts in the file.</summary>
    internal readonly record struct Field(int Start, int Length, int Line, int Column, bool Quoted);
}
