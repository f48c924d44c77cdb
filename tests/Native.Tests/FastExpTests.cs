using System.Runtime.Intrinsics;
using Native.Numerics.Kernels;

namespace Native.Tests;

public class FastExpTests
{
    [Fact]
    public void RelativeErrorAgainstDoubleExpIsBoundedOverTheWholeRange()
    {
        // Every 2^-12 of [MinimumInput, MaximumInput], at every width (the 128-, 256- and 512-bit code is one generic method).
        double worst = 0;
        float worstAt = 0;
        for (float x = FastExp.MinimumInput + 0.01f; x < FastExp.MaximumInput; x += 1f / 4096)
        {
            float got = FastExp.Exp<Simd128, Vector128<float>>(Vector128.Create(x)).ToScalar();
            double error = Math.Abs(got - Math.Exp(x)) / Math.Exp(x);
            if (error > worst)
            {
                worst = error;
                worstAt = x;
            }
        }

        Assert.True(worst <= FastExp.MaximumRelativeError, $"worst relative error {worst:E3} at x = {worstAt}");
    }

    [Fact]
    public void EveryWidthGivesTheSameLanes()
    {
        float[] inputs = new float[16];
        for (int i = 0; i < inputs.Length; i++)
        {
            inputs[i] = -80f + (11.3f * i);
        }

        Vector512<float> wide = FastExp.Exp<Simd512, Vector512<float>>(Vector512.Create(inputs));
        for (int i = 0; i < inputs.Length; i += 8)
        {
            Vector256<float> middle = FastExp.Exp<Simd256, Vector256<float>>(Vector256.Create(inputs.AsSpan(i, 8)));
            for (int j = 0; j < 8; j++)
            {
                Assert.Equal(wide[i + j], middle[j]);
            }
        }
    }

    [Fact]
    public void WithinTheRangeTheUnclampedExponentialHasExpsBits()
    {
        // Every 2^-10 of [MinimumInput, MaximumInput], its ends and ±0, at 256 and 512 bits: Within is Exp without clamps
        // that are no-ops there, so a softmax may take either.
        var inputs = new List<float> { FastExp.MinimumInput, FastExp.MaximumInput, 0f, -0f };
        for (float x = FastExp.MinimumInput; x < FastExp.MaximumInput; x += 1f / 1024)
        {
            inputs.Add(x);
        }

        foreach (float x in inputs)
        {
            Assert.Equal(
                BitConverter.SingleToInt32Bits(FastExp.Exp<Simd256, Vector256<float>>(Vector256.Create(x)).ToScalar()),
                BitConverter.SingleToInt32Bits(FastExp.Within<Simd256, Vector256<float>>(Vector256.Create(x)).ToScalar()));
            Assert.Equal(
                BitConverter.SingleToInt32Bits(FastExp.Exp<Simd512, Vector512<float>>(Vector512.Create(x)).ToScalar()),
                BitConverter.SingleToInt32Bits(FastExp.Within<Simd512, Vector512<float>>(Vector512.Create(x)).ToScalar()));
        }
    }

    [Theory]
    [InlineData(-87.5f, 0f)]
    [InlineData(-1000f, 0f)]
    [InlineData(float.NegativeInfinity, 0f)]
    [InlineData(0f, 1f)]
    public void EdgesGiveExactResults(float x, float expected) =>
        Assert.Equal(expected, FastExp.Exp<Simd256, Vector256<float>>(Vector256.Create(x)).ToScalar());

    [Fact]
    public void LargeInputsSaturateFinite()
    {
        float big = FastExp.Exp<Simd256, Vector256<float>>(Vector256.Create(1000f)).ToScalar();
        Assert.True(float.IsFinite(big) && big > 1e38f, $"e^1000 gave {big}");
    }
}
