using System.Text;
using Native.Numerics;
using Native.Tests.Support;

namespace Native.Tests.Data;

public sealed class CsvTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("native-csv-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void IntegerLabelsInTheLastColumnAreClassesInNumericOrder()
    {
        Dataset data = Read("a,b,label\n1,2,10\n3.5,-4e-2,-1\n5,6,10\n0,0,2\n");

        Assert.Equal((4, 2, 3), (data.Count, data.Features, data.Classes));
        Assert.Equal(["-1", "2", "10"], data.ClassNames); // numeric order, not ordinal ("10" < "2")
        Assert.Equal([2, 0, 2, 1], data.Labels.ToArray());
        Assert.Equal([3.5f, -0.04f], data.Row(1).ToArray());
    }

    [Fact]
    public void TextLabelsAreClassesInOrdinalOrderWithTheirNames()
    {
        Dataset data = Read("x,species,y\n1,setosa,2\n3,versicolor,4\n5,Virginica,6\n7,setosa,8\n", new CsvOptions { LabelColumn = "species" });

        Assert.Equal(["Virginica", "setosa", "versicolor"], data.ClassNames); // ordinal: uppercase first
        Assert.Equal([1, 2, 0, 1], data.Labels.ToArray());
        Assert.Equal([5f, 6f], data.Row(2).ToArray()); // every other column is a feature, in order
    }

    [Fact]
    public void TheLabelColumnMayBeChosenByIndex()
    {
        Dataset data = Read("y,a,b\n0,1,2\n1,3,4\n", new CsvOptions { LabelIndex = 0 });
        Assert.Equal([0, 1], data.Labels.ToArray());
        Assert.Equal([3f, 4f], data.Row(1).ToArray());
    }

    [Fact]
    public void NumbersThatAreNotAllIntegersAreRegressionTargets()
    {
        Dataset data = Read("a,price\n1,2.5\n2,3\n3,-1e3\n");

        Assert.False(data.HasLabels);
        Assert.Equal([2.5f, 3f, -1000f], data.Targets.ToArray());
    }

    [Fact]
    public void TheKindOfLabelsMayBeStated()
    {
        Dataset regression = Read("a,y\n1,2\n2,3\n", new CsvOptions { Labels = CsvLabels.Regression });
        Assert.Equal([2f, 3f], regression.Targets.ToArray());

        Dataset classes = Read("a,y\n1,0.5\n2,1.5\n3,0.5\n", new CsvOptions { Labels = CsvLabels.Classification });
        Assert.Equal(["0.5", "1.5"], classes.ClassNames);
        Assert.Equal([0, 1, 0], classes.Labels.ToArray());
    }

    [Fact]
    public void IntegerLabelsWrittenDifferentlyAreOneClass()
    {
        Dataset data = Read("a,y\n1,01\n2,1\n3,+1\n4, 0 \n");
        Assert.Equal(["0", "1"], data.ClassNames);
        Assert.Equal([1, 1, 1, 0], data.Labels.ToArray());
    }

    [Fact]
    public void QuotedFieldsFollowRfc4180()
    {
        string text = "\"first, feature\",\"second \"\"quoted\"\"\",\"label\"\r\n\"1.5\",2,\"cat, black\"\r\n3,\"4\",\"dog\r\nbig\"\r\n5,6,\"say \"\"hi\"\"\"\r\n";
        Dataset data = Read(text);

        Assert.Equal(["cat, black", "dog\nbig", "say \"hi\""], data.ClassNames);
        Assert.Equal([0, 1, 2], data.Labels.ToArray());
        Assert.Equal([3f, 4f], data.Row(1).ToArray());
    }

    [Fact]
    public void LineEndingsBomBlankLinesAndSpacesAreTolerated()
    {
        byte[] bom = [0xEF, 0xBB, 0xBF];
        foreach (string text in new[] { "a,b,y\n1,2,0\n3,4,1", "a,b,y\r\n1,2,0\r\n3,4,1\r\n", "a,b,y\r1,2,0\r3,4,1\r", "\n\na,b,y\n\n1, 2 ,0\n\n3,4,1\n\n\n" })
        {
            foreach (byte[] bytes in new[] { Encoding.UTF8.GetBytes(text), [.. bom, .. Encoding.UTF8.GetBytes(text)], Encoding.Unicode.GetPreamble().Concat(Encoding.Unicode.GetBytes(text)).ToArray() })
            {
                Dataset data = Csv.Read(new MemoryStream(bytes));
                Assert.Equal(2, data.Count);
                Assert.Equal([1f, 2f], data.Row(0).ToArray());
                Assert.Equal([0, 1], data.Labels.ToArray());
            }
        }
    }

    [Fact]
    public void OtherSeparatorsWork()
    {
        Dataset semicolons = Read("a;b;y\n1.5;\"2\";x\n3;4;\"z;w\"\n", new CsvOptions { Separator = ';' });
        Assert.Equal(["x", "z;w"], semicolons.ClassNames);
        Assert.Equal([1.5f, 2f], semicolons.Row(0).ToArray());
        Dataset tabs = Read("a\tb\ty\n1.5\t2\tx\n3\t4\tz\n", new CsvOptions { Separator = '\t' });
        Assert.Equal([1.5f, 2f], tabs.Row(0).ToArray());
    }

    [Fact]
    public void AFileNamesItsPathAndReadsLikeAStream()
    {
        string path = Path.Combine(_directory, "data.csv");
        File.WriteAllText(path, "a,y\n1,0\n2,1\n");
        Assert.Equal(2, Csv.Read(path).Count);

        File.WriteAllText(path, "a,y\n1,0\n2\n");
        FileFormatException error = Assert.Throws<FileFormatException>(() => Csv.Read(path));
        Assert.Equal(path, error.Path);
        Assert.StartsWith($"'{path}', line 3, column 1: ", error.Message, StringComparison.Ordinal);
        Assert.Throws<FileNotFoundException>(() => Csv.Read(Path.Combine(_directory, "absent.csv")));
    }

    [Fact]
    public void ClassNamesGoIntoTheModelFile()
    {
        Dataset data = Read("a,b,y\n1,2,cat\n3,4,dog\n5,6,bird\n");
        var model = new SoftmaxRegression(data.Features, data.Classes);
        using var stream = new MemoryStream();
        ModelFile.Save(model, stream, ModelFormat.Safetensors, new ModelMetadata { ClassNames = data.ClassNames, Standardizer = Standardizer.Fit(data) });
        stream.Position = 0;

        TrainedModel loaded = ModelFile.Load(stream, ModelFormat.Safetensors);

        Assert.Equal(["bird", "cat", "dog"], loaded.ClassNames);
        Assert.Equal(2, loaded.Standardizer!.Features);
    }

    [Fact]
    public void BadOptionsAreArgumentErrors()
    {
        var stream = new MemoryStream("a,y\n1,0\n2,1\n"u8.ToArray());
        Assert.Throws<ArgumentException>(() => Csv.Read(stream, new CsvOptions { LabelColumn = "y", LabelIndex = 1 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => Csv.Read(stream, new CsvOptions { LabelIndex = -1 }));
        Assert.Throws<ArgumentException>(() => Csv.Read(stream, new CsvOptions { Separator = '"' }));
        Assert.Throws<ArgumentException>(() => Csv.Read(stream, new CsvOptions { Separator = '\n' }));
        Assert.Throws<ArgumentOutOfRangeException>(() => Csv.Read(stream, new CsvOptions { Labels = (CsvLabels)7 }));
    }

    [Fact]
    public void ALongFileIsStreamedWithMemoryProportionalToItsData()
    {
        var text = new StringBuilder("f0,f1,f2,f3,label\n");
        for (int i = 0; i < 20_000; i++)
        {
            text.Append(i).Append(",0.5,-1.25,3e2,").Append(i % 3 == 0 ? "yes" : "no").Append('\n');
        }

        byte[] bytes = Encoding.UTF8.GetBytes(text.ToString());
        Csv.Read(new MemoryStream(bytes)); // warm up
        long before = GC.GetAllocatedBytesForCurrentThread();
        Dataset data = Csv.Read(new MemoryStream(bytes));
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(20_000, data.Count);
        Assert.Equal(["no", "yes"], data.ClassNames);
        Assert.Equal(19_999f, data.Row(19_999)[0]);

        // The features as floats (4 × 4 bytes a row), a label per row, the dataset's aligned copy (64 bytes a
        // row): a few times the data, never a string per field.
        Assert.True(allocated < 8L * bytes.Length, $"allocated {allocated:N0} bytes for {bytes.Length:N0} bytes of text");
    }

    /// <summary>Every error, with the line and column it must name and words its message must hold.</summary>
    public static TheoryData<string> BadFileNames => [.. BadFiles.Keys];

    private static readonly Dictionary<string, (string Text, CsvOptions? Options, int Line, int Column, string[] Says)> BadFiles = new()
    {
        ["empty"] = ("", null, 1, 1, ["the file is empty", "expected a header row"]),
        ["blank lines only"] = ("\n\r\n\n", null, 1, 1, ["the file is empty"]),
        ["header only"] = ("a,b,label\n", null, 1, 1, ["a header but no data rows"]),
        ["no header"] = ("1,2,3\n4,5,6\n", null, 1, 1, ["the first row holds only numbers ('1,2,3')", "expected a header row"]),
        ["one column"] = ("label\n1\n2\n", null, 1, 1, ["the header has 1 column ('label')", "at least 2"]),
        ["too few fields"] = ("a,b,label\n1,2,0\n3,4\n", null, 3, 3, ["expected 3 fields, as in the header; found 2"]),
        ["too many fields"] = ("a,b,label\n1,2,0\n3,4,1,9\n", null, 3, 7, ["expected 3 fields, as in the header; found more than 3"]),
        ["blank feature"] = ("a,b,label\n1,,0\n", null, 2, 3, ["column 'b': the feature is empty; expected a number"]),
        ["text feature"] = ("a,b,label\n1,2,0\nx,2,1\n", null, 3, 1, ["column 'a': the feature is 'x', which is not a number"]),
        ["comma decimal"] = ("a;b;label\n1,5;2;0\n", new CsvOptions { Separator = ';' }, 2, 1, ["the feature is '1,5', which is not a number", "'.' for decimals"]),
        ["long garbage feature"] = ("a,label\n" + new string('z', 100) + ",1\n", null, 2, 1, ["the feature is 'zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz…'"]),
        ["control characters"] = ("a,label\n\u0001\u0002,1\n", null, 2, 1, ["the feature is '\\u0001\\u0002'"]),
        ["NaN feature"] = ("a,b,label\n1,NaN,0\n", null, 2, 3, ["column 'b': the feature is 'NaN'; values must be finite"]),
        ["infinite feature"] = ("a,b,label\n1,-Infinity,0\n", null, 2, 3, ["the feature is '-Infinity'; values must be finite"]),
        ["overflowing feature"] = ("a,b,label\n1e40,2,0\n", null, 2, 1, ["the feature is '1e40', beyond the range of a float"]),
        ["missing label"] = ("a,b,label\n1,2,0\n3,4,\n", null, 3, 5, ["column 'label': the label is missing (empty)"]),
        ["blank label"] = ("a,b,label\n1,2,0\n3,4,   \n", null, 3, 5, ["the label is missing"]),
        ["one class"] = ("a,b,label\n1,2,cat\n3,4,cat\n", null, 1, 5, ["the label column 'label' holds only one class ('cat') in 2 rows", "at least 2 classes"]),
        ["one integer class"] = ("a,y\n1,7\n2,07\n", null, 1, 3, ["holds only one class ('7')"]),
        ["regression label not a number"] = ("a,y\n1,2\n2,x\n", new CsvOptions { Labels = CsvLabels.Regression }, 3, 3, ["column 'y': the label is 'x', which is not a number"]),
        ["regression label NaN"] = ("a,y\n1,2\n2,nan\n", new CsvOptions { Labels = CsvLabels.Regression }, 3, 3, ["the label is 'nan'; values must be finite"]),
        ["inferred regression label overflows"] = ("a,y\n1,2.5\n2,3.5\n3,1e39\n", null, 4, 3, ["the label is '1e39', beyond the range of a float"]),
        ["inferred regression label infinite"] = ("a,y\n1,2.5\n2,Infinity\n", null, 3, 3, ["the label is 'Infinity'; values must be finite"]),
        ["label column not found"] = ("a,b,y\n1,2,3\n", new CsvOptions { LabelColumn = "target" }, 1, 1, ["no column is named 'target', the label", "the header names 'a', 'b', 'y'"]),
        ["label column twice"] = ("y,b,y\n1,2,3\n", new CsvOptions { LabelColumn = "y" }, 1, 5, ["two columns are named 'y'"]),
        ["label index beyond"] = ("a,b,y\n1,2,3\n", new CsvOptions { LabelIndex = 3 }, 1, 1, ["the label column index is 3, but the header has 3 columns (0 to 2)"]),
        ["unterminated quote"] = ("a,b,y\n1,\"2,3\n4,5,6\n", null, 2, 3, ["a quoted field is never closed"]),
        ["text after a closing quote"] = ("a,b,y\n1,\"2\"x,3\n", null, 2, 6, ["unexpected 'x' after the closing quote", "write a quote inside a quoted field as \"\""]),
        ["quoted newline counts lines"] = ("a,b,y\n1,\"multi\nline\",0\n", null, 2, 3, ["the feature is 'multi\\u000Aline', which is not a number"]),
    };

    [Theory]
    [MemberData(nameof(BadFileNames))]
    public void EachErrorNamesItsLineColumnAndWhatWasFound(string name)
    {
        (string text, CsvOptions? options, int line, int column, string[] says) = BadFiles[name];

        FileFormatException error = Assert.Throws<FileFormatException>(() => Csv.Read(new MemoryStream(Encoding.UTF8.GetBytes(text)), options, "bad.csv"));

        Assert.Equal("bad.csv", error.Path);
        Assert.Equal((line, column), (error.Line, error.Column));
        Assert.StartsWith($"'bad.csv', line {line}, column {column}: ", error.Message, StringComparison.Ordinal);
        foreach (string words in says)
        {
            Assert.Contains(words, error.Message, StringComparison.Ordinal);
        }

        Assert.Throws<FileFormatException>(() => Csv.Read(new ForwardOnlyStream(Encoding.UTF8.GetBytes(text)), options));
    }

    [Fact]
    public void BinaryGarbageIsAFormatErrorNeverACrash()
    {
        var random = new Random(5);
        for (int i = 0; i < 200; i++)
        {
            byte[] garbage = new byte[random.Next(0, 2000)];
            random.NextBytes(garbage);
            try
            {
                Csv.Read(new MemoryStream(garbage));
            }
            catch (FileFormatException)
            {
                // The one exception a bad file may cause.
            }
        }
    }

    private static Dataset Read(string text, CsvOptions? options = null) =>
        Csv.Read(new MemoryStream(Encoding.UTF8.GetBytes(text)), options, "test.csv");
}
