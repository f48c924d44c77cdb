using FsCheck;
using FsCheck.Fluent;
using Native.Numerics;
using Native.Tests.Support;

namespace Native.Tests.Data;

public class StandardizerTests
{
    /// <summary>
    /// A dataset of 2 to 40 rows of an awkward number of features, each feature on its own scale
    /// (10^-2 to 10^3) and offset, and one feature constant.
    /// </summary>
    private static readonly Gen<(Dataset Data, int Constant)> Datasets =
        from features in Properties.AwkwardLength
        from count in Gen.Choose(2, 40)
        from values in Properties.Floats(count * features, -1f, 1f)
        from scales in Gen.ArrayOf(Gen.Choose(-2, 3).Select(e => MathF.Pow(10, e)), features)
        from offsets in Properties.Floats(features, -500f, 500f)
        from constant in Gen.Choose(0, features - 1)
        select (Build(values, count, features, scales, offsets, constant), constant);

    [Fact]
    public void StandardizedTrainingFeaturesHaveMeanZeroAndDeviationOne() =>
        Properties.ForAll(Datasets, sample =>
        {
            (Dataset data, int constant) = sample;
            Standardizer standardizer = Standardizer.Fit(data);
            Dataset standardized = standardizer.Transform(data);
            for (int j = 0; j < data.Features; j++)
            {
                (double mean, double deviation) = Statistics(standardized, j);
                if (j == constant)
                {
                    Assert.Equal(0, mean);
                    Assert.Equal(0, deviation);
                }
                else
                {
                    // The mean is stored as a float: rounding it (half an ulp) shifts every value alike.
                    double rounding = Math.Abs(standardizer.Means[j]) * 6e-8 / standardizer.StandardDeviations[j];
                    Assert.True(Math.Abs(mean) < 1e-5 + rounding, $"feature {j}: mean {mean}");
                    Assert.True(Math.Abs(deviation - 1) < 1e-5, $"feature {j}: deviation {deviation}");
                }
            }
        });

    [Fact]
    public void AConstantFeatureIsOnlyCentered() =>
        Properties.ForAll(Datasets, sample =>
        {
            (Dataset data, int constant) = sample;
            Standardizer standardizer = Standardizer.Fit(data);
            Assert.Equal(data.Row(0)[constant], standardizer.Means[constant]);
            Assert.Equal(1f, standardizer.StandardDeviations[constant]);
            Dataset standardized = standardizer.Transform(data);
            for (int i = 0; i < data.Count; i++)
            {
                Assert.Equal(0f, standardized.Row(i)[constant]);
            }
        });

    [Fact]
    public void InverseTransformUndoesTransform() =>
        Properties.ForAll(Datasets, sample =>
        {
            Dataset data = sample.Data;
            Standardizer standardizer = Standardizer.Fit(data);
            float[] row = new float[data.Features];
            for (int i = 0; i < data.Count; i++)
            {
                standardizer.Transform(data.Row(i), row);
                standardizer.InverseTransform(row, row); // in place
                for (int j = 0; j < row.Length; j++)
                {
                    float x = data.Row(i)[j];
                    float tolerance = 4e-6f * (Math.Abs(x) + Math.Abs(standardizer.Means[j]) + standardizer.StandardDeviations[j]);
                    Assert.True(Math.Abs(row[j] - x) <= tolerance, $"row {i} feature {j}: {x} came back as {row[j]}");
                }
            }
        });

    [Fact]
    public void AHandComputedExample()
    {
        // Feature 0: 1, 2, 3, 4 → mean 2.5, population variance (2.25 + 0.25 + 0.25 + 2.25) / 4 = 1.25.
        // Feature 1: 10, 10, 10, 10 → constant.
        Standardizer standardizer = Standardizer.Fit([1, 10, 2, 10, 3, 10, 4, 10], featureCount: 2);

        Assert.Equal<float>([2.5f, 10f], standardizer.Means.ToArray());
        Assert.Equal<float>([MathF.Sqrt(1.25f), 1f], standardizer.StandardDeviations.ToArray());
        float[] row = [1, 10];
        standardizer.Transform(row, row);
        Assert.Equal(-1.5f / MathF.Sqrt(1.25f), row[0], 6);
        Assert.Equal(0f, row[1]);
    }

    [Fact]
    public void MnistStandardizesToFiniteValuesWithItsBlankCornersAtZero()
    {
        (Dataset training, Dataset test) = Mnist.TenK();
        Standardizer standardizer = Standardizer.Fit(training);
        Dataset standardized = standardizer.Transform(test);

        Assert.Equal(0f, standardizer.Means[0]); // the top-left pixel is blank in every digit
        Assert.Equal(1f, standardizer.StandardDeviations[0]);
        for (int i = 0; i < standardized.Count; i++)
        {
            Assert.Equal(0f, standardized.Row(i)[0]);
            Assert.True(standardized.Row(i).IndexOfAnyExceptInRange(float.MinValue, float.MaxValue) < 0, $"row {i} is not finite");
        }
    }

