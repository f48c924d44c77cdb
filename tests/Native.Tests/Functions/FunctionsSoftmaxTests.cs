using System.Numerics.Tensors;
using FsCheck.Fluent;
using Native.Numerics;
using Native.Tests.Support;

namespace Native.Tests;

/// <summary>Softmax, softmax in a base, log-softmax, hardmax and argmax: properties, golden values and extremes.</summary>
public class FunctionsSoftmaxTests
{
    /// <summary>The bound on |Σ p − 1|: the float sum behind the normalization carries about n/16 roundings per lane.</summary>
    private static double SumTolerance(int n) => 1e-6 + (1e-8 * n);

    /// <summary>The smallest normal float, 2⁻¹²⁶.</summary>
    private const float SmallestNormal = 1.17549435e-38f;

    [Fact]
    public void SoftmaxSumsToOneWithEveryEntryInTheUnitInterval() =>
        Properties.ForAll(Properties.AwkwardFloats(-50f, 50f), z =>
        {
            float[] p = Softmax(z);
            AssertDistribution(p, "softmax");
        });

    [Fact]
    public void SoftmaxMatchesTheDoubleReference() =>
        Properties.ForAll(Properties.AwkwardFloats(-50f, 50f), z =>
        {
            AssertClose(FunctionReference.Softmax(z), Softmax(z), relative: 1e-6, "softmax");
        });

    [Fact]
    public void SoftmaxIsInvariantToAddingAConstant() =>
        Properties.ForAll(
            Properties.AwkwardFloats(-20f, 20f).SelectMany(z => Properties.Float(-100f, 100f), (z, c) => (z, c)),
            t =>
            {
                float[] shifted = Array.ConvertAll(t.z, v => v + t.c);

                // Rounding z + c moves each logit by up to half an ulp of 120 (4·10⁻⁶), so a probability moves by
                // up to about 8·10⁻⁶ of itself; 10⁻⁴ leaves room and still catches any real dependence on c.
                AssertClose(Array.ConvertAll(Softmax(t.z), v => (double)v), Softmax(shifted), relative: 1e-4, "softmax(z + c) against softmax(z)");
            });

    [Fact]
    public void SoftmaxGivesTheArgmaxTheLargestProbability() =>
        Properties.ForAll(Properties.AwkwardFloats(-30f, 30f), z =>
        {
            float[] p = Softmax(z);
            Assert.Equal(TensorPrimitives.Max(p), p[Activations.ArgMax(z)]);
        });

    [Fact]
    public void SoftmaxOfExtremeFiniteInputsIsAFiniteDistribution() =>
        Properties.ForAll(FunctionGenerators.ExtremeArrays, z =>
        {
            AssertDistribution(Softmax(z), "softmax");
            foreach (float logBase in new[] { 2f, MathF.E, 10f, 0.5f, 1e30f, 1.0001f })
            {
                float[] p = new float[z.Length];
                Activations.Softmax(z, p, logBase);
                AssertDistribution(p, $"softmax in base {logBase}");
            }
        });

    [Fact]
    public void SoftmaxOfExtremeInputsMatchesTheDoubleReference() =>
        Properties.ForAll(FunctionGenerators.ExtremeArrays, z =>
        {
            // In double, z·ln b never overflows, so the reference is right where a naive float softmax is NaN.
            AssertClose(FunctionReference.Softmax(z), Softmax(z), relative: 1e-6, "softmax");
            float[] p = new float[z.Length];
            Activations.Softmax(z, p, 0.5f);
            AssertClose(FunctionReference.Softmax(z, 0.5), p, relative: 1e-5, "softmax in base 0.5");
        });

    [Fact]
    public void Base2SoftmaxEqualsSoftmaxOfLogitsTimesLn2() =>
        Properties.ForAll(Properties.AwkwardFloats(-40f, 40f), z =>
        {
            float[] base2 = new float[z.Length];
            Activations.Softmax(z, base2, 2f);
            float[] scaled = Array.ConvertAll(z, v => v * MathF.Log(2f));

            // z·ln 2 rounds each logit by up to 2·10⁻⁶ absolute, so a probability moves by up to about 4·10⁻⁶ of itself.
            AssertClose(Array.ConvertAll(Softmax(scaled), v => (double)v), base2, relative: 2e-5, "base-2 softmax against softmax(z·ln 2)");
        });

