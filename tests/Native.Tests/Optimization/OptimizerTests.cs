using Native.Numerics;
using Native.Tests.Support;

namespace Native.Tests.Optimization;

/// <summary>Each rule's steps against the same rule computed by hand in double.</summary>
public class OptimizerTests
{
    private static readonly float[] Start = [1f, -2f, 0.5f, 3f, -0.25f, 7f, 0f, -1f, 2f];

    private static float[] GradientAt(int step) => Start.Select((x, i) => (float)Math.Sin((step * 1.3) + i) * 2f).ToArray();

    [Fact]
    public void GradientDescentStepsAgainstTheGradient()
    {
        float[] theta = (float[])Start.Clone();
        var optimizer = new GradientDescent(0.1f);
        optimizer.Step(theta, GradientAt(0));
        for (int i = 0; i < theta.Length; i++)
        {
            Assert.Equal(Start[i] - (0.1f * GradientAt(0)[i]), theta[i], 1e-6f);
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void MomentumFollowsTheSeedsRule(bool nesterov)
    {
        const double rate = 0.05, gamma = 0.9;
        float[] theta = (float[])Start.Clone();
        double[] expected = Start.Select(x => (double)x).ToArray();
        double[] velocity = new double[Start.Length];
        var optimizer = new Momentum((float)rate, (float)gamma, nesterov);
        for (int step = 0; step < 5; step++)
        {
            float[] g = GradientAt(step);
            optimizer.Step(theta, (float[])g.Clone());
            for (int i = 0; i < Start.Length; i++)
            {
                // v ← γv + η∇; θ ← θ − v, or with Nesterov θ ← θ − (γv + η∇).
                velocity[i] = (gamma * velocity[i]) + (rate * g[i]);
                expected[i] -= nesterov ? (gamma * velocity[i]) + (rate * g[i]) : velocity[i];
            }
        }

        for (int i = 0; i < Start.Length; i++)
        {
            Assert.Equal(expected[i], theta[i], 1e-5);
        }
    }

    [Fact]
    public void AdamCorrectsTheBiasOfItsMoments()
    {
        const double rate = 0.01, beta1 = 0.9, beta2 = 0.999, epsilon = 1e-8;
        float[] theta = (float[])Start.Clone();
        double[] expected = Start.Select(x => (double)x).ToArray();
        double[] m = new double[Start.Length], v = new double[Start.Length];
        var optimizer = new Adam((float)rate);
        for (int step = 1; step <= 6; step++)
        {
            float[] g = GradientAt(step);
            optimizer.Step(theta, (float[])g.Clone());
            for (int i = 0; i < Start.Length; i++)
            {
                m[i] = (beta1 * m[i]) + ((1 - beta1) * g[i]);
                v[i] = (beta2 * v[i]) + ((1 - beta2) * g[i] * g[i]);
                double mHat = m[i] / (1 - Math.Pow(beta1, step));
                double vHat = v[i] / (1 - Math.Pow(beta2, step));
                expected[i] -= rate * mHat / (Math.Sqrt(vHat) + epsilon);
            }
        }

        Assert.Equal(6, optimizer.Steps);
        for (int i = 0; i < Start.Length; i++)
        {
            Assert.Equal(expected[i], theta[i], 1e-5);
        }

        // The first step of Adam moves every parameter by about η, whatever the gradient's scale.
        var fresh = new Adam(0.01f);
        float[] point = [0f, 0f];
        fresh.Step(point, [1000f, -0.001f]);
        Assert.Equal(-0.01f, point[0], 1e-5f);
        Assert.Equal(0.01f, point[1], 1e-4f);
    }

    [Fact]
    public void WeightDecayAddsLambdaThetaToTheGradient()
    {
        float[] theta = (float[])Start.Clone();
        float[] zero = new float[Start.Length];
        var optimizer = new GradientDescent(0.5f) { WeightDecay = 0.1f };
        optimizer.Step(theta, zero);
        for (int i = 0; i < Start.Length; i++)
        {
            Assert.Equal(Start[i] * (1f - (0.5f * 0.1f)), theta[i], 1e-6f);
        }
    }

    [Fact]
    public void ClippingScalesLongGradientsToTheMaximumNormAndLeavesShortOnesAlone()
    {
        float[] theta = [0f, 0f];
        var optimizer = new GradientDescent(1f) { MaxGradientNorm = 1f };
        optimizer.Step(theta, [3f, 4f]); // norm 5 → (0.6, 0.8)
        Assert.Equal(-0.6f, theta[0], 1e-6f);
        Assert.Equal(-0.8f, theta[1], 1e-6f);

        optimizer.Step(theta, [0.3f, 0.4f]); // norm 0.5: unchanged
        Assert.Equal(-0.9f, theta[0], 1e-6f);
        Assert.Equal(-1.2f, theta[1], 1e-6f);
    }

    [Fact]
    public void StateIsSizedOnceAndAStepAllocatesNothing()
    {
        float[] theta = new float[1000], g = new float[1000];
        foreach (Optimizer optimizer in new Optimizer[] { new GradientDescent(0.1f), new Momentum(0.1f, 0.9f, true), new Adam() { WeightDecay = 1e-4f, MaxGradientNorm = 1f } })
        {
            optimizer.Bind(theta.Length);
            Assert.Equal(0, Allocations.Measure(() => optimizer.Step(theta, g)));
        }
    }

    public static TheoryData<string> RangedRules => ["GradientDescent", "Momentum", "Nesterov", "Adam", "AdamWithDecay"];

    private static Optimizer Rule(string name) => name switch
    {
        "GradientDescent" => new GradientDescent(0.1f),
        "Momentum" => new Momentum(0.05f, 0.9f),
        "Nesterov" => new Momentum(0.05f, 0.9f, nesterov: true),
        "Adam" => new Adam(0.01f),
        _ => new Adam(0.01f) { WeightDecay = 0.01f },
    };

    [Theory]
    [MemberData(nameof(RangedRules))]
    public void AStepTakenInRangesEqualsTheWholeStep(string rule)
    {
        // The ranges a parallel trainer gives its threads: uneven, covering every parameter once.
        float[] whole = (float[])Start.Clone(), ranged = (float[])Start.Clone();
        Optimizer one = Rule(rule);
        Optimizer split = Rule(rule);
        Assert.True(split.Capabilities.HasFlag(OptimizerCapabilities.StepsInRanges));
        for (int step = 0; step < 4; step++)
        {
            one.Step(whole, GradientAt(step));
            split.BeginRanges(ranged.Length);
            float[] g = GradientAt(step);
            foreach (var (offset, length) in new[] { (0, 4), (4, 1), (5, 4) })
            {
                split.StepRange(ranged.AsSpan(offset, length), g.AsSpan(offset, length), offset);
            }
        }

        Assert.Equal(whole, ranged);
    }

    [Fact]
    public void ClippingNeedsTheWholeGradientSoItIsNotTakenInRanges()
    {
        Assert.False(((Optimizer)new Momentum(0.1f) { MaxGradientNorm = 1f }).Capabilities.HasFlag(OptimizerCapabilities.StepsInRanges));
        Assert.True(((Optimizer)new Momentum(0.1f) { WeightDecay = 1f }).Capabilities.HasFlag(OptimizerCapabilities.StepsInRanges));
    }

    [Fact]
    public void BadSettingsAndMismatchedSpansAreRefused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new GradientDescent(0f));
        Assert.Throws<ArgumentOutOfRangeException>(() => new GradientDescent(float.NaN));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Momentum(0.1f, 1f));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Adam(beta2: -0.1f));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Adam() { WeightDecay = -1f });
        var optimizer = new Momentum(0.1f);
        optimizer.Bind(3);
        var exception = Assert.Throws<ArgumentException>(() => optimizer.Step(new float[4], new float[4]));
        Assert.Contains("bound to 3", exception.Message, StringComparison.Ordinal);
        exception = Assert.Throws<ArgumentException>(() => optimizer.Step(new float[3], new float[2]));
        Assert.Contains("length 3", exception.Message, StringComparison.Ordinal);
        Assert.Contains("length 2", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SchedulesGiveTheirDocumentedRates()
    {
        Assert.Equal(0.1f, LearningRateSchedule.Constant.LearningRate(50, 0.1f));
        LearningRateSchedule step = LearningRateSchedule.Step(10, 0.5f);
        Assert.Equal(0.1f, step.LearningRate(9, 0.1f), 1e-7f);
        Assert.Equal(0.05f, step.LearningRate(10, 0.1f), 1e-7f);
        Assert.Equal(0.025f, step.LearningRate(25, 0.1f), 1e-7f);
        Assert.Equal(0.1f * MathF.Pow(0.9f, 7), LearningRateSchedule.Exponential(0.9f).LearningRate(7, 0.1f), 1e-7f);
        LearningRateSchedule cosine = LearningRateSchedule.Cosine(10, 0.001f);
        Assert.Equal(0.1f, cosine.LearningRate(0, 0.1f), 1e-7f);
        Assert.Equal(0.0505f, cosine.LearningRate(5, 0.1f), 1e-6f);
        Assert.Equal(0.001f, cosine.LearningRate(10, 0.1f), 1e-7f);
        Assert.Equal(0.001f, cosine.LearningRate(30, 0.1f), 1e-7f);
        Assert.Throws<ArgumentOutOfRangeException>(() => LearningRateSchedule.Step(0, 0.5f));
        Assert.Throws<ArgumentOutOfRangeException>(() => LearningRateSchedule.Exponential(1.5f));
    }
}
