using System;
using System.Collections.Generic;

namespace Native.Numerics.Serialization.Onnx;

/// <summary>
/// Parses the subset of onnx.proto that describes a model into <see cref="OnnxModelProto"/>: the opsets, the
/// producer, the metadata, and the graph's nodes, initializers, inputs and outputs. Every other field (doc
/// strings, value_info, training info, subgraphs inside attributes) is skipped without being read.
/// </summary>
/// <remarks>
/// <para>
/// The nesting is fixed by the schema (model, graph, node, attribute, tensor; value info, type, shape,
/// dimension), so the depth is bounded without a counter: no message of unknown type is ever entered.
/// </para>
/// <para>
/// Counts are limited far above what a model of the library's kinds needs (<see cref="MaxNodes"/> and the rest),
/// so that the objects made per element stay a small constant beside the file's own size, whatever a
/// hostile file repeats. A singular message field that appears twice (which protobuf would merge) is refused
/// rather than merged: no exporter writes one, and a reader that merged differently would build another model.
/// </para>
/// </remarks>
internal static partial class OnnxProtoParser
{
    public const int MaxNodes = 1000;
    public const int MaxNodeValues = 4000;
    public const int MaxAttributes = 2000;
    public const int MaxInitializers = 1000;
    public const int MaxGraphValues = 1000;
    public const int MaxMetadata = 1000;
    public const int MaxOpsets = 100;
    public const int MaxRank = 8;

    /// <summary>Parses the whole of <paramref name="bytes"/> as a <c>ModelProto</c>.</summary>
    /// <exception cref="FileFormatException">The bytes are not a well-formed ModelProto, or exceed a limit.</exception>
    public static OnnxModelProto Parse(byte[] bytes, string? name)
    {
        var counts = new Counts();
        var model = new OnnxModelProto();
        var reader = new ProtobufReader(bytes, new Region(0, bytes.Length), name, "ModelProto");
        if (bytes.Length == 0)
        {
            throw reader.Error(0, "the file is empty; an ONNX model is a protobuf ModelProto.");
        }

        while (!reader.AtEnd)
        {
            int field = reader.ReadTag(out int wire);
            switch (field)
            {
                case 1:
                    reader.Expect(ProtobufReader.Varint, wire, "ir_version (field 1)");
                    model.IrVersion = reader.ReadInt64();
                    break;
                case 2:
                    reader.Expect(ProtobufReader.LengthDelimited, wire, "producer_name (field 2)");
                    model.ProducerName = reader.ReadString("producer_name");
                    break;
                case 3:
                    reader.Expect(ProtobufReader.LengthDelimited, wire, "producer_version (field 3)");
                    model.ProducerVersion = reader.ReadString("producer_version");
                    break;
                case 7:
                    reader.Expect(ProtobufReader.LengthDelimited, wire, "graph (field 7)");
                    if (model.Graph is not null)
                    {
                        throw reader.Error(reader.FieldStart, "the ModelProto has a second graph (field 7); a model has one.");
                    }

                    model.Graph = ParseGraph(bytes, reader.ReadRegion(), name, counts);
                    break;
                case 8:
                    reader.Expect(ProtobufReader.LengthDelimited, wire, "opset_import (field 8)");
                    Limit(reader, ref counts.Opsets, MaxOpsets, "opset imports");
                    model.Opsets.Add(ParseOpset(bytes, reader.ReadRegion(), name));
                    break;
                case 14:
                    reader.Expect(ProtobufReader.LengthDelimited, wire, "metadata_props (field 14)");
                    Limit(reader, ref counts.Metadata, MaxMetadata, "metadata_props entries");
                    model.MetadataOffsets.Add(reader.FieldStart);
                    model.Metadata.Add(ParseEntry(bytes, reader.ReadRegion(), name));
                    break;
                case 25:
                    model.Functions++;
                    reader.Skip(wire);
                    break;
                default:
                    reader.Skip(wire);
                    break;
            }
        }

        return model;
    }

