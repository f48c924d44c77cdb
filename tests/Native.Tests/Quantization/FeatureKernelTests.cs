using FsCheck.Fluent;
using Native.Numerics.Kernels;
using Native.Numerics.Kernels.Quantized;
using Native.Tests.Support;

namespace Native.Tests.Quantization;

/// <summary>
/// A row of features to its bytes and its first layer's sums in one pass (<see cref="FeatureKernel"/>) on every integer
/// path, against its definition: the bytes of the levels of x·scale + offset (one fused multiply-add), whether every
/// feature had a level, and the naive sums of those bytes with the weights — the same bits on every path.
/// </summary>
public class FeatureKernelTests
{
    // Ties, the clamp's edges, far below the range (a byte of −128 before the clamp, with a level), and no level at all.
    private static readonly float[] Special =
    [
        0f, -0f, 0.5f, 1.5f, 2.5f, -0.5f, -1.5f, 126.5f, 127.5f, 200f, -3f, -1e6f, 1e9f, -1e9f,
        2147483648f, -2147483648f, 3e38f, -3e38f, float.NaN, float.PositiveInfinity, float.NegativeInfinity,

        // NaN with the sign bit clear (float.NaN has it set); and, mapped uniformly (×63.5 + 3), sums beyond 2²⁴, 2²⁵ and
        // below 0 once 1.5·2²³ is added: the ranges InterleavedKernel reads from the bits or hands to the conversion.
        BitConverter.Int32BitsToSingle(0x7FC00000), 1e5f, 1e6f, -1e5f, -2e5f,
    ];

    [Theory]
    [MemberData(nameof(IntegerPaths.All), MemberType = typeof(IntegerPaths))]
    public void BytesAndSumsMatchTheirDefinition(string path)
    {
        IntegerPath p = IntegerPaths.Parse(path);
        var cases = from count in Gen.Elements(1, 3, 4, 5, 15, 16, 17, 31, 32, 33, 63, 64, 65, 100, 784)
                    from outputs in Gen.OneOf(Gen.Choose(1, 14), Gen.Elements(16, 25, 40))
                    from seed in Gen.Choose(0, int.MaxValue)
                    from special in Gen.Frequency((3, Gen.Constant(0)), (1, Gen.Constant(1)), (1, Gen.Constant(2)))
                    from perFeature in Gen.Elements(false, true)
                    select (count, outputs, seed, special, perFeature);
        Properties.ForAll(cases, c =>
        {
            var random = new Random(c.seed);
            RowCase row = Row(random, c.count, c.outputs, c.special, c.perFeature);

            // Bytes past the features may hold anything (their weights are zero); past the outputs a sum is written only
            // below 16 (the fused pass stores its sums as one vector of 16), and then as 0.
            byte[] bytes = new byte[row.Length];
            random.NextBytes(bytes);
            int[] sums = Enumerable.Repeat(-7, c.outputs + 16).ToArray();
            bool result = QuantizedKernelsAtPath.FeatureSums(p, row.X, row.Scales, row.Offsets, c.perFeature, bytes, row.W, row.Length, c.outputs, sums);
            Assert.Equal(row.Defined, result);
            Assert.Equal(row.Bytes, bytes[..c.count]);
            Assert.Equal(row.Sums, sums[..c.outputs]);
            int written = Math.Max(c.outputs, 16);
            Assert.All(sums[c.outputs..written], v => Assert.True(v is 0 or -7, $"{v} past the outputs"));
            Assert.All(sums[written..], v => Assert.Equal(-7, v));
        });
    }

    /// <summary>
    /// A row of features and its first layer, as the one-row kernels' tests draw them, with its definition: features in
    /// and around the range, or some <see cref="Special"/> values among them (<paramref name="special"/> 1), or one far
    /// below it (2: the cheap check fires and the exact one clears the row); per-feature or uniform scales and offsets;
    /// weights row-major with rows <see cref="RowCase.Length"/> bytes apart; then the bytes of the levels of x·scale + offset
    /// (one fused multiply-add per feature; uniform, a zero point's map rounded once: <see cref="LevelKernelTests.RoundedOnce"/>), whether every feature had one, and the naive sums of those bytes with the weights.
    /// </summary>
    internal static RowCase Row(Random random, int count, int outputs, int special, bool perFeature)
    {
        float[] x = Enumerable.Range(0, count).Select(_ => special == 1 && random.Next(4) == 0 ? Special[random.Next(Special.Length)] : (float)((random.NextDouble() * 3) - 1)).ToArray();
        if (special == 2)
        {
            x[random.Next(count)] = -50f;
        }

        float[] scales = Enumerable.Range(0, count).Select(_ => perFeature ? (float)(random.NextDouble() * 100) : 63.5f).ToArray();
        float[] offsets = Enumerable.Range(0, count).Select(_ => perFeature ? (float)(random.NextDouble() * 20) : 3f).ToArray();
        int length = (count + 63) / 64 * 64;
        byte[] weights = IntegerKernelTests.Weights(random, outputs * count, extreme: random.Next(4) == 0);
        byte[] w = new byte[outputs * length];
        for (int o = 0; o < outputs; o++)
        {
            weights.AsSpan(o * count, count).CopyTo(w.AsSpan(o * length));
        }

        byte[] bytes = new byte[count];
        bool defined = true;
        for (int j = 0; j < count; j++)
        {
            float t = perFeature ? MathF.FusedMultiplyAdd(x[j], scales[j], offsets[j]) : LevelKernelTests.RoundedOnce(x[j], scales[j], (int)offsets[j]);
            bytes[j] = LevelKernelTests.Byte(t);
            defined &= LevelKernelTests.Level(t) != int.MinValue;
        }

        int[] sums = new int[outputs];
        for (int o = 0; o < outputs; o++)
        {
            for (int i = 0; i < count; i++)
            {
                sums[o] += bytes[i] * (sbyte)weights[(o * count) + i];
            }
        }

        return new RowCase(x, scales, offsets, w, length, bytes, defined, sums);
    }

    /// <summary>A drawn row (<see cref="Row"/>): its features, map, padded weights, and the bytes, definedness and sums they define.</summary>
    internal sealed record RowCase(float[] X, float[] Scales, float[] Offsets, byte[] W, int Length, byte[] Bytes, bool Defined, int[] Sums);
}
