using Native.Numerics;
using Native.Numerics.CompilerServices;
using Native.Tests.Support;

namespace Native.Tests;

/// <summary>Sigmoid, tanh, ReLU, leaky ReLU and their derivatives: accuracy against double, extremes, identities.</summary>
public class FunctionsElementwiseActivationTests
{
    /// <summary>
    /// Inputs to sweep: a fine grid over [−100, 100], tiny magnitudes down to 10⁻³⁰ of both signs, zeros, and
    /// the extremes. The length (not a multiple of 16) leaves a scalar tail at every width.
    /// </summary>
    private static readonly float[] Sweep = BuildSweep();


    [Fact]
    public void SigmoidMatchesDoubleEverywhere()
    {
        float[] actual = new float[Sweep.Length];
        Activations.Sigmoid(Sweep, actual);
        AssertAccurate(Sweep, actual, FunctionReference.Sigmoid, relative: 3e-7, "Sigmoid(span)");
        AssertAccurate(Sweep, Array.ConvertAll(Sweep, Activations.Sigmoid), FunctionReference.Sigmoid, relative: 3e-7, "Sigmoid(float)");
    }

    [Fact]
    public void SigmoidOfExtremeInputsIsExactlyZeroOrOne()
    {
        // TensorPrimitives.Sigmoid computes 1 / (1 + e^−x); e^−x overflowing to ∞ must give 0, not NaN.
        foreach (int length in new[] { 1, 16, 17 })
        {
            foreach (float x in new[] { 1e30f, float.MaxValue, 1000f, 88.8f })
            {
                float[] source = Enumerable.Repeat(x, length).ToArray();
                float[] positive = new float[length];
                float[] negative = new float[length];
                Activations.Sigmoid(source, positive);
                Activations.Sigmoid(Array.ConvertAll(source, v => -v), negative);
                Assert.All(positive, v => Assert.Equal(1f, v));
                Assert.All(negative, v => Assert.Equal(0f, v));
                Assert.Equal(1f, Activations.Sigmoid(x));
                Assert.True(Activations.Sigmoid(-x) is >= 0f and < 1e-38f, $"σ({-x}) = {Activations.Sigmoid(-x)}");
            }
        }
    }

    [Fact]
    public void SigmoidOfMinusZIsOneMinusSigmoidOfZ() =>
        Properties.ForAll(Properties.AwkwardFloats(-20f, 20f), z =>
        {
            float[] positive = new float[z.Length];
            float[] negative = new float[z.Length];
            Activations.Sigmoid(z, positive);
            Activations.Sigmoid(Array.ConvertAll(z, v => -v), negative);
            for (int i = 0; i < z.Length; i++)
            {
                // Each side is within 3·10⁻⁷ relative of the truth, and 1 − σ is exact (Sterbenz) for σ ≥ 1/2.
                Assert.True(Math.Abs(negative[i] - (1f - positive[i])) <= 2e-7, $"σ(−{z[i]}) = {negative[i]}, 1 − σ({z[i]}) = {1f - positive[i]}");
                Assert.True(Math.Abs(Activations.Sigmoid(-z[i]) - (1f - Activations.Sigmoid(z[i]))) <= 2e-7, $"scalar σ at {z[i]}");
            }
        });

    [Theory]
    [InlineData(FunctionKernelWidth.Scalar)]
    [InlineData(FunctionKernelWidth.Vector128)]
    [InlineData(FunctionKernelWidth.Vector256)]
    [InlineData(FunctionKernelWidth.Vector512)]
    public void TanhMatchesDoubleEverywhereAtEveryWidth(FunctionKernelWidth width)
    {
        float[] actual = new float[Sweep.Length];
        FunctionKernelsAtWidth.Map<ActivationOperator<TanhFunction>>(width, Sweep, actual, 0f);
        AssertAccurate(Sweep, actual, Math.Tanh, relative: 3e-7, $"Tanh at {width}");
    }

