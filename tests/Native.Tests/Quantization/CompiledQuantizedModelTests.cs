using Native.Numerics;
using Native.Numerics.CompilerServices;
using Native.Numerics.Kernels.Quantized;
using Native.Tests.Support;

namespace Native.Tests.Quantization;

/// <summary>scikit-learn's digits softmax regression in int8, calibrated, standardized (Fixtures/make.sh), compiled in.</summary>
[GeneratedModel("Quantization/Fixtures/digits-int8.safetensors")]
internal static partial class CompiledDigitsInt8
{
    /// <summary>The generated class's engine, so a test can choose its integer path.</summary>
    internal static QuantizedRuntime Engine => s_engine;
}

/// <summary>A 64-32-16-10 tanh perceptron on the digits in int8, per-row scales, standardized (Fixtures/make.sh), compiled in.</summary>
[GeneratedModel("Quantization/Fixtures/digits-mlp-int8.safetensors")]
internal static partial class CompiledDigitsNetInt8
{
    /// <summary>The generated class's engine, so a test can choose its integer path.</summary>
    internal static QuantizedRuntime Engine => s_engine;
}

/// <summary>
/// Int8 files compiled into this assembly by the generator, as a user's build compiles them, held to
/// <see cref="ModelFile.Load(string)"/>'s model of the same file on every integer path (emulated where this CPU lacks one):
/// every call the same bits, nothing allocated after warm-up.
/// </summary>
public class CompiledQuantizedModelTests
{
    private const int Rows = 70;

    public static TheoryData<string, string> PathsAndModels
    {
        get
        {
            var data = new TheoryData<string, string>();
            foreach (string path in Enum.GetNames<IntegerPath>())
            {
                data.Add(path, "digits-int8");
                data.Add(path, "digits-mlp-int8");
            }

            return data;
        }
    }

    [Theory]
    [MemberData(nameof(PathsAndModels))]
    public void TheCompiledModelPredictsTheLoadedFilesBitsOnEveryPath(string path, string file)
    {
        Compiled compiled = Of(file);
        TrainedModel loaded = Load(file);
        Assert.True(loaded.IsQuantized);
        Assert.Equal(loaded.Shape, compiled.Engine.Shape);
        Assert.Equal(loaded.Standardizer!.Means.ToArray(), compiled.Engine.Standardizer!.Means.ToArray());
        IntegerPath integerPath = IntegerPaths.Parse(path);
        compiled.Engine.Path = integerPath;
        loaded.QuantizedEngine!.Path = integerPath;
        try
        {
            int features = loaded.Features, classes = loaded.Classes;
            float[] rows = DigitRows(Rows, features, new Random(path.Length + file.Length));
            float[] ours = new float[Rows * classes], theirs = new float[Rows * classes];
            compiled.PredictProbabilities(rows, ours);
            loaded.PredictProbabilities(rows, theirs);
            AssertSameBits(theirs, ours, $"{file} on {path}: PredictProbabilities(rows)");

            int[] classesOurs = new int[Rows], classesTheirs = new int[Rows];
            compiled.PredictClasses(rows, classesOurs);
            loaded.PredictClasses(rows, classesTheirs);
            Assert.Equal(classesTheirs, classesOurs);

            float[] one = new float[classes], expected = new float[classes];
            for (int i = 0; i < Rows; i++)
            {
                ReadOnlySpan<float> row = rows.AsSpan(i * features, features);
                compiled.PredictProbabilities(row, one);
                loaded.PredictProbabilities(row, expected);
                AssertSameBits(expected, one, $"{file} on {path}: PredictProbabilities, row {i}");
                Assert.Equal(loaded.PredictClass(row), compiled.PredictClass(row));
                Assert.True(compiled.TryPredictClass(row, out int tried));
                Assert.Equal(loaded.PredictClass(row), tried);
                Assert.Equal(loaded.PredictClassName(row), compiled.PredictClassName(row));
            }

            // A row the engine cannot answer: the same refusal, no exception from the Try form.
            float[] unpredictable = rows[..features];
            unpredictable[5] = float.NaN;
            Assert.False(compiled.TryPredictClass(unpredictable, out int none));
            Assert.Equal(-1, none);
            Assert.Equal(Assert.Throws<ArgumentException>(() => loaded.PredictClass(unpredictable)).Message, Assert.Throws<ArgumentException>(() => compiled.PredictClass(unpredictable)).Message);
        }
        finally
        {
            compiled.Engine.Path = IntegerDispatch.Preferred;
        }
    }

