using System.Text.Json;

namespace Native.Cli.Tests;

public class TrainTests
{
    [Fact]
    public void JsonGivesOneObjectPerEpochThenASummary()
    {
        Cli.Result result = Cli.Run("train", "--data", Cli.MnistDirectory(), "--epochs", "3", "--json", "--seed", "2", "--validation", "0.2");
        Assert.True(result.ExitCode == 0, result.ToString());
        IReadOnlyList<JsonElement> lines = result.JsonLines();
        Assert.Equal(4, lines.Count);
        for (int e = 0; e < 3; e++)
        {
            JsonElement epoch = lines[e];
            Assert.Equal(e + 1, epoch.GetProperty("epoch").GetInt32());
            foreach (string key in new[] { "train_loss", "val_loss", "val_accuracy", "learning_rate", "elapsed_ms", "rows_per_second" })
            {
                Assert.Equal(JsonValueKind.Number, epoch.GetProperty(key).ValueKind);
            }

            Assert.Equal(0.1, epoch.GetProperty("learning_rate").GetDouble(), 1e-7);
        }

        JsonElement summary = lines[3];
        Assert.True(summary.GetProperty("summary").GetBoolean());
        Assert.InRange(summary.GetProperty("accuracy").GetDouble(), 0.85, 1);
        Assert.Equal(lines[2].GetProperty("val_accuracy").GetDouble(), summary.GetProperty("accuracy").GetDouble(), 1e-6);
        Assert.True(summary.GetProperty("log_loss").GetDouble() > 0);
        Assert.Contains("SoftmaxRegression 784-10", summary.GetProperty("kernel").GetString(), StringComparison.Ordinal);
        Assert.True(summary.GetProperty("total_ms").GetDouble() > 0);
        Assert.Equal(7850, summary.GetProperty("parameters").GetInt64());
        Assert.Equal(7850 * 4, summary.GetProperty("parameter_bytes").GetInt64());
        Assert.Equal("validation", summary.GetProperty("evaluated_on").GetString()); // which rows the metrics are on
        Assert.Equal(2000, summary.GetProperty("rows").GetInt32());
        Assert.False(summary.TryGetProperty("file_bytes", out _)); // nothing saved
    }

    [Fact]
    public void TextGivesALinePerEpochAndASummaryWithTheConfusionMatrix()
    {
        Cli.Result result = Cli.Run("train", "--data", Cli.MnistDirectory(), "--epochs", "2", "--model", "mlp", "--hidden", "32", "--optimizer", "adam", "--validation", "0.2");
        Assert.True(result.ExitCode == 0, result.ToString());
        string[] lines = result.Output.Split('\n');
        Assert.Matches(@"^epoch 1/2  loss \d\.\d{4}  val loss \d\.\d{4}  val acc \d+\.\d\d%  lr 0\.001  (\d\.\d\d|\d{2,}) ms  [\d,]+ rows/s", lines[0]);
        Assert.StartsWith("epoch 2/2", lines[1], StringComparison.Ordinal);
        Assert.Contains("MultilayerPerceptron 784-32-10 (Relu)", result.Output, StringComparison.Ordinal);
        Assert.Contains("Confusion matrix", result.Output, StringComparison.Ordinal);
        Assert.Contains("macro avg", result.Output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0.4123, "0.41")] // a small table's epoch: it read "0 ms"
    [InlineData(0.004, "0.00")]
    [InlineData(9.994, "9.99")]
    [InlineData(9.996, "10")]
    [InlineData(1234.4, "1234")]
    public void AnEpochsTimeKeepsTwoDecimalsBelowTenMilliseconds(double milliseconds, string expected) =>
        Assert.Equal(expected, Commands.EpochPrinter.Milliseconds(TimeSpan.FromMilliseconds(milliseconds)));

    [Fact]
    public void PlotsAreCurvesAndWeightPictures()
    {
        string plots = Cli.TemporaryDirectory();
        Cli.Result result = Cli.Run("train", "--data", Cli.MnistDirectory(), "--epochs", "2", "--plots", plots, "--quiet", "--validation", "0.2");
        Assert.True(result.ExitCode == 0, result.ToString());
        string loss = File.ReadAllText(Path.Combine(plots, "loss.svg"));
        Assert.StartsWith("<svg", loss, StringComparison.Ordinal);
        Assert.Equal(2, System.Text.RegularExpressions.Regex.Count(loss, "<polyline"));
        Assert.True(File.Exists(Path.Combine(plots, "accuracy.svg")));
        Assert.Equal(10, Directory.GetFiles(plots, "weights-class-*.png").Length);
        Assert.True(File.Exists(Path.Combine(plots, "weights.svg")));
    }

    [Fact]
    public void TheSameSeedGivesTheSameTraining()
    {
        // Two threads where there are two processors (the parallel path's order of sums must not depend on the run).
        string threads = Math.Min(2, Environment.ProcessorCount).ToString(System.Globalization.CultureInfo.InvariantCulture);
        string[] args = ["train", "--data", Cli.MnistDirectory(), "--epochs", "2", "--json", "--seed", "7", "--model", "mlp", "--hidden", "16", "--threads", threads];
        double Accuracy() => Cli.Run(args).JsonLines()[^1].GetProperty("accuracy").GetDouble();
        Assert.Equal(Accuracy(), Accuracy());
    }
}
