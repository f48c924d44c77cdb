using System;
using System.Collections.Generic;

namespace Native.Numerics.Serialization.Onnx;

/// <summary>Tensors, and the types and shapes of the graph's inputs and outputs.</summary>
internal static partial class OnnxProtoParser
{
    internal static OnnxTensorProto ParseTensor(byte[] bytes, Region region, string? name)
    {
        var reader = new ProtobufReader(bytes, region, name, "TensorProto");
        var tensor = new OnnxTensorProto(region);
        while (!reader.AtEnd)
        {
            int field = reader.ReadTag(out int wire);
            switch (field)
            {
                case 1:
                    Repeated.ReadIntegers(ref reader, wire, "dims (field 1)", tensor.Dimensions, MaxRank, "dimensions");
                    break;
                case 2:
                    reader.Expect(ProtobufReader.Varint, wire, "data_type (field 2)");
                    tensor.DataType = reader.ReadInt32();
                    break;
                case 3:
                    tensor.Segmented = true;
                    reader.Skip(wire);
                    break;
                case 4:
                    tensor.FloatCount = Add(reader, tensor.FloatCount, Repeated.Count(ref reader, wire, Repeated.Float, "float_data (field 4)"));
                    break;
                case 5:
                    tensor.Int32Count = Add(reader, tensor.Int32Count, Repeated.Count(ref reader, wire, Repeated.Integer, "int32_data (field 5)"));
                    break;
                case 6:
                    reader.Expect(ProtobufReader.LengthDelimited, wire, "string_data (field 6)");
                    reader.ReadRegion();
                    tensor.StringCount++;
                    break;
                case 7:
                    tensor.Int64Count = Add(reader, tensor.Int64Count, Repeated.Count(ref reader, wire, Repeated.Integer, "int64_data (field 7)"));
                    break;
                case 8:
                    reader.Expect(ProtobufReader.LengthDelimited, wire, "name (field 8)");
                    tensor.Name = reader.ReadString("name");
                    break;
                case 9:
                    reader.Expect(ProtobufReader.LengthDelimited, wire, "raw_data (field 9)");
                    tensor.RawData = reader.ReadRegion();
                    break;
                case 10:
                case 11:
                    tensor.OtherCount++;
                    reader.Skip(wire);
                    break;
                case 13:
                    tensor.External = true;
                    reader.Skip(wire);
                    break;
                case 14:
                    reader.Expect(ProtobufReader.Varint, wire, "data_location (field 14)");
                    tensor.External |= reader.ReadInt32() == 1;
                    break;
                default:
                    reader.Skip(wire);
                    break;
            }
        }

        return tensor;
    }

    private static OnnxValueInfoProto ParseValueInfo(byte[] bytes, int offset, Region region, string? name)
    {
        var reader = new ProtobufReader(bytes, region, name, "ValueInfoProto");
        var value = new OnnxValueInfoProto(offset);
        bool typed = false;
        while (!reader.AtEnd)
        {
            int field = reader.ReadTag(out int wire);
            if (field == 1)
            {
                reader.Expect(ProtobufReader.LengthDelimited, wire, "name (field 1)");
                value.Name = reader.ReadString("name");
            }
            else if (field == 2)
            {
                reader.Expect(ProtobufReader.LengthDelimited, wire, "type (field 2)");
                if (typed)
                {
                    throw reader.Error(reader.FieldStart, "the ValueInfoProto has a second type (field 2); it has one.");
                }

                typed = true;
                ParseType(bytes, reader.ReadRegion(), name, value);
            }
            else
            {
                reader.Skip(wire);
            }
        }

        return value;
    }

    /// <summary>Reads a <c>TypeProto</c>: a tensor type's element type and shape; any other type only marks the value as not a tensor.</summary>
    private static void ParseType(byte[] bytes, Region region, string? name, OnnxValueInfoProto value)
    {
        var reader = new ProtobufReader(bytes, region, name, "TypeProto");
        bool tensor = false;
        while (!reader.AtEnd)
        {
            int field = reader.ReadTag(out int wire);
            if (field == 1)
            {
                reader.Expect(ProtobufReader.LengthDelimited, wire, "tensor_type (field 1)");
                if (tensor)
                {
                    throw reader.Error(reader.FieldStart, "the TypeProto has a second tensor_type (field 1); it has one.");
                }

                tensor = true;
                ParseTensorType(bytes, reader.ReadRegion(), name, value);
            }
            else
            {
                value.IsTensor &= field is not (4 or 5 or 8 or 9 or 7);
                reader.Skip(wire);
            }
        }
    }

    private static void ParseTensorType(byte[] bytes, Region region, string? name, OnnxValueInfoProto value)
    {
        var reader = new ProtobufReader(bytes, region, name, "TypeProto.Tensor");
        while (!reader.AtEnd)
        {
            int field = reader.ReadTag(out int wire);
            if (field == 1)
            {
                reader.Expect(ProtobufReader.Varint, wire, "elem_type (field 1)");
                value.ElementType = reader.ReadInt32();
            }
            else if (field == 2)
            {
                reader.Expect(ProtobufReader.LengthDelimited, wire, "shape (field 2)");
                if (value.Dimensions is not null)
                {
                    throw reader.Error(reader.FieldStart, "the tensor type has a second shape (field 2); it has one.");
                }

                value.Dimensions = ParseShape(bytes, reader.ReadRegion(), name);
            }
            else
            {
                reader.Skip(wire);
            }
        }
    }

    private static List<long> ParseShape(byte[] bytes, Region region, string? name)
    {
        var reader = new ProtobufReader(bytes, region, name, "TensorShapeProto");
        var dimensions = new List<long>();
        while (!reader.AtEnd)
        {
            int field = reader.ReadTag(out int wire);
            if (field != 1)
            {
                reader.Skip(wire);
                continue;
            }

            reader.Expect(ProtobufReader.LengthDelimited, wire, "dim (field 1)");
            if (dimensions.Count == MaxRank)
            {
                throw reader.Error(reader.FieldStart, FormattableString.Invariant($"a shape of more than {MaxRank} dimensions; the models read here take rows of features."));
            }

            // A dimension is a dim_value (a size) or a dim_param (a name, such as the batch axis's): -1 stands for the latter.
            var dim = new ProtobufReader(bytes, reader.ReadRegion(), name, "TensorShapeProto.Dimension");
            long size = -1;
            while (!dim.AtEnd)
            {
                int part = dim.ReadTag(out int partWire);
                if (part == 1)
                {
                    dim.Expect(ProtobufReader.Varint, partWire, "dim_value (field 1)");
                    size = dim.ReadInt64();
                }
                else
                {
                    dim.Skip(partWire);
                    size = part == 2 ? -1 : size;
                }
            }

            dimensions.Add(size);
        }

        return dimensions;
    }
}
