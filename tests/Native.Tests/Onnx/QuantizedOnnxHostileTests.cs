using System.Buffers.Binary;
using System.Text;
using Native.Numerics;
using Native.Tests.Fuzzing;
using Native.Tests.Quantization;
using Native.Tests.Support;

namespace Native.Tests.Onnx;

/// <summary>
/// QDQ files that are not a quantized model Native can run — a scale of 0, NaN or 1e38, a zero point out of range, int8
/// weights of the wrong length, a DequantizeLinear of a float value, dynamic or weight-only quantization, a float layer
/// beside int8 ones — each refused with one line naming the file, the byte offset, the node or tensor, what was expected
/// and what was found. Most are one change to the file Native exports for a 9-40-10 ReLU perceptron; the rest hand-built.
/// </summary>
public sealed class QuantizedOnnxHostileTests
{
    private static readonly byte[] Exported = Export();

    public static TheoryData<string, string> Damages => new()
    {
        { "input scale 0", "'layers.0.input_quantize''s scale is 0; an input scale is positive" },
        { "input scale NaN", "initializer 'layers.0.input_scale' (used by QuantizeLinear 'layers.0.input_quantize') holds NaN" },
        { "input scale 1e-40", "an input scale is positive, with a finite inverse" },
        { "input scale 1e38, the Clip as written", "Clip 'layers.1.input_clip' clips to [" },
        { "input scale 1e36, the Clip to match", "beyond the float range (±3.4E+38); this model would answer NaN to every input" },
        { "input zero point 128", "zero point is 128; Native's int8 layers take input levels 0 to 127" },
        { "input zero point INT8", "is INT8, so its levels are signed" },
        { "input zero point of two values", "has shape [2]; a layer's input has one zero point" },
        { "dequantized with another scale", "the input is dequantized as it was quantized" },
        { "the Clip bound moved", "Native's 7-bit input levels need [−z·s, (127 − z)·s]" },
        { "no Clip", "QuantizeLinear 'layers.0.input_quantize' has no Clip before it" },
        { "DequantizeLinear of the float input", "DequantizeLinear 'layers.0.input_dequantize' takes 'standardized', a float value from Div 'standardizer.scale'" },
        { "a node between QuantizeLinear and DequantizeLinear", "comes between QuantizeLinear 'layers.0.input_quantize' and the layer whose input it quantizes; expected DequantizeLinear next" },
        { "weight scale 0", "scale for output row 3 is 0; a scale of 0 stands for a row of zeros" },
        { "weight scale NaN", "initializer 'layers.0.weight_scale' (used by DequantizeLinear 'layers.0.weight_dequantize') holds NaN at element 3" },
        { "weight scale 1e38", "scale for output row 3 is 1E+38; weight" },
        { "weight scale -1", "scale for output row 3 is -1; a weight scale is 0 or more" },
        { "weight scales along axis 1", "Native's int8 layers have one scale per output row: 40 along axis 0" },
        { "weight zero point 1", "zero point 2 is 1; Native's int8 weights are symmetric" },
        { "weight -128", "holds -128 at element 7 (row 0, column 7)" },
        { "int8 weights of the wrong length", "of 1 byte, but its raw_data holds 399 bytes" },
        { "int8 weights of the wrong shape", "one scale per output row: 9 along axis 0" },
        { "weights stored as FLOAT", "has element type FLOAT; expected INT8" },
        { "weights stored as UINT8", "has element type UINT8; expected INT8" },
        { "a standardizer mean far beyond its deviation", "feature 2's mean 1E+30 (deviation " },
        { "dequantized weights as a bias", "Native reads a DequantizeLinear over initializers only as a quantized layer's weights" },
    };

    [Fact]
    public void TheExportLoadsAndAnUnchangedRewriteIsTheSameFile()
    {
        Assert.True(Load(Exported).IsQuantized);
        Assert.Equal(Exported, Change(Exported, _ => { }));
    }

