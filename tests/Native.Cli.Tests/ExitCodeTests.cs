namespace Native.Cli.Tests;

public class ExitCodeTests
{
    [Theory]
    [InlineData("train")]                                      // --data is required
    [InlineData("train", "--data")]                            // an option without its value
    [InlineData("train", "--data", "x", "--model", "forest")] // not one of the choices
    [InlineData("train", "--data", "x", "--epochs", "many")]  // not a number
    [InlineData("frobnicate")]                                 // no such command
    public void BadArgumentsExitWithOneAndOneLine(params string[] args)
    {
        Cli.Result result = Cli.Run(args);
        Assert.Equal(1, result.ExitCode);
        Assert.Single(result.Error.Trim().Split('\n'));
        Assert.StartsWith("native: ", result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void AMissingDataFileExitsWithOne()
    {
        Cli.Result result = Cli.Run("train", "--data", Path.Combine(Cli.TemporaryDirectory(), "missing.csv"));
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("missing.csv", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void BadSettingsExitWithOne()
    {
        Cli.Result result = Cli.Run("train", "--data", Cli.MnistDirectory(), "--validation", "1.5");
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("--validation", result.Error, StringComparison.Ordinal);

        result = Cli.Run("train", "--data", Cli.MnistDirectory(), "--hidden", "128,x", "--model", "mlp");
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("'x'", result.Error, StringComparison.Ordinal);

        result = Cli.Run("train", "--data", Cli.MnistDirectory(), "--model", "logistic");
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("2 classes", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void AnUnexpectedFailureExitsWithThreeWithoutAStackTrace()
    {
        // A failure that is neither the user's mistake nor a divergence: one line, exit 3, no stack trace.
        using var error = new StringWriter();
        Assert.Equal(3, CommandLine.Report(new InvalidOperationException("the kernel table is empty"), error));
        Assert.Equal("native: unexpected error (InvalidOperationException): the kernel table is empty", error.ToString().TrimEnd());

        // An I/O failure (a full disk while saving, say): exit 3 with its own words, not "unexpected error".
        using var io = new StringWriter();
        Assert.Equal(3, CommandLine.Report(new IOException("Cannot save the model to 'm.safetensors': No space left on device"), io));
        Assert.Equal("native: Cannot save the model to 'm.safetensors': No space left on device", io.ToString().TrimEnd());
    }

    [Fact]
    public void CancellingExitsWithThree()
    {
        using var source = new CancellationTokenSource();
        source.Cancel();
        using var output = new StringWriter();
        using var error = new StringWriter();
        int code = CommandLine.Run(["train", "--data", Cli.MnistDirectory(), "--epochs", "1"], new CliContext(output, error, false, source.Token));
        Assert.Equal(3, code);
        Assert.Equal("native: cancelled.", error.ToString().TrimEnd());
    }

    [Fact]
    public void AsAProcessTheExitCodesAndStreamsAreTheSame()
    {
        Cli.Result bad = Cli.RunProcess("train", "--epochs", "3");
        Assert.Equal(1, bad.ExitCode);
        Assert.StartsWith("native: ", bad.Error, StringComparison.Ordinal);
        Assert.Empty(bad.Output);

        Cli.Result help = Cli.RunProcess("--help");
        Assert.Equal(0, help.ExitCode);
        foreach (string command in new[] { "train", "evaluate", "predict", "demo", "bench" })
        {
            Assert.Contains(command, help.Output, StringComparison.Ordinal);
        }
    }
}
