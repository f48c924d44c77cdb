using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Native.Numerics;
using Native.Tests.Kernels;
using Native.Tests.Support;

namespace Native.Tests.Serialization;

public sealed class ModelFileTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("native-model-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    /// <summary>Every run-time model kind, and the perceptron with two hidden layers under each activation (and a mix).</summary>
    public static TheoryData<string> ModelNames => [.. Models.Keys];

    private static readonly Dictionary<string, Func<IModel>> Models = new()
    {
        ["linear"] = () => new LinearRegression(5),
        ["logistic"] = () => new LogisticRegression(7),
        ["softmax"] = () => new SoftmaxRegression(9, 4),
        ["perceptron relu"] = () => new MultilayerPerceptron([6, 8, 5, 3], Activation.Relu),
        ["perceptron leaky relu"] = () => new MultilayerPerceptron(ModelShape.MultilayerPerceptron([6, 8, 5, 3], [Activation.LeakyRelu], 0.2f)),
        ["perceptron sigmoid"] = () => new MultilayerPerceptron([6, 8, 5, 3], Activation.Sigmoid),
        ["perceptron tanh"] = () => new MultilayerPerceptron([6, 8, 5, 3], Activation.Tanh),
        ["perceptron mixed"] = () => new MultilayerPerceptron(ModelShape.MultilayerPerceptron([6, 8, 5, 3], [Activation.Tanh, Activation.LeakyRelu], 0.05f)),
        ["linear 3 outputs"] = () => new LinearRegression(5, 3),
        ["perceptron regressor"] = () => new MultilayerPerceptronRegressor([6, 8, 5, 1], Activation.Relu),
        ["perceptron regressor 2 outputs"] = () => new MultilayerPerceptronRegressor(ModelShape.MultilayerPerceptronRegressor([6, 8, 2], [Activation.Tanh], 0.01f)),
    };

    /// <summary>
    /// A model of the named kind with random parameters, including awkward values (subnormals, ±0, ±10³⁰: the
    /// float extremes themselves make a model that cannot give finite outputs, which files refuse).
    /// </summary>
    internal static IModel RandomModel(string name, int seed = 7)
    {
        IModel model = Models[name]();
        Span<float> parameters = model.Parameters;
        DenseKernelTests.Random(parameters.Length, seed, scale: 2f).CopyTo(parameters);
        parameters[0] = float.Epsilon;
        parameters[^1] = -0f;
        parameters[parameters.Length / 2] = 1e30f;
        parameters[(parameters.Length / 2) + 1] = -1e30f;
        return model;
    }

    [Theory]
    [MemberData(nameof(ModelNames))]
    public void EveryModelKindRoundTripsBitExactWithIdenticalPredictions(string name)
    {
        IModel model = RandomModel(name);
        string path = Path.Combine(_directory, "model.safetensors");

        ModelFile.Save(model, path);
        TrainedModel loaded = ModelFile.Load(path);

        Assert.Equal(model.Shape, loaded.Shape);
        Assert.Equal(model.GetType(), loaded.Model.GetType());
        AssertSameBits(model.Parameters, loaded.Model.Parameters);
        Assert.Empty(loaded.ClassNames);
        Assert.Null(loaded.Standardizer);
        Assert.Empty(loaded.Properties);

        // Moderate weights, so the predictions are finite and comparable.
        DenseKernelTests.Random(model.Parameters.Length, 11).CopyTo(model.Parameters);
        ModelFile.Save(model, path);
        loaded = ModelFile.Load(path);
        float[] rows = DenseKernelTests.Random(13 * model.Features, 12, scale: 3f);
        float[] expected = new float[13 * model.Outputs], actual = new float[13 * model.Outputs];
        model.ForwardBatch(rows, expected);
        loaded.Model.ForwardBatch(rows, actual);
        AssertSameBits(expected, actual);
    }

    [Theory]
    [MemberData(nameof(ModelNames))]
    public void StreamsRoundTripToo(string name)
    {
        IModel model = RandomModel(name, seed: 3);
        using var stream = new MemoryStream();
        stream.Write("prefix"u8);
        ModelFile.Save(model, stream, ModelFormat.Safetensors);
        stream.Position = 6;

        TrainedModel loaded = ModelFile.Load(stream, ModelFormat.Safetensors, "in memory");

        AssertSameBits(model.Parameters, loaded.Model.Parameters);
        using var forwardOnly = new ForwardOnlyStream(stream.ToArray()[6..]);
        AssertSameBits(model.Parameters, ModelFile.Load(forwardOnly, ModelFormat.Safetensors).Model.Parameters);
    }

    [Fact]
    public void ClassNamesStandardizerAndPropertiesSurvive()
    {
        IModel model = RandomModel("perceptron mixed");
        float[] data = DenseKernelTests.Random(40 * 6, 5, scale: 10f);
        Standardizer standardizer = Standardizer.Fit(data, 6);
        var metadata = new ModelMetadata
        {
            ClassNames = ["chat \"noir\", grand", "σκύλος", "🐦 bird"],
            Standardizer = standardizer,
            Properties = new Dictionary<string, string>
            {
                ["learning_rate"] = "0.05",
                ["optimizer"] = "adam",
                ["test accuracy"] = "0.9213",
                ["notes"] = "line one\nline two, with \"quotes\" and \\ backslash",
                [""] = "an empty key is a key",
            },
        };
        string path = Path.Combine(_directory, "with-metadata.safetensors");

        ModelFile.Save(model, path, metadata);
        TrainedModel loaded = ModelFile.Load(path);

        Assert.Equal(metadata.ClassNames, loaded.ClassNames);
        Assert.Equal(metadata.Properties.OrderBy(p => p.Key, StringComparer.Ordinal), loaded.Properties.OrderBy(p => p.Key, StringComparer.Ordinal));
        Assert.NotNull(loaded.Standardizer);
        AssertSameBits(standardizer.Means, loaded.Standardizer.Means);
        AssertSameBits(standardizer.StandardDeviations, loaded.Standardizer.StandardDeviations);
        Assert.False(string.IsNullOrEmpty(loaded.LibraryVersion));

        // The loaded metadata write the same file again.
        string again = Path.Combine(_directory, "again.safetensors");
        ModelFile.Save(loaded.Model, again, loaded.Metadata);
        Assert.Equal(File.ReadAllBytes(path), File.ReadAllBytes(again));
    }

    [Fact]
    public void StandardizerStatisticsRoundTripBitExactForAnyFloat()
    {
        const float SmallestNormal = 1.17549435e-38f;
        var random = new Random(17);
        float[] means = new float[500], deviations = new float[500];
        for (int i = 0; i < means.Length; i++)
        {
            means[i] = RandomFinite(random);
            // Any positive deviation whose reciprocal is finite (a standardizer multiplies by it).
            deviations[i] = Math.Abs(RandomFinite(random)) is float d && d > 0 && float.IsFinite(1f / d) ? d : SmallestNormal;
        }

        means[0] = -0f;
        means[1] = float.MaxValue;
        deviations[2] = SmallestNormal;
        var model = new LinearRegression(500);
        using var stream = new MemoryStream();
        ModelFile.Save(model, stream, ModelFormat.Safetensors, new ModelMetadata { Standardizer = Standardizer.FromStatistics(means, deviations) });
        stream.Position = 0;

        Standardizer loaded = ModelFile.Load(stream, ModelFormat.Safetensors).Standardizer!;

        AssertSameBits(means, loaded.Means);
        AssertSameBits(deviations, loaded.StandardDeviations);

        static float RandomFinite(Random random)
        {
            while (true)
            {
                float value = BitConverter.Int32BitsToSingle(random.Next() ^ (random.Next(2) << 31));
                if (float.IsFinite(value))
                {
                    return value;
                }
            }
        }
    }

    [Fact]
    public void AnIndependentMinimalReaderReadsTheSameNumbers()
    {
        IModel model = RandomModel("perceptron relu");
        string path = Path.Combine(_directory, "independent.safetensors");
        ModelFile.Save(model, path, new ModelMetadata { ClassNames = ["a", "b", "c"], Properties = new Dictionary<string, string> { ["epochs"] = "12" } });
        byte[] bytes = File.ReadAllBytes(path);

        // The safetensors layout, read by hand: 8-byte little-endian n, n bytes of JSON, then the data.
        ulong n = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        Assert.Equal(0UL, n % 8);
        Assert.Equal((byte)'{', bytes[8]);
        string headerText = Encoding.UTF8.GetString(bytes, 8, (int)n);
        Assert.EndsWith("}", headerText.TrimEnd(' '), StringComparison.Ordinal); // the JSON, then padding spaces only
        using JsonDocument header = JsonDocument.Parse(headerText);
        int dataStart = 8 + (int)n;

        JsonElement metadata = header.RootElement.GetProperty("__metadata__");
        Assert.Equal("1", metadata.GetProperty("native.format").GetString());
        Assert.Equal("multilayer_perceptron", metadata.GetProperty("native.kind").GetString());
        Assert.Equal("[6,8,5,3]", metadata.GetProperty("native.layer_sizes").GetString());
        Assert.Equal("[\"relu\",\"relu\"]", metadata.GetProperty("native.activations").GetString());
        Assert.Equal("[\"a\",\"b\",\"c\"]", metadata.GetProperty("native.class_names").GetString());
        Assert.Equal("12", metadata.GetProperty("epochs").GetString());
        Assert.All(metadata.EnumerateObject(), entry => Assert.Equal(JsonValueKind.String, entry.Value.ValueKind));

        ModelShape shape = model.Shape;
        long covered = 0;
        for (int l = 0; l < shape.LayerCount; l++)
        {
            int inputs = shape.LayerSizes[l], outputs = shape.LayerSizes[l + 1];
            foreach ((string name, int[] dimensions, int offset) in new[]
            {
                ($"layers.{l}.weight", new[] { outputs, inputs }, shape.WeightOffset(l)),
                ($"layers.{l}.bias", new[] { outputs }, shape.BiasOffset(l)),
            })
            {
                JsonElement tensor = header.RootElement.GetProperty(name);
                Assert.Equal("F32", tensor.GetProperty("dtype").GetString());
                Assert.Equal(dimensions, tensor.GetProperty("shape").EnumerateArray().Select(d => d.GetInt32()));
                long[] offsets = [.. tensor.GetProperty("data_offsets").EnumerateArray().Select(o => o.GetInt64())];
                int count = dimensions.Aggregate(1, (p, d) => p * d);
                Assert.Equal(4L * count, offsets[1] - offsets[0]);
                covered += offsets[1] - offsets[0];
                for (int i = 0; i < count; i++)
                {
                    float value = BinaryPrimitives.ReadSingleLittleEndian(bytes.AsSpan(dataStart + (int)offsets[0] + (4 * i)));
                    Assert.Equal(BitConverter.SingleToInt32Bits(model.Parameters[offset + i]), BitConverter.SingleToInt32Bits(value));
                }
            }
        }

        Assert.Equal(bytes.Length - dataStart, covered);
        Assert.Equal(2 * shape.LayerCount, header.RootElement.EnumerateObject().Count(p => p.Name != "__metadata__"));
    }

    [Fact]
    public void TheBytesOfATinyModelAreExactlyTheDocumentedLayout()
    {
        var model = new LinearRegression(2);
        model.Parameters[0] = 1f;
        model.Parameters[1] = -2f;
        model.Parameters[2] = 0.5f;
        using var stream = new MemoryStream();
        ModelFile.Save(model, stream, ModelFormat.Safetensors);
        byte[] bytes = stream.ToArray();

        string version = ModelFile.Load(new MemoryStream(bytes), ModelFormat.Safetensors).LibraryVersion!;
        string json = "{\"__metadata__\":{\"native.activations\":\"[]\",\"native.format\":\"1\",\"native.kind\":\"linear_regression\",\"native.layer_sizes\":\"[2,1]\",\"native.leaky_relu_slope\":\"0\","
            + $"\"native.library_version\":\"{version}\"}},"
            + "\"layers.0.weight\":{\"dtype\":\"F32\",\"shape\":[1,2],\"data_offsets\":[0,8]},"
            + "\"layers.0.bias\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,12]}}";
        int n = (json.Length + 7) / 8 * 8;
        byte[] expected = [.. BitConverter.GetBytes((ulong)n), .. Encoding.UTF8.GetBytes(json.PadRight(n)), 0, 0, 0x80, 0x3F, 0, 0, 0, 0xC0, 0, 0, 0, 0x3F];
        Assert.Equal(expected, bytes);
    }

    [Fact]
    public void SavingIsDeterministic()
    {
        IModel model = RandomModel("softmax");
        var metadata = new ModelMetadata { ClassNames = ["w", "x", "y", "z"], Properties = new Dictionary<string, string> { ["b"] = "2", ["a"] = "1" } };
        string first = Path.Combine(_directory, "first.safetensors"), second = Path.Combine(_directory, "second.safetensors");
        ModelFile.Save(model, first, metadata);
        ModelFile.Save(model, second, metadata);
        Assert.Equal(File.ReadAllBytes(first), File.ReadAllBytes(second));
    }

    [Fact]
    public void ATypedLoadFillsAModelWithAParameterlessConstructor()
    {
        var source = new TinyClassifier();
        DenseKernelTests.Random(source.Parameters.Length, 4).CopyTo(source.Parameters);
        string path = Path.Combine(_directory, "tiny.safetensors");
        ModelFile.Save(source, path, new ModelMetadata { ClassNames = ["no", "yes"] });

        TrainedModel<TinyClassifier> loaded = ModelFile.Load<TinyClassifier>(path);

        Assert.IsType<TinyClassifier>(loaded.Model);
        AssertSameBits(source.Parameters, loaded.Model.Parameters);
        Assert.Equal(["no", "yes"], loaded.ClassNames);

        // A run-time model of the same shape loads the same file, and the double loads the run-time model's file.
        var runtime = new SoftmaxRegression(3, 2);
        Assert.Same(runtime, ModelFile.LoadInto(runtime, path).Model);
        AssertSameBits(source.Parameters, runtime.Parameters);
        using var stream = new MemoryStream();
        ModelFile.Save(runtime, stream, ModelFormat.Safetensors);
        stream.Position = 0;
        AssertSameBits(runtime.Parameters, ModelFile.Load<TinyClassifier>(stream, ModelFormat.Safetensors).Model.Parameters);
    }

    [Theory]
    [InlineData("softmax")] // same kind, other sizes
    [InlineData("logistic")]
    [InlineData("perceptron relu")]
    public void ATypedLoadRefusesAnotherShapeAndLeavesTheModelUntouched(string name)
    {
        string path = Path.Combine(_directory, "other.safetensors");
        ModelFile.Save(RandomModel(name), path);
        var model = new TinyClassifier();
        model.Parameters.Fill(42f);

        FileFormatException error = Assert.Throws<FileFormatException>(() => ModelFile.LoadInto(model, path));

        Assert.Contains("but the model to load it into is a SoftmaxRegression 3-2", error.Message, StringComparison.Ordinal);
        Assert.Equal(path, error.Path);
        Assert.All(model.Parameters.ToArray(), p => Assert.Equal(42f, p));
        Assert.Throws<FileFormatException>(() => ModelFile.Load<TinyClassifier>(path));
    }

    [Fact]
    public void ThePerceptronSlopeIsPartOfTheShape()
    {
        string path = Path.Combine(_directory, "slope.safetensors");
        var leaky = new MultilayerPerceptron(ModelShape.MultilayerPerceptron([3, 4, 2], [Activation.LeakyRelu], 0.3f));
        ModelFile.Save(leaky, path);

        Assert.Equal(0.3f, ModelFile.Load(path).Shape.LeakyReluSlope);
        var otherSlope = new MultilayerPerceptron(ModelShape.MultilayerPerceptron([3, 4, 2], [Activation.LeakyRelu], 0.01f));
        Assert.Throws<FileFormatException>(() => ModelFile.LoadInto(otherSlope, path));
    }

    [Fact]
    public void AnInterruptedSaveLeavesThePreviousFileIntactAndNoTemporaryFile()
    {
        string path = Path.Combine(_directory, "keep.safetensors");
        ModelFile.Save(RandomModel("softmax", seed: 1), path, new ModelMetadata { Properties = new Dictionary<string, string> { ["version"] = "old" } });
        byte[] before = File.ReadAllBytes(path);
        string? temporary = null;
        IModel replacement = RandomModel("softmax", seed: 2);

        var failure = new IOException("simulated power cut between write and replace");
        IOException thrown = Assert.Throws<IOException>(() => ModelFile.Save(replacement, path, ModelFormat.Safetensors, null, beforeReplace: written =>
        {
            // The new file is complete, flushed and closed, beside the target; then the "power fails".
            temporary = written;
            Assert.Equal(Path.GetDirectoryName(path), Path.GetDirectoryName(written));
            AssertSameBits(replacement.Parameters, ModelFile.Load(written).Model.Parameters);
            throw failure;
        }));

        Assert.Same(failure, thrown.InnerException);
        Assert.StartsWith($"Cannot save the model to '{path}': simulated power cut", thrown.Message, StringComparison.Ordinal);
        Assert.Equal(before, File.ReadAllBytes(path));
        Assert.Equal("old", ModelFile.Load(path).Properties["version"]);
        Assert.NotNull(temporary);
        Assert.False(File.Exists(temporary));
        Assert.Equal([path], Directory.GetFiles(_directory));
    }

    [Fact]
    public void AFailedSaveOfABadModelTouchesNothing()
    {
        string path = Path.Combine(_directory, "keep.safetensors");
        ModelFile.Save(RandomModel("linear"), path);
        byte[] before = File.ReadAllBytes(path);
        IModel broken = RandomModel("linear");
        broken.Parameters[2] = float.NaN;

        ArgumentException error = Assert.Throws<ArgumentException>(() => ModelFile.Save(broken, path));

        Assert.Contains("Parameter 2 is NaN", error.Message, StringComparison.Ordinal);
        Assert.Equal(before, File.ReadAllBytes(path));
        Assert.Equal([path], Directory.GetFiles(_directory));
    }

    [Fact]
    public void ASuccessfulSaveReplacesTheFileAndLeavesNoTemporaryFile()
    {
        string path = Path.Combine(_directory, "replace.safetensors");
        ModelFile.Save(RandomModel("softmax", seed: 1), path);
        IModel second = RandomModel("softmax", seed: 2);

        ModelFile.Save(second, path);

        AssertSameBits(second.Parameters, ModelFile.Load(path).Model.Parameters);
        Assert.Equal([path], Directory.GetFiles(_directory));
    }

    [Fact]
    public void MetadataThatDoNotFitTheModelAreRefusedWhenSaving()
    {
        var model = new SoftmaxRegression(3, 2);
        using var stream = new MemoryStream();
        Assert.Contains("2 classes, but 3 class names", Assert.Throws<ArgumentException>(() => ModelFile.Save(model, stream, ModelFormat.Safetensors, new ModelMetadata { ClassNames = ["a", "b", "c"] })).Message, StringComparison.Ordinal);
        Assert.Contains("appears twice", Assert.Throws<ArgumentException>(() => ModelFile.Save(model, stream, ModelFormat.Safetensors, new ModelMetadata { ClassNames = ["a", "a"] })).Message, StringComparison.Ordinal);
        Assert.Contains("regression has no classes", Assert.Throws<ArgumentException>(() => ModelFile.Save(new LinearRegression(3), stream, ModelFormat.Safetensors, new ModelMetadata { ClassNames = ["a", "b"] })).Message, StringComparison.Ordinal);
        Assert.Contains("transforms 2 features, but the model takes 3", Assert.Throws<ArgumentException>(() => ModelFile.Save(model, stream, ModelFormat.Safetensors, new ModelMetadata { Standardizer = Standardizer.FromStatistics([0f, 0f], [1f, 1f]) })).Message, StringComparison.Ordinal);
        Assert.Contains("reserves", Assert.Throws<ArgumentException>(() => ModelFile.Save(model, stream, ModelFormat.Safetensors, new ModelMetadata { Properties = new Dictionary<string, string> { ["native.kind"] = "x" } })).Message, StringComparison.Ordinal);
        Assert.Contains("lone surrogate", Assert.Throws<ArgumentException>(() => ModelFile.Save(model, stream, ModelFormat.Safetensors, new ModelMetadata { ClassNames = ["a", "\ud800"] })).Message, StringComparison.Ordinal);
        Assert.Equal(0, stream.Length);
    }

    [Fact]
    public void AMissingFileIsFileNotFound()
    {
        Assert.Throws<FileNotFoundException>(() => ModelFile.Load(Path.Combine(_directory, "absent.safetensors")));
        Assert.Throws<FileNotFoundException>(() => ModelFile.Load<TinyClassifier>(Path.Combine(_directory, "absent.safetensors")));
    }

    [Fact]
    public void ShapesTooLargeForAnArrayAreRefusedWithoutOverflow()
    {
        Assert.Throws<ArgumentException>(() => ModelShape.MultilayerPerceptron([int.MaxValue, int.MaxValue, int.MaxValue, int.MaxValue, int.MaxValue], [Activation.Relu]));
        Assert.Throws<ArgumentException>(() => ModelShape.MultilayerPerceptron([65_536, 65_536, 2], [Activation.Relu]));
    }

    internal static void AssertSameBits(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            if (BitConverter.SingleToInt32Bits(expected[i]) != BitConverter.SingleToInt32Bits(actual[i]))
            {
                Assert.Fail(string.Create(CultureInfo.InvariantCulture, $"element {i}: expected {expected[i]:R}, got {actual[i]:R}"));
            }
        }
    }
}
