using System;
using System.Collections.Generic;
using System.Text;

namespace Native.Numerics.Serialization.Onnx;

/// <summary>
/// Decodes a tensor's values — from <c>raw_data</c> (little-endian) or from the typed repeated field — after
/// checking its element type, that it lives in this file, and that the number of values is the product of its
/// dimensions; only then is the array allocated, so a tensor costs what its bytes in the file pay for.
/// </summary>
internal static class OnnxTensors
{
    public const int Float = 1;
    public const int Uint8 = 2;
    public const int Int8 = 3;
    public const int Int32 = 6;
    public const int Int64 = 7;
    public const int String = 8;
    public const int Bool = 9;

    /// <summary>The number of elements the dimensions describe, refusing negative dimensions and overflow.</summary>
    public static long ElementCount(OnnxTensorProto tensor, string? name, string what)
    {
        long count = 1;
        foreach (long dimension in tensor.Dimensions)
        {
            if (dimension < 0)
            {
                throw FileFormatException.AtOffset(name, tensor.Message.Start, $"{what} has shape {Shape(tensor.Dimensions)}, with a negative dimension.");
            }

            count = dimension == 0 || count <= int.MaxValue / dimension ? count * dimension
                : throw FileFormatException.AtOffset(name, tensor.Message.Start, $"{what} has shape {Shape(tensor.Dimensions)}, more than 2^31 elements.");
        }

        return count;
    }

    /// <summary>A FLOAT tensor's values, all finite.</summary>
    public static float[] Floats(byte[] bytes, OnnxTensorProto tensor, string? name, string what)
    {
        CheckStorage(tensor, Float, name, what);
        int count = (int)ElementCount(tensor, name, what);
        float[] values;
        if (tensor.RawData is Region raw)
        {
            if (raw.Length != 4L * count)
            {
                throw FileFormatException.AtOffset(name, raw.Start, FormattableString.Invariant($"{what} has shape {Shape(tensor.Dimensions)}, {count} floats, {4L * count} bytes, but its raw_data holds {raw.Length} bytes."));
            }

            values = new float[count];
            if (BitConverter.IsLittleEndian)
            {
                Buffer.BlockCopy(bytes, raw.Start, values, 0, raw.Length);
            }
            else
            {
                for (int i = 0; i < count; i++)
                {
                    values[i] = LittleEndian.Single(bytes, raw.Start + (4 * i));
                }
            }
        }
        else
        {
            Count(tensor, tensor.FloatCount, count, "float_data", name, what);
            values = Repeated.Floats(bytes, tensor.Message, 4, count, name, "TensorProto");
        }

        for (int i = 0; i < values.Length; i++)
        {
            if (float.IsNaN(values[i]) || float.IsInfinity(values[i]))
            {
                throw FileFormatException.AtOffset(name, tensor.RawData?.Start + (4 * i) ?? tensor.Message.Start, FormattableString.Invariant($"{what} holds {values[i]} at element {i}; weights must be finite."));
            }
        }

        return values;
    }

    /// <summary>An INT64 or INT32 tensor's values, refused if more than <paramref name="max"/>.</summary>
    public static long[] Integers(byte[] bytes, OnnxTensorProto tensor, int max, string? name, string what)
    {
        int type = tensor.DataType == Int32 ? Int32 : Int64;
        CheckStorage(tensor, type, name, what);
        long count = ElementCount(tensor, name, what);
        if (count > max)
        {
            throw FileFormatException.AtOffset(name, tensor.Message.Start, FormattableString.Invariant($"{what} has {count} elements; at most {max} make sense here."));
        }

        int width = type == Int32 ? 4 : 8;
        if (tensor.RawData is Region raw)
        {
            if (raw.Length != width * count)
            {
                throw FileFormatException.AtOffset(name, raw.Start, FormattableString.Invariant($"{what} has shape {Shape(tensor.Dimensions)}, {count} integers of {width} bytes, but its raw_data holds {raw.Length} bytes."));
            }

            long[] values = new long[count];
            for (int i = 0; i < count; i++)
            {
                values[i] = width == 4 ? LittleEndian.Int32(bytes, raw.Start + (4 * i)) : LittleEndian.Int64(bytes, raw.Start + (8 * i));
            }

            return values;
        }

        Count(tensor, type == Int32 ? tensor.Int32Count : tensor.Int64Count, count, type == Int32 ? "int32_data" : "int64_data", name, what);
        long[] decoded = Repeated.Integers(bytes, tensor.Message, type == Int32 ? 5 : 7, (int)count, name, "TensorProto");
        if (type == Int32)
        {
            for (int i = 0; i < decoded.Length; i++)
            {
                decoded[i] = unchecked((int)decoded[i]);
            }
        }

        return decoded;
    }

