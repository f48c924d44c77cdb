using System.Globalization;
using System.Text;
using FsCheck;
using FsCheck.Fluent;
using Native.Numerics;
using Native.Tests.Support;
using static Native.Tests.Data.Tables.TableTestData;

namespace Native.Tests.Data.Tables;

/// <summary>
/// Numbers with thousands separators ("1,037.5", as spreadsheets and pandas' <c>thousands=','</c> know them): read as
/// numbers when <see cref="TableOptions.ThousandsSeparator"/> says so, strictly, saved with the pipeline; named by the
/// schema's note when not said.
/// </summary>
public sealed class ThousandsSeparatorTests
{
    [Theory]
    [InlineData("1,037.5", ',', false, 1037.5f)]
    [InlineData("-12,000", ',', false, -12000f)]
    [InlineData("+1,234,567", ',', false, 1234567f)]
    [InlineData(" 999,999.25 ", ',', false, 999999.25f)]
    [InlineData("1,000e-3", ',', false, 1f)]
    [InlineData("1.037,5", '.', true, 1037.5f)]
    [InlineData("1 037,5", ' ', true, 1037.5f)]
    [InlineData("12'345", '\'', false, 12345f)]
    public void AGroupedNumberReads(string text, char separator, bool decimalComma, float expected)
    {
        Assert.Equal(GroupedNumber.Number, CsvNumber.TryParseGrouped(text, separator, decimalComma, out float value));
        Assert.Equal(expected, value);
    }

    [Theory]
    [InlineData("1,03")]
    [InlineData("10,00,000")]
    [InlineData("1,0375")]
    [InlineData("1234,567")]
    [InlineData(",500")]
    [InlineData("1,,000")]
    [InlineData("1,000,")]
    public void GroupsNotOfThreeDigitsAreMalformed(string text) =>
        Assert.Equal(GroupedNumber.Malformed, CsvNumber.TryParseGrouped(text, ',', decimalComma: false, out _));

    [Theory]
    [InlineData("1037.5")]
    [InlineData("Smith, John")]
    [InlineData("a,b")]
    [InlineData("1,000.5,3")]
    [InlineData("1,000x")]
    [InlineData("")]
    [InlineData(",")]
    public void TextThatIsNotAGroupedNumberIsLeftAlone(string text) =>
        Assert.Equal(GroupedNumber.NotGrouped, CsvNumber.TryParseGrouped(text, ',', decimalComma: false, out _));

