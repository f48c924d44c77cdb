using FsCheck.Fluent;
using Native.Numerics;
using Native.Numerics.Kernels;
using Native.Tests.Support;

namespace Native.Tests.Kernels;

/// <summary>Every vector path of every dense kernel against its naive reference, at awkward shapes.</summary>
public class DenseKernelTests
{
    private const float Tolerance = 2e-4f;

    // A shape: rows, inputs (around every vector width), outputs; and a seed for the values.
    private static readonly FsCheck.Gen<(int Count, int Inputs, int Outputs, int Seed)> Shapes =
        from count in Gen.Choose(1, 11)
        from inputs in Properties.AwkwardLength
        from outputs in Gen.Choose(1, 13)
        from seed in Gen.Choose(0, int.MaxValue)
        select (count, inputs, outputs, seed);

    [Theory]
    [MemberData(nameof(Widths.All), MemberType = typeof(Widths))]
    public void ForwardMatchesReference(string width)
    {
        SimdWidth simd = Widths.Parse(width);
        Properties.ForAll(Shapes, shape =>
        {
            var (count, inputs, outputs, seed) = shape;
            float[] a = Random(count * inputs, seed);
            float[] w = Random(outputs * inputs, seed + 1);
            float[] b = Random(outputs, seed + 2);
            float[] expected = new float[count * outputs];
            DenseReference.Forward(a, count, inputs, w, b, outputs, expected);

            float[] actual = new float[count * outputs];
            KernelsAtWidth.Forward(simd, new Rows(in a[0], inputs, count), inputs, w, b, outputs, actual);
            AssertClose(expected, actual, inputs);
        });
    }

    [Theory]
    [MemberData(nameof(Widths.All), MemberType = typeof(Widths))]
    public void ForwardReadsGatheredRowsInPlace(string width)
    {
        SimdWidth simd = Widths.Parse(width);
        Properties.ForAll(Shapes, shape =>
        {
            var (count, inputs, outputs, seed) = shape;

            // A padded matrix of 20 rows; the kernel reads the rows an index list names, in its order.
            int stride = AlignedBuffer.Pad(inputs);
            float[] matrix = Random(20 * stride, seed);
            int[] indices = Enumerable.Range(0, count).Select(i => (i * 7 + seed) % 20).ToArray();
            float[] gathered = indices.SelectMany(r => matrix.Skip(r * stride).Take(inputs)).ToArray();
            float[] w = Random(outputs * inputs, seed + 1);
            float[] b = Random(outputs, seed + 2);
            float[] expected = new float[count * outputs];
            DenseReference.Forward(gathered, count, inputs, w, b, outputs, expected);

            float[] actual = new float[count * outputs];
            KernelsAtWidth.Forward(simd, new Rows(in matrix[0], stride, indices), inputs, w, b, outputs, actual);
            AssertClose(expected, actual, inputs);
        });
    }

    [Theory]
    [MemberData(nameof(Widths.All), MemberType = typeof(Widths))]
    public void AccumulateGradientMatchesReference(string width)
    {
        SimdWidth simd = Widths.Parse(width);
        Properties.ForAll(Shapes, shape =>
        {
            var (count, inputs, outputs, seed) = shape;
            float[] errors = Random(count * outputs, seed);
            float[] a = Random(count * inputs, seed + 1);

            // Both start from the same non-zero gradient: the kernel adds, it does not overwrite.
            float[] expectedW = Random(outputs * inputs, seed + 2), expectedB = Random(outputs, seed + 3);
            float[] actualW = (float[])expectedW.Clone(), actualB = (float[])expectedB.Clone();
            DenseReference.AccumulateGradient(errors, a, count, inputs, outputs, expectedW, expectedB);
            KernelsAtWidth.Gradient(simd, errors, new Rows(in a[0], inputs, count), inputs, outputs, actualW, actualB);
            AssertClose(expectedW, actualW, count);
            AssertClose(expectedB, actualB, count);
        });
    }

    [Theory]
    [MemberData(nameof(Widths.All), MemberType = typeof(Widths))]
    public void BackpropagateMatchesReference(string width)
    {
        SimdWidth simd = Widths.Parse(width);
        Properties.ForAll(Shapes, shape =>
        {
            var (count, inputs, outputs, seed) = shape;
            float[] errors = Random(count * outputs, seed);
            float[] w = Random(outputs * inputs, seed + 1);
            float[] expected = new float[count * inputs];
            DenseReference.Backpropagate(errors, count, outputs, w, inputs, expected);

            float[] actual = Random(count * inputs, seed + 2); // overwritten, not added to
            KernelsAtWidth.Backpropagate(simd, errors, count, outputs, w, inputs, actual);
            AssertClose(expected, actual, outputs);
        });
    }