    [Fact]
    public void SoftmaxInAnyBaseMatchesTheDoubleReference()
    {
        foreach (float logBase in new[] { 0.1f, 0.5f, 1.5f, 2f, MathF.E, 10f })
        {
            Properties.ForAll(Properties.AwkwardFloats(-20f, 20f), z =>
            {
                float[] p = new float[z.Length];
                Activations.Softmax(z, p, logBase);
                AssertClose(FunctionReference.Softmax(z, logBase), p, relative: 1e-5, $"softmax in base {logBase}");
            }, tests: 30);
        }
    }

    [Fact]
    public void TwoClassSoftmaxIsTheSigmoidOfTheDifference() =>
        Properties.ForAll(Properties.Floats(2, -20f, 20f), z =>
        {
            float[] p = Softmax(z);
            float sigmoid = Activations.Sigmoid(z[0] - z[1]);
            Assert.True(Math.Abs(p[0] - sigmoid) <= 1e-6 + (1e-5 * sigmoid), $"softmax({z[0]}, {z[1]})[0] = {p[0]} but σ(difference) = {sigmoid}");
        });

    [Fact]
    public void LogSoftmaxIsTheLogOfSoftmaxWhereThatIsFinite() =>
        Properties.ForAll(Properties.AwkwardFloats(-50f, 50f), z =>
        {
            float[] p = Softmax(z);
            float[] logP = new float[z.Length];
            Activations.LogSoftmax(z, logP);
            for (int i = 0; i < z.Length; i++)
            {
                // Where p is a normal float, log p is accurate to about 3·10⁻⁷ absolute; log-softmax's own
                // (z − max) − lse rounds to half an ulp of |log p| ≤ 100.
                if (p[i] >= SmallestNormal)
                {
                    double expected = Math.Log(p[i]);
                    Assert.True(Math.Abs(logP[i] - expected) <= 1e-6 + (2e-7 * Math.Abs(expected)), $"log-softmax[{i}] = {logP[i]}, log softmax = {expected}");
                }
            }
        });

    [Fact]
    public void LogSoftmaxMatchesTheDoubleReferenceAndIsNeverPositive() =>
        Properties.ForAll(Properties.AwkwardFloats(-100f, 100f), z =>
        {
            float[] logP = new float[z.Length];
            Activations.LogSoftmax(z, logP);
            double[] expected = FunctionReference.LogSoftmax(z);
            for (int i = 0; i < z.Length; i++)
            {
                Assert.True(logP[i] <= 0f, $"log-softmax[{i}] = {logP[i]} > 0");
                Assert.True(Math.Abs(logP[i] - expected[i]) <= 1e-6 + (2e-7 * Math.Abs(expected[i])), $"log-softmax[{i}] = {logP[i]}, reference {expected[i]}");
            }
        });

    [Fact]
    public void LogSoftmaxOfExtremeFiniteInputsHasNoNaN() =>
        Properties.ForAll(FunctionGenerators.ExtremeArrays, z =>
        {
            float[] logP = new float[z.Length];
            Activations.LogSoftmax(z, logP);
            double[] expected = FunctionReference.LogSoftmax(z);
            for (int i = 0; i < z.Length; i++)
            {
                // −∞ is allowed exactly where the true value is beyond float's range.
                Assert.False(float.IsNaN(logP[i]), $"log-softmax[{i}] is NaN");
                Assert.True(logP[i] <= 0f, $"log-softmax[{i}] = {logP[i]} > 0");
                float nearest = (float)expected[i];
                Assert.True(logP[i] == nearest || Math.Abs(logP[i] - nearest) <= 1e-6f + (2e-7f * Math.Abs(nearest)), $"log-softmax[{i}] = {logP[i]}, reference {expected[i]}");
            }
        });

    [Fact]
    public void HardmaxIsOneHotAtTheArgmax() =>
        Properties.ForAll(FunctionGenerators.ExtremeArrays, z =>
        {
            float[] oneHot = new float[z.Length];
            Activations.Hardmax(z, oneHot);
            int argMax = Activations.ArgMax(z);
            for (int i = 0; i < z.Length; i++)
            {
                Assert.Equal(i == argMax ? 1f : 0f, oneHot[i]);
                Assert.True(z[i] <= z[argMax] && (i >= argMax || z[i] < z[argMax]), $"z[{i}] = {z[i]} against the argmax z[{argMax}] = {z[argMax]}");
            }
        });

