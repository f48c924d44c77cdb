using Native.Numerics;
using Native.Tests.Training;

namespace Native.Tests.Optimization;

/// <summary>
/// An optimizer written outside the library, from <see cref="Optimizer"/>'s public surface alone, gets the paths the
/// library's own optimizers get: steps taken in ranges on several threads, and the step fused into the backward pass.
/// </summary>
public class ExternalOptimizerTests
{
    [Fact]
    public void AnElementwiseRuleWrittenElsewhereIsSteppedInRangesOnSeveralThreads()
    {
        var rule = new SignDescent(0.01f);
        Assert.Equal(OptimizerCapabilities.StepsInRanges, rule.Capabilities);
        var trainer = new Trainer(new SoftmaxRegression(Width, 3), rule, new TrainerOptions { BatchSize = 32, Parallelism = 2, Seed = 3 });
        using (TrainingSession session = trainer.Begin(Rows(256)))
        {
            Assert.IsType<ParallelStep>(session.Steps);
            session.RunEpoch();
        }

        // Some range of each step started past the block's first parameter: the workers stepped a range each.
        Assert.True(rule.RangesPastTheStart > 0, "every Update call was given the whole block");
    }

    [Fact]
    public void StepsInRangesGiveTheParametersOfWholeSteps()
    {
        Dataset data = Rows(256);
        float[] Train(int parallelism)
        {
            var model = new SoftmaxRegression(Width, 3);
            new Trainer(model, new SignDescent(0.01f), new TrainerOptions { Epochs = 2, BatchSize = 32, Parallelism = parallelism, Seed = 3 }).Fit(data);
            return model.Parameters.ToArray();
        }

        float[] whole = Train(1), ranged = Train(2);
        for (int i = 0; i < whole.Length; i++)
        {
            // The two-thread gradient sums rows in another order; sign(g) agrees except where g is within rounding of 0.
            Assert.True(Math.Abs(whole[i] - ranged[i]) <= 0.02f + 1e-6f, $"parameter {i}: {whole[i]} on one thread, {ranged[i]} in ranges on two");
        }
    }

    [Fact]
    public void APlainDescentRuleWrittenElsewhereIsFusedIntoTheBackwardPass()
    {
        var rule = new PlainDescent(0.3f);
        Assert.Equal(OptimizerCapabilities.PlainStep | OptimizerCapabilities.StepsInRanges, rule.Capabilities);
        var trainer = new Trainer(new SoftmaxRegression(2, 3), rule, new TrainerOptions { BatchSize = 8 });
        using TrainingSession session = trainer.Begin(TrainerTests.Blobs(40, 1));
        Assert.IsType<FusedStep>(session.Steps);
    }

    [Fact]
    public void FusedStepsOfARuleWrittenElsewhereEqualTheLibrarysGradientDescent()
    {
        Dataset data = TrainerTests.Blobs(100, 2);
        float[] Train(Optimizer optimizer)
        {
            var model = new SoftmaxRegression(2, 3);
            new Trainer(model, optimizer, new TrainerOptions { Epochs = 3, BatchSize = 16, Seed = 4 }).Fit(data);
            return model.Parameters.ToArray();
        }

        Assert.Equal(Train(new GradientDescent(0.3f)), Train(new PlainDescent(0.3f)));
    }

    [Fact]
    public void DecayOrClippingTakesTheFusedPathAway()
    {
        Assert.Equal(OptimizerCapabilities.StepsInRanges, new PlainDescent(0.3f) { WeightDecay = 0.01f }.Capabilities);
        Assert.Equal(OptimizerCapabilities.None, new PlainDescent(0.3f) { MaxGradientNorm = 1f }.Capabilities);
    }

    private const int Width = 40;

    // Rows of Width features whose class is the sign pattern of their first two: enough parameters (123) for two ranges.
    private static Dataset Rows(int count)
    {
        var random = new Random(5);
        float[] x = new float[count * Width];
        int[] labels = new int[count];
        for (int i = 0; i < count; i++)
        {
            for (int j = 0; j < Width; j++)
            {
                x[(i * Width) + j] = (float)((random.NextDouble() * 2) - 1);
            }

            labels[i] = x[i * Width] > 0 ? 0 : x[(i * Width) + 1] > 0 ? 1 : 2;
        }

        return Dataset.FromLabels(x, Width, labels);
    }

    // θ ← θ − η·sign(g): elementwise, stateless, and not plain descent.
    private sealed class SignDescent(float learningRate) : Optimizer(learningRate)
    {
        private int _rangesPastTheStart;

        public int RangesPastTheStart => Volatile.Read(ref _rangesPastTheStart);

        public override void Reset()
        {
        }

        protected override void BindState(int parameterCount)
        {
        }

        protected override void Update(Span<float> parameters, ReadOnlySpan<float> gradient, int offset)
        {
            if (offset > 0)
            {
                Interlocked.Increment(ref _rangesPastTheStart);
            }

            for (int i = 0; i < parameters.Length; i++)
            {
                parameters[i] -= LearningRate * MathF.Sign(gradient[i]);
            }
        }
    }

    // θ ← θ − η·g, written by hand, declaring itself plain descent.
    private sealed class PlainDescent(float learningRate) : Optimizer(learningRate)
    {
        protected override bool IsPlainDescent => true;

        public override void Reset()
        {
        }

        protected override void BindState(int parameterCount)
        {
        }

        protected override void Update(Span<float> parameters, ReadOnlySpan<float> gradient, int offset)
        {
            for (int i = 0; i < parameters.Length; i++)
            {
                parameters[i] -= LearningRate * gradient[i];
            }
        }
    }
}
