using Native.Numerics;

namespace Native.Tests.Onnx;

/// <summary>
/// What ordinary exporters write and the reader once refused or misread: Identity nodes over shared initializers,
/// BatchNormalization after a layer, Dropout's BOOL training_mode; and what it once let through: ArgMax breaking
/// ties the other way, an empty class name, a standardizer dividing by 1e-45.
/// </summary>
public sealed class OnnxExporterHabitsTests
{
    private static readonly float[] Row = [0.5f, -1f, 2f, 0.25f];
    private static readonly float[] Coefficients = [1f, 2f, -1f, -2f];
    private static readonly float[] Intercepts = [0f, 0f];
    private static readonly string[] NamesWithAnEmptyOne = ["cat", ""];

    [Fact]
    public void AnIdentityChainOverAnInitializerIsThatInitializer()
    {
        // PyTorch 1.13 stores equal tensors once and renames each use through Identity; two hops here.
        byte[] renamed = new OnnxBuilder().Input("input", 4).Output("y", 2)
            .Initializer("w", [2, 4], [1f, 2f, 3f, 4f, -1f, 0.5f, 0f, 2f]).Initializer("shared_zero", [2], [0.25f, -0.5f])
            .Node("Identity", ["shared_zero"], ["fc.bias_alias"]).Node("Identity", ["fc.bias_alias"], ["fc.bias"])
            .Node("Gemm", ["input", "w", "fc.bias"], ["z"], ("transB", 1L)).Node("Softmax", ["z"], ["y"], ("axis", 1L)).Build();
        byte[] direct = new OnnxBuilder().Input("input", 4).Output("y", 2)
            .Initializer("w", [2, 4], [1f, 2f, 3f, 4f, -1f, 0.5f, 0f, 2f]).Initializer("fc.bias", [2], [0.25f, -0.5f])
            .Node("Gemm", ["input", "w", "fc.bias"], ["z"], ("transB", 1L)).Node("Softmax", ["z"], ["y"], ("axis", 1L)).Build();

        Assert.Equal(Load(direct).Model.Parameters.ToArray(), Load(renamed).Model.Parameters.ToArray());
    }