    [Theory]
    [MemberData(nameof(Damages))]
    public void ADamagedExportIsRefusedInOneLine(string damage, string expected)
    {
        byte[] file = Damage(damage);
        foreach (bool seekable in new[] { true, false })
        {
            Stream stream = seekable ? new MemoryStream(file) : new ForwardOnlyStream(file);
            FileFormatException error = Assert.Throws<FileFormatException>(() => ModelFile.Load(stream, ModelFormat.Onnx, "q.onnx"));
            Assert.Contains(expected, error.Message, StringComparison.Ordinal);
            Assert.StartsWith("'q.onnx'", error.Message, StringComparison.Ordinal);
            Assert.DoesNotContain('\n', error.Message);
        }
    }

    [Fact]
    public void MatMulWeightsAndOneScaleForAllAreReadAsTheyStandFor()
    {
        // [inputs, outputs] INT8 weights (MatMul's B), scales along axis 1; then the same layer with one scale for all.
        byte[] weights = [1, 2, unchecked((byte)-3), 4, 127, unchecked((byte)-127)];
        TrainedModel perRow = Load(Softmax("MatMul", weights, [2], [0.5f, 0.25f], axis: 1));
        Numerics.Quantization.QuantizedLayer layer = perRow.QuantizedParameters!.Layers[0];
        Assert.Equal([1, -3, 127, 2, 4, -127], layer.Weights.ToArray().Select(w => (int)w));
        Assert.Equal([0.5f, 0.25f], layer.WeightScales.ToArray());
        Assert.Equal([0.125f, -0.25f], layer.Biases.ToArray());
        Assert.Equal(0.05f, layer.InputScale);
        Assert.Equal(10, layer.InputZeroPoint);
        Assert.Equal(0.5f * 127, perRow.Model.Parameters[2]);

        TrainedModel perTensor = Load(Softmax("MatMul", weights, [], [0.75f], axis: 1));
        Assert.Equal([0.75f, 0.75f], perTensor.QuantizedParameters!.Layers[0].WeightScales.ToArray());
    }

    [Fact]
    public void APerceptronWithOneSigmoidOutputBecomesTwoSoftmaxOutputsInIntegersToo()
    {
        // As a float graph reads: [1 − σ(z), σ(z)] is the softmax of [0, z], so the top layer gains a row of zeros (scale 0).
        byte[] file = Quantized(Quantized(new OnnxBuilder().Input("input", 3).Output("y", 1), "input", "x1", "1", 3, 2, "z1").Node("Relu", ["z1"], ["h1"]), "h1", "x2", "2", 2, 1, "z2")
            .Node("Sigmoid", ["z2"], ["y"]).Build();

        TrainedModel loaded = Load(file);

        Assert.Equal(ModelShape.MultilayerPerceptron([3, 2, 2], [Activation.Relu]), loaded.Shape);
        Numerics.Quantization.QuantizedLayer top = loaded.QuantizedParameters!.Layers[1];
        Assert.Equal([0, 0, 1, 2], top.Weights.ToArray().Select(w => (int)w));
        Assert.Equal([0f, 0.5f], top.WeightScales.ToArray());
        Assert.Equal([0f, 0f], top.Biases.ToArray());
        float[] probabilities = new float[2];
        loaded.PredictProbabilities([0.5f, -1f, 2f], probabilities);
        Assert.Equal(1f, probabilities[0] + probabilities[1], 5);
        Assert.True(probabilities[1] > 0.5f, "weights and inputs positive after the ReLU: σ(z) above one half");
    }

