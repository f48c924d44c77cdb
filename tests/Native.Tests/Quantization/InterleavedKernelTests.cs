using System.Runtime.Intrinsics;
using FsCheck.Fluent;
using Native.Numerics;
using Native.Numerics.Kernels;
using Native.Numerics.Kernels.Quantized;
using Native.Numerics.Quantization;
using Native.Tests.Kernels;
using Native.Tests.Support;

namespace Native.Tests.Quantization;

/// <summary>
/// One row's path at 256 bits: a row of features to its sums with weights interleaved by step (<see cref="InterleavedKernel"/>)
/// against their definition on every path of 256-bit products, the softmax of 9 to 16 classes in two registers
/// (<see cref="SoftmaxHalves"/>) against the 512-bit kernel's bits, and a model's one row against its batch for those
/// class counts on every path.
/// </summary>
public class InterleavedKernelTests
{
    /// <summary>The paths whose products are 256 bits wide, the only ones that take this kernel.</summary>
    public static TheoryData<string> Paths256 => new(nameof(IntegerPath.Vector256), nameof(IntegerPath.Vnni256), nameof(IntegerPath.Vnni256Vector512));

    [Theory]
    [MemberData(nameof(Paths256))]
    public void SumsMatchTheirDefinition(string path)
    {
        if (!System.Runtime.Intrinsics.X86.Avx2.IsSupported)
        {
            // The kernel is written in AVX2's instructions (emulating them would time nothing worth having): without AVX2
            // (CI's DOTNET_EnableAVX2=0) the models do not take it, and one row goes by the kernels every path has.
            Assert.False(InterleavedKernel.Fits(784, 10));
            return;
        }

        IntegerPath p = IntegerPaths.Parse(path);
        var cases = from count in Gen.Elements(32, 33, 39, 40, 63, 64, 65, 95, 100, 784)
                    from outputs in Gen.Choose(1, InterleavedKernel.MostOutputs)
                    from seed in Gen.Choose(0, int.MaxValue)
                    from special in Gen.Frequency((3, Gen.Constant(0)), (1, Gen.Constant(1)), (1, Gen.Constant(2)))
                    from perFeature in Gen.Elements(false, true)
                    select (count, outputs, seed, special, perFeature);
        Properties.ForAll(cases, c =>
        {
            // Special values and a feature far below the range anywhere, the last step's overlap included.
            FeatureKernelTests.RowCase row = FeatureKernelTests.Row(new Random(c.seed), c.count, c.outputs, c.special, c.perFeature);

            // Sixteen sums written, zeros past the outputs; nothing past the sixteen.
            int[] sums = Enumerable.Repeat(-7, 20).ToArray();
            Assert.Equal(row.Defined, QuantizedKernelsAtPath.InterleavedSums(p, row.X, row.Scales, row.Offsets, c.perFeature, row.W, row.Length, c.outputs, sums));
            Assert.Equal(row.Sums, sums[..c.outputs]);
            Assert.All(sums[c.outputs..16], v => Assert.Equal(0, v));
            Assert.All(sums[16..], v => Assert.Equal(-7, v));
        });
    }

    [Fact]
    public void TheLastStepOverlapsWithZeroWeightsForWhatItHasSeen()
    {
        // 40 features, one output: step 0 reads features 0 … 31, the last step 8 … 39 with zero weights for 8 … 31.
        const int inputs = 40, length = 64;
        sbyte[] w = Enumerable.Range(0, length).Select(i => (sbyte)(i < inputs ? i + 1 : 0)).ToArray();
        AlignedBuffer buffer = InterleavedKernel.Interleave(w, length, inputs, outputs: 1);
        sbyte[] interleaved = System.Runtime.InteropServices.MemoryMarshal.Cast<float, sbyte>(buffer.Span).ToArray();
        Assert.Equal(2, InterleavedKernel.Steps(inputs));

        // In the packs' order: each 128-bit lane holds four features of each of the step's four vectors of eight in turn.
        int[] order = (from lane in Enumerable.Range(0, 2) from vector in Enumerable.Range(0, 4) from i in Enumerable.Range(0, 4) select (8 * vector) + (4 * lane) + i).ToArray();
        Assert.Equal([0, 1, 2, 3, 8, 9, 10, 11, 16, 17, 18, 19, 24, 25, 26, 27, 4, 5, 6, 7], order[..20]);
        Assert.Equal(order.Select(f => (sbyte)(f + 1)), interleaved[..32]);
        Assert.Equal(order.Select(f => (sbyte)(8 + f >= 32 ? 8 + f + 1 : 0)), interleaved[32..64]);
    }

