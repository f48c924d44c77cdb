using FsCheck.Fluent;
using Native.Numerics;
using Native.Numerics.CompilerServices;
using Native.Tests.Support;

namespace Native.Tests.Generated;

/// <summary>
/// Every generated model equals its run-time-shaped twin — outputs, predictions, loss, gradient, an in-place step,
/// and the parameters after the same training run — bit for bit, at every vector width, in this one process. Both
/// run on the library's model runtime with the same kernels, the generated one compiled for constant sizes: equal
/// bits show the constants changed only how fast the arithmetic runs, never what it computes. CI also reruns these
/// tests with the wider instruction sets switched off (.ci/run), where the wide paths run emulated.
/// </summary>
public class GeneratedModelTests
{
    private static readonly int[] RowCounts = [1, 2, 3, 7, 64, 65, 130];

    private static FsCheck.Gen<BatchCase> Batches(ModelShape shape) =>
        from rows in Gen.Elements(RowCounts)
        from seed in Gen.Choose(0, int.MaxValue / 2)
        from weighted in Gen.Elements(false, true)
        select new BatchCase(shape, rows, seed, weighted);

    [Theory]
    [MemberData(nameof(GeneratedCase.Names), MemberType = typeof(GeneratedCase))]
    public void ShapeAndParameterLayoutAreTheTwins(string name)
    {
        GeneratedCase c = GeneratedCase.Named(name);
        IModel model = c.Create();
        DenseModel twin = c.CreateTwin();
        Assert.Equal(twin.Shape, model.Shape);
        Assert.Equal(twin.Task, model.Task);
        Assert.Equal(twin.Features, model.Features);
        Assert.Equal(twin.Outputs, model.Outputs);
        Assert.Equal(twin.Parameters.Length, model.Parameters.Length);
        if (model is IClassifier classifier)
        {
            Assert.Equal(((IClassifier)twin).Classes, classifier.Classes);
        }

        unsafe
        {
            fixed (float* p = model.Parameters)
            {
                Assert.Equal(0, (long)p % 64);
            }
        }

        // Regressions start at zero; a perceptron starts where the run-time one seeded with 0 does, bit for bit.
        Assert.True(twin.Parameters.SequenceEqual(model.Parameters), $"{name}: the initial parameters differ from the twin's");
    }

    [Theory]
    [MemberData(nameof(GeneratedCase.NamesAndWidths), MemberType = typeof(GeneratedCase))]
    public void OutputsAndPredictionsEqualTheTwins(string name, string width)
    {
        GeneratedCase c = GeneratedCase.Named(name);
        Properties.ForAll(Batches(c.Shape), b =>
        {
            var (model, twin) = c.CreatePair(b.Seed, width);
            int f = model.Features, o = model.Outputs;
            float[] batch = new float[b.Rows * o], twinBatch = new float[b.Rows * o];
            model.ForwardBatch(b.Features, batch);
            twin.ForwardBatch(b.Features, twinBatch);
            float[] single = new float[o], twinSingle = new float[o];
            for (int i = 0; i < b.Rows; i++)
            {
                ReadOnlySpan<float> row = b.Features.AsSpan(i * f, f);
                model.Forward(row, single);
                twin.Forward(row, twinSingle);
                for (int j = 0; j < o; j++)
                {
                    Same(twinSingle[j], single[j], $"{name}, {width}, {b.Rows} rows: Forward, row {i} output {j}");
                    Same(twinBatch[(i * o) + j], batch[(i * o) + j], $"{name}, {width}, {b.Rows} rows: ForwardBatch, row {i} output {j}");

                    // One row and a batch take different kernels: equal within rounding.
                    Near(single[j], batch[(i * o) + j], f, $"{name}, {width}: Forward and ForwardBatch, row {i} output {j}");
                }
            }

            if (model is IClassifier classifier)
            {
                var twinClassifier = (IClassifier)twin;
                int[] classes = new int[b.Rows];
                classifier.PredictClasses(b.Features, classes);
                float[] probabilities = new float[b.Rows * classifier.Classes], twinProbabilities = new float[b.Rows * classifier.Classes];
                classifier.PredictProbabilities(b.Features, probabilities);
                twinClassifier.PredictProbabilities(b.Features, twinProbabilities);
                for (int i = 0; i < b.Rows; i++)
                {
                    ReadOnlySpan<float> row = b.Features.AsSpan(i * f, f);
                    int predicted = classifier.PredictClass(row);
                    Assert.Equal(predicted, classes[i]);
                    Assert.Equal(twinClassifier.PredictClass(row), predicted);
                    for (int j = 0; j < classifier.Classes; j++)
                    {
                        Same(twinProbabilities[(i * classifier.Classes) + j], probabilities[(i * classifier.Classes) + j], $"{name}, {width}: PredictProbabilities, row {i} class {j}");
                    }
                }
            }
            else
            {
                var regressor = (IRegressor)model;
                float[] values = new float[b.Rows];
                regressor.PredictValues(b.Features, values);
                for (int i = 0; i < b.Rows; i++)
                {
                    ReadOnlySpan<float> row = b.Features.AsSpan(i * f, f);
                    Same(((IRegressor)twin).PredictValue(row), regressor.PredictValue(row), $"{name}, {width}: Predict, row {i}");
                    Same(twinBatch[i], values[i], $"{name}, {width}: Predict(rows), row {i}");
                }
            }
        }, tests: 12);
    }

