using System.Text;
using Native.Numerics;

namespace Native.Tests.Data.Tables;

/// <summary>Tables as text, read from memory.</summary>
internal static class TableTestData
{
    /// <summary>A small loans table: an identifier, numbers with blanks, categories with blanks and a rare value, a label.</summary>
    public const string Loans =
        "loan_id,income,grade,purpose,term,default\r\n" +
        "1,52000,A,car,36,0\r\n" +
        "2,,B,house,60,1\r\n" +
        "3,61000,A,car,36,0\r\n" +
        "4,38000,C,,36,1\r\n" +
        "5,45000,B,car,,0\r\n" +
        "6,70000,A,boat,36,0\r\n";

    public static TableData Read(string text, TableOptions? options = null) =>
        Table.Read(new MemoryStream(Encoding.UTF8.GetBytes(text)), options, "table.csv");

    public static TableData Read(string text, FeaturePipeline pipeline, TableOptions? options = null) =>
        Table.Read(new MemoryStream(Encoding.UTF8.GetBytes(text)), pipeline, options, "table.csv");

    public static FileFormatException Refused(string text, TableOptions? options = null) =>
        Assert.Throws<FileFormatException>(() => Read(text, options));
}
