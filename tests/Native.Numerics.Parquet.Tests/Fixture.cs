namespace Native.Numerics.Parquet.Tests;

/// <summary>The fixtures DuckDB wrote (Fixtures/make-fixtures.mjs), as the test run sees them.</summary>
internal static class Fixture
{
    public static string Path(string name) => System.IO.Path.Combine(AppContext.BaseDirectory, "Fixtures", name);

    public static byte[] Bytes(string name) => File.ReadAllBytes(Path(name));

    /// <summary>Asserts two datasets hold the same rows bit for bit, the same labels or targets, and the same names.</summary>
    public static void AssertSame(Dataset expected, Dataset actual)
    {
        Assert.Equal(expected.Count, actual.Count);
        Assert.Equal(expected.Features, actual.Features);
        Assert.Equal(expected.FeatureNames, actual.FeatureNames);
        Assert.Equal(expected.LabelName, actual.LabelName);
        Assert.Equal(expected.HasLabels, actual.HasLabels);
        Assert.Equal(expected.Classes, actual.Classes);
        Assert.Equal(expected.ClassNames, actual.ClassNames);
        Assert.Equal(expected.Labels.ToArray(), actual.Labels.ToArray());
        Assert.Equal(Bits(expected.Targets), Bits(actual.Targets));
        for (int i = 0; i < expected.Count; i++)
        {
            int[] want = Bits(expected.Row(i)), got = Bits(actual.Row(i));
            if (!want.AsSpan().SequenceEqual(got))
            {
                int j = want.AsSpan().CommonPrefixLength(got);
                Assert.Fail($"Row {i}, feature {j} ('{expected.FeatureNames[j]}'): expected {expected.Row(i)[j]:R} ({want[j]:X8}), got {actual.Row(i)[j]:R} ({got[j]:X8}).");
            }
        }
    }

    private static int[] Bits(ReadOnlySpan<float> values)
    {
        int[] bits = new int[values.Length];
        for (int i = 0; i < values.Length; i++)
        {
            bits[i] = BitConverter.SingleToInt32Bits(values[i]);
        }

        return bits;
    }
}
