namespace Native.Numerics.Parquet.Tests;

/// <summary>
/// Data that is valid Parquet but not a dataset: each refused with one line naming the file, and where it can, the row
/// group, the column and the row, as the CSV reader names the line and column.
/// </summary>
public sealed class ErrorTests
{
    [Theory]
    [InlineData("null-feature.parquet", "row group 1, column 'b', row 2100: the feature is null")]
    [InlineData("null-label.parquet", "row group 0, column 'label', row 5: the label is null")]
    [InlineData("nonfinite-nan.parquet", "row group 0, column 'b', row 7: the feature is NaN; values must be finite numbers.")]
    [InlineData("nonfinite-infinity.parquet", "row group 0, column 'b', row 7: the feature is Infinity; values must be finite numbers.")]
    [InlineData("nonfinite-huge.parquet", "row group 0, column 'b', row 7: the feature is beyond the range of a float")]
    [InlineData("one-class.parquet", "the label column 'label' holds only one class ('4') in 10 rows")]
    public void BadValuesAreNamedWithTheirRowGroupColumnAndRow(string file, string expected)
    {
        FileFormatException e = Assert.Throws<FileFormatException>(() => ParquetFile.Read(Fixture.Path(file)));
        Assert.StartsWith($"'{Fixture.Path(file)}': ", e.Message, StringComparison.Ordinal);
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
        Assert.Equal(Fixture.Path(file), e.Path);
        Assert.DoesNotContain('\n', e.Message);
    }

