namespace Native.Numerics.Parquet.Tests;

/// <summary>
/// Parquet files read once for a row cache (<see cref="ParquetFile.OpenRows"/>): a row group at a time, the same rows,
/// labels, class names and errors as <see cref="ParquetFile.Read(string, ParquetOptions?)"/>, and the cache reused after.
/// </summary>
public sealed class RowSourceTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("native-parquet-rows-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Theory]
    [InlineData("mixed.parquet", "species")]
    [InlineData("integers.parquet", null)]
    [InlineData("regression.parquet", "target")]
    [InlineData("codec-zstd.parquet", null)]
    [InlineData("parts", null)]
    [InlineData("parts/part-*.parquet", null)]
    public void TheFirstPassReadsWhatReadReads(string name, string? label)
    {
        var options = new ParquetOptions { LabelColumn = label };
        Dataset expected = ParquetFile.Read(Fixture.Path(name), options);
        using RowSource rows = RowSource.Open(ParquetFile.OpenRows(Fixture.Path(name), options), new RowSourceOptions { CacheDirectory = _directory });

        Assert.False(rows.CacheReused);
        Fixture.AssertSame(expected, Materialize(rows));
    }

    [Fact]
    public void ASecondOpeningReusesTheCache()
    {
        string path = Fixture.Path("mixed.parquet");
        var options = new ParquetOptions { LabelColumn = "species" };
        var cache = new RowSourceOptions { CacheDirectory = _directory };
        using (RowSource.Open(ParquetFile.OpenRows(path, options), cache))
        {
        }

        using RowSource again = RowSource.Open(ParquetFile.OpenRows(path, options), cache);
        Assert.True(again.CacheReused);
        Fixture.AssertSame(ParquetFile.Read(path, options), Materialize(again));
    }

    [Theory]
    [InlineData("one-class.parquet")]
    [InlineData("null-label.parquet")]
    [InlineData("nonfinite-nan.parquet")]
    public void BadFilesFailAsReadFails(string name)
    {
        string path = Fixture.Path(name);
        FileFormatException expected = Assert.Throws<FileFormatException>(() => ParquetFile.Read(path));
        FileFormatException actual = Assert.Throws<FileFormatException>(() =>
        {
            using RowSource rows = RowSource.Open(ParquetFile.OpenRows(path), new RowSourceOptions { CacheDirectory = _directory });
        });
        Assert.Equal(expected.Message, actual.Message);
        Assert.Empty(Directory.GetFiles(_directory, "*" + RowSource.CacheExtension));
    }

    [Fact]
    public void NoFileIsAClearError()
    {
        Assert.Throws<FileNotFoundException>(() => ParquetFile.OpenRows(Path.Combine(_directory, "absent.parquet")));
    }

    /// <summary>The rows of <paramref name="rows"/> as a dataset, with the source's names.</summary>
    private static Dataset Materialize(RowSource rows)
    {
        using RowReader reader = rows.ReadRows();
        int n = (int)rows.Count, stride = rows.Features;
        float[] features = new float[n * stride];
        int[] labels = new int[n];
        float[] targets = new float[n];
        int read = 0;
        while (read < n)
        {
            int got = reader.Read(features.AsSpan(read * stride), stride, n - read, labels.AsSpan(read), targets.AsSpan(read));
            Assert.True(got > 0);
            read += got;
        }

        Assert.Equal(0, reader.Read(features, stride, 1, labels, targets));
        Dataset data = rows.HasLabels
            ? Dataset.FromLabels(features, stride, labels, rows.Classes, [.. rows.ClassNames])
            : Dataset.FromTargets(features, stride, targets);
        return data.WithFeatureNames([.. rows.FeatureNames], rows.LabelName);
    }
}
