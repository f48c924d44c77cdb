using System.Buffers;
using System.Globalization;
using System.Text.Unicode;

namespace Native.Numerics;

/// <summary>
/// Turns the bytes of a CSV file into characters, strictly: UTF-8 (a byte-order mark skipped), or UTF-16 (little
/// or big endian) when the file starts with its byte-order mark. A byte that is not valid in the encoding is an
/// error at the line and column where it stands, never replaced by U+FFFD — replacing silently merged labels
/// such as "café" and "cafè" written in Latin-1 into one class.
/// </summary>
internal sealed class CsvDecoder(Stream stream, string? name)
{
    private readonly byte[] _bytes = new byte[32 * 1024];
    private int _byteStart;
    private int _byteEnd;
    private bool _endOfBytes;
    private long _bytesBefore;
    private Encoding _encoding = Encoding.Unknown;

    /// <summary>Whether decoding stopped before an invalid byte: <see cref="Read"/> returns 0 from then on.</summary>
    private bool _invalid;
    private byte _invalidByte;
    private long _invalidOffset;

    private enum Encoding
    {
        Unknown,
        Utf8,
        Utf16LittleEndian,
        Utf16BigEndian,
    }

    /// <summary>The bytes of the stream decoded so far (a byte-order mark included).</summary>
    public long BytesDecoded => _bytesBefore;

    /// <summary>Whether the text stops at an invalid byte: what <see cref="Read"/> returned is all the valid text before it.</summary>
    public bool AtInvalidByte => _invalid;

    /// <summary>
    /// Decodes characters into <paramref name="destination"/> (at least 2 long): whatever the stream gives in one read,
    /// so rows typed into standard input are decoded as they come. Returns the number written; 0 at the end of the
    /// text, or at an invalid byte (<see cref="AtInvalidByte"/>; <see cref="InvalidByte"/> makes its error).
    /// </summary>
    public int Read(Span<char> destination)
    {
        if (_invalid)
        {
            return 0;
        }

        if (_encoding == Encoding.Unknown)
        {
            while (!_endOfBytes && _byteEnd - _byteStart < 3)
            {
                ReadBytes();
            }

            DetectEncoding();
        }

        while (true)
        {
            if (_byteEnd == _byteStart)
            {
                if (_endOfBytes)
                {
                    return 0;
                }

                ReadBytes();
                continue;
            }

            ReadOnlySpan<byte> bytes = _bytes.AsSpan(_byteStart, _byteEnd - _byteStart);
            int read, written;
            bool invalid;
            if (_encoding == Encoding.Utf8)
            {
                OperationStatus status = Utf8.ToUtf16(bytes, destination, out read, out written, replaceInvalidSequences: false, isFinalBlock: _endOfBytes);
                invalid = status == OperationStatus.InvalidData;
            }
            else
            {
                invalid = DecodeUtf16(bytes, destination, out read, out written);
            }

            _byteStart += read;
            _bytesBefore += read;
            if (invalid)
            {
                _invalid = true;
                _invalidByte = _bytes[_byteStart];
                _invalidOffset = _bytesBefore;
                return written;
            }

            if (written > 0)
            {
                return written;
            }

            ReadBytes(); // an incomplete character at the end of the buffer: more bytes are needed
        }
    }

    /// <summary>The error of the invalid byte the text stops at, reported at <paramref name="line"/> and <paramref name="column"/> (where it stands).</summary>
    public FileFormatException InvalidByte(int line, int column) =>
        FileFormatException.AtLine(name, line, column, string.Create(CultureInfo.InvariantCulture,
            $"the byte 0x{_invalidByte:X2} (byte {_invalidOffset} of the file) is not valid {(_encoding == Encoding.Utf8 ? "UTF-8" : "UTF-16")}; a CSV file must be UTF-8 (or UTF-16 with a byte-order mark). Convert it, with iconv -f LATIN1 -t UTF-8 for one."));

    /// <summary>
    /// Moves the undecoded bytes to the front of the buffer and reads once behind them: whatever the stream has,
    /// so rows typed into standard input are decoded as they come.
    /// </summary>
    private void ReadBytes()
    {
        int left = _byteEnd - _byteStart;
        _bytes.AsSpan(_byteStart, left).CopyTo(_bytes);
        _byteStart = 0;
        _byteEnd = left;
        int got = stream.Read(_bytes, _byteEnd, _bytes.Length - _byteEnd);
        _byteEnd += got;
        _endOfBytes = got == 0;
    }

    /// <summary>Reads the byte-order mark, if any, and skips it.</summary>
    private void DetectEncoding()
    {
        ReadOnlySpan<byte> start = _bytes.AsSpan(_byteStart, _byteEnd - _byteStart);
        (_encoding, int mark) = start switch
        {
            [0xEF, 0xBB, 0xBF, ..] => (Encoding.Utf8, 3),
            [0xFF, 0xFE, ..] => (Encoding.Utf16LittleEndian, 2),
            [0xFE, 0xFF, ..] => (Encoding.Utf16BigEndian, 2),
            _ => (Encoding.Utf8, 0),
        };
        _byteStart += mark;
        _bytesBefore += mark;
    }

    /// <summary>Decodes UTF-16 code units, pairing surrogates; true when it stops at an invalid one (a lone surrogate).</summary>
    private bool DecodeUtf16(ReadOnlySpan<byte> bytes, Span<char> chars, out int read, out int written)
    {
        bool little = _encoding == Encoding.Utf16LittleEndian;
        read = 0;
        written = 0;
        while (read + 2 <= bytes.Length && written < chars.Length - 1)
        {
            char c = (char)(little ? bytes[read] | (bytes[read + 1] << 8) : (bytes[read] << 8) | bytes[read + 1]);
            if (char.IsLowSurrogate(c))
            {
                return true;
            }

            if (char.IsHighSurrogate(c))
            {
                if (read + 4 > bytes.Length)
                {
                    return _endOfBytes; // the pair's second half is in the next read, unless there is none
                }

                char low = (char)(little ? bytes[read + 2] | (bytes[read + 3] << 8) : (bytes[read + 2] << 8) | bytes[read + 3]);
                if (!char.IsLowSurrogate(low))
                {
                    return true;
                }

                chars[written++] = c;
                chars[written++] = low;
                read += 4;
                continue;
            }

            chars[written++] = c;
            read += 2;
        }

        // An odd byte at the very end is half a code unit.
        return _endOfBytes && read + 2 > bytes.Length && read < bytes.Length;
    }
}
