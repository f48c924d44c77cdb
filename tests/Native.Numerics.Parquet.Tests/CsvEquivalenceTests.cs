namespace Native.Numerics.Parquet.Tests;

/// <summary>
/// The same rows written by DuckDB as Parquet and as CSV load into the same dataset, bit for bit: Parquet's typed
/// values (every integer width and sign, floats, doubles, decimals of three physical types, booleans) become the
/// floats Native's CSV reader makes of their text, and labels become the same classes with the same names.
/// </summary>
public sealed class CsvEquivalenceTests
{
    [Fact]
    public void EveryNumberTypeReadsAsTheCsvReaderReadsItsText()
    {
        // The Parquet file's text column 'colour' is not a number, so it is not a feature by default; the CSV has no such column.
        Dataset csv = Csv.Read(Fixture.Path("mixed.csv"), new CsvOptions { LabelColumn = "species" });
        Dataset parquet = ParquetFile.Read(Fixture.Path("mixed.parquet"), new ParquetOptions { LabelColumn = "species", FeatureColumns = [.. csv.FeatureNames] });
        Assert.Equal(2500, parquet.Count);
        Assert.Equal(["setosa", "versicolor", "virginica"], parquet.ClassNames);
        Fixture.AssertSame(csv, parquet);
    }

    [Fact]
    public void ByDefaultTheFeaturesAreEveryNumberColumnButTheLabelInTheFilesOrder()
    {
        Dataset parquet = ParquetFile.Read(Fixture.Path("mixed.parquet"));
        Assert.Equal("species", parquet.LabelName);
        Assert.Equal(["i8", "u8", "i16", "u16", "i32", "u32", "i64", "u64", "f", "d", "dec4", "dec18", "dec30", "b", "dict", "opt"], parquet.FeatureNames);
    }

    [Fact]
    public void IntegerLabelsBecomeClassesInNumericOrder()
    {
        Dataset csv = Csv.Read(Fixture.Path("integers.csv"));
        Dataset parquet = ParquetFile.Read(Fixture.Path("integers.parquet"));
        Assert.Equal(["-1", "3", "7"], parquet.ClassNames);
        Fixture.AssertSame(csv, parquet);
    }

    [Fact]
    public void DoubleLabelsAreRegressionTargets()
    {
        Dataset csv = Csv.Read(Fixture.Path("regression.csv"), new CsvOptions { LabelColumn = "target" });
        Dataset parquet = ParquetFile.Read(Fixture.Path("regression.parquet"), new ParquetOptions { LabelColumn = "target" });
        Assert.False(parquet.HasLabels);
        Fixture.AssertSame(csv, parquet);
    }

    [Fact]
    public void ADirectoryOfPartFilesIsOneDatasetInFileOrder()
    {
        Dataset csv = Csv.Read(Fixture.Path("parts.csv"));
        Fixture.AssertSame(csv, ParquetFile.Read(Fixture.Path("parts")));
        Fixture.AssertSame(csv, ParquetFile.Read(Fixture.Path(Path.Combine("parts", "part-*.parquet"))));
    }

    [Theory]
    [InlineData("codec-uncompressed.parquet")]
    [InlineData("codec-snappy.parquet")]
    [InlineData("codec-gzip.parquet")]
    [InlineData("codec-zstd.parquet")]
    [InlineData("codec-brotli.parquet")]
    [InlineData("codec-lz4_raw.parquet")]
    [InlineData("pages-v2.parquet")]
    public void EveryCompressionAndPageVersionReadsTheSame(string file)
    {
        Dataset csv = Csv.Read(Fixture.Path("small.csv"));
        Fixture.AssertSame(csv, ParquetFile.Read(Fixture.Path(file)));
    }

    [Fact]
    public void AStreamReadsAsTheFileDoes()
    {
        using var stream = new MemoryStream(Fixture.Bytes("mixed.parquet"));
        Fixture.AssertSame(ParquetFile.Read(Fixture.Path("mixed.parquet")), ParquetFile.Read(stream, name: "mixed"));
    }
}
