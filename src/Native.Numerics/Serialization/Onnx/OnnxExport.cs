using System.Globalization;

namespace Native.Numerics.Serialization.Onnx;

/// <summary>
/// Writes a model as an ONNX file (opset 17, IR version 8) that ONNX Runtime, PyTorch's and other ONNX tools
/// run, and that <see cref="OnnxGraphReader"/> reads back to the same model, weight for weight.
/// </summary>
/// <remarks>
/// <para>The graph, for a model of F features:</para>
/// <list type="bullet">
/// <item><description>Input <c>input</c>: FLOAT [N, F], N the dynamic batch axis; or, for a model with a feature pipeline,
/// the pipeline's inputs and operators, ending in the row of F features.</description></item>
/// <item><description>The standardizer, if any: <c>Sub</c> (<c>standardizer.means</c>) then <c>Div</c>
/// (<c>standardizer.deviations</c>) — exactly what <see cref="Standardizer.Transform(ReadOnlySpan{float}, Span{float})"/> computes.</description></item>
/// <item><description>Each dense layer l: <c>Gemm</c>(x, <c>layers.l.weight</c> [outputs, inputs], <c>layers.l.bias</c>,
/// transB = 1) — the weights as the model keeps them, so they round-trip bit for bit — then, for a hidden layer,
/// <c>Relu</c>, <c>LeakyRelu</c> (alpha = the slope), <c>Sigmoid</c> or <c>Tanh</c>.</description></item>
/// <item><description>The head and outputs. Linear regression and perceptron regressor: the last layer's values, <c>value</c>
/// FLOAT [N, outputs]. Logistic regression: <c>Sigmoid</c>
/// of the logit, <c>probability</c> FLOAT [N, 1] = P(class 1), as <see cref="IModel.Forward"/> gives it. Softmax
/// regression and perceptron: <c>Softmax</c> (axis −1) of the logits, <c>probabilities</c> FLOAT [N, classes].</description></item>
/// <item><description>Classifiers also output <c>label</c> [N]: the class <c>Predict</c> gives — <c>ArgMax</c> of the logits (ties to
/// the lower class), or the logit ≥ 0 for logistic regression — as INT64, or, when the model has class names, as
/// the names (STRING, looked up with <c>Gather</c> in the <c>class_names</c> initializer). Consumers that want only
/// probabilities ask for that output alone.</description></item>
/// <item><description><c>metadata_props</c>: the model's properties (training settings, metrics) and its feature and label
/// column names (<c>native.feature_names</c>, <c>native.label_name</c> or a multi-output regression's <c>native.label_names</c>,
/// as in safetensors), sorted by key; for a regression of several outputs also <c>native.kind</c>, since its graph alone — values
/// without a head — reads as a classifier's logits;
/// <c>producer_name</c> "Native" and the library's version; <c>doc_string</c> the model's shape.</description></item>
/// </list>
/// <para>A model with a feature pipeline takes one input per column instead of <c>input</c>, and the pipeline's operators
/// make the row of features (see <c>OnnxExport.Pipeline.cs</c>); only they use the ai.onnx.ml domain (<c>LabelEncoder</c>).
/// A model without a pipeline uses only operators of the default domain, so consumers without the ai.onnx.ml operators run it too.</para>
/// </remarks>
internal static partial class OnnxExport
{
    public const int Opset = 17;
    public const int IrVersion = 8;
    public const string Producer = "Native";
    public const string InputName = "input";

    /// <summary>The most parameters an ONNX file holds here: protobuf's 2 GB, less room for everything else.</summary>
    private const int MaxParameters = (int.MaxValue / sizeof(float)) - (16 * 1024 * 1024);

    private const int FloatType = 1;
    private const int Uint8Type = 2;
    private const int Int8Type = 3;
    private const int Int64Type = 7;
    private const int StringType = 8;

