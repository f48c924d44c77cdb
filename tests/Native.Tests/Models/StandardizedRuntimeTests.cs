using FsCheck.Fluent;
using Native.Numerics;
using Native.Numerics.CompilerServices;
using Native.Numerics.Kernels;
using Native.Tests.Kernels;
using Native.Tests.Support;

namespace Native.Tests.Models;

/// <summary>
/// A runtime with a standardizer, fed raw rows, gives exactly — to the bit — what the model gives fed the rows
/// <see cref="Standardizer.Transform(ReadOnlySpan{float}, Span{float})"/> wrote: the standardizer travels inside the model.
/// </summary>
public class StandardizedRuntimeTests
{
    private static readonly ModelShape[] Shapes =
    [
        ModelShape.LinearRegression(13),
        ModelShape.LogisticRegression(30),
        ModelShape.SoftmaxRegression(4, 3),
        ModelShape.SoftmaxRegression(33, 17),
        ModelShape.MultilayerPerceptron([20, 9, 5], [Activation.Tanh]),
    ];

    public static TheoryData<int, string> ShapesAndWidths
    {
        get
        {
            var data = new TheoryData<int, string>();
            for (int s = 0; s < Shapes.Length; s++)
            {
                foreach (SimdWidth width in Enum.GetValues<SimdWidth>())
                {
                    data.Add(s, width.ToString());
                }
            }

            return data;
        }
    }

    [Theory]
    [MemberData(nameof(ShapesAndWidths))]
    public void RawRowsThroughTheStandardizerEqualStandardizedRowsThroughTheModel(int shapeIndex, string width)
    {
        ModelShape shape = Shapes[shapeIndex];
        var cases = from rows in Gen.Elements(1, 2, 7, 64, 65, 130)
                    from seed in Gen.Choose(0, int.MaxValue / 2)
                    select (rows, seed);
        Properties.ForAll(cases, c =>
        {
            var model = new ModelCase(shape, c.rows, c.seed).CreateModel(Widths.Parse(width));
            Standardizer standardizer = RandomStandardizer(shape.Features, c.seed);
            ModelRuntime predictor = ((IModelRuntimeOwner)model).Runtime.WithStandardizer(standardizer);
            Assert.Same(standardizer, predictor.Standardizer);

            // Raw rows far from zero, as unstandardized data are.
            float[] raw = DenseKernelTests.Random(c.rows * shape.Features, c.seed + 7, scale: 50f).Select(v => v + 100f).ToArray();
            float[] standardized = new float[raw.Length];
            for (int i = 0; i < c.rows; i++)
            {
                standardizer.Transform(raw.AsSpan(i * shape.Features, shape.Features), standardized.AsSpan(i * shape.Features, shape.Features));
            }

            int o = model.Outputs;
            float[] expected = new float[c.rows * o], actual = new float[c.rows * o];
            model.ForwardBatch(standardized, expected);
            predictor.ForwardBatch(raw, actual);
            AssertSameBits(expected, actual, "ForwardBatch");
            for (int i = 0; i < c.rows; i++)
            {
                model.Forward(standardized.AsSpan(i * shape.Features, shape.Features), expected.AsSpan(0, o));
                predictor.Forward(raw.AsSpan(i * shape.Features, shape.Features), actual.AsSpan(0, o));
                AssertSameBits(expected.AsSpan(0, o).ToArray(), actual.AsSpan(0, o).ToArray(), $"Forward, row {i}");
                if (shape.Task != ModelTask.Regression)
                {
                    Assert.Equal(((IClassifier)model).PredictClass(standardized.AsSpan(i * shape.Features, shape.Features)), predictor.PredictClass(raw.AsSpan(i * shape.Features, shape.Features)));
                }
            }

            // Loss and gradient over a batch of raw rows, too.
            var batch = new ModelCase(shape, c.rows, c.seed);
            int[]? labels = batch.Labels();
            float[]? targets = batch.Targets();
            float[] expectedGradient = new float[model.Parameters.Length], actualGradient = new float[model.Parameters.Length];
            float expectedLoss = model.AccumulateGradient(batch.Batch(standardized, labels, targets, null), expectedGradient);
            float actualLoss = predictor.AccumulateGradient(batch.Batch(raw, labels, targets, null), actualGradient);
            Assert.Equal(BitConverter.SingleToInt32Bits(expectedLoss), BitConverter.SingleToInt32Bits(actualLoss));
            AssertSameBits(expectedGradient, actualGradient, "gradient");
        }, tests: 8);
    }

    [Fact]
    public void ThePredictorSharesTheModelsParametersAndRefusesAStandardizerOfAnotherWidth()
    {
        var model = new SoftmaxRegression(5, 3);
        ModelRuntime predictor = ((IModelRuntimeOwner)model).Runtime.WithStandardizer(RandomStandardizer(5, 1));
        model.Parameters[7] = 4.5f;
        Assert.Equal(4.5f, predictor.Parameters[7]);
        Assert.Throws<ArgumentException>(() => ((IModelRuntimeOwner)model).Runtime.WithStandardizer(RandomStandardizer(6, 1)));
    }

    [Fact]
    public void PredictionThroughTheStandardizerAllocatesNothing()
    {
        var model = new MultilayerPerceptron([40, 16, 4], seed: 3);
        ModelRuntime predictor = ((IModelRuntimeOwner)model).Runtime.WithStandardizer(RandomStandardizer(40, 2));
        float[] rows = DenseKernelTests.Random(70 * 40, 5);
        float[] probabilities = new float[70 * 4];
        Assert.Equal(0, Allocations.Measure(() =>
        {
            predictor.Forward(rows.AsSpan(0, 40), probabilities.AsSpan(0, 4));
            predictor.ForwardBatch(rows, probabilities);
            _ = predictor.PredictClass(rows.AsSpan(40, 40));
        }));
    }

    [Fact]
    public void AStandardizerWhoseReciprocalOverflowsIsRefused()
    {
        var error = Assert.Throws<ArgumentException>(() => Standardizer.FromStatistics([0f, 1f], [1f, 1e-45f]));
        Assert.Contains("feature 1", error.Message, StringComparison.Ordinal);
    }

    private static Standardizer RandomStandardizer(int features, int seed)
    {
        float[] means = DenseKernelTests.Random(features, seed + 11, scale: 100f).Select(v => v + 100f).ToArray();
        float[] deviations = DenseKernelTests.Random(features, seed + 12, scale: 20f).Select(v => Math.Abs(v) + 0.5f).ToArray();
        return Standardizer.FromStatistics(means, deviations);
    }

    private static void AssertSameBits(float[] expected, float[] actual, string what)
    {
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.True(BitConverter.SingleToInt32Bits(expected[i]) == BitConverter.SingleToInt32Bits(actual[i]), $"{what}, value {i}: the model on standardized rows gives {expected[i]:R}, the predictor on raw rows {actual[i]:R}");
        }
    }
}