    private static KeyValuePair<string, long> ParseOpset(byte[] bytes, Region region, string? name)
    {
        var reader = new ProtobufReader(bytes, region, name, "OperatorSetIdProto");
        string domain = string.Empty;
        long version = 0;
        while (!reader.AtEnd)
        {
            switch (reader.ReadTag(out int wire))
            {
                case 1:
                    reader.Expect(ProtobufReader.LengthDelimited, wire, "domain (field 1)");
                    domain = reader.ReadString("domain");
                    break;
                case 2:
                    reader.Expect(ProtobufReader.Varint, wire, "version (field 2)");
                    version = reader.ReadInt64();
                    break;
                default:
                    reader.Skip(wire);
                    break;
            }
        }

        return new KeyValuePair<string, long>(domain, version);
    }

    private static KeyValuePair<string, string> ParseEntry(byte[] bytes, Region region, string? name)
    {
        var reader = new ProtobufReader(bytes, region, name, "StringStringEntryProto");
        string key = string.Empty, value = string.Empty;
        while (!reader.AtEnd)
        {
            switch (reader.ReadTag(out int wire))
            {
                case 1:
                    reader.Expect(ProtobufReader.LengthDelimited, wire, "key (field 1)");
                    key = reader.ReadString("key");
                    break;
                case 2:
                    reader.Expect(ProtobufReader.LengthDelimited, wire, "value (field 2)");
                    value = reader.ReadString("value");
                    break;
                default:
                    reader.Skip(wire);
                    break;
            }
        }

        return new KeyValuePair<string, string>(key, value);
    }

    private static OnnxGraphProto ParseGraph(byte[] bytes, Region region, string? name, Counts counts)
    {
        var reader = new ProtobufReader(bytes, region, name, "GraphProto");
        var graph = new OnnxGraphProto();
        while (!reader.AtEnd)
        {
            int field = reader.ReadTag(out int wire);
            switch (field)
            {
                case 1:
                    reader.Expect(ProtobufReader.LengthDelimited, wire, "node (field 1)");
                    Limit(reader, ref counts.Nodes, MaxNodes, "nodes");
                    graph.Nodes.Add(ParseNode(bytes, reader.ReadRegion(), name, counts, graph.Nodes.Count));
                    break;
                case 2:
                    reader.Expect(ProtobufReader.LengthDelimited, wire, "name (field 2)");
                    graph.Name = reader.ReadString("name");
                    break;
                case 5:
                    reader.Expect(ProtobufReader.LengthDelimited, wire, "initializer (field 5)");
                    Limit(reader, ref counts.Initializers, MaxInitializers, "initializers");
                    graph.Initializers.Add(ParseTensor(bytes, reader.ReadRegion(), name));
                    break;
                case 11:
                case 12:
                    reader.Expect(ProtobufReader.LengthDelimited, wire, field == 11 ? "input (field 11)" : "output (field 12)");
                    Limit(reader, ref counts.GraphValues, MaxGraphValues, "graph inputs and outputs");
                    (field == 11 ? graph.Inputs : graph.Outputs).Add(ParseValueInfo(bytes, reader.FieldStart, reader.ReadRegion(), name));
                    break;
                case 15:
                    if (graph.SparseInitializer < 0)
                    {
                        graph.SparseInitializer = reader.FieldStart;
                    }

                    reader.Skip(wire);
                    break;
                default:
                    reader.Skip(wire);
                    break;
            }
        }

        return graph;
    }

    private static OnnxNodeProto ParseNode(byte[] bytes, Region region, string? name, Counts counts, int index)
    {
        var reader = new ProtobufReader(bytes, region, name, "NodeProto");
        var node = new OnnxNodeProto(region.Start);
        while (!reader.AtEnd)
        {
            int field = reader.ReadTag(out int wire);
            switch (field)
            {
                case 1:
                case 2:
                    reader.Expect(ProtobufReader.LengthDelimited, wire, field == 1 ? "input (field 1)" : "output (field 2)");
                    Limit(reader, ref counts.NodeValues, MaxNodeValues, "node inputs and outputs in all");
                    (field == 1 ? node.Inputs : node.Outputs).Add(reader.ReadString(field == 1 ? "input" : "output"));
                    break;
                case 3:
                    reader.Expect(ProtobufReader.LengthDelimited, wire, "name (field 3)");
                    node.Name = reader.ReadString("name");
                    break;
                case 4:
                    reader.Expect(ProtobufReader.LengthDelimited, wire, "op_type (field 4)");
                    node.OpType = reader.ReadString("op_type");
                    break;
                case 5:
                    reader.Expect(ProtobufReader.LengthDelimited, wire, "attribute (field 5)");
                    Limit(reader, ref counts.Attributes, MaxAttributes, "attributes in all");
                    node.Attributes.Add(ParseAttribute(bytes, reader.ReadRegion(), name));
                    break;
                case 7:
                    reader.Expect(ProtobufReader.LengthDelimited, wire, "domain (field 7)");
                    node.Domain = reader.ReadString("domain");
                    break;
                default:
                    reader.Skip(wire);
                    break;
            }
        }

        node.Label = node.Name.Length > 0
            ? $"{node.OpType} '{OnnxText.Quote(node.Name)}'"
            : FormattableString.Invariant($"{node.OpType} (node {index})");
        return node;
    }