    [Theory]
    [MemberData(nameof(GeneratedCase.NamesAndWidths), MemberType = typeof(GeneratedCase))]
    public void LossAndGradientEqualTheTwins(string name, string width)
    {
        GeneratedCase c = GeneratedCase.Named(name);
        Properties.ForAll(Batches(c.Shape), b =>
        {
            var (model, twin) = c.CreatePair(b.Seed, width);
            float loss = model.Loss(b.Batch());
            float twinLoss = twin.Loss(b.Batch());
            Same(twinLoss, loss, $"{name}, {width}, {b.Rows} rows: loss");

            // The gradient is added to what the span held.
            float[] gradient = Enumerable.Repeat(0.5f, model.Parameters.Length).ToArray();
            float[] twinGradient = Enumerable.Repeat(0.5f, model.Parameters.Length).ToArray();
            Same(twinLoss, model.AccumulateGradient(b.Batch(), gradient), $"{name}, {width}: AccumulateGradient's loss");
            twin.AccumulateGradient(b.Batch(), twinGradient);
            for (int i = 0; i < gradient.Length; i++)
            {
                Same(twinGradient[i], gradient[i], $"{name}, {width}, {b.Rows} rows: gradient {i}");
            }
        }, tests: 12);
    }

    [Theory]
    [MemberData(nameof(GeneratedCase.NamesAndWidths), MemberType = typeof(GeneratedCase))]
    public void StepInPlaceEqualsAccumulateGradientThenAStep(string name, string width)
    {
        GeneratedCase c = GeneratedCase.Named(name);
        Properties.ForAll(Batches(c.Shape), b =>
        {
            const float StepSize = 0.01f;
            var (model, twin) = c.CreatePair(b.Seed, width);
            var (_, stepped) = c.CreatePair(b.Seed, width);
            Same(stepped.StepInPlace(b.Batch(), StepSize), ((IFusedGradientStep)model).StepInPlace(b.Batch(), StepSize), $"{name}, {width}: StepInPlace's loss");
            Assert.True(stepped.Parameters.SequenceEqual(model.Parameters), $"{name}, {width}, {b.Rows} rows: StepInPlace moved the parameters unlike the twin's");
            (model, _) = c.CreatePair(b.Seed, width);
            float[] gradient = new float[twin.Parameters.Length];
            float twinLoss = twin.AccumulateGradient(b.Batch(), gradient);
            float[] expected = twin.Parameters.ToArray();
            for (int i = 0; i < expected.Length; i++)
            {
                expected[i] -= StepSize * gradient[i];
            }

            float loss = ((IFusedGradientStep)model).StepInPlace(b.Batch(), StepSize);
            Assert.True(Math.Abs(loss - twinLoss) <= 1e-5 * Math.Max(1, Math.Abs(twinLoss)), $"{name}: StepInPlace's loss {loss}, the twin's {twinLoss}");
            float[] actual = model.Parameters.ToArray();
            double scale = StepSize * gradient.Max(Math.Abs);
            for (int i = 0; i < actual.Length; i++)
            {
                Assert.True(Math.Abs(actual[i] - expected[i]) <= (1e-6 * Math.Max(1, Math.Abs(expected[i]))) + (1e-4 * scale), $"{name}, {b.Rows} rows: parameter {i} is {actual[i]}, expected {expected[i]}");
            }
        }, tests: 12);
    }

