using System.Buffers.Binary;
using System.Text.Json;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Native.Numerics;
using static Native.Generators.Tests.FileModelTests;

namespace Native.Generators.Tests;

/// <summary>
/// <c>[GeneratedModel("file")]</c> on an int8 file (format version 3, as <see cref="TrainedModel.Quantize(ReadOnlySpan{float})"/>
/// and <see cref="ModelFile.Save(TrainedModel, string, CancellationToken)"/> write it): compiled in, run, and held to every call
/// of <see cref="ModelFile.Load(string)"/>'s quantized model on the same raw rows, bit for bit; allocation-free; and a file the
/// loader refuses refused at the attribute with the loader's message. (Every integer path: Native.Tests' CompiledQuantizedModelTests.)
/// </summary>
public class QuantizedFileModelTests
{
    private const string Consumer = """
        using Native.Numerics;
        namespace Demo;
        /// <summary>A quantized model compiled in.</summary>
        [GeneratedModel("models/m-int8.safetensors")]
        public static partial class M;
        """;

    private const string File = "models/m-int8.safetensors";

    public static TheoryData<string, bool, bool> Models
    {
        get
        {
            var data = new TheoryData<string, bool, bool>();
            foreach (string kind in new[] { "linear", "logistic", "softmax", "perceptron", "perceptron regressor", "targets" })
            {
                foreach (bool perRow in new[] { false, true })
                {
                    data.Add(kind, perRow, false);
                    data.Add(kind, perRow, true);
                }
            }

            return data;
        }
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void TheCompiledInt8ModelPredictsTheLoadedFilesBits(string kind, bool perRow, bool standardized)
    {
        using var harness = new FileModelHarness();
        var random = new Random((kind.Length * 13) + (perRow ? 7 : 0) + (standardized ? 1 : 0));
        (_, TrainedModel loaded) = SaveQuantized(harness, kind, perRow, standardized, random);
        Assert.True(loaded.IsQuantized);

        var (result, output) = harness.Run(Consumer, File);
        Assert.Empty(result.Diagnostics);
        var problems = GeneratorHarness.Problems(output);
        Assert.True(problems.IsEmpty, string.Join("\n", problems.Take(20)));
        Type compiled = FileModelHarness.Load(output).GetType("Demo.M")!;
        int features = loaded.Features;
        Assert.Equal(features, (int)compiled.GetField("Features")!.GetValue(null)!);
        AssertVocabulary(compiled, IsRegression(kind), loaded.Shape.Outputs);

        // Raw rows, in the training data's units (far from zero where a standardizer is saved); some beyond the calibrated range.
        float[] rows = Values(41 * features, random, standardized ? 100f : 0f, standardized ? 45f : 3f);
        AssertSameBits(compiled, loaded, rows, kind);

        // The compiled model as a TrainedModel: quantized, the same bits; its float model and CreateModel's hold the loaded one's weights.
        var trained = (TrainedModel)compiled.GetProperty("Model")!.GetValue(null)!;
        Assert.True(trained.IsQuantized);
        Assert.Equal(loaded.Shape.ToString(), trained.Shape.ToString());
        Assert.Equal(loaded.ClassNames, trained.ClassNames);
        Assert.True(loaded.Model.Parameters.SequenceEqual(trained.Model.Parameters));
        var created = (IModel)compiled.GetMethod("CreateModel")!.Invoke(null, null)!;
        Assert.Equal(loaded.Model.GetType(), created.GetType());
        Assert.True(loaded.Model.Parameters.SequenceEqual(created.Parameters));
        Assert.Equal(standardized, compiled.GetProperty("Standardizer")!.GetValue(null) is Standardizer);
        int width = IsRegression(kind) ? loaded.Shape.Outputs : loaded.Classes;
        float[] ours = new float[41 * width], theirs = new float[41 * width];
        if (IsRegression(kind))
        {
            trained.PredictValues(rows, ours);
            loaded.PredictValues(rows, theirs);
        }
        else
        {
            trained.PredictProbabilities(rows, ours);
            loaded.PredictProbabilities(rows, theirs);
        }

        for (int i = 0; i < ours.Length; i++)
        {
            Same(theirs[i], ours[i], $"{kind}: Model's prediction {i}");
        }

        // Saved, the compiled model's TrainedModel writes an int8 file that loads back to the same weights.
        string again = harness.PathOf("models/again.safetensors");
        ModelFile.Save(trained, again);
        TrainedModel reloaded = ModelFile.Load(again);
        Assert.True(reloaded.IsQuantized);
        Assert.True(loaded.Model.Parameters.SequenceEqual(reloaded.Model.Parameters));
    }

    /// <summary>
    /// A calibrated model saved as QDQ ONNX (QuantizeLinear, DequantizeLinear, Gemm) compiles in as the int8 file does: the
    /// integers the graph holds, read and checked by the library's ONNX reader, predicting <see cref="ModelFile.Load(string)"/>'s
    /// quantized model's bits; a graph whose integers the loader refuses is refused at the attribute with its message.
    /// </summary>
    [Theory]
    [InlineData("linear", false)]
    [InlineData("logistic", true)]
    [InlineData("softmax", false)]
    [InlineData("softmax", true)]
    [InlineData("perceptron", true)]
    [InlineData("perceptron regressor", true)]
    [InlineData("targets", false)]
    public void TheCompiledInt8OnnxModelPredictsTheLoadedFilesBits(string kind, bool standardized)
    {
        const string onnx = "models/m-int8.onnx";
        using var harness = new FileModelHarness();
        var random = new Random((kind.Length * 17) + (standardized ? 1 : 0));
        (_, TrainedModel loaded) = SaveQuantized(harness, kind, perRow: false, standardized, random, onnx);
        Assert.True(loaded.IsQuantized);

        var (result, output) = harness.Run(Consumer.Replace(File, onnx, StringComparison.Ordinal), onnx);
        Assert.Empty(result.Diagnostics);
        var problems = GeneratorHarness.Problems(output);
        Assert.True(problems.IsEmpty, string.Join("\n", problems.Take(20)));
        Assert.Contains("QuantizedRuntime.Calibrated(", Assert.Single(GeneratorHarness.Sources(result).Values), StringComparison.Ordinal);
        Type compiled = FileModelHarness.Load(output).GetType("Demo.M")!;
        float[] rows = Values(41 * loaded.Features, random, standardized ? 100f : 0f, standardized ? 45f : 3f);
        AssertSameBits(compiled, loaded, rows, kind);
        var trained = (TrainedModel)compiled.GetProperty("Model")!.GetValue(null)!;
        Assert.True(trained.IsQuantized);
        Assert.Equal(loaded.ClassNames, trained.ClassNames);
        Assert.True(loaded.Model.Parameters.SequenceEqual(trained.Model.Parameters));
    }

    [Fact]
    public void AnInt8OnnxGraphTheLibraryRefusesIsRefusedWithTheLibrarysMessage()
    {
        // A standardizer mean so far out that the first layer's calibrated input map has no finite offset: the loader refuses
        // the graph (a row at the means would be answered NaN), and so does the generator, with the same message.
        const string onnx = "models/far-int8.onnx";
        using var harness = new FileModelHarness();
        var model = new SoftmaxRegression(4, 3);
        Fill(model.Parameters, new Random(4), 0.5f);
        var trained = new TrainedModel(model, new ModelMetadata { Standardizer = Standardizer.FromStatistics([0f, 1f, 2f, 3f], [1f, 1f, 1f, 1f]) });
        float[] calibration = Values(16 * 4, new Random(5), 0f, 2f);
        string path = harness.PathOf(onnx);
        ModelFile.Save(trained.Quantize(calibration), path);
        byte[] bytes = System.IO.File.ReadAllBytes(path);

        // The exporter writes the means as a float tensor the Sub before the first QuantizeLinear takes: 1f is one of them.
        int at = IndexOf(bytes, BitConverter.GetBytes(1f), BitConverter.GetBytes(2f));
        Assert.True(at > 0, "the means 1, 2 were not found in the graph");
        BitConverter.GetBytes(3e37f).CopyTo(bytes, at);
        System.IO.File.WriteAllBytes(path, bytes);
        string expected = Assert.Throws<FileFormatException>(() => ModelFile.Load(path)).Message.Replace(path, onnx, StringComparison.Ordinal);
        Assert.Contains("a row at the means would be answered NaN", expected, StringComparison.Ordinal);

        var (result, _) = harness.Run(Consumer.Replace(File, onnx, StringComparison.Ordinal), onnx);
        Diagnostic diagnostic = Assert.Single(result.Diagnostics);
        Assert.Equal($"[GeneratedModel] on 'M': {expected}", diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Empty(GeneratorHarness.Sources(result));
    }

    /// <summary>Where <paramref name="first"/> is followed by <paramref name="second"/> in <paramref name="bytes"/>; −1 if nowhere.</summary>
    private static int IndexOf(byte[] bytes, byte[] first, byte[] second)
    {
        byte[] both = [.. first, .. second];
        return bytes.AsSpan().IndexOf(both);
    }

    [Theory]
    [InlineData("softmax", false)]
    [InlineData("perceptron", false)]
    [InlineData("perceptron", true)]
    public void PredictingFromACompiledInt8ModelAllocatesNothing(string kind, bool perRow)
    {
        using var harness = new FileModelHarness();
        var random = new Random(5);
        (_, TrainedModel loaded) = SaveQuantized(harness, kind, perRow, standardized: true, random);
        var (_, output) = harness.Run(Consumer, File);
        Type compiled = FileModelHarness.Load(output).GetType("Demo.M")!;
        var classOf = Method<ClassOf>(compiled, "PredictClass", typeof(ReadOnlySpan<float>));
        var tryClassOf = Method<TryClassOf>(compiled, "TryPredictClass", typeof(ReadOnlySpan<float>), typeof(int).MakeByRefType());
        var nameOf = Method<NameOf>(compiled, "PredictClassName", typeof(ReadOnlySpan<float>));
        var probabilitiesOf = Method<Probabilities>(compiled, "PredictProbabilities", typeof(ReadOnlySpan<float>), typeof(Span<float>));
        var batch = Method<ClassesOf>(compiled, "PredictClasses", typeof(ReadOnlySpan<float>), typeof(Span<int>));
        int features = loaded.Features, classes = loaded.Classes;
        float[] rows = Values(70 * features, random, 100f, 40f), probabilities = new float[70 * classes];
        int[] predicted = new int[70];

        long allocated = 0;
        for (int round = 0; round < 2; round++)
        {
            // The first round warms up (the static engine, the per-thread scratch, the JIT's tiers); the second is measured.
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < 100; i++)
            {
                ReadOnlySpan<float> row = rows.AsSpan((i % 70) * features, features);
                _ = classOf(row);
                _ = tryClassOf(row, out _);
                _ = nameOf(row);
                probabilitiesOf(row, probabilities.AsSpan(0, classes));
                probabilitiesOf(rows, probabilities);
                batch(rows, predicted);
            }

            allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        }

        Assert.Equal(0, allocated);
    }

    /// <summary>int8 files the loader refuses, each by a different check of the quantized reader.</summary>
    public static TheoryData<string, string, int, float> Refused => new()
    {
        { "a weight of -128", "layers.0.weight", 3, float.NaN },
        { "a negative weight scale", "layers.0.weight_scale", 1, -0.5f },
        { "a zero point past 127", "layers.0.input_quantization", 1, 200f },
        { "a zero point not whole", "layers.1.input_quantization", 1, 2.5f },
        { "an input scale of 0", "layers.0.input_quantization", 0, 0f },
        { "a bias that is NaN", "layers.1.bias", 0, float.NaN },
        { "sums beyond the float range", "layers.0.weight_scale", 0, 3e38f },
    };

    [Theory]
    [MemberData(nameof(Refused))]
    public void AnInt8FileTheLibraryRefusesIsRefusedWithTheLibrarysMessage(string problem, string tensor, int element, float value)
    {
        using var harness = new FileModelHarness();
        (string path, _) = SaveQuantized(harness, "perceptron", perRow: false, standardized: true, new Random(3));
        byte[] bytes = System.IO.File.ReadAllBytes(path);
        (int begin, int end) = DataOf(bytes, tensor);
        if (tensor.EndsWith(".weight", StringComparison.Ordinal))
        {
            bytes[begin + element] = 0x80;
        }
        else
        {
            Assert.True(begin + ((element + 1) * sizeof(float)) <= end);
            BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(begin + (element * sizeof(float))), value);
        }

        System.IO.File.WriteAllBytes(path, bytes);
        string expected = Assert.Throws<FileFormatException>(() => ModelFile.Load(path)).Message.Replace(path, File, StringComparison.Ordinal);

        var (result, _) = harness.Run(Consumer, File);
        Diagnostic diagnostic = Assert.Single(result.Diagnostics);
        Assert.True(diagnostic.Id == "NATIVE014", $"{problem}: {diagnostic}");
        Assert.Equal($"[GeneratedModel] on 'M': {expected}", diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Empty(GeneratorHarness.Sources(result));
    }

    [Fact]
    public void ACompiledInt8ModelMatchesItsBaseline()
    {
        // A small logistic regression with a standardizer, calibrated: short enough to read whole.
        using var harness = new FileModelHarness();
        var model = new LogisticRegression(6);
        for (int i = 0; i < model.Parameters.Length; i++)
        {
            model.Parameters[i] = (i % 5) - 2.25f;
        }

        var trained = new TrainedModel(model, new ModelMetadata { ClassNames = ["benign", "malignant"], Standardizer = Standardizer.FromStatistics([10, 20, 30, 40, 50, 60], [1, 2, 4, 8, 0.5f, 0.25f]) });
        float[] calibration = Values(32 * 6, new Random(2), 35f, 30f);
        ModelFile.Save(trained.Quantize(calibration), harness.PathOf("models/tumor-int8.safetensors"));
        var (result, output) = harness.Run("using Native.Numerics;\nnamespace Demo;\n[GeneratedModel(\"models/tumor-int8.safetensors\")] public static partial class Tumor;\n", "models/tumor-int8.safetensors");
        Assert.Empty(result.Diagnostics);
        Assert.True(GeneratorHarness.Problems(output).IsEmpty);
        Snapshot.Verify("FileModelInt8", Assert.Single(GeneratorHarness.Sources(result).Values));
    }

    [Fact]
    public void AnUnrelatedEditIsCachedAndARequantizedFileRegenerates()
    {
        using var harness = new FileModelHarness();
        SaveQuantized(harness, "softmax", perRow: false, standardized: true, new Random(8));
        CSharpCompilation compilation = GeneratorHarness.Compile(Consumer);
        AdditionalText text = harness.Text(File);
        GeneratorDriver driver = harness.CreateDriver([text]).RunGenerators(compilation);
        string first = Assert.Single(GeneratorHarness.Sources(driver.GetRunResult()).Values);

        // An edit elsewhere: the int8 spec (its byte and float blocks) compares equal, so every step is cached or unchanged.
        CSharpCompilation edited = compilation.AddSyntaxTrees(CSharpSyntaxTree.ParseText("namespace Demo; public static class More { public static int Three() => 3; }", GeneratorHarness.ParseOptions, path: "More.cs"));
        driver = driver.RunGenerators(edited);
        foreach (string step in new[] { ModelGenerator.FileModelTrackingName, ModelGenerator.FileModelReadTrackingName })
        {
            foreach (var (value, reason) in driver.GetRunResult().Results.Single().TrackedSteps[step].SelectMany(s => s.Outputs))
            {
                Assert.True(reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, $"{step}: {reason}: {value}");
            }
        }

        // The model quantized again with per-row scales: read again, and the class now builds the per-row engine.
        SaveQuantized(harness, "softmax", perRow: true, standardized: true, new Random(8));
        driver = driver.ReplaceAdditionalText(text, harness.Text(File)).RunGenerators(edited);
        string second = Assert.Single(GeneratorHarness.Sources(driver.GetRunResult()).Values);
        Assert.Contains("QuantizedRuntime.Calibrated(", first, StringComparison.Ordinal);
        Assert.Contains("QuantizedRuntime.PerRow(", second, StringComparison.Ordinal);
    }

    /// <summary>A model of <paramref name="kind"/> with random weights, quantized and saved as the int8 file the consumer names; and the file loaded.</summary>
    private static bool IsRegression(string kind) => kind is "linear" or "perceptron regressor" or "targets";

    private static (string Path, TrainedModel Loaded) SaveQuantized(FileModelHarness harness, string kind, bool perRow, bool standardized, Random random, string file = File)
    {
        IModel model = Create(kind);
        Fill(model.Parameters, random, 1f / MathF.Sqrt(model.Features));
        int features = model.Features, classes = model.Shape.Classes;
        Standardizer? standardizer = standardized
            ? Standardizer.FromStatistics(Values(features, random, 100f, 20f), Values(features, random, 5f, 1f).Select(Math.Abs).Select(d => d + 0.5f).ToArray())
            : null;
        var trained = new TrainedModel(model, new ModelMetadata { Standardizer = standardizer, ClassNames = classes > 0 ? Enumerable.Range(0, classes).Select(c => "class " + c).ToArray() : [] });
        float[] calibration = Values(64 * features, random, standardized ? 100f : 0f, standardized ? 30f : 2f);
        string path = harness.PathOf(file);
        ModelFile.Save(perRow ? trained.Quantize() : trained.Quantize(calibration), path);
        return (path, ModelFile.Load(path));
    }

    /// <summary>Every call of the compiled class against the loaded model's, bit for bit, and a row without finite outputs.</summary>
    private static void AssertSameBits(Type compiled, TrainedModel loaded, float[] rows, string kind)
    {
        int features = loaded.Features, count = rows.Length / features;
        float[] unpredictable = new float[features];
        unpredictable[features / 2] = float.NaN;
        if (kind == "targets")
        {
            // Several targets a row: the values of each row, in a batch and one row at a time, as the loaded model's.
            int outputs = loaded.Shape.Outputs;
            var valuesOf = Method<ValuesOf>(compiled, "PredictValues", typeof(ReadOnlySpan<float>), typeof(Span<float>));
            float[] all = new float[count * outputs], expectedAll = new float[count * outputs], oneRow = new float[outputs];
            valuesOf(rows, all);
            loaded.PredictValues(rows, expectedAll);
            for (int k = 0; k < all.Length; k++)
            {
                Same(expectedAll[k], all[k], $"{kind}: PredictValues, value {k}");
            }

            valuesOf(rows.AsSpan(3 * features, features), oneRow);
            Assert.Equal(all.AsSpan(3 * outputs, outputs).ToArray(), oneRow);
            return;
        }

        if (IsRegression(kind))
        {
            var predict = Method<ValueOf>(compiled, "PredictValue", typeof(ReadOnlySpan<float>));
            var tryValue = Method<TryValueOf>(compiled, "TryPredictValue", typeof(ReadOnlySpan<float>), typeof(float).MakeByRefType());
            Assert.False(tryValue(unpredictable, out float none));
            Assert.True(float.IsNaN(none));
            Assert.Equal(
                Assert.Throws<ArgumentException>(() => loaded.PredictValue(unpredictable)).Message,
                Assert.Throws<ArgumentException>(() => predict(unpredictable)).Message);
            float[] values = new float[count], expected = new float[count];
            Method<ValuesOf>(compiled, "PredictValues", typeof(ReadOnlySpan<float>), typeof(Span<float>))(rows, values);
            loaded.PredictValues(rows, expected);
            for (int i = 0; i < count; i++)
            {
                ReadOnlySpan<float> row = rows.AsSpan(i * features, features);
                Same(loaded.PredictValue(row), predict(row), $"{kind}: PredictValue, row {i}");
                Assert.True(tryValue(row, out float tried));
                Same(loaded.PredictValue(row), tried, $"{kind}: TryPredictValue, row {i}");
                Same(expected[i], values[i], $"{kind}: PredictValues, row {i}");
            }

            return;
        }

        var classOf = Method<ClassOf>(compiled, "PredictClass", typeof(ReadOnlySpan<float>));
        var tryClassOf = Method<TryClassOf>(compiled, "TryPredictClass", typeof(ReadOnlySpan<float>), typeof(int).MakeByRefType());
        var nameOf = Method<NameOf>(compiled, "PredictClassName", typeof(ReadOnlySpan<float>));
        var probabilitiesOf = Method<Probabilities>(compiled, "PredictProbabilities", typeof(ReadOnlySpan<float>), typeof(Span<float>));
        Assert.False(tryClassOf(unpredictable, out int noClass));
        Assert.Equal(-1, noClass);
        Assert.Equal(
            Assert.Throws<ArgumentException>(() => loaded.PredictClass(unpredictable)).Message,
            Assert.Throws<ArgumentException>(() => classOf(unpredictable)).Message);
        int width = loaded.Classes;
        float[] batch = new float[count * width], expectedBatch = new float[count * width];
        probabilitiesOf(rows, batch);
        loaded.PredictProbabilities(rows, expectedBatch);
        int[] predicted = new int[count], expectedClasses = new int[count];
        Method<ClassesOf>(compiled, "PredictClasses", typeof(ReadOnlySpan<float>), typeof(Span<int>))(rows, predicted);
        loaded.PredictClasses(rows, expectedClasses);
        Assert.Equal(expectedClasses, predicted);
        float[] one = new float[width], expectedOne = new float[width];
        for (int i = 0; i < count; i++)
        {
            ReadOnlySpan<float> row = rows.AsSpan(i * features, features);
            int expectedClass = loaded.PredictClass(row);
            Assert.Equal(expectedClass, classOf(row));
            Assert.True(tryClassOf(row, out int tried));
            Assert.Equal(expectedClass, tried);
            Assert.Equal(loaded.PredictClassName(row), nameOf(row));
            probabilitiesOf(row, one);
            loaded.PredictProbabilities(row, expectedOne);
            for (int c = 0; c < width; c++)
            {
                Same(expectedOne[c], one[c], $"{kind}: PredictProbabilities, row {i} class {c}");
                Same(expectedBatch[(i * width) + c], batch[(i * width) + c], $"{kind}: PredictProbabilities(rows), row {i} class {c}");
            }
        }
    }

    /// <summary>The byte range of <paramref name="tensor"/>'s data in a safetensors file.</summary>
    private static (int Begin, int End) DataOf(byte[] file, string tensor)
    {
        int length = (int)BinaryPrimitives.ReadUInt64LittleEndian(file);
        using JsonDocument header = JsonDocument.Parse(file.AsMemory(8, length));
        JsonElement offsets = header.RootElement.GetProperty(tensor).GetProperty("data_offsets");
        return (8 + length + offsets[0].GetInt32(), 8 + length + offsets[1].GetInt32());
    }
}
