using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using Native.Numerics;
using Native.Numerics.CompilerServices;
using Native.Numerics.Kernels;
using Native.Tests.Support;

namespace Native.Tests.Kernels;

/// <summary>
/// The chunk kernels reading byte rows themselves (<see cref="ByteInput"/>, <see cref="StandardizedByteInput"/>): the same
/// bits as the kernels reading the rows stored as floats (standardized into memory first), at every width, for every
/// feature count around the widths, rows in order or through an index list; and training that reads bytes directly equal
/// to training that widens them into float rows first, for the run-time stack and the generated stacks.
/// </summary>
public class ByteInputTests
{
    public static TheoryData<string, int> Cases()
    {
        var data = new TheoryData<string, int>();
        foreach (string width in new[] { "Scalar", "Vector128", "Vector256", "Vector512" })
        {
            foreach (int features in new[] { 1, 3, 4, 7, 8, 9, 15, 16, 17, 31, 33, 47, 48, 49, 100, 784 })
            {
                data.Add(width, features);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void TheKernelsReadByteRowsAsTheirFloatRowsToTheBit(string width, int features)
    {
        SimdWidth simd = Widths.Parse(width);
        var random = new Random(features);
        const int Count = 67;
        int words = Dataset.ByteStride(features) / sizeof(float);
        int floatStride = features + 3;
        byte[] bytes = new byte[(Count * words * sizeof(float)) + 64];
        float[] floats = new float[Count * floatStride];
        for (int i = 0; i < Count; i++)
        {
            for (int k = 0; k < features; k++)
            {
                byte value = random.Next(3) == 0 ? (byte)random.Next(256) : (byte)0;
                bytes[(i * words * sizeof(float)) + k] = value;
                floats[(i * floatStride) + k] = value;
            }
        }

        float[] means = [.. Enumerable.Range(0, features).Select(_ => (float)(random.NextDouble() * 100))];
        float[] scales = [.. Enumerable.Range(0, features).Select(_ => (float)(0.001 + random.NextDouble()))];
        float[] standardized = new float[floats.Length];
        for (int i = 0; i < Count; i++)
        {
            for (int k = 0; k < features; k++)
            {
                standardized[(i * floatStride) + k] = (floats[(i * floatStride) + k] - means[k]) * scales[k];
            }
        }

        ref float byteOrigin = ref Unsafe.As<byte, float>(ref bytes[0]);
        int[] shuffled = [.. Enumerable.Range(0, Count).OrderBy(_ => random.Next())];
        foreach (int outputs in new[] { 1, 3, 10, 17 })
        {
            float[] w = [.. Enumerable.Range(0, (outputs * features) + 16).Select(_ => (float)(random.NextDouble() - 0.5))];
            float[] b = [.. Enumerable.Range(0, outputs + 16).Select(_ => (float)random.NextDouble())];
            float[] errors = [.. Enumerable.Range(0, Count * outputs).Select(_ => (float)(random.NextDouble() - 0.5))];
            foreach (int rows in new[] { 1, 2, 5, 64, Count })
            {
                foreach (bool indexed in new[] { false, true })
                {
                    ReadOnlySpan<int> order = shuffled.AsSpan(0, rows);
                    Rows floatRows = indexed ? new Rows(in floats[0], floatStride, order) : new Rows(in floats[0], floatStride, rows);
                    Rows standardizedRows = indexed ? new Rows(in standardized[0], floatStride, order) : new Rows(in standardized[0], floatStride, rows);
                    Rows byteRows = indexed ? new Rows(in byteOrigin, words, order) : new Rows(in byteOrigin, words, rows);
                    string where = $"{width}, {features} features, {outputs} outputs, {rows} rows{(indexed ? ", indexed" : "")}";

                    Assert.True(Forward(simd, floatRows, default(RawInput), features, outputs, w, b).SequenceEqual(Forward(simd, byteRows, default(ByteInput), features, outputs, w, b)), $"forward, {where}");
                    Assert.True(
                        Forward(simd, standardizedRows, default(RawInput), features, outputs, w, b).SequenceEqual(Forward(simd, byteRows, new StandardizedByteInput(ref means[0], ref scales[0]), features, outputs, w, b)),
                        $"standardized forward, {where}");
                    Assert.True(Gradient(simd, floatRows, default(RawInput), features, outputs, errors).SequenceEqual(Gradient(simd, byteRows, default(ByteInput), features, outputs, errors)), $"gradient, {where}");
                    Assert.True(
                        Gradient(simd, standardizedRows, default(RawInput), features, outputs, errors).SequenceEqual(Gradient(simd, byteRows, new StandardizedByteInput(ref means[0], ref scales[0]), features, outputs, errors)),
                        $"standardized gradient, {where}");
                }
            }
        }
    }

    [Theory]
    [MemberData(nameof(Widths.All), MemberType = typeof(Widths))]
    public void ReadingBytesDirectlyTrainsAsWideningThemFirstForEveryStack(string width)
    {
        SimdWidth simd = Widths.Parse(width);
        Dataset bytes = Pixels(150, 37, classes: 4, seed: 8).Compact();
        Dataset standardizedBytes = Standardizer.Fit(bytes).Transform(bytes);
        Assert.True(standardizedBytes.StoresBytes);
        int[] rows = [.. Enumerable.Range(0, 130).Select(i => (i * 53) % 150)];
        foreach (Dataset data in new[] { bytes, standardizedBytes })
        {
            foreach (Func<ModelRuntime> create in Stacks(37))
            {
                float[] direct = Steps(create(), simd, data, rows, widenFirst: false);
                float[] widened = Steps(create(), simd, data, rows, widenFirst: true);
                Assert.True(direct.SequenceEqual(widened), $"{width}, {create().GetType().Name}, standardized {data == standardizedBytes}: the parameters differ");
            }
        }
    }

    [Theory]
    [MemberData(nameof(Widths.All), MemberType = typeof(Widths))]
    public void StepsOnByteRowsAllocateNothingEitherWay(string width)
    {
        Dataset bytes = Pixels(200, 100, classes: 4, seed: 2).Compact();
        bytes = Standardizer.Fit(bytes).Transform(bytes);
        int[] rows = [.. Enumerable.Range(0, 64).Select(i => (i * 37) % 200)];
        foreach (Func<ModelRuntime> create in Stacks(100))
        {
            ModelRuntime runtime = create();
            runtime.Width = Widths.Parse(width);
            float[] gradient = new float[runtime.Parameters.Length];
            foreach (bool direct in new[] { false, true })
            {
                bool? before = ByteRowKernel.ReadDirectly;
                ByteRowKernel.ReadDirectly = direct;
                try
                {
                    long allocated = Allocations.Measure(() =>
                    {
                        runtime.StepInPlace(Batch.FromDataset(bytes, rows), 1e-3f);
                        runtime.AccumulateGradient(Batch.FromDataset(bytes), gradient);
                    });
                    Assert.True(allocated == 0, $"{runtime.GetType().Name}, read directly {direct}: {allocated} bytes allocated");
                }
                finally
                {
                    ByteRowKernel.ReadDirectly = before;
                }
            }
        }
    }

    // The run-time stack (a perceptron's DynamicLayers) and the generated stacks' types over run-time shapes: an output layer
    // alone, and a hidden layer under it.
    private static Func<ModelRuntime>[] Stacks(int features) =>
    [
        () => Randomized(((IModelRuntimeOwner)new MultilayerPerceptron([features, 9, 4], Activation.Tanh, seed: 5)).Runtime),
        () => Randomized(new ModelRuntime<HiddenLayer<DenseShape, ReluFunction, OutputLayer<DenseShape>>, SoftmaxHead>(
            ModelShape.MultilayerPerceptron([features, 6, 4], [Activation.Relu]),
            new HiddenLayer<DenseShape, ReluFunction, OutputLayer<DenseShape>>(new DenseShape(features, 6), new OutputLayer<DenseShape>(new DenseShape(6, 4))))),
        () => Randomized(new ModelRuntime<OutputLayer<DenseShape>, SoftmaxHead>(ModelShape.SoftmaxRegression(features, 4), new OutputLayer<DenseShape>(new DenseShape(features, 4)))),
    ];

    private static ModelRuntime Randomized(ModelRuntime runtime)
    {
        var random = new Random(21);
        Span<float> parameters = runtime.Parameters;
        for (int i = 0; i < parameters.Length; i++)
        {
            parameters[i] = (float)(random.NextDouble() - 0.5) * 0.1f;
        }

        return runtime;
    }

    // A step in place on one chunk, a step on two chunks (the gradient buffer), the loss, and a gradient, in that order.
    private static float[] Steps(ModelRuntime runtime, SimdWidth width, Dataset data, int[] rows, bool widenFirst)
    {
        runtime.Width = width;
        bool? before = ByteRowKernel.ReadDirectly;
        ByteRowKernel.ReadDirectly = !widenFirst;
        try
        {
            float[] gradient = new float[runtime.Parameters.Length];
            float first = runtime.StepInPlace(Batch.FromDataset(data, rows.AsSpan(0, 50)), 1e-4f);
            float second = runtime.StepInPlace(Batch.FromDataset(data, rows), 1e-4f);
            float loss = runtime.Loss(Batch.FromDataset(data));
            float summed = runtime.AccumulateGradient(Batch.FromDataset(data, rows.AsSpan(7, 70)), gradient);
            return [first, second, loss, summed, .. runtime.Parameters, .. gradient];
        }
        finally
        {
            ByteRowKernel.ReadDirectly = before;
        }
    }

    private static float[] Forward<TInput>(SimdWidth width, Rows input, TInput reader, int inputs, int outputs, float[] w, float[] b)
        where TInput : struct, IRowInput, allows ref struct
    {
        float[] z = new float[(input.Count * outputs) + 16];
        var shape = new DenseShape(inputs, outputs);
        switch (width)
        {
            case SimdWidth.Vector512: ForwardKernel.Rows<Simd512, Vector512<float>, DenseShape, TInput>(shape, in input, reader, ref w[0], ref b[0], ref z[0]); break;
            case SimdWidth.Vector256: ForwardKernel.Rows<Simd256, Vector256<float>, DenseShape, TInput>(shape, in input, reader, ref w[0], ref b[0], ref z[0]); break;
            case SimdWidth.Vector128: ForwardKernel.Rows<Simd128, Vector128<float>, DenseShape, TInput>(shape, in input, reader, ref w[0], ref b[0], ref z[0]); break;
            default: ForwardKernel.Rows<SimdScalar, float, DenseShape, TInput>(shape, in input, reader, ref w[0], ref b[0], ref z[0]); break;
        }

        return z;
    }

    // dW and db after the kernel adds the chunk's gradient to a start that is not zero.
    private static float[] Gradient<TInput>(SimdWidth width, Rows input, TInput reader, int inputs, int outputs, float[] errors)
        where TInput : struct, IRowInput, allows ref struct
    {
        float[] dw = [.. Enumerable.Range(0, (inputs * outputs) + 16).Select(i => (i % 7) * 0.125f)];
        float[] db = new float[outputs + 16];
        var shape = new DenseShape(inputs, outputs);
        switch (width)
        {
            case SimdWidth.Vector512: GradientKernel.Accumulate<Simd512, Vector512<float>, DenseShape, TInput>(shape, ref errors[0], in input, reader, ref dw[0], ref db[0]); break;
            case SimdWidth.Vector256: GradientKernel.Accumulate<Simd256, Vector256<float>, DenseShape, TInput>(shape, ref errors[0], in input, reader, ref dw[0], ref db[0]); break;
            case SimdWidth.Vector128: GradientKernel.Accumulate<Simd128, Vector128<float>, DenseShape, TInput>(shape, ref errors[0], in input, reader, ref dw[0], ref db[0]); break;
            default: GradientKernel.Accumulate<SimdScalar, float, DenseShape, TInput>(shape, ref errors[0], in input, reader, ref dw[0], ref db[0]); break;
        }

        return [.. dw, .. db];
    }

    private static Dataset Pixels(int rows, int features, int classes, int seed)
    {
        var random = new Random(seed);
        float[] x = new float[rows * features];
        for (int i = 0; i < x.Length; i++)
        {
            x[i] = random.Next(3) == 0 ? random.Next(256) : 0;
        }

        return Dataset.FromLabels(x, features, [.. Enumerable.Range(0, rows).Select(i => i % classes)], classes);
    }
}
