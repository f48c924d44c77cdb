using System.Text;
using Native.Numerics;

namespace Native.Tests.Data;

/// <summary>
/// The label column a <see cref="CsvFeatureReader"/> skips, read as text with each row — what lets <c>native evaluate</c>
/// stream its rows (issue 20: it held every row, 800 MB for 5 million) — and where it stands, for messages.
/// </summary>
public sealed class CsvFeatureReaderLabelTests
{
    private static CsvFeatureReader Reader(string text) => new(new MemoryStream(Encoding.UTF8.GetBytes(text)), "t.csv");

    [Fact]
    public void SelectByNameSkipsTheLabelAndReadsIt()
    {
        using CsvFeatureReader reader = Reader("y,species,x\n1,setosa,2\n3,\"vir\nginica\",4\n");
        reader.SelectByName(["x", "y"], "species");
        Assert.Equal(1, reader.LabelColumn);
        float[] row = new float[2];

        Assert.True(reader.ReadRow(row));
        Assert.Equal([2f, 1f], row);
        Assert.Equal("setosa", reader.Label.ToString());
        Assert.Equal((2, 3), (reader.LineOfLabel(), reader.ColumnOfLabel()));

        Assert.True(reader.ReadRow(row));
        Assert.Equal("vir\nginica", reader.Label.ToString());
        Assert.Equal((3, 3), (reader.LineOfLabel(), reader.ColumnOfLabel()));
        Assert.False(reader.ReadRow(row));
    }

    [Fact]
    public void SelectByCountSkipsTheLastColumnOrTheNamedOne()
    {
        using CsvFeatureReader last = Reader("a,b,c\n1,2,x\n");
        last.SelectByCount(2);
        Assert.Equal(2, last.LabelColumn);
        float[] row = new float[2];
        Assert.True(last.ReadRow(row));
        Assert.Equal("x", last.Label.ToString());

        using CsvFeatureReader named = Reader("a,b,c\n1,y,3\n");
        named.SelectByCount(2, "b");
        Assert.Equal(1, named.LabelColumn);
        Assert.True(named.ReadRow(row));
        Assert.Equal([1f, 3f], row);
        Assert.Equal("y", named.Label.ToString());
    }

    [Fact]
    public void WithoutALabelColumnTheLabelIsEmpty()
    {
        using CsvFeatureReader reader = Reader("a,b\n1,2\n");
        reader.SelectByName(["a", "b"], "label");
        Assert.Equal(-1, reader.LabelColumn);
        Assert.True(reader.ReadRow(new float[2]));
        Assert.True(reader.Label.IsEmpty);
        Assert.Equal(0, reader.ColumnOfLabel());
    }
}