    private static OnnxAttributeProto ParseAttribute(byte[] bytes, Region region, string? name)
    {
        var reader = new ProtobufReader(bytes, region, name, "AttributeProto");
        var attribute = new OnnxAttributeProto(region);
        while (!reader.AtEnd)
        {
            int field = reader.ReadTag(out int wire);
            if (field is >= 2 and <= 11)
            {
                attribute.Present |= 1 << field;
            }

            switch (field)
            {
                case 1:
                    reader.Expect(ProtobufReader.LengthDelimited, wire, "name (field 1)");
                    attribute.Name = reader.ReadString("name");
                    break;
                case 20:
                    reader.Expect(ProtobufReader.Varint, wire, "type (field 20)");
                    attribute.Type = reader.ReadInt32();
                    break;
                case 2:
                    reader.Expect(ProtobufReader.Fixed32, wire, "f (field 2)");
                    attribute.Float = reader.ReadFloat();
                    break;
                case 3:
                    reader.Expect(ProtobufReader.Varint, wire, "i (field 3)");
                    attribute.Int = reader.ReadInt64();
                    break;
                case 4:
                    reader.Expect(ProtobufReader.LengthDelimited, wire, "s (field 4)");
                    attribute.String = reader.ReadRegion();
                    break;
                case 5:
                    reader.Expect(ProtobufReader.LengthDelimited, wire, "t (field 5)");
                    if (attribute.Tensor is not null)
                    {
                        throw reader.Error(reader.FieldStart, "the AttributeProto has a second tensor t (field 5); it has one.");
                    }

                    attribute.Tensor = ParseTensor(bytes, reader.ReadRegion(), name);
                    break;
                case 7:
                    attribute.FloatCount = Add(reader, attribute.FloatCount, Repeated.Count(ref reader, wire, Repeated.Float, "floats (field 7)"));
                    break;
                case 8:
                    attribute.IntCount = Add(reader, attribute.IntCount, Repeated.Count(ref reader, wire, Repeated.Integer, "ints (field 8)"));
                    break;
                case 9:
                    reader.Expect(ProtobufReader.LengthDelimited, wire, "strings (field 9)");
                    reader.ReadRegion();
                    attribute.StringCount++;
                    break;
                case 6:
                case 10:
                case 11:
                case 14:
                case 15:
                case 22:
                case 23:
                    attribute.HasOtherValue = true;
                    reader.Skip(wire);
                    break;
                default:
                    reader.Skip(wire);
                    break;
            }
        }

        return attribute;
    }

    private static void Limit(ProtobufReader reader, ref int count, int limit, string what)
    {
        if (++count > limit)
        {
            throw reader.Error(reader.FieldStart, FormattableString.Invariant($"more than {limit} {what}; the models read here need far fewer, so this limit keeps a hostile file from costing more memory than its size."));
        }
    }

    private static int Add(ProtobufReader reader, int count, int more)
    {
        long total = (long)count + more;
        return total <= int.MaxValue ? (int)total : throw reader.Error(reader.FieldStart, "more than 2^31 values in one repeated field.");
    }

    /// <summary>The counts the limits apply to, over the whole file.</summary>
    private sealed class Counts
    {
        public int Nodes;
        public int NodeValues;
        public int Attributes;
        public int Initializers;
        public int GraphValues;
        public int Metadata;
        public int Opsets;
    }
}
