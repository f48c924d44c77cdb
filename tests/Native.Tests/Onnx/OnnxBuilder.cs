using Native.Numerics.Serialization.Onnx;

namespace Native.Tests.Onnx;

/// <summary>
/// Writes small ONNX graphs by hand, for the tests that need a graph no exporter writes: a node with the wrong
/// attribute, two activations in a row, too many nodes. The library's own protobuf writer does the encoding.
/// </summary>
internal sealed class OnnxBuilder
{
    private readonly ProtobufWriter _graph = new();
    private readonly List<(string Key, string Value)> _metadata = [];

    public long Opset { get; set; } = 17;

    public long IrVersion { get; set; } = 8;

    /// <summary>A node; attributes are (name, value) with value a long, a float, a string or a float[].</summary>
    public OnnxBuilder Node(string op, string[] inputs, string[] outputs, params (string Name, object Value)[] attributes) =>
        Node(op, string.Empty, inputs, outputs, attributes);

    public OnnxBuilder Node(string op, string domain, string[] inputs, string[] outputs, params (string Name, object Value)[] attributes)
    {
        _graph.Message(1, node =>
        {
            foreach (string input in inputs)
            {
                node.String(1, input);
            }

            foreach (string output in outputs)
            {
                node.String(2, output);
            }

            node.String(3, op.ToLowerInvariant() + "_" + outputs.FirstOrDefault());
            node.String(4, op);
            if (domain.Length > 0)
            {
                node.String(7, domain);
            }

            foreach ((string name, object value) in attributes)
            {
                node.Message(5, attribute =>
                {
                    attribute.String(1, name);
                    switch (value)
                    {
                        case long i:
                            attribute.Int(3, i);
                            attribute.Int(20, 2);
                            break;
                        case float f:
                            attribute.Float(2, f);
                            attribute.Int(20, 1);
                            break;
                        case string s:
                            attribute.String(4, s);
                            attribute.Int(20, 3);
                            break;
                        case string[] strings:
                            foreach (string text in strings)
                            {
                                attribute.String(9, text);
                            }

                            attribute.Int(20, 8);
                            break;
                        case float[] floats:
                            foreach (float f in floats)
                            {
                                attribute.Float(7, f);
                            }

                            attribute.Int(20, 6);
                            break;
                    }
                });
            }
        });
        return this;
    }

    /// <summary>A FLOAT initializer in raw_data.</summary>
    public OnnxBuilder Initializer(string name, long[] dimensions, float[] values, int dataType = 1)
    {
        _graph.Message(5, tensor =>
        {
            foreach (long dimension in dimensions)
            {
                tensor.Int(1, dimension);
            }

            tensor.Int(2, dataType);
            tensor.String(8, name);
            tensor.RawFloats(9, values);
        });
        return this;
    }

    /// <summary>An INT8 (3) or UINT8 (2) initializer, a byte per value in raw_data, as Native's exporter writes them.</summary>
    public OnnxBuilder ByteInitializer(string name, long[] dimensions, int dataType, byte[] values)
    {
        _graph.Message(5, tensor =>
        {
            foreach (long dimension in dimensions)
            {
                tensor.Int(1, dimension);
            }

            tensor.Int(2, dataType);
            tensor.String(8, name);
            tensor.Bytes(9, values);
        });
        return this;
    }

    /// <summary>A BOOL scalar initializer, one byte in raw_data, as onnx's numpy_helper writes it.</summary>
    public OnnxBuilder BoolInitializer(string name, bool value)
    {
        _graph.Message(5, tensor =>
        {
            tensor.Int(2, 9);
            tensor.String(8, name);
            tensor.Bytes(9, [value ? (byte)1 : (byte)0]);
        });
        return this;
    }

    public OnnxBuilder Input(string name, long features, int elementType = 1) => Value(11, name, elementType, features);

    public OnnxBuilder Output(string name, long columns) => Value(12, name, 1, columns);

    /// <summary>An input whose feature dimension is named, not sized: [N, <paramref name="dimension"/>].</summary>
    public OnnxBuilder InputWithNamedFeatures(string name, string dimension)
    {
        _graph.Message(11, value =>
        {
            value.String(1, name);
            value.Message(2, type => type.Message(1, tensor =>
            {
                tensor.Int(1, 1);
                tensor.Message(2, shape =>
                {
                    shape.Message(1, batch => batch.String(2, "N"));
                    shape.Message(1, features => features.String(2, dimension));
                });
            }));
        });
        return this;
    }

    public OnnxBuilder Metadata(string key, string value)
    {
        _metadata.Add((key, value));
        return this;
    }

    /// <summary>The model file.</summary>
    public byte[] Build()
    {
        var model = new ProtobufWriter();
        model.Int(1, IrVersion);
        model.String(2, "OnnxBuilder");
        model.Message(7, _graph);
        model.Message(8, opset =>
        {
            opset.String(1, string.Empty);
            opset.Int(2, Opset);
        });
        model.Message(8, opset =>
        {
            opset.String(1, "ai.onnx.ml");
            opset.Int(2, 3);
        });
        foreach ((string key, string value) in _metadata)
        {
            model.Message(14, entry =>
            {
                entry.String(1, key);
                entry.String(2, value);
            });
        }

        return model.Written.ToArray();
    }

    /// <summary>A dense layer as PyTorch exports it: Gemm with transB = 1, weights [outputs, inputs] of 0.1·(i + 1).</summary>
    public OnnxBuilder Dense(string input, string output, int inputs, int outputs, string prefix)
    {
        Initializer(prefix + ".weight", [outputs, inputs], [.. Enumerable.Range(0, inputs * outputs).Select(i => 0.1f * ((i % 7) - 3))]);
        Initializer(prefix + ".bias", [outputs], [.. Enumerable.Range(0, outputs).Select(i => 0.01f * i)]);
        return Node("Gemm", [input, prefix + ".weight", prefix + ".bias"], [output], ("transB", 1L));
    }

    private OnnxBuilder Value(int field, string name, int elementType, long columns)
    {
        _graph.Message(field, OnnxExport.ValueInfo(name, elementType, (int)columns));
        return this;
    }
}
