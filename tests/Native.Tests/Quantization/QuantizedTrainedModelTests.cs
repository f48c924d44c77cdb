using Native.Numerics;
using Native.Numerics.Quantization;
using Native.Tests.Kernels;
using Native.Tests.Support;

namespace Native.Tests.Quantization;

/// <summary>
/// The public face of quantization: <see cref="TrainedModel.Quantize(ReadOnlySpan{float})"/> and <see cref="TrainedModel.Quantize()"/>
/// give a trained model that answers the prediction vocabulary with the engine's bits, keeps the metadata, allocates
/// nothing per prediction, and refuses what it cannot quantize.
/// </summary>
public class QuantizedTrainedModelTests
{
    /// <summary>A trained model of <paramref name="kind"/> (the engine tests' kinds), standardized, with random parameters, and 40 raw rows.</summary>
    internal static (TrainedModel Model, float[] Rows) Trained(string kind, int features = 9, int seed = 5)
    {
        ModelShape shape = QuantizedModelTests.Shape(kind, features);
        IModel model = shape.CreateModel();
        DenseKernelTests.Random(shape.ParameterCount, seed, scale: 0.5f).CopyTo(model.Parameters);
        float[] means = DenseKernelTests.Random(features, seed + 1, scale: 30f);
        float[] deviations = DenseKernelTests.Random(features, seed + 2, scale: 5f).Select(d => Math.Abs(d) + 0.5f).ToArray();
        float[] rows = DenseKernelTests.Random(40 * features, seed + 3, scale: 2f);
        for (int k = 0; k < rows.Length; k++)
        {
            rows[k] = means[k % features] + (rows[k] * deviations[k % features]);
        }

        string[] classes = shape.Classes == 0 ? [] : Enumerable.Range(0, shape.Classes).Select(c => "class " + c).ToArray();
        var metadata = new ModelMetadata { Standardizer = Standardizer.FromStatistics(means, deviations), ClassNames = classes, Properties = new Dictionary<string, string> { ["source"] = "test" } };
        return (new TrainedModel(model, metadata), rows);
    }

    [Theory]
    [InlineData("linear")]
    [InlineData("logistic")]
    [InlineData("softmax")]
    [InlineData("relu")]
    [InlineData("relu-tanh")]
    public void PredictionsAreTheEnginesBits(string kind)
    {
        (TrainedModel trained, float[] rows) = Trained(kind);
        foreach (bool calibrated in new[] { true, false })
        {
            TrainedModel quantized = calibrated ? trained.Quantize(rows) : trained.Quantize();
            QuantizedModel engine = QuantizedModel.Create(Quantizer.Quantize(trained.Shape, trained.Model.Parameters, trained.Standardizer, calibrated ? rows : [], calibrated ? ActivationScaling.Calibrated : ActivationScaling.PerRow));
            Assert.True(quantized.IsQuantized);
            Assert.False(trained.IsQuantized);
            Assert.Equal(trained.Shape, quantized.Shape);
            Assert.Same(trained.Standardizer, quantized.Standardizer);
            Assert.Equal("test", quantized.Properties["source"]);
            int n = rows.Length / trained.Features;
            if (trained.Task == ModelTask.Regression)
            {
                float[] values = new float[n], expected = new float[n];
                quantized.PredictValues(rows, values);
                engine.PredictValues(rows, expected);
                Assert.Equal(expected, values);
                Assert.Equal(expected[3], quantized.PredictValue(rows.AsSpan(3 * trained.Features, trained.Features)));
                Assert.True(quantized.TryPredictValue(rows.AsSpan(0, trained.Features), out float first));
                Assert.Equal(expected[0], first);
                Assert.Throws<NotSupportedException>(() => quantized.PredictClass(rows.AsSpan(0, trained.Features)));
            }
            else
            {
                int[] classes = new int[n], expected = new int[n];
                quantized.PredictClasses(rows, classes);
                engine.PredictClasses(rows, expected);
                Assert.Equal(expected, classes);
                float[] probabilities = new float[n * trained.Classes], expectedProbabilities = new float[n * trained.Classes];
                quantized.PredictProbabilities(rows, probabilities);
                engine.PredictProbabilities(rows, expectedProbabilities);
                Assert.Equal(expectedProbabilities, probabilities);
                Assert.Equal(expected[2], quantized.PredictClass(rows.AsSpan(2 * trained.Features, trained.Features)));
                Assert.Equal("class " + expected[2], quantized.PredictClassName(rows.AsSpan(2 * trained.Features, trained.Features)));
                Assert.True(quantized.TryPredictClass(rows.AsSpan(0, trained.Features), out int predicted));
                Assert.Equal(expected[0], predicted);
            }
        }
    }

