using System.Text.RegularExpressions;

namespace Native.Cli.Tests;

/// <summary>Issue 22 item 8: the defaults of <c>native train</c> work on a raw all-numeric table, and every option a message suggests exists.</summary>
public partial class DefaultsTests
{
    private static string BreastCancer => Path.Combine(Cli.RepositoryRoot(), "tests", "data", "breast-cancer", "breast-cancer.csv");

    /// <summary>
    /// Breast cancer's raw columns run from thousandths to 4,254 (mean_area): before standardizing by default, every
    /// model diverged at the default learning rate (exit 2). The reference, scikit-learn 1.2.1 on the same 569 rows,
    /// training accuracy with its defaults (<c>tests/data/breast-cancer/sklearn_defaults.py</c>): LogisticRegression
    /// 0.9490 raw, 0.9877 after StandardScaler; MLPClassifier(random_state=0) 0.9438 raw, 0.9930 after StandardScaler.
    /// </summary>
    [Theory]
    [InlineData("logistic")]
    [InlineData("softmax")]
    [InlineData("mlp")]
    public void ARawNumericTableTrainsWithTheDefaults(string model)
    {
        string directory = Cli.TemporaryDirectory();
        string file = Path.Combine(directory, "m.safetensors");
        Cli.Result trained = Cli.Run("train", "--data", BreastCancer, "--model", model, "--json", "--quiet", "--out", file);
        Assert.True(trained.ExitCode == 0, trained.ToString());
        double accuracy = trained.JsonLines()[^1].GetProperty("accuracy").GetDouble();
        Assert.InRange(accuracy, 0.95, 1);

        // The standardizer travels in the file: the saved model, given the raw rows, scores what training reported.
        Cli.Result evaluated = Cli.Run("evaluate", "--model", file, "--data", BreastCancer, "--json");
        Assert.True(evaluated.ExitCode == 0, evaluated.ToString());
        Assert.Equal(accuracy, evaluated.JsonLines()[0].GetProperty("accuracy").GetDouble(), 1e-9);
    }

    [Fact]
    public void NoStandardizeTrainsOnTheRawFeaturesAndStandardizeIsStillAccepted()
    {
        // Opting out gives back the raw features, which diverge at the default learning rate as every run did before.
        Cli.Result raw = Cli.Run("train", "--data", BreastCancer, "--no-standardize", "--quiet");
        Assert.True(raw.ExitCode == 2, raw.ToString());
        Assert.Contains("Training diverged", raw.Error, StringComparison.Ordinal);

        Cli.Result asked = Cli.Run("train", "--data", BreastCancer, "--standardize", "--json", "--quiet");
        Cli.Result byDefault = Cli.Run("train", "--data", BreastCancer, "--json", "--quiet");
        Assert.True(asked.ExitCode == 0, asked.ToString());
        foreach (string metric in new[] { "accuracy", "log_loss" })
        {
            Assert.Equal(byDefault.JsonLines()[^1].GetProperty(metric).GetDouble(), asked.JsonLines()[^1].GetProperty(metric).GetDouble());
        }
    }

    [Fact]
    public void StreamedRowsAreStandardizedByDefaultToo()
    {
        string cache = Cli.TemporaryDirectory();
        Cli.Result streamed = Cli.Run("train", "--data", BreastCancer, "--stream", "--cache", cache, "--json", "--quiet");
        Cli.Result inMemory = Cli.Run("train", "--data", BreastCancer, "--json", "--quiet");
        Assert.True(streamed.ExitCode == 0, streamed.ToString());
        Assert.InRange(streamed.JsonLines()[^1].GetProperty("accuracy").GetDouble(), 0.95, 1);
        Assert.Equal(inMemory.JsonLines()[^1].GetProperty("accuracy").GetDouble(), streamed.JsonLines()[^1].GetProperty("accuracy").GetDouble());
    }

    [Fact]
    public void EveryOptionTheDivergenceMessageSuggestsIsAnOptionOfTrain()
    {
        Cli.Result diverged = Cli.Run("train", "--data", BreastCancer, "--no-standardize", "--quiet");
        Assert.True(diverged.ExitCode == 2, diverged.ToString());
        string help = Cli.Run("train", "--help").Output;
        MatchCollection suggested = OptionName().Matches(diverged.Error);
        Assert.NotEmpty(suggested);
        foreach (Match option in suggested)
        {
            Assert.Matches($@"(?m)^\s+{Regex.Escape(option.Value)}\b", help);
        }
    }

    [GeneratedRegex(@"--[a-z][a-z0-9-]*")]
    private static partial Regex OptionName();
}
