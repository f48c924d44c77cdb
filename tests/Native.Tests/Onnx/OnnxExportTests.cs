using FsCheck;
using FsCheck.Fluent;
using Native.Numerics;
using Native.Tests.Kernels;
using Native.Tests.Serialization;
using Native.Tests.Support;


namespace Native.Tests.Onnx;

/// <summary>
/// Models saved as ONNX: read back bit for bit (and safetensors → ONNX → safetensors gives the same file), and
/// run by ONNX Runtime to the same probabilities, values and labels Native predicts.
/// </summary>
public sealed class OnnxExportTests : IDisposable
{
    private static readonly string[] Species = ["setosa", "versicolor", "virginica", "tête-à-tête 🐦"];

    private readonly string _directory = Directory.CreateTempSubdirectory("native-onnx-").FullName;

    public static TheoryData<string> ModelNames => ModelFileTests.ModelNames;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Theory]
    [MemberData(nameof(ModelNames))]
    public void EveryKindRoundTripsBitExact(string name)
    {
        // Awkward weights included: subnormals, ±0, the float extremes.
        IModel model = ModelFileTests.RandomModel(name);
        ModelMetadata metadata = Metadata(model, seed: 1);
        string path = Path.Combine(_directory, "model.onnx");

        ModelFile.Save(model, path, metadata);
        TrainedModel loaded = ModelFile.Load(path);

        Assert.Equal(model.Shape, loaded.Shape);
        Assert.Equal(model.GetType(), loaded.Model.GetType());
        ModelFileTests.AssertSameBits(model.Parameters, loaded.Model.Parameters);
        Assert.Equal(metadata.ClassNames, loaded.ClassNames);
        Assert.Equal(metadata.LabelNames, loaded.LabelNames);
        ModelFileTests.AssertSameBits(metadata.Standardizer!.Means, loaded.Standardizer!.Means);
        ModelFileTests.AssertSameBits(metadata.Standardizer.StandardDeviations, loaded.Standardizer.StandardDeviations);
        Assert.Equal(metadata.Properties.OrderBy(p => p.Key, StringComparer.Ordinal), loaded.Properties.OrderBy(p => p.Key, StringComparer.Ordinal));
        Assert.False(string.IsNullOrEmpty(loaded.LibraryVersion));
    }

    [Theory]
    [MemberData(nameof(ModelNames))]
    public void SafetensorsToOnnxToSafetensorsGivesTheSameFile(string name)
    {
        IModel model = ModelFileTests.RandomModel(name, seed: 5);
        string first = Path.Combine(_directory, "first.safetensors"), onnx = Path.Combine(_directory, "middle.onnx"), last = Path.Combine(_directory, "last.safetensors");
        ModelFile.Save(model, first, Metadata(model, seed: 2));

        TrainedModel fromSafetensors = ModelFile.Load(first);
        ModelFile.Save(fromSafetensors.Model, onnx, fromSafetensors.Metadata);
        TrainedModel fromOnnx = ModelFile.Load(onnx);
        ModelFile.Save(fromOnnx.Model, last, fromOnnx.Metadata);

        Assert.Equal(File.ReadAllBytes(first), File.ReadAllBytes(last));
    }

    [Theory]
    [MemberData(nameof(ModelNames))]
    public void OnnxRuntimeRunsEveryKindToNativesPredictions(string name)
    {
        IModel model = ModelFileTests.RandomModel(name);
        DenseKernelTests.Random(model.Parameters.Length, 11).CopyTo(model.Parameters);
        ModelMetadata metadata = Metadata(model, seed: 3);
        using var file = new MemoryStream();
        ModelFile.Save(model, file, ModelFormat.Onnx, metadata);
        float[][] rows = [.. Enumerable.Range(0, 17).Select(i => DenseKernelTests.Random(model.Features, 100 + i, scale: 3f))];
        string output = model.Shape.Task == ModelTask.Regression ? "value" : model.Shape.Kind == ModelKind.LogisticRegression ? "probability" : "probabilities";

        float[][] runtime = OnnxRuntime.Run(file.ToArray(), rows, [model.Features], output);

        TrainedModel native = ModelFile.Load(new MemoryStream(file.ToArray()), ModelFormat.Onnx);
        for (int i = 0; i < rows.Length; i++)
        {
            OnnxFixtureTests.AssertClose(OnnxFixtureTests.Predict(native, rows[i]), runtime[i], 1e-6, $"{name}, row {i}");
        }

        if (model is IClassifier)
        {
            string[] labels = OnnxRuntime.Labels(file.ToArray(), rows);
            for (int i = 0; i < rows.Length; i++)
            {
                float[] x = [.. rows[i]];
                metadata.Standardizer!.Transform(x, x);
                Assert.Equal(metadata.ClassNames[((IClassifier)model).PredictClass(x)], labels[i]);
            }
        }
    }

    [Fact]
    public void LabelsAreIndicesWithoutClassNames()
    {
        var model = new SoftmaxRegression(3, 4);
        DenseKernelTests.Random(model.Parameters.Length, 4).CopyTo(model.Parameters);
        using var file = new MemoryStream();
        ModelFile.Save(model, file, ModelFormat.Onnx);
        float[][] rows = [.. Enumerable.Range(0, 9).Select(i => DenseKernelTests.Random(3, 40 + i, scale: 4f))];

        string[] labels = OnnxRuntime.Labels(file.ToArray(), rows);

        Assert.Equal(rows.Select(r => model.PredictClass(r).ToString(System.Globalization.CultureInfo.InvariantCulture)), labels);
        Assert.Empty(ModelFile.Load(new MemoryStream(file.ToArray()), ModelFormat.Onnx).ClassNames);
    }

    [Fact]
    public void AnyShapeAndWeightsRoundTrip()
    {
        Gen<(ModelShape Shape, int Seed, bool Standardize)> shapes =
            from kind in Gen.Elements(Enum.GetValues<ModelKind>())
            from features in Gen.Choose(1, 40)
            from classes in Gen.Choose(2, 12)
            from hidden in Gen.ArrayOf(Gen.Choose(1, 20), 1 + (features % 3))
            from activations in Gen.ArrayOf(Gen.Elements(Activation.Relu, Activation.LeakyRelu, Activation.Sigmoid, Activation.Tanh), hidden.Length)
            from slope in Properties.Float(-1f, 1f)
            from seed in Gen.Choose(0, 1_000_000)
            from standardize in Gen.Elements(true, false)
            select (kind switch
            {
                ModelKind.LinearRegression => ModelShape.LinearRegression(features, classes - 1),
                ModelKind.LogisticRegression => ModelShape.LogisticRegression(features),
                ModelKind.SoftmaxRegression => ModelShape.SoftmaxRegression(features, classes),
                ModelKind.MultilayerPerceptronRegressor => ModelShape.MultilayerPerceptronRegressor([features, .. hidden, classes - 1], activations, Array.IndexOf(activations, Activation.LeakyRelu) >= 0 ? slope : 0.01f),
                _ => ModelShape.MultilayerPerceptron([features, .. hidden, classes], activations, Array.IndexOf(activations, Activation.LeakyRelu) >= 0 ? slope : 0.01f),
            }, seed, standardize);

        Properties.ForAll(shapes, c =>
        {
            IModel model = c.Shape.CreateModel();
            DenseKernelTests.Random(model.Parameters.Length, c.Seed, scale: 1e3f).CopyTo(model.Parameters);
            ModelMetadata metadata = c.Standardize ? Metadata(model, c.Seed) : new ModelMetadata();
            using var file = new MemoryStream();
            ModelFile.Save(model, file, ModelFormat.Onnx, metadata);

            TrainedModel loaded = ModelFile.Load(new MemoryStream(file.ToArray()), ModelFormat.Onnx);

            Assert.Equal(model.Shape, loaded.Shape);
            ModelFileTests.AssertSameBits(model.Parameters, loaded.Model.Parameters);
            Assert.Equal(metadata.ClassNames, loaded.ClassNames);
            Assert.Equal(metadata.Standardizer is null, loaded.Standardizer is null);
        });
    }

    [Fact]
    public void TypedLoadsReadOnnxIntoAModelOfTheSameShape()
    {
        var model = new SoftmaxRegression(3, 2);
        DenseKernelTests.Random(model.Parameters.Length, 8).CopyTo(model.Parameters);
        string path = Path.Combine(_directory, "tiny.onnx");
        ModelFile.Save(model, path);

        TrainedModel<TinyClassifier> typed = ModelFile.Load<TinyClassifier>(path);
        ModelFileTests.AssertSameBits(model.Parameters, typed.Model.Parameters);

        ModelFile.Save(new SoftmaxRegression(3, 3), path);
        FileFormatException error = Assert.Throws<FileFormatException>(() => ModelFile.Load<TinyClassifier>(path));
        Assert.Contains("the shapes must be equal", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ForwardOnlyStreamsAndTheExtensionCaseWork()
    {
        IModel model = ModelFileTests.RandomModel("perceptron relu", seed: 9);
        string path = Path.Combine(_directory, "UPPER.ONNX");
        ModelFile.Save(model, path);
        Assert.Equal(0x08, File.ReadAllBytes(path)[0]); // ir_version's tag, not a safetensors length field

        using var forwardOnly = new ForwardOnlyStream(File.ReadAllBytes(path));
        ModelFileTests.AssertSameBits(model.Parameters, ModelFile.Load(forwardOnly, ModelFormat.Onnx, "forward only").Model.Parameters);
    }

    /// <summary>Class names (when the model has classes), a standardizer fitted to random rows, and properties.</summary>
    private static ModelMetadata Metadata(IModel model, int seed)
    {
        int classes = model.Shape.Classes;
        string[] names = classes == 0 ? [] : [.. Enumerable.Range(0, classes).Select(k => k < Species.Length ? Species[k] : $"class {k}")];
        return new ModelMetadata
        {
            ClassNames = names,
            LabelNames = model.Shape.Task == ModelTask.Regression ? [.. Enumerable.Range(0, model.Outputs).Select(j => $"target {j}")] : ["species"],
            Standardizer = Standardizer.Fit(DenseKernelTests.Random(20 * model.Features, seed, scale: 5f), model.Features),
            Properties = new Dictionary<string, string> { ["training.learning_rate"] = "0.1", ["metrics.accuracy"] = "0.97", ["notes"] = "line one\nline two" },
        };
    }
}
