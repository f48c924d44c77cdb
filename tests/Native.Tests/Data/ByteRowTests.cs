using Native.Numerics;
using Native.Numerics.Kernels;
using Native.Tests.Support;

namespace Native.Tests.Data;

/// <summary>
/// Rows stored as bytes (<see cref="Dataset.Compact"/>): a quarter of the memory, and training on them gives the parameters
/// of training on the same rows as floats to the bit — raw, standardized, weighted, split — at every kernel width.
/// </summary>
public class ByteRowTests
{
    // Feature counts around the widths (1 to 16 lanes) and a whole MNIST row; row counts around the 64-row chunk.
    public static TheoryData<string, int, int> Cases()
    {
        var data = new TheoryData<string, int, int>();
        foreach (string width in new[] { "Scalar", "Vector128", "Vector256", "Vector512" })
        {
            foreach ((int features, int rows) in new[] { (1, 5), (3, 64), (9, 65), (17, 130), (33, 70), (784, 66) })
            {
                data.Add(width, features, rows);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void TrainingOnByteRowsEqualsTrainingOnFloatRowsToTheBit(string width, int features, int rows)
    {
        SimdWidth simd = Widths.Parse(width);
        (Dataset floats, _) = Pixels(rows, features, classes: 4, seed: features + rows);
        Dataset bytes = floats.Compact();
        Assert.True(bytes.StoresBytes);
        Assert.False(floats.StoresBytes);

        foreach (ModelKind kind in Enum.GetValues<ModelKind>())
        {
            // Plain gradient descent takes the fused step (forward, then gradient rows in registers); momentum the plain one.
            foreach (bool fused in new[] { true, false })
            {
                float[] expected = Train(kind, features, floats, simd, fused);
                float[] actual = Train(kind, features, bytes, simd, fused);
                Assert.True(expected.AsSpan().SequenceEqual(actual), $"{kind}, {(fused ? "fused" : "plain")} step, {width}: the parameters differ");
            }
        }
    }

    [Theory]
    [MemberData(nameof(Widths.All), MemberType = typeof(Widths))]
    public void StandardizedWeightedAndSplitByteRowsTrainAsTheirFloatRows(string width)
    {
        SimdWidth simd = Widths.Parse(width);
        (Dataset floats, float[] weights) = Pixels(150, 37, classes: 3, seed: 11);
        floats = floats.WithSampleWeights(weights);
        Dataset bytes = floats.Compact();
        (Dataset floatTraining, Dataset floatTest) = floats.Split(0.2, seed: 5, stratify: true);
        (Dataset byteTraining, Dataset byteTest) = bytes.Split(0.2, seed: 5, stratify: true);

        // The standardizer fitted on byte rows is the one fitted on their floats; Transform keeps the rows bytes.
        Standardizer fromFloats = Standardizer.Fit(floatTraining);
        Standardizer fromBytes = Standardizer.Fit(byteTraining);
        Assert.Equal(fromFloats.Means.ToArray(), fromBytes.Means.ToArray());
        Assert.Equal(fromFloats.StandardDeviations.ToArray(), fromBytes.StandardDeviations.ToArray());
        Dataset standardizedBytes = fromBytes.Transform(byteTraining);
        Assert.True(standardizedBytes.StoresBytes);
        Dataset standardizedFloats = fromFloats.Transform(floatTraining);
        for (int i = 0; i < standardizedFloats.Count; i++)
        {
            Assert.True(standardizedFloats.Row(i).SequenceEqual(standardizedBytes.Row(i)), $"row {i} standardized");
        }

        // Plain gradient descent (the fused step), momentum (the plain step), and two threads sharing each batch.
        foreach ((bool fused, int threads) in new[] { (true, 1), (false, 1), (true, 2) })
        {
            var floatModel = new SoftmaxRegression(37, 3) { KernelWidth = simd };
            var byteModel = new SoftmaxRegression(37, 3) { KernelWidth = simd };
            var options = new TrainerOptions { Epochs = 3, BatchSize = 20, Seed = 1, Parallelism = threads };
            TrainingResult expected = new Trainer(floatModel, Standardized(fused), options).Fit(standardizedFloats, fromFloats.Transform(floatTest));
            TrainingResult actual = new Trainer(byteModel, Standardized(fused), options).Fit(standardizedBytes, fromBytes.Transform(byteTest));
            Assert.True(floatModel.Parameters.SequenceEqual(byteModel.Parameters), $"{width}, fused {fused}, {threads} threads: the parameters differ");
            Assert.Equal(expected.TrainingLoss, actual.TrainingLoss);
            Assert.Equal(expected.ValidationAccuracy, actual.ValidationAccuracy);
        }
    }

    [Fact]
    public void OnlyIntegersFrom0To255AreStoredAsBytes()
    {
        foreach (float value in new[] { 256f, -1f, 0.5f, -0f, 254.99f, 1e-30f })
        {
            float[] features = new float[40];
            features[33] = value;
            Dataset data = Dataset.FromLabels(features, 20, [0, 1]);
            Assert.Same(data, data.Compact());
            Assert.False(data.StoresBytes);
        }

        float[] edges = new float[40];
        edges[0] = 255f;
        edges[39] = 1f;
        Dataset compact = Dataset.FromLabels(edges, 20, [0, 1]).Compact();
        Assert.True(compact.StoresBytes);
        Assert.Same(compact, compact.Compact());
        Assert.Equal(edges.AsSpan(0, 20).ToArray(), compact.Row(0).ToArray());
        Assert.Equal(edges.AsSpan(20, 20).ToArray(), compact.Row(1).ToArray());
    }

    [Fact]
    public void ByteRowsTakeAQuarterOfTheMemoryAndKeepLabelsAndNames()
    {
        (Dataset floats, _) = Pixels(100, 784, classes: 10, seed: 3);
        floats = floats.WithFeatureNames([.. Enumerable.Range(0, 784).Select(i => $"pixel{i}")], "digit");
        Dataset bytes = floats.Compact();
        long floatRows = floats.MemoryBytes - (4L * floats.Count);
        long byteRows = bytes.MemoryBytes - (4L * bytes.Count);
        Assert.Equal(floatRows / 4, byteRows);
        Assert.Equal(floats.Labels.ToArray(), bytes.Labels.ToArray());
        Assert.Equal(floats.FeatureNames, bytes.FeatureNames);
        Assert.Equal("digit", bytes.LabelName);

        // A view compacts to rows of its own, in its order.
        Dataset shuffled = floats.Shuffle(seed: 9);
        Dataset compactShuffled = shuffled.Compact();
        Assert.Equal(shuffled.Labels.ToArray(), compactShuffled.Labels.ToArray());
        Assert.True(shuffled.Row(17).SequenceEqual(compactShuffled.Row(17)));
        Assert.True(floats.Select([5, 2, 5]).Row(2).SequenceEqual(bytes.Select([5, 2, 5]).Row(2)));
        Assert.True(bytes.Select([5, 2, 5]).StoresBytes);
    }

    [Fact]
    public void ABatchOfByteRowsRefusesToHandOutFloatRows()
    {
        (Dataset floats, _) = Pixels(3, 8, classes: 2, seed: 1);
        Dataset bytes = floats.Compact();
        var exception = Assert.Throws<InvalidOperationException>(() => Batch.FromDataset(bytes).Row(0).ToArray());
        Assert.Contains("bytes", exception.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Widths.All), MemberType = typeof(Widths))]
    public void AStepOnByteRowsAllocatesNothing(string width)
    {
        (Dataset floats, _) = Pixels(200, 100, classes: 10, seed: 2);
        Dataset bytes = Standardizer.Fit(floats).Transform(floats.Compact());
        var model = new SoftmaxRegression(100, 10) { KernelWidth = Widths.Parse(width) };
        int[] rows = [.. Enumerable.Range(0, 64).Select(i => (i * 37) % 200)];
        long allocated = Allocations.Measure(() =>
        {
            model.StepInPlace(Batch.FromDataset(bytes, rows), 1e-3f);
            model.Loss(Batch.FromDataset(bytes, rows));
        });
        Assert.Equal(0, allocated);
    }

    [Theory]
    [MemberData(nameof(Widths.All), MemberType = typeof(Widths))]
    public void EpochsOnByteRowsAllocateNothing(string width)
    {
        (Dataset floats, _) = Pixels(300, 50, classes: 3, seed: 4);
        (Dataset training, Dataset validation) = floats.Compact().Split(0.25, seed: 1);
        var recorder = new AllocationRecorder();
        var model = new SoftmaxRegression(50, 3) { KernelWidth = Widths.Parse(width) };
        new Trainer(model, new GradientDescent(1e-3f), new TrainerOptions { Epochs = 6, BatchSize = 32, Seed = 2 }).Fit(training, validation, recorder);
        Assert.Equal(0, recorder.Bytes[^1] - recorder.Bytes[1]);
    }

    [Fact]
    public void TheByteCheckAgreesWithAScalarOneOnEveryValueKind()
    {
        float[] values = new float[100];
        var random = new Random(7);
        for (int trial = 0; trial < 2000; trial++)
        {
            for (int i = 0; i < values.Length; i++)
            {
                values[i] = random.Next(256);
            }

            int at = random.Next(values.Length);
            values[at] = random.Next(6) switch
            {
                0 => random.Next(256),
                1 => random.Next(256, 100_000),
                2 => -random.Next(1, 300),
                3 => random.Next(256) + 0.25f,
                4 => -0f,
                _ => BitConverter.Int32BitsToSingle(random.Next()),
            };
            bool expected = values.All(v => v >= 0 && v <= 255 && v == MathF.Floor(v) && !float.IsNegative(v));
            Assert.Equal(expected, ByteRowKernel.AreBytes(values));
        }
    }

    [Theory]
    [MemberData(nameof(Widths.All), MemberType = typeof(Widths))]
    public void EveryByteSurvivesNarrowingAndWideningAtEveryLength(string width)
    {
        var random = new Random(13);
        foreach (int length in Properties.AwkwardLengths.Concat([63, 65, 127, 128, 129, 200]))
        {
            float[] values = [.. Enumerable.Range(0, length).Select(_ => (float)random.Next(256))];
            byte[] bytes = new byte[length + 16];
            ByteRowKernel.Narrow(values, bytes);
            Assert.Equal(values.Select(v => (byte)v), bytes.Take(length));
            Assert.All(bytes.Skip(length), b => Assert.Equal(0, b));

            float[] widened = new float[length];
            switch (Widths.Parse(width))
            {
                case SimdWidth.Vector512: ByteRowKernel.WidenRow<Simd512, System.Runtime.Intrinsics.Vector512<float>, ByteRowKernel.RawBytes>(in bytes[0], default, ref widened[0], length); break;
                case SimdWidth.Vector256: ByteRowKernel.WidenRow<Simd256, System.Runtime.Intrinsics.Vector256<float>, ByteRowKernel.RawBytes>(in bytes[0], default, ref widened[0], length); break;
                case SimdWidth.Vector128: ByteRowKernel.WidenRow<Simd128, System.Runtime.Intrinsics.Vector128<float>, ByteRowKernel.RawBytes>(in bytes[0], default, ref widened[0], length); break;
                default: ByteRowKernel.WidenRow<SimdScalar, float, ByteRowKernel.RawBytes>(in bytes[0], default, ref widened[0], length); break;
            }

            Assert.Equal(values, widened);
        }
    }

    private static float[] Train(ModelKind kind, int features, Dataset data, SimdWidth width, bool fused)
    {
        DenseModel model = kind switch
        {
            ModelKind.LinearRegression => new LinearRegression(features),
            ModelKind.LogisticRegression => new LogisticRegression(features),
            ModelKind.SoftmaxRegression => new SoftmaxRegression(features, 4),
            _ => new MultilayerPerceptron([features, 7, 4], Activation.Relu, seed: 3),
        };
        model.KernelWidth = width;
        Dataset training = kind switch
        {
            ModelKind.LinearRegression => Regression(data),
            ModelKind.LogisticRegression => Binary(data),
            _ => data,
        };
        new Trainer(model, Optimizer(fused), Options()).Fit(training);
        return model.Parameters.ToArray();
    }

    private static Optimizer Optimizer(bool fused) => fused ? new GradientDescent(1e-7f) : new Momentum(1e-7f, 0.9f);

    // Standardized rows take a step size that learns.
    private static Optimizer Standardized(bool fused) => fused ? new GradientDescent(0.05f) : new Momentum(0.05f, 0.9f);

    private static TrainerOptions Options() => new() { Epochs = 3, BatchSize = 20, Seed = 1 };

    // The same rows with targets (the label's value) or two classes, kept bytes or floats as they were.
    private static Dataset Regression(Dataset data) => Rebuilt(data, d => Dataset.FromTargets(Floats(d), d.Features, [.. d.Labels.ToArray().Select(l => (float)l)]));

    private static Dataset Binary(Dataset data) => Rebuilt(data, d => Dataset.FromLabels(Floats(d), d.Features, [.. d.Labels.ToArray().Select(l => l % 2)]));

    private static Dataset Rebuilt(Dataset data, Func<Dataset, Dataset> build)
    {
        Dataset rebuilt = build(data);
        return data.StoresBytes ? rebuilt.Compact() : rebuilt;
    }

    private static float[] Floats(Dataset data) => [.. Enumerable.Range(0, data.Count).SelectMany(i => data.Row(i).ToArray())];

    // Rows of "pixels": integers 0–255, mostly small, as MNIST's are, with labels and positive weights.
    private static (Dataset Data, float[] Weights) Pixels(int rows, int features, int classes, int seed)
    {
        var random = new Random(seed);
        float[] x = new float[rows * features];
        for (int i = 0; i < x.Length; i++)
        {
            x[i] = random.Next(3) == 0 ? random.Next(256) : 0;
        }

        int[] labels = [.. Enumerable.Range(0, rows).Select(i => i % classes)];
        float[] weights = [.. Enumerable.Range(0, rows).Select(_ => 0.5f + (float)random.NextDouble())];
        return (Dataset.FromLabels(x, features, labels, classes), weights);
    }

    private sealed class AllocationRecorder : ITrainingCallback
    {
        public List<long> Bytes { get; } = new(capacity: 16);

        public TrainingDecision OnEpoch(in EpochReport report)
        {
            Bytes.Add(GC.GetAllocatedBytesForCurrentThread());
            return TrainingDecision.Continue;
        }
    }
}
