using FsCheck.Fluent;
using Native.Numerics;
using Native.Tests.Support;
using static Native.Tests.FunctionReference;

namespace Native.Tests;

/// <summary>
/// Every derivative and gradient against central differences of an independent double-precision forward
/// function, at random inputs: relative error at most 10⁻³ (see <see cref="FunctionReference.AssertGradient"/>).
/// </summary>
public class FunctionsGradientTests
{
    [Fact]
    public void SigmoidDerivativeMatchesCentralDifferences() =>
        CheckElementwiseDerivative(
            Properties.AwkwardFloats(-20f, 20f),
            Sigmoid,
            (s, d) => Activations.SigmoidDerivative(s, d),
            Activations.SigmoidDerivative,
            "SigmoidDerivative");

    [Fact]
    public void TanhDerivativeMatchesCentralDifferences() =>
        CheckElementwiseDerivative(
            Properties.AwkwardFloats(-10f, 10f),
            Math.Tanh,
            (s, d) => Activations.TanhDerivative(s, d),
            Activations.TanhDerivative,
            "TanhDerivative");

    [Fact]
    public void ReluDerivativeMatchesCentralDifferencesAwayFromTheKink() =>
        CheckElementwiseDerivative(
            AwayFromZero(-10f, 10f),
            x => Math.Max(x, 0),
            (s, d) => Activations.ReluDerivative(s, d),
            Activations.ReluDerivative,
            "ReluDerivative");

    [Fact]
    public void LeakyReluDerivativeMatchesCentralDifferencesAwayFromTheKink() =>
        CheckElementwiseDerivative(
            AwayFromZero(-10f, 10f),
            x => LeakyRelu(x, 0.05),
            (s, d) => Activations.LeakyReluDerivative(s, d, 0.05f),
            x => Activations.LeakyReluDerivative(x, 0.05f),
            "LeakyReluDerivative");

    [Fact]
    public void SoftmaxBackwardMatchesCentralDifferences() =>
        Properties.ForAll(FunctionGenerators.Pairs(-10f, 10f, -1f, 1f), t =>
        {
            // L(z) = Σᵢ gᵢ softmax(z)ᵢ, so ∂L/∂z is the vector-Jacobian product with g.
            (float[] z, float[] g) = t;
            float[] p = new float[z.Length];
            Activations.Softmax(z, p);
            float[] analytic = new float[z.Length];
            Activations.SoftmaxBackward(p, g, analytic);
            // The float p's rounding moves p·g by about 3·10⁻⁷·max|g|, which no formula can recover.
            AssertGradient(x => Dot(g, Softmax(x)), ToDouble(z), analytic, "SoftmaxBackward", floor: 1e-3 * g.Max(MathF.Abs));
        }, tests: 40);

    [Fact]
    public void LogSoftmaxBackwardMatchesCentralDifferences() =>
        Properties.ForAll(FunctionGenerators.Pairs(-10f, 10f, -1f, 1f), t =>
        {
            // L(z) = Σᵢ gᵢ log-softmax(z)ᵢ.
            (float[] z, float[] g) = t;
            float[] y = new float[z.Length];
            Activations.LogSoftmax(z, y);
            float[] analytic = new float[z.Length];
            Activations.LogSoftmaxBackward(y, g, analytic);
            // The float y's rounding moves e^y·Σg by about 3·10⁻⁷·|Σg|.
            AssertGradient(x => Dot(g, LogSoftmaxOf(x)), ToDouble(z), analytic, "LogSoftmaxBackward", floor: 1e-3 * (Math.Abs(g.Sum()) + g.Max(MathF.Abs)));
        }, tests: 40);

    [Fact]
    public void CrossEntropyGradientMatchesCentralDifferences() =>
        Properties.ForAll(FunctionGenerators.LogitsWithLabel(-20f, 20f), t =>
        {
            // L(z) = log Σ e^z − z_label.
            (float[] z, int label) = t;
            float[] analytic = new float[z.Length];
            float loss = Losses.CrossEntropyGradient(z, label, analytic);
            double[] x = ToDouble(z);
            double expected = LogSumExp(x) - x[label];
            Assert.True(Math.Abs(loss - expected) <= 1e-6 * Math.Max(1, expected), $"loss {loss}, expected {expected}");
            AssertGradient(v => LogSumExp(v) - v[label], x, analytic, "CrossEntropyGradient");
        }, tests: 40);