    [Fact]
    public void AByteTensorClaimingBillionsOfValuesIsRefusedBeforeAnythingIsAllocated()
    {
        // Found by the fuzzer: a zero point of shape [2147483647] over two bytes of raw_data once allocated first.
        byte[] file = Softmax("MatMul", [1, 2, 3, 4, 5, 6], [2], [0.5f, 0.25f], axis: 1);
        byte[] damaged = Change(file, graph => Field(Initializer(graph, "wz"), 1).Varint = int.MaxValue);
        long before = GC.GetAllocatedBytesForCurrentThread();
        FileFormatException error = Assert.Throws<FileFormatException>(() => Load(damaged));
        Assert.InRange(GC.GetAllocatedBytesForCurrentThread() - before, 0, 1024 * 1024);
        Assert.Contains("has shape [2147483647], 2147483647 INT8 values of 1 byte, but its raw_data holds 2 bytes.", error.Message, StringComparison.Ordinal);
    }

    public static TheoryData<string, string> HandBuilt => new()
    {
        { "dynamic quantization", "(dynamic scales), which this reader does not read" },
        { "weight-only quantization", "takes int8 weights (through DequantizeLinear 'dequantizelinear_wd') but a float input" },
        { "a float layer after an int8 one", "Gemm 'gemm_y' has float weights, but MatMul 'matmul_z1' int8 ones" },
        { "an int8 layer after a float one", "Gemm 'gemm_z1' has float weights, but MatMul 'matmul_y' int8 ones" },
        { "input quantization nothing takes", "DequantizeLinear 'dequantizelinear_y' quantizes a value no dense layer takes" },
        { "Gemm alpha over int8 weights", "has alpha 2 over int8 weights" },
        { "per-row scales before opset 13", "has a scale per output row, which DequantizeLinear takes from opset 13 on" },
        { "MatMulInteger", "is an integer operator, which this reader does not read" },
        { "BatchNormalization after int8 weights", "whose weights are int8: folded in, it would change the bytes" },
        { "Clip right after a layer", "follows MatMul 'matmul_z1' with no activation between them" },
        { "a layer too wide for 32-bit sums", "133,145 inputs; an int8 layer takes at most 133,144, beyond which its 32-bit sums could overflow" },
        { "an unknown attribute", "has the attribute 'precision', which this reader does not know for a QuantizeLinear" },
    };

