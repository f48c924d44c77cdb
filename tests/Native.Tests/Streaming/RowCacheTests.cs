using System.Globalization;
using System.Text;
using Native.Numerics;
using Native.Numerics.Streaming;

namespace Native.Tests.Streaming;

/// <summary>The row cache: the first pass's rows equal Csv.Read's, and a cache that is not sound is made again or refused.</summary>
public sealed partial class RowCacheTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("native-cache-").FullName;

    public RowCacheTests()
    {
        _directory = Directory.CreateDirectory(Path.Combine(_root, "cache")).FullName;
        Directory.CreateDirectory(Path.Combine(_root, "data"));
    }

    /// <summary>The cache directory the tests give (the data are in a directory of their own).</summary>
    private readonly string _directory;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Theory]
    [InlineData(CsvLabels.Infer, "digit")]
    [InlineData(CsvLabels.Classification, "species")]
    [InlineData(CsvLabels.Infer, "species")]
    [InlineData(CsvLabels.Regression, "target")]
    [InlineData(CsvLabels.Infer, "target")]
    public void TheFirstPassReadsWhatCsvReadReads(CsvLabels labels, string label)
    {
        string path = WriteCsv("table.csv", rows: 1500, seed: 3, label);
        var options = new CsvOptions { LabelColumn = label, Labels = labels };
        Dataset expected = Csv.Read(path, options);
        using RowSource rows = RowSource.Open(Csv.OpenRows(path, options), new RowSourceOptions { CacheDirectory = _directory });

        Assert.False(rows.CacheReused);
        Assert.Equal(expected.Count, rows.Count);
        Assert.Equal(expected.Features, rows.Features);
        Assert.Equal(expected.HasLabels, rows.HasLabels);
        Assert.Equal(expected.Classes, rows.Classes);
        Assert.Equal(expected.ClassNames, rows.ClassNames);
        Assert.Equal(expected.FeatureNames, rows.FeatureNames);
        Assert.Equal(expected.LabelName, rows.LabelName);
        AssertSameRows(expected, rows);
    }

    [Fact]
    public void ASecondOpeningReusesTheCacheWithoutReadingTheData()
    {
        string path = WriteCsv("table.csv", rows: 800, seed: 1);
        var options = new RowSourceOptions { CacheDirectory = _directory };
        string cachePath;
        using (RowSource first = RowSource.Open(Csv.OpenRows(path), options))
        {
            cachePath = first.CachePath!;
            Assert.StartsWith(Path.Combine(_directory, "table.csv."), cachePath);
            Assert.EndsWith(RowSource.CacheExtension, cachePath);
        }

        using RowSource second = RowSource.Open(Csv.OpenRows(path), options);
        Assert.True(second.CacheReused);
        Assert.Equal(cachePath, second.CachePath);
        AssertSameRows(Csv.Read(path), second);

        // Beside the data by default.
        using RowSource beside = RowSource.Open(Csv.OpenRows(path));
        Assert.Equal(Path.GetDirectoryName(path), Path.GetDirectoryName(beside.CachePath));
    }

    [Fact]
    public void ACacheOfOtherReadingOptionsIsAnotherFile()
    {
        string path = WriteCsv("table.csv", rows: 300, seed: 1);
        using RowSource byDigit = RowSource.Open(Csv.OpenRows(path, new CsvOptions { LabelColumn = "digit" }), new RowSourceOptions { CacheDirectory = _directory });
        using RowSource byPixel = RowSource.Open(Csv.OpenRows(path, new CsvOptions { LabelColumn = "p0", Labels = CsvLabels.Regression }), new RowSourceOptions { CacheDirectory = _directory });
        Assert.NotEqual(byDigit.CachePath, byPixel.CachePath);
        Assert.Equal(10, byDigit.Classes);
        Assert.False(byPixel.HasLabels);
    }

    [Fact]
    public void AStaleCacheIsMadeAgain()
    {
        string path = WriteCsv("table.csv", rows: 400, seed: 1);
        var options = new RowSourceOptions { CacheDirectory = _directory };
        using (RowSource.Open(Csv.OpenRows(path), options))
        {
        }

        // The data change: other rows, and a later modification time.
        WriteCsv("table.csv", rows: 500, seed: 2);
        File.SetLastWriteTimeUtc(path, DateTime.UtcNow.AddMinutes(1));
        using RowSource rows = RowSource.Open(Csv.OpenRows(path), options);
        Assert.False(rows.CacheReused);
        Assert.Contains("has changed since", rows.CacheRebuiltBecause);
        Assert.Equal(500, rows.Count);
        AssertSameRows(Csv.Read(path), rows);
    }

    public static TheoryData<string, string> Damage => new()
    {
        { "truncated", "truncated" },
        { "header", "fails its checksum" },
        { "trailer", "trailer" },
        { "version", "version 2" },
        { "magic", "not a row cache" },
        { "empty", "truncated" },
    };

    [Theory]
    [MemberData(nameof(Damage))]
    public void ADamagedCacheIsMadeAgainAndADamagedFileRefused(string damage, string message)
    {
        string path = WriteCsv("table.csv", rows: 600, seed: 4);
        var options = new RowSourceOptions { CacheDirectory = _directory };
        string cachePath;
        using (RowSource rows = RowSource.Open(Csv.OpenRows(path), options))
        {
            cachePath = rows.CachePath!;
        }

        Spoil(cachePath, damage);

        // Opened on its own, the file is refused, saying what is wrong; opened for the data, it is made again.
        FileFormatException refused = Assert.Throws<FileFormatException>(() => RowSource.OpenCache(cachePath).Dispose());
        Assert.Contains(message, refused.Message);
        Assert.Contains(cachePath, refused.Message);
        using RowSource remade = RowSource.Open(Csv.OpenRows(path), options);
        Assert.False(remade.CacheReused);
        Assert.Contains(message, remade.CacheRebuiltBecause);
        AssertSameRows(Csv.Read(path), remade);
    }

    [Fact]
    public void ABlockDamagedAfterOpeningIsRefusedWhenItIsRead()
    {
        string path = WriteCsv("table.csv", rows: 600, seed: 4);
        string cachePath;
        using (RowSource rows = RowSource.Open(Csv.OpenRows(path), new RowSourceOptions { CacheDirectory = _directory }))
        {
            cachePath = rows.CachePath!;
        }

        // One byte of the first block's rows flipped: the header and trailer are sound, the block is not.
        using (var file = new FileStream(cachePath, FileMode.Open, FileAccess.ReadWrite))
        {
            file.Position = RowCacheLayout.FirstBlock + 5;
            int b = file.ReadByte();
            file.Position--;
            file.WriteByte((byte)(b ^ 0x10));
        }

        using RowSource damaged = RowSource.OpenCache(cachePath);
        var model = new SoftmaxRegression(damaged.Features, damaged.Classes);
        FileFormatException e = Assert.Throws<FileFormatException>(() => new Trainer(model, new GradientDescent(0.1f), new TrainerOptions { Epochs = 1 }).Fit(damaged));
        Assert.Contains("block 0 of the row cache", e.Message);
        Assert.Contains("fails its checksum", e.Message);
    }

    [Fact]
    public void ABlockReadFromTheFileIsTheMappedBlockAndATruncatedFileIsRefused()
    {
        // Windows copy blocks with positioned reads (ReadBlock), not through the mapping: the same bytes, checked the same way.
        string path = WriteCsv("table.csv", rows: 70_000, seed: 6); // 32,768 rows of 4 features a block: three blocks
        string cachePath;
        using (RowSource rows = RowSource.Open(Csv.OpenRows(path), new RowSourceOptions { CacheDirectory = _directory }))
        {
            cachePath = rows.CachePath!;
        }

        using RowSource cached = RowSource.OpenCache(cachePath);
        RowCache cache = cached.Cache;
        Assert.Equal(3, cache.Layout.Blocks.Length);
        byte[] buffer = new byte[(int)cache.Layout.BlockLength(0) + 100];
        for (int block = 0; block < cache.Layout.Blocks.Length; block++)
        {
            int length = (int)cache.Layout.BlockLength(block);
            cache.ReadBlock(block, buffer);
            Assert.True(cache.BlockBytes(block).SequenceEqual(buffer.AsSpan(0, length)), $"block {block}");
        }

        // The file cut inside its last block while open: a one-line error naming the block, not a short copy.
        int last = cache.Layout.Blocks.Length - 1;
        using (var file = new FileStream(cachePath, FileMode.Open, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete))
        {
            file.SetLength(cache.Layout.Blocks[last].Offset + 10);
        }

        FileFormatException e = Assert.Throws<FileFormatException>(() => cache.ReadBlock(last, buffer));
        Assert.Contains($"ends inside block {last}", e.Message);
    }

    [Fact]
    public void TwoOpeningsAtOnceShareOneSoundCache()
    {
        string path = WriteCsv("table.csv", rows: 20_000, seed: 6);
        var options = new RowSourceOptions { CacheDirectory = _directory };
        RowSource[] opened = new RowSource[4];
        Parallel.For(0, opened.Length, i => opened[i] = RowSource.Open(Csv.OpenRows(path), options));
        try
        {
            Dataset expected = Csv.Read(path);
            foreach (RowSource rows in opened)
            {
                AssertSameRows(expected, rows);
            }

            Assert.Single(Directory.GetFiles(_directory));
            using RowSource again = RowSource.Open(Csv.OpenRows(path), options);
            Assert.True(again.CacheReused);
        }
        finally
        {
            foreach (RowSource rows in opened)
            {
                rows.Dispose();
            }
        }
    }

    [Fact]
    public void AFullDiskLeavesNothingBehindAndSaysHowMuchIsNeeded()
    {
        string path = WriteCsv("table.csv", rows: 3000, seed: 7);
        RowSource.WrapCacheStream = stream => new FullDiskStream(stream, failAfter: 50_000);
        try
        {
            IOException e = Assert.Throws<IOException>(() => RowSource.Open(Csv.OpenRows(path), new RowSourceOptions { CacheDirectory = _directory }));
            Assert.Contains("Cannot save the row cache", e.Message);
            Assert.Contains("needs about", e.Message);
            Assert.Empty(Directory.GetFiles(_directory));
        }
        finally
        {
            RowSource.WrapCacheStream = null;
        }
    }

    [Fact]
    public void ACancelledFirstPassLeavesNoFile()
    {
        string path = WriteCsv("table.csv", rows: 3000, seed: 8);
        using var cancel = new CancellationTokenSource();
        RowSource.WrapCacheStream = stream => new FullDiskStream(stream, failAfter: long.MaxValue, onWrite: cancel.Cancel);
        try
        {
            Assert.ThrowsAny<OperationCanceledException>(() => RowSource.Open(Csv.OpenRows(path), new RowSourceOptions { CacheDirectory = _directory }, cancel.Token));
            Assert.Empty(Directory.GetFiles(_directory));
        }
        finally
        {
            RowSource.WrapCacheStream = null;
        }
    }

    [Fact]
    public void ImagesAreStoredAsBytesAndOtherRowsAsAsked()
    {
        Dataset digits = StreamingTrainingTests.Digits().Test;
        using RowSource bytes = RowSource.FromDataset(digits);
        Assert.Equal("bytes", bytes.StorageDescription);
        Assert.Equal(digits.Count * 832L, bytes.StoredBytes); // 784 bytes a row, padded to 13 lines
        using RowSource floats = RowSource.FromDataset(digits, RowStorage.Float32);
        Assert.Equal("float32", floats.StorageDescription);
        AssertSameRows(digits, bytes);
        AssertSameRows(digits, floats);

        Dataset noisy = Dataset.FromLabels([0.1f, 1e-3f, 70000f, 2.5f, 3.25f, -1f], 3, [0, 1]);
        using RowSource halves = RowSource.FromDataset(noisy.Select([1]), RowStorage.Float16);
        Assert.Equal("float16", halves.StorageDescription);
        FileFormatException beyond = Assert.Throws<FileFormatException>(() => RowSource.FromDataset(noisy, RowStorage.Float16));
        Assert.Contains("beyond float16's range", beyond.Message);
        using RowSource brains = RowSource.FromDataset(noisy, RowStorage.BFloat16);
        Assert.Equal("bfloat16", brains.StorageDescription);
        float[] row = new float[3];
        using RowReader reader = brains.ReadRows();
        reader.Read(row, 3, 1, new int[1], default);
        Assert.Equal([0.10009765625f, 0.00099945068359375f, 70144f], row); // each the nearest bfloat16
    }

    [Fact]
    public void TheCachesStatisticsGiveTheDatasetsStandardizer()
    {
        string path = WriteCsv("table.csv", rows: 2500, seed: 9);
        Dataset data = Csv.Read(path);
        using RowSource rows = RowSource.Open(Csv.OpenRows(path), new RowSourceOptions { CacheDirectory = _directory });
        Standardizer expected = Standardizer.Fit(data), fitted = Standardizer.Fit(rows);
        for (int j = 0; j < data.Features; j++)
        {
            Assert.Equal(expected.Means[j], fitted.Means[j], Math.Max(1e-6f, Math.Abs(expected.Means[j]) * 1e-6f));
            Assert.Equal(expected.StandardDeviations[j], fitted.StandardDeviations[j], expected.StandardDeviations[j] * 1e-6f);
        }

        // A split's side fits on its own rows; standardized rows read back as Standardizer.Transform makes them.
        (RowSource training, RowSource test) = rows.Split(0.2, seed: 3);
        using (training)
        using (test)
        {
            Dataset trainingRows = Materialize(training);
            Standardizer side = Standardizer.Fit(training), direct = Standardizer.Fit(trainingRows);
            for (int j = 0; j < data.Features; j++)
            {
                Assert.Equal(direct.Means[j], side.Means[j], Math.Max(1e-6f, Math.Abs(direct.Means[j]) * 1e-6f));
            }

            using RowSource standardized = side.Transform(training);
            AssertSameRows(side.Transform(trainingRows), standardized);
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ASplitTakesItsQuotaOfEveryRowOnce(bool stratify)
    {
        string path = WriteCsv("table.csv", rows: 3001, seed: 10, "species");
        using RowSource rows = RowSource.Open(Csv.OpenRows(path), new RowSourceOptions { CacheDirectory = _directory });
        (RowSource training, RowSource test) = rows.Split(0.25, seed: 5, stratify);
        using (training)
        using (test)
        {
            Assert.Equal(rows.Count, training.Count + test.Count);
            if (!stratify)
            {
                Assert.Equal(750, test.Count); // round(0.25 × 3,001)
            }

            Dataset all = Materialize(rows), trained = Materialize(training), tested = Materialize(test);
            var seen = new HashSet<string>();
            foreach (Dataset side in new[] { trained, tested })
            {
                for (int i = 0; i < side.Count; i++)
                {
                    Assert.True(seen.Add(Key(side, i)), "a row is on both sides");
                }
            }

            Assert.Equal(all.Count, seen.Count);
            if (stratify)
            {
                long[] counts = rows.ClassCountsOfView(), testCounts = test.ClassCountsOfView();
                for (int c = 0; c < counts.Length; c++)
                {
                    Assert.Equal(Math.Round(0.25 * counts[c], MidpointRounding.AwayFromZero), testCounts[c]);
                }
            }

            // The same seed, the same split.
            (RowSource again, RowSource againTest) = rows.Split(0.25, seed: 5, stratify);
            using (again)
            using (againTest)
            {
                Assert.Equal(test.Included.ToArray(), againTest.Included.ToArray());
            }
        }
    }
}
