namespace Native.Cli.Tests;

/// <summary><c>native evaluate</c> on data without the model's label column: one line, in plain words.</summary>
public sealed class EvaluateLabelMessageTests : IDisposable
{
    private readonly string _directory = Cli.TemporaryDirectory();

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void DataWithoutTheLabelColumnIsNamedInPlainWords()
    {
        // It said "the header has no the label column 'y' besides …".
        string data = Path.Combine(_directory, "train.csv"), rows = Path.Combine(_directory, "rows.csv"), model = Path.Combine(_directory, "m.safetensors");
        File.WriteAllText(data, "a,b,y\n1,2,0\n2,3,1\n1,2,0\n3,4,1\n");
        File.WriteAllText(rows, "a,b\n1,2\n");
        Cli.Result train = Cli.Run("train", "--data", data, "--label", "y", "--epochs", "2", "--out", model, "--quiet");
        Assert.True(train.ExitCode == 0, train.ToString());

        Cli.Result evaluate = Cli.Run("evaluate", "--model", model, "--data", rows);
        Assert.NotEqual(0, evaluate.ExitCode);
        Assert.Contains($"'{rows}', line 1, column 1: the header has no label column 'y' besides the model's 2 features; evaluate needs each row's label.", evaluate.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("no the", evaluate.Error, StringComparison.Ordinal);
    }
}
