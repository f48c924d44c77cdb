using System.Globalization;
using Native.Numerics;
using Native.Numerics.Kernels.Quantized;
using Native.Numerics.Quantization;
using Native.Tests.Support;

namespace Native.Tests.Quantization;

/// <summary>
/// The quantized models' prediction calls: the float models' policy for rows without a finite answer, the one-line
/// errors for spans of the wrong length, no allocation after the first call, and many threads at once.
/// </summary>
public class QuantizedPredictionTests
{
    public static TheoryData<string, string> KindsAndScalings =>
        new() { { "linear", "Calibrated" }, { "logistic", "Calibrated" }, { "softmax", "PerRow" }, { "relu", "Calibrated" }, { "relu", "PerRow" }, { "tanh", "PerRow" }, { "sigmoid", "Calibrated" } };

    private static QuantizedModel Create(string kind, string scaling, int features = 5, bool standardized = false) =>
        QuantizedModel.Create(QuantizedModelTests.Parameters(new QuantizedModelTests.Case(kind, features, 1, 0, Enum.Parse<ActivationScaling>(scaling), standardized, 11)));

    // A class or a value, whichever the model predicts, through the throwing call.
    private static void Predict(QuantizedModel model, ReadOnlySpan<float> row)
    {
        if (model.Shape.Task == ModelTask.Regression)
        {
            model.PredictValue(row);
        }
        else
        {
            model.PredictClass(row);
        }
    }

    [Theory]
    [MemberData(nameof(KindsAndScalings))]
    public void ANonFiniteFeatureGivesNaNAndAnErrorNamingIt(string kind, string scaling)
    {
        foreach (IntegerPath path in Enum.GetValues<IntegerPath>())
        {
            QuantizedModel model = Create(kind, scaling);
            model.Path = path;
            foreach (float bad in new[] { float.NaN, float.PositiveInfinity, float.NegativeInfinity })
            {
                float[] row = [0.5f, -1f, 2f, bad, 0.25f];
                ArgumentException error = Assert.ThrowsAny<ArgumentException>(() => Predict(model, row));
                Assert.StartsWith($"Feature 3 is {bad.ToString(CultureInfo.InvariantCulture)}; a prediction needs finite features", error.Message, StringComparison.Ordinal);
                Assert.Equal("row", error.ParamName);
                if (model.Shape.Task == ModelTask.Regression)
                {
                    Assert.False(model.TryPredictValue(row, out float value));
                    Assert.True(float.IsNaN(value));
                    float[] values = [1f];
                    model.PredictValues(row, values);
                    Assert.True(float.IsNaN(values[0]));
                }
                else
                {
                    Assert.False(model.TryPredictClass(row, out int predicted));
                    Assert.Equal(-1, predicted);
                    float[] probabilities = new float[model.Shape.Task == ModelTask.BinaryClassification ? 2 : model.Shape.Outputs];
                    model.PredictProbabilities(row, probabilities);
                    Assert.All(probabilities, p => Assert.True(float.IsNaN(p), $"{kind} {scaling} {path} {bad}"));
                }
            }
        }
    }

    [Theory]
    [MemberData(nameof(KindsAndScalings))]
    public void AFeatureTheScalingOverflowsIsNamedAsTheFloatModelsNameIt(string kind, string scaling)
    {
        // 3·10^38 is finite, but standardized (× 2) it is not, nor is its byte's level: the row has no answer.
        ModelShape shape = QuantizedModelTests.Shape(kind, 5);
        Standardizer standardizer = Standardizer.FromStatistics(new float[5], [0.5f, 0.5f, 0.5f, 0.5f, 0.5f]);
        QuantizedModel model = QuantizedModel.Create(Quantizer.Quantize(
            shape, Kernels.DenseKernelTests.Random(shape.ParameterCount, 3), standardizer, Kernels.DenseKernelTests.Random(50, 4), Enum.Parse<ActivationScaling>(scaling)));
        float[] row = [0.5f, 3e38f, -1f, 2f, 0.25f];
        ArgumentException error = Assert.ThrowsAny<ArgumentException>(() => Predict(model, row));
        Assert.StartsWith("The model's outputs overflow the float range for this row; its largest feature, 1, is 3E+38", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(KindsAndScalings))]
    public void InABatchOnlyTheBadRowIsNaNAndTheErrorNamesItsRow(string kind, string scaling)
    {
        QuantizedModel model = Create(kind, scaling);
        const int count = 70; // past a chunk of 64 rows
        float[] rows = Kernels.DenseKernelTests.Random(count * 5, 9);
        rows[(66 * 5) + 2] = float.NaN; // row 66, feature 2
        if (model.Shape.Task == ModelTask.Regression)
        {
            float[] values = new float[count];
            model.PredictValues(rows, values);
            Assert.All(Enumerable.Range(0, count), i => Assert.Equal(i == 66, float.IsNaN(values[i])));
            return;
        }

        int width = model.Shape.Task == ModelTask.BinaryClassification ? 2 : model.Shape.Outputs;
        float[] probabilities = new float[count * width];
        model.PredictProbabilities(rows, probabilities);
        Assert.All(Enumerable.Range(0, count * width), k => Assert.Equal(k / width == 66, float.IsNaN(probabilities[k])));
        ArgumentException error = Assert.ThrowsAny<ArgumentException>(() => model.PredictClasses(rows, new int[count]));
        Assert.StartsWith("Row 66: Feature 2 is NaN", error.Message, StringComparison.Ordinal);
        Assert.Equal("rows", error.ParamName);
    }

