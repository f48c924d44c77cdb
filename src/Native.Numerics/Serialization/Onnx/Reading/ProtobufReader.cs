using System;
using System.Text;

namespace Native.Numerics.Serialization.Onnx;

/// <summary>A run of bytes of the file: a length-delimited field's payload, or a whole message.</summary>
internal readonly struct Region
{
    public Region(int start, int length)
    {
        Start = start;
        Length = length;
    }

    /// <summary>The offset of the first byte in the file.</summary>
    public int Start { get; }

    /// <summary>The number of bytes.</summary>
    public int Length { get; }

    /// <summary>The offset just past the last byte.</summary>
    public int End => Start + Length;
}

/// <summary>
/// Reads the protocol-buffers wire format (https://protobuf.dev/programming-guides/encoding/) from a byte array
/// that holds the whole file, one message at a time: tags, varints, fixed 32- and 64-bit values and
/// length-delimited payloads, each checked against the end of the message that holds it.
/// </summary>
/// <remarks>
/// <para>
/// Positions are offsets in the file, so every error names the byte it found. Nothing is allocated here
/// but the strings asked for: a length-delimited field is a <see cref="Region"/> of the file, read again by a
/// nested reader, and a field the caller does not want is skipped in O(1) (its length is checked, not walked).
/// Groups (wire types 3 and 4, deprecated since proto2 and absent from onnx.proto) are refused.
/// </para>
/// <para>
/// Compiles for netstandard2.0 as well as the library's targets (the source generator links it): arrays and
/// offsets, no spans, no package.
/// </para>
/// </remarks>
internal struct ProtobufReader
{
    public const int Varint = 0;
    public const int Fixed64 = 1;
    public const int LengthDelimited = 2;
    public const int Fixed32 = 5;

    /// <summary>A strict UTF-8 decoder: protobuf strings must be valid UTF-8, and a file whose are not is refused.</summary>
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private readonly byte[] _bytes;
    private readonly int _end;
    private readonly string _message;
    private int _position;
    private int _fieldStart;

    /// <summary>A reader of <paramref name="region"/> of <paramref name="bytes"/>, which holds one <paramref name="message"/> (for errors: "NodeProto").</summary>
    public ProtobufReader(byte[] bytes, Region region, string? name, string message)
    {
        _bytes = bytes;
        _end = region.End;
        _position = region.Start;
        _fieldStart = region.Start;
        Name = name;
        _message = message;
    }

    /// <summary>The file's name for error messages.</summary>
    public string? Name { get; }

    /// <summary>The whole file.</summary>
    public readonly byte[] Bytes => _bytes;

    /// <summary>Whether the message has no more fields.</summary>
    public readonly bool AtEnd => _position >= _end;

    /// <summary>The offset of the tag of the field read last: where an error about that field points.</summary>
    public readonly int FieldStart => _fieldStart;

    /// <summary>Reads the next field's tag: its number and wire type.</summary>
    public int ReadTag(out int wireType)
    {
        _fieldStart = _position;
        ulong tag = ReadVarint();
        wireType = (int)(tag & 7);
        ulong field = tag >> 3;
        if (field == 0 || field > 536_870_911)
        {
            throw Error(_fieldStart, FormattableString.Invariant($"a field tag {tag} with field number {field}; field numbers run from 1 to 536870911."));
        }

        if (wireType is 3 or 4)
        {
            throw Error(_fieldStart, FormattableString.Invariant($"field {field} uses wire type {wireType} (a group), which onnx.proto never uses."));
        }

        if (wireType is 6 or 7)
        {
            throw Error(_fieldStart, FormattableString.Invariant($"field {field} has wire type {wireType}, which the protobuf wire format does not define."));
        }

        return (int)field;
    }

    /// <summary>Reads a varint of up to 10 bytes.</summary>
    public ulong ReadVarint()
    {
        int start = _position;
        ulong value = 0;
        for (int shift = 0; shift < 64; shift += 7)
        {
            if (_position >= _end)
            {
                throw Error(start, FormattableString.Invariant($"a varint runs past the end of the {_message}, which ends at byte {_end}."));
            }

            byte b = _bytes[_position++];
            if (shift == 63 && b > 1)
            {
                throw Error(start, "a varint longer than 64 bits.");
            }

            value |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                return value;
            }
        }

