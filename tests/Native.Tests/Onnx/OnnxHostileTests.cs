using Native.Numerics;
using Native.Tests.Support;

namespace Native.Tests.Onnx;

/// <summary>
/// Graphs and bytes that are not a model of the four kinds, each refused with one line that says what and
/// where: the byte offset, the node by name and op type, what was expected and what was found.
/// </summary>
public sealed class OnnxHostileTests
{
    private static readonly float[] Coefficients = [1f, 2f, -1f, -2f];
    private static readonly float[] Intercepts = [0f, 0f];
    private static readonly string[] Pets = ["cat", "dog"];

    [Fact]
    public void AWellFormedHandWrittenGraphLoads()
    {
        // The baseline the other tests break one thing of: 4 → 3 (Relu) → 2, Softmax.
        TrainedModel loaded = Load(Perceptron().Build());

        Assert.Equal(ModelShape.MultilayerPerceptron([4, 3, 2], [Activation.Relu]), loaded.Shape);
        Assert.Equal("v", loaded.Properties["k"]);
    }

    [Fact]
    public void EmptyAndForeignBytesAreRefusedAtTheirFirstByte()
    {
        Assert.Equal("'m.onnx', byte 0: the file is empty; an ONNX model is a protobuf ModelProto.", Refuse([]).Message);

        // A safetensors file: its 8-byte length field is no protobuf tag.
        using var safetensors = new MemoryStream();
        ModelFile.Save(new LinearRegression(2), safetensors, ModelFormat.Safetensors);
        FileFormatException error = Refuse(safetensors.ToArray());
        Assert.InRange(error.Offset ?? -1, 0, 8);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public void TruncationAnywhereIsRefused()
    {
        byte[] file = Perceptron().Build();
        for (int length = 1; length < file.Length; length++)
        {
            // Some prefixes end on a field boundary of the ModelProto and parse; all must be refused or load cleanly.
            try
            {
                ModelFile.Load(new MemoryStream(file[..length]), ModelFormat.Onnx, "m.onnx");
            }
            catch (FileFormatException e)
            {
                Assert.StartsWith("'m.onnx', byte ", e.Message, StringComparison.Ordinal);
            }
        }
    }

    [Fact]
    public void ALengthBeyondTheMessageIsRefusedBeforeAnythingIsAllocated()
    {
        // ModelProto field 7 (graph), length-delimited, claiming 2^40 bytes.
        byte[] file = [0x08, 0x08, 0x3A, 0x80, 0x80, 0x80, 0x80, 0x80, 0x20];
        long before = GC.GetAllocatedBytesForCurrentThread();
        FileFormatException error = Refuse(file);
        Assert.InRange(GC.GetAllocatedBytesForCurrentThread() - before, 0, 64 * 1024);
        Assert.Equal("'m.onnx', byte 3: a length-delimited field of 1099511627776 bytes, but the ModelProto has only 0 bytes left (it ends at byte 9).", error.Message);
    }

    [Fact]
    public void TooManyNodesAreRefusedByTheLimit()
    {
        var builder = new OnnxBuilder().Input("input", 4);
        for (int i = 0; i < 1001; i++)
        {
            builder.Node("Identity", [i == 0 ? "input" : $"v{i - 1}"], [$"v{i}"]);
        }

        Assert.Contains("more than 1000 nodes", Refuse(builder.Build()).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void WeightsThatDoNotFitTheirShapeOrAreNotFiniteAreRefused()
    {
        byte[] shortData = new OnnxBuilder().Input("input", 2).Output("y", 1)
            .Initializer("w", [1, 2], [1f]).Initializer("b", [1], [0f])
            .Node("Gemm", ["input", "w", "b"], ["y"], ("transB", 1L)).Build();
        Assert.Contains("initializer 'w' (used by Gemm 'gemm_y') has shape [1, 2], 2 floats, 8 bytes, but its raw_data holds 4 bytes.", Refuse(shortData).Message, StringComparison.Ordinal);

        byte[] nan = new OnnxBuilder().Input("input", 2).Output("y", 1)
            .Initializer("w", [1, 2], [1f, float.NaN]).Initializer("b", [1], [0f])
            .Node("Gemm", ["input", "w", "b"], ["y"], ("transB", 1L)).Build();
        Assert.Contains("holds NaN at element 1; weights must be finite.", Refuse(nan).Message, StringComparison.Ordinal);

        byte[] huge = new OnnxBuilder().Input("input", 2).Output("y", 1)
            .Initializer("w", [1L << 40, 1L << 40], []).Initializer("b", [1], [0f])
            .Node("Gemm", ["input", "w", "b"], ["y"], ("transB", 1L)).Build();
        Assert.Contains("more than 2^31 elements", Refuse(huge).Message, StringComparison.Ordinal);

        byte[] doubles = new OnnxBuilder().Input("input", 2).Output("y", 1)
            .Initializer("w", [1, 1], [1f, 2f], dataType: 11).Initializer("b", [1], [0f])
            .Node("Gemm", ["input", "w", "b"], ["y"], ("transB", 1L)).Build();
        Assert.Contains("has element type DOUBLE; expected FLOAT", Refuse(doubles).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void GraphsTheFourKindsCannotExpressAreRefusedByNode()
    {
        Assert.Contains("this reader knows opsets 7 to 23", Refuse(new OnnxBuilder { Opset = 6 }.Build()).Message, StringComparison.Ordinal);

        OnnxBuilder twoDense = new OnnxBuilder().Input("input", 4).Output("y", 2)
            .Dense("input", "h", 4, 3, "fc1").Dense("h", "y", 3, 2, "fc2");
        Assert.Contains("Gemm 'gemm_y' follows Gemm 'gemm_h' with no activation between them", Refuse(twoDense.Build()).Message, StringComparison.Ordinal);

        OnnxBuilder twoSlopes = new OnnxBuilder().Input("input", 4).Output("y", 2)
            .Dense("input", "z1", 4, 3, "fc1").Node("LeakyRelu", ["z1"], ["h1"], ("alpha", 0.1f))
            .Dense("h1", "z2", 3, 3, "fc2").Node("LeakyRelu", ["z2"], ["h2"], ("alpha", 0.2f))
            .Dense("h2", "y", 3, 2, "fc3");
        Assert.Contains("LeakyRelu 'leakyrelu_h2' has alpha 0.2, but an earlier LeakyRelu has 0.1", Refuse(twoSlopes.Build()).Message, StringComparison.Ordinal);

        OnnxBuilder axis0 = new OnnxBuilder().Input("input", 4).Output("y", 2)
            .Dense("input", "z", 4, 2, "fc").Node("Softmax", ["z"], ["y"], ("axis", 0L));
        Assert.Contains("Softmax 'softmax_y' has axis 0", Refuse(axis0.Build()).Message, StringComparison.Ordinal);

        OnnxBuilder reluOut = new OnnxBuilder().Input("input", 4).Output("y", 2)
            .Dense("input", "z", 4, 2, "fc").Node("Relu", ["z"], ["y"]);
        Assert.Contains("the last layer (Gemm 'gemm_z') ends in Relu 'relu_y'", Refuse(reluOut.Build()).Message, StringComparison.Ordinal);

        OnnxBuilder multiLabel = new OnnxBuilder().Input("input", 4).Output("y", 3)
            .Dense("input", "z", 4, 3, "fc").Node("Sigmoid", ["z"], ["y"]);
        Assert.Contains("(multi-label)", Refuse(multiLabel.Build()).Message, StringComparison.Ordinal);

        OnnxBuilder negativeScale = new OnnxBuilder().Input("input", 2).Output("y", 2)
            .Initializer("s", [2], [1f, -2f]).Node("Mul", ["input", "s"], ["x"])
            .Dense("x", "y", 2, 2, "fc");
        Assert.Contains("make feature 1 (x − -0) / -0.5; a standardizer's means must be finite and its deviations positive", Refuse(negativeScale.Build()).Message, StringComparison.Ordinal);

        OnnxBuilder reserved = Perceptron().Metadata("native.optimizer", "adam");
        Assert.Contains("the prefix 'native.' that the library reserves", Refuse(reserved.Build()).Message, StringComparison.Ordinal);

        OnnxBuilder toldWrong = Perceptron().Metadata("native.kind", "softmax_regression");
        Assert.Contains("metadata_props says native.kind is softmax_regression, but the graph is a multilayer_perceptron", Refuse(toldWrong.Build()).Message, StringComparison.Ordinal);

        OnnxBuilder toldNonsense = Perceptron().Metadata("native.kind", "forest");
        Assert.Contains("metadata_props has native.kind 'forest', which is not a model kind", Refuse(toldNonsense.Build()).Message, StringComparison.Ordinal);

        OnnxBuilder extraOutput = Perceptron().Output("h1", 3);
        Assert.Contains("the graph output 'h1' is an intermediate value", Refuse(extraOutput.Build()).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AnIdentityOutputIsARegressorsWhenTheGraphOrTheFileSaysSo()
    {
        // One value without a head: a regression (scikit-learn's MLPRegressor, say), no longer refused.
        static OnnxBuilder Regressor(int outputs) => new OnnxBuilder().Input("input", 4).Output("y", outputs)
            .Dense("input", "z1", 4, 3, "fc1").Node("Relu", ["z1"], ["h1"]).Dense("h1", "y", 3, outputs, "fc2");
        TrainedModel one = Load(Regressor(1).Build());
        Assert.Equal(ModelKind.MultilayerPerceptronRegressor, one.Shape.Kind);
        Assert.Equal([4, 3, 1], one.Shape.LayerSizes);

        // Two values without a head read as a classifier's logits, unless the file states the kind (as Native writes it).
        Assert.Equal(ModelKind.MultilayerPerceptron, Load(Regressor(2).Build()).Shape.Kind);
        TrainedModel two = Load(Regressor(2).Metadata("native.kind", "multilayer_perceptron_regressor").Build());
        Assert.Equal(ModelKind.MultilayerPerceptronRegressor, two.Shape.Kind);
        Assert.Equal(2, two.Model.Outputs);
        Assert.Empty(two.Properties);

        // Label names: one per output of a regression of several, or refused with the counts.
        TrainedModel named = Load(Regressor(2).Metadata("native.kind", "multilayer_perceptron_regressor").Metadata("native.label_names", "[\"a\",\"b\"]").Build());
        Assert.Equal(["a", "b"], named.LabelNames);
        Assert.Null(named.LabelName);
        Assert.Contains("it names 3 label columns (one per output of a multi-output regression), but the model takes 2",
            Refuse(Regressor(2).Metadata("native.kind", "multilayer_perceptron_regressor").Metadata("native.label_names", "[\"a\",\"b\",\"c\"]").Build()).Message, StringComparison.Ordinal);
        Assert.Contains("has both native.label_name and native.label_names",
            Refuse(Regressor(2).Metadata("native.kind", "multilayer_perceptron_regressor").Metadata("native.label_name", "a").Metadata("native.label_names", "[\"a\",\"b\"]").Build()).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void LabelBranchesGiveClassNamesOrAreRefused()
    {
        // skl2onnx's default: the probabilities zipped with the class labels into a sequence of maps.
        byte[] zipped = new OnnxBuilder().Input("input", 2).Output("label", 1).Output("zipped", 2)
            .Node("LinearClassifier", "ai.onnx.ml", ["input"], ["label", "probabilities"], ("coefficients", Coefficients),
                ("intercepts", Intercepts), ("classlabels_strings", Pets), ("post_transform", "SOFTMAX"))
            .Node("ZipMap", "ai.onnx.ml", ["probabilities"], ["zipped"], ("classlabels_strings", Pets)).Build();
        TrainedModel loaded = Load(zipped);
        Assert.Equal(ModelShape.SoftmaxRegression(2, 2), loaded.Shape);
        Assert.Equal(["cat", "dog"], loaded.ClassNames);

        OnnxBuilder hiddenArgMax = Perceptron().Output("hidden_label", 1).Node("ArgMax", ["h1"], ["hidden_label"], ("axis", 1L));
        Assert.Contains("ArgMax 'argmax_hidden_label' (axis 1) does not pick the class from the last layer's outputs", Refuse(hiddenArgMax.Build()).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ANamedFeatureDimensionIsSizedByTheFirstLayer()
    {
        byte[] file = new OnnxBuilder().InputWithNamedFeatures("input", "features").Output("y", 2)
            .Dense("input", "z", 5, 2, "fc").Node("Softmax", ["z"], ["y"], ("axis", -1L)).Build();

        Assert.Equal(ModelShape.SoftmaxRegression(5, 2), Load(file).Shape);
    }

    [Fact]
    public void OneTensorReusedDownALongChainCannotMultiplyTheMemory()
    {
        // 64 × 64 weights (16 KiB) tied across 60 layers would decode to nearly 1 MB: refused, naming where.
        var builder = new OnnxBuilder().Input("input", 64).Output("y", 2)
            .Initializer("w", [64, 64], new float[64 * 64]).Initializer("b", [64], new float[64]);
        string x = "input";
        for (int l = 0; l < 60; l++)
        {
            builder.Node("Gemm", [x, "w", "b"], [$"z{l}"], ("transB", 1L)).Node("Relu", [$"z{l}"], [$"h{l}"]);
            x = $"h{l}";
        }

        builder.Dense(x, "logits", 64, 2, "out").Node("Softmax", ["logits"], ["y"], ("axis", 1L));
        long before = GC.GetAllocatedBytesForCurrentThread();
        FileFormatException error = Refuse(builder.Build());
        Assert.Contains("(tied weights)", error.Message, StringComparison.Ordinal);
        Assert.InRange(GC.GetAllocatedBytesForCurrentThread() - before, 0, 1024 * 1024);
    }

    [Fact]
    public void StandardizersFoldFromMulAndAdd()
    {
        // x·0.5 + 1 is (x − (−2)) / 2.
        byte[] file = new OnnxBuilder().Input("input", 2).Output("y", 1)
            .Initializer("scale", [2], [0.5f, 0.5f]).Initializer("shift", [1], [1f])
            .Node("Mul", ["input", "scale"], ["scaled"]).Node("Add", ["shift", "scaled"], ["x"])
            .Dense("x", "y", 2, 1, "fc").Build();

        Standardizer standardizer = Load(file).Standardizer!;

        Assert.Equal([-2f, -2f], standardizer.Means.ToArray());
        Assert.Equal([2f, 2f], standardizer.StandardDeviations.ToArray());
    }

    [Fact]
    public void AForwardOnlyStreamCostsWhatItHolds()
    {
        byte[] file = Perceptron().Build();
        using var stream = new ForwardOnlyStream(file);
        long before = GC.GetAllocatedBytesForCurrentThread();
        ModelFile.Load(stream, ModelFormat.Onnx, "m.onnx");
        Assert.InRange(GC.GetAllocatedBytesForCurrentThread() - before, 0, 256 * 1024);
    }

    private static OnnxBuilder Perceptron() => new OnnxBuilder().Input("input", 4).Output("y", 2).Metadata("k", "v")
        .Dense("input", "z1", 4, 3, "fc1").Node("Relu", ["z1"], ["h1"])
        .Dense("h1", "z2", 3, 2, "fc2").Node("Softmax", ["z2"], ["y"], ("axis", 1L));

    private static TrainedModel Load(byte[] file) => ModelFile.Load(new MemoryStream(file), ModelFormat.Onnx, "m.onnx");

    private static FileFormatException Refuse(byte[] file) =>
        Assert.Throws<FileFormatException>(() => ModelFile.Load(new MemoryStream(file), ModelFormat.Onnx, "m.onnx"));
}