    [Fact]
    public void ArgMaxBreaksTiesTowardTheFirstIndex()
    {
        Assert.Equal(1, Activations.ArgMax([1f, 3f, 3f, 2f]));
        Assert.Equal(0, Activations.ArgMax(Enumerable.Repeat(5f, 40).ToArray()));
        Assert.Equal(6, Activations.ArgMax(Enumerable.Range(0, 40).Select(i => (float)(i % 7)).ToArray()));
        Assert.Equal(0, Activations.ArgMax([-float.MaxValue]));
    }

    [Fact]
    public void SoftmaxOfTheCourseExampleMatchesItsValues()
    {
        float[] p = Softmax([2f, 4f, 2f, 1f]);
        AssertGolden([0.1025, 0.7573, 0.1025, 0.0377], p);
    }

    [Fact]
    public void Base2SoftmaxOfTheCourseExampleMatchesItsValues()
    {
        float[] p = new float[4];
        Activations.Softmax([2f, 4f, 2f, 1f], p, 2f);
        AssertGolden([0.1538, 0.6154, 0.1538, 0.0769], p);
    }

    [Fact]
    public void SoftmaxLayerOfTheCourseExampleMatchesItsValues()
    {
        // z = W·x + b with W (3, 2) row-major, by a plain loop.
        float[,] w = { { 0.31f, 3.95f }, { 7.07f, -0.23f }, { -6.27f, -2.35f } };
        float[] b = [1.2f, 2.93f, -4.14f];
        float[] x = [-0.1f, 1.4f];
        float[] z = new float[3];
        for (int i = 0; i < 3; i++)
        {
            z[i] = b[i];
            for (int j = 0; j < 2; j++)
            {
                z[i] += w[i, j] * x[j];
            }
        }

        AssertGolden([6.699, 1.901, -6.803], z);
        AssertGolden([0.9918, 0.0082, 0.0000], Softmax(z));
    }

    [Fact]
    public void SoftmaxAtTheFloatLimitsIsExact()
    {
        Assert.Equal([1f, 0f], Softmax([float.MaxValue, -float.MaxValue]));
        Assert.Equal([0f, 1f], Softmax([-float.MaxValue, float.MaxValue]));
        Assert.Equal([0.5f, 0.5f], Softmax([float.MaxValue, float.MaxValue]));
        Assert.Equal([0.5f, 0.5f], Softmax([-float.MaxValue, -float.MaxValue]));
        Assert.Equal([0f, 1f, 0f], Softmax([-1e30f, 1e30f, 0f]));

        // TensorPrimitives.SoftMax gives [NaN, NaN, 0] here.
        float[] p = Softmax([100f, 200f, 50f]);
        Assert.Equal(1f, p[1]);
        Assert.True(p[0] is >= 0f and <= 1e-43f, $"p[0] = {p[0]}, e^−100 = 3.7·10⁻⁴⁴ is subnormal");
        Assert.Equal(0f, p[2]);

        float[] reversed = new float[2];
        Activations.Softmax([float.MaxValue, -float.MaxValue], reversed, 0.5f);
        Assert.Equal([0f, 1f], reversed);
        Activations.Softmax([float.MaxValue, -float.MaxValue], reversed, 1e30f);
        Assert.Equal([1f, 0f], reversed);

        float[] logP = new float[2];
        Activations.LogSoftmax([float.MaxValue, -float.MaxValue], logP);
        Assert.Equal([0f, float.NegativeInfinity], logP);
    }

    [Fact]
    public void NegativeInfinityMasksALogitAndNonFiniteLogitsGiveNaN()
    {
        Assert.Equal([0f, 0.5f, 0.5f], Softmax([float.NegativeInfinity, 3f, 3f]));
        float[] logP = new float[3];
        Activations.LogSoftmax([float.NegativeInfinity, 3f, 3f], logP);
        Assert.Equal([float.NegativeInfinity, -MathF.Log(2f), -MathF.Log(2f)], logP);

        Assert.All(Softmax([1f, float.NaN, 2f]), v => Assert.True(float.IsNaN(v)));
        Assert.All(Softmax([1f, float.PositiveInfinity]), v => Assert.True(float.IsNaN(v)));
        Assert.All(Softmax([float.NegativeInfinity, float.NegativeInfinity]), v => Assert.True(float.IsNaN(v)));
        Activations.LogSoftmax([1f, float.NaN, 2f], logP);
        Assert.All(logP, v => Assert.True(float.IsNaN(v)));
    }