    [Fact]
    public void BinaryCrossEntropyFromLogitGradientMatchesCentralDifferences() =>
        Properties.ForAll(FunctionGenerators.Pairs(-30f, 30f, 0f, 1f), t =>
        {
            // L(z) = Σᵢ yᵢ·log(1 + e^−zᵢ) + (1 − yᵢ)·log(1 + e^zᵢ), the definition −[y log σ + (1 − y) log(1 − σ)].
            (float[] z, float[] y) = t;
            float[] analytic = new float[z.Length];
            float loss = Losses.BinaryCrossEntropyFromLogitGradient(z, y, analytic);
            double Loss(double[] x)
            {
                double sum = 0;
                for (int i = 0; i < x.Length; i++)
                {
                    sum += (y[i] * Softplus(-x[i])) + ((1 - y[i]) * Softplus(x[i]));
                }

                return sum;
            }

            double[] point = ToDouble(z);
            Assert.True(RelativeError(loss, Loss(point), 1e-30) <= 1e-6, $"loss {loss}, expected {Loss(point)}");
            AssertGradient(Loss, point, analytic, "BinaryCrossEntropyFromLogitGradient(span)");
            for (int i = 0; i < z.Length; i++)
            {
                Assert.Equal(analytic[i], Losses.BinaryCrossEntropyFromLogitGradient(z[i], y[i]));
            }
        }, tests: 40);

    [Fact]
    public void BinaryCrossEntropyGradientMatchesCentralDifferences() =>
        Properties.ForAll(FunctionGenerators.Pairs(0.01f, 0.99f, 0f, 1f), t =>
        {
            (float[] p, float[] y) = t;
            float[] analytic = new float[p.Length];
            float loss = Losses.BinaryCrossEntropyGradient(p, y, analytic);
            double Loss(double[] x)
            {
                double sum = 0;
                for (int i = 0; i < x.Length; i++)
                {
                    sum -= (y[i] * Math.Log(x[i])) + ((1 - y[i]) * Math.Log(1 - x[i]));
                }

                return sum;
            }

            double[] point = ToDouble(p);
            Assert.True(RelativeError(loss, Loss(point), 1e-30) <= 1e-6, $"loss {loss}, expected {Loss(point)}");
            AssertGradient(Loss, point, analytic, "BinaryCrossEntropyGradient(span)");
            for (int i = 0; i < p.Length; i++)
            {
                Assert.Equal(analytic[i], Losses.BinaryCrossEntropyGradient(p[i], y[i]));
            }
        }, tests: 40);

    [Fact]
    public void MeanSquaredErrorGradientMatchesCentralDifferences() =>
        Properties.ForAll(FunctionGenerators.Pairs(-10f, 10f, -10f, 10f), t =>
        {
            (float[] predictions, float[] targets) = t;
            float[] analytic = new float[predictions.Length];
            float loss = Losses.MeanSquaredErrorGradient(predictions, targets, analytic);
            double Loss(double[] x)
            {
                double sum = 0;
                for (int i = 0; i < x.Length; i++)
                {
                    sum += (x[i] - targets[i]) * (x[i] - targets[i]);
                }

                return sum / x.Length;
            }

            double[] point = ToDouble(predictions);
            Assert.True(RelativeError(loss, Loss(point), 1e-30) <= 1e-6, $"loss {loss}, expected {Loss(point)}");
            Assert.Equal(loss, Losses.MeanSquaredError(predictions, targets));
            AssertGradient(Loss, point, analytic, "MeanSquaredErrorGradient");
        }, tests: 40);

    /// <summary>
    /// Checks the span and scalar derivative of an element-wise activation against central differences of
    /// <paramref name="forward"/> at every generated point.
    /// </summary>
    private static void CheckElementwiseDerivative(
        FsCheck.Gen<float[]> inputs,
        Func<double, double> forward,
        Action<float[], float[]> spanDerivative,
        Func<float, float> scalarDerivative,
        string what) =>
        Properties.ForAll(inputs, x =>
        {
            float[] analytic = new float[x.Length];
            spanDerivative(x, analytic);
            for (int i = 0; i < x.Length; i++)
            {
                double numeric = CentralDifference(forward, x[i]);
                double spanError = RelativeError(analytic[i], numeric);
                double scalarError = RelativeError(scalarDerivative(x[i]), numeric);
                Assert.True(spanError <= 1e-3, $"{what}(span) at {x[i]:R}: {analytic[i]:R}, central difference {numeric:R}");
                Assert.True(scalarError <= 1e-3, $"{what}(float) at {x[i]:R}: {scalarDerivative(x[i]):R}, central difference {numeric:R}");
            }
        });

    /// <summary>Floats in [low, high] at least 0.01 from 0, so a central difference never straddles a kink at 0.</summary>
    private static FsCheck.Gen<float[]> AwayFromZero(float low, float high) =>
        Properties.AwkwardFloats(low, high).Select(x => Array.ConvertAll(x, v => MathF.Abs(v) < 0.01f ? v + (0.02f * MathF.Sign(v + 1e-9f)) : v));

    private static double Dot(float[] g, double[] values)
    {
        double sum = 0;
        for (int i = 0; i < g.Length; i++)
        {
            sum += g[i] * values[i];
        }

        return sum;
    }

    private static double[] LogSoftmaxOf(double[] z)
    {
        double logSumExp = LogSumExp(z);
        return z.Select(v => v - logSumExp).ToArray();
    }
}
