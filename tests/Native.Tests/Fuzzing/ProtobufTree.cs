namespace Native.Tests.Fuzzing;

/// <summary>
/// A protobuf message as a tree of fields, for mutations that know the wire format: a length-delimited payload
/// that parses as a message is kept as children (a string that happens to parse is harmless here), so a
/// mutation can change a value deep inside and the tree written back with every length fixed — the damage then
/// reaches the graph reader's checks instead of stopping at the first broken length.
/// </summary>
internal sealed class ProtobufTree
{
    private ProtobufTree(int field, int wire)
    {
        Field = field;
        Wire = wire;
    }

    public int Field { get; set; }

    public int Wire { get; set; }

    /// <summary>The value of a varint field.</summary>
    public ulong Varint { get; set; }

    /// <summary>The bytes of a fixed or length-delimited field that is not a message.</summary>
    public byte[] Bytes { get; set; } = [];

    /// <summary>The fields of a length-delimited field that parses as a message.</summary>
    public List<ProtobufTree>? Children { get; set; }

    /// <summary>Parses <paramref name="bytes"/> as a message's fields, or returns null if they are not one.</summary>
    public static List<ProtobufTree>? Parse(ReadOnlySpan<byte> bytes, int depth = 0)
    {
        var fields = new List<ProtobufTree>();
        int at = 0;
        while (at < bytes.Length)
        {
            if (!TryVarint(bytes, ref at, out ulong tag) || tag >> 3 is 0 or > 536_870_911)
            {
                return null;
            }

            var field = new ProtobufTree((int)(tag >> 3), (int)(tag & 7));
            switch (field.Wire)
            {
                case 0:
                    if (!TryVarint(bytes, ref at, out ulong value))
                    {
                        return null;
                    }

                    field.Varint = value;
                    break;
                case 1:
                case 5:
                    int width = field.Wire == 1 ? 8 : 4;
                    if (bytes.Length - at < width)
                    {
                        return null;
                    }

                    field.Bytes = bytes.Slice(at, width).ToArray();
                    at += width;
                    break;
                case 2:
                    if (!TryVarint(bytes, ref at, out ulong length) || length > (ulong)(bytes.Length - at))
                    {
                        return null;
                    }

                    ReadOnlySpan<byte> payload = bytes.Slice(at, (int)length);
                    field.Bytes = payload.ToArray();
                    field.Children = depth < 8 && length > 0 ? Parse(payload, depth + 1) : null;
                    at += (int)length;
                    break;
                default:
                    return null;
            }

            fields.Add(field);
        }

        return fields;
    }

    /// <summary>Writes <paramref name="fields"/> back, each length computed afresh.</summary>
    public static byte[] Write(List<ProtobufTree> fields)
    {
        var output = new List<byte>();
        foreach (ProtobufTree field in fields)
        {
            WriteVarint(output, ((ulong)field.Field << 3) | (uint)field.Wire);
            switch (field.Wire)
            {
                case 0:
                    WriteVarint(output, field.Varint);
                    break;
                case 2:
                    byte[] payload = field.Children is null ? field.Bytes : Write(field.Children);
                    WriteVarint(output, (ulong)payload.Length);
                    output.AddRange(payload);
                    break;
                default:
                    output.AddRange(field.Bytes);
                    break;
            }
        }

        return [.. output];
    }

    /// <summary>Every field of the tree, depth first, with the list that holds it.</summary>
    public static IEnumerable<(ProtobufTree Field, List<ProtobufTree> Parent)> All(List<ProtobufTree> fields)
    {
        foreach (ProtobufTree field in fields)
        {
            yield return (field, fields);
            if (field.Children is not null)
            {
                foreach (var inner in All(field.Children))
                {
                    yield return inner;
                }
            }
        }
    }

    public ProtobufTree Clone() => new(Field, Wire)
    {
        Varint = Varint,
        Bytes = Bytes,
        Children = Children?.Select(c => c.Clone()).ToList(),
    };

    private static bool TryVarint(ReadOnlySpan<byte> bytes, ref int at, out ulong value)
    {
        value = 0;
        for (int shift = 0; shift < 64 && at < bytes.Length; shift += 7)
        {
            byte b = bytes[at++];
            value |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                return true;
            }
        }

        return false;
    }

    private static void WriteVarint(List<byte> output, ulong value)
    {
        while (value >= 0x80)
        {
            output.Add((byte)(value | 0x80));
            value >>= 7;
        }

        output.Add((byte)value);
    }
}
