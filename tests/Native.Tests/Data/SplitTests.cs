using FsCheck;
using FsCheck.Fluent;
using Native.Numerics;
using Native.Tests.Support;

namespace Native.Tests.Data;

public class SplitTests
{
    [Fact]
    public void TheSameSeedGivesTheSameSplit()
    {
        Dataset data = Numbered(100, classes: 3);
        (int[] training, int[] test) = data.SplitIndices(0.3, seed: 7);
        (int[] training2, int[] test2) = data.SplitIndices(0.3, seed: 7);

        Assert.Equal(training, training2);
        Assert.Equal(test, test2);
        (Dataset a, Dataset b) = data.Split(0.3, seed: 7);
        Assert.Equal(test.Select(i => (float)i), Ids(b));
        Assert.Equal(training.Select(i => (float)i), Ids(a));
    }

    [Fact]
    public void DifferentSeedsGiveDifferentSplits()
    {
        Dataset data = Numbered(100, classes: 3);
        foreach (bool stratify in new[] { false, true })
        {
            int[] first = data.SplitIndices(0.3, seed: 1, stratify).Test;
            int[] second = data.SplitIndices(0.3, seed: 2, stratify).Test;
            Assert.NotEqual(first.Order(), second.Order());
        }

        Assert.NotEqual(Ids(data.Shuffle(1)), Ids(data.Shuffle(2)));
    }

    [Fact]
    public void EveryRowLandsOnExactlyOneSideWithItsLabel() =>
        Properties.ForAll(SplitCases, sample =>
        {
            (int count, int classes, double fraction, int seed, bool stratify) = sample;
            Dataset data = Numbered(count, classes);
            (Dataset training, Dataset test) split;
            try
            {
                split = data.Split(fraction, seed, stratify);
            }
            catch (ArgumentException)
            {
                return; // a side would be empty: checked on its own below
            }

            Assert.Equal(count, split.training.Count + split.test.Count);
            Assert.Equal(Enumerable.Range(0, count).Select(i => (float)i), Ids(split.training).Concat(Ids(split.test)).Order());
            foreach (Dataset side in new[] { split.training, split.test })
            {
                for (int i = 0; i < side.Count; i++)
                {
                    Assert.Equal((int)side.Row(i)[0] % classes, side.Labels[i]);
                }
            }

            if (!stratify)
            {
                Assert.Equal((int)Math.Round(fraction * count, MidpointRounding.AwayFromZero), split.test.Count);
            }
        });

    [Fact]
    public void StratifiedSplitsKeepEachClassInProportion() =>
        Properties.ForAll(SplitCases, sample =>
        {
            (int count, int classes, double fraction, int seed, _) = sample;
            Dataset data = Numbered(count, classes);
            Dataset test;
            try
            {
                test = data.Split(fraction, seed, stratify: true).Test;
            }
            catch (ArgumentException)
            {
                return;
            }

            for (int c = 0; c < classes; c++)
            {
                int inClass = data.Labels.Count(c);
                int inTest = test.Labels.Count(c);
                Assert.True(Math.Abs(inTest - (fraction * inClass)) <= 1, $"class {c}: {inTest} of {inClass} rows for a fraction of {fraction}");
            }
        });

    [Fact]
    public void AStratifiedSplitOfKnownClassesIsExact()
    {
        // Classes of 50, 30 and 20 rows, 30 % for testing: 15, 9 and 6 test rows.
        int[] labels = [.. Enumerable.Repeat(0, 50), .. Enumerable.Repeat(1, 30), .. Enumerable.Repeat(2, 20)];
        Dataset data = Dataset.FromLabels([.. Enumerable.Range(0, 100).Select(i => (float)i)], 1, labels);

        Dataset test = data.Split(0.3, seed: 3, stratify: true).Test;

        Assert.Equal((15, 9, 6), (test.Labels.Count(0), test.Labels.Count(1), test.Labels.Count(2)));
    }

    [Fact]
    public void AShuffleIsAPermutationThatKeepsRowsWhole()
    {
        Dataset data = Numbered(57, classes: 4);
        Dataset shuffled = data.Shuffle(seed: 11);

        Assert.Equal(Ids(data), Ids(shuffled).Order());
        Assert.NotEqual(Ids(data), Ids(shuffled));
        for (int i = 0; i < shuffled.Count; i++)
        {
            Assert.Equal((int)shuffled.Row(i)[0] % 4, shuffled.Labels[i]);
        }

        Assert.Equal(Ids(shuffled), Ids(data.Shuffle(seed: 11)));
        Assert.Equal(Enumerable.Range(0, 57), Dataset.ShuffledIndices(57, 11).Order());
        Assert.Empty(Dataset.ShuffledIndices(0, 11));
    }

    [Fact]
    public void RegressionTargetsTravelWithTheirRows()
    {
        Dataset data = Dataset.FromTargets([.. Enumerable.Range(0, 20).Select(i => (float)i)], 1, [.. Enumerable.Range(0, 20).Select(i => i * 0.5f)]);
        (Dataset training, Dataset test) = data.Split(0.25, seed: 5);

        Assert.Equal((15, 5), (training.Count, test.Count));
        for (int i = 0; i < test.Count; i++)
        {
            Assert.Equal(test.Row(i)[0] * 0.5f, test.Targets[i]);
        }
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(1.0)]
    [InlineData(-0.1)]
    [InlineData(1.5)]
    [InlineData(double.NaN)]
    public void FractionsOutsideZeroToOneAreRefused(double fraction)
    {
        ArgumentException error = Assert.ThrowsAny<ArgumentException>(() => Numbered(10, 2).Split(fraction, seed: 0));
        Assert.Equal("testFraction", error.ParamName);
    }

    [Fact]
    public void FractionsThatLeaveASideEmptyAreRefused()
    {
        Dataset data = Numbered(10, 2);
        Assert.Contains("leaves the test set empty", Assert.Throws<ArgumentException>(() => data.Split(0.01, seed: 0)).Message, StringComparison.Ordinal);
        Assert.Contains("leaves the training set empty", Assert.Throws<ArgumentException>(() => data.Split(0.99, seed: 0)).Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => data.Split(0.04, seed: 0, stratify: true));

        Dataset regression = Dataset.FromTargets([1, 2, 3], 1, [1, 2, 3]);
        Assert.Throws<ArgumentException>(() => regression.Split(0.5, seed: 0, stratify: true));
    }

    /// <summary>Row i has the single feature i (so rows can be traced) and label i % classes.</summary>
    private static Dataset Numbered(int count, int classes) =>
        Dataset.FromLabels([.. Enumerable.Range(0, count).Select(i => (float)i)], 1, [.. Enumerable.Range(0, count).Select(i => i % classes)], classes);

    private static float[] Ids(Dataset data) => [.. Enumerable.Range(0, data.Count).Select(i => data.Row(i)[0])];

    private static Gen<(int Count, int Classes, double Fraction, int Seed, bool Stratify)> SplitCases =>
        from count in Gen.Choose(2, 300)
        from classes in Gen.Choose(2, 7)
        from percent in Gen.Choose(1, 99)
        from seed in Gen.Choose(int.MinValue, int.MaxValue)
        from stratify in Gen.Elements(false, true)
        select (count, classes, percent / 100.0, seed, stratify);
}
