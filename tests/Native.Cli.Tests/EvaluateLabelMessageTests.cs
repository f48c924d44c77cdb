namespace Native.Cli.Tests;

/// <summary><c>native evaluate</c> on data without the model's label column, and <c>native train</c> with a label no column has: one line, in plain words.</summary>
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

    [Fact]
    public void ALabelNotFoundShowsTheLastColumnsOfAWideHeader()
    {
        // 31 columns, the label last: the message listed the first ten and hid it.
        string data = Path.Combine(_directory, "wide.csv");
        File.WriteAllText(data, string.Join(',', Enumerable.Range(0, 30).Select(i => $"f{i}").Append("label")) + "\n" + string.Join(',', Enumerable.Repeat("1", 31)) + "\n");
        Cli.Result train = Cli.Run("train", "--data", data, "--label", "target", "--epochs", "1");
        Assert.Equal(1, train.ExitCode);
        Assert.Contains("no column is named 'target', the label; the header names 'f0', 'f1', 'f2', 'f3', 'f4', 'f5', 'f6', 'f7', …, 'f29', 'label' (31 in all).", train.Error, StringComparison.Ordinal);
        Assert.Single(train.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }
}
