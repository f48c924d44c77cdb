using FsCheck.Fluent;
using Native.Numerics;
using Native.Numerics.Kernels.Quantized;
using Native.Numerics.Quantization;
using Native.Tests.Kernels;
using Native.Tests.Support;

namespace Native.Tests.Quantization;

/// <summary>
/// The quantized engine on every path: the same logits, bit for bit, as the scalar path and as the naive reference, for
/// every model kind and hidden activation, calibrated or per row, with or without a standardizer, for one row or many,
/// rows at any offset.
/// </summary>
public class QuantizedModelTests
{
    /// <summary>A model for the tests: its kind (and hidden activations), quantized one way, from random parameters.</summary>
    internal sealed record Case(string Kind, int Features, int Rows, int Offset, ActivationScaling Scaling, bool Standardized, int Seed, LayerForm? Form = null)
    {
        public override string ToString() => $"{Kind} {Features} features, {Rows} rows at offset {Offset}, {Scaling}{(Standardized ? ", standardized" : "")}, {(Form is { } form ? form.ToString() : "either form")}, seed {Seed}";
    }

    internal static readonly string[] Kinds = ["linear", "targets", "logistic", "softmax", "relu", "leaky", "sigmoid", "tanh", "relu-tanh", "regressor"];

    internal static readonly FsCheck.Gen<Case> Cases =
        from kind in Gen.Elements(Kinds)
        from features in Gen.Elements(1, 3, 4, 7, 9, 16, 17, 33, 64, 100, 784)
        from rows in Gen.OneOf(Gen.Choose(1, 6), Gen.Elements(63, 64, 65, 70))
        from offset in Gen.Choose(0, 15)
        from scaling in Gen.Elements(ActivationScaling.Calibrated, ActivationScaling.PerRow)
        from standardized in Gen.Elements(false, true)
        from seed in Gen.Choose(0, int.MaxValue)
        from form in Gen.Elements<LayerForm?>(null, LayerForm.Broadcast, LayerForm.DotProduct)
        select new Case(kind, features, rows, offset, scaling, standardized, seed, form);

    /// <summary>The shape of a kind: hidden layers of 13 and 40 outputs (past 32, so every path has a last partial vector); "targets" a linear regression of three targets, "regressor" a perceptron regressor.</summary>
    internal static ModelShape Shape(string kind, int features) => kind switch
    {
        "linear" => ModelShape.LinearRegression(features),
        "targets" => ModelShape.LinearRegression(features, outputs: 3),
        "regressor" => ModelShape.MultilayerPerceptronRegressor([features, 40, 1], [Activation.Relu]),
        "logistic" => ModelShape.LogisticRegression(features),
        "softmax" => ModelShape.SoftmaxRegression(features, 10),
        "relu" => ModelShape.MultilayerPerceptron([features, 40, 10], [Activation.Relu]),
        "leaky" => ModelShape.MultilayerPerceptron([features, 40, 10], [Activation.LeakyRelu], 0.1f),
        "sigmoid" => ModelShape.MultilayerPerceptron([features, 40, 10], [Activation.Sigmoid]),
        "tanh" => ModelShape.MultilayerPerceptron([features, 40, 10], [Activation.Tanh]),
        _ => ModelShape.MultilayerPerceptron([features, 13, 40, 3], [Activation.Relu, Activation.Tanh]),
    };

    /// <summary>The case's quantized parameters: random float parameters and features (shifted and scaled per feature when standardized), calibrated on 50 random rows.</summary>
    internal static QuantizedParameters Parameters(Case c)
    {
        ModelShape shape = Shape(c.Kind, c.Features);
        float[] parameters = DenseKernelTests.Random(shape.ParameterCount, c.Seed, scale: 0.5f);
        Standardizer? standardizer = null;
        if (c.Standardized)
        {
            float[] means = DenseKernelTests.Random(c.Features, c.Seed + 1, scale: 30f);
            float[] deviations = DenseKernelTests.Random(c.Features, c.Seed + 2, scale: 5f).Select(d => Math.Abs(d) + 0.01f).ToArray();
            standardizer = Standardizer.FromStatistics(means, deviations);
        }

        return Quantizer.Quantize(shape, parameters, standardizer, Rows(c, 50, c.Seed + 3), c.Scaling);
    }

    /// <summary><paramref name="count"/> random rows in the case's units (shifted and scaled per feature when standardized).</summary>
    internal static float[] Rows(Case c, int count, int seed)
    {
        float[] rows = DenseKernelTests.Random(count * c.Features, seed, scale: 2f);
        if (c.Standardized)
        {
            float[] means = DenseKernelTests.Random(c.Features, c.Seed + 1, scale: 30f);
            for (int k = 0; k < rows.Length; k++)
            {
                rows[k] = (rows[k] * 5f) + means[k % c.Features];
            }
        }

        return rows;
    }

