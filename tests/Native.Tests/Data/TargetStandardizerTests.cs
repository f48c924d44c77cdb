using FsCheck;
using FsCheck.Fluent;
using Native.Numerics;
using Native.Tests.Support;

namespace Native.Tests.Data;

/// <summary>
/// <see cref="TargetStandardizer"/>: standardized targets have mean 0 and deviation 1; a model folded after training on
/// them predicts σ·z + μ of what it predicted before the fold; a row source's targets read back as the dataset's, bit for
/// bit; and what it cannot standardize is refused in one line.
/// </summary>
public sealed class TargetStandardizerTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("native-targets-").FullName;

    /// <summary>A regression dataset: 2 to 40 rows of 3 features, 1 to 3 targets, each on its own scale and offset (one may be constant).</summary>
    private static readonly Gen<Dataset> Datasets =
        from count in Gen.Choose(2, 40)
        from targets in Gen.Choose(1, 3)
        from features in Properties.Floats(count * 3, -1f, 1f)
        from values in Properties.Floats(count * targets, -1f, 1f)
        from scales in Gen.ArrayOf(Gen.Choose(-2, 3).Select(e => e == -2 ? 0f : MathF.Pow(10, e)), targets)
        from offsets in Properties.Floats(targets, -500f, 500f)
        select Dataset.FromTargets(features, 3, [.. values.Select((v, k) => (v * scales[k % targets]) + offsets[k % targets])], targets);

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void StandardizedTargetsHaveMeanZeroAndDeviationOne() =>
        Properties.ForAll(Datasets, data =>
        {
            TargetStandardizer standardizer = TargetStandardizer.Fit(data);
            Dataset standardized = standardizer.Transform(data);
            Assert.Equal(data.TargetCount, standardizer.Targets);
            for (int t = 0; t < data.TargetCount; t++)
            {
                double[] raw = [.. Column(data, t)], scaled = [.. Column(standardized, t)];
                double mean = raw.Average(), deviation = Math.Sqrt(raw.Average(y => (y - mean) * (y - mean)));
                Assert.Equal(mean, standardizer.Means[t], Math.Max(1e-9, Math.Abs(mean) * 1e-6));
                if (deviation == 0)
                {
                    Assert.Equal(1f, standardizer.StandardDeviations[t]);
                    Assert.All(scaled, v => Assert.Equal(0, v));
                    continue;
                }

                Assert.Equal(deviation, standardizer.StandardDeviations[t], deviation * 1e-5);
                double scaledMean = scaled.Average();
                double rounding = Math.Abs(standardizer.Means[t]) * 6e-8 / standardizer.StandardDeviations[t];
                Assert.True(Math.Abs(scaledMean) < 1e-5 + rounding, $"target {t}: mean {scaledMean}");
                Assert.Equal(1, Math.Sqrt(scaled.Average(v => (v - scaledMean) * (v - scaledMean))), 1e-4);
            }

            // The rows and the dataset they came from are unchanged.
            Assert.Equal(data.Row(1).ToArray(), standardized.Row(1).ToArray());
        });

    [Theory]
    [InlineData("linear")]
    [InlineData("three targets")]
    [InlineData("perceptron regressor")]
    public void AFoldedModelPredictsTheTargetsUnits(string kind) =>
        Properties.ForAll(Datasets.Where(d => kind == "three targets" ? d.TargetCount == 3 : d.TargetCount == 1), data =>
        {
            IModel model = kind == "perceptron regressor"
                ? new MultilayerPerceptronRegressor([3, 7, 1], Activation.Tanh, seed: data.Count)
                : new LinearRegression(3, data.TargetCount);
            for (int p = 0; p < model.Parameters.Length; p++)
            {
                model.Parameters[p] = (float)Math.Sin(p + data.Count);
            }

            var regressor = (IRegressor)model;
            TargetStandardizer standardizer = TargetStandardizer.Fit(data);
            int n = data.Count, targets = data.TargetCount;
            float[] rows = [.. Enumerable.Range(0, n).SelectMany(i => data.Row(i).ToArray())];
            float[] before = new float[n * targets], after = new float[n * targets];
            regressor.PredictValues(rows, before);
            standardizer.Fold(model);
            regressor.PredictValues(rows, after);
            for (int k = 0; k < before.Length; k++)
            {
                int t = k % targets;
                double expected = (before[k] * (double)standardizer.StandardDeviations[t]) + standardizer.Means[t];
                Assert.Equal(expected, after[k], 1e-4 * (1 + Math.Abs(expected)));
            }
        });

    [Fact]
    public void ARowSourcesTargetsAreTheDatasetsBitForBit()
    {
        string csv = Path.Combine(_directory, "values.csv");
        File.WriteAllLines(csv, ["a,b,y", .. Enumerable.Range(0, 300).Select(i => FormattableString.Invariant($"{i % 7},{i * 0.25},{150 + (60 * Math.Sin(i))}"))]);
        var options = new CsvOptions { Labels = CsvLabels.Regression };
        Dataset data = Csv.Read(csv, options);
        using RowSource rows = RowSource.Open(Csv.OpenRows(csv, options), new RowSourceOptions { CacheDirectory = _directory });

        TargetStandardizer fromRows = TargetStandardizer.Fit(rows), fromData = TargetStandardizer.Fit(data);
        Assert.Equal(fromData.Means[0], fromRows.Means[0]);
        Assert.Equal(fromData.StandardDeviations[0], fromRows.StandardDeviations[0]);

        // Read back through the view, then split: each row's standardized target is the dataset's.
        using RowSource scaled = fromRows.Transform(rows);
        float[] expected = fromData.Transform(data).Targets.ToArray();
        Assert.Equal(expected, Targets(scaled));
        (RowSource training, RowSource test) = scaled.Split(0.25, seed: 1, stratify: false);
        using (training)
        using (test)
        {
            Assert.Equal(300, Targets(training).Length + Targets(test).Length);
            Assert.All(Targets(test), t => Assert.Contains(t, expected));
        }

        // The source it came from still reads the targets as they are.
        Assert.Equal(data.Targets.ToArray(), Targets(rows));
    }

    [Fact]
    public void WhatItCannotStandardizeIsRefusedInOneLine()
    {
        Dataset classes = Dataset.FromLabels([0f, 1f, 2f, 3f], 2, [0, 1]);
        AssertOneLine(Assert.Throws<ArgumentException>(() => TargetStandardizer.Fit(classes)), "class labels");
        Dataset one = Dataset.FromTargets([0f, 1f, 2f, 3f], 2, [5f, 7f]);
        TargetStandardizer standardizer = TargetStandardizer.Fit(one);
        AssertOneLine(Assert.Throws<ArgumentException>(() => standardizer.Transform(Dataset.FromTargets([0f, 1f], 2, [1f, 2f], targetCount: 2))), "fitted on 1");
        AssertOneLine(Assert.Throws<ArgumentException>(() => standardizer.Transform(classes)), "class labels");
        AssertOneLine(Assert.Throws<ArgumentException>(() => standardizer.Fold(new SoftmaxRegression(2, 3))), "is not a regression of 1 output");
        AssertOneLine(Assert.Throws<ArgumentException>(() => standardizer.Fold(new LinearRegression(2, 2))), "is not a regression of 1 output");
    }

    private static List<double> Column(Dataset data, int target)
    {
        ReadOnlySpan<float> targets = data.Targets;
        var values = new List<double>(data.Count);
        for (int i = 0; i < data.Count; i++)
        {
            values.Add(targets[(i * data.TargetCount) + target]);
        }

        return values;
    }

    private static float[] Targets(RowSource rows)
    {
        var all = new List<float>();
        float[] features = new float[64 * rows.Features], targets = new float[64];
        int[] ids = new int[64];
        using RowReader reader = rows.ReadRows();
        for (int read; (read = reader.Read(features, rows.Features, 64, ids, targets)) > 0;)
        {
            all.AddRange(targets.AsSpan(0, read));
        }

        return [.. all];
    }

    private static void AssertOneLine(Exception e, string expected)
    {
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', e.Message);
    }
}
