using FsCheck.Fluent;
using Native.Numerics;
using Native.Tests.Support;

namespace Native.Tests;

/// <summary>Cross-entropy, binary cross-entropy and mean squared error: values, conventions at 0 and 1, extremes.</summary>
public class FunctionsLossesTests
{
    [Fact]
    public void CrossEntropyFromLogitsMatchesTheDoubleReference() =>
        Properties.ForAll(FunctionGenerators.LogitsWithLabel(-50f, 50f), t =>
        {
            (float[] z, int label) = t;
            double[] x = FunctionReference.ToDouble(z);
            double expected = FunctionReference.CrossEntropy(x, label);
            float loss = Losses.CrossEntropy(z, label);
            Assert.True(loss >= 0f, $"loss {loss} < 0");
            Assert.True(Math.Abs(loss - expected) <= 1e-6 * Math.Max(1, expected), $"loss {loss}, expected {expected}");
        });

    [Fact]
    public void CrossEntropyOfExtremeFiniteLogitsIsNeverNaN() =>
        Properties.ForAll(
            FunctionGenerators.ExtremeArrays.SelectMany(z => Gen.Choose(0, z.Length - 1), (z, label) => (z, label)),
            t =>
            {
                (float[] z, int label) = t;
                double[] x = FunctionReference.ToDouble(z);
                float expected = (float)FunctionReference.CrossEntropy(x, label);
                float loss = Losses.CrossEntropy(z, label);
                float[] gradient = new float[z.Length];
                float fused = Losses.CrossEntropyGradient(z, label, gradient);

                // +∞ only where the true loss is beyond float's range.
                Assert.True(loss == expected || Math.Abs(loss - expected) <= 1e-6f * Math.Max(1f, expected), $"loss {loss}, expected {expected}");
                Assert.Equal(loss, fused);
                Assert.All(gradient, g => Assert.True(g >= -1f && g <= 1f, $"gradient entry {g}"));
            });

    [Fact]
    public void CrossEntropyDoesNotGoThroughLogOfSoftmax()
    {
        // softmax([1000, 0])[1] underflows to 0 and log 0 = −∞, but the loss is exactly 1000.
        Assert.Equal(1000f, Losses.CrossEntropy([1000f, 0f], 1));
        Assert.Equal(0f, Losses.CrossEntropy([1000f, 0f], 0));
        Assert.Equal(2e30f, Losses.CrossEntropy([1e30f, -1e30f], 1));
        Assert.Equal(0f, Losses.CrossEntropy([float.MaxValue, -float.MaxValue], 0));
        Assert.Equal(float.PositiveInfinity, Losses.CrossEntropy([float.MaxValue, -float.MaxValue], 1));
        Assert.Equal(MathF.Log(4f), Losses.CrossEntropy([7f, 7f, 7f, 7f], 2), 1e-6f);
    }

    [Fact]
    public void CrossEntropyGradientIsSoftmaxMinusOneHotAndRunsInPlace() =>
        Properties.ForAll(FunctionGenerators.LogitsWithLabel(-30f, 30f), t =>
        {
            (float[] z, int label) = t;
            float[] p = new float[z.Length];
            Activations.Softmax(z, p);
            float[] gradient = new float[z.Length];
            float loss = Losses.CrossEntropyGradient(z, label, gradient);
            double others = 0;
            for (int i = 0; i < z.Length; i++)
            {
                if (i != label)
                {
                    Assert.Equal(p[i], gradient[i]);
                    others += p[i];
                }
            }

            // The label's entry is p − 1: as such below p = 1/2, else as −Σ of the others; the two agree to p's
            // rounding near 1.
            if (p[label] < 0.5f)
            {
                Assert.Equal(p[label] - 1f, gradient[label]);
            }
            else
            {
                Assert.True(Math.Abs(gradient[label] - (p[label] - 1.0)) <= 2e-7, $"gradient[label] = {gradient[label]}, p − 1 = {p[label] - 1.0}");
                Assert.True(Math.Abs(gradient[label] + others) <= 1e-6 * others, $"gradient[label] = {gradient[label]}, −Σ others = {-others}");
            }

            Assert.Equal(Losses.CrossEntropy(z, label), loss);

            float[] buffer = (float[])z.Clone();
            Assert.Equal(loss, Losses.CrossEntropyGradient(buffer, label, buffer));
            Assert.Equal(gradient, buffer);
        });

