using System.Text;
using Native.Numerics;

namespace Native.Tests.Data;

public class CsvFeaturesTests
{
    private static float[] Read(string text, int features, string? label = null) =>
        Csv.ReadFeatures(new MemoryStream(Encoding.UTF8.GetBytes(text)), features, label, "input.csv");

    private static FileFormatException Fails(string text, int features, string? label = null) =>
        Assert.Throws<FileFormatException>(() => Read(text, features, label));

    [Fact]
    public void EveryColumnIsAFeatureWhenTheCountsMatch() =>
        Assert.Equal([1f, 2f, 3f, 4.5f, -5f, 6e-3f], Read("a,b,c\n1,2,3\n4.5,-5,6e-3\n", 3));

    [Fact]
    public void OneColumnTooManyIsALabelAndIsSkippedWhateverItHolds()
    {
        Assert.Equal([1f, 2f, 3f, 4f], Read("a,b,species\n1,2,setosa\n3,4,virginica\n", 2));
        Assert.Equal([2f, 3f, 5f, 6f], Read("label,a,b\ncat,2,3\ndog,5,6\n", 2, label: "label"));
    }

    [Fact]
    public void ErrorsSayWhereAndWhat()
    {
        Assert.Contains("expected 2 (the model's features), or 3", Fails("a,b,c,d\n1,2,3,4\n", 2).Message, StringComparison.Ordinal);
        Assert.Contains("none is named 'y'", Fails("a,b,c\n1,2,3\n", 2, label: "y").Message, StringComparison.Ordinal);
        FileFormatException ragged = Fails("a,b\n1,2\n3\n", 2);
        Assert.Equal(3, ragged.Line);
        Assert.Contains("expected 2 fields", ragged.Message, StringComparison.Ordinal);
        FileFormatException text = Fails("a,b\n1,two\n", 2);
        Assert.Equal((2, 3), (text.Line!.Value, text.Column!.Value));
        Assert.Contains("'two'", text.Message, StringComparison.Ordinal);
        Assert.Contains("finite", Fails("a,b\n1,NaN\n", 2).Message, StringComparison.Ordinal);
        Assert.Contains("empty", Fails("a,b\n1,\n", 2).Message, StringComparison.Ordinal);
        Assert.Contains("no data rows", Fails("a,b\n", 2).Message, StringComparison.Ordinal);
        Assert.Contains("empty", Fails("", 2).Message, StringComparison.Ordinal);
        Assert.Contains("input.csv", Fails("a,b\n1,x\n", 2).Message, StringComparison.Ordinal);
        Assert.Contains("expected a header row", Fails("1,2\n3,4\n", 2).Message, StringComparison.Ordinal);
    }
}