    [Theory]
    [InlineData(FunctionKernelWidth.Scalar)]
    [InlineData(FunctionKernelWidth.Vector128)]
    [InlineData(FunctionKernelWidth.Vector256)]
    [InlineData(FunctionKernelWidth.Vector512)]
    public void SigmoidMatchesDoubleEverywhereAtEveryWidth(FunctionKernelWidth width)
    {
        // The models' sigmoid, which the public span function runs too: the same bound, and NaN stays NaN on every lane.
        float[] actual = new float[Sweep.Length];
        FunctionKernelsAtWidth.Map<ActivationOperator<SigmoidFunction>>(width, Sweep, actual, 0f);
        AssertAccurate(Sweep, actual, FunctionReference.Sigmoid, relative: 3e-7, $"Sigmoid at {width}");
        float[] nan = [float.NaN, float.NaN, float.NaN, float.NaN, float.NaN, float.NaN, float.NaN, float.NaN, float.NaN, float.NaN, float.NaN, float.NaN, float.NaN, float.NaN, float.NaN, float.NaN, float.NaN];
        FunctionKernelsAtWidth.Map<ActivationOperator<SigmoidFunction>>(width, nan, actual.AsSpan(0, nan.Length), 0f);
        Assert.All(actual[..nan.Length], value => Assert.True(float.IsNaN(value), $"σ(NaN) = {value} at {width}"));
    }

    [Fact]
    public void TanhIsAccurateNearZeroAndExactlyOdd()
    {
        float[] actual = new float[Sweep.Length];
        Activations.Tanh(Sweep, actual);
        AssertAccurate(Sweep, actual, Math.Tanh, relative: 3e-7, "Tanh(span)");
        AssertAccurate(Sweep, Array.ConvertAll(Sweep, Activations.Tanh), Math.Tanh, relative: 3e-7, "Tanh(float)");

        // TensorPrimitives.Tanh 10.0 gives −5.96·10⁻⁸ at 0 and a relative error of 1.5·10⁻³ at 2·10⁻⁵ on vectors.
        float[] small = Enumerable.Repeat(0f, 16).Concat(Enumerable.Repeat(1.9073505e-5f, 16)).ToArray();
        Activations.Tanh(small, small);
        Assert.All(small.AsSpan(0, 16).ToArray(), v => Assert.Equal(0f, v));
        Assert.All(small.AsSpan(16).ToArray(), v => Assert.Equal(Math.Tanh(1.9073505e-5), v, 1e-12));

        float[] negated = new float[Sweep.Length];
        Activations.Tanh(Array.ConvertAll(Sweep, v => -v), negated);
        for (int i = 0; i < Sweep.Length; i++)
        {
            Assert.Equal(-actual[i], negated[i]);
        }
    }

    [Fact]
    public void TanhOfExtremeInputsIsExactlyPlusOrMinusOne()
    {
        float[] source = [1e30f, -1e30f, float.MaxValue, -float.MaxValue, 1000f, -1000f, 50f, -50f, 1e30f, -1e30f, float.MaxValue, -float.MaxValue, 1000f, -1000f, 50f, -50f, 1e30f];
        float[] actual = new float[source.Length];
        Activations.Tanh(source, actual);
        for (int i = 0; i < source.Length; i++)
        {
            Assert.Equal(MathF.Sign(source[i]), actual[i]);
            Assert.Equal(MathF.Sign(source[i]), Activations.Tanh(source[i]));
        }
    }

    [Fact]
    public void TheLimitBelowThePolynomialRangeIsTheFloatJustBelowIt() =>
        Assert.Equal(TanhFunction.BelowLimit, MathF.BitDecrement(TanhFunction.PolynomialLimit));

    [Theory]
    [InlineData(FunctionKernelWidth.Scalar)]
    [InlineData(FunctionKernelWidth.Vector128)]
    [InlineData(FunctionKernelWidth.Vector256)]
    [InlineData(FunctionKernelWidth.Vector512)]
    public void SigmoidAndTanhDerivativesMatchDoubleAtEveryWidth(FunctionKernelWidth width)
    {
        float[] actual = new float[Sweep.Length];
        FunctionKernelsAtWidth.Map<LogisticDerivativeOperator<SigmoidScale>>(width, Sweep, actual, 0f);
        AssertAccurate(Sweep, actual, SigmoidDerivative, relative: 5e-7, $"SigmoidDerivative at {width}");
        FunctionKernelsAtWidth.Map<LogisticDerivativeOperator<TanhScale>>(width, Sweep, actual, 0f);
        AssertAccurate(Sweep, actual, TanhDerivative, relative: 5e-7, $"TanhDerivative at {width}");
    }

