using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;

namespace Native.Numerics.Serialization.Onnx;

/// <summary>
/// Writes the protocol-buffers wire format: tags, varints, floats, strings, bytes and nested messages (each
/// written into its own writer first, so that its length can precede it).
/// </summary>
internal sealed class ProtobufWriter
{
    private readonly ArrayBufferWriter<byte> _buffer = new();

    /// <summary>What has been written.</summary>
    public ReadOnlySpan<byte> Written => _buffer.WrittenSpan;

    /// <summary>Writes a varint field (int64, int32 or enum; negative values take 10 bytes, as protobuf writes them).</summary>
    public void Int(int field, long value)
    {
        Tag(field, ProtobufReader.Varint);
        Varint(unchecked((ulong)value));
    }

    /// <summary>Writes a 32-bit float field.</summary>
    public void Float(int field, float value)
    {
        Tag(field, ProtobufReader.Fixed32);
        BinaryPrimitives.WriteSingleLittleEndian(_buffer.GetSpan(4), value);
        _buffer.Advance(4);
    }

    /// <summary>Writes a string field as UTF-8.</summary>
    public void String(int field, string value)
    {
        Tag(field, ProtobufReader.LengthDelimited);
        int length = Encoding.UTF8.GetByteCount(value);
        Varint((ulong)length);
        Encoding.UTF8.GetBytes(value, _buffer.GetSpan(length));
        _buffer.Advance(length);
    }

    /// <summary>Writes a bytes field.</summary>
    public void Bytes(int field, ReadOnlySpan<byte> value)
    {
        Tag(field, ProtobufReader.LengthDelimited);
        Varint((ulong)value.Length);
        value.CopyTo(_buffer.GetSpan(value.Length));
        _buffer.Advance(value.Length);
    }

    /// <summary>Writes floats as a bytes field of little-endian values (a tensor's raw_data).</summary>
    public void RawFloats(int field, ReadOnlySpan<float> values)
    {
        if (BitConverter.IsLittleEndian)
        {
            Bytes(field, MemoryMarshal.AsBytes(values));
            return;
        }

        byte[] bytes = new byte[values.Length * sizeof(float)];
        for (int i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(i * sizeof(float)), values[i]);
        }

        Bytes(field, bytes);
    }

    /// <summary>Appends fields another writer has encoded.</summary>
    public void Raw(ReadOnlySpan<byte> fields)
    {
        fields.CopyTo(_buffer.GetSpan(fields.Length));
        _buffer.Advance(fields.Length);
    }

    /// <summary>Writes a nested message field.</summary>
    public void Message(int field, ProtobufWriter message) => Bytes(field, message.Written);

    /// <summary>Writes a nested message field that <paramref name="write"/> fills.</summary>
    public void Message(int field, Action<ProtobufWriter> write)
    {
        var message = new ProtobufWriter();
        write(message);
        Message(field, message);
    }

    private void Tag(int field, int wireType) => Varint(((ulong)field << 3) | (uint)wireType);

    private void Varint(ulong value)
    {
        Span<byte> span = _buffer.GetSpan(10);
        int n = 0;
        while (value >= 0x80)
        {
            span[n++] = (byte)(value | 0x80);
            value >>= 7;
        }

        span[n++] = (byte)value;
        _buffer.Advance(n);
    }
}