    [Fact]
    public void SoftmaxInTwoHalvesIsThe512BitKernelsBits()
    {
        var cases = from classes in Gen.Choose(SoftmaxHalves.LeastClasses, SoftmaxHalves.MostClasses)
                    from seed in Gen.Choose(0, int.MaxValue)
                    from spread in Gen.Elements(1f, 30f, 100f)
                    select (classes, seed, spread);
        Properties.ForAll(cases, c =>
        {
            // Logits within ±64 (no maximum subtracted) and beyond (subtracted), in a buffer padded to 16.
            var random = new Random(c.seed);
            float[] logits = new float[16];
            for (int j = 0; j < c.classes; j++)
            {
                logits[j] = (float)((random.NextDouble() - 0.5) * 2 * c.spread);
            }

            float[] actual = Enumerable.Repeat(-7f, c.classes + 4).ToArray();
            SoftmaxHalves.Probabilities(ref logits[0], c.classes, ref actual[0]);
            Assert.All(actual[c.classes..], v => Assert.Equal(-7f, v));
            if (Vector512.IsHardwareAccelerated)
            {
                // The kernel the batch path runs, bit for bit, where the engine takes this one instead (AVX-512 hardware).
                float[] expected = new float[c.classes], copy = (float[])logits.Clone();
                SoftmaxKernel.Probabilities<Simd512, Vector512<float>>(ref copy[0], c.classes, ref expected[0]);
                Assert.Equal(expected, actual[..c.classes]);
            }

            // And the probabilities themselves, within the exponential's error and the rounding of z − max in float
            // (half an ulp of logits up to 200 apart: ~8e-6 relative).
            double max = logits.Take(c.classes).Max(), total = logits.Take(c.classes).Sum(z => Math.Exp(z - max));
            for (int j = 0; j < c.classes; j++)
            {
                double reference = Math.Exp(logits[j] - max) / total;
                Assert.True(Math.Abs(actual[j] - reference) <= (2e-5 * reference) + 1e-30, $"class {j} of {c.classes}: {actual[j]}, reference {reference}");
            }
        });
    }

    [Theory]
    [MemberData(nameof(IntegerPaths.All), MemberType = typeof(IntegerPaths))]
    public void OneRowOfNineToSixteenClassesIsItsBatchsBits(string path)
    {
        // The one-row path (interleaved sums, 256-bit floats and SoftmaxHalves on Vnni256Vector512) against the batch's
        // (row-major sums, 512-bit floats), with and without a standardizer, rows at any offset.
        IntegerPath p = IntegerPaths.Parse(path);
        var cases = from classes in Gen.Choose(SoftmaxHalves.LeastClasses, SoftmaxHalves.MostClasses)
                    from features in Gen.Elements(32, 33, 100, 784)
                    from standardized in Gen.Elements(false, true)
                    from offset in Gen.Choose(0, 15)
                    from seed in Gen.Choose(0, int.MaxValue)
                    select (classes, features, standardized, offset, seed);
        Properties.ForAll(cases, c =>
        {
            ModelShape shape = ModelShape.SoftmaxRegression(c.features, c.classes);
            float[] parameters = DenseKernelTests.Random(shape.ParameterCount, c.seed, scale: 0.5f);
            float[] rows = DenseKernelTests.Random(8 * c.features, c.seed + 1, scale: 2f);
            Standardizer? standardizer = c.standardized
                ? Standardizer.FromStatistics(DenseKernelTests.Random(c.features, c.seed + 2, scale: 1f), Enumerable.Repeat(0.5f, c.features).ToArray())
                : null;
            QuantizedModel model = QuantizedModel.Create(Quantizer.Quantize(shape, parameters, standardizer, rows, ActivationScaling.Calibrated), LayerForm.DotProduct);
            model.Path = p;
            float[] buffer = new float[c.offset + rows.Length];
            rows.CopyTo(buffer, c.offset);
            ReadOnlySpan<float> shifted = buffer.AsSpan(c.offset);
            float[] batch = new float[8 * c.classes];
            model.PredictProbabilities(shifted, batch);
            for (int i = 0; i < 8; i++)
            {
                float[] one = new float[c.classes];
                model.PredictProbabilities(shifted.Slice(i * c.features, c.features), one);
                Assert.Equal(batch.AsSpan(i * c.classes, c.classes).ToArray(), one);
                Assert.Equal(one.Max(), one[model.PredictClass(shifted.Slice(i * c.features, c.features))]);
            }
        }, tests: 30);
    }
}