    [Fact]
    public void ModelHoldsTheWeightsTheBytesStandFor()
    {
        (TrainedModel trained, float[] rows) = Trained("relu");
        TrainedModel quantized = trained.Quantize(rows);
        QuantizedParameters parameters = quantized.QuantizedParameters!;
        QuantizedLayer layer = parameters.Layers[0];
        float[] weights = quantized.Model.Parameters.Slice(trained.Shape.WeightOffset(0), layer.Inputs * layer.Outputs).ToArray();
        Assert.Equal(layer.Weights[layer.Inputs + 2] * layer.WeightScales[1], weights[layer.Inputs + 2]);

        // Each weight within half a step of the float one.
        float[] original = trained.Model.Parameters.Slice(trained.Shape.WeightOffset(0), layer.Inputs * layer.Outputs).ToArray();
        for (int k = 0; k < weights.Length; k++)
        {
            Assert.InRange(Math.Abs(weights[k] - original[k]), 0f, (layer.WeightScales[k / layer.Inputs] * 0.5f) + 1e-6f);
        }
    }

    [Fact]
    public void MostClassesAgreeWithTheFloatModel()
    {
        (TrainedModel trained, float[] rows) = Trained("softmax", features: 20);
        int n = rows.Length / trained.Features;
        int[] floats = new int[n], bytes = new int[n];
        trained.PredictClasses(rows, floats);
        trained.Quantize(rows).PredictClasses(rows, bytes);
        Assert.True(floats.Zip(bytes).Count(p => p.First == p.Second) >= n * 9 / 10, $"{floats.Zip(bytes).Count(p => p.First == p.Second)} of {n} agree");
    }

