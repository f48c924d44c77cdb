using System.Runtime.Intrinsics;
using Native.Numerics;
using Native.Numerics.Kernels;
using Native.Tests.Support;

namespace Native.Tests.Data;

/// <summary>
/// IDX images kept as bytes: the pixels / 255 of every row read and train to the bit as the floats pixel / 255 (the units
/// every model trained on IDX data takes, in the library and the CLI), at every width, raw and standardized, in a quarter of
/// the memory.
/// </summary>
public class IdxByteRowTests
{
    [Fact]
    public void EveryPixelValueReadsAsItsFloatDividedBy255()
    {
        // One image of every byte value, 0 to 255, then one of them backwards: 256 pixels each.
        byte[] pixels = [.. Enumerable.Range(0, 256).Select(b => (byte)b), .. Enumerable.Range(0, 256).Select(b => (byte)(255 - b))];
        Dataset data = Load(pixels, count: 2, rows: 16, columns: 16, [3, 8]);
        Assert.True(data.StoresBytes);
        Assert.Equal<int>([3, 8], data.Labels.ToArray());
        for (int i = 0; i < 2; i++)
        {
            float[] expected = [.. pixels.AsSpan(i * 256, 256).ToArray().Select(p => p / 255f)];
            Assert.True(expected.AsSpan().SequenceEqual(data.Row(i)), $"row {i}");
        }
    }

    [Theory]
    [MemberData(nameof(Widths.All), MemberType = typeof(Widths))]
    public void WideningDividesExactlyAtEveryWidthAndLength(string width)
    {
        var random = new Random(3);
        foreach (int length in Properties.AwkwardLengths.Concat([255, 256, 257, 784]))
        {
            // Every byte value once (at length 256), else random ones.
            byte[] bytes = [.. Enumerable.Range(0, length + 16).Select(k => k >= length ? (byte)0 : length == 256 ? (byte)k : (byte)random.Next(256))];
            float[] widened = new float[length];
            ByteRowFormat format = ByteRowFormat.Divided(255f);
            switch (Widths.Parse(width))
            {
                case SimdWidth.Vector512: ByteRowKernel.WidenRow<Simd512, Vector512<float>>(in bytes[0], format, ref widened[0], length); break;
                case SimdWidth.Vector256: ByteRowKernel.WidenRow<Simd256, Vector256<float>>(in bytes[0], format, ref widened[0], length); break;
                case SimdWidth.Vector128: ByteRowKernel.WidenRow<Simd128, Vector128<float>>(in bytes[0], format, ref widened[0], length); break;
                default: ByteRowKernel.WidenRow<SimdScalar, float>(in bytes[0], format, ref widened[0], length); break;
            }

            Assert.Equal(bytes.Take(length).Select(b => b / 255f), widened);
        }
    }

    [Theory]
    [MemberData(nameof(Widths.All), MemberType = typeof(Widths))]
    public void IdxByteRowsTrainAsTheirFloatsToTheBit(string width)
    {
        SimdWidth simd = Widths.Parse(width);
        Dataset bytes = Mnist.All().Select([.. Enumerable.Range(0, 300)]);
        Assert.True(bytes.StoresBytes);
        Dataset floats = Floats(bytes);
        Assert.False(floats.StoresBytes);
        Assert.Same(bytes, bytes.Compact());

        // Raw pixels / 255 and standardized (a standardizer fitted on the bytes is the one fitted on the floats), a softmax
        // regression under the fused step and a perceptron under momentum; validation on held-out rows.
        Standardizer fromBytes = Standardizer.Fit(bytes);
        Standardizer fromFloats = Standardizer.Fit(floats);
        Assert.Equal(fromFloats.Means.ToArray(), fromBytes.Means.ToArray());
        Assert.Equal(fromFloats.StandardDeviations.ToArray(), fromBytes.StandardDeviations.ToArray());
        Dataset standardizedBytes = fromBytes.Transform(bytes);
        Assert.True(standardizedBytes.StoresBytes);
        foreach ((Dataset byteRows, Dataset floatRows) in new[] { (bytes, floats), (standardizedBytes, fromFloats.Transform(floats)) })
        {
            Assert.True(floatRows.Row(123).SequenceEqual(byteRows.Row(123)));
            foreach (bool perceptron in new[] { false, true })
            {
                (float[] expected, TrainingResult expectedResult) = Train(floatRows, simd, perceptron);
                (float[] actual, TrainingResult actualResult) = Train(byteRows, simd, perceptron);
                Assert.True(expected.AsSpan().SequenceEqual(actual), $"{width}, perceptron {perceptron}, standardized {byteRows == standardizedBytes}: the parameters differ");
                Assert.Equal(expectedResult.ValidationAccuracy, actualResult.ValidationAccuracy);
            }
        }
    }

    [Fact]
    public void IdxRowsTakeAQuarterOfTheMemory()
    {
        Dataset bytes = Mnist.All();
        Dataset floats = Floats(bytes);
        long labels = 4L * bytes.Count;
        Assert.Equal((floats.MemoryBytes - labels) / 4, bytes.MemoryBytes - labels);
    }

    [Theory]
    [MemberData(nameof(Widths.All), MemberType = typeof(Widths))]
    public void AStepOnIdxRowsAllocatesNothing(string width)
    {
        Dataset data = Mnist.All();
        data = Standardizer.Fit(data).Transform(data);
        var model = new SoftmaxRegression(784, 10) { KernelWidth = Widths.Parse(width) };
        int[] rows = [.. Enumerable.Range(0, 64).Select(i => (i * 37) % data.Count)];
        Assert.Equal(0, Allocations.Measure(() => model.StepInPlace(Batch.FromDataset(data, rows), 1e-3f)));
    }

    private static (float[] Parameters, TrainingResult Result) Train(Dataset data, SimdWidth width, bool perceptron)
    {
        (Dataset training, Dataset validation) = data.Split(0.2, seed: 4);
        DenseModel model = perceptron ? new MultilayerPerceptron([784, 16, 10], Activation.Relu, seed: 2) : new SoftmaxRegression(784, 10);
        model.KernelWidth = width;
        Optimizer optimizer = perceptron ? new Momentum(0.01f, 0.9f) : new GradientDescent(0.1f);
        TrainingResult result = new Trainer(model, optimizer, new TrainerOptions { Epochs = 2, BatchSize = 50, Seed = 1 }).Fit(training, validation);
        return (model.Parameters.ToArray(), result);
    }

    private static Dataset Floats(Dataset data)
    {
        float[] features = new float[data.Count * data.Features];
        for (int i = 0; i < data.Count; i++)
        {
            data.Row(i).CopyTo(features.AsSpan(i * data.Features, data.Features));
        }

        return Dataset.FromLabels(features, data.Features, data.Labels, data.Classes);
    }

    private static Dataset Load(byte[] pixels, uint count, uint rows, uint columns, byte[] labels)
    {
        byte[] images = [.. Header(3, count, rows, columns), .. pixels];
        byte[] labelFile = [.. Header(1, (uint)labels.Length), .. labels];
        return Idx.LoadDataset(new MemoryStream(images), new MemoryStream(labelFile));
    }

    // The IDX header: two zero bytes, the type (8: unsigned bytes), the number of dimensions, then each size big-endian.
    private static byte[] Header(byte dimensions, params uint[] sizes) =>
        [0, 0, 8, dimensions, .. sizes.SelectMany(size => new[] { (byte)(size >> 24), (byte)(size >> 16), (byte)(size >> 8), (byte)size })];
}