    [Theory]
    [MemberData(nameof(Widths.All), MemberType = typeof(Widths))]
    public void ActivationsAndDerivativesMatchReference(string width)
    {
        SimdWidth simd = Widths.Parse(width);
        var cases = from n in Properties.AwkwardLength
                    from activation in Gen.Elements(Enum.GetValues<Activation>())
                    from seed in Gen.Choose(0, int.MaxValue)
                    select (n, activation, seed);
        Properties.ForAll(cases, c =>
        {
            const float slope = 0.03f;
            float[] x = Random(c.n, c.seed, scale: 12f);
            float[] expected = x.Select(v => DenseReference.Activate(c.activation, slope, v)).ToArray();
            float[] actual = (float[])x.Clone();
            KernelsAtWidth.Activate(simd, c.activation, slope, actual);
            AssertClose(expected, actual, 1);

            float[] errors = Random(c.n, c.seed + 1);
            float[] expectedErrors = errors.Select((e, i) => e * DenseReference.Derivative(c.activation, slope, expected[i])).ToArray();
            KernelsAtWidth.MultiplyByDerivative(simd, c.activation, slope, expected, errors);
            AssertClose(expectedErrors, errors, 1);
        });
    }

    [Theory]
    [MemberData(nameof(Widths.All), MemberType = typeof(Widths))]
    public void SoftmaxMatchesReferenceAndNeverOverflows(string width)
    {
        SimdWidth simd = Widths.Parse(width);
        var cases = from n in Properties.AwkwardLength
                    from scale in Gen.Elements(1f, 50f, 1e4f, 1e30f)
                    from seed in Gen.Choose(0, int.MaxValue)
                    select (n, scale, seed);
        Properties.ForAll(cases, c =>
        {
            float[] z = Random(c.n, c.seed, c.scale);
            float[] expected = (float[])z.Clone();
            float expectedLogSumExp = DenseReference.Softmax(expected);
            float[] actual = (float[])z.Clone();
            float logSumExp = SoftmaxKernel.LogSumExp(KernelsAtWidth.Softmax(simd, actual));
            Assert.All(actual, p => Assert.True(p >= 0f && p <= 1f, $"probability {p}"));
            AssertClose(expected, actual, 1);
            Assert.Equal(expectedLogSumExp, logSumExp, Math.Max(1e-4f, Math.Abs(expectedLogSumExp) * 1e-6f));
        });
    }

    [Theory]
    [MemberData(nameof(Widths.All), MemberType = typeof(Widths))]
    public void RowKernelMatchesReferenceFromAnyOffsetWithEveryActivation(string width)
    {
        // One row, read from any float offset (rows users pass are not aligned), through each activation or none.
        SimdWidth simd = Widths.Parse(width);
        Properties.ForAll(RowCases(null, Activation.Relu, Activation.LeakyRelu, Activation.Sigmoid, Activation.Tanh), c =>
        {
            const float slope = 0.05f;
            float[] buffer = Random(c.inputs + 16, c.seed, scale: 2f);
            ReadOnlySpan<float> x = buffer.AsSpan(c.offset, c.inputs);
            float[] w = Random(c.outputs * c.inputs, c.seed + 1);
            float[] b = [.. Random(c.outputs, c.seed + 2), .. new float[16]];
            float[] expected = new float[c.outputs];
            DenseReference.Forward(x.ToArray(), 1, c.inputs, w, b.AsSpan(0, c.outputs), c.outputs, expected);
            if (c.activation is { } activation)
            {
                expected = expected.Select(v => DenseReference.Activate(activation, slope, v)).ToArray();
            }

            float[] actual = new float[AlignedBuffer.Pad(c.outputs)];
            KernelsAtWidth.Row(simd, c.activation, c.inputs, w, b, x, c.outputs, actual, slope);
            AssertClose(expected, actual[..c.outputs], c.inputs);
        });
    }