    [Theory]
    [MemberData(nameof(HandBuilt))]
    public void AHandBuiltQdqGraphNativeCannotRunIsRefusedInOneLine(string graph, string expected)
    {
        byte[] weights = [1, 2, 3, 4, 5, 6];
        byte[] file = graph switch
        {
            "dynamic quantization" => new OnnxBuilder().Input("input", 3).Output("q", 3)
                .Node("DynamicQuantizeLinear", ["input"], ["q", "scale", "zero"]).Build(),
            "weight-only quantization" => new OnnxBuilder().Input("input", 3).Output("y", 2)
                .ByteInitializer("w", [3, 2], 3, weights).Initializer("ws", [2], [0.5f, 0.5f])
                .Node("DequantizeLinear", ["w", "ws"], ["wd"], ("axis", 1L)).Node("MatMul", ["input", "wd"], ["z"])
                .Node("Softmax", ["z"], ["y"], ("axis", -1L)).Build(),
            "a float layer after an int8 one" => Quantized(new OnnxBuilder().Input("input", 3).Output("y", 2), "input", "x1", "1", 3, 2, "z1")
                .Node("Relu", ["z1"], ["h1"]).Dense("h1", "y", 2, 2, "fc2").Build(),
            "an int8 layer after a float one" => Quantized(new OnnxBuilder().Input("input", 3).Output("y", 2).Dense("input", "z1", 3, 3, "fc1").Node("Relu", ["z1"], ["h1"]), "h1", "x2", "2", 3, 2, "y").Build(),
            "input quantization nothing takes" => Quantized(new OnnxBuilder().Input("input", 3).Output("y", 2), "input", "x1", "1", 3, 2, "z")
                .Node("Relu", ["z"], ["h"]).Initializer("low2", [], [-10 * 0.05f]).Initializer("high2", [], [(127 - 10) * 0.05f]).Initializer("s2", [], [0.05f]).ByteInitializer("z2", [], 2, [10])
                .Node("Clip", ["h", "low2", "high2"], ["c2"]).Node("QuantizeLinear", ["c2", "s2", "z2"], ["q2"]).Node("DequantizeLinear", ["q2", "s2", "z2"], ["y"]).Build(),
            "Gemm alpha over int8 weights" => new OnnxBuilder().Input("input", 3).Output("y", 2)
                .Initializer("low", [], [-10 * 0.05f]).Initializer("high", [], [(127 - 10) * 0.05f]).Initializer("s", [], [0.05f]).ByteInitializer("z", [], 2, [10])
                .Node("Clip", ["input", "low", "high"], ["c"]).Node("QuantizeLinear", ["c", "s", "z"], ["q"]).Node("DequantizeLinear", ["q", "s", "z"], ["x"])
                .ByteInitializer("w", [2, 3], 3, weights).Initializer("ws", [2], [0.5f, 0.5f]).Node("DequantizeLinear", ["w", "ws"], ["wd"], ("axis", 0L))
                .Node("Gemm", ["x", "wd"], ["y"], ("transB", 1L), ("alpha", 2f)).Build(),
            "per-row scales before opset 13" => Softmax("MatMul", weights, [2], [0.5f, 0.25f], axis: 1, opset: 12),
            "MatMulInteger" => new OnnxBuilder().Input("input", 3).Output("y", 2)
                .ByteInitializer("w", [3, 2], 3, weights).Node("MatMulInteger", ["input", "w"], ["y"]).Build(),
            "BatchNormalization after int8 weights" => Quantized(new OnnxBuilder().Input("input", 3).Output("y", 2), "input", "x1", "1", 3, 2, "z")
                .Initializer("bn.scale", [2], [1f, 1f]).Initializer("bn.b", [2], [0f, 0f]).Initializer("bn.mean", [2], [0f, 0f]).Initializer("bn.var", [2], [1f, 1f])
                .Node("BatchNormalization", ["z", "bn.scale", "bn.b", "bn.mean", "bn.var"], ["y"]).Build(),
            "a layer too wide for 32-bit sums" => new OnnxBuilder().Input("input", 133_145).Output("y", 1)
                .Initializer("low", [], [-10 * 0.05f]).Initializer("high", [], [(127 - 10) * 0.05f]).Initializer("s", [], [0.05f]).ByteInitializer("z", [], 2, [10])
                .Node("Clip", ["input", "low", "high"], ["c"]).Node("QuantizeLinear", ["c", "s", "z"], ["q"]).Node("DequantizeLinear", ["q", "s", "z"], ["x"])
                .ByteInitializer("w", [1, 133_145], 3, new byte[133_145]).Initializer("ws", [1], [0f]).Node("DequantizeLinear", ["w", "ws"], ["wd"], ("axis", 0L))
                .Node("Gemm", ["x", "wd"], ["y"], ("transB", 1L)).Build(),
            "Clip right after a layer" => Quantized(Quantized(new OnnxBuilder().Input("input", 3).Output("y", 2), "input", "x1", "1", 3, 3, "z1"), "z1", "x2", "2", 3, 2, "y").Build(),
            _ => new OnnxBuilder().Input("input", 3).Output("q", 3)
                .Initializer("low", [], [-10 * 0.05f]).Initializer("high", [], [(127 - 10) * 0.05f]).Initializer("s", [], [0.05f]).ByteInitializer("z", [], 2, [10])
                .Node("Clip", ["input", "low", "high"], ["c"]).Node("QuantizeLinear", ["c", "s", "z"], ["q"], ("precision", 1L)).Build(),
        };

        FileFormatException error = Assert.Throws<FileFormatException>(() => Load(file));
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.StartsWith("'q.onnx', byte ", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);
    }

