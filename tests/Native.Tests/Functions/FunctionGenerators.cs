using FsCheck;
using FsCheck.Fluent;
using Native.Tests.Support;

namespace Native.Tests;

/// <summary>FsCheck generators for the function tests (kept here rather than in Support/Properties.cs, which other areas share).</summary>
internal static class FunctionGenerators
{
    /// <summary>Values that break naive formulas: huge, the float limits, values around exp's overflow, tiny and zero.</summary>
    public static readonly float[] ExtremeValues =
        [1e30f, -1e30f, float.MaxValue, -float.MaxValue, 88.8f, -88.8f, 1000f, -1000f, 1e-30f, -1e-30f, 0f, 1f, -1f];

    /// <summary>An extreme value half the time, an ordinary one in [-100, 100] otherwise.</summary>
    public static Gen<float> ExtremeOrOrdinary => Gen.OneOf(Gen.Elements(ExtremeValues), Properties.Float(-100f, 100f));

    /// <summary>An array of an awkward length mixing extreme and ordinary finite values.</summary>
    public static Gen<float[]> ExtremeArrays =>
        Properties.AwkwardLength.SelectMany(n => Gen.ArrayOf(ExtremeOrOrdinary, n));

    /// <summary>Logits of an awkward length in [<paramref name="low"/>, <paramref name="high"/>] with a class label among them.</summary>
    public static Gen<(float[] Logits, int Label)> LogitsWithLabel(float low, float high) =>
        Properties.AwkwardFloats(low, high).SelectMany(z => Gen.Choose(0, z.Length - 1), (z, label) => (z, label));

    /// <summary>Two arrays of the same awkward length, uniform in their ranges.</summary>
    public static Gen<(float[] First, float[] Second)> Pairs(float firstLow, float firstHigh, float secondLow, float secondHigh) =>
        Properties.AwkwardLength.SelectMany(
            n => Properties.Floats(n, firstLow, firstHigh),
            (n, first) => (n, first))
            .SelectMany(t => Properties.Floats(t.n, secondLow, secondHigh), (t, second) => (t.first, second));

    /// <summary>
    /// A probability distribution of an awkward length (normalized in double, then rounded to float), with
    /// about a fifth of its entries exactly 0 when <paramref name="withZeros"/> (but never all).
    /// </summary>
    public static Gen<float[]> Distribution(bool withZeros) =>
        Properties.AwkwardLength.SelectMany(n => Distribution(n, withZeros));

    /// <summary>A distribution of length <paramref name="n"/>; see <see cref="Distribution(bool)"/>.</summary>
    public static Gen<float[]> Distribution(int n, bool withZeros)
    {
        Gen<float> weight = withZeros
            ? Gen.Frequency((1, Gen.Constant(0f)), (4, Properties.Float(1e-3f, 1f)))
            : Properties.Float(1e-3f, 1f);
        return Gen.ArrayOf(weight, n).Select(w =>
        {
            if (Array.TrueForAll(w, v => v == 0f))
            {
                w[0] = 1f;
            }

            double sum = 0;
            foreach (float v in w)
            {
                sum += v;
            }

            return Array.ConvertAll(w, v => (float)(v / sum));
        });
    }

    /// <summary>Two distributions of the same awkward length: p with zeros allowed, q strictly positive.</summary>
    public static Gen<(float[] P, float[] Q)> DistributionPairs =>
        Properties.AwkwardLength.SelectMany(
            n => Distribution(n, withZeros: true).SelectMany(p => Distribution(n, withZeros: false), (p, q) => (p, q)));
}
