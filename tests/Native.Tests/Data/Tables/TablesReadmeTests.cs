using Native.Numerics;
using Native.Tests.Support;

namespace Native.Tests.Data.Tables;

/// <summary>The README's Tables example runs, and the README shows exactly the code that runs here.</summary>
public sealed class TablesReadmeTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("native-tables-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void TrainOnATableAndPredictFromRawRecords()
    {
        string loansCsv = Path.Combine(Mnist.RepositoryRoot(), "tests", "data", "loans", "loans-train.csv");
        string modelPath = Path.Combine(_directory, "loans.safetensors");

        // example:start
        // A table as exported: an identifier, numbers with blanks, text columns, the label `default`.
        TableData table = Table.Read(loansCsv, new TableOptions { LabelColumns = ["default"] });
        string schema = table.Pipeline.Describe(); // the schema: kinds inferred, blanks, categories kept

        var model = new LogisticRegression(table.Pipeline.Features);
        new Trainer(model, new Adam(0.01f), new TrainerOptions { Epochs = 30, BatchSize = 64 }).Fit(table.StandardizedData);
        var loans = new TrainedModel(model, table.Metadata); // the pipeline travels with the model

        TableRow row = loans.CreateRow(); // reuse it row after row: no allocation per prediction
        row.SetText("income", "");        // a blank: imputed with the training mean
        row.SetText("grade", "B");
        row.SetText("purpose", "crypto"); // never seen in training: all zeros
        row.SetNumber("loan_amount", 12_000);
        string answer = loans.PredictClassName(row); // "0" or "1"

        ModelFile.Save(model, modelPath, table.Metadata);   // the file keeps the pipeline (native.pipeline)
        TrainedModel loaded = ModelFile.Load(modelPath);    // predicts the same bits from the same records
        // example:end

        TableRow again = loaded.CreateRow();
        again.SetText("income", "");
        again.SetText("grade", "B");
        again.SetText("purpose", "crypto");
        again.SetNumber("loan_amount", 12_000);
        Assert.Equal(answer, loaded.PredictClassName(again));
        Assert.Contains("loan_id", schema);
    }

    [Fact]
    public void TheReadmeShowsTheCodeThisTestRuns()
    {
        string? shown = ReadmeBlocks.Shown(ReadmeBlocks.Read("README.md"), nameof(TablesReadmeTests));
        Assert.True(shown is not null, "README.md has no example block after its TablesReadmeTests comment.");
        Assert.Equal(ReadmeBlocks.Run(ReadmeBlocks.Read("tests/Native.Tests/Data/Tables/TablesReadmeTests.cs")), shown);
    }
}
