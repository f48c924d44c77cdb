using FsCheck.Fluent;
using Native.Numerics;
using Native.Tests.Support;

namespace Native.Tests.Models;

/// <summary>Outputs and predictions of every model against the double-precision reference, on every path.</summary>
public class ForwardTests
{
    private static readonly FsCheck.Gen<ModelCase> Cases =
        from kind in Gen.Elements(Enum.GetValues<ModelKind>())
        from features in Properties.AwkwardLength
        from classes in Gen.Choose(2, 17)
        from hidden in Gen.Choose(1, 2).SelectMany(n => Gen.ArrayOf(Gen.Choose(1, 20), n))
        from activation in Gen.Elements(Enum.GetValues<Activation>())
        from rows in Gen.Elements(1, 3, 64, 67)
        from seed in Gen.Choose(0, int.MaxValue / 2)
        select new ModelCase(GradientTests.Shape(kind, features, classes, hidden, activation), rows, seed);

    [Theory]
    [MemberData(nameof(Widths.All), MemberType = typeof(Widths))]
    public void ForwardAndForwardBatchMatchTheReference(string width)
    {
        Properties.ForAll(Cases, c =>
        {
            DenseModel model = c.CreateModel(Widths.Parse(width));
            int f = c.Shape.Features, o = c.Shape.Outputs;
            float[] features = c.Features();
            float[] batch = new float[c.Rows * o];
            model.ForwardBatch(features, batch);
            double[] parameters = ReferenceNetwork.ToDouble(model.Parameters);
            float[] single = new float[o];
            for (int i = 0; i < c.Rows; i++)
            {
                double[] expected = ReferenceNetwork.Forward(c.Shape, parameters, features.AsSpan(i * f, f));
                model.Forward(features.AsSpan(i * f, f), single);
                for (int j = 0; j < o; j++)
                {
                    double tolerance = 1e-4 * Math.Max(1, Math.Abs(expected[j])) * Math.Sqrt(f);
                    Assert.True(Math.Abs(expected[j] - single[j]) <= tolerance, $"{c}: row {i} output {j}: expected {expected[j]}, Forward gave {single[j]}");
                    Assert.True(Math.Abs(expected[j] - batch[(i * o) + j]) <= tolerance, $"{c}: row {i} output {j}: expected {expected[j]}, ForwardBatch gave {batch[(i * o) + j]}");
                }
            }
        }, tests: 60);
    }

    [Theory]
    [MemberData(nameof(Widths.All), MemberType = typeof(Widths))]
    public void PredictIsTheMostProbableClass(string width)
    {
        var cases = Cases.Where(c => c.Shape.Task != ModelTask.Regression);
        Properties.ForAll(cases, c =>
        {
            var model = (IClassifier)c.CreateModel(Widths.Parse(width));
            int f = c.Shape.Features;
            float[] features = c.Features();
            float[] probabilities = new float[c.Rows * model.Classes];
            int[] classes = new int[c.Rows];
            model.PredictProbabilities(features, probabilities);
            model.PredictClasses(features, classes);
            for (int i = 0; i < c.Rows; i++)
            {
                ReadOnlySpan<float> p = probabilities.AsSpan(i * model.Classes, model.Classes);
                Assert.Equal(1f, p.ToArray().Sum(), 1e-5f);
                Assert.Equal(classes[i], model.PredictClass(features.AsSpan(i * f, f)));

                // The predicted class is a most probable one (ties within rounding allowed).
                Assert.True(p[classes[i]] >= p.ToArray().Max() - 1e-6f, $"{c}: row {i} predicted {classes[i]}");
            }
        }, tests: 60);
    }

    [Fact]
    public void LinearAndLogisticRegressionPredictFromTheirParameters()
    {
        var linear = new LinearRegression(2);
        float[] theta = [2f, -3f, 0.5f]; // w = (2, −3), b = 0.5
        theta.CopyTo(linear.Parameters);
        Assert.Equal((2f * 1.5f) - (3f * 4f) + 0.5f, linear.PredictValue([1.5f, 4f]), 1e-5f);

        var logistic = new LogisticRegression(2);
        theta.CopyTo(logistic.Parameters);
        float z = (2f * 1f) - (3f * 0.25f) + 0.5f;
        Assert.Equal(1, logistic.PredictClass([1f, 0.25f]));
        Assert.Equal(0, logistic.PredictClass([0f, 1f]));
        float[] probabilities = new float[2];
        logistic.PredictProbabilities([1f, 0.25f], probabilities);
        Assert.Equal(1f / (1f + MathF.Exp(-z)), probabilities[1], 1e-6f);
        Assert.Equal(1f, probabilities[0] + probabilities[1], 1e-6f);
    }

    [Fact]
    public void ParametersAreOneAlignedBlockInTheDocumentedLayout()
    {
        var model = new MultilayerPerceptron([3, 4, 2], Activation.Tanh, seed: 1);
        Assert.Equal((3 * 4) + 4 + (4 * 2) + 2, model.Parameters.Length);
        Assert.Equal(0, model.Shape.WeightOffset(0));
        Assert.Equal(12, model.Shape.BiasOffset(0));
        Assert.Equal(16, model.Shape.WeightOffset(1));
        Assert.Equal(24, model.Shape.BiasOffset(1));
        unsafe
        {
            fixed (float* p = model.Parameters)
            {
                Assert.Equal(0, (long)p % 64);
            }
        }

        // Biases start at zero, weights do not.
        Assert.All(model.Parameters.Slice(12, 4).ToArray(), b => Assert.Equal(0f, b));
        Assert.Contains(model.Parameters.Slice(0, 12).ToArray(), w => w != 0f);
    }

    [Fact]
    public void InitializationIsSeededAndScaledByFanIn()
    {
        var a = new MultilayerPerceptron([784, 128, 10], Activation.Relu, seed: 5);
        var b = new MultilayerPerceptron([784, 128, 10], Activation.Relu, seed: 5);
        var c = new MultilayerPerceptron([784, 128, 10], Activation.Relu, seed: 6);
        Assert.True(a.Parameters.SequenceEqual(b.Parameters));
        Assert.False(a.Parameters.SequenceEqual(c.Parameters));

        // He: weights of the first layer have variance 2 / 784.
        float[] first = a.Parameters[..(784 * 128)].ToArray();
        double variance = first.Select(w => (double)w * w).Average();
        Assert.Equal(2.0 / 784, variance, 2.0 / 784 * 0.05);

        // Xavier (uniform) for tanh: variance 2 / (inputs + outputs).
        var tanh = new MultilayerPerceptron([784, 128, 10], Activation.Tanh, seed: 5);
        double tanhVariance = tanh.Parameters[..(784 * 128)].ToArray().Select(w => (double)w * w).Average();
        Assert.Equal(2.0 / (784 + 128), tanhVariance, 2.0 / (784 + 128) * 0.05);
    }
}
