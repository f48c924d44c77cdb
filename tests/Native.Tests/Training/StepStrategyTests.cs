using System.Diagnostics;
using Native.Numerics;

namespace Native.Tests.Training;

/// <summary>The session picks its step strategy once, from what the model and the optimizer declare; idle workers block.</summary>
public class StepStrategyTests
{
    [Theory]
    [InlineData("gradient descent", "PlainStep, StepsInRanges")]
    [InlineData("gradient descent with decay", "StepsInRanges")]
    [InlineData("gradient descent, clipped", "None")]
    [InlineData("momentum", "StepsInRanges")]
    [InlineData("adam with decay", "StepsInRanges")]
    [InlineData("adam, clipped", "None")]
    [InlineData("written elsewhere", "None")]
    public void EachOptimizerDeclaresWhatItsRuleAllows(string name, string expected) =>
        Assert.Equal(expected, Optimizer(name).Capabilities.ToString());

    [Theory]
    [InlineData("gradient descent", 1, 0f, typeof(FusedStep))]
    [InlineData("gradient descent", 1, 1e-9f, typeof(PlainStep))] // the gradient norm is tracked: the gradient must be written out
    [InlineData("gradient descent with decay", 1, 0f, typeof(PlainStep))]
    [InlineData("momentum", 1, 0f, typeof(PlainStep))]
    [InlineData("written elsewhere", 1, 0f, typeof(PlainStep))]
    [InlineData("gradient descent", 2, 0f, typeof(ParallelStep))]
    [InlineData("adam, clipped", 2, 0f, typeof(ParallelStep))]
    public void TheSessionChoosesItsStrategyOnce(string optimizer, int parallelism, float gradientTolerance, Type expected)
    {
        var trainer = new Trainer(new SoftmaxRegression(2, 3), Optimizer(optimizer), new TrainerOptions { BatchSize = 8, Parallelism = parallelism, GradientTolerance = gradientTolerance });
        using TrainingSession session = trainer.Begin(TrainerTests.Blobs(40, 1));
        Assert.IsType(expected, session.Steps);
    }

    [Fact]
    public void AModelThatCannotStepInPlaceTakesThePlainStep()
    {
        var trainer = new Trainer(new Unfused(), new GradientDescent(0.1f), new TrainerOptions { BatchSize = 8 });
        using TrainingSession session = trainer.Begin(TrainerTests.Blobs(40, 1));
        Assert.IsType<PlainStep>(session.Steps);
    }

    [Fact]
    public void IdleWorkersBlockInsteadOfSpinning()
    {
        // After an epoch the workers spin briefly for the next job, then block: a session between epochs holds no processor.
        var trainer = new Trainer(new SoftmaxRegression(2, 3), new Momentum(0.1f), new TrainerOptions { BatchSize = 8, Parallelism = 3 });
        using TrainingSession session = trainer.Begin(TrainerTests.Blobs(200, 1));
        for (int epoch = 0; epoch < 2; epoch++)
        {
            session.RunEpoch();
            Assert.True(WaitUntil(() => session.IdleWorkers == 2), $"after epoch {epoch + 1}, {session.IdleWorkers} of 2 workers blocked");

            // And they wake for the next epoch's jobs.
        }

        Assert.Equal(2, session.Epoch);
    }

    private static bool WaitUntil(Func<bool> condition)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            if (clock.Elapsed > TimeSpan.FromSeconds(10))
            {
                return false;
            }

            Thread.Sleep(1);
        }

        return true;
    }

    private static Optimizer Optimizer(string name) => name switch
    {
        "gradient descent" => new GradientDescent(0.1f),
        "gradient descent with decay" => new GradientDescent(0.1f) { WeightDecay = 0.01f },
        "gradient descent, clipped" => new GradientDescent(0.1f) { MaxGradientNorm = 1f },
        "momentum" => new Momentum(0.1f),
        "adam with decay" => new Adam(0.01f) { WeightDecay = 0.01f },
        "adam, clipped" => new Adam(0.01f) { MaxGradientNorm = 1f },
        _ => new Elsewhere(),
    };

    // An optimizer from outside the library whose rule needs the whole gradient at once: it only ever takes whole steps.
    private sealed class Elsewhere() : Optimizer(0.1f)
    {
        protected override bool IsElementwise => false;

        public override void Reset()
        {
        }

        protected override void BindState(int parameterCount)
        {
        }

        protected override void Update(Span<float> parameters, ReadOnlySpan<float> gradient, int offset)
        {
        }
    }

    // A model that does not implement the in-place step.
    private sealed class Unfused : IModel
    {
        private readonly SoftmaxRegression _inner = new(2, 3);

        public ModelShape Shape => _inner.Shape;

        public ModelTask Task => _inner.Task;

        public int Features => _inner.Features;

        public int Outputs => _inner.Outputs;

        public Span<float> Parameters => _inner.Parameters;

        public void Forward(ReadOnlySpan<float> row, Span<float> outputs) => _inner.Forward(row, outputs);

        public void ForwardBatch(ReadOnlySpan<float> rows, Span<float> outputs) => _inner.ForwardBatch(rows, outputs);

        public float Loss(in Batch batch) => _inner.Loss(batch);

        public float AccumulateGradient(in Batch batch, Span<float> gradient) => _inner.AccumulateGradient(batch, gradient);
    }
}
