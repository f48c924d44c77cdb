namespace Native.Cli.Tests;

/// <summary>A --validation fraction that leaves a side of the split empty is refused in the command's words.</summary>
public sealed class ValidationSplitMessageTests : IDisposable
{
    private readonly string _directory = Cli.TemporaryDirectory();

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void AnEmptySideNamesValidationAndWhatToChange()
    {
        // It said "A test fraction of 0.5 of 2 rows, class by class, leaves the training set empty. (Parameter 'testFraction')".
        string data = Path.Combine(_directory, "two.csv");
        File.WriteAllText(data, "a,b,y\n1,2,0\n2,3,1\n");
        Cli.Result train = Cli.Run("train", "--data", data, "--label", "y", "--validation", "0.5", "--epochs", "2", "--quiet");
        Assert.True(train.ExitCode == 1, train.ToString());
        Assert.Equal("native: --validation 0.5 of 2 rows, class by class, leaves the training set empty; give a smaller --validation, or more rows.", train.Error.Trim());

        // The default fraction of --early-stopping says where it came from.
        Cli.Result stopping = Cli.Run("train", "--data", data, "--label", "y", "--early-stopping", "--epochs", "2", "--quiet");
        Assert.Contains("--validation 0.1 (--early-stopping's default) of 2 rows", stopping.Error, StringComparison.Ordinal);

        // Streamed rows say the same.
        Cli.Result streamed = Cli.Run("train", "--data", data, "--label", "y", "--stream", "--validation", "0.5", "--epochs", "2", "--quiet");
        Assert.True(streamed.ExitCode == 1, streamed.ToString());
        Assert.Equal("native: --validation 0.5 of 2 rows, class by class, leaves the training set empty; give a smaller --validation, or more rows.", streamed.Error.Trim());
    }
}
