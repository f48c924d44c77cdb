using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using Native.Numerics;
using Native.Numerics.CompilerServices;
using Native.Numerics.Kernels;
using Native.Tests.Support;

namespace Native.Tests.Kernels;

/// <summary>
/// The ten-output kernels (<see cref="TenOutputKernel"/>): the general kernels' bits at every width, for feature counts
/// around the widths and the blocks' steps, rows in order or through an index list, float rows and byte rows (raw and
/// standardized); and, through the models, gradients of ten-output layers that match central differences, on float rows
/// and on byte rows.
/// </summary>
public class TenOutputKernelTests
{
    public static TheoryData<string, int> Cases()
    {
        var data = new TheoryData<string, int>();
        foreach (string width in new[] { "Scalar", "Vector128", "Vector256", "Vector512" })
        {
            foreach (int features in new[] { 1, 3, 4, 7, 8, 15, 16, 17, 31, 32, 33, 47, 48, 49, 63, 64, 65, 100, 784 })
            {
                data.Add(width, features);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void TheTenOutputKernelsGiveTheGeneralKernelsBits(string width, int features)
    {
        SimdWidth simd = Widths.Parse(width);
        const int Outputs = TenOutputKernel.Outputs;
        const int Count = 67;
        var random = new Random(features + 1000);
        int words = Dataset.ByteStride(features) / sizeof(float);
        int floatStride = features + 5;
        byte[] bytes = new byte[(Count * words * sizeof(float)) + 64];
        float[] floats = new float[Count * floatStride];
        for (int i = 0; i < Count; i++)
        {
            for (int k = 0; k < features; k++)
            {
                byte value = random.Next(3) == 0 ? (byte)random.Next(256) : (byte)0;
                bytes[(i * words * sizeof(float)) + k] = value;
                floats[(i * floatStride) + k] = (float)(random.NextDouble() - 0.5) * 4f;
            }
        }

        float[] means = [.. Enumerable.Range(0, features).Select(_ => (float)(random.NextDouble() * 100))];
        float[] scales = [.. Enumerable.Range(0, features).Select(_ => (float)(0.001 + random.NextDouble()))];
        float[] w = [.. Enumerable.Range(0, (Outputs * features) + 16).Select(_ => (float)(random.NextDouble() - 0.5))];
        float[] b = [.. Enumerable.Range(0, Outputs + 16).Select(_ => (float)random.NextDouble())];
        float[] errors = [.. Enumerable.Range(0, Count * Outputs).Select(_ => (float)(random.NextDouble() - 0.5))];
        ref float byteOrigin = ref Unsafe.As<byte, float>(ref bytes[0]);
        int[] shuffled = [.. Enumerable.Range(0, Count).OrderBy(_ => random.Next())];
        foreach (int rows in new[] { 1, 2, 3, 5, 64, Count })
        {
            foreach (bool indexed in new[] { false, true })
            {
                ReadOnlySpan<int> order = shuffled.AsSpan(0, rows);
                Rows floatRows = indexed ? new Rows(in floats[0], floatStride, order) : new Rows(in floats[0], floatStride, rows);
                Rows byteRows = indexed ? new Rows(in byteOrigin, words, order) : new Rows(in byteOrigin, words, rows);
                string where = $"{width}, {features} features, {rows} rows{(indexed ? ", indexed" : "")}";
                AssertSameBits(simd, floatRows, default(RawInput), features, w, b, errors, $"float rows, {where}");
                AssertSameBits(simd, byteRows, default(ByteInput), features, w, b, errors, $"byte rows, {where}");
                AssertSameBits(simd, byteRows, new StandardizedByteInput(ref means[0], ref scales[0]), features, w, b, errors, $"standardized byte rows, {where}");
            }
        }
    }

    [Fact]
    public void OnlyTenOutputLayersGoToTheTenOutputKernels()
    {
        Assert.True(TenOutputKernel.Covers(10) || !TenOutputKernel.Enabled);
        foreach (int outputs in new[] { 1, 2, 4, 8, 9, 11, 12, 20 })
        {
            Assert.False(TenOutputKernel.Covers(outputs), $"{outputs} outputs");
        }
    }

    [Fact]
    public void RawByteRowsAreReadDirectlyByOneTenOutputLayerThatFitsAndWidenedFirstOtherwise()
    {
        int softmax = (int)ParameterLayout.LayerParameters(784, 10);
        Assert.True(ByteRowKernel.ChoosesDirect(784, 10, softmax, standardized: false), "784 × 10");
        Assert.False(ByteRowKernel.ChoosesDirect(784, 10, softmax, standardized: true), "784 × 10, standardized");
        Assert.True(ByteRowKernel.ChoosesDirect(17, 10, (int)ParameterLayout.LayerParameters(17, 10), standardized: false), "17 × 10");
        Assert.False(ByteRowKernel.ChoosesDirect(784, 9, (int)ParameterLayout.LayerParameters(784, 9), standardized: false), "784 × 9");
        Assert.False(ByteRowKernel.ChoosesDirect(1000, 10, (int)ParameterLayout.LayerParameters(1000, 10), standardized: false), "1000 × 10: W beyond L1, tiled by the general kernel");
        int perceptron = (int)(ParameterLayout.LayerParameters(784, 128) + ParameterLayout.LayerParameters(128, 10));
        Assert.False(ByteRowKernel.ChoosesDirect(784, 10, perceptron, standardized: false), "784-128-10: the bottom layer is not ten outputs");
    }

    // Ten-output layers: a softmax over ten classes, a ten-output regression, and a perceptron whose hidden layer has ten
    // units under a ten-class softmax (both layers through the ten-output kernels).
    private static readonly ModelShape[] TenOutputShapes =
    [
        ModelShape.SoftmaxRegression(33, 10),
        ModelShape.SoftmaxRegression(49, 10),
        ModelShape.LinearRegression(17, 10),
        ModelShape.MultilayerPerceptron([40, 10, 10], [Activation.Tanh]),
    ];

    [Theory]
    [MemberData(nameof(Widths.All), MemberType = typeof(Widths))]
    public void TenOutputGradientsMatchCentralDifferences(string width)
    {
        foreach (ModelShape shape in TenOutputShapes)
        {
            foreach (int rows in new[] { 1, 2, 5, 64, 70 })
            {
                foreach (bool asBytes in new[] { false, true })
                {
                    var c = new Models.ModelCase(shape, rows, Seed: (rows * 31) + shape.Features);
                    DenseModel model = c.CreateModel(Widths.Parse(width));

                    // Byte rows hold small integers (0–3), so that the loss stays in a range central differences resolve.
                    float[] features = asBytes ? [.. c.Features().Select(v => MathF.Round(Math.Abs(v) * 1.5f))] : c.Features();
                    int[]? labels = c.Labels();
                    float[]? targets = c.Targets();
                    float[] weights = c.Weights();
                    int[] all = [.. Enumerable.Range(0, rows)];
                    Batch batch = c.Batch(features, labels, targets, weights);
                    Dataset? compact = null;
                    if (asBytes)
                    {
                        Dataset data = labels is not null
                            ? Dataset.FromLabels(features, shape.Features, labels, shape.Classes)
                            : Dataset.FromTargets(features, shape.Features, targets!, shape.Outputs);
                        compact = data.Compact();
                        Assert.True(compact.StoresBytes, $"{shape}: the rows did not compact to bytes");
                        batch = Batch.FromDataset(compact, all, weights);
                    }

                    float[] gradient = new float[model.Parameters.Length];
                    model.AccumulateGradient(batch, gradient);
                    double scale = 0;
                    for (int i = 0; i < rows; i++)
                    {
                        double norm = Math.Sqrt(features.AsSpan(i * shape.Features, shape.Features).ToArray().Sum(v => (double)v * v));
                        scale += weights[i] * norm;
                    }

                    double[] expected = ReferenceNetwork.NumericalGradient(shape, model.Parameters, features, labels, targets, weights);
                    double error = ReferenceNetwork.RelativeError(gradient, expected, floor: 1e-2 * scale);
                    Assert.True(error <= 1e-3, $"{width}, {shape}, {rows} rows, {(asBytes ? "byte" : "float")} rows: relative error {error:E2}");
                }
            }
        }
    }

    // The forward pass and the gradient of ten outputs through the ten-output kernels and through the general ones: the same bits.
    private static void AssertSameBits<TInput>(SimdWidth width, Rows rows, TInput reader, int features, float[] w, float[] b, float[] errors, string where)
        where TInput : struct, IRowInput, allows ref struct
    {
        bool before = TenOutputKernel.Enabled;
        try
        {
            TenOutputKernel.Enabled = true;
            float[] forward = Forward(width, rows, reader, features, w, b);
            float[] gradient = Gradient(width, rows, reader, features, errors);
            TenOutputKernel.Enabled = false;
            float[] generalForward = Forward(width, rows, reader, features, w, b);
            float[] generalGradient = Gradient(width, rows, reader, features, errors);
            Assert.True(forward.SequenceEqual(generalForward), $"forward, {where}: {FirstDifference(forward, generalForward)}");
            Assert.True(gradient.SequenceEqual(generalGradient), $"gradient, {where}: {FirstDifference(gradient, generalGradient)}");
        }
        finally
        {
            TenOutputKernel.Enabled = before;
        }
    }

    private static string FirstDifference(float[] actual, float[] expected)
    {
        int i = Enumerable.Range(0, actual.Length).FirstOrDefault(i => BitConverter.SingleToInt32Bits(actual[i]) != BitConverter.SingleToInt32Bits(expected[i]), -1);
        return i < 0 ? "equal" : $"at {i}, {actual[i]:R} against {expected[i]:R}";
    }

    private static float[] Forward<TInput>(SimdWidth width, Rows input, TInput reader, int inputs, float[] w, float[] b)
        where TInput : struct, IRowInput, allows ref struct
    {
        const int Outputs = TenOutputKernel.Outputs;
        float[] z = new float[(input.Count * Outputs) + 16];
        var shape = new DenseShape(inputs, Outputs);
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
    private static float[] Gradient<TInput>(SimdWidth width, Rows input, TInput reader, int inputs, float[] errors)
        where TInput : struct, IRowInput, allows ref struct
    {
        const int Outputs = TenOutputKernel.Outputs;
        float[] dw = [.. Enumerable.Range(0, (inputs * Outputs) + 16).Select(i => (i % 7) * 0.125f)];
        float[] db = new float[Outputs + 16];
        var shape = new DenseShape(inputs, Outputs);
        switch (width)
        {
            case SimdWidth.Vector512: GradientKernel.Accumulate<Simd512, Vector512<float>, DenseShape, TInput>(shape, ref errors[0], in input, reader, ref dw[0], ref db[0]); break;
            case SimdWidth.Vector256: GradientKernel.Accumulate<Simd256, Vector256<float>, DenseShape, TInput>(shape, ref errors[0], in input, reader, ref dw[0], ref db[0]); break;
            case SimdWidth.Vector128: GradientKernel.Accumulate<Simd128, Vector128<float>, DenseShape, TInput>(shape, ref errors[0], in input, reader, ref dw[0], ref db[0]); break;
            default: GradientKernel.Accumulate<SimdScalar, float, DenseShape, TInput>(shape, ref errors[0], in input, reader, ref dw[0], ref db[0]); break;
        }

        return [.. dw, .. db];
    }
}