    /// <summary>
    /// Every regression quantizes to a regression: a perceptron regressor (ReLU hidden layer, linear output) and a linear
    /// regression of three targets give values near the float model's, through the regression calls, never a softmax.
    /// </summary>
    [Theory]
    [InlineData("perceptron regressor")]
    [InlineData("linear, three targets")]
    public void ARegressionQuantizesToValuesNearTheFloatModels(string kind)
    {
        const int Features = 12;
        ModelShape shape = kind == "perceptron regressor"
            ? ModelShape.MultilayerPerceptronRegressor([Features, 24, 1], [Activation.Relu])
            : ModelShape.LinearRegression(Features, outputs: 3);
        IModel model = shape.CreateModel();
        DenseKernelTests.Random(shape.ParameterCount, 11, scale: 0.5f).CopyTo(model.Parameters);
        var trained = new TrainedModel(model, new ModelMetadata());
        float[] rows = DenseKernelTests.Random(40 * Features, 12, scale: 2f);
        int n = rows.Length / Features, outputs = shape.Outputs;
        float[] expected = new float[n * outputs];
        trained.PredictValues(rows, expected);
        float spread = expected.Max() - expected.Min();
        foreach (TrainedModel quantized in new[] { trained.Quantize(rows), trained.Quantize() })
        {
            Assert.Equal(ModelTask.Regression, quantized.Task);
            float[] values = new float[n * outputs];
            quantized.PredictValues(rows, values);
            for (int k = 0; k < values.Length; k++)
            {
                Assert.True(Math.Abs(values[k] - expected[k]) <= 0.05f * spread, $"value {k}: {values[k]}, the float model's {expected[k]} (spread {spread})");
            }

            if (outputs == 1)
            {
                Assert.Equal(values[5], quantized.PredictValue(rows.AsSpan(5 * Features, Features)));
            }
        }

        // Saved and loaded, as safetensors and as QDQ ONNX: the same values, bit for bit.
        TrainedModel calibrated = trained.Quantize(rows);
        float[] saved = new float[n * outputs];
        calibrated.PredictValues(rows, saved);
        string directory = Directory.CreateTempSubdirectory().FullName;
        try
        {
            foreach (string name in new[] { "model.safetensors", "model.onnx" })
            {
                string path = Path.Combine(directory, name);
                ModelFile.Save(calibrated, path);
                TrainedModel loaded = ModelFile.Load(path);
                Assert.True(loaded.IsQuantized);
                Assert.Equal(shape, loaded.Shape);
                float[] read = new float[n * outputs];
                loaded.PredictValues(rows, read);
                Assert.Equal(saved, read);
            }
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public void PredictionAllocatesNothing()
    {
        (TrainedModel trained, float[] rows) = Trained("relu");
        TrainedModel quantized = trained.Quantize(rows);
        float[] row = rows[..trained.Features];
        int[] classes = new int[rows.Length / trained.Features];
        Assert.Equal(0, Allocations.Measure(() => quantized.PredictClass(row)));
        Assert.Equal(0, Allocations.Measure(() => quantized.PredictClasses(rows, classes)));
    }

    [Fact]
    public void RefusesWhatItCannotQuantize()
    {
        (TrainedModel trained, float[] rows) = Trained("softmax");
        TrainedModel quantized = trained.Quantize(rows);
        Assert.Contains("quantized already", Assert.Throws<NotSupportedException>(() => quantized.Quantize(rows)).Message);
        Assert.Contains("quantized already", Assert.Throws<NotSupportedException>(() => quantized.Quantize()).Message);
        Assert.Contains("No calibration rows", Assert.Throws<ArgumentException>(() => trained.Quantize(ReadOnlySpan<float>.Empty)).Message);
        Assert.Contains("not a whole number", Assert.Throws<ArgumentException>(() => trained.Quantize(rows.AsSpan(1))).Message);
        float[] bad = (float[])rows.Clone();
        bad[(3 * trained.Features) + 4] = float.NaN;
        string message = Assert.Throws<ArgumentException>(() => trained.Quantize(bad)).Message;
        Assert.Contains("row 3, feature 4", message);
        Assert.DoesNotContain('\n', message);
    }

    /// <summary>
    /// A standardizer whose mean is so far out (3e37 deviations of 1 from 0) that the first layer's calibrated input map
    /// (x·σ/s + z − μσ/s, with an input step s below 1) has no finite offset, so a row at the means has no level: saving
    /// would refuse the model and loading would too, so quantizing refuses it at once, in one line naming the feature.
    /// Per-row scales map to standardized values, x·σ − μσ, which stay finite: that model quantizes.
    /// </summary>
    [Fact]
    public void RefusesAModelWhoseMeansHaveNoLevel()
    {
        (TrainedModel trained, float[] rows) = Trained("softmax");
        float[] means = trained.Standardizer!.Means.ToArray();
        float[] deviations = trained.Standardizer.StandardDeviations.ToArray();
        means[2] = 3e37f;
        deviations[2] = 1f;
        for (int r = 0; r < rows.Length / trained.Features; r++)
        {
            rows[(r * trained.Features) + 2] = 3e37f;
        }

        var far = new TrainedModel(trained.Model, new ModelMetadata { Standardizer = Standardizer.FromStatistics(means, deviations), ClassNames = trained.ClassNames });
        string message = Assert.Throws<ArgumentException>(() => far.Quantize(rows)).Message;
        Assert.StartsWith("The model cannot be quantized: feature 2's mean", message);
        Assert.DoesNotContain('\n', message);
        Assert.True(far.Quantize().IsQuantized);
    }
}
