using System.Reflection;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Native.Generators;
using Native.Numerics;

namespace Native.Generators.Tests;

/// <summary>
/// <c>[GeneratedModel("file")]</c>: a model the test trains and saves, compiled into a consumer by the generator, run, and
/// held to predict exactly the bits <see cref="ModelFile.Load(string)"/>'s model predicts on the same raw rows; every
/// diagnostic at the attribute; caching.
/// </summary>
public partial class FileModelTests
{
    private const string Consumer = """
        using Native.Numerics;
        namespace Demo;
        /// <summary>A model compiled in.</summary>
        [GeneratedModel("models/m.onnx")]
        public static partial class M;
        """;

    public static TheoryData<string, bool, string> Models
    {
        get
        {
            var data = new TheoryData<string, bool, string>();
            foreach (string kind in new[] { "linear", "logistic", "softmax", "perceptron", "perceptron regressor", "targets", "targets perceptron" })
            {
                foreach (string format in new[] { "safetensors", "onnx" })
                {
                    data.Add(kind, false, format);
                    data.Add(kind, true, format);
                }
            }

            return data;
        }
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void TheCompiledModelPredictsTheTrainedModelsBits(string kind, bool standardized, string format)
    {
        using var harness = new FileModelHarness();
        IModel model = Create(kind);
        var random = new Random(kind.Length * 31 + (standardized ? 1 : 0));
        Fill(model.Parameters, random, 1f / MathF.Sqrt(model.Features));
        int features = model.Features;
        Standardizer? standardizer = standardized
            ? Standardizer.FromStatistics(Values(features, random, 100f, 20f), Values(features, random, 5f, 1f).Select(Math.Abs).Select(d => d + 0.5f).ToArray())
            : null;
        int classes = model.Shape.Classes;
        string file = "models/m." + format;
        string path = harness.PathOf(file);
        ModelFile.Save(model, path, new ModelMetadata { Standardizer = standardizer, ClassNames = classes > 0 ? Enumerable.Range(0, classes).Select(c => "class " + c).ToArray() : [] });

        var (result, output) = harness.Run(Consumer.Replace("models/m.onnx", file, StringComparison.Ordinal), file);
        Assert.Empty(result.Diagnostics);
        var problems = GeneratorHarness.Problems(output);
        Assert.True(problems.IsEmpty, string.Join("\n", problems.Take(20)));
        Type compiled = FileModelHarness.Load(output).GetType("Demo.M")!;
        TrainedModel loaded = ModelFile.Load(path);
        Assert.Equal(features, (int)compiled.GetField("Features")!.GetValue(null)!);

        // Raw rows, in the units of the training data: far from zero where a standardizer is saved.
        float[] rows = Values(37 * features, random, standardized ? 100f : 1f, standardized ? 30f : 2f);
        int outputs = model.Outputs;
        AssertVocabulary(compiled, model.Task == ModelTask.Regression, outputs);
        float[] unpredictable = new float[features];
        unpredictable[features / 2] = float.NaN;
        if (model.Task == ModelTask.Regression)
        {
            Assert.Equal(outputs, (int)compiled.GetField("Outputs")!.GetValue(null)!);
            var valuesOf = Method<ValuesOf>(compiled, "PredictValues", typeof(ReadOnlySpan<float>), typeof(Span<float>));
            float[] values = new float[37 * outputs], expected = new float[37 * outputs], oneValues = new float[outputs], expectedValues = new float[outputs];
            valuesOf(rows, values);
            loaded.PredictValues(rows, expected);
            valuesOf(unpredictable, oneValues);
            Assert.All(oneValues, v => Assert.True(float.IsNaN(v)));
            for (int i = 0; i < 37; i++)
            {
                ReadOnlySpan<float> row = rows.AsSpan(i * features, features);
                valuesOf(row, oneValues);
                loaded.PredictValues(row, expectedValues);
                for (int o = 0; o < outputs; o++)
                {
                    Same(expected[(i * outputs) + o], values[(i * outputs) + o], $"{kind}: PredictValues(rows), row {i}, output {o}");
                    Same(expectedValues[o], oneValues[o], $"{kind}: PredictValues(row), row {i}, output {o}");
                }

                if (outputs == 1)
                {
                    var predict = Method<ValueOf>(compiled, "PredictValue", typeof(ReadOnlySpan<float>));
                    var tryValue = Method<TryValueOf>(compiled, "TryPredictValue", typeof(ReadOnlySpan<float>), typeof(float).MakeByRefType());
                    Same(loaded.PredictValue(row), predict(row), $"{kind}: PredictValue, row {i}");
                    Assert.True(tryValue(row, out float tried));
                    Same(predict(row), tried, $"{kind}: TryPredictValue, row {i}");
                    Assert.False(tryValue(unpredictable, out float none));
                    Assert.True(float.IsNaN(none));
                }
            }

            return;
        }

        var classOf = Method<ClassOf>(compiled, "PredictClass", typeof(ReadOnlySpan<float>));
        var tryClassOf = Method<TryClassOf>(compiled, "TryPredictClass", typeof(ReadOnlySpan<float>), typeof(int).MakeByRefType());
        var nameOf = Method<NameOf>(compiled, "PredictClassName", typeof(ReadOnlySpan<float>));
        var probabilitiesOf = Method<Probabilities>(compiled, "PredictProbabilities", typeof(ReadOnlySpan<float>), typeof(Span<float>));
        Assert.False(tryClassOf(unpredictable, out int noClass));
        Assert.Equal(-1, noClass);
        int width = kind == "logistic" ? 2 : classes;
        float[] batch = new float[37 * width], expectedBatch = new float[37 * width];
        probabilitiesOf(rows, batch);
        loaded.PredictProbabilities(rows, expectedBatch);
        int[] predicted = new int[37];
        Method<ClassesOf>(compiled, "PredictClasses", typeof(ReadOnlySpan<float>), typeof(Span<int>))(rows, predicted);
        float[] one = new float[width], expectedOne = new float[width];
        for (int i = 0; i < 37; i++)
        {
            ReadOnlySpan<float> row = rows.AsSpan(i * features, features);
            int expectedClass = loaded.PredictClass(row);
            Assert.Equal(expectedClass, classOf(row));
            Assert.True(tryClassOf(row, out int tried));
            Assert.Equal(expectedClass, tried);
            Assert.Equal(expectedClass, predicted[i]);
            Assert.Equal(loaded.PredictClassName(row), nameOf(row));
            Assert.Equal("class " + expectedClass, nameOf(row));
            probabilitiesOf(row, one);
            loaded.PredictProbabilities(row, expectedOne);
            for (int c = 0; c < width; c++)
            {
                Same(expectedOne[c], one[c], $"{kind}: PredictProbabilities, row {i} class {c}");
                Same(expectedBatch[(i * width) + c], batch[(i * width) + c], $"{kind}: PredictProbabilities(rows), row {i} class {c}");
            }
        }
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void TheCompiledModelAsATrainedModelPredictsTheLoadedFilesBits(string kind, bool standardized, string format)
    {
        using var harness = new FileModelHarness();
        IModel model = Create(kind);
        var random = new Random((kind.Length * 17) + (standardized ? 5 : 0));
        Fill(model.Parameters, random, 1f / MathF.Sqrt(model.Features));
        int features = model.Features, classes = model.Shape.Classes;
        Standardizer? standardizer = standardized
            ? Standardizer.FromStatistics(Values(features, random, 50f, 10f), Values(features, random, 4f, 1f).Select(Math.Abs).Select(d => d + 0.5f).ToArray())
            : null;
        string file = "models/m." + format;
        string path = harness.PathOf(file);
        ModelFile.Save(model, path, new ModelMetadata { Standardizer = standardizer, ClassNames = classes > 0 ? Enumerable.Range(0, classes).Select(c => "c" + c).ToArray() : [] });
        var (_, output) = harness.Run(Consumer.Replace("models/m.onnx", file, StringComparison.Ordinal), file);
        Type compiled = FileModelHarness.Load(output).GetType("Demo.M")!;

        var trained = (TrainedModel)compiled.GetProperty("Model")!.GetValue(null)!;
        TrainedModel loaded = ModelFile.Load(path);
        Assert.Same(trained, compiled.GetProperty("Model")!.GetValue(null));
        Assert.Equal(loaded.Shape.ToString(), trained.Shape.ToString());
        Assert.Equal(loaded.Task, trained.Task);
        Assert.Equal(loaded.ClassNames, trained.ClassNames);
        Assert.Equal(standardized, trained.Standardizer is not null);
        Assert.True(loaded.Model.Parameters.SequenceEqual(trained.Model.Parameters));

        float[] rows = Values(23 * features, random, standardized ? 50f : 1f, standardized ? 15f : 2f);
        int width = model.Task == ModelTask.Regression ? model.Outputs : Math.Max(classes, 1);
        float[] ours = new float[23 * width], theirs = new float[23 * width];
        if (model.Task == ModelTask.Regression)
        {
            trained.PredictValues(rows, ours);
            loaded.PredictValues(rows, theirs);
        }
        else
        {
            trained.PredictProbabilities(rows, ours);
            loaded.PredictProbabilities(rows, theirs);
            for (int i = 0; i < 23; i++)
            {
                ReadOnlySpan<float> row = rows.AsSpan(i * features, features);
                Assert.Equal(loaded.PredictClassName(row), trained.PredictClassName(row));
            }
        }

        for (int i = 0; i < ours.Length; i++)
        {
            Same(theirs[i], ours[i], $"{kind}: Model's prediction {i}");
        }
    }

    [Fact]
    public void ARegressionOfSeveralTargetsMatchesItsBaseline()
    {
        // A 3-4-2 perceptron regressor (tanh) with a standardizer: the source a regression of two targets compiles to.
        using var harness = new FileModelHarness();
        var model = new MultilayerPerceptronRegressor([3, 4, 2], Activation.Tanh);
        for (int i = 0; i < model.Parameters.Length; i++)
        {
            model.Parameters[i] = ((i % 7) - 3) * 0.25f;
        }

        ModelFile.Save(model, harness.PathOf("models/targets.safetensors"), new ModelMetadata { Standardizer = Standardizer.FromStatistics([1, 2, 3], [0.5f, 1, 2]), LabelNames = ["dose", "response"] });
        var (result, output) = harness.Run("using Native.Numerics;\nnamespace Demo;\n[GeneratedModel(\"models/targets.safetensors\")] public static partial class Targets;\n", "models/targets.safetensors");
        Assert.Empty(result.Diagnostics);
        var problems = GeneratorHarness.Problems(output);
        Assert.True(problems.IsEmpty, string.Join("\n", problems.Take(20)));
        Snapshot.Verify("FileModelTargets", Assert.Single(GeneratorHarness.Sources(result).Values));
    }

    [Fact]
    public void CreateModelGivesTheFilesParametersAndTheStandardizerTravels()
    {
        using var harness = new FileModelHarness();
        var model = new SoftmaxRegression(6, 3);
        Fill(model.Parameters, new Random(3), 0.5f);
        var standardizer = Standardizer.FromStatistics([1, 2, 3, 4, 5, 6], [1, 2, 3, 4, 5, 6]);
        ModelFile.Save(model, harness.PathOf("models/m.onnx"), new ModelMetadata { Standardizer = standardizer });
        var (_, output) = harness.Run(Consumer, "models/m.onnx");
        Type compiled = FileModelHarness.Load(output).GetType("Demo.M")!;

        var created = (SoftmaxRegression)compiled.GetMethod("CreateModel")!.Invoke(null, null)!;
        Assert.True(model.Parameters.SequenceEqual(created.Parameters));
        var travelled = (Standardizer)compiled.GetProperty("Standardizer")!.GetValue(null)!;
        Assert.True(standardizer.Means.SequenceEqual(travelled.Means));
        Assert.True(standardizer.StandardDeviations.SequenceEqual(travelled.StandardDeviations));
        Assert.Equal(["0", "1", "2"], (IReadOnlyList<string>)compiled.GetProperty("ClassNames")!.GetValue(null)!);
    }

    [Theory]
    [InlineData("softmax")]
    [InlineData("perceptron")]
    public void PredictingFromACompiledModelAllocatesNothing(string kind)
    {
        using var harness = new FileModelHarness();
        IModel model = Create(kind);
        Fill(model.Parameters, new Random(9), 0.2f);
        var standardizer = Standardizer.FromStatistics(Values(model.Features, new Random(1), 10f, 1f), Values(model.Features, new Random(2), 3f, 1f));
        ModelFile.Save(model, harness.PathOf("models/m.onnx"), new ModelMetadata { Standardizer = standardizer });
        var (_, output) = harness.Run(Consumer, "models/m.onnx");
        Type compiled = FileModelHarness.Load(output).GetType("Demo.M")!;
        var classOf = Method<ClassOf>(compiled, "PredictClass", typeof(ReadOnlySpan<float>));
        var nameOf = Method<NameOf>(compiled, "PredictClassName", typeof(ReadOnlySpan<float>));
        var probabilitiesOf = Method<Probabilities>(compiled, "PredictProbabilities", typeof(ReadOnlySpan<float>), typeof(Span<float>));
        float[] rows = Values(8 * model.Features, new Random(3), 10f, 3f), probabilities = new float[8 * model.Shape.Classes];
        int[] classes = new int[8];
        var batch = Method<ClassesOf>(compiled, "PredictClasses", typeof(ReadOnlySpan<float>), typeof(Span<int>));

        long allocated = 0;
        for (int round = 0; round < 2; round++)
        {
            // The first round warms up (the static engine, the JIT's tiers); the second is measured.
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < 200; i++)
            {
                ReadOnlySpan<float> row = rows.AsSpan((i % 8) * model.Features, model.Features);
                _ = classOf(row);
                _ = nameOf(row);
                probabilitiesOf(row, probabilities.AsSpan(0, model.Shape.Classes));
                probabilitiesOf(rows, probabilities);
                batch(rows, classes);
            }

            allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        }

        Assert.Equal(0, allocated);
    }

    public static TheoryData<string, string, string> Problems => new()
    {
        { "NATIVE011", "[GeneratedModel(\"models/m.onnx\")] public partial class M;", "it is not static" },
        { "NATIVE011", "[GeneratedModel(\"models/m.onnx\")] public static class M;", "it is not partial" },
        { "NATIVE011", "[GeneratedModel(\"models/m.onnx\")] public static partial class M<T>;", "it is generic" },
        { "NATIVE012", "[GeneratedModel(\"models/other.onnx\")] public static partial class M;", "'models/other.onnx' is not among the project's AdditionalFiles; add <AdditionalFiles Include=\"models/other.onnx\" />" },
        { "NATIVE013", "[GeneratedModel(\"models/missing.onnx\")] public static partial class M;", "'models/missing.onnx' cannot be read" },
        { "NATIVE014", "[GeneratedModel(\"models/garbage.onnx\")] public static partial class M;", "'models/garbage.onnx', byte " },
        { "NATIVE014", "[GeneratedModel(\"models/garbage.safetensors\")] public static partial class M;", "'models/garbage.safetensors', byte 0: " },
        { "NATIVE015", "[GeneratedModel(\"models/huge.onnx\")] public static partial class M;", "holds 1,050,000 parameters in 1 layer;" },
        { "NATIVE016", "[GeneratedModel(\" \")] public static partial class M;", "the path is empty" },
    };

    [Theory]
    [MemberData(nameof(Problems))]
    public void EachProblemIsOneDiagnosticAtTheAttribute(string id, string declaration, string message)
    {
        using var harness = new FileModelHarness();
        ModelFile.Save(new LogisticRegression(3), harness.PathOf("models/m.onnx"));
        File.WriteAllBytes(harness.PathOf("models/garbage.onnx"), [0x0A, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F, 1, 2, 3]);
        File.WriteAllBytes(harness.PathOf("models/garbage.safetensors"), [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F, 1, 2, 3]);
        ModelFile.Save(new SoftmaxRegression(1049, 1000), harness.PathOf("models/huge.onnx"));
        string source = "using Native.Numerics;\n" + declaration + "\n";
        var (result, _) = harness.Run(source, "models/m.onnx", "models/garbage.onnx", "models/garbage.safetensors", "models/huge.onnx", "models/missing.onnx");

        Diagnostic diagnostic = Assert.Single(result.Diagnostics);
        Assert.Equal(id, diagnostic.Id);
        Assert.Contains(message, diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);
        Assert.Equal(source.IndexOf("GeneratedModel(", StringComparison.Ordinal), diagnostic.Location.SourceSpan.Start);
        Assert.Empty(GeneratorHarness.Sources(result));
    }

    [Theory]
    [InlineData("models/table.onnx")]
    [InlineData("models/table.safetensors")]
    public void AModelWithAFeaturePipelineCompilesToATypedRowFromEitherFormat(string file)
    {
        // ONNX carries the pipeline as its graph's first nodes (one input per column); both formats give the typed row.
        using var harness = new FileModelHarness();
        string csv = "id,income,grade,default\n1,52000,A,0\n2,,B,1\n3,61000,A,0\n4,38000,,1\n";
        TableData table = Table.Read(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(csv)), new TableOptions { LabelColumns = ["default"] }, "table.csv");
        ModelFile.Save(new LogisticRegression(table.Pipeline.Features), harness.PathOf(file), table.Metadata);
        string source = "using Native.Numerics;\n[GeneratedModel(\"" + file + "\")] public static partial class M;\n";

        var (result, _) = harness.Run(source, file);

        Assert.Empty(result.Diagnostics);
        string generated = string.Join("\n", GeneratorHarness.Sources(result).Values);
        Assert.Contains("record struct Row", generated, StringComparison.Ordinal);
        Assert.Contains("public float? Income", generated, StringComparison.Ordinal);
        Assert.Contains("public string? Grade", generated, StringComparison.Ordinal);
    }

