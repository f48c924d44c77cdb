using System.Reflection;
using System.Runtime.Intrinsics;
using Native.Numerics.Kernels;

namespace Native.Tests.Generated;

/// <summary>
/// Generated code cannot call the library's internal FastExp, so each generated model carries its own inlined exp
/// (Cephes' expf). It is held to the same bound against double-precision exp, and to FastExp lane for lane.
/// </summary>
public class GeneratedExpTests
{
    public static TheoryData<string> VectorWidths => new(nameof(Vector128), nameof(Vector256), nameof(Vector512));

    [Theory]
    [MemberData(nameof(VectorWidths))]
    public void RelativeErrorAgainstDoubleExpIsBoundedOverTheWholeRange(string width)
    {
        Func<float, float> exp = GeneratedExp(width);
        double worst = 0;
        float worstAt = 0;
        for (float x = FastExp.MinimumInput + 0.01f; x < FastExp.MaximumInput; x += 1f / 1024)
        {
            double error = Math.Abs(exp(x) - Math.Exp(x)) / Math.Exp(x);
            if (error > worst)
            {
                worst = error;
                worstAt = x;
            }
        }

        Assert.True(worst <= FastExp.MaximumRelativeError, $"{width}: worst relative error {worst:E3} at x = {worstAt}");
    }

    [Theory]
    [MemberData(nameof(VectorWidths))]
    public void EqualsTheLibrarysFastExpLaneForLane(string width)
    {
        Func<float, float> exp = GeneratedExp(width);
        for (float x = -100f; x < 100f; x += 0.37f)
        {
            float expected = FastExp.Exp<Simd128, Vector128<float>>(Vector128.Create(x)).ToScalar();
            Assert.Equal(expected, exp(x));
        }
    }

    [Theory]
    [MemberData(nameof(VectorWidths))]
    public void EdgesGiveZeroOneAndAFiniteMaximum(string width)
    {
        Func<float, float> exp = GeneratedExp(width);
        Assert.Equal(0f, exp(-87.5f));
        Assert.Equal(0f, exp(float.NegativeInfinity));
        Assert.Equal(1f, exp(0f));
        Assert.True(float.IsFinite(exp(1000f)) && exp(1000f) > 1e38f);
    }

    [Theory]
    [MemberData(nameof(VectorWidths))]
    public void Log1PIsWithinFloatRoundingOfDoubleLogOnZeroToOne(string width)
    {
        // The logistic regression's loss, softplus(u) = max(u, 0) + log(1 + e^-|u|), takes log(1 + v) for v in [0, 1].
        Func<float, float> log1P = Generated<Logistic30>("Log1P", width);
        double worst = 0;
        for (int i = 0; i <= 1 << 16; i++)
        {
            float v = i / (float)(1 << 16);
            double expected = Math.Log(1.0 + v);
            double error = expected == 0 ? Math.Abs(log1P(v)) : Math.Abs(log1P(v) - expected) / expected;
            worst = Math.Max(worst, error);
        }

        Assert.True(worst <= 5e-7, $"{width}: worst relative error {worst:E3}");
    }

    // The private Exp of a generated model at one width, as a function of one lane (every lane holds x).
    private static Func<float, float> GeneratedExp(string width) => Generated<Softmax784x10>("Exp", width);

    // A private lane-wise function of a generated model at one width, as a function of one lane (every lane holds x).
    private static Func<float, float> Generated<TModel>(string name, string width)
    {
        MethodInfo Find(Type vector) => typeof(TModel).GetMethod(name, BindingFlags.NonPublic | BindingFlags.Static, [vector])
            ?? throw new InvalidOperationException($"No {name}({vector.Name}) in {typeof(TModel).Name}.");
        switch (width)
        {
            case nameof(Vector128):
                var exp128 = Find(typeof(Vector128<float>)).CreateDelegate<Func<Vector128<float>, Vector128<float>>>();
                return x => exp128(Vector128.Create(x)).ToScalar();
            case nameof(Vector256):
                var exp256 = Find(typeof(Vector256<float>)).CreateDelegate<Func<Vector256<float>, Vector256<float>>>();
                return x => exp256(Vector256.Create(x)).ToScalar();
            default:
                var exp512 = Find(typeof(Vector512<float>)).CreateDelegate<Func<Vector512<float>, Vector512<float>>>();
                return x => exp512(Vector512.Create(x)).ToScalar();
        }
    }
}