    [Theory]
    [MemberData(nameof(IntegerPaths.All), MemberType = typeof(IntegerPaths))]
    public void LogitsOfEveryPathAreTheReferencesBits(string path)
    {
        IntegerPath p = IntegerPaths.Parse(path);
        Properties.ForAll(Cases, c =>
        {
            QuantizedParameters parameters = Parameters(c);
            QuantizedModel model = QuantizedModel.Create(parameters, c.Form);
            model.Path = p;
            float[] buffer = new float[c.Offset + (c.Rows * c.Features)];
            Rows(c, c.Rows, c.Seed + 4).CopyTo(buffer, c.Offset);
            ReadOnlySpan<float> rows = buffer.AsSpan(c.Offset);
            int outputs = parameters.Shape.Outputs;
            float[] logits = new float[c.Rows * outputs];
            model.Logits(rows, logits);

            // The scalar path, bit for bit; the naive reference, bit for bit where its activations are computed alike.
            QuantizedModel scalar = QuantizedModel.Create(parameters);
            scalar.Path = IntegerPath.Scalar;
            float[] expected = new float[logits.Length];
            scalar.Logits(rows, expected);
            Assert.Equal(expected, logits);
            for (int i = 0; i < c.Rows; i++)
            {
                float[] reference = QuantizedReference.Logits(parameters, rows.Slice(i * c.Features, c.Features));
                float[] actual = logits.AsSpan(i * outputs, outputs).ToArray();
                if (QuantizedReference.IsExact(parameters.Shape))
                {
                    Assert.Equal(reference, actual);
                }
                else
                {
                    for (int o = 0; o < outputs; o++)
                    {
                        Assert.True(Math.Abs(reference[o] - actual[o]) <= 0.05f * (1 + Math.Abs(reference[o])), $"{c}: row {i} logit {o}: {actual[o]}, reference {reference[o]}");
                    }
                }
            }
        }, tests: 60);
    }

    [Theory]
    [MemberData(nameof(IntegerPaths.All), MemberType = typeof(IntegerPaths))]
    public void OneRowAndManyGiveTheSameAnswers(string path)
    {
        // One row goes through its own kernel (sums of one row, scratch on the stack); many rows through the four-row
        // kernel a chunk at a time: the same sums, so the same probabilities, values and classes, bit for bit.
        IntegerPath p = IntegerPaths.Parse(path);
        Properties.ForAll(Cases, c =>
        {
            QuantizedModel model = QuantizedModel.Create(Parameters(c), c.Form);
            model.Path = p;
            float[] rows = Rows(c, c.Rows, c.Seed + 4);
            ModelShape shape = model.Shape;
            if (shape.Task == ModelTask.Regression && shape.Outputs > 1)
            {
                // Several targets: each row's values, in a batch and one row at a time (the calls of one value refuse).
                float[] all = new float[c.Rows * shape.Outputs], one = new float[shape.Outputs];
                model.PredictValues(rows, all);
                for (int i = 0; i < c.Rows; i++)
                {
                    model.PredictValues(rows.AsSpan(i * c.Features, c.Features), one);
                    Assert.Equal(all.AsSpan(i * shape.Outputs, shape.Outputs).ToArray(), one);
                }

                Assert.Throws<NotSupportedException>(() => model.PredictValue(rows.AsSpan(0, c.Features)));
                return;
            }

            if (shape.Task == ModelTask.Regression)
            {
                float[] values = new float[c.Rows];
                model.PredictValues(rows, values);
                for (int i = 0; i < c.Rows; i++)
                {
                    Assert.Equal(values[i], model.PredictValue(rows.AsSpan(i * c.Features, c.Features)));
                    Assert.True(model.TryPredictValue(rows.AsSpan(i * c.Features, c.Features), out float value));
                    Assert.Equal(values[i], value);
                }

                return;
            }

            int width = shape.Task == ModelTask.BinaryClassification ? 2 : shape.Outputs;
            float[] probabilities = new float[c.Rows * width];
            int[] classes = new int[c.Rows];
            model.PredictProbabilities(rows, probabilities);
            model.PredictClasses(rows, classes);
            for (int i = 0; i < c.Rows; i++)
            {
                ReadOnlySpan<float> row = rows.AsSpan(i * c.Features, c.Features);
                float[] one = new float[width];
                model.PredictProbabilities(row, one);
                Assert.Equal(probabilities.AsSpan(i * width, width).ToArray(), one);
                Assert.Equal(classes[i], model.PredictClass(row));
                Assert.True(model.TryPredictClass(row, out int predicted));
                Assert.Equal(classes[i], predicted);
                Assert.InRange(one.Sum(), 0.999f, 1.001f);
            }
        }, tests: 40);
    }

    [Fact]
    public void TheWidestLayerAllowedKeepsExactSums()
    {
        // Every byte at its extreme: each sum is inputs · 127 · ±127, far from 2^31 for MNIST's 784 inputs and exact on every path.
        const int inputs = 784, outputs = 3;
        var layer = new QuantizedLayer(inputs, outputs, Enumerable.Range(0, inputs * outputs).Select(k => (sbyte)(k < inputs ? 127 : k < 2 * inputs ? -127 : 1)).ToArray(), [1f, 1f, 1f], [0f, 0f, 0f], 1f, 0);
        var parameters = new QuantizedParameters(ModelShape.SoftmaxRegression(inputs, outputs), null, ActivationScaling.Calibrated, [layer]);
        float[] row = Enumerable.Repeat(1000f, inputs).ToArray(); // clipped to 127
        foreach ((IntegerPath path, LayerForm form) in Enum.GetValues<IntegerPath>().SelectMany(p => new[] { (p, LayerForm.Broadcast), (p, LayerForm.DotProduct) }))
        {
            QuantizedModel model = QuantizedModel.Create(parameters, form);
            model.Path = path;
            float[] logits = new float[outputs];
            model.Logits(row, logits);
            Assert.Equal([784f * 127 * 127, -784f * 127 * 127, 784f * 127], logits);
        }
    }
}
