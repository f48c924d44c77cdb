using Native.Numerics;

namespace Native.Tests.Data.Tables;

/// <summary>Several label columns: the targets of a multi-output regression, read beside the table's pipeline.</summary>
public class TableTargetsTests
{
    private const string Houses =
        "size,city,price,rent\n" +
        "50,Lyon,150.5,600\n" +
        "80,Paris,420,1500.25\n" +
        "65,,200,800\n" +
        "120,Lyon,330,1100\n";

    [Fact]
    public void SeveralLabelColumnsAreTheTargetsOfEachRowInTheOrderNamed()
    {
        TableData table = TableTestData.Read(Houses, new TableOptions { LabelColumns = ["rent", "price"], Labels = CsvLabels.Regression, Standardize = false });
        Dataset data = table.Data;

        Assert.Equal(2, data.TargetCount);
        Assert.Equal(["rent", "price"], data.LabelNames);
        Assert.Null(data.LabelName);
        Assert.Equal([600f, 150.5f, 1500.25f, 420f, 800f, 200f, 1100f, 330f], data.Targets.ToArray());
        Assert.DoesNotContain(table.Pipeline.Columns, column => column.Name is "price" or "rent");
        Assert.Equal(["rent", "price"], table.Metadata.LabelNames);

        // Inferred labels of several columns are values too; a model of two outputs trains on them.
        TableData inferred = TableTestData.Read(Houses, new TableOptions { LabelColumns = ["rent", "price"] });
        Assert.Equal(2, inferred.Data.TargetCount);
        var model = new LinearRegression(inferred.Data.Features, 2);
        Assert.True(float.IsFinite(model.Loss(Batch.FromDataset(inferred.StandardizedData))));
    }

    [Fact]
    public void LabelColumnsThatDoNotFitAreRefusedInWords()
    {
        FileFormatException missing = TableTestData.Refused(Houses, new TableOptions { LabelColumns = ["rent", "tax"], Labels = CsvLabels.Regression });
        Assert.Contains("no column is named 'tax', a label", missing.Message, StringComparison.Ordinal);

        FileFormatException text = TableTestData.Refused(Houses, new TableOptions { LabelColumns = ["rent", "city"], Labels = CsvLabels.Regression });
        Assert.Contains("column 'city'", text.Message, StringComparison.Ordinal);

        ArgumentException classes = Assert.Throws<ArgumentException>(() => TableTestData.Read(Houses, new TableOptions { LabelColumns = ["rent", "price"], Labels = CsvLabels.Classification }));
        Assert.Contains("several label columns are the targets of a multi-output regression", classes.Message, StringComparison.Ordinal);

        ArgumentException twice = Assert.Throws<ArgumentException>(() => TableTestData.Read(Houses, new TableOptions { LabelColumns = ["rent", "rent"], Labels = CsvLabels.Regression }));
        Assert.Contains("each once", twice.Message, StringComparison.Ordinal);

        TableData fitted = TableTestData.Read(Houses, new TableOptions { LabelColumns = ["rent", "price"], Labels = CsvLabels.Regression });
        Assert.Throws<ArgumentException>(() => TableTestData.Read(Houses, fitted.Pipeline, new TableOptions { LabelColumns = ["rent", "price"], Labels = CsvLabels.Regression }));
    }
}
