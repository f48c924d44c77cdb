using Native.Tests.Support;

namespace Native.Numerics.Parquet.Tests;

/// <summary>
/// <see cref="ParquetFeatureReader"/> gives the rows <see cref="ParquetFile.Read(string, ParquetOptions?)"/> gives, one at
/// a time or many, matched to a model's columns by name as <see cref="CsvFeatureReader"/> matches them, and says where
/// each row came from.
/// </summary>
public sealed class FeatureReaderTests
{
    private static readonly string[] Names = ["i8", "u8", "i16", "u16", "i32", "u32", "i64", "u64", "f", "d", "dec4", "dec18", "dec30", "b", "dict", "opt"];

    [Fact]
    public void RowsByNameInAnyOrderAreTheDatasetsColumnsInThatOrder()
    {
        Dataset parts = ParquetFile.Read(Fixture.Path("parts"));
        using ParquetFeatureReader reader = ParquetFeatureReader.Open(Fixture.Path("parts"));
        Assert.Equal(["a", "b", "c", "label"], reader.Header);
        reader.SelectByName(["c", "a", "b"], "label");
        Assert.Equal([2, 0, 1], reader.Columns);
        float[] row = new float[3];
        Assert.Equal(-1, reader.Row);
        for (int i = 0; i < parts.Count; i++)
        {
            Assert.True(reader.ReadRow(row));
            Assert.Equal(i % 1000, reader.Row);
            Assert.Equal(0, reader.RowGroup);
            Assert.EndsWith($"part-{i / 1000}.parquet", reader.File, StringComparison.Ordinal);
            Assert.Equal([parts.Row(i)[2], parts.Row(i)[0], parts.Row(i)[1]], row);
        }

        Assert.False(reader.ReadRow(row));
        Assert.False(reader.ReadRow(row));
    }

    [Fact]
    public void AColumnTheModelDoesNotKnowIsRefusedAsCsvRefusesIt()
    {
        using ParquetFeatureReader reader = ParquetFeatureReader.Open(Fixture.Path("mixed.parquet"));
        FileFormatException e = Assert.Throws<FileFormatException>(() => reader.SelectByName(Names, "species"));
        Assert.Contains("the column 'colour' is not one of the model's 16 features nor its label column 'species'", e.Message, StringComparison.Ordinal);
        FileFormatException missing = Assert.Throws<FileFormatException>(() => reader.SelectByName(["i8", "nope"]));
        Assert.Contains("no column is named 'nope', the model's feature 1", missing.Message, StringComparison.Ordinal);

        // A label named as one of the features is named as one (it blamed another column), as the CSV reader names it.
        FileFormatException feature = Assert.Throws<FileFormatException>(() => reader.SelectByName(["i8", "u8"], "u8"));
        Assert.Contains("the label column 'u8' is one of the model's 2 features (feature 1), so it cannot be skipped as the label", feature.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ByCountEveryColumnButTheLastOrTheNamedLabel()
    {
        Dataset data = ParquetFile.Read(Fixture.Path("integers.parquet"));
        using ParquetFeatureReader reader = ParquetFeatureReader.Open(Fixture.Path("integers.parquet"));
        Assert.Throws<FileFormatException>(() => reader.SelectByCount(4));
        reader.SelectByCount(2);
        float[] rows = new float[2 * 1000];
        Assert.Equal(data.Count, reader.ReadRows(rows));
        for (int i = 0; i < data.Count; i++)
        {
            Assert.Equal(data.Row(i).ToArray(), rows.AsSpan(2 * i, 2).ToArray());
        }

        Assert.Equal(0, reader.ReadRows(rows));
    }

    [Fact]
    public void ManyRowsAtATimeAcrossPartFilesAreTheDatasetsRows()
    {
        Dataset data = ParquetFile.Read(Fixture.Path("parts"));
        using ParquetFeatureReader reader = ParquetFeatureReader.Open(Fixture.Path("parts"));
        reader.SelectByName(["a", "b", "c"], "label");
        float[] rows = new float[3 * 7];
        int total = 0;
        for (int read; (read = reader.ReadRows(rows)) > 0; total += read)
        {
            Assert.EndsWith($"part-{(total + read - 1) / 1000}.parquet", reader.File, StringComparison.Ordinal);
            for (int i = 0; i < read; i++)
            {
                Assert.Equal(data.Row(total + i).ToArray(), rows.AsSpan(3 * i, 3).ToArray());
            }
        }

        Assert.Equal(3000, total);
    }

    [Fact]
    public void ATextFeatureAndANullAreErrorsNamingWhereTheyAre()
    {
        using (ParquetFeatureReader reader = ParquetFeatureReader.Open(Fixture.Path("mixed.parquet")))
        {
            FileFormatException e = Assert.Throws<FileFormatException>(() => reader.SelectByCount(17));
            Assert.Contains("column 'colour': the feature is text ('red')", e.Message, StringComparison.Ordinal);
        }

        using ParquetFeatureReader nulls = ParquetFeatureReader.Open(Fixture.Path("null-feature.parquet"));
        nulls.SelectByCount(2);
        float[] row = new float[2];
        FileFormatException error = Assert.Throws<FileFormatException>(() =>
        {
            while (nulls.ReadRow(row))
            {
            }
        });
        Assert.Contains("row group 1, column 'b', row 2100: the feature is null", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ReadingARowAllocatesNothing()
    {
        using ParquetFeatureReader reader = ParquetFeatureReader.Open(Fixture.Path("parts"));
        reader.SelectByName(["a", "b", "c"], "label");
        float[] row = new float[3];
        Assert.True(reader.ReadRow(row));
        long allocated = Allocations.Measure(() => reader.ReadRow(row), warmups: 10, repeats: 100, attempts: 3);
        Assert.Equal(0, allocated);
    }

    [Fact]
    public void ChoosingTheColumnsTwiceOrReadingBeforeChoosingIsAMistake()
    {
        using ParquetFeatureReader reader = ParquetFeatureReader.Open(Fixture.Path("integers.parquet"));
        Assert.Throws<InvalidOperationException>(() => reader.ReadRow(new float[2]));
        reader.SelectByCount(2);
        Assert.Throws<InvalidOperationException>(() => reader.SelectByCount(2));
        Assert.Throws<ArgumentException>(() => reader.ReadRow(new float[3]));
    }
}