    [Theory]
    [MemberData(nameof(Widths.All), MemberType = typeof(Widths))]
    public void RowKernelStandardizingAsItReadsGivesTheBitsOfARowStandardizedFirst(string width)
    {
        // The standardizer applied inside the kernel (a compiled or loaded model with one) against the row standardized
        // into memory first and read as is: the same (x − mean) × scale per lane, so the same bits, at every width,
        // offset, length (a last vector that overlaps the one before) and activation.
        SimdWidth simd = Widths.Parse(width);
        Properties.ForAll(RowCases(null, Activation.Relu, Activation.Tanh), c =>
        {
            const float slope = 0.05f;
            float[] buffer = Random(c.inputs + 16, c.seed, scale: 50f);
            ReadOnlySpan<float> x = buffer.AsSpan(c.offset, c.inputs);
            float[] means = Random(c.inputs, c.seed + 3, scale: 20f);
            float[] scales = Random(c.inputs, c.seed + 4, scale: 3f);
            float[] standardized = new float[c.inputs];
            for (int i = 0; i < c.inputs; i++)
            {
                standardized[i] = (x[i] - means[i]) * scales[i];
            }

            float[] w = Random(c.outputs * c.inputs, c.seed + 1);
            float[] b = [.. Random(c.outputs, c.seed + 2), .. new float[16]];
            float[] expected = new float[AlignedBuffer.Pad(c.outputs)];
            KernelsAtWidth.Row(simd, c.activation, c.inputs, w, b, standardized, c.outputs, expected, slope);
            float[] actual = new float[AlignedBuffer.Pad(c.outputs)];
            KernelsAtWidth.Row(simd, c.activation, c.inputs, w, b, x, c.outputs, actual, slope, means, scales);
            Assert.Equal(expected[..c.outputs], actual[..c.outputs]);
        });
    }

    [Theory]
    [MemberData(nameof(Widths.All), MemberType = typeof(Widths))]
    public void RegisterSoftmaxMatchesReferenceAndWritesOnlyItsClasses(string width)
    {
        SimdWidth simd = Widths.Parse(width);
        var cases = from classes in Gen.Choose(1, 16)
                    from scale in Gen.Elements(1f, 50f, 1e4f, 1e30f)
                    from seed in Gen.Choose(0, int.MaxValue)
                    select (classes, scale, seed);
        Properties.ForAll(cases, c =>
        {
            // Padding lanes hold garbage, as a kernel may leave them; they must not count.
            float[] logits = [.. Random(c.classes, c.seed, c.scale), .. Enumerable.Repeat(1e30f, 16 - c.classes)];
            float[] expected = logits[..c.classes];
            DenseReference.Softmax(expected);
            float[] destination = Enumerable.Repeat(-7f, c.classes + 3).ToArray();
            KernelsAtWidth.Probabilities(simd, (float[])logits.Clone(), c.classes, destination.AsSpan(0, c.classes));
            AssertClose(expected, destination[..c.classes], 1);
            Assert.All(destination[c.classes..], v => Assert.Equal(-7f, v));
        });
    }

    [Theory]
    [MemberData(nameof(Widths.All), MemberType = typeof(Widths))]
    public void CrossEntropyRowsMatchTheDoubleReference(string width)
    {
        SimdWidth simd = Widths.Parse(width);
        var cases = from rows in Gen.Choose(1, 64)
                    from classes in Gen.Choose(2, 16)
                    from scale in Gen.Elements(1f, 30f, 1e4f)
                    from seed in Gen.Choose(0, int.MaxValue)
                    select (rows, classes, scale, seed);
        Properties.ForAll(cases, c =>
        {
            // A chunk's workspace: the logits, then the error rows (which the kernel must leave alone past its rows).
            float[] workspace = [.. Random(c.rows * c.classes, c.seed, c.scale), .. Enumerable.Repeat(-5f, (c.rows * c.classes) + 16)];
            var random = new SeededRandom(c.seed + 1);
            int[] labels = Enumerable.Range(0, c.rows).Select(_ => random.NextInt32(c.classes)).ToArray();
            float[] weights = Random(c.rows, c.seed + 2).Select(w => Math.Abs(w) * 2).ToArray();
            double expectedLoss = 0;
            double[] expectedErrors = new double[c.rows * c.classes];
            for (int i = 0; i < c.rows; i++)
            {
                double[] z = workspace.Skip(i * c.classes).Take(c.classes).Select(v => (double)v).ToArray();
                double max = z.Max(), sum = z.Sum(v => Math.Exp(v - max));
                expectedLoss += weights[i] * (max + Math.Log(sum) - z[labels[i]]);
                for (int j = 0; j < c.classes; j++)
                {
                    expectedErrors[(i * c.classes) + j] = weights[i] * ((Math.Exp(z[j] - max) / sum) - (j == labels[i] ? 1 : 0));
                }
            }

            if (!CrossEntropyRows(simd, workspace, labels, weights, c.rows, c.classes, out double loss))
            {
                return; // Rows wider than a register at this width go through the row softmax, tested elsewhere.
            }

            Assert.True(Math.Abs(loss - expectedLoss) <= 1e-5 * Math.Max(1, Math.Abs(expectedLoss)), $"loss {loss}, expected {expectedLoss}");
            for (int k = 0; k < expectedErrors.Length; k++)
            {
                float actual = workspace[(c.rows * c.classes) + k];
                Assert.True(Math.Abs(actual - expectedErrors[k]) <= 1e-6 + (1e-5 * Math.Abs(expectedErrors[k])), $"error {k}: expected {expectedErrors[k]}, got {actual}");
            }

            Assert.All(workspace[(2 * c.rows * c.classes)..], v => Assert.Equal(-5f, v));
        });
    }