    /// <summary>
    /// A one-layer int8 softmax regression of 3 features and 2 classes: the input quantized with scale 0.05 and zero point 10,
    /// <paramref name="weights"/> INT8 of shape [3, 2] for MatMul, scales of shape <paramref name="scaleShape"/>, a bias Add.
    /// </summary>
    private static byte[] Softmax(string op, byte[] weights, long[] scaleShape, float[] scales, long axis, long opset = 17) =>
        new OnnxBuilder { Opset = opset }.Input("input", 3).Output("y", 2)
            .Initializer("low", [], [-10 * 0.05f]).Initializer("high", [], [(127 - 10) * 0.05f]).Initializer("s", [], [0.05f]).ByteInitializer("z", [], 2, [10])
            .Node("Clip", ["input", "low", "high"], ["c"]).Node("QuantizeLinear", ["c", "s", "z"], ["q"]).Node("DequantizeLinear", ["q", "s", "z"], ["x"])
            .ByteInitializer("w", [3, 2], 3, weights).Initializer("ws", scaleShape, scales).ByteInitializer("wz", scaleShape, 3, new byte[scales.Length])
            .Node("DequantizeLinear", ["w", "ws", "wz"], ["wd"], ("axis", axis)).Node(op, ["x", "wd"], ["z0"])
            .Initializer("b", [2], [0.125f, -0.25f]).Node("Add", ["z0", "b"], ["logits"]).Node("Softmax", ["logits"], ["y"], ("axis", -1L)).Build();

    /// <summary>An int8 MatMul layer of <paramref name="inputs"/> → <paramref name="outputs"/> from <paramref name="x"/> to <paramref name="output"/>, its names suffixed with <paramref name="suffix"/>.</summary>
    private static OnnxBuilder Quantized(OnnxBuilder builder, string x, string dequantized, string suffix, int inputs, int outputs, string output) =>
        builder.Initializer("low" + suffix, [], [-10 * 0.05f]).Initializer("high" + suffix, [], [(127 - 10) * 0.05f]).Initializer("s" + suffix, [], [0.05f]).ByteInitializer("zp" + suffix, [], 2, [10])
            .Node("Clip", [x, "low" + suffix, "high" + suffix], ["c" + suffix]).Node("QuantizeLinear", ["c" + suffix, "s" + suffix, "zp" + suffix], ["q" + suffix])
            .Node("DequantizeLinear", ["q" + suffix, "s" + suffix, "zp" + suffix], [dequantized])
            .ByteInitializer("w" + suffix, [inputs, outputs], 3, [.. Enumerable.Range(0, inputs * outputs).Select(i => (byte)(i + 1))])
            .Initializer("ws" + suffix, [outputs], [.. Enumerable.Repeat(0.5f, outputs)])
            .Node("DequantizeLinear", ["w" + suffix, "ws" + suffix], ["wd" + suffix], ("axis", 1L)).Node("MatMul", [dequantized, "wd" + suffix], [output]);

