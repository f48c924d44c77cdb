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
/// Lines and columns are 1-based; a column counts UTF-16 characters from the start of its line. Text is
/// decoded by the caller's <see cref="TextReader"/> (a byte-order mark is consumed there); whatever the
/// bytes, this never fails except with a <see cref="FileFormatException"/> for an unterminated quoted
/// field or text after a closing quote.
/// </para>
/// </remarks>
internal sealed class CsvRecordReader(TextReader reader, string? name, char separator)
{
    private const int EndOfText = -1;

    private readonly char[] _buffer = new char[4096];
    private readonly List<Field> _fields = [];
    private char[] _text = new char[256];
    private int _textLength;
    private int _position;
    private int _count;
    private int _line = 1;
    private int _column = 1;

    /// <summary>The fields of the current record.</summary>
    public IReadOnlyList<Field> Fields => _fields;

    /// <summary>The line on which the current record starts.</summary>
    public int Line { get; private set; }

    /// <summary>The text of field <paramref name="index"/> of the current record (quotes removed, doubled quotes undoubled).</summary>
    public ReadOnlySpan<char> Text(int index) => _text.AsSpan(_fields[index].Start, _fields[index].Length);

    /// <summary>Reads the next record that is not a blank line; false at the end of the text.</summary>
    public bool Next()
    {
        while (true)
        {
            if (Peek() == EndOfText)
            {
                return false;
            }

            _fields.Clear();
            _textLength = 0;
            Line = _line;
            int next;
            do
            {
                next = ReadField();
            }
            while (next == separator);

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
        if (Peek() != '"')
        {
            while (true)
            {
                int c = Peek();
                if (c == separator)
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

                Append((char)Take());
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
                    Append('"');
                    continue;
                }

                break;
            }

            Append((char)c);
        }

        _fields.Add(new Field(start, _textLength - start, line, column, true));
        int after = Peek();
        if (after == separator)
        {
            Take();
            return after;
        }

        if (after is '\r' or '\n' or EndOfText)
        {
            return after;
        }

        throw FileFormatException.AtLine(name, _line, _column, $"unexpected {Describe((char)after)} after the closing quote of a quoted field; expected '{separator}' or the end of the line (write a quote inside a quoted field as \"\").");
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

    private void Append(char c)
    {
        if (_textLength == _text.Length)
        {
            if (_text.Length == Array.MaxLength)
            {
                throw FileFormatException.AtLine(name, Line, 1, string.Create(System.Globalization.CultureInfo.InvariantCulture, $"the record is longer than {Array.MaxLength} characters, more than one record can be; is this a CSV file?"));
            }

            Array.Resize(ref _text, (int)Math.Min(2L * _text.Length, Array.MaxLength));
        }

        _text[_textLength++] = c;
    }

    private int Peek()
    {
        if (_position == _count)
        {
            _count = reader.Read(_buffer, 0, _buffer.Length);
            _position = 0;
            if (_count == 0)
            {
                return EndOfText;
            }
        }

        return _buffer[_position];
    }

    /// <summary>Consumes one character, keeping the line and column; a \r\n pair is consumed whole, as one line break.</summary>
    private int Take()
    {
        int c = Peek();
        if (c == EndOfText)
        {
            return c;
        }

        _position++;
        if (c == '\r' && Peek() == '\n')
        {
            _position++;
            c = '\n';
        }

        if (c is '\n' or '\r')
        {
            _line = _line == int.MaxValue ? _line : _line + 1;
            _column = 1;
        }
        else if (_column < int.MaxValue)
        {
            _column++;
        }

        return c;
    }

    /// <summary>A character for a message: printable as itself, anything else by its code.</summary>
    internal static string Describe(char c) =>
        char.IsControl(c) || char.IsSurrogate(c) || char.IsWhiteSpace(c)
            ? string.Create(System.Globalization.CultureInfo.InvariantCulture, $"character U+{(int)c:X4}")
            : $"'{c}'";

    /// <summary>A field of the current record: where its text is, and where it starts in the file.</summary>
    internal readonly record struct Field(int Start, int Length, int Line, int Column, bool Quoted);
}