    /// <summary>Any float written with .NET's invariant grouping ("N") reads as the same text without the separators does.</summary>
    [Fact]
    public void AnyNumberWrittenWithGroupsReadsAsWithout()
    {
        Gen<(double Value, int Places)> cases =
            from mantissa in Gen.Choose(-1_000_000_000, 1_000_000_000)
            from scale in Gen.Choose(-4, 6)
            from places in Gen.Choose(0, 5)
            select (mantissa * Math.Pow(10, scale), places);
        Properties.ForAll(cases, c =>
        {
            string grouped = c.Value.ToString("N" + c.Places.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
            string plain = grouped.Replace(",", "", StringComparison.Ordinal);
            Assert.True(float.TryParse(plain, NumberStyles.Float, CultureInfo.InvariantCulture, out float expected));
            GroupedNumber found = CsvNumber.TryParseGrouped(grouped, ',', decimalComma: false, out float actual);
            Assert.Equal(grouped.Contains(',', StringComparison.Ordinal) ? GroupedNumber.Number : GroupedNumber.NotGrouped, found);
            if (found == GroupedNumber.Number)
            {
                Assert.Equal(BitConverter.SingleToInt32Bits(expected), BitConverter.SingleToInt32Bits(actual));
            }

            // With a decimal comma and a point between the groups, the same number.
            string european = grouped.Replace(',', '_').Replace('.', ',').Replace('_', '.');
            if (found == GroupedNumber.Number)
            {
                Assert.Equal(GroupedNumber.Number, CsvNumber.TryParseGrouped(european, '.', decimalComma: true, out float comma));
                Assert.Equal(BitConverter.SingleToInt32Bits(expected), BitConverter.SingleToInt32Bits(comma));
            }
        });
    }

    [Fact]
    public void AQuotedColumnOfGroupedNumbersReadsAsNumbersWhenTold()
    {
        const string Text = "amount,region,y\n\"1,037.5\",N,0\n\"12,000\",S,1\n250,N,0\n,S,1\n\"-3,000,000.25\",N,0\n";
        TableData table = Read(Text, new TableOptions { ThousandsSeparator = ',', Standardize = false });
        PipelineColumn amount = table.Pipeline.Columns[0];
        Assert.Equal((ColumnKind.Number, 4L, 1L), (amount.Kind, amount.Count, amount.Missing));
        Assert.Equal(1037.5f, table.Data.Row(0)[0]);
        Assert.Equal(12000f, table.Data.Row(1)[0]);
        Assert.Equal(250f, table.Data.Row(2)[0]);
        Assert.Equal(-3000000.25f, table.Data.Row(4)[0]);
        Assert.Equal(',', table.Pipeline.ThousandsSeparator);
        Assert.Contains("thousands separated by ','", table.Pipeline.Describe());

        // Without the option the column is text.
        Assert.Equal(ColumnKind.Category, Read(Text).Pipeline.Columns[0].Kind);
    }

    [Fact]
    public void WithADecimalCommaAPointGroupsThousands()
    {
        TableData table = Read("amount;y\n1.037,5;0\n12.000;1\n3,25;0\n", new TableOptions { DecimalComma = true, ThousandsSeparator = '.', Standardize = false });
        Assert.Equal([1037.5f, 12000f, 3.25f], [table.Data.Row(0)[0], table.Data.Row(1)[0], table.Data.Row(2)[0]]);
    }

    /// <summary>A group not of three digits is an error naming the file, the line, the column and the text, wherever it stands in the column.</summary>
    [Theory]
    [InlineData("amount,y\n\"1,037.5\",0\n\"2,000\",1\n\"1,03\",0\n", 4, 1)]
    [InlineData("amount,y\nword,0\n\"1,03\",1\n", 3, 1)]
    public void AMalformedGroupIsAnErrorAtItsPlace(string text, int line, int column)
    {
        FileFormatException error = Refused(text, new TableOptions { ThousandsSeparator = ',' });
        Assert.Equal("table.csv", error.Path);
        Assert.Equal((line, column), (error.Line, error.Column));
        Assert.Contains("column 'amount': '1,03' is not a number with thousands separators", error.Message);
        Assert.Contains("grouped in threes by ','", error.Message);

        // A column told to be text keeps it as text.
        var told = new TableOptions { ThousandsSeparator = ',', ColumnKinds = new Dictionary<string, ColumnKind> { ["amount"] = ColumnKind.Category } };
        Assert.Equal(ColumnKind.Category, Read(text, told).Pipeline.Columns[0].Kind);
    }

    [Fact]
    public void ContradictoryOptionsAreRefused()
    {
        Assert.Throws<ArgumentException>(() => Read("a,y\n1,0\n", new TableOptions { ThousandsSeparator = '.' }));
        Assert.Throws<ArgumentException>(() => Read("a;y\n1;0\n", new TableOptions { ThousandsSeparator = ',', DecimalComma = true, Delimiter = ';' }));
        Assert.Throws<ArgumentException>(() => Read("a;y\n1;0\n", new TableOptions { ThousandsSeparator = ';', Delimiter = ';' }));
        Assert.Throws<ArgumentException>(() => Read("a,y\n1,0\n", new TableOptions { ThousandsSeparator = 'x' }));
    }

    /// <summary>
    /// Read without the option, a money column exported with separators is text: all distinct (ignored as an identifier)
    /// or a few values (a category); either way its note says why and names the option. A text column of words, or a
    /// column whose groups are wrong, gets no such note.
    /// </summary>
    [Fact]
    public void GroupedNumbersWithoutTheOptionNameIt()
    {
        var many = new StringBuilder("amount,few,word,odd,y\n");
        for (int i = 0; i < 30; i++)
        {
            string value = (1000 + (i * 1037.5)).ToString("N1", CultureInfo.InvariantCulture);
            many.Append(CultureInfo.InvariantCulture, $"\"{value}\",\"{(i % 2 == 0 ? "1,500" : "250")}\",{(i % 2 == 0 ? "\"a,b\"" : "c")},\"{(i % 2 == 0 ? "1,50" : "2")}\",{i % 2}\n");
        }