    private static bool CrossEntropyRows(SimdWidth width, float[] workspace, int[] labels, float[] weights, int rows, int classes, out double loss)
    {
        Batch chunk = Batch.FromLabels(new float[rows], 1, labels, weights);
        ref float values = ref workspace[0];
        ref float errors = ref workspace[rows * classes];
        (bool fits, loss) = width switch
        {
            SimdWidth.Vector512 => CrossEntropyKernel.Fits<Simd512, System.Runtime.Intrinsics.Vector512<float>>(classes)
                ? (true, CrossEntropyKernel.Rows<Simd512, System.Runtime.Intrinsics.Vector512<float>>(in chunk, ref values, ref errors, classes, gradient: true)) : (false, 0),
            SimdWidth.Vector256 => CrossEntropyKernel.Fits<Simd256, System.Runtime.Intrinsics.Vector256<float>>(classes)
                ? (true, CrossEntropyKernel.Rows<Simd256, System.Runtime.Intrinsics.Vector256<float>>(in chunk, ref values, ref errors, classes, gradient: true)) : (false, 0),
            SimdWidth.Vector128 => CrossEntropyKernel.Fits<Simd128, System.Runtime.Intrinsics.Vector128<float>>(classes)
                ? (true, CrossEntropyKernel.Rows<Simd128, System.Runtime.Intrinsics.Vector128<float>>(in chunk, ref values, ref errors, classes, gradient: true)) : (false, 0),
            _ => (false, 0d),
        };
        return fits;
    }

    [Fact]
    public void SelectionPrefersTheWidestAcceleratedPathAndHonoursAForcedNarrowerOne()
    {
        SimdWidth widest = SimdSupport.Select(null);
        Assert.True(SimdSupport.IsAccelerated(widest));
        Assert.Equal(SimdWidth.Scalar, SimdSupport.Select("scalar"));
        Assert.Equal(widest, SimdSupport.Select("not a width"));
        if (widest >= SimdWidth.Vector128)
        {
            Assert.Equal(SimdWidth.Vector128, SimdSupport.Select("Vector128"));
        }

        // A width wider than the hardware's is not taken.
        if (widest < SimdWidth.Vector512)
        {
            Assert.Equal(widest, SimdSupport.Select("Vector512"));
        }
    }

    // One row for the row kernel: an awkward length, 1 to 40 outputs, read from any float offset, through one of the activations.
    private static FsCheck.Gen<(int inputs, int outputs, int offset, Activation? activation, int seed)> RowCases(params Activation?[] activations) =>
        from inputs in Properties.AwkwardLength
        from outputs in Gen.Choose(1, 40)
        from offset in Gen.Choose(0, 15)
        from activation in Gen.Elements(activations)
        from seed in Gen.Choose(0, int.MaxValue)
        select (inputs, outputs, offset, activation, seed);

    internal static float[] Random(int length, int seed, float scale = 1f)
    {
        var random = new SeededRandom(seed);
        float[] values = new float[length];
        for (int i = 0; i < length; i++)
        {
            values[i] = (float)(((2 * random.NextDouble()) - 1) * scale);
        }

        return values;
    }

    // Each value within a tolerance that grows with the number of terms summed into it.
    private static void AssertClose(float[] expected, float[] actual, int terms)
    {
        Assert.Equal(expected.Length, actual.Length);
        float tolerance = Tolerance * MathF.Sqrt(terms);
        for (int i = 0; i < expected.Length; i++)
        {
            float allowed = tolerance * Math.Max(1f, Math.Abs(expected[i]));
            Assert.True(Math.Abs(expected[i] - actual[i]) <= allowed, $"element {i}: expected {expected[i]}, got {actual[i]} (allowed {allowed})");
        }
    }
}
