using FsCheck.Fluent;
using Native.Numerics.Kernels;
using Native.Numerics.Kernels.Quantized;
using Native.Tests.Support;

namespace Native.Tests.Quantization;

/// <summary>
/// The float-to-byte steps at every float width against their definition: a level is round-to-nearest-even as a 32-bit
/// integer, or int.MinValue for NaN and magnitudes from 2^31; a byte is a level clamped to 0 … 127; a row's bytes come
/// with whether every feature had a level.
/// </summary>
public class LevelKernelTests
{
    // Ties, the clamp's edges, the conversion's edges, and what has no level.
    private static readonly float[] Special =
    [
        0f, -0f, 0.5f, 1.5f, 2.5f, -0.5f, -1.5f, 126.5f, 127.49998f, 127.5f, 128f, 200f, -3f, 1e9f, -1e9f,
        2147483520f, -2147483520f, 2147483648f, -2147483648f, 3e38f, -3e38f, float.NaN, float.PositiveInfinity, float.NegativeInfinity,
    ];

    internal static int Level(float v) => MathF.Abs(v) < 2147483648f ? (int)MathF.Round(v) : int.MinValue;

    internal static byte Byte(float v) => (byte)Math.Clamp(Level(v), 0, 127);

    /// <summary>
    /// A <see cref="ZeroPointMap"/>'s value, by its definition: x·scale + zero point rounded once to the nearest integer, ties
    /// to even (in double, where the product of two floats and the zero point are exact); NaN where that is not finite.
    /// </summary>
    internal static float RoundedOnce(float x, float scale, int zeroPoint)
    {
        double value = ((double)x * scale) + zeroPoint;
        return double.IsFinite(value) ? (float)Math.Round(value, MidpointRounding.ToEven) : float.NaN;
    }

    [Theory]
    [InlineData(0.16666663f, 3)]
    [InlineData(0.50000006f, 5)]
    public void AZeroPointMapRoundsTheExactSumOnce(float x, int level)
    {
        // x·3 + 3 is 3.49999988… and 4.50000018…: the float sum rounds to the tie 3.5 (4.5), which a second rounding takes
        // to the even 4 (4); rounded once they are 3 and 5.
        Assert.Equal(level, (int)RoundedOnce(x, 3f, 3));
        Assert.NotEqual(level, Level(MathF.FusedMultiplyAdd(x, 3f, 3f)));
        foreach (SimdWidth width in new[] { SimdWidth.Scalar, SimdWidth.Vector128, SimdWidth.Vector256, SimdWidth.Vector512 })
        {
            byte[] bytes = new byte[64];
            var job = new FeaturesJob(Enumerable.Repeat(x, 33).ToArray(), [3f], [3f], MapKind.ZeroPoint, bytes);
            Assert.True(VectorDispatch.Run<FeaturesJob, bool>(width, ref job));
            Assert.All(bytes[..33], b => Assert.Equal(level, b));
        }
    }

