using System;
using System.Collections.Generic;

namespace Native.Numerics.Serialization.Onnx;

/// <summary>
/// Repeated scalar fields, packed or not (protobuf parsers accept both, and a field may mix them): counted while a
/// message is parsed, decoded later by walking the message again for that field, into an array whose length
/// was checked before it was allocated.
/// </summary>
internal static class Repeated
{
    /// <summary>Element kinds: 32-bit floats (wire type 5, or packed fixed32) and integers (varints, or packed varints).</summary>
    public const int Float = 0;
    public const int Integer = 1;

    /// <summary>Counts the values of one occurrence of a repeated field whose tag has been read, and moves past it.</summary>
    public static int Count(ref ProtobufReader reader, int wire, int kind, string field)
    {
        if (wire == ProtobufReader.LengthDelimited)
        {
            int start = reader.FieldStart;
            Region packed = reader.ReadRegion();
            if (kind == Float)
            {
                return packed.Length % 4 == 0
                    ? packed.Length / 4
                    : throw reader.Error(start, FormattableString.Invariant($"{field} of {reader.Message} is packed into {packed.Length} bytes, not a whole number of 4-byte floats."));
            }

            // Packed varints: one value per byte with the high bit clear; the last byte must end a value.
            var values = new ProtobufReader(reader.Bytes, packed, reader.Name, reader.Message);
            int count = 0;
            while (!values.AtEnd)
            {
                values.ReadVarint();
                count++;
            }

            return count;
        }

        reader.Expect(kind == Float ? ProtobufReader.Fixed32 : ProtobufReader.Varint, wire, field);
        reader.Skip(wire);
        return 1;
    }

    /// <summary>Reads one occurrence of a repeated integer field into <paramref name="values"/>, refusing more than <paramref name="limit"/> in all.</summary>
    public static void ReadIntegers(ref ProtobufReader reader, int wire, string field, List<long> values, int limit, string what)
    {
        int start = reader.FieldStart;
        if (wire == ProtobufReader.LengthDelimited)
        {
            var packed = new ProtobufReader(reader.Bytes, reader.ReadRegion(), reader.Name, reader.Message);
            while (!packed.AtEnd)
            {
                Add(reader, start, values, packed.ReadInt64(), limit, what);
            }

            return;
        }

        reader.Expect(ProtobufReader.Varint, wire, field);
        Add(reader, start, values, reader.ReadInt64(), limit, what);
    }

    /// <summary>The <paramref name="count"/> floats of field <paramref name="field"/> of the message in <paramref name="message"/>.</summary>
    public static float[] Floats(byte[] bytes, Region message, int field, int count, string? name, string what)
    {
        float[] values = new float[count];
        int filled = 0;
        var reader = new ProtobufReader(bytes, message, name, what);
        while (!reader.AtEnd)
        {
            int number = reader.ReadTag(out int wire);
            if (number != field)
            {
                reader.Skip(wire);
            }
            else if (wire == ProtobufReader.LengthDelimited)
            {
                Region packed = reader.ReadRegion();
                for (int at = packed.Start; at < packed.End; at += 4)
                {
                    values[filled++] = LittleEndian.Single(bytes, at);
                }
            }
            else
            {
                values[filled++] = reader.ReadFloat();
            }
        }

        return values;
    }

    /// <summary>The <paramref name="count"/> integers of field <paramref name="field"/> of the message in <paramref name="message"/>.</summary>
    public static long[] Integers(byte[] bytes, Region message, int field, int count, string? name, string what)
    {
        long[] values = new long[count];
        int filled = 0;
        var reader = new ProtobufReader(bytes, message, name, what);
        while (!reader.AtEnd)
        {
            int number = reader.ReadTag(out int wire);
            if (number != field)
            {
                reader.Skip(wire);
            }
            else if (wire == ProtobufReader.LengthDelimited)
            {
                var packed = new ProtobufReader(bytes, reader.ReadRegion(), name, what);
                while (!packed.AtEnd)
                {
                    values[filled++] = packed.ReadInt64();
                }
            }
            else
            {
                values[filled++] = reader.ReadInt64();
            }
        }

        return values;
    }

    /// <summary>The <paramref name="count"/> strings of field <paramref name="field"/> of the message in <paramref name="message"/>, as UTF-8 text.</summary>
    public static string[] Strings(byte[] bytes, Region message, int field, int count, string? name, string what)
    {
        string[] values = new string[count];
        int filled = 0;
        var reader = new ProtobufReader(bytes, message, name, what);
        while (!reader.AtEnd)
        {
            int number = reader.ReadTag(out int wire);
            if (number == field)
            {
                values[filled++] = reader.ReadString("a string");
            }
            else
            {
                reader.Skip(wire);
            }
        }

        return values;
    }

    private static void Add(ProtobufReader reader, int start, List<long> values, long value, int limit, string what)
    {
        if (values.Count == limit)
        {
            throw reader.Error(start, FormattableString.Invariant($"more than {limit} {what} in a {reader.Message}; the models read here need at most {limit}."));
        }

        values.Add(value);
    }
}
