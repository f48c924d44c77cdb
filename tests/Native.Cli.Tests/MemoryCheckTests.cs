using System.Diagnostics;

namespace Native.Cli.Tests;

/// <summary>A model too large for this process's memory is refused before it is built, in one line.</summary>
public class MemoryCheckTests
{
    [Fact]
    public void AModelThatCannotFitIsRefusedBeforeItIsBuilt()
    {
        // 46,000-46,000 hidden units: 2.1 billion parameters, 8.5 GB a copy, and Adam keeps five copies — more than any
        // machine the tests run on gives a process. Once 7.8 GB were allocated before an OutOfMemoryException ended it.
        string directory = Cli.TemporaryDirectory();
        string data = Path.Combine(directory, "small.csv");
        File.WriteAllLines(data, ["x,y,label", .. Enumerable.Range(0, 300).Select(i => $"{i % 7},{i % 5},{i % 2}")]);
        long before = GC.GetTotalAllocatedBytes(precise: true);
        var clock = Stopwatch.StartNew();

        Cli.Result result = Cli.Run("train", "--data", data, "--model", "mlp", "--hidden", "46000,46000", "--optimizer", "adam", "--epochs", "1");

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.StartsWith("native: Training needs about ", result.Error, StringComparison.Ordinal);
        Assert.Contains("a model of 2,116,", result.Error, StringComparison.Ordinal);
        Assert.Contains("but this process may use ", result.Error, StringComparison.Ordinal);
        Assert.EndsWith("; use a smaller model (--hidden), fewer --threads, or --optimizer sgd (momentum keeps one copy of the parameters, adam two).", result.Error.TrimEnd(), StringComparison.Ordinal);
        Assert.Single(result.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.True(GC.GetTotalAllocatedBytes(precise: true) - before < 100_000_000, "the model was built before the check");
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20), $"took {clock.Elapsed}");
    }
}