    /// <summary>
    /// A column named in <see cref="ParquetOptions.TargetColumns"/> is read beside the features, but its null or non-finite
    /// value is the target's, in the reader's own message (the CLI rewrote "the feature is" after the fact); by
    /// OpenRows as by Read. A target not among the columns read is refused.
    /// </summary>
    [Theory]
    [InlineData("null-feature.parquet", "row group 1, column 'b', row 2100: the target is null (missing); a regression needs each of its targets in every row.")]
    [InlineData("nonfinite-nan.parquet", "row group 0, column 'b', row 7: the target is NaN; values must be finite numbers.")]
    public void ATargetReadBesideTheFeaturesIsCalledATarget(string file, string expected)
    {
        var options = new ParquetOptions { LabelColumn = "label", Labels = ParquetLabels.Regression, FeatureColumns = ["a", "b"], TargetColumns = ["b"] };
        FileFormatException read = Assert.Throws<FileFormatException>(() => ParquetFile.Read(Fixture.Path(file), options));
        Assert.EndsWith(expected, read.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("feature is", read.Message, StringComparison.Ordinal);

        using RowReader rows = ParquetFile.OpenRows(Fixture.Path(file), options);
        float[] buffer = new float[4096 * 2], targets = new float[4096];
        int[] ids = new int[4096];
        FileFormatException streamed = Assert.Throws<FileFormatException>(() =>
        {
            while (rows.Read(buffer, 2, 4096, ids, targets) > 0)
            {
            }
        });
        Assert.EndsWith(expected, streamed.Message, StringComparison.Ordinal);

        // Without TargetColumns the same value is the feature's; a target not read is refused.
        Assert.Contains("the feature is", Assert.Throws<FileFormatException>(() => ParquetFile.Read(Fixture.Path(file), new ParquetOptions { LabelColumn = "label", FeatureColumns = ["a", "b"] })).Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => ParquetFile.Read(Fixture.Path(file), new ParquetOptions { LabelColumn = "label", FeatureColumns = ["a"], TargetColumns = ["b"] }));
        Assert.Throws<ArgumentException>(() => ParquetFile.Read(Fixture.Path(file), new ParquetOptions { LabelColumn = "label", TargetColumns = ["label"] }));
    }

    [Fact]
    public void ATextFeatureIsRefusedNamingTheColumnAndItsFirstValue()
    {
        var options = new ParquetOptions { LabelColumn = "species", FeatureColumns = ["i8", "colour"] };
        FileFormatException e = Assert.Throws<FileFormatException>(() => ParquetFile.Read(Fixture.Path("mixed.parquet"), options));
        Assert.EndsWith("mixed.parquet': row group 0, column 'colour': the feature is text ('red'), not a number; the numeric reader takes numbers only: leave the column out of the features, or read the file as a table, which reads text as categories (ParquetTable.Read; native train does so).", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("day", "column 'day' is INT32 (Date), not numbers")]
    [InlineData("at", "column 'at' is INT64 (Timestamp(Micros)), not numbers")]
    [InlineData("raw", "column 'raw' is BYTE_ARRAY, not numbers")]
    [InlineData("pair.list.element", "column 'pair.list.element' is INT64 (Int(64, signed)), repeated (a list), not numbers")]
    [InlineData("point.p", "column 'point.p' is INT64 (Int(64, signed)), inside a group, not numbers")]
    public void ColumnsThatAreNotNumbersAreNeverFeatures(string column, string expected)
    {
        FileFormatException e = Assert.Throws<FileFormatException>(() => ParquetFile.Read(Fixture.Path("other-types.parquet"), new ParquetOptions { FeatureColumns = ["a", column] }));
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TheSchemaSaysWhatEachColumnIs()
    {
        IReadOnlyList<ParquetColumn> columns = ParquetFile.ReadColumns(Fixture.Path("other-types.parquet"));
        Assert.Equal(
            ["a: Number", "day: Other", "at: Other", "raw: Other", "pair.list.element: Other", "point.p: Other", "point.q: Other", "b: Number", "label: Number"],
            columns.Select(c => $"{c.Name}: {c.Kind}"));
        Assert.Equal(ParquetColumnKind.Text, ParquetFile.ReadColumns(Fixture.Path("mixed.parquet")).Single(c => c.Name == "species").Kind);
        Assert.All(columns, c => Assert.True(c.IsNullable));

        // By default, only the number columns but the label are features.
        Dataset data = ParquetFile.Read(Fixture.Path("other-types.parquet"));
        Assert.Equal(["a", "b"], data.FeatureNames);
    }

    [Theory]
    [InlineData(ParquetLabels.Regression, "species", "the label column 'species' holds text (BYTE_ARRAY (String)); regression targets must be numbers.")]
    [InlineData(ParquetLabels.Classification, "d", "the label column 'd' holds DOUBLE numbers; classes are integers, booleans or text.")]
    [InlineData(ParquetLabels.Infer, "nope", "no column is named 'nope' (the label); the columns are 'i8, u8, i16")]
    public void ALabelThatCannotBeWhatItIsAskedToBeIsRefused(ParquetLabels labels, string column, string expected)
    {
        FileFormatException e = Assert.Throws<FileFormatException>(() => ParquetFile.Read(Fixture.Path("mixed.parquet"), new ParquetOptions { LabelColumn = column, Labels = labels }));
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void BooleanAndIntegerLabelsCanBeTargetsAndBooleansAreClassesFalseAndTrue()
    {
        Dataset classes = ParquetFile.Read(Fixture.Path("mixed.parquet"), new ParquetOptions { LabelColumn = "b", FeatureColumns = ["i8", "d"] });
        Assert.Equal(["false", "true"], classes.ClassNames);
        Dataset targets = ParquetFile.Read(Fixture.Path("mixed.parquet"), new ParquetOptions { LabelColumn = "i16", FeatureColumns = ["d"], Labels = ParquetLabels.Regression });
        Assert.Equal(-32767f, targets.Targets[0]);
        for (int i = 0; i < classes.Count; i++)
        {
            Assert.Equal(i % 3 == 0 ? 1 : 0, classes.Labels[i]);
        }
    }

    [Fact]
    public void OptionsThatContradictThemselvesAreArgumentErrors()
    {
        string path = Fixture.Path("mixed.parquet");
        Assert.Throws<ArgumentException>(() => ParquetFile.Read(path, new ParquetOptions { FeatureColumns = ["i8", "i8"] }));
        Assert.Throws<ArgumentException>(() => ParquetFile.Read(path, new ParquetOptions { LabelColumn = "i8", FeatureColumns = ["i8"] }));
        Assert.Throws<ArgumentException>(() => ParquetFile.Read(path, new ParquetOptions { FeatureColumns = [] }));
        Assert.Throws<ArgumentOutOfRangeException>(() => ParquetFile.Read(path, new ParquetOptions { MaxExpansion = 0 }));
    }

    [Fact]
    public void MissingFilesAndPatternsThatMatchNothingAreFileNotFound()
    {
        Assert.Throws<FileNotFoundException>(() => ParquetFile.Read(Fixture.Path("absent.parquet")));
        Assert.Throws<FileNotFoundException>(() => ParquetFile.Read(Fixture.Path("nothing-*.parquet")));
        Assert.Throws<ArgumentException>(() => ParquetFile.Files(Path.Combine(Fixture.Path("p*"), "*.parquet")));
        string empty = Directory.CreateTempSubdirectory("parquet-empty").FullName;
        try
        {
            Assert.Throws<FileNotFoundException>(() => ParquetFile.Read(empty));
        }
        finally
        {
            Directory.Delete(empty);
        }
    }

    [Fact]
    public void PartFilesThatDisagreeAreRefusedNamingTheFileThatDiffers()
    {
        string directory = Directory.CreateTempSubdirectory("parquet-parts").FullName;
        try
        {
            File.Copy(Fixture.Path(Path.Combine("parts", "part-0.parquet")), Path.Combine(directory, "a.parquet"));
            File.Copy(Fixture.Path("integers.parquet"), Path.Combine(directory, "b.parquet"));
            FileFormatException e = Assert.Throws<FileFormatException>(() => ParquetFile.Read(directory));
            Assert.StartsWith($"'{Path.Combine(directory, "b.parquet")}': no column is named 'a' (the feature)", e.Message, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
