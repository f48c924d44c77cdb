using Native.Numerics;
using Native.Tests.Support;

namespace Native.Tests;

/// <summary>Entropy, cross-entropy and Kullback–Leibler divergence: identities, bases, conventions at 0.</summary>
public class FunctionsInformationTests
{
    [Fact]
    public void KullbackLeiblerIsNotNegative() =>
        Properties.ForAll(FunctionGenerators.DistributionPairs, t =>
        {
            // Both inputs sum to 1 only to float rounding (about 10⁻⁷ per entry), which is all the slack allowed.
            double divergence = Information.KullbackLeibler(t.P, t.Q);
            Assert.True(divergence >= -1e-6, $"D(p ‖ q) = {divergence}");
        });

    [Fact]
    public void KullbackLeiblerOfADistributionWithItselfIsZero() =>
        Properties.ForAll(FunctionGenerators.Distribution(withZeros: true), p =>
        {
            Assert.Equal(0.0, Information.KullbackLeibler(p, p));
            Assert.Equal(0.0, Information.KullbackLeibler(p, p, 2));
        });

    [Fact]
    public void KullbackLeiblerIsCrossEntropyMinusEntropy() =>
        Properties.ForAll(FunctionGenerators.DistributionPairs, t =>
        {
            double divergence = Information.KullbackLeibler(t.P, t.Q);
            double difference = Information.CrossEntropy(t.P, t.Q) - Information.Entropy(t.P);
            Assert.True(Math.Abs(divergence - difference) <= 1e-12 * (1 + Information.CrossEntropy(t.P, t.Q)), $"D = {divergence}, H(p, q) − H(p) = {difference}");
        });

    [Fact]
    public void CrossEntropyIsAtLeastTheEntropy() =>
        Properties.ForAll(FunctionGenerators.DistributionPairs, t =>
        {
            double entropy = Information.Entropy(t.P);
            Assert.True(entropy >= 0);
            Assert.True(Information.CrossEntropy(t.P, t.Q) >= entropy - 1e-6);
        });

    [Fact]
    public void EveryBaseDividesByItsNaturalLog() =>
        Properties.ForAll(FunctionGenerators.DistributionPairs, t =>
        {
            foreach (double logBase in new[] { 2, 10, 0.5, 3.7 })
            {
                double ln = Math.Log(logBase);
                AssertRelative(Information.Entropy(t.P) / ln, Information.Entropy(t.P, logBase), $"entropy in base {logBase}");
                AssertRelative(Information.CrossEntropy(t.P, t.Q) / ln, Information.CrossEntropy(t.P, t.Q, logBase), $"cross-entropy in base {logBase}");
                AssertRelative(Information.KullbackLeibler(t.P, t.Q) / ln, Information.KullbackLeibler(t.P, t.Q, logBase), $"divergence in base {logBase}");
            }

            AssertRelative(Information.Entropy(t.P) / Math.Log(2), Information.Entropy(t.P, 2), "entropy in bits");
        });

    [Fact]
    public void KnownValues()
    {
        Assert.Equal(1.0, Information.Entropy([0.5f, 0.5f], 2), 1e-15);
        Assert.Equal(3.0, Information.Entropy(Enumerable.Repeat(0.125f, 8).ToArray(), 2), 1e-15);
        Assert.Equal(Math.Log(10), Information.Entropy(Enumerable.Repeat(0.1f, 10).ToArray()), 1e-7);
        Assert.Equal(0.0, Information.Entropy([1f, 0f, 0f]));
        Assert.Equal((0.5 * Math.Log(2)) + (0.5 * Math.Log(2.0 / 3)), Information.KullbackLeibler([0.5f, 0.5f], [0.25f, 0.75f]), 1e-15);
        Assert.Equal(-(0.5 * Math.Log(0.25)) - (0.5 * Math.Log(0.75)), Information.CrossEntropy([0.5f, 0.5f], [0.25f, 0.75f]), 1e-15);

        // A base below 1 flips the sign.
        Assert.Equal(-1.0, Information.Entropy([0.5f, 0.5f], 0.5), 1e-15);
    }

    [Fact]
    public void ZeroTimesLogZeroIsZeroAndImpossibleOutcomesAreInfinite()
    {
        Assert.Equal(0.0, Information.Entropy([0f, 1f]));
        Assert.Equal(0.0, Information.CrossEntropy([0f, 1f], [0f, 1f]));
        Assert.Equal(0.0, Information.KullbackLeibler([0f, 1f], [0f, 1f]));
        Assert.Equal(Math.Log(2), Information.KullbackLeibler([0f, 1f], [0.5f, 0.5f]), 1e-15);
        Assert.Equal(double.PositiveInfinity, Information.CrossEntropy([0.5f, 0.5f], [0f, 1f]));
        Assert.Equal(double.PositiveInfinity, Information.KullbackLeibler([0.5f, 0.5f], [0f, 1f]));
        Assert.Equal(double.PositiveInfinity, Information.KullbackLeibler([0.5f, 0.5f], [0f, 1f], 2));
    }

    [Fact]
    public void UnnormalizedInputsAreTakenAsGiven()
    {
        Assert.Equal(-2 * Math.Log(2), Information.Entropy([2f]), 1e-15);
        Assert.Equal(-Math.Log(0.5), Information.CrossEntropy([1f, 1f], [0.5f, 1f]), 1e-15);
        Assert.Equal(0.0, Information.Entropy([]));
        Assert.Equal(0.0, Information.KullbackLeibler([], []));
    }

    private static void AssertRelative(double expected, double actual, string what) =>
        Assert.True(Math.Abs(expected - actual) <= 1e-14 * Math.Abs(expected) || expected == actual, $"{what}: {actual:R}, expected {expected:R}");
}