    private static byte[] Damage(string damage)
    {
        byte[] file = Exported;
        return damage switch
        {
            "input scale 0" => SetFloat(file, "layers.0.input_scale", 0, 0f),
            "input scale NaN" => SetFloat(file, "layers.0.input_scale", 0, float.NaN),
            "input scale 1e-40" => SetFloat(file, "layers.0.input_scale", 0, 1e-40f),
            "input scale 1e38, the Clip as written" => SetFloat(file, "layers.1.input_scale", 0, 1e38f),
            "input scale 1e36, the Clip to match" => SetFloat(SetFloat(file, "layers.1.input_scale", 0, 1e36f), "layers.1.input_high", 0, (127 - ZeroPoint(file, 1)) * 1e36f),
            "input zero point 128" => Change(file, graph => Raw(Initializer(graph, "layers.0.input_zero_point"), [128])),
            "input zero point INT8" => Change(file, graph => Field(Initializer(graph, "layers.0.input_zero_point"), 2).Varint = 3),
            "input zero point of two values" => Change(file, graph =>
            {
                ProtobufTree tensor = Initializer(graph, "layers.0.input_zero_point");
                Raw(tensor, [1, 1]);
                tensor.Children!.Insert(0, Field(Initializer(graph, "layers.0.weight_scale"), 1).Clone());
                Field(tensor, 1).Varint = 2;
            }),
            "dequantized with another scale" => Change(file, graph => Inputs(Node(graph, "layers.0.input_dequantize"))[1].Bytes = Encoding.UTF8.GetBytes("layers.1.input_scale")),
            "the Clip bound moved" => SetFloat(file, "layers.0.input_high", 0, Float(file, "layers.0.input_high") * 1.001f),
            "no Clip" => Change(file, graph =>
            {
                Inputs(Node(graph, "layers.0.input_quantize"))[0].Bytes = Encoding.UTF8.GetBytes("standardized");
                graph.Remove(Node(graph, "layers.0.input_clip"));
            }),
            "DequantizeLinear of the float input" => Change(file, graph =>
            {
                Inputs(Node(graph, "layers.0.input_dequantize"))[0].Bytes = Encoding.UTF8.GetBytes("standardized");
                graph.Remove(Node(graph, "layers.0.input_clip"));
                graph.Remove(Node(graph, "layers.0.input_quantize"));
            }),
            "a node between QuantizeLinear and DequantizeLinear" => Change(file, graph =>
            {
                // A Relu on the bytes, then the DequantizeLinear of its output.
                ProtobufTree relu = Node(graph, "layers.0.relu").Clone();
                Inputs(relu)[0].Bytes = Encoding.UTF8.GetBytes("layers.0.input_quantized");
                Field(relu, 2).Bytes = Encoding.UTF8.GetBytes("layers.0.input_relu");
                Field(relu, 3).Bytes = Encoding.UTF8.GetBytes("layers.0.input_relu");
                graph.Insert(graph.IndexOf(Node(graph, "layers.0.input_dequantize")), relu);
                Inputs(Node(graph, "layers.0.input_dequantize"))[0].Bytes = Encoding.UTF8.GetBytes("layers.0.input_relu");
            }),
            "weight scale 0" => SetFloat(file, "layers.0.weight_scale", 3, 0f),
            "weight scale NaN" => SetFloat(file, "layers.0.weight_scale", 3, float.NaN),
            "weight scale 1e38" => SetFloat(file, "layers.0.weight_scale", 3, 1e38f),
            "weight scale -1" => SetFloat(file, "layers.0.weight_scale", 3, -1f),
            "weight scales along axis 1" => Change(file, graph => Field(Field(Node(graph, "layers.0.weight_dequantize"), 5), 3).Varint = 1),
            "weight zero point 1" => Change(file, graph =>
            {
                byte[] zeros = new byte[40];
                zeros[2] = 1;
                Raw(Initializer(graph, "layers.0.weight_zero_point"), zeros);
            }),
            "weight -128" => Change(file, graph =>
            {
                ProtobufTree tensor = Initializer(graph, "layers.1.weight");
                byte[] bytes = [.. Field(tensor, 9).Bytes];
                bytes[7] = 0x80;
                Raw(tensor, bytes);
            }),
            "int8 weights of the wrong length" => Change(file, graph =>
            {
                ProtobufTree tensor = Initializer(graph, "layers.1.weight");
                Raw(tensor, Field(tensor, 9).Bytes[..^1]);
            }),
            "int8 weights of the wrong shape" => Change(file, graph =>
            {
                // [40, 9] written as [9, 40]: the bytes fit, the 40 scales do not.
                List<ProtobufTree> dimensions = [.. Initializer(graph, "layers.0.weight").Children!.Where(f => f.Field == 1)];
                (dimensions[0].Varint, dimensions[1].Varint) = (dimensions[1].Varint, dimensions[0].Varint);
            }),
            "weights stored as FLOAT" => Change(file, graph =>
            {
                ProtobufTree tensor = Initializer(graph, "layers.0.weight");
                Field(tensor, 2).Varint = 1;
                Raw(tensor, new byte[4 * 360]);
            }),
            "a standardizer mean far beyond its deviation" => SetFloat(file, "standardizer.means", 2, 1e30f),
            "weights stored as UINT8" => Change(file, graph => Field(Initializer(graph, "layers.0.weight"), 2).Varint = 2),
            _ => Change(file, graph => Inputs(Node(graph, "layers.0.gemm"))[2].Bytes = Encoding.UTF8.GetBytes("layers.1.weight_dequantized")),
        };
    }

