using System.Globalization;
using FsCheck;
using FsCheck.Fluent;
using Microsoft.FSharp.Core;

namespace Native.Tests.Support;

/// <summary>
/// Runs FsCheck properties from xunit facts (FsCheck.Xunit is not available here): a failing property
/// throws with its counterexample, which fails the fact.
/// </summary>
/// <remarks>
/// Cases come from a fixed seed, so a CI run is repeatable; set <c>NATIVE_PROPERTY_SEED</c> to a number
/// to explore other cases, or to <c>random</c> for a fresh seed each run (a failure prints the seed to
/// replay). <c>NATIVE_PROPERTY_TESTS</c> multiplies the number of cases, for a long local run.
/// </remarks>
internal static class Properties
{
    private const ulong DefaultSeed = 20261122;

    private static readonly FSharpOption<Replay>? Replay = ReadSeed();

    private static readonly int Multiplier = int.TryParse(Environment.GetEnvironmentVariable("NATIVE_PROPERTY_TESTS"), NumberStyles.Integer, CultureInfo.InvariantCulture, out int m) && m > 0 ? m : 1;

    /// <summary>The sizes around every vector width the kernels use (4, 8 and 16 floats), and MNIST's 784.</summary>
    public static readonly int[] AwkwardLengths = [1, 7, 8, 9, 15, 16, 17, 31, 33, 64, 784];

    /// <summary>Checks <paramref name="property"/> on <paramref name="tests"/> generated cases.</summary>
    public static void Check(Property property, int tests = 100)
    {
        Config config = Config.QuickThrowOnFailure.WithMaxTest(tests * Multiplier).WithQuietOnSuccess(true);
        FsCheck.Check.One(Replay is null ? config : config.WithReplay(Replay), property);
    }

    private static FSharpOption<Replay>? ReadSeed()
    {
        string? text = Environment.GetEnvironmentVariable("NATIVE_PROPERTY_SEED");
        if (string.Equals(text, "random", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        ulong seed = ulong.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out ulong parsed) ? parsed : DefaultSeed;
        return FSharpOption<Replay>.Some(new Replay(new Rnd(seed), FSharpOption<int>.None));
    }

    /// <summary>Checks that <paramref name="assertion"/> holds (returns true, throws nothing) for every generated value.</summary>
    public static void ForAll<T>(Gen<T> generator, Func<T, bool> assertion, int tests = 100) =>
        Check(Prop.ForAll(generator.ToArbitrary(), assertion), tests);

    /// <summary>Checks that <paramref name="assertion"/> throws nothing for every generated value (xunit asserts inside).</summary>
    public static void ForAll<T>(Gen<T> generator, Action<T> assertion, int tests = 100) =>
        Check(Prop.ForAll(generator.ToArbitrary(), assertion), tests);

    /// <summary>A length from <see cref="AwkwardLengths"/>.</summary>
    public static Gen<int> AwkwardLength => Gen.Elements(AwkwardLengths);

    /// <summary>A float uniform in [<paramref name="low"/>, <paramref name="high"/>].</summary>
    public static Gen<float> Float(float low, float high) =>
        Gen.Choose(0, int.MaxValue).Select(i => low + ((high - low) * (float)(i / (double)int.MaxValue)));

    /// <summary>An array of <paramref name="length"/> floats uniform in [<paramref name="low"/>, <paramref name="high"/>].</summary>
    public static Gen<float[]> Floats(int length, float low, float high) => Gen.ArrayOf(Float(low, high), length);

    /// <summary>An array of an awkward length, of floats uniform in [<paramref name="low"/>, <paramref name="high"/>].</summary>
    public static Gen<float[]> AwkwardFloats(float low, float high) =>
        AwkwardLength.SelectMany(n => Floats(n, low, high));
}