    [Fact]
    public void AnIdentityOverAComputedValueIsStillRefusedAsComputedWeights()
    {
        byte[] computed = new OnnxBuilder().Input("input", 4).Output("y", 2)
            .Initializer("w", [2, 4], new float[8]).Initializer("b", [2], [1f, 2f])
            .Node("Relu", ["b"], ["relu_b"]).Node("Identity", ["relu_b"], ["fc.bias"])
            .Node("Gemm", ["input", "w", "fc.bias"], ["z"], ("transB", 1L)).Node("Softmax", ["z"], ["y"], ("axis", 1L)).Build();

        Assert.Contains("computed by Identity 'identity_fc.bias'", Refuse(computed).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ABatchNormalizationAfterALayerFoldsIntoItsWeights()
    {
        // y = (Wx + b − mean) / √(var + ε) · scale + B, before the Relu: the fold gives the same outputs.
        float[] weights = [0.5f, -1f, 0.25f, 2f, 1f, 1f, -0.5f, 0f, -2f, 0.75f, 1.5f, -1f];
        float[] bias = [0.1f, -0.2f, 0.3f], scale = [1.5f, 0.5f, -2f], shift = [0.2f, 0f, -0.1f], mean = [0.3f, -1f, 2f], variance = [4f, 0.25f, 1f];
        const float epsilon = 1e-3f;
        byte[] file = new OnnxBuilder().Input("input", 4).Output("y", 2)
            .Initializer("w", [3, 4], weights).Initializer("b", [3], bias)
            .Initializer("scale", [3], scale).Initializer("shift", [3], shift).Initializer("mean", [3], mean).Initializer("var", [3], variance)
            .Node("Gemm", ["input", "w", "b"], ["z"], ("transB", 1L))
            .Node("BatchNormalization", ["z", "scale", "shift", "mean", "var"], ["n"], ("epsilon", epsilon))
            .Node("Relu", ["n"], ["h"]).Dense("h", "logits", 3, 2, "out").Node("Softmax", ["logits"], ["y"], ("axis", 1L)).Build();

        TrainedModel loaded = Load(file);

        Assert.Equal(ModelShape.MultilayerPerceptron([4, 3, 2], [Activation.Relu]), loaded.Shape);
        float[] hidden = new float[3];
        for (int o = 0; o < 3; o++)
        {
            double z = bias[o];
            for (int k = 0; k < 4; k++)
            {
                z += weights[(o * 4) + k] * (double)Row[k];
            }

            hidden[o] = (float)Math.Max(0, ((z - mean[o]) / Math.Sqrt(variance[o] + epsilon) * scale[o]) + shift[o]);
        }

        float[] expected = Reference.Softmax(Reference.Dense(hidden, 3, 2));
        OnnxFixtureTests.AssertClose(expected, OnnxFixtureTests.Predict(loaded, Row), 1e-6, "batch norm folded");
    }

    [Fact]
    public void ABatchNormalizationWhereItCannotFoldIsRefused()
    {
        OnnxBuilder afterRelu = new OnnxBuilder().Input("input", 4).Output("y", 2).Dense("input", "z", 4, 3, "fc").Node("Relu", ["z"], ["h"]);
        AddBatchNorm(afterRelu, "h", "n", 3).Dense("n", "logits", 3, 2, "out").Node("Softmax", ["logits"], ["y"], ("axis", 1L));
        Assert.Contains("BatchNormalization 'batchnormalization_n' comes after Relu 'relu_h'; Native reads a BatchNormalization right after a layer's product", Refuse(afterRelu.Build()).Message, StringComparison.Ordinal);

        OnnxBuilder training = new OnnxBuilder().Input("input", 4).Output("y", 3).Dense("input", "z", 4, 3, "fc");
        AddBatchNorm(training, "z", "n", 3, ("training_mode", 1L)).Node("Softmax", ["n"], ["y"], ("axis", 1L));
        Assert.Contains("runs in training mode (training_mode = 1)", Refuse(training.Build()).Message, StringComparison.Ordinal);

        OnnxBuilder zeroVariance = new OnnxBuilder().Input("input", 4).Output("y", 3).Dense("input", "z", 4, 3, "fc")
            .Initializer("s", [3], [1f, 1f, 1f]).Initializer("b", [3], new float[3]).Initializer("m", [3], new float[3]).Initializer("v", [3], [1f, 0f, 1f])
            .Node("BatchNormalization", ["z", "s", "b", "m", "v"], ["n"], ("epsilon", 0f)).Node("Softmax", ["n"], ["y"], ("axis", 1L));
        Assert.Contains("scales value 1 by 1 / √(0 + 0), which is not a finite number", Refuse(zeroVariance.Build()).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ABatchNormalizationAtTheInputIsAStandardizer()
    {
        OnnxBuilder builder = new OnnxBuilder().Input("input", 3).Output("y", 2)
            .Initializer("s", [3], [2f, 1f, 0.5f]).Initializer("b", [3], [0f, 1f, 0f]).Initializer("m", [3], [1f, 2f, 3f]).Initializer("v", [3], [4f, 1f, 0.25f])
            .Node("BatchNormalization", ["input", "s", "b", "m", "v"], ["x"], ("epsilon", 0f))
            .Dense("x", "logits", 3, 2, "fc").Node("Softmax", ["logits"], ["y"], ("axis", 1L));

        Standardizer standardizer = Load(builder.Build()).Standardizer!;

        // Feature 0: (x − 1) / 2 · 2 = x − 1; feature 1: (x − 2) + 1 = x − 1; feature 2: (x − 3) / 0.5 · 0.5 = x − 3.
        Assert.Equal([1f, 1f, 3f], standardizer.Means.ToArray());
        Assert.Equal([1f, 1f, 1f], standardizer.StandardDeviations.ToArray());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void DropoutsTrainingModeIsReadAsTheSpecGivesIt(bool training)
    {
        // training_mode is a BOOL scalar (opset 12 on); false is the identity at inference, true is random.
        byte[] file = new OnnxBuilder { Opset = 13 }.Input("input", 4).Output("y", 2)
            .Initializer("ratio", [], [0.5f]).BoolInitializer("training", training)
            .Dense("input", "z", 4, 2, "fc").Node("Dropout", ["z", "ratio", "training"], ["d"]).Node("Softmax", ["d"], ["y"], ("axis", 1L)).Build();

        if (training)
        {
            Assert.Contains("Dropout 'dropout_d' runs in training mode", Refuse(file).Message, StringComparison.Ordinal);
        }
        else
        {
            Assert.Equal(ModelShape.SoftmaxRegression(4, 2), Load(file).Shape);
        }
    }

    [Fact]
    public void AnArgMaxThatBreaksTiesTowardTheLastClassIsRefused()
    {
        OnnxBuilder last = Softmax().Output("label", 1).Node("ArgMax", ["y"], ["label"], ("axis", 1L), ("select_last_index", 1L));
        FileFormatException error = Refuse(last.Build());
        Assert.Contains("ArgMax 'argmax_label' has select_last_index = 1", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);

        OnnxBuilder first = Softmax().Output("label", 1).Node("ArgMax", ["y"], ["label"], ("axis", 1L), ("select_last_index", 0L));
        Assert.Equal(ModelShape.SoftmaxRegression(4, 2), Load(first.Build()).Shape);
    }

    [Fact]
    public void AnEmptyClassNameIsRefusedAtLoad()
    {
        byte[] file = new OnnxBuilder().Input("input", 2).Output("label", 1).Output("probabilities", 2)
            .Node("LinearClassifier", "ai.onnx.ml", ["input"], ["label", "probabilities"], ("coefficients", Coefficients),
                ("intercepts", Intercepts), ("classlabels_strings", NamesWithAnEmptyOne), ("post_transform", "SOFTMAX")).Build();

        FileFormatException error = Refuse(file);

        Assert.Contains("the graph names class 1 with an empty string", error.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => Dataset.FromLabels([0f, 1f], 1, [0, 1], classNames: ["cat", ""]));
    }

    [Fact]
    public void DividingByATinyNumberIsRefusedNamingTheNodeAndValue()
    {
        // Once "(Parameter 'standardDeviations')" from deep inside; now the file's own one-line error.
        byte[] file = new OnnxBuilder().Input("input", 2).Output("y", 2)
            .Initializer("mean", [2], [0f, 1f]).Initializer("deviation", [2], [1f, 1e-45f])
            .Node("Sub", ["input", "mean"], ["centered"]).Node("Div", ["centered", "deviation"], ["x"])
            .Dense("x", "y", 2, 2, "fc").Build();

        FileFormatException error = Refuse(file);

        Assert.StartsWith("'m.onnx', byte ", error.Message, StringComparison.Ordinal);
        Assert.Contains("Div 'div_x' makes feature 1 (x − 1) / 1E-45: an input 1 from its mean would standardize to 7.14E+44, beyond the float range", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("Parameter", error.Message, StringComparison.Ordinal);
    }

    private static OnnxBuilder Softmax() => new OnnxBuilder().Input("input", 4).Output("y", 2)
        .Dense("input", "z", 4, 2, "fc").Node("Softmax", ["z"], ["y"], ("axis", 1L));

    private static OnnxBuilder AddBatchNorm(OnnxBuilder builder, string input, string output, int width, params (string Name, object Value)[] attributes) =>
        builder.Initializer(output + ".scale", [width], [.. Enumerable.Repeat(1.5f, width)]).Initializer(output + ".shift", [width], new float[width])
            .Initializer(output + ".mean", [width], [.. Enumerable.Repeat(0.5f, width)]).Initializer(output + ".var", [width], [.. Enumerable.Repeat(2f, width)])
            .Node("BatchNormalization", [input, output + ".scale", output + ".shift", output + ".mean", output + ".var"], [output], attributes);

    private static TrainedModel Load(byte[] file) => ModelFile.Load(new MemoryStream(file), ModelFormat.Onnx, "m.onnx");

    private static FileFormatException Refuse(byte[] file) =>
        Assert.Throws<FileFormatException>(() => ModelFile.Load(new MemoryStream(file), ModelFormat.Onnx, "m.onnx"));

    /// <summary>The builder's Dense layer (weights 0.1·((i mod 7) − 3), biases 0.01·o) and a softmax, in double.</summary>
    private static class Reference
    {
        public static float[] Dense(float[] x, int inputs, int outputs)
        {
            float[] z = new float[outputs];
            for (int o = 0; o < outputs; o++)
            {
                double sum = 0.01 * o;
                for (int k = 0; k < inputs; k++)
                {
                    sum += 0.1f * ((((o * inputs) + k) % 7) - 3) * (double)x[k];
                }

                z[o] = (float)sum;
            }

            return z;
        }

        public static float[] Softmax(float[] z)
        {
            double max = z.Max(), total = z.Sum(v => Math.Exp(v - max));
            return [.. z.Select(v => (float)(Math.Exp(v - max) / total))];
        }
    }
}
