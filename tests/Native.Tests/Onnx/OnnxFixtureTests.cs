using Native.Numerics;
using Xunit.Abstractions;

namespace Native.Tests.Onnx;

/// <summary>
/// Models from the real exporters — PyTorch 1.13's torch.onnx.export at opsets 9 to 17, and fitted scikit-learn
/// models written by the fixture script — read by <see cref="ModelFile.Load(string)"/>: the shape and metadata the
/// exporter meant, predictions equal to the exporter's own within 1e-5 and to ONNX Runtime's within 1e-6; and
/// the graphs none of the kinds expresses, refused with a message that names the node and why.
/// </summary>
public sealed class OnnxFixtureTests(ITestOutputHelper output)
{
    public static TheoryData<string> Readable => [.. OnnxFixture.Names(refused: false)];

    public static TheoryData<string> Refused => [.. OnnxFixture.Names(refused: true)];

    [Fact]
    public void TheFixturesAreThere()
    {
        // Both exporters, every kind, and the refusals: a missing file would silently shrink the theories below.
        Assert.Equal(19, Readable.Count);
        Assert.Equal(6, Refused.Count);
    }

    [Theory]
    [MemberData(nameof(Readable))]
    public void ReadsTheModelTheExporterWrote(string name)
    {
        OnnxFixture fixture = OnnxFixture.Load(name);
        TrainedModel loaded = ModelFile.Load(fixture.Path);

        Assert.Equal(fixture.Kind, loaded.Shape.Kind);
        Assert.Equal(fixture.Layers, loaded.Shape.LayerSizes);
        Assert.Equal(fixture.Activations, loaded.Shape.HiddenActivations);
        Assert.Equal(fixture.Classes, loaded.ClassNames);
        Assert.Equal(fixture.Standardized, loaded.Standardizer is not null);
    }

    [Theory]
    [MemberData(nameof(Readable))]
    public void PredictsWhatTheExporterPredicts(string name)
    {
        OnnxFixture fixture = OnnxFixture.Load(name);
        TrainedModel loaded = ModelFile.Load(fixture.Path);

        double largest = 0;
        for (int i = 0; i < fixture.Inputs.Length; i++)
        {
            float[] ours = Predict(loaded, fixture.Inputs[i]);
            float[] theirs = fixture.AsNative(fixture.Expected[i]);
            AssertClose(theirs, ours, 1e-5, $"{name}, row {i}, against {fixture.Exporter}");
            largest = Math.Max(largest, theirs.Zip(ours, (a, b) => Math.Abs(a - (double)b)).Max());
        }

        output.WriteLine($"{name}: largest absolute difference from {fixture.Exporter}: {largest:E2}");
    }

    [Theory]
    [MemberData(nameof(Readable))]
    public void PredictsWhatOnnxRuntimePredicts(string name)
    {
        OnnxFixture fixture = OnnxFixture.Load(name);
        TrainedModel loaded = ModelFile.Load(fixture.Path);
        float[][] runtime = fixture.RunOnnxRuntime();

        double largest = 0;
        for (int i = 0; i < fixture.Inputs.Length; i++)
        {
            float[] ours = Predict(loaded, fixture.Inputs[i]), theirs = fixture.AsNative(runtime[i]);
            AssertClose(theirs, ours, 1e-6, $"{name}, row {i}, against ONNX Runtime");
            largest = Math.Max(largest, theirs.Zip(ours, (a, b) => Math.Abs(a - (double)b)).Max());
        }

        output.WriteLine($"{name}: largest absolute difference from ONNX Runtime: {largest:E2}");
    }

    [Theory]
    [MemberData(nameof(Refused))]
    public void RefusesWhatTheFourKindsCannotExpress(string name)
    {
        OnnxFixture fixture = OnnxFixture.Load(name);

        FileFormatException error = Assert.Throws<FileFormatException>(() => ModelFile.Load(fixture.Path));

        Assert.Contains(fixture.Error!, error.Message, StringComparison.Ordinal);
        Assert.StartsWith($"'{fixture.Path}', byte ", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public void RefusalsNameTheNodeAndItsOpType()
    {
        FileFormatException conv = Assert.Throws<FileFormatException>(() => ModelFile.Load(OnnxFixture.Load("torch_conv_refused").Path));
        Assert.Contains("Conv '/0/Conv'", conv.Message, StringComparison.Ordinal);

        FileFormatException skip = Assert.Throws<FileFormatException>(() => ModelFile.Load(OnnxFixture.Load("torch_skip_refused").Path));
        Assert.Contains("Add '/Add'", skip.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void KeepsTheMetadataAndTheProducer()
    {
        TrainedModel sklearn = ModelFile.Load(OnnxFixture.Load("sklearn_logistic_multinomial_iris").Path);
        Assert.Equal("scikit-learn", sklearn.Properties["source"]);
        Assert.Equal("sklearn_logistic_multinomial_iris", sklearn.Properties["fixture"]);
        Assert.Null(sklearn.LibraryVersion);
    }

    [Fact]
    public void StandardizersFoldExactlyFromSubAndDiv()
    {
        // The script wrote StandardScaler's mean_ and scale_ as float32 Sub and Div constants: they come back bit for bit.
        Standardizer standardizer = ModelFile.Load(OnnxFixture.Load("torch_reshape_standardized_opset10").Path).Standardizer!;
        for (int j = 0; j < 8; j++)
        {
            Assert.Equal((float)(-1.0 + (3.0 * j / 7)), standardizer.Means[j], 6);
            Assert.Equal((float)(0.5 + (2.5 * j / 7)), standardizer.StandardDeviations[j], 6);
        }
    }

    /// <summary>What Native's model gives for one row: the standardizer, then <see cref="IModel.Forward"/>.</summary>
    internal static float[] Predict(TrainedModel loaded, float[] row)
    {
        float[] x = [.. row];
        loaded.Standardizer?.Transform(x, x);
        float[] outputs = new float[loaded.Model.Outputs];
        loaded.Model.Forward(x, outputs);
        return outputs;
    }

    /// <summary>
    /// Each output within <paramref name="tolerance"/>, absolute for values up to 1 and relative beyond: a
    /// regression's value of 200 is stored to 1.5e-5 (one float32 step), so no absolute 1e-6 could hold there.
    /// </summary>
    internal static void AssertClose(float[] expected, float[] actual, double tolerance, string what)
    {
        Assert.True(expected.Length == actual.Length, $"{what}: {actual.Length} outputs, expected {expected.Length}.");
        for (int k = 0; k < expected.Length; k++)
        {
            double difference = Math.Abs(expected[k] - (double)actual[k]);
            Assert.True(difference <= tolerance * Math.Max(1, Math.Abs(expected[k])), $"{what}, output {k}: {actual[k]:R}, expected {expected[k]:R} (difference {difference:E2}, tolerance {tolerance:E0}).");
        }
    }
}
