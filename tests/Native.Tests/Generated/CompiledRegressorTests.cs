using System.Globalization;
using System.Reflection;
using Native.Numerics;
using Native.Numerics.CompilerServices;
using Native.Numerics.Kernels;
using Native.Tests.Support;

namespace Native.Tests.Generated;

/// <summary>
/// The regressors <c>[GeneratedModel]</c> compiles (<see cref="DiabetesPerceptron"/>, and the regressions of several
/// targets <see cref="DiabetesTargets"/> and <see cref="DiabetesTargetsPerceptron"/>): at every kernel width, bit for bit the values of <see cref="ModelFile.Load(string)"/>'s
/// model of the same file at that width, on the diabetes set's raw rows; the vocabulary of one value or of several; no
/// allocation.
/// </summary>
public class CompiledRegressorTests
{
    private const int Rows = 64;

    public static TheoryData<string, string> Cases
    {
        get
        {
            var data = new TheoryData<string, string>();
            foreach (string model in new[] { nameof(DiabetesPerceptron), nameof(DiabetesTargets), nameof(DiabetesTargetsPerceptron) })
            {
                foreach (string width in Enum.GetNames<SimdWidth>())
                {
                    data.Add(model, width);
                }
            }

            return data;
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void TheCompiledRegressorPredictsTheLoadedFilesBitsAtEveryWidth(string name, string width)
    {
        Type compiled = typeof(CompiledRegressorTests).Assembly.GetType("Native.Tests.Generated." + name)!;
        SimdWidth simd = Widths.Parse(width);
        TrainedModel file = ModelFile.Load(FileOf(compiled));
        var model = (DenseModel)file.Model;
        model.KernelWidth = simd;
        var loaded = new TrainedModel(model, file.Metadata);
        int features = loaded.Features, outputs = loaded.Outputs;
        Assert.Equal(features, (int)compiled.GetField("Features")!.GetValue(null)!);
        Assert.Equal(outputs, (int)compiled.GetField("Outputs")!.GetValue(null)!);
        Assert.Equal(ModelTask.Regression, loaded.Task);

        float[] rows = DiabetesRows(compiled);
        ModelRuntime engine = Engine(compiled);
        SimdWidth before = engine.Width;
        try
        {
            engine.Width = simd;
            float[] ours = new float[Rows * outputs], theirs = new float[Rows * outputs];
            Call(compiled, "PredictValues", rows, ours);
            loaded.PredictValues(rows, theirs);
            Same(theirs, ours, $"{name} at {width}: PredictValues(rows)");

            float[] one = new float[outputs], expected = new float[outputs];
            for (int i = 0; i < Rows; i++)
            {
                float[] row = rows[(i * features)..((i + 1) * features)];
                Call(compiled, "PredictValues", row, one);
                loaded.PredictValues(row, expected);
                Same(expected, one, $"{name} at {width}: PredictValues(row {i})");
                if (outputs == 1)
                {
                    var predict = compiled.GetMethod("PredictValue", [typeof(ReadOnlySpan<float>)])!.CreateDelegate<ValueOf>();
                    Same([loaded.PredictValue(row)], [predict(row)], $"{name} at {width}: PredictValue(row {i})");
                }
            }
        }
        finally
        {
            engine.Width = before;
        }
    }

    [Fact]
    public void OneValueOrSeveralTheCompiledModelAnswersAsTheLoadedOne()
    {
        float[] rows = DiabetesRows(typeof(DiabetesPerceptron)), targetRows = DiabetesRows(typeof(DiabetesTargets));
        float[] row = rows[..10], targetRow = targetRows[..9];

        // One value: PredictValue and TryPredictValue, false and NaN for a row without a finite value.
        Assert.True(DiabetesPerceptron.TryPredictValue(row, out float value));
        Assert.Equal(DiabetesPerceptron.PredictValue(row), value);
        float[] infinite = [.. row];
        infinite[3] = float.PositiveInfinity;
        Assert.False(DiabetesPerceptron.TryPredictValue(infinite, out float none));
        Assert.True(float.IsNaN(none));
        Assert.Throws<ArgumentException>(() => DiabetesPerceptron.PredictValue(infinite));

        // Several: no call of one value (a compile-time absence, not a run-time refusal); a row without finite values is NaN.
        Assert.Null(typeof(DiabetesTargets).GetMethod("PredictValue"));
        Assert.Null(typeof(DiabetesTargetsPerceptron).GetMethod("TryPredictValue"));
        float[] values = new float[2];
        float[] infiniteTargetRow = [.. targetRow];
        infiniteTargetRow[3] = float.PositiveInfinity;
        DiabetesTargets.PredictValues(infiniteTargetRow, values);
        Assert.All(values, v => Assert.True(float.IsNaN(v)));
        Assert.Throws<ArgumentException>(() => DiabetesTargets.PredictValues(targetRow, new float[1]));

        // The compiled model as a TrainedModel: the loaded file's shape, its answers bit for bit.
        foreach (Type compiled in new[] { typeof(DiabetesTargets), typeof(DiabetesTargetsPerceptron), typeof(DiabetesPerceptron) })
        {
            var trained = (TrainedModel)compiled.GetProperty("Model")!.GetValue(null)!;
            TrainedModel loaded = ModelFile.Load(FileOf(compiled));
            Assert.Equal(loaded.Shape.ToString(), trained.Shape.ToString());
            float[] modelRows = DiabetesRows(compiled);
            float[] ours = new float[Rows * loaded.Outputs], theirs = new float[Rows * loaded.Outputs];
            trained.PredictValues(modelRows, ours);
            loaded.PredictValues(modelRows, theirs);
            Same(theirs, ours, compiled.Name + ".Model");
            Assert.Equal(loaded.Model.GetType(), compiled.GetMethod("CreateModel")!.ReturnType);
        }
    }

    [Fact]
    public void PredictingFromACompiledRegressorAllocatesNothing()
    {
        float[] rows = DiabetesRows(typeof(DiabetesPerceptron)), targetRows = DiabetesRows(typeof(DiabetesTargets)), values = new float[Rows * 2], one = new float[2];
        float[] row = rows[..10], targetRow = targetRows[..9];
        long bytes = Allocations.Measure(() =>
        {
            DiabetesPerceptron.PredictValue(row);
            DiabetesPerceptron.TryPredictValue(row, out _);
            DiabetesPerceptron.PredictValues(rows, values.AsSpan(0, Rows));
            DiabetesTargets.PredictValues(targetRow, one);
            DiabetesTargets.PredictValues(targetRows, values);
            DiabetesTargetsPerceptron.PredictValues(targetRow, one);
            DiabetesTargetsPerceptron.PredictValues(targetRows, values);
        });
        Assert.Equal(0, bytes);
    }

    /// <summary>The model file a compiled class was made from, copied beside the tests.</summary>
    private static string FileOf(Type compiled)
    {
        string attribute = compiled.GetCustomAttribute<GeneratedModelAttribute>()!.Path;
        return Path.Combine(AppContext.BaseDirectory, attribute);
    }

    /// <summary>The compiled class's engine, whose width a test may set (it is restored after).</summary>
    private static ModelRuntime Engine(Type compiled) =>
        (ModelRuntime)compiled.GetField("s_engine", BindingFlags.NonPublic | BindingFlags.Static)!.GetValue(null)!;

    /// <summary>The first <see cref="Rows"/> patients' features for a compiled model (the columns its file names), raw, as the diabetes file holds them.</summary>
    private static float[] DiabetesRows(Type compiled)
    {
        string[] lines = File.ReadAllLines(Path.Combine(Mnist.RepositoryRoot(), "tests", "data", "diabetes", "diabetes.csv"));
        string[] header = lines[0].Split(',');
        int[] columns = [.. ModelFile.Load(FileOf(compiled)).FeatureNames.Select(name => Array.IndexOf(header, name))];
        Assert.DoesNotContain(-1, columns);
        return [.. lines.Skip(1).Take(Rows).SelectMany(line => columns.Select(c => float.Parse(line.Split(',')[c], CultureInfo.InvariantCulture)))];
    }

    private static void Call(Type compiled, string name, float[] rows, float[] values)
    {
        var call = compiled.GetMethod(name, [typeof(ReadOnlySpan<float>), typeof(Span<float>)])!.CreateDelegate<ValuesOf>();
        call(rows, values);
    }

    private static void Same(float[] expected, float[] actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.True(
                BitConverter.SingleToInt32Bits(expected[i]) == BitConverter.SingleToInt32Bits(actual[i]),
                $"{what}, value {i}: the loaded model gives {expected[i]:R}, the compiled one {actual[i]:R}");
        }
    }

    private delegate void ValuesOf(ReadOnlySpan<float> rows, Span<float> values);

    private delegate float ValueOf(ReadOnlySpan<float> row);
}