        FeaturePipeline pipeline = Read(many.ToString()).Pipeline;
        PipelineColumn amount = pipeline.Columns[0], few = pipeline.Columns[1], word = pipeline.Columns[2], odd = pipeline.Columns[3];
        Assert.Equal(ColumnKind.Ignored, amount.Kind);
        Assert.Contains("all 30 values distinct", amount.Note);
        Assert.Contains("thousands separators ('1,000.0'): --thousands ','", amount.Note);
        Assert.Equal(ColumnKind.Category, few.Kind);
        Assert.Contains("--thousands ','", few.Note);
        Assert.Null(word.Note);
        Assert.DoesNotContain("--thousands", odd.Note, StringComparison.Ordinal); // "1,50" is no number with separators

        // Told, both are numbers (the odd column's "1,50" is then an error).
        var told = new TableOptions { ThousandsSeparator = ',', ColumnKinds = new Dictionary<string, ColumnKind> { ["odd"] = ColumnKind.Ignored } };
        FeaturePipeline read = Read(many.ToString(), told).Pipeline;
        Assert.Equal((ColumnKind.Number, null), (read.Columns[0].Kind, read.Columns[0].Note));
        Assert.Equal(ColumnKind.Number, read.Columns[1].Kind);
        Assert.Contains("'1,50' is not a number with thousands separators", Refused(many.ToString(), new TableOptions { ThousandsSeparator = ',' }).Message);
    }

    [Fact]
    public void GroupedLabelsAreNumbers()
    {
        // Targets with separators infer a regression; whole ones with separators are integer classes.
        TableData values = Read("x,price\n1,\"1,037.5\"\n2,\"2,000.25\"\n3,\"12,000\"\n", new TableOptions { ThousandsSeparator = ',', Standardize = false });
        Assert.Equal([1037.5f, 2000.25f, 12000f], values.Data.Targets.ToArray());
        TableData classes = Read("x,size\n1,\"1,000\"\n2,500\n3,\"1,000\"\n", new TableOptions { ThousandsSeparator = ',' });
        Assert.Equal(["500", "1000"], classes.Data.ClassNames);
        Assert.Equal([1, 0, 1], classes.Data.Labels.ToArray());
    }

    /// <summary>The separator travels in the model file: read back, the pipeline reads the same records the same way.</summary>
    [Fact]
    public void TheSeparatorIsSavedWithThePipelineAndUsedToPredict()
    {
        const string Text = "amount,region,y\n\"1,037.5\",N,0\n\"12,000\",S,1\n250,N,0\n\"7,500\",S,1\n";
        TableData table = Read(Text, new TableOptions { ThousandsSeparator = ',' });
        var model = new LogisticRegression(table.Pipeline.Features);
        var stream = new MemoryStream();
        ModelFile.Save(model, stream, ModelFormat.Safetensors, table.Metadata);
        TrainedModel loaded = ModelFile.Load(new MemoryStream(stream.ToArray()), ModelFormat.Safetensors);
        Assert.Equal(',', loaded.Pipeline!.ThousandsSeparator);
        Assert.True(loaded.Pipeline.TryParseNumber("1,037.5", out float parsed));
        Assert.Equal(1037.5f, parsed);
        Assert.False(loaded.Pipeline.TryParseNumber("1,03", out _));

        TableRow row = loaded.CreateRow();
        row.SetText("amount", "12,000");
        row.SetText("region", "N");
        float[] features = new float[loaded.Pipeline.Features], expected = new float[features.Length];
        loaded.Pipeline.Transform(row, features);
        row.SetNumber("amount", 12000f);
        loaded.Pipeline.Transform(row, expected);
        Assert.Equal(expected, features);
        ArgumentException refused = Assert.Throws<ArgumentException>(() => row.SetText("amount", "12,00"));
        Assert.Contains("',' between groups of three", refused.Message);

        // Held-out data read through the loaded pipeline reads the grouped numbers too.
        TableData heldOut = Read(Text, loaded.Pipeline);
        Assert.Equal(table.Data.Row(1).ToArray(), heldOut.Data.Row(1).ToArray());

        // A pipeline without a separator writes no field for it: files are as before.
        var plain = new MemoryStream();
        TableData without = Read("amount,y\n1,0\n2,1\n");
        ModelFile.Save(new LogisticRegression(without.Pipeline.Features), plain, ModelFormat.Safetensors, without.Metadata);
        Assert.DoesNotContain("thousands_separator", Encoding.UTF8.GetString(plain.ToArray()), StringComparison.Ordinal);
        Assert.Null(ModelFile.Load(new MemoryStream(plain.ToArray()), ModelFormat.Safetensors).Pipeline!.ThousandsSeparator);
    }

    /// <summary>Through ONNX (a metadata entry) and back to safetensors, the separator stays; a bad entry is refused.</summary>
    [Fact]
    public void TheSeparatorCrossesOnnx()
    {
        TableData table = Read("amount;region;y\n1.037,5;N;0\n12.000;S;1\n250;N;0\n", new TableOptions { ThousandsSeparator = '.', DecimalComma = true });
        var model = new LogisticRegression(table.Pipeline.Features);
        var onnx = new MemoryStream();
        ModelFile.Save(model, onnx, ModelFormat.Onnx, table.Metadata);
        TrainedModel loaded = ModelFile.Load(new MemoryStream(onnx.ToArray()), ModelFormat.Onnx);
        Onnx.OnnxPipelineTests.AssertSamePipeline(table.Pipeline, loaded.Pipeline!);
        Assert.Equal('.', loaded.Pipeline!.ThousandsSeparator);

        // The entry's value, one byte in the protobuf, changed to the decimal mark: refused by name.
        byte[] bytes = onnx.ToArray();
        int key = IndexOf(bytes, "native.thousands_separator"u8);
        // The key's string, then the value's field: tag 0x12, length 1, the character.
        int value = key + "native.thousands_separator".Length + 2;
        Assert.Equal([0x12, 1, (byte)'.'], bytes[(value - 2)..(value + 1)]);
        bytes[value] = (byte)',';
        FileFormatException refused = Assert.Throws<FileFormatException>(() => ModelFile.Load(new MemoryStream(bytes), ModelFormat.Onnx));
        Assert.Contains("native.thousands_separator", refused.Message);
    }

    private static int IndexOf(ReadOnlySpan<byte> bytes, ReadOnlySpan<byte> what) => bytes.IndexOf(what);

    /// <summary>The numbers-only reader (<see cref="Csv"/>, in memory and a block at a time) takes the option too: features and targets; strict the same way.</summary>
    [Fact]
    public void CsvReadsGroupedNumbersWhenTold()
    {
        const string Text = "amount,count,price\n\"1,037.5\",3,\"12,000.25\"\n250,\"1,200\",\"7,500\"\n";
        var options = new CsvOptions { ThousandsSeparator = ',', Labels = CsvLabels.Regression };
        Dataset data = Csv.Read(new MemoryStream(Encoding.UTF8.GetBytes(Text)), options, "money.csv");
        Assert.Equal([1037.5f, 3f], data.Row(0).ToArray());
        Assert.Equal([250f, 1200f], data.Row(1).ToArray());
        Assert.Equal([12000.25f, 7500f], data.Targets.ToArray());

        string path = Path.Combine(Path.GetTempPath(), $"thousands-{Guid.NewGuid():N}.csv");
        File.WriteAllText(path, Text);
        try
        {
            using RowReader rows = Csv.OpenRows(path, options);
            float[] buffer = new float[4], targets = new float[2];
            Assert.Equal(2, rows.Read(buffer, 2, 2, new int[2], targets));
            Assert.Equal([1037.5f, 3f, 250f, 1200f], buffer);
            Assert.Equal([12000.25f, 7500f], targets);
            Assert.Contains("thousands U+002C", rows.Description, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }

        // Without the option, the same field is not a number; with it, a wrong group is an error at its place.
        Assert.Contains("'1,037.5', which is not a number", Assert.Throws<FileFormatException>(() => Csv.Read(new MemoryStream(Encoding.UTF8.GetBytes(Text)), new CsvOptions { Labels = CsvLabels.Regression })).Message);
        FileFormatException malformed = Assert.Throws<FileFormatException>(() => Csv.Read(new MemoryStream(Encoding.UTF8.GetBytes("a,y\n\"1,03\",1\n2,0\n")), options, "bad.csv"));
        Assert.Equal((2, 1), (malformed.Line, malformed.Column));
        Assert.Contains("column 'a': the feature is '1,03', not a number with thousands separators", malformed.Message);
        Assert.Throws<ArgumentException>(() => Csv.Read(new MemoryStream(Encoding.UTF8.GetBytes(Text)), new CsvOptions { ThousandsSeparator = '.' }));
    }
}