    [Theory]
    [InlineData("digits-int8")]
    [InlineData("digits-mlp-int8")]
    public void PredictingFromTheCompiledModelAllocatesNothing(string file)
    {
        Compiled compiled = Of(file);
        int features = compiled.Engine.Shape.Features, classes = compiled.Engine.Shape.Classes;
        float[] rows = DigitRows(Rows, features, new Random(4));
        float[] probabilities = new float[Rows * classes];
        int[] predicted = new int[Rows];
        long bytes = Allocations.Measure(() =>
        {
            for (int i = 0; i < Rows; i++)
            {
                ReadOnlySpan<float> row = rows.AsSpan(i * features, features);
                compiled.PredictClass(row);
                compiled.TryPredictClass(row, out _);
                compiled.PredictClassName(row);
                compiled.PredictProbabilities(row, probabilities.AsSpan(0, classes));
            }

            compiled.PredictProbabilities(rows, probabilities);
            compiled.PredictClasses(rows, predicted);
        });
        Assert.Equal(0, bytes);
    }

    /// <summary>Rows like the digits' (16 gray levels per pixel), a few pixels past the calibrated range.</summary>
    private static float[] DigitRows(int count, int features, Random random)
    {
        float[] rows = new float[count * features];
        for (int i = 0; i < rows.Length; i++)
        {
            rows[i] = random.Next(8) == 0 ? 0f : random.Next(17);
        }

        rows[3] = 40f;
        rows[features + 7] = -9f;
        return rows;
    }

    private static TrainedModel Load(string file) => ModelFile.Load(Path.Combine(AppContext.BaseDirectory, "Quantization", "Fixtures", file + ".safetensors"));

    private static void AssertSameBits(float[] expected, float[] actual, string what)
    {
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.True(
                BitConverter.SingleToInt32Bits(expected[i]) == BitConverter.SingleToInt32Bits(actual[i]),
                $"{what}, value {i}: the loaded model gives {expected[i]:R}, the compiled one {actual[i]:R}");
        }
    }

    // The compiled classes' calls, by file: each a static method group of the generated class.
    private static Compiled Of(string file) => file == "digits-int8"
        ? new(CompiledDigitsInt8.Engine, CompiledDigitsInt8.PredictClass, CompiledDigitsInt8.TryPredictClass, CompiledDigitsInt8.PredictClasses, CompiledDigitsInt8.PredictProbabilities, CompiledDigitsInt8.PredictClassName)
        : new(CompiledDigitsNetInt8.Engine, CompiledDigitsNetInt8.PredictClass, CompiledDigitsNetInt8.TryPredictClass, CompiledDigitsNetInt8.PredictClasses, CompiledDigitsNetInt8.PredictProbabilities, CompiledDigitsNetInt8.PredictClassName);

    private delegate int ClassOf(ReadOnlySpan<float> row);

    private delegate bool TryClassOf(ReadOnlySpan<float> row, out int predictedClass);

    private delegate void ClassesOf(ReadOnlySpan<float> rows, Span<int> classes);

    private delegate void ProbabilitiesOf(ReadOnlySpan<float> rows, Span<float> probabilities);

    private delegate string NameOf(ReadOnlySpan<float> row);

    private sealed record Compiled(QuantizedRuntime Engine, ClassOf PredictClass, TryClassOf TryPredictClass, ClassesOf PredictClasses, ProbabilitiesOf PredictProbabilities, NameOf PredictClassName);
}