    /// <summary>
    /// An INT8 tensor's values: a byte each in raw_data, else one int32_data entry each, within −128 to 127. The array is
    /// allocated only once the count has matched the shape, so it costs what the file's bytes pay for.
    /// </summary>
    public static sbyte[] SignedBytes(byte[] bytes, OnnxTensorProto tensor, string? name, string what)
    {
        byte[] stored = SmallIntegers(bytes, tensor, Int8, name, what);
        sbyte[] values = new sbyte[stored.Length];
        Buffer.BlockCopy(stored, 0, values, 0, stored.Length);
        return values;
    }

    /// <summary>A UINT8 tensor's values: a byte each in raw_data, else one int32_data entry each, within 0 to 255.</summary>
    public static byte[] UnsignedBytes(byte[] bytes, OnnxTensorProto tensor, string? name, string what) =>
        SmallIntegers(bytes, tensor, Uint8, name, what);

    /// <summary>A BOOL tensor's values (a byte each in raw_data, else int32_data), refused if more than <paramref name="max"/>.</summary>
    public static bool[] Booleans(byte[] bytes, OnnxTensorProto tensor, int max, string? name, string what)
    {
        CheckStorage(tensor, Bool, name, what);
        long count = ElementCount(tensor, name, what);
        if (count > max)
        {
            throw FileFormatException.AtOffset(name, tensor.Message.Start, FormattableString.Invariant($"{what} has {count} elements; at most {max} make sense here."));
        }

        bool[] values = new bool[count];
        if (tensor.RawData is Region raw)
        {
            if (raw.Length != count)
            {
                throw FileFormatException.AtOffset(name, raw.Start, FormattableString.Invariant($"{what} has shape {Shape(tensor.Dimensions)}, {count} booleans of 1 byte, but its raw_data holds {raw.Length} bytes."));
            }

            for (int i = 0; i < count; i++)
            {
                values[i] = bytes[raw.Start + i] != 0;
            }

            return values;
        }

        Count(tensor, tensor.Int32Count, count, "int32_data", name, what);
        long[] decoded = Repeated.Integers(bytes, tensor.Message, 5, (int)count, name, "TensorProto");
        for (int i = 0; i < decoded.Length; i++)
        {
            values[i] = decoded[i] != 0;
        }

        return values;
    }

    /// <summary>A STRING tensor's values, refused if more than <paramref name="max"/>.</summary>
    public static string[] Strings(byte[] bytes, OnnxTensorProto tensor, int max, string? name, string what)
    {
        CheckStorage(tensor, String, name, what);
        long count = ElementCount(tensor, name, what);
        if (count > max)
        {
            throw FileFormatException.AtOffset(name, tensor.Message.Start, FormattableString.Invariant($"{what} has {count} elements; at most {max} make sense here."));
        }

        Count(tensor, tensor.StringCount, count, "string_data", name, what);
        return Repeated.Strings(bytes, tensor.Message, 6, (int)count, name, "TensorProto");
    }