    [Theory]
    [MemberData(nameof(GeneratedCase.NamesAndWidths), MemberType = typeof(GeneratedCase))]
    public void TrainingGivesTheTwinsParameters(string name, string width)
    {
        GeneratedCase c = GeneratedCase.Named(name);
        var data = new BatchCase(c.Shape, Rows: 150, Seed: 5, Weighted: false).Dataset();
        foreach (Func<Optimizer> optimizer in new Func<Optimizer>[] { () => new GradientDescent(0.05f), () => new Momentum(0.02f, 0.9f) })
        {
            foreach (int batchSize in new[] { 10, 100 })
            {
                var (model, twin) = c.CreatePair(seed: 3, width);

                // The divergence factor off: at these rates the 784-feature linear regression's loss explodes, and the twins must agree all the same.
                var options = new TrainerOptions { Epochs = 3, BatchSize = batchSize, Seed = 11, DivergenceFactor = 0f };
                new Trainer(model, optimizer(), options).Fit(data);
                new Trainer(twin, optimizer(), options).Fit(data);
                Assert.True(twin.Parameters.SequenceEqual(model.Parameters), $"{name}, {width}, {optimizer().GetType().Name}, batches of {batchSize}: the parameters differ from the twin's");
            }
        }
    }

    [Theory]
    [MemberData(nameof(GeneratedCase.Names), MemberType = typeof(GeneratedCase))]
    public void BadInputThrowsBeforeAnyWork(string name)
    {
        GeneratedCase c = GeneratedCase.Named(name);
        IModel model = c.Create();
        int f = model.Features;
        Assert.Throws<ArgumentException>(() => model.Forward(new float[f + 1], new float[model.Outputs]));
        Assert.Throws<ArgumentException>(() => model.Forward(new float[f], new float[model.Outputs + 1]));
        Assert.Throws<ArgumentException>(() => model.ForwardBatch(new float[(2 * f) + 1], new float[2 * model.Outputs]));
        Assert.Throws<ArgumentException>(() => model.ForwardBatch(new float[2 * f], new float[3 * model.Outputs]));

        // A label outside the classes (or labels for a regression) is refused, and the gradient is left untouched.
        float[] gradient = new float[model.Parameters.Length];
        int[] labels = [0, model.Shape.Task == ModelTask.Regression ? 0 : model.Shape.Classes];
        Assert.Throws<ArgumentException>(() => model.AccumulateGradient(Batch.FromLabels(new float[2 * f], f, labels), gradient));
        Assert.Throws<ArgumentException>(() => model.Loss(Batch.FromLabels(new float[2 * f], f, labels)));
        Assert.Throws<ArgumentException>(() => ((IFusedGradientStep)model).StepInPlace(Batch.FromLabels(new float[2 * f], f, labels), 0.1f));
        Assert.Throws<ArgumentException>(() => model.AccumulateGradient(Batch.FromLabels(new float[2 * (f + 1)], f + 1, [0, 0]), gradient));
        Assert.All(gradient, g => Assert.Equal(0f, g));
        Assert.Throws<ArgumentException>(() => model.AccumulateGradient(new BatchCase(model.Shape, 2, 1, false).Batch(), new float[gradient.Length + 1]));
    }

    [Theory]
    [MemberData(nameof(GeneratedCase.Names), MemberType = typeof(GeneratedCase))]
    public void PredictionAndTrainingAllocateNothing(string name)
    {
        GeneratedCase c = GeneratedCase.Named(name);
        var (model, _) = c.CreatePair(seed: 1);
        var b = new BatchCase(model.Shape, Rows: 130, Seed: 2, Weighted: true);
        float[] row = b.Features.AsSpan(0, model.Features).ToArray();
        float[] outputs = new float[model.Outputs], batchOutputs = new float[b.Rows * model.Outputs];
        float[] gradient = new float[model.Parameters.Length];
        int[] classes = new int[b.Rows];
        float[] values = new float[b.Rows];
        var fused = (IFusedGradientStep)model;
        var checks = new (string What, Action Run)[]
        {
            ("Forward", () => model.Forward(row, outputs)),
            ("ForwardBatch", () => model.ForwardBatch(b.Features, batchOutputs)),
            ("Predict", () => _ = model is IClassifier k ? k.PredictClass(row) : ((IRegressor)model).PredictValue(row)),
            ("Predict(rows)", () =>
            {
                if (model is IClassifier k)
                {
                    k.PredictClasses(b.Features, classes);
                }
                else
                {
                    ((IRegressor)model).PredictValues(b.Features, values);
                }
            }),
            ("Loss", () => model.Loss(b.Batch())),
            ("AccumulateGradient", () => model.AccumulateGradient(b.Batch(), gradient)),
            ("StepInPlace", () => fused.StepInPlace(b.Batch(), 1e-6f)),
            ("StepInPlace, one chunk", () => fused.StepInPlace(new BatchCase(model.Shape, 7, 3, false).Batch(), 1e-6f)),
        };
        foreach (var (what, run) in checks)
        {
            if (what == "StepInPlace, one chunk")
            {
                continue; // Its batch is built in the lambda, which allocates; measured below.
            }

            Assert.True(AllocatesNothing(run), $"{name}: {what} allocated");
        }

        var small = new BatchCase(model.Shape, 7, 3, false);
        Assert.True(AllocatesNothing(() => fused.StepInPlace(small.Batch(), 1e-6f)), $"{name}: StepInPlace on one chunk allocated");
    }

