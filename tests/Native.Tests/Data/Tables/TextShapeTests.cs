using System.Globalization;
using System.Text;
using Native.Numerics;
using static Native.Tests.Data.Tables.TableTestData;

namespace Native.Tests.Data.Tables;

/// <summary>
/// Columns a spreadsheet or a database exports as text that looks like numbers — percentages ("12%"), amounts with a
/// currency sign ("$1,200"), dates ("2024-01-17") — are named for what they are in the schema's note, and a column told
/// to be a number that holds one says so, rather than suggest the value means missing.
/// </summary>
public sealed class TextShapeTests
{
    [Theory]
    [InlineData("12%", false, "Percentage")]
    [InlineData(" -3.5 % ", false, "Percentage")]
    [InlineData("1,200.5%", false, "Percentage")]
    [InlineData("12,5%", true, "Percentage")]
    [InlineData("$1,200", false, "Amount")]
    [InlineData("-$1,050.97", false, "Amount")]
    [InlineData("$-3.50", false, "Amount")]
    [InlineData("US$ 12", false, "Amount")]
    [InlineData("12 €", false, "Amount")]
    [InlineData("1.200,50€", true, "Amount")]
    [InlineData("£0.99", false, "Amount")]
    [InlineData("2024-01-17", false, "Date")]
    [InlineData("2024-1-7", false, "Date")]
    [InlineData("17/01/2024", false, "Date")]
    [InlineData("1.7.2024", true, "Date")]
    [InlineData("2024-01-17T08:30:00Z", false, "Date")]
    [InlineData("2024-01-17 08:30", false, "Date")]
    [InlineData("12", false, "None")]
    [InlineData("%", false, "None")]
    [InlineData("$", false, "None")]
    [InlineData("abc%", false, "None")]
    [InlineData("$ abc", false, "None")]
    [InlineData("price in $", false, "None")]
    [InlineData("1-2-3", false, "None")]
    [InlineData("2024-01", false, "None")]
    [InlineData("12345-12-12", false, "None")]
    [InlineData("2024-01-17 morning", false, "None")]
    [InlineData("B", false, "None")]
    [InlineData("", false, "None")]
    public void TextsAreToldApart(string text, bool decimalComma, string expected) =>
        Assert.Equal(Enum.Parse<TextShape>(expected), TextShapes.Of(text, decimalComma));

    /// <summary>
    /// A churn table as exported: percentages, amounts with a dollar sign and thousands separators, a sign-up date. Each
    /// column's note says what its values are and how to make it a number column; a column of ordinary words gets none.
    /// </summary>
    [Fact]
    public void ColumnsOfPercentagesAmountsAndDatesSaySo()
    {
        var text = new StringBuilder("signup,growth,spend,plan,churned\r\n");
        for (int i = 0; i < 40; i++)
        {
            string amount = (i % 2 == 0 ? "$" : "-$") + (1000 + (i * 37.25)).ToString("N2", CultureInfo.InvariantCulture);
            text.Append(CultureInfo.InvariantCulture, $"2024-{1 + (i % 12):00}-{1 + (i % 3):00},{i % 7 * 1.5:0.0}%,\"{amount}\",{(i % 3 == 0 ? "basic" : "plus")},{i % 2}\r\n");
        }

        FeaturePipeline pipeline = Read(text.ToString()).Pipeline;
        PipelineColumn signup = pipeline.Columns[0], growth = pipeline.Columns[1], spend = pipeline.Columns[2], plan = pipeline.Columns[3];

        Assert.Equal(ColumnKind.Category, signup.Kind);
        Assert.Contains("every value is a date ('2024-01-01'): a date is not a number", signup.Note);
        Assert.Equal(ColumnKind.Category, growth.Kind);
        Assert.Contains("every value is a percentage ('0.0%'): the '%' sign is not read", growth.Note);
        Assert.Contains("write the numbers without it ('0.0')", growth.Note);
        Assert.Equal(ColumnKind.Ignored, spend.Kind); // all 40 distinct
        Assert.StartsWith("all 40 values distinct: ignored; every value is an amount with a currency sign ('$1,000.00')", spend.Note, StringComparison.Ordinal);
        Assert.DoesNotContain("identifier", spend.Note, StringComparison.Ordinal);
        Assert.Contains("('1,000.00') and --thousands ','", spend.Note);
        Assert.Null(plan.Note);

        // The schema printed shows the notes.
        Assert.Contains("every value is a percentage", pipeline.Describe());
    }

    /// <summary>A record for a model whose column held numbers in training, set from such text: the refusal says what the text is.</summary>
    [Theory]
    [InlineData("12%", "; the column held numbers in training; it is a percentage: the '%' sign is not read, write the number without it; a blank field means missing.")]
    [InlineData("$1,200", "; the column held numbers in training; it is an amount with a currency sign: the sign is not read, write the number without it; a blank field means missing.")]
    [InlineData("soon", "; the column held numbers in training; a blank field means missing.")]
    public void ARecordSaysWhatItsTextIs(string value, string expected)
    {
        TableRow row = Read(TableTestData.Loans).Pipeline.CreateRow();
        ArgumentException error = Assert.Throws<ArgumentException>(() => row.SetText("income", value));
        Assert.Contains($"column 'income': '{value}' is not a number (digits, '.' for decimals, an optional exponent){expected}", error.Message);
    }

    /// <summary>A column told to be a number, holding a percentage, an amount or a date: the error says what the value is, not that it may mean missing.</summary>
    [Theory]
    [InlineData("12%", "it is a percentage: the '%' sign is not read")]
    [InlineData("$1,200", "it is an amount with a currency sign")]
    [InlineData("2024-01-17", "it is a date, which is not a number")]
    [InlineData("n/a", "if it means missing, add it to the missing tokens (native: --missing 'n/a')")]
    public void ANumberColumnSaysWhatItsTextIs(string value, string expected)
    {
        string csv = $"x,y\n1,0\n\"{value}\",1\n3,0\n";
        FileFormatException error = Refused(csv, new TableOptions { ColumnKinds = new Dictionary<string, ColumnKind> { ["x"] = ColumnKind.Number } });
        Assert.Contains("line 3, column 1", error.Message);
        Assert.Contains(expected, error.Message);
        if (value != "n/a")
        {
            Assert.DoesNotContain("--missing", error.Message, StringComparison.Ordinal);
        }
    }
}
