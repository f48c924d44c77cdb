using System.Collections.Generic;

namespace Native.Numerics.Serialization.Onnx;

/// <summary>The parts of an ONNX <c>ModelProto</c> (onnx.proto) that say what model the file holds.</summary>
internal sealed class OnnxModelProto
{
    public long IrVersion { get; set; }

    public List<KeyValuePair<string, long>> Opsets { get; } = [];

    public string ProducerName { get; set; } = string.Empty;

    public string ProducerVersion { get; set; } = string.Empty;

    public OnnxGraphProto? Graph { get; set; }

    public List<KeyValuePair<string, string>> Metadata { get; } = [];

    /// <summary>Where each metadata entry starts, for errors.</summary>
    public List<int> MetadataOffsets { get; } = [];

    /// <summary>How many <c>functions</c> (model-local functions) the model defines.</summary>
    public int Functions { get; set; }
}

/// <summary>A <c>GraphProto</c>: the nodes, the weights (initializers), and the graph's inputs and outputs.</summary>
internal sealed class OnnxGraphProto
{
    public string Name { get; set; } = string.Empty;

    public List<OnnxNodeProto> Nodes { get; } = [];

    public List<OnnxTensorProto> Initializers { get; } = [];

    public List<OnnxValueInfoProto> Inputs { get; } = [];

    public List<OnnxValueInfoProto> Outputs { get; } = [];

    /// <summary>The offset of the first sparse initializer, or -1 for none (they are refused when used).</summary>
    public int SparseInitializer { get; set; } = -1;
}

/// <summary>A <c>NodeProto</c>: one operator applied to named values.</summary>
internal sealed class OnnxNodeProto
{
    public OnnxNodeProto(int offset) => Offset = offset;

    /// <summary>The offset of the node's message in the file.</summary>
    public int Offset { get; }

    public string Name { get; set; } = string.Empty;

    public string OpType { get; set; } = string.Empty;

    public string Domain { get; set; } = string.Empty;

    public List<string> Inputs { get; } = [];

    public List<string> Outputs { get; } = [];

    public List<OnnxAttributeProto> Attributes { get; } = [];

    /// <summary>"Gemm 'fc1'", or "Gemm node 3" for a node without a name: how an error names the node.</summary>
    public string Label { get; set; } = string.Empty;
}

/// <summary>
/// An <c>AttributeProto</c>. Repeated values (<c>floats</c>, <c>ints</c>, <c>strings</c>) are counted when the
/// file is read and decoded only when asked for, from <see cref="Message"/>: nothing is allocated for them until
/// their size has been checked.
/// </summary>
internal sealed class OnnxAttributeProto
{
    public OnnxAttributeProto(Region message) => Message = message;

    /// <summary>The attribute's message in the file.</summary>
    public Region Message { get; }

    public string Name { get; set; } = string.Empty;

    /// <summary>The declared <c>AttributeType</c> (1 FLOAT, 2 INT, 3 STRING, 4 TENSOR, 6 FLOATS, 7 INTS, 8 STRINGS…), 0 if not given.</summary>
    public int Type { get; set; }

    public float Float { get; set; }

    public long Int { get; set; }

    /// <summary>The <c>s</c> field (bytes), if present.</summary>
    public Region? String { get; set; }

    public OnnxTensorProto? Tensor { get; set; }

    public int FloatCount { get; set; }

    public int IntCount { get; set; }

    public int StringCount { get; set; }

    /// <summary>Whether the attribute holds a graph, a sparse tensor, tensors or types (none of which a supported operator takes).</summary>
    public bool HasOtherValue { get; set; }

    /// <summary>Which value fields are present: bit n for field n (2 f, 3 i, 4 s, 5 t, 7 floats, 8 ints, 9 strings).</summary>
    public int Present { get; set; }
}

/// <summary>
/// A <c>TensorProto</c>: its name, element type, shape, and where its values are. The values — <c>raw_data</c>,
/// or the typed repeated fields — stay in the file until <see cref="OnnxTensors"/> decodes them, after
/// checking that their number matches the shape.
/// </summary>
internal sealed class OnnxTensorProto
{
    public OnnxTensorProto(Region message) => Message = message;

    /// <summary>The tensor's message in the file.</summary>
    public Region Message { get; }

    public string Name { get; set; } = string.Empty;

    public List<long> Dimensions { get; } = [];

    /// <summary>The <c>DataType</c>: 1 FLOAT, 6 INT32, 7 INT64, 8 STRING, 11 DOUBLE…; 0 if not given.</summary>
    public int DataType { get; set; }

    public Region? RawData { get; set; }

    public int FloatCount { get; set; }

    public int Int32Count { get; set; }

    public int Int64Count { get; set; }

    public int StringCount { get; set; }

    /// <summary>The count of values in the fields of other types (double, uint64).</summary>
    public int OtherCount { get; set; }

    /// <summary>Whether the values live in another file (<c>data_location</c> EXTERNAL or <c>external_data</c> entries).</summary>
    public bool External { get; set; }

    /// <summary>Whether the tensor is one segment of a larger one (<c>segment</c>), which ONNX no longer supports.</summary>
    public bool Segmented { get; set; }
}

/// <summary>A <c>ValueInfoProto</c>: a graph input's or output's name, element type and shape.</summary>
internal sealed class OnnxValueInfoProto
{
    public OnnxValueInfoProto(int offset) => Offset = offset;

    public int Offset { get; }

    public string Name { get; set; } = string.Empty;

    /// <summary>Whether the type is a tensor type (not a sequence, map, optional or sparse tensor); true when no type is given.</summary>
    public bool IsTensor { get; set; } = true;

    /// <summary>The tensor's element type, 0 if not given.</summary>
    public int ElementType { get; set; }

    /// <summary>The shape's dimensions (a fixed size, or -1 for a named or unknown one); null when the shape is not given.</summary>
    public List<long>? Dimensions { get; set; }
}