    private static byte[] Export()
    {
        (TrainedModel trained, float[] rows) = QuantizedTrainedModelTests.Trained("relu");
        return QuantizedOnnxTests.Bytes(trained.Quantize(rows), ModelFormat.Onnx);
    }

    /// <summary>
    /// The file with its graph changed by <paramref name="change"/>: the graph's initializers and nodes are parsed one level
    /// deep, everything else kept as its bytes, so only what the change touches differs (with the lengths around it).
    /// </summary>
    private static byte[] Change(byte[] file, Action<List<ProtobufTree>> change)
    {
        List<ProtobufTree> model = ProtobufTree.Parse(file)!;
        foreach (ProtobufTree field in model)
        {
            field.Children = field.Field == 7 ? field.Children : null;
        }

        List<ProtobufTree> graph = model.Single(f => f.Field == 7).Children!;
        foreach (ProtobufTree item in graph)
        {
            item.Children = item.Field is 1 or 5 ? item.Children : null;
            foreach (ProtobufTree inner in item.Children ?? [])
            {
                // A node's attributes (field 5) one level further, for their values.
                inner.Children = item.Field == 1 && inner.Field == 5 ? inner.Children : null;
                foreach (ProtobufTree value in inner.Children ?? [])
                {
                    value.Children = null;
                }
            }
        }

        change(graph);
        return ProtobufTree.Write(model);
    }

    private static ProtobufTree Initializer(List<ProtobufTree> graph, string name) =>
        graph.Single(f => f.Field == 5 && f.Children!.Any(c => c.Field == 8 && Encoding.UTF8.GetString(c.Bytes) == name));

    private static ProtobufTree Node(List<ProtobufTree> graph, string name) =>
        graph.Single(f => f.Field == 1 && f.Children!.Any(c => c.Field == 3 && Encoding.UTF8.GetString(c.Bytes) == name));

    private static ProtobufTree Field(ProtobufTree message, int field) => message.Children!.First(f => f.Field == field);

    private static List<ProtobufTree> Inputs(ProtobufTree node) => [.. node.Children!.Where(f => f.Field == 1)];

    private static void Raw(ProtobufTree tensor, byte[] bytes) => Field(tensor, 9).Bytes = bytes;

    private static float Float(byte[] file, string tensor)
    {
        float value = 0;
        Change(file, graph => value = BinaryPrimitives.ReadSingleLittleEndian(Field(Initializer(graph, tensor), 9).Bytes));
        return value;
    }

    private static int ZeroPoint(byte[] file, int layer)
    {
        int value = 0;
        Change(file, graph => value = Field(Initializer(graph, $"layers.{layer}.input_zero_point"), 9).Bytes[0]);
        return value;
    }

    private static byte[] SetFloat(byte[] file, string tensor, int element, float value) => Change(file, graph =>
    {
        ProtobufTree raw = Field(Initializer(graph, tensor), 9);
        byte[] bytes = [.. raw.Bytes];
        BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(4 * element), value);
        raw.Bytes = bytes;
    });

    private static TrainedModel Load(byte[] file) => ModelFile.Load(new MemoryStream(file), ModelFormat.Onnx, "q.onnx");
}