        throw Error(start, "a varint longer than 10 bytes.");
    }

    /// <summary>Reads a varint field of type int64 (negative values are 10 bytes long, two's complement).</summary>
    public long ReadInt64() => unchecked((long)ReadVarint());

    /// <summary>Reads a varint field of type int32 or enum: a 64-bit value truncated to 32 bits, as protobuf's parsers do.</summary>
    public int ReadInt32() => unchecked((int)ReadVarint());

    /// <summary>Reads a little-endian 32-bit float.</summary>
    public float ReadFloat()
    {
        Need(4, "a 32-bit value");
        float value = LittleEndian.Single(_bytes, _position);
        _position += 4;
        return value;
    }

    /// <summary>Reads the payload of a length-delimited field: its region of the file.</summary>
    public Region ReadRegion()
    {
        int start = _position;
        ulong length = ReadVarint();
        if (length > (ulong)(_end - _position))
        {
            throw Error(start, FormattableString.Invariant($"a length-delimited field of {length} bytes, but the {_message} has only {_end - _position} bytes left (it ends at byte {_end})."));
        }

        var region = new Region(_position, (int)length);
        _position += (int)length;
        return region;
    }

    /// <summary>Reads a length-delimited field as UTF-8 text.</summary>
    public string ReadString(string what)
    {
        Region region = ReadRegion();
        return Text(_bytes, region, what);
    }

    /// <summary>Skips a field of <paramref name="wireType"/> whose tag has been read.</summary>
    public void Skip(int wireType)
    {
        switch (wireType)
        {
            case Varint:
                ReadVarint();
                break;
            case Fixed64:
                Need(8, "a 64-bit value");
                _position += 8;
                break;
            case LengthDelimited:
                ReadRegion();
                break;
            default:
                Need(4, "a 32-bit value");
                _position += 4;
                break;
        }
    }

    /// <summary>A format error at <paramref name="offset"/> of this file.</summary>
    public readonly FileFormatException Error(int offset, string message) => FileFormatException.AtOffset(Name, offset, message);

    /// <summary>
    /// A format error about the field whose tag was read last, unless <paramref name="wireType"/> is the one it
    /// must have: "field 4 (op_type) of NodeProto has wire type 0; expected 2".
    /// </summary>
    public readonly void Expect(int wireType, int actual, string field)
    {
        if (actual != wireType)
        {
            throw Error(_fieldStart, FormattableString.Invariant($"{field} of {_message} has wire type {actual} ({WireTypeName(actual)}); onnx.proto makes it {WireTypeName(wireType)}."));
        }
    }

    /// <summary>Decodes <paramref name="region"/> as UTF-8 text, or refuses it.</summary>
    public static string Text(byte[] bytes, Region region, string? name, string what)
    {
        if (region.Length == 0)
        {
            return string.Empty;
        }

        try
        {
            return StrictUtf8.GetString(bytes, region.Start, region.Length);
        }
        catch (DecoderFallbackException e)
        {
            throw FileFormatException.AtOffset(name, region.Start, $"{what} is not valid UTF-8 text.", e);
        }
    }

    /// <summary>The message's name, for errors ("NodeProto").</summary>
    public readonly string Message => _message;

    private readonly string Text(byte[] bytes, Region region, string what) => Text(bytes, region, Name, $"{what} of {_message}");

    private static string WireTypeName(int wireType) => wireType switch
    {
        Varint => "varint",
        Fixed64 => "64-bit",
        LengthDelimited => "length-delimited",
        Fixed32 => "32-bit",
        _ => "group",
    };

    private readonly void Need(int bytes, string what)
    {
        if (_end - _position < bytes)
        {
            throw Error(_position, FormattableString.Invariant($"{what} runs past the end of the {_message}, which ends at byte {_end}."));
        }
    }
}

/// <summary>Little-endian reads from a byte array on any platform and framework.</summary>
internal static class LittleEndian
{
    public static float Single(byte[] bytes, int offset)
    {
        if (BitConverter.IsLittleEndian)
        {
            return BitConverter.ToSingle(bytes, offset);
        }

        byte[] reversed = [bytes[offset + 3], bytes[offset + 2], bytes[offset + 1], bytes[offset]];
        return BitConverter.ToSingle(reversed, 0);
    }

    public static long Int64(byte[] bytes, int offset)
    {
        ulong value = 0;
        for (int i = 7; i >= 0; i--)
        {
            value = (value << 8) | bytes[offset + i];
        }

        return unchecked((long)value);
    }

    public static int Int32(byte[] bytes, int offset) =>
        bytes[offset] | (bytes[offset + 1] << 8) | (bytes[offset + 2] << 16) | (bytes[offset + 3] << 24);
}