    [Fact]
    public void CrossEntropyGradientKeepsTheDigitsOfAConfidentCorrectPrediction()
    {
        // softmax([20, 0, 0])₀ = 1 − 4.1·10⁻⁹, which rounds to 1 in float: p − 1 would be 0.
        float[] gradient = new float[3];
        Losses.CrossEntropyGradient([20f, 0f, 0f], 0, gradient);
        double other = Math.Exp(-20) / (1 + (2 * Math.Exp(-20)));
        Assert.Equal(-2 * other, gradient[0], 1e-15);
        Assert.Equal(other, gradient[1], 1e-16);

        // Likewise σ(20) − 1 for binary cross-entropy.
        Assert.Equal(-2.0611537e-9, Losses.BinaryCrossEntropyFromLogitGradient(20f, 1f), 1e-16);
    }

    [Fact]
    public void CrossEntropyOverATargetDistributionFollowsItsConventions()
    {
        // 0·log 0 = 0: a zero target ignores a zero probability.
        Assert.Equal(0f, Losses.CrossEntropy([0f, 1f], [0f, 1f]));
        Assert.Equal(MathF.Log(2f), Losses.CrossEntropy([0.5f, 0.5f, 0f], [0f, 1f, 0f]), 1e-7f);

        // A probability of 0 where the target is positive: +∞.
        Assert.Equal(float.PositiveInfinity, Losses.CrossEntropy([1f, 0f], [0.5f, 0.5f]));

        // Against a one-hot target it is −log of the label's probability, as from the logits.
        float[] z = [1f, 2f, 0.5f];
        float[] p = new float[3];
        Activations.Softmax(z, p);
        Assert.Equal(Losses.CrossEntropy(z, 1), Losses.CrossEntropy(p, [0f, 1f, 0f]), 1e-6f);
        Assert.Equal(0f, Losses.CrossEntropy([], []));
    }

    [Fact]
    public void CrossEntropyOverATargetDistributionIsInformationCrossEntropy() =>
        Properties.ForAll(FunctionGenerators.DistributionPairs, t =>
        {
            // Losses takes (prediction, target); Information takes (true p, model q).
            Assert.Equal((float)Information.CrossEntropy(t.P, t.Q), Losses.CrossEntropy(t.Q, t.P));
        });

    [Fact]
    public void BinaryCrossEntropyFromALogitKeepsTinyLossesAndHugeOnes()
    {
        Assert.Equal(MathF.Log(2f), Losses.BinaryCrossEntropyFromLogit(0f, 1f), 1e-7f);

        // A confident correct prediction: the loss is log(1 + e^−20) = 2.0611536·10⁻⁹, not 0.
        Assert.Equal(2.0611536e-9, Losses.BinaryCrossEntropyFromLogit(20f, 1f), 1e-15);
        Assert.Equal(2.0611536e-9, Losses.BinaryCrossEntropyFromLogit(-20f, 0f), 1e-15);
        Assert.Equal(3.7200760e-44, Losses.BinaryCrossEntropyFromLogit(100f, 1f), 1e-45);

        // A confident wrong one: finite, not log 0.
        Assert.Equal(1000f, Losses.BinaryCrossEntropyFromLogit(-1000f, 1f));
        Assert.Equal(1000f, Losses.BinaryCrossEntropyFromLogit(1000f, 0f));
        Assert.Equal(1e30f, Losses.BinaryCrossEntropyFromLogit(1e30f, 0f));
        Assert.Equal(0f, Losses.BinaryCrossEntropyFromLogit(float.MaxValue, 1f));
        Assert.Equal(float.MaxValue / 2, Losses.BinaryCrossEntropyFromLogit(float.MaxValue, 0.5f));
        Assert.Equal(float.MaxValue, Losses.BinaryCrossEntropyFromLogit(-float.MaxValue, 1f));

        Assert.Equal(-1f, Losses.BinaryCrossEntropyFromLogitGradient(-1e30f, 1f));
        Assert.Equal(1f, Losses.BinaryCrossEntropyFromLogitGradient(float.MaxValue, 0f));
        Assert.Equal(0f, Losses.BinaryCrossEntropyFromLogitGradient(0f, 0.5f));
    }