    [Theory]
    [MemberData(nameof(Widths.All), MemberType = typeof(Widths))]
    public void FeaturesBecomeTheBytesOfTheirLevels(string width)
    {
        SimdWidth simd = Widths.Parse(width);
        var cases = from count in Properties.AwkwardLength
                    from seed in Gen.Choose(0, int.MaxValue)
                    from special in Gen.Elements(false, true)
                    from map in Gen.Elements(MapKind.PerFeature, MapKind.Uniform, MapKind.ZeroPoint)
                    select (count, seed, special, map);
        Properties.ForAll(cases, c =>
        {
            var random = new Random(c.seed);
            float[] x = Enumerable.Range(0, c.count).Select(_ => c.special && random.Next(4) == 0 ? Special[random.Next(Special.Length)] : (float)((random.NextDouble() * 3) - 1)).ToArray();
            float[] scales = Enumerable.Range(0, c.count).Select(_ => c.map == MapKind.PerFeature ? (float)(random.NextDouble() * 100) : 63.5f).ToArray();
            float[] offsets = Enumerable.Range(0, c.count).Select(_ => c.map switch { MapKind.PerFeature => (float)(random.NextDouble() * 20), MapKind.Uniform => 3.3f, _ => 3f }).ToArray();
            byte[] expected = new byte[c.count];
            bool defined = true;
            for (int j = 0; j < c.count; j++)
            {
                float t = c.map == MapKind.ZeroPoint ? RoundedOnce(x[j], scales[j], (int)offsets[j]) : MathF.FusedMultiplyAdd(x[j], scales[j], offsets[j]);
                expected[j] = Byte(t);
                defined &= Level(t) != int.MinValue;
            }

            byte[] actual = new byte[c.count + 64];
            var job = new FeaturesJob(x, scales, offsets, c.map, actual);
            bool result = VectorDispatch.Run<FeaturesJob, bool>(simd, ref job);
            Assert.Equal(expected, actual[..c.count]);
            Assert.Equal(defined, result);
        });
    }

    [Theory]
    [MemberData(nameof(Widths.All), MemberType = typeof(Widths))]
    public void ValuesBecomeTheBytesOfTheirLevels(string width)
    {
        // A layer's values (or a row's, scaled per row) to bytes, four vectors at a time and one: the same definition.
        SimdWidth simd = Widths.Parse(width);
        var cases = from count in Gen.Elements(1, 4, 16, 17, 64, 65, 128, 200)
                    from seed in Gen.Choose(0, int.MaxValue)
                    select (count, seed);
        Properties.ForAll(cases, c =>
        {
            var random = new Random(c.seed);
            int padded = (c.count + 63) / 64 * 64;
            float[] values = Enumerable.Range(0, padded).Select(_ => (float)((random.NextDouble() * 4) - 1)).ToArray();
            const float inverse = 40.3f, zero = 17f;
            byte[] expected = values.Select(v => Byte((v * inverse) + zero)).ToArray();
            byte[] actual = new byte[padded];
            var job = new LevelsJob(values, c.count, inverse, zero, actual);
            VectorDispatch.Run<LevelsJob, bool>(simd, ref job);
            Assert.Equal(expected[..c.count], actual[..c.count]);
        });
    }

    /// <summary>The feature maps: a scale and offset per feature, one for all, one scale and a zero point rounded once.</summary>
    internal enum MapKind
    {
        PerFeature,
        Uniform,
        ZeroPoint,
    }

    private readonly struct FeaturesJob(float[] x, float[] scales, float[] offsets, MapKind kind, byte[] destination) : IVectorOperation<bool>
    {
        public bool Invoke<TSimd, TVector>()
            where TSimd : ISimd<TVector>
            where TVector : struct
        {
            if (kind == MapKind.PerFeature)
            {
                var map = new PerFeatureMap(ref scales[0], ref offsets[0]);
                return LevelKernel.Features<TSimd, TVector, PerFeatureMap>(ref x[0], in map, x.Length, ref destination[0]);
            }

            if (kind == MapKind.ZeroPoint)
            {
                var zeroPoint = new ZeroPointMap(scales[0], (int)offsets[0]);
                return LevelKernel.Features<TSimd, TVector, ZeroPointMap>(ref x[0], in zeroPoint, x.Length, ref destination[0]);
            }

            var uniform = new UniformMap(scales[0], offsets[0]);
            return LevelKernel.Features<TSimd, TVector, UniformMap>(ref x[0], in uniform, x.Length, ref destination[0]);
        }
    }

    private readonly struct LevelsJob(float[] values, int count, float inverse, float zero, byte[] destination) : IVectorOperation<bool>
    {
        public bool Invoke<TSimd, TVector>()
            where TSimd : ISimd<TVector>
            where TVector : struct
        {
            LevelKernel.Levels<TSimd, TVector>(ref values[0], count, inverse, zero, ref destination[0]);
            return true;
        }
    }
}