    /// <summary>
    /// The ONNX file of <paramref name="model"/> with <paramref name="metadata"/> (already checked against the model); with
    /// <paramref name="quantized"/> (calibrated), each layer in QDQ form instead of float weights: its input clipped to the
    /// calibrated range, <c>QuantizeLinear</c> / <c>DequantizeLinear</c> (UINT8, the layer's scale and zero point), the weights
    /// INT8 through <c>DequantizeLinear</c> with one scale per output row (axis 0), then <c>Gemm</c> — the form ONNX Runtime
    /// fuses into integer kernels.
    /// </summary>
    public static ProtobufWriter Write(IModel model, ModelMetadata metadata, string libraryVersion, Quantization.QuantizedParameters? quantized = null)
    {
        ModelShape shape = model.Shape;
        ReadOnlySpan<float> parameters = model.Parameters;
        if (parameters.Length > MaxParameters)
        {
            throw new ArgumentException($"The model has {parameters.Length:N0} parameters, {4L * parameters.Length:N0} bytes; an ONNX file is one protobuf message, at most 2 GB. Save it as safetensors.", nameof(model));
        }

        var graph = new ProtobufWriter();
        var initializers = new ProtobufWriter();
        var graphInputs = new ProtobufWriter();
        string x = InputName;
        if (metadata.Pipeline is { } pipeline)
        {
            x = WritePipeline(pipeline, graph, initializers, graphInputs);
        }
        else
        {
            graphInputs.Message(11, ValueInfo(InputName, FloatType, shape.Features));
        }

        if ((metadata.Standardizer ?? metadata.Pipeline?.Standardizer) is { } standardizer)
        {
            Tensor(initializers, "standardizer.means", [shape.Features], standardizer.Means);
            Tensor(initializers, "standardizer.deviations", [shape.Features], standardizer.StandardDeviations);
            Node(graph, "Sub", "standardizer.center", [x, "standardizer.means"], "standardizer.centered");
            Node(graph, "Div", "standardizer.scale", ["standardizer.centered", "standardizer.deviations"], "standardized");
            x = "standardized";
        }

        bool regression = shape.Task == ModelTask.Regression;
        string output = regression ? "value" : shape.Kind == ModelKind.LogisticRegression ? "probability" : "probabilities";
        for (int l = 0; l < shape.LayerCount; l++)
        {
            int inputs = shape.LayerSizes[l], outputs = shape.LayerSizes[l + 1];
            string weight = Invariant($"layers.{l}.weight"), bias = Invariant($"layers.{l}.bias");
            Tensor(initializers, bias, [outputs], parameters.Slice(shape.BiasOffset(l), outputs));
            string gemmWeight = weight;
            if (quantized is null)
            {
                Tensor(initializers, weight, [outputs, inputs], parameters.Slice(shape.WeightOffset(l), outputs * inputs));
            }
            else
            {
                (x, gemmWeight) = QuantizedLayer(graph, initializers, quantized.Layers[l], l, x);
            }

            bool last = l == shape.LayerCount - 1;
            string product = !last ? Invariant($"layers.{l}.output") : regression ? output : "logits";
            Node(graph, "Gemm", Invariant($"layers.{l}.gemm"), [x, gemmWeight, bias], product, node => node.Message(5, IntAttribute("transB", 1)));
            x = product;
            if (!last)
            {
                Activation activation = shape.HiddenActivations[l];
                string activated = Invariant($"layers.{l}.activation");
                Node(graph, OpType(activation), Invariant($"layers.{l}.{OpType(activation).ToLowerInvariant()}"), [x], activated, activation == Activation.LeakyRelu
                    ? node => node.Message(5, FloatAttribute("alpha", shape.LeakyReluSlope))
                    : null);
                x = activated;
            }
        }

        IReadOnlyList<string> names = metadata.ClassNames ?? [];
        string label = names.Count > 0 ? "label.index" : "label";
        switch (shape.Kind)
        {
            case ModelKind.LogisticRegression:
                // Class 1 where the logit is at least 0, as LogisticRegression.Predict decides.
                Tensor(initializers, "label.threshold", [], [0f]);
                IntTensor(initializers, "label.shape", [-1]);
                Node(graph, "Sigmoid", "head.sigmoid", [x], output);
                Node(graph, "GreaterOrEqual", "label.compare", [x, "label.threshold"], "label.positive");
                Node(graph, "Cast", "label.cast", ["label.positive"], "label.column", node => node.Message(5, IntAttribute("to", Int64Type)));
                Node(graph, "Reshape", "label.reshape", ["label.column", "label.shape"], label);
                break;
            case ModelKind.SoftmaxRegression or ModelKind.MultilayerPerceptron:
                // The most probable class from the logits, ties to the lower class, as Predict decides.
                Node(graph, "Softmax", "head.softmax", [x], output, node => node.Message(5, IntAttribute("axis", -1)));
                Node(graph, "ArgMax", "label.argmax", [x], label, node =>
                {
                    node.Message(5, IntAttribute("axis", 1));
                    node.Message(5, IntAttribute("keepdims", 0));
                });
                break;
        }

        if (names.Count > 0)
        {
            StringTensor(initializers, "class_names", names);
            Node(graph, "Gather", "label.name", ["class_names", label], "label", node => node.Message(5, IntAttribute("axis", 0)));
        }

        graph.String(2, "native");
        graph.Raw(initializers.Written);
        graph.Raw(graphInputs.Written);
        graph.Message(12, ValueInfo(output, FloatType, shape.Kind == ModelKind.LogisticRegression ? 1 : shape.Outputs));
        if (!regression)
        {
            graph.Message(12, ValueInfo("label", names.Count > 0 ? StringType : Int64Type, columns: 0));
        }

        var file = new ProtobufWriter();
        file.Int(1, IrVersion);
        file.String(2, Producer);
        file.String(3, libraryVersion);
        file.String(6, shape.ToString());
        file.Message(7, graph);
        file.Message(8, opset =>
        {
            opset.String(1, string.Empty);
            opset.Int(2, Opset);
        });
        if (metadata.Pipeline is not null)
        {
            file.Message(8, opset =>
            {
                opset.String(1, MlDomain);
                opset.Int(2, MlOpset);
            });
        }

        IEnumerable<KeyValuePair<string, string>> kind = regression && shape.Outputs > 1 ? [new(ModelFileKeys.KindKey, ModelFileFormat.KindName(shape.Kind))] : [];
        foreach (KeyValuePair<string, string> property in (metadata.Properties ?? new Dictionary<string, string>()).Concat(ModelFileFormat.ColumnEntries(metadata)).Concat(PipelineEntries(metadata.Pipeline)).Concat(kind).OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            file.Message(14, entry =>
            {
                entry.String(1, property.Key);
                entry.String(2, property.Value);
            });
        }

        return file;
    }