    /// <summary>An INT8 or UINT8 tensor's bytes as stored (two's complement for INT8), from raw_data or int32_data.</summary>
    private static byte[] SmallIntegers(byte[] bytes, OnnxTensorProto tensor, int type, string? name, string what)
    {
        CheckStorage(tensor, type, name, what);
        int count = (int)ElementCount(tensor, name, what);
        byte[] values;
        if (tensor.RawData is Region raw)
        {
            if (raw.Length != count)
            {
                throw FileFormatException.AtOffset(name, raw.Start, FormattableString.Invariant($"{what} has shape {Shape(tensor.Dimensions)}, {count} {TypeName(type)} values of 1 byte, but its raw_data holds {raw.Length} bytes."));
            }

            values = new byte[count];
            Buffer.BlockCopy(bytes, raw.Start, values, 0, count);
            return values;
        }

        // onnx.proto keeps INT8 and UINT8 values one per int32_data entry when they are not in raw_data.
        Count(tensor, tensor.Int32Count, count, "int32_data", name, what);
        values = new byte[count];
        long[] decoded = Repeated.Integers(bytes, tensor.Message, 5, count, name, "TensorProto");
        long low = type == Int8 ? sbyte.MinValue : byte.MinValue, high = type == Int8 ? sbyte.MaxValue : byte.MaxValue;
        for (int i = 0; i < count; i++)
        {
            long value = unchecked((int)decoded[i]);
            if (value < low || value > high)
            {
                throw FileFormatException.AtOffset(name, tensor.Message.Start, FormattableString.Invariant($"{what} holds {value} at element {i} of its int32_data; a {TypeName(type)} value runs from {low} to {high}."));
            }

            values[i] = unchecked((byte)value);
        }

        return values;
    }

    /// <summary>"[784, 128]", or "[]" for a scalar.</summary>
    public static string Shape(IList<long> dimensions)
    {
        var text = new StringBuilder("[");
        for (int i = 0; i < dimensions.Count; i++)
        {
            text.Append(i > 0 ? ", " : string.Empty).Append(dimensions[i] < 0 ? "?" : dimensions[i].ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        return text.Append(']').ToString();
    }

    /// <summary>The name of an ONNX element type, as onnx.proto spells it.</summary>
    public static string TypeName(int type) => type switch
    {
        0 => "UNDEFINED (0)",
        1 => "FLOAT",
        2 => "UINT8",
        3 => "INT8",
        4 => "UINT16",
        5 => "INT16",
        6 => "INT32",
        7 => "INT64",
        8 => "STRING",
        9 => "BOOL",
        10 => "FLOAT16",
        11 => "DOUBLE",
        12 => "UINT32",
        13 => "UINT64",
        14 => "COMPLEX64",
        15 => "COMPLEX128",
        16 => "BFLOAT16",
        _ => FormattableString.Invariant($"type {type}"),
    };

    private static void CheckStorage(OnnxTensorProto tensor, int type, string? name, string what)
    {
        if (tensor.External)
        {
            throw FileFormatException.AtOffset(name, tensor.Message.Start, $"{what} keeps its data in an external file (external_data); this reader reads only tensors stored in the model file.");
        }

        if (tensor.Segmented)
        {
            throw FileFormatException.AtOffset(name, tensor.Message.Start, $"{what} is a segment of a larger tensor, which ONNX no longer supports.");
        }

        if (tensor.DataType != type)
        {
            throw FileFormatException.AtOffset(name, tensor.Message.Start, $"{what} has element type {TypeName(tensor.DataType)}; expected {TypeName(type)}{(type == Float ? " (Native's models are float32)" : string.Empty)}.");
        }
    }

    private static void Count(OnnxTensorProto tensor, int actual, long expected, string field, string? name, string what)
    {
        if (actual != expected)
        {
            throw FileFormatException.AtOffset(name, tensor.Message.Start, FormattableString.Invariant($"{what} has shape {Shape(tensor.Dimensions)}, {expected} elements, but {(actual == 0 && tensor.RawData is null ? "no data" : $"{actual} values in {field}")}."));
        }
    }
}

/// <summary>Text for error messages.</summary>
internal static class OnnxText
{
    private const int QuoteLimit = 60;

    /// <summary>A name from the file for a message: at most 60 characters, control characters escaped.</summary>
    public static string Quote(string text)
    {
        var quoted = new StringBuilder();
        int length = Math.Min(text.Length, QuoteLimit);
        for (int i = 0; i < length; i++)
        {
            char c = text[i];
            if (char.IsControl(c) || char.IsSurrogate(c))
            {
                quoted.Append("\\u").Append(((int)c).ToString("X4", System.Globalization.CultureInfo.InvariantCulture));
            }
            else
            {
                quoted.Append(c);
            }
        }

        return text.Length > QuoteLimit ? quoted.Append('…').ToString() : quoted.ToString();
    }
}