    [Fact]
    public void BinaryCrossEntropyFromALogitEqualsItOnTheSigmoid() =>
        Properties.ForAll(FunctionGenerators.Pairs(-10f, 10f, 0f, 1f), t =>
        {
            (float[] z, float[] y) = t;
            double sum = 0;
            for (int i = 0; i < z.Length; i++)
            {
                double p = FunctionReference.Sigmoid(z[i]);
                double expected = -((y[i] * Math.Log(p)) + ((1 - y[i]) * Math.Log(1 - p)));
                float loss = Losses.BinaryCrossEntropyFromLogit(z[i], y[i]);
                Assert.True(loss >= 0f);
                Assert.True(FunctionReference.RelativeError(loss, expected, 1e-30) <= 1e-6, $"at z = {z[i]}, y = {y[i]}: {loss}, expected {expected}");
                sum += loss;
            }

            Assert.True(FunctionReference.RelativeError(Losses.BinaryCrossEntropyFromLogit(z, y), sum, 1e-30) <= 1e-6);
        });

    [Fact]
    public void BinaryCrossEntropyOnAProbabilityFollowsItsConventions()
    {
        Assert.Equal(0f, Losses.BinaryCrossEntropy(0f, 0f));
        Assert.Equal(0f, Losses.BinaryCrossEntropy(1f, 1f));
        Assert.Equal(MathF.Log(2f), Losses.BinaryCrossEntropy(0.5f, 0f), 1e-7f);
        Assert.Equal(MathF.Log(2f), Losses.BinaryCrossEntropy(0.5f, 0.3f), 1e-7f);
        Assert.Equal(-MathF.Log(0.8f), Losses.BinaryCrossEntropy(0.8f, 1f), 1e-7f);
        Assert.Equal(float.PositiveInfinity, Losses.BinaryCrossEntropy(0f, 0.5f));
        Assert.Equal(float.PositiveInfinity, Losses.BinaryCrossEntropy(1f, 0f));

        Assert.Equal(1f, Losses.BinaryCrossEntropyGradient(0f, 0f));
        Assert.Equal(-1f, Losses.BinaryCrossEntropyGradient(1f, 1f));
        Assert.Equal(float.NegativeInfinity, Losses.BinaryCrossEntropyGradient(0f, 0.5f));
        Assert.Equal(float.PositiveInfinity, Losses.BinaryCrossEntropyGradient(1f, 0f));
        Assert.Equal(-1.25f, Losses.BinaryCrossEntropyGradient(0.8f, 1f), 1e-6f);

        Assert.Equal(0f, Losses.BinaryCrossEntropy([], []));
        Assert.Equal(float.PositiveInfinity, Losses.BinaryCrossEntropy([0.5f, 1f], [0.5f, 0f]));
    }