    /// <summary>
    /// One quantized layer's nodes before its Gemm: the input clipped to [−z·s, (127 − z)·s], quantized to UINT8 and back; the
    /// INT8 weights dequantized per output row. Returns the names of the dequantized input and weights.
    /// </summary>
    private static (string Input, string Weight) QuantizedLayer(ProtobufWriter graph, ProtobufWriter initializers, Quantization.QuantizedLayer layer, int l, string x)
    {
        string prefix = Invariant($"layers.{l}.");
        float scale = layer.InputScale;
        int zero = layer.InputZeroPoint;
        Tensor(initializers, prefix + "input_low", [], [-zero * scale]);
        Tensor(initializers, prefix + "input_high", [], [(Quantization.QuantizedRange.MaximumActivation - zero) * scale]);
        Tensor(initializers, prefix + "input_scale", [], [scale]);
        ByteTensor(initializers, prefix + "input_zero_point", [], Uint8Type, [(byte)zero]);
        Node(graph, "Clip", prefix + "input_clip", [x, prefix + "input_low", prefix + "input_high"], prefix + "input_clipped");
        Node(graph, "QuantizeLinear", prefix + "input_quantize", [prefix + "input_clipped", prefix + "input_scale", prefix + "input_zero_point"], prefix + "input_quantized");
        Node(graph, "DequantizeLinear", prefix + "input_dequantize", [prefix + "input_quantized", prefix + "input_scale", prefix + "input_zero_point"], prefix + "input_dequantized");

        byte[] weights = new byte[layer.Weights.Length];
        for (int k = 0; k < weights.Length; k++)
        {
            weights[k] = unchecked((byte)layer.Weights[k]);
        }

        ByteTensor(initializers, prefix + "weight", [layer.Outputs, layer.Inputs], Int8Type, weights);
        Tensor(initializers, prefix + "weight_scale", [layer.Outputs], layer.WeightScales);
        ByteTensor(initializers, prefix + "weight_zero_point", [layer.Outputs], Int8Type, new byte[layer.Outputs]);
        Node(graph, "DequantizeLinear", prefix + "weight_dequantize", [prefix + "weight", prefix + "weight_scale", prefix + "weight_zero_point"], prefix + "weight_dequantized", node => node.Message(5, IntAttribute("axis", 0)));
        return (prefix + "input_dequantized", prefix + "weight_dequantized");
    }