    [Fact]
    public void SigmoidAndTanhDerivativesAreAccurateWhereTheProductFormIsZero()
    {
        // σ(20) rounds to 1, so σ(1 − σ) would be 0; the true derivative is 2.06·10⁻⁹. Likewise tanh 10 rounds to 1.
        float[] actual = new float[Sweep.Length];
        Activations.SigmoidDerivative(Sweep, actual);
        AssertAccurate(Sweep, actual, SigmoidDerivative, relative: 5e-7, "SigmoidDerivative(span)");
        AssertAccurate(Sweep, Array.ConvertAll(Sweep, Activations.SigmoidDerivative), SigmoidDerivative, relative: 5e-7, "SigmoidDerivative(float)");
        Activations.TanhDerivative(Sweep, actual);
        AssertAccurate(Sweep, actual, TanhDerivative, relative: 5e-7, "TanhDerivative(span)");
        AssertAccurate(Sweep, Array.ConvertAll(Sweep, Activations.TanhDerivative), TanhDerivative, relative: 5e-7, "TanhDerivative(float)");

        Assert.Equal(2.0611536e-9, Activations.SigmoidDerivative(20f), 1e-15);
        Assert.Equal(8.2446e-9, Activations.TanhDerivative(10f), 1e-12);
        Assert.Equal(0.25f, Activations.SigmoidDerivative(0f));
        Assert.Equal(1f, Activations.TanhDerivative(0f));
    }

    [Theory]
    [InlineData(FunctionKernelWidth.Scalar)]
    [InlineData(FunctionKernelWidth.Vector128)]
    [InlineData(FunctionKernelWidth.Vector256)]
    [InlineData(FunctionKernelWidth.Vector512)]
    public void LeakyReluAndItsDerivativeAreExactAtEveryWidth(FunctionKernelWidth width)
    {
        float[] actual = new float[Sweep.Length];
        foreach (float alpha in new[] { 0f, 0.01f, 0.2f })
        {
            FunctionKernelsAtWidth.Map<ActivationOperator<LeakyReluFunction>>(width, Sweep, actual, alpha);
            for (int i = 0; i < Sweep.Length; i++)
            {
                Assert.Equal(Sweep[i] > 0f ? Sweep[i] : alpha * Sweep[i], actual[i]);
            }

            FunctionKernelsAtWidth.Map<LeakyReluDerivativeOperator>(width, Sweep, actual, alpha);
            for (int i = 0; i < Sweep.Length; i++)
            {
                Assert.Equal(Sweep[i] > 0f ? 1f : alpha, actual[i]);
            }
        }
    }

    [Fact]
    public void ReluFamilyMatchesItsDefinition()
    {
        float[] actual = new float[Sweep.Length];
        Activations.Relu(Sweep, actual);
        Assert.Equal(Array.ConvertAll(Sweep, x => x > 0f ? x : 0f), actual);
        Assert.Equal(Array.ConvertAll(Sweep, x => x > 0f ? x : 0f), Array.ConvertAll(Sweep, Activations.Relu));

        Activations.ReluDerivative(Sweep, actual);
        Assert.Equal(Array.ConvertAll(Sweep, x => x > 0f ? 1f : 0f), actual);
        Assert.Equal(Array.ConvertAll(Sweep, x => x > 0f ? 1f : 0f), Array.ConvertAll(Sweep, Activations.ReluDerivative));

        Activations.LeakyRelu(Sweep, actual, 0.01f);
        Assert.Equal(Array.ConvertAll(Sweep, x => (float)FunctionReference.LeakyRelu(x, 0.01f)), actual);
        Assert.Equal(Array.ConvertAll(Sweep, x => (float)FunctionReference.LeakyRelu(x, 0.01f)), Array.ConvertAll(Sweep, x => Activations.LeakyRelu(x, 0.01f)));

        Activations.LeakyReluDerivative(Sweep, actual, 0.01f);
        Assert.Equal(Array.ConvertAll(Sweep, x => x > 0f ? 1f : 0.01f), actual);
        Assert.Equal(Array.ConvertAll(Sweep, x => x > 0f ? 1f : 0.01f), Array.ConvertAll(Sweep, x => Activations.LeakyReluDerivative(x, 0.01f)));
    }

    [Fact]
    public void DerivativesAtZeroFollowTheDocumentedChoice()
    {
        Assert.Equal(0f, Activations.ReluDerivative(0f));
        Assert.Equal(0f, Activations.ReluDerivative(-0f));
        Assert.Equal(0.01f, Activations.LeakyReluDerivative(0f, 0.01f));
        float[] zeros = new float[17];
        Activations.ReluDerivative(zeros, zeros);
        Assert.All(zeros, v => Assert.Equal(0f, v));
    }