    [Fact]
    public void DistributionFunctionsRunInPlace() =>
        Properties.ForAll(Properties.AwkwardFloats(-30f, 30f), z =>
        {
            float[] expected = Softmax(z);
            float[] buffer = (float[])z.Clone();
            Activations.Softmax(buffer, buffer);
            Assert.Equal(expected, buffer);

            Activations.Softmax(z, expected, 3f);
            buffer = (float[])z.Clone();
            Activations.Softmax(buffer, buffer, 3f);
            Assert.Equal(expected, buffer);

            Activations.LogSoftmax(z, expected);
            buffer = (float[])z.Clone();
            Activations.LogSoftmax(buffer, buffer);
            Assert.Equal(expected, buffer);

            Activations.Hardmax(z, expected);
            buffer = (float[])z.Clone();
            Activations.Hardmax(buffer, buffer);
            Assert.Equal(expected, buffer);
        }, tests: 30);

    [Theory]
    [InlineData(FunctionKernelWidth.Scalar)]
    [InlineData(FunctionKernelWidth.Vector128)]
    [InlineData(FunctionKernelWidth.Vector256)]
    [InlineData(FunctionKernelWidth.Vector512)]
    public void ExponentialKernelsMatchTheReferenceAtEveryWidth(FunctionKernelWidth width) =>
        Properties.ForAll(Properties.AwkwardFloats(-60f, 60f), z =>
        {
            float max = z.Max();
            float[] terms = new float[z.Length];
            double sum = FunctionKernelsAtWidth.Exponentials(width, z, terms, max, 0.75f);
            double sumOnly = FunctionKernelsAtWidth.SumOfExponentials(width, z, max, 0.75f);
            double expectedSum = 0;
            for (int i = 0; i < z.Length; i++)
            {
                // The exponent as the kernel forms it in float, so this measures e^t alone (FastExp: 3·10⁻⁷).
                float exponent = (z[i] - max) * 0.75f;
                double expected = Math.Exp(exponent);
                expectedSum += expected;
                Assert.True(Math.Abs(terms[i] - expected) <= (4e-7 * expected) + 1e-37, $"{width}: e^(0.75·(z − max)) at {i} is {terms[i]}, expected {expected}");
            }

            Assert.Equal(sum, sumOnly);
            Assert.True(Math.Abs(sum - expectedSum) <= 1e-6 * expectedSum, $"{width}: sum {sum}, expected {expectedSum}");
        }, tests: 50);

    private static float[] Softmax(float[] z)
    {
        float[] p = new float[z.Length];
        Activations.Softmax(z, p);
        return p;
    }

    private static void AssertDistribution(float[] p, string what)
    {
        double sum = 0;
        for (int i = 0; i < p.Length; i++)
        {
            Assert.True(p[i] >= 0f && p[i] <= 1f, $"{what}[{i}] = {p[i]} is not in [0, 1]");
            sum += p[i];
        }

        Assert.True(Math.Abs(sum - 1) <= SumTolerance(p.Length), $"{what} sums to {sum:R} over {p.Length} entries");
    }

    /// <summary>
    /// Each probability within <paramref name="relative"/> of the reference, plus the error of its exponent:
    /// tᵢ = (zᵢ − m)·ln b is rounded to float once or twice before e^t, which moves e^t by up to about
    /// 1.2·10⁻⁷·|tᵢ| of itself (any float softmax has this; it is 10⁻⁵ at t = −87, where e^t nears
    /// underflow). Below float's normal range the kernels may flush to 0, which 10⁻³⁷ absolute covers.
    /// </summary>
    private static void AssertClose(double[] expected, float[] actual, double relative, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        double largest = expected.Max();
        for (int i = 0; i < expected.Length; i++)
        {
            double exponent = expected[i] > 0 ? Math.Abs(Math.Log(expected[i] / largest)) : 0;
            double allowed = ((relative + (1.5e-7 * exponent)) * expected[i]) + 1e-37;
            double error = Math.Abs(actual[i] - expected[i]);
            Assert.True(error <= allowed, $"{what}[{i}] of {expected.Length}: {actual[i]:R}, expected {expected[i]:R}");
        }
    }

    private static void AssertGolden(double[] expected, float[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.Equal(expected[i], Math.Round(actual[i], 4));
        }
    }
}