    [Fact]
    public void SpansOfTheWrongLengthAreRefusedWithTheirNames()
    {
        QuantizedModel softmax = Create("softmax", "Calibrated");
        Assert.Equal("row has length 4; expected 5. (Parameter 'row')", Assert.Throws<ArgumentException>(() => softmax.PredictClass(new float[4])).Message);
        Assert.Equal("rows holds 12 floats, not a whole number of rows of 5 features. (Parameter 'rows')", Assert.Throws<ArgumentException>(() => softmax.PredictClasses(new float[12], new int[2])).Message);
        Assert.Equal("classes holds 3 values; 2 rows need 2. (Parameter 'classes')", Assert.Throws<ArgumentException>(() => softmax.PredictClasses(new float[10], new int[3])).Message);
        Assert.Equal("probabilities holds 10 values; 2 rows need 20. (Parameter 'probabilities')", Assert.Throws<ArgumentException>(() => softmax.PredictProbabilities(new float[10], new float[10])).Message);
        Assert.Throws<NotSupportedException>(() => softmax.PredictValue(new float[5]));
        QuantizedModel linear = Create("linear", "Calibrated");
        Assert.Throws<NotSupportedException>(() => linear.PredictProbabilities(new float[5], new float[1]));
        Assert.Throws<NotSupportedException>(() => linear.PredictClass(new float[5]));
    }

    [Theory]
    [MemberData(nameof(KindsAndScalings))]
    public void PredictionsAllocateNothingAfterTheFirst(string kind, string scaling)
    {
        QuantizedModel model = Create(kind, scaling, features: 784, standardized: true);
        float[] rows = Kernels.DenseKernelTests.Random(100 * 784 + 3, 2);
        ReadOnlyMemory<float> one = rows.AsMemory(3, 784), many = rows.AsMemory(3, 100 * 784);
        float[] values = new float[100 * Math.Max(2, model.Shape.Outputs)];
        int[] classes = new int[100];
        long allocated = Allocations.Measure(() =>
        {
            if (model.Shape.Task == ModelTask.Regression)
            {
                model.PredictValue(one.Span);
                model.TryPredictValue(one.Span, out _);
                model.PredictValues(many.Span, values.AsSpan(0, 100));
            }
            else
            {
                int width = model.Shape.Task == ModelTask.BinaryClassification ? 2 : model.Shape.Outputs;
                model.PredictClass(one.Span);
                model.TryPredictClass(one.Span, out _);
                model.PredictClasses(many.Span, classes);
                model.PredictProbabilities(one.Span, new Span<float>(values, 0, width));
                model.PredictProbabilities(many.Span, new Span<float>(values, 0, 100 * width));
            }
        });
        Assert.Equal(0, allocated);
    }

    [Fact]
    public void ManyThreadsAtOnceGetWhatOneThreadGets()
    {
        QuantizedModel model = Create("relu", "PerRow", features: 64);
        float[] rows = Kernels.DenseKernelTests.Random(500 * 64, 4);
        int[] expected = new int[500];
        model.PredictClasses(rows, expected);
        Parallel.For(0, 4, _ =>
        {
            for (int repeat = 0; repeat < 20; repeat++)
            {
                int[] classes = new int[500];
                model.PredictClasses(rows, classes);
                Assert.Equal(expected, classes);
                for (int i = 0; i < 500; i += 37)
                {
                    Assert.Equal(expected[i], model.PredictClass(rows.AsSpan(i * 64, 64)));
                }
            }
        });
    }
}