    [Fact]
    public void FittingASpanOrADatasetGivesTheSameStatistics()
    {
        float[] values = [.. Enumerable.Range(0, 7 * 17).Select(i => MathF.Sin(i) * i)];
        Standardizer fromSpan = Standardizer.Fit(values, 17);
        Standardizer fromDataset = Standardizer.Fit(Dataset.FromTargets(values, 17, new float[7]));

        Assert.True(fromSpan.Means.SequenceEqual(fromDataset.Means));
        Assert.True(fromSpan.StandardDeviations.SequenceEqual(fromDataset.StandardDeviations));
    }

    [Fact]
    public void StoredStatisticsTransformAsTheFittedOnesDo()
    {
        Dataset data = Dataset.FromLabels([.. Enumerable.Range(0, 40).Select(i => (float)(i * i % 13))], 8, [0, 1, 0, 1, 1]);
        Standardizer fitted = Standardizer.Fit(data);
        Standardizer stored = Standardizer.FromStatistics(fitted.Means, fitted.StandardDeviations);

        Dataset a = fitted.Transform(data), b = stored.Transform(data);
        for (int i = 0; i < data.Count; i++)
        {
            Assert.True(a.Row(i).SequenceEqual(b.Row(i)));
        }

        Assert.True(a.Labels.SequenceEqual(data.Labels)); // labels travel with the rows
    }

    [Fact]
    public void TransformingARowAllocatesNothing()
    {
        Standardizer standardizer = Standardizer.Fit([.. Enumerable.Range(0, 784 * 3).Select(i => (float)(i % 255))], 784);
        float[] row = [.. Enumerable.Range(0, 784).Select(i => i / 784f)];
        float[] destination = new float[784];

        Assert.Equal(0, Allocations.Measure(() => standardizer.Transform(row, destination)));
        Assert.Equal(0, Allocations.Measure(() => standardizer.Transform(row, row)));
        Assert.Equal(0, Allocations.Measure(() => standardizer.InverseTransform(row, destination)));
    }

    [Fact]
    public void FeatureCountMismatchesNameBothCounts()
    {
        Standardizer standardizer = Standardizer.Fit([1, 2, 3, 4, 5, 6], featureCount: 3);

        ArgumentException dataset = Assert.Throws<ArgumentException>(() => standardizer.Transform(Dataset.FromTargets([1, 2, 3, 4], 4, [0f])));
        Assert.Contains("fitted to 3 features, but data has 4", dataset.Message, StringComparison.Ordinal);
        ArgumentException row = Assert.Throws<ArgumentException>(() => standardizer.Transform(new float[2], new float[3]));
        Assert.Contains("fitted to 3 features, but row has 2", row.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => standardizer.Transform(new float[3], new float[4]));
        Assert.Throws<ArgumentException>(() => standardizer.InverseTransform(new float[4], new float[3]));
    }

    [Fact]
    public void BadStatisticsAndEmptyDataAreRefused()
    {
        Assert.Throws<ArgumentException>(() => Standardizer.FromStatistics([0f, 1f], [1f]));
        Assert.Throws<ArgumentException>(() => Standardizer.FromStatistics([], []));
        Assert.Throws<ArgumentException>(() => Standardizer.FromStatistics([float.NaN], [1f]));
        Assert.Throws<ArgumentException>(() => Standardizer.FromStatistics([0f], [0f]));
        Assert.Throws<ArgumentException>(() => Standardizer.FromStatistics([0f], [-1f]));
        Assert.Throws<ArgumentException>(() => Standardizer.FromStatistics([0f], [float.PositiveInfinity]));
        Assert.Throws<ArgumentException>(() => Standardizer.FromStatistics([0f], [float.NaN]));

        Assert.Throws<ArgumentException>(() => Standardizer.Fit([], 3));
        Assert.Throws<ArgumentException>(() => Standardizer.Fit([1, 2, 3, 4], 3));
        Assert.Throws<ArgumentException>(() => Standardizer.Fit([1, float.NaN, 3], 3));
        Assert.Throws<ArgumentException>(() => Standardizer.Fit(Dataset.FromTargets([], 3, [])));
    }

    private static Dataset Build(float[] values, int count, int features, float[] scales, float[] offsets, int constant)
    {
        float[] rows = new float[values.Length];
        for (int i = 0; i < count; i++)
        {
            for (int j = 0; j < features; j++)
            {
                rows[(i * features) + j] = j == constant ? offsets[j] : offsets[j] + (scales[j] * values[(i * features) + j]);
            }
        }

        // Two values drawn alike would make a near-constant feature whose spread is below float resolution
        // at its offset; the first row is pulled apart from the second so every non-constant feature varies.
        for (int j = 0; j < features; j++)
        {
            if (j != constant)
            {
                rows[j] = offsets[j] - scales[j];
                rows[features + j] = offsets[j] + scales[j];
            }
        }

        return Dataset.FromLabels(rows, features, new int[count], classes: 2);
    }

    private static (double Mean, double Deviation) Statistics(Dataset data, int feature)
    {
        double sum = 0;
        for (int i = 0; i < data.Count; i++)
        {
            sum += data.Row(i)[feature];
        }

        double mean = sum / data.Count, squares = 0;
        for (int i = 0; i < data.Count; i++)
        {
            squares += (data.Row(i)[feature] - mean) * (data.Row(i)[feature] - mean);
        }

        return (mean, Math.Sqrt(squares / data.Count));
    }
}