    [Fact]
    public void ElementwiseFunctionsRunInPlace()
    {
        foreach ((string name, Action<float[], float[]> function) in ElementwiseFunctions())
        {
            float[] expected = new float[Sweep.Length];
            function(Sweep, expected);
            float[] buffer = (float[])Sweep.Clone();
            function(buffer, buffer);
            Assert.True(expected.AsSpan().SequenceEqual(buffer), $"{name} in place differs from out of place");
        }
    }

    [Fact]
    public void ElementwiseFunctionsGiveNoNaNForExtremeFiniteInputs() =>
        Properties.ForAll(FunctionGenerators.ExtremeArrays, x =>
        {
            foreach ((string name, Action<float[], float[]> function) in ElementwiseFunctions())
            {
                float[] y = new float[x.Length];
                function(x, y);
                Assert.False(Array.Exists(y, float.IsNaN), $"{name} gave NaN for [{string.Join(", ", x)}]");
            }
        }, tests: 50);

    /// <summary>Every span activation, as (name, source → destination).</summary>
    internal static IEnumerable<(string Name, Action<float[], float[]> Function)> ElementwiseFunctions() =>
    [
        ("Sigmoid", (s, d) => Activations.Sigmoid(s, d)),
        ("SigmoidDerivative", (s, d) => Activations.SigmoidDerivative(s, d)),
        ("Tanh", (s, d) => Activations.Tanh(s, d)),
        ("TanhDerivative", (s, d) => Activations.TanhDerivative(s, d)),
        ("Relu", (s, d) => Activations.Relu(s, d)),
        ("ReluDerivative", (s, d) => Activations.ReluDerivative(s, d)),
        ("LeakyRelu", (s, d) => Activations.LeakyRelu(s, d, 0.01f)),
        ("LeakyReluDerivative", (s, d) => Activations.LeakyReluDerivative(s, d, 0.01f)),
    ];

    /// <summary>σ′(x) = σ(x)·σ(−x), both factors accurate in double.</summary>
    private static double SigmoidDerivative(double x) => FunctionReference.Sigmoid(x) * FunctionReference.Sigmoid(-x);

    /// <summary>tanh′ x = 1 / cosh²x, accurate in double for |x| up to 710.</summary>
    private static double TanhDerivative(double x) => 1 / (Math.Cosh(x) * Math.Cosh(x));

    private static float[] BuildSweep()
    {
        List<float> values = [];
        for (float x = -100f; x <= 100f; x += 1f / 512)
        {
            values.Add(x);
        }

        for (double exponent = -30; exponent <= 0; exponent += 0.01)
        {
            values.Add((float)Math.Pow(10, exponent));
            values.Add((float)-Math.Pow(10, exponent));
        }

        values.AddRange([0f, -0f, TanhFunction.PolynomialLimit, -TanhFunction.PolynomialLimit, TanhFunction.BelowLimit, -TanhFunction.BelowLimit]);
        values.AddRange(FunctionGenerators.ExtremeValues);
        values.Add(0.5f);
        return [.. values];
    }

    /// <summary>
    /// |actual − exact| ≤ relative·|exact| + 10⁻³⁷: relative, except around float's subnormal range, where the
    /// kernels' e^x flushes to 0 (tanh′ at |x| ≈ 44 is 4e^(−2|x|) ≈ 10⁻³⁸ computed from a subnormal e^(−2|x|)).
    /// </summary>
    private static void AssertAccurate(float[] x, float[] actual, Func<double, double> exact, double relative, string what)
    {
        double worst = 0;
        int worstAt = 0;
        for (int i = 0; i < x.Length; i++)
        {
            double expected = exact(x[i]);
            double error = Math.Abs(actual[i] - expected);
            double allowed = (relative * Math.Abs(expected)) + 1e-37;
            if (!(error <= allowed))
            {
                Assert.Fail($"{what}({x[i]:R}) = {actual[i]:R}, expected {expected:R} (relative error {error / Math.Abs(expected):E2})");
            }

            if (Math.Abs(expected) >= 1e-30 && error / Math.Abs(expected) > worst)
            {
                worst = error / Math.Abs(expected);
                worstAt = i;
            }
        }

        Assert.True(worst <= relative, $"{what}: worst relative error {worst:E2} at {x[worstAt]:R}");
    }
}