    [Fact]
    public void BinaryCrossEntropySpanOverloadsSumTheScalarOnesAndRunInPlace() =>
        Properties.ForAll(FunctionGenerators.Pairs(0f, 1f, 0f, 1f), t =>
        {
            (float[] p, float[] y) = t;
            double sum = 0;
            float[] expectedGradient = new float[p.Length];
            for (int i = 0; i < p.Length; i++)
            {
                sum += Losses.BinaryCrossEntropy(p[i], y[i]);
                expectedGradient[i] = Losses.BinaryCrossEntropyGradient(p[i], y[i]);
            }

            Assert.True(FunctionReference.RelativeError(Losses.BinaryCrossEntropy(p, y), sum, 1e-30) <= 1e-6);
            float[] buffer = (float[])p.Clone();
            float loss = Losses.BinaryCrossEntropyGradient(buffer, y, buffer);
            Assert.Equal(Losses.BinaryCrossEntropy(p, y), loss);
            Assert.Equal(expectedGradient, buffer);

            buffer = (float[])y.Clone();
            Assert.Equal(Losses.BinaryCrossEntropyFromLogit(p, y), Losses.BinaryCrossEntropyFromLogitGradient(p, buffer, buffer));
            for (int i = 0; i < p.Length; i++)
            {
                Assert.Equal(Losses.BinaryCrossEntropyFromLogitGradient(p[i], y[i]), buffer[i]);
            }
        });

    [Fact]
    public void MeanSquaredErrorIsTheMeanWithoutAHalf()
    {
        Assert.Equal(4f / 3f, Losses.MeanSquaredError([1f, 2f, 3f], [1f, 2f, 5f]));
        float[] gradient = new float[3];
        Assert.Equal(4f / 3f, Losses.MeanSquaredErrorGradient([1f, 2f, 3f], [1f, 2f, 5f], gradient));
        Assert.Equal([0f, 0f, -4f / 3f], gradient);
        Assert.Equal(float.PositiveInfinity, Losses.MeanSquaredError([1e30f], [-1e30f]));
    }

    [Fact]
    public void MeanSquaredErrorGradientRunsInPlaceOnEitherInput() =>
        Properties.ForAll(FunctionGenerators.Pairs(-10f, 10f, -10f, 10f), t =>
        {
            (float[] predictions, float[] targets) = t;
            float[] expected = new float[predictions.Length];
            float loss = Losses.MeanSquaredErrorGradient(predictions, targets, expected);

            float[] buffer = (float[])predictions.Clone();
            Assert.Equal(loss, Losses.MeanSquaredErrorGradient(buffer, targets, buffer));
            Assert.Equal(expected, buffer);
            buffer = (float[])targets.Clone();
            Assert.Equal(loss, Losses.MeanSquaredErrorGradient(predictions, buffer, buffer));
            Assert.Equal(expected, buffer);
        });

    [Theory]
    [InlineData(FunctionKernelWidth.Scalar)]
    [InlineData(FunctionKernelWidth.Vector128)]
    [InlineData(FunctionKernelWidth.Vector256)]
    [InlineData(FunctionKernelWidth.Vector512)]
    public void SquaredDifferenceKernelsMatchDoubleAtEveryWidth(FunctionKernelWidth width) =>
        Properties.ForAll(FunctionGenerators.Pairs(-10f, 10f, -10f, 10f), t =>
        {
            (float[] a, float[] b) = t;
            double expected = 0;
            for (int i = 0; i < a.Length; i++)
            {
                expected += ((double)a[i] - b[i]) * ((double)a[i] - b[i]);
            }

            float[] gradient = new float[a.Length];
            double sum = FunctionKernelsAtWidth.SumOfSquaredDifferences(width, a, b);
            Assert.Equal(sum, FunctionKernelsAtWidth.SumOfSquaredDifferences(width, a, b, gradient, 0.5f));
            Assert.True(FunctionReference.RelativeError(sum, expected, 1e-30) <= 1e-6, $"{width}: {sum}, expected {expected}");
            for (int i = 0; i < a.Length; i++)
            {
                Assert.Equal((a[i] - b[i]) * 0.5f, gradient[i]);
            }
        }, tests: 50);

    [Fact]
    public void LongSumsStayAccurate()
    {
        // A million squared differences of 0.1: float accumulation alone would drift; the blocked double total does not.
        float[] a = Enumerable.Repeat(0.1f, 1_000_003).ToArray();
        float[] b = new float[a.Length];
        double expected = (double)0.1f * 0.1f;
        Assert.True(FunctionReference.RelativeError(Losses.MeanSquaredError(a, b), expected, 1e-30) <= 1e-6);
    }
}