    /// <summary>Model files the library refuses, each by a different check of its readers.</summary>
    public static TheoryData<string> Refused => new() { "kind", "nan", "short", "trailing", "overflow", "overflow.onnx", "deviation" };

    [Theory]
    [MemberData(nameof(Refused))]
    public void AFileTheLibraryRefusesIsRefusedWithTheLibrarysMessage(string problem)
    {
        using var harness = new FileModelHarness();
        string file = "models/bad." + (problem.EndsWith(".onnx", StringComparison.Ordinal) ? "onnx" : "safetensors");
        string path = harness.PathOf(file);
        var model = new SoftmaxRegression(4, 3);
        model.Parameters.Fill(0.5f);
        var metadata = new ModelMetadata { Standardizer = problem == "deviation" ? Standardizer.FromStatistics([0, 0, 0, 0], [1, 1, 1e-3f, 1]) : null };
        ModelFile.Save(model, path, metadata);
        byte[] bytes = File.ReadAllBytes(path);
        string text = System.Text.Encoding.Latin1.GetString(bytes);
        bytes = problem switch
        {
            "kind" => System.Text.Encoding.Latin1.GetBytes(text.Replace("softmax_regression", "softmax_regressioX", StringComparison.Ordinal)),
            "nan" => [.. bytes[..^4], 0x00, 0x00, 0xC0, 0x7F],
            "short" => bytes[..^5],
            "trailing" => [.. bytes, 0],
            "deviation" => System.Text.Encoding.Latin1.GetBytes(text.Replace("0.001", "1e-45", StringComparison.Ordinal)),

            // Every weight 0.5 (bytes 00 00 00 3F) made 3e38, which no save writes: the sums overflow on any input.
            _ => System.Text.Encoding.Latin1.GetBytes(text.Replace("\0\0\0?", System.Text.Encoding.Latin1.GetString(BitConverter.GetBytes(3e38f)), StringComparison.Ordinal)),
        };
        File.WriteAllBytes(path, bytes);
        string expected = Assert.Throws<FileFormatException>(() => ModelFile.Load(path)).Message.Replace(path, file, StringComparison.Ordinal);

        var (result, _) = harness.Run(Consumer.Replace("models/m.onnx", file, StringComparison.Ordinal), file);
        Diagnostic diagnostic = Assert.Single(result.Diagnostics);
        Assert.Equal("NATIVE014", diagnostic.Id);
        Assert.Equal($"[GeneratedModel] on 'M': {expected}", diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public void WithoutTheProjectsDirectoryTheOneFileEndingInThePathIsTaken()
    {
        using var harness = new FileModelHarness();
        ModelFile.Save(new LinearRegression(4), harness.PathOf("models/m.onnx"));
        ModelFile.Save(new LinearRegression(5), harness.PathOf("other/m.onnx"));
        GeneratorDriver driver = harness.CreateDriver(["models/m.onnx", "other/m.onnx"], passProjectDirectory: false);
        GeneratorDriverRunResult result = driver.RunGenerators(GeneratorHarness.Compile(Consumer)).GetRunResult();
        Assert.Empty(result.Diagnostics);
        Assert.Contains("public const int Features = 4;", Assert.Single(GeneratorHarness.Sources(result).Values), StringComparison.Ordinal);

        // Two files ending in the path: which one is meant cannot be told, and the error says what to add.
        var ambiguous = harness.CreateDriver(["models/m.onnx", "other/models/m.onnx"], passProjectDirectory: false);
        ModelFile.Save(new LinearRegression(5), harness.PathOf("other/models/m.onnx"));
        Assert.Equal("NATIVE012", Assert.Single(ambiguous.RunGenerators(GeneratorHarness.Compile(Consumer)).GetRunResult().Diagnostics).Id);
    }

    [Fact]
    public void AnUnrelatedEditIsCachedAndAChangedFileRegenerates()
    {
        using var harness = new FileModelHarness();
        string path = harness.PathOf("models/m.onnx");
        ModelFile.Save(new LogisticRegression(4), path);
        CSharpCompilation compilation = GeneratorHarness.Compile(Consumer);
        AdditionalText text = harness.Text("models/m.onnx");
        GeneratorDriver driver = harness.CreateDriver([text]).RunGenerators(compilation);
        string first = Assert.Single(GeneratorHarness.Sources(driver.GetRunResult()).Values);

        // An edit elsewhere: every step of ours cached or unchanged.
        CSharpCompilation edited = compilation.AddSyntaxTrees(CSharpSyntaxTree.ParseText("namespace Demo; public static class More { public static int Three() => 3; }", GeneratorHarness.ParseOptions, path: "More.cs"));
        driver = driver.RunGenerators(edited);
        foreach (string step in new[] { ModelGenerator.FileModelTrackingName, ModelGenerator.FileModelReadTrackingName })
        {
            foreach (var (value, reason) in driver.GetRunResult().Results.Single().TrackedSteps[step].SelectMany(s => s.Outputs))
            {
                Assert.True(reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, $"{step}: {reason}: {value}");
            }
        }

        // The file rewritten with other weights: read again, and the source changes.
        var model = new LogisticRegression(4);
        model.Parameters[2] = 0.75f;
        ModelFile.Save(model, path);
        driver = driver.ReplaceAdditionalText(text, harness.Text("models/m.onnx")).RunGenerators(edited);
        IncrementalGeneratorRunStep read = Assert.Single(driver.GetRunResult().Results.Single().TrackedSteps[ModelGenerator.FileModelReadTrackingName]);
        Assert.Contains(read.Outputs, o => o.Reason is IncrementalStepRunReason.Modified or IncrementalStepRunReason.New);
        Assert.NotEqual(first, Assert.Single(GeneratorHarness.Sources(driver.GetRunResult()).Values));
        Assert.Contains("0.75f", Assert.Single(GeneratorHarness.Sources(driver.GetRunResult()).Values), StringComparison.Ordinal);
    }
}