    private static void ByteTensor(ProtobufWriter initializers, string name, int[] dimensions, int type, ReadOnlySpan<byte> values)
    {
        var tensor = new ProtobufWriter();
        foreach (int dimension in dimensions)
        {
            tensor.Int(1, dimension);
        }

        tensor.Int(2, type);
        tensor.String(8, name);
        tensor.Bytes(9, values);
        initializers.Message(5, tensor);
    }

    /// <summary>A graph input or output: a tensor of <paramref name="type"/>, [N, <paramref name="columns"/>] or [N] when columns is 0.</summary>
    internal static ProtobufWriter ValueInfo(string name, int type, int columns)
    {
        var value = new ProtobufWriter();
        value.String(1, name);
        value.Message(2, typeProto => typeProto.Message(1, tensor =>
        {
            tensor.Int(1, type);
            tensor.Message(2, shape =>
            {
                shape.Message(1, batch => batch.String(2, "N"));
                if (columns > 0)
                {
                    shape.Message(1, dimension => dimension.Int(1, columns));
                }
            });
        }));
        return value;
    }

    private static string OpType(Activation activation) => activation switch
    {
        Activation.Relu => "Relu",
        Activation.LeakyRelu => "LeakyRelu",
        Activation.Sigmoid => "Sigmoid",
        _ => "Tanh",
    };

    private static void Node(ProtobufWriter graph, string op, string name, string[] inputs, string output, Action<ProtobufWriter>? attributes = null) =>
        graph.Message(1, node =>
        {
            foreach (string input in inputs)
            {
                node.String(1, input);
            }

            node.String(2, output);
            node.String(3, name);
            node.String(4, op);
            attributes?.Invoke(node);
        });

    private static ProtobufWriter IntAttribute(string name, long value)
    {
        var attribute = new ProtobufWriter();
        attribute.String(1, name);
        attribute.Int(3, value);
        attribute.Int(20, 2);
        return attribute;
    }

    private static ProtobufWriter FloatAttribute(string name, float value)
    {
        var attribute = new ProtobufWriter();
        attribute.String(1, name);
        attribute.Float(2, value);
        attribute.Int(20, 1);
        return attribute;
    }

    private static void Tensor(ProtobufWriter initializers, string name, int[] dimensions, ReadOnlySpan<float> values)
    {
        var tensor = new ProtobufWriter();
        foreach (int dimension in dimensions)
        {
            tensor.Int(1, dimension);
        }

        tensor.Int(2, FloatType);
        tensor.String(8, name);
        tensor.RawFloats(9, values);
        initializers.Message(5, tensor);
    }

    private static void IntTensor(ProtobufWriter initializers, string name, long[] values) =>
        initializers.Message(5, tensor =>
        {
            tensor.Int(1, values.Length);
            tensor.Int(2, Int64Type);
            foreach (long value in values)
            {
                tensor.Int(7, value);
            }

            tensor.String(8, name);
        });

    private static void StringTensor(ProtobufWriter initializers, string name, IReadOnlyList<string> values) =>
        initializers.Message(5, tensor =>
        {
            tensor.Int(1, values.Count);
            tensor.Int(2, StringType);
            foreach (string value in values)
            {
                tensor.String(6, value);
            }

            tensor.String(8, name);
        });

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