    [Theory]
    [MemberData(nameof(GeneratedCase.Names), MemberType = typeof(GeneratedCase))]
    public void FitAllocatesNothingAfterItsFirstEpoch(string name)
    {
        GeneratedCase c = GeneratedCase.Named(name);
        var (model, _) = c.CreatePair(seed: 1);
        var data = new BatchCase(model.Shape, Rows: 200, Seed: 4, Weighted: false).Dataset();
        foreach (Func<Optimizer> optimizer in new Func<Optimizer>[] { () => new GradientDescent(1e-3f), () => new Adam(1e-3f) })
        {
            // Measured up to three times: see AllocatesNothing.
            string? failure = null;
            for (int attempt = 0; attempt < 3; attempt++)
            {
                var recorder = new AllocationRecorder();
                new Trainer(model, optimizer(), new TrainerOptions { Epochs = 4, BatchSize = 32 }).Fit(data, callback: recorder);
                failure = Enumerable.Range(2, recorder.Bytes.Count - 2)
                    .Where(epoch => recorder.Bytes[epoch] != recorder.Bytes[1])
                    .Select(epoch => $"{name}, {optimizer().GetType().Name}: epoch {epoch + 1} allocated {recorder.Bytes[epoch] - recorder.Bytes[1]} bytes")
                    .FirstOrDefault();
                if (failure is null)
                {
                    break;
                }
            }

            Assert.True(failure is null, failure);
        }
    }

    [Fact]
    public void ModelsMayServeManyThreadsAtOnce()
    {
        var (model, twin) = GeneratedCase.Named(nameof(Perceptron784x128x10)).CreatePair(seed: 9);
        var b = new BatchCase(model.Shape, Rows: 64, Seed: 3, Weighted: false);
        float[] expected = new float[b.Rows * model.Outputs];
        twin.ForwardBatch(b.Features, expected);
        Parallel.For(0, 8, _ =>
        {
            float[] outputs = new float[model.Outputs];
            for (int repeat = 0; repeat < 20; repeat++)
            {
                for (int i = 0; i < b.Rows; i++)
                {
                    model.Forward(b.Features.AsSpan(i * model.Features, model.Features), outputs);
                    for (int j = 0; j < outputs.Length; j++)
                    {
                        Near(expected[(i * model.Outputs) + j], outputs[j], model.Features, $"thread {Environment.CurrentManagedThreadId}, row {i}");
                    }
                }
            }
        });
    }

    [Fact]
    public void AStructModelsCopiesShareItsParameters()
    {
        var model = new SoftmaxStruct9x3();
        SoftmaxStruct9x3 copy = model;
        model.Parameters[0] = 3f;
        Assert.Equal(3f, copy.Parameters[0]);
    }

    [Fact]
    public void APerceptronInitializesAsTheRunTimeOneDoes()
    {
        var model = new PerceptronTanh64x13x1x2();
        model.Initialize(seed: 17);
        var twin = new MultilayerPerceptron(model.Shape, seed: 17);
        Assert.True(twin.Parameters.SequenceEqual(model.Parameters));
    }

    /// <summary>
    /// Whether <paramref name="action"/> allocates nothing once warm, in one of five measurements: a call that
    /// allocates does so every time, while tiered compilation, which promotes hot methods on a timer, can land in
    /// one measured batch on a loaded machine and allocate there.
    /// </summary>
    private static bool AllocatesNothing(Action action)
    {
        for (int attempt = 0; attempt < 5; attempt++)
        {
            if (Allocations.Measure(action) == 0)
            {
                return true;
            }
        }

        return false;
    }

    // The same bits (NaN is never expected here).
    private static void Same(float expected, float actual, string what) =>
        Assert.True(BitConverter.SingleToInt32Bits(expected) == BitConverter.SingleToInt32Bits(actual), $"{what}: the twin gives {expected:R}, the generated model {actual:R}");

    private static void Near(float expected, float actual, int terms, string what)
    {
        double tolerance = 1e-5 * Math.Max(1, Math.Abs(expected)) * Math.Sqrt(terms);
        Assert.True(Math.Abs(expected - actual) <= tolerance, $"{what}: expected {expected}, got {actual}");
    }

    private sealed class AllocationRecorder : ITrainingCallback
    {
        public List<long> Bytes { get; } = new(capacity: 100);

        public TrainingDecision OnEpoch(in EpochReport report)
        {
            Bytes.Add(GC.GetAllocatedBytesForCurrentThread());
            return TrainingDecision.Continue;
        }
    }
}
