using FsCheck.Fluent;
using Native.Numerics;
using Native.Tests.Support;

namespace Native.Tests.Models;

/// <summary>
/// Every model's loss and gradient against a double-precision reference: the loss directly, the gradient
/// by central differences (relative error ≤ 1e-3), at random shapes and parameters, on every kernel path.
/// Row counts cross the 64-row chunk the models work in.
/// </summary>
public class GradientTests
{
    private static readonly FsCheck.Gen<ModelCase> Cases =
        from kind in Gen.Elements(Enum.GetValues<ModelKind>())
        from features in Gen.Elements(1, 3, 8, 9, 17, 33)
        from classes in Gen.Choose(2, 6)
        from hidden in Gen.Choose(1, 3).SelectMany(n => Gen.ArrayOf(Gen.Choose(1, 9), n))
        from activation in Gen.Elements(Enum.GetValues<Activation>())
        from rows in Gen.Elements(1, 2, 5, 64, 65, 70)
        from seed in Gen.Choose(0, int.MaxValue / 2)
        select new ModelCase(Shape(kind, features, classes, hidden, activation), rows, seed);

    internal static ModelShape Shape(ModelKind kind, int features, int classes, int[] hidden, Activation activation) => kind switch
    {
        // A regression takes classes − 1 outputs (1 to 5): one target, or several (a multi-output regression).
        ModelKind.LinearRegression => ModelShape.LinearRegression(features, classes - 1),
        ModelKind.LogisticRegression => ModelShape.LogisticRegression(features),
        ModelKind.SoftmaxRegression => ModelShape.SoftmaxRegression(features, classes),
        ModelKind.MultilayerPerceptronRegressor => ModelShape.MultilayerPerceptronRegressor([features, .. hidden, classes - 1], [activation], leakyReluSlope: 0.05f),
        _ => ModelShape.MultilayerPerceptron([features, .. hidden, classes], [activation], leakyReluSlope: 0.05f),
    };

    [Theory]
    [MemberData(nameof(Widths.All), MemberType = typeof(Widths))]
    public void GradientMatchesCentralDifferences(string width)
    {
        Properties.ForAll(Cases, c =>
        {
            DenseModel model = c.CreateModel(Widths.Parse(width));
            float[] features = c.Features();
            int[]? labels = c.Labels();
            float[]? targets = c.Targets();
            float[] weights = c.Weights();

            float[] gradient = new float[model.Parameters.Length];
            float loss = model.AccumulateGradient(c.Batch(features, labels, targets, weights), gradient);

            double expectedLoss = ReferenceNetwork.Loss(c.Shape, ReferenceNetwork.ToDouble(model.Parameters), features, labels, targets, weights);
            Assert.Equal(expectedLoss, loss, Math.Max(1e-3, Math.Abs(expectedLoss) * 1e-4));

            // A gradient far below the batch's unit-error scale Σ w‖x‖ comes from a tiny residual or a
            // confident right answer: it is the difference of nearly equal floats from the forward pass,
            // and its relative error measures that rounding, not the gradient. The floor (1% of the scale)
            // keeps such cases honest without excusing real errors elsewhere.
            double scale = 0;
            for (int i = 0; i < c.Rows; i++)
            {
                double norm = Math.Sqrt(features.AsSpan(i * c.Shape.Features, c.Shape.Features).ToArray().Sum(v => (double)v * v));
                scale += weights[i] * norm;
            }

            double[] expected = ReferenceNetwork.NumericalGradient(c.Shape, model.Parameters, features, labels, targets, weights);
            double error = ReferenceNetwork.RelativeError(gradient, expected, floor: 1e-2 * scale);
            Assert.True(error <= 1e-3, $"{c}: relative error {error:E2}");
        }, tests: 60);
    }

    [Theory]
    [MemberData(nameof(Widths.All), MemberType = typeof(Widths))]
    public void StepInPlaceIsOneStepOfGradientDescent(string width)
    {
        Properties.ForAll(Cases, c =>
        {
            DenseModel stepped = c.CreateModel(Widths.Parse(width));
            DenseModel reference = c.CreateModel(Widths.Parse(width));
            float[] features = c.Features();
            int[]? labels = c.Labels();
            float[]? targets = c.Targets();
            float[] weights = c.Weights();
            const float step = 0.05f;

            float[] gradient = new float[reference.Parameters.Length];
            float expectedLoss = reference.AccumulateGradient(c.Batch(features, labels, targets, weights), gradient);
            float loss = stepped.StepInPlace(c.Batch(features, labels, targets, weights), step);

            Assert.Equal(expectedLoss, loss, Math.Max(1e-4f, Math.Abs(expectedLoss) * 1e-5f));
            for (int i = 0; i < gradient.Length; i++)
            {
                float expected = reference.Parameters[i] - (step * gradient[i]);
                Assert.True(Math.Abs(expected - stepped.Parameters[i]) <= 1e-4f * Math.Max(1f, Math.Abs(expected)), $"{c}: parameter {i}: expected {expected}, got {stepped.Parameters[i]}");
            }
        }, tests: 40);
    }

    [Theory]
    [MemberData(nameof(Widths.All), MemberType = typeof(Widths))]
    public void AStepOfSizeZeroLeavesTheParametersAsTheyWere(string width)
    {
        // The step is a mode of its own, not a step size of 0 standing for "accumulate": θ − 0·∇ is θ.
        Properties.ForAll(Cases, c =>
        {
            DenseModel model = c.CreateModel(Widths.Parse(width));
            float[] before = model.Parameters.ToArray();
            model.StepInPlace(c.Batch(c.Features(), c.Labels(), c.Targets(), c.Weights()), 0f);
            Assert.True(before.AsSpan().SequenceEqual(model.Parameters), $"{c}: a step of 0 moved the parameters");
        }, tests: 20);
    }

    [Fact]
    public void GradientIsAddedToWhatTheSpanHeld()
    {
        var c = new ModelCase(ModelShape.SoftmaxRegression(5, 3), 7, 11);
        DenseModel model = c.CreateModel(Numerics.Kernels.SimdSupport.Preferred);
        float[] features = c.Features();
        int[]? labels = c.Labels();
        float[] fresh = new float[model.Parameters.Length];
        model.AccumulateGradient(c.Batch(features, labels, null, null), fresh);

        float[] accumulated = Enumerable.Repeat(1f, fresh.Length).ToArray();
        model.AccumulateGradient(c.Batch(features, labels, null, null), accumulated);
        for (int i = 0; i < fresh.Length; i++)
        {
            Assert.Equal(fresh[i] + 1f, accumulated[i], 1e-5f);
        }
    }

    [Theory]
    [MemberData(nameof(Widths.All), MemberType = typeof(Widths))]
    public void LossOfABatchEqualsTheSumOfItsRowsLosses(string width)
    {
        Properties.ForAll(Cases, c =>
        {
            DenseModel model = c.CreateModel(Widths.Parse(width));
            float[] features = c.Features();
            int[]? labels = c.Labels();
            float[]? targets = c.Targets();
            float whole = model.Loss(c.Batch(features, labels, targets, null));
            double sum = 0;
            for (int i = 0; i < c.Rows; i++)
            {
                float[] row = features.AsSpan(i * c.Shape.Features, c.Shape.Features).ToArray();
                sum += model.Loss(c.Batch(row, labels is null ? null : [labels[i]], targets?.AsSpan(i * c.Shape.Outputs, c.Shape.Outputs).ToArray(), null));
            }

            Assert.Equal(sum, whole, Math.Max(1e-3, Math.Abs(sum) * 1e-5));
        }, tests: 40);
    }
}
