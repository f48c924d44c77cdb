using System.Globalization;
using System.Text;
using System.Text.Json;
using Native.Numerics;

namespace Native.Cli.Tests;

/// <summary>
/// <c>native train</c> holds rows out for validation only when asked, or when early stopping needs them (then a
/// tenth, as scikit-learn's <c>validation_fraction</c>); otherwise it trains on every row and reports training metrics.
/// </summary>
public class ValidationDefaultTests
{
    // 300 rows, 100 of each of three classes, so a stratified fraction f holds out exactly 300·f rows.
    private static string ThreeClassesCsv()
    {
        var random = new Random(4);
        var text = new StringBuilder("a,b,label\n");
        for (int i = 0; i < 300; i++)
        {
            int k = i % 3;
            text.Append(CultureInfo.InvariantCulture, $"{k + random.NextDouble():F4},{(2 * k) - random.NextDouble():F4},c{k}\n");
        }

        string path = Path.Combine(Cli.TemporaryDirectory(), "three.csv");
        File.WriteAllText(path, text.ToString());
        return path;
    }

    [Fact]
    public void ByDefaultEveryRowTrainsAndTheMetricsAreTrainingMetrics()
    {
        string data = ThreeClassesCsv();
        string model = Path.Combine(Path.GetDirectoryName(data)!, "m.safetensors");

        Cli.Result text = Cli.Run("train", "--data", data, "--epochs", "2", "--quiet", "--out", model);
        Assert.True(text.ExitCode == 0, text.ToString());
        Assert.Contains("On 300 training rows: accuracy", text.Output, StringComparison.Ordinal);
        TrainedModel file = ModelFile.Load(model);
        Assert.Equal("0", file.Properties["training.validation_fraction"]);
        Assert.Equal("training", file.Properties["metrics.rows"]);

        IReadOnlyList<JsonElement> json = Cli.Run("train", "--data", data, "--epochs", "2", "--json").JsonLines();
        Assert.Equal(3, json.Count);
        Assert.All(json.Take(2), epoch =>
        {
            Assert.Equal(JsonValueKind.Number, epoch.GetProperty("train_loss").ValueKind);
            Assert.Equal(JsonValueKind.Null, epoch.GetProperty("val_loss").ValueKind);
            Assert.Equal(JsonValueKind.Null, epoch.GetProperty("val_accuracy").ValueKind);
        });
    }

    [Fact]
    public void EarlyStoppingHoldsOutATenthUnlessToldOtherwise()
    {
        string data = ThreeClassesCsv();

        Cli.Result tenth = Cli.Run("train", "--data", data, "--epochs", "2", "--quiet", "--early-stopping");
        Assert.True(tenth.ExitCode == 0, tenth.ToString());
        Assert.Contains("On 30 validation rows: accuracy", tenth.Output, StringComparison.Ordinal);

        Cli.Result asked = Cli.Run("train", "--data", data, "--epochs", "2", "--quiet", "--early-stopping", "--validation", "0.3");
        Assert.True(asked.ExitCode == 0, asked.ToString());
        Assert.Contains("On 90 validation rows: accuracy", asked.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void AFractionAskedForIsHeldOutWithoutEarlyStopping()
    {
        Cli.Result result = Cli.Run("train", "--data", ThreeClassesCsv(), "--epochs", "2", "--quiet", "--validation", "0.2");
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("On 60 validation rows: accuracy", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void EarlyStoppingWithNothingHeldOutIsAnError()
    {
        Cli.Result result = Cli.Run("train", "--data", ThreeClassesCsv(), "--early-stopping", "--validation", "0");
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("--early-stopping needs a validation set", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void ThePlotsOfATrainingWithoutValidationShowOnlyTheTrainingLoss()
    {
        string plots = Cli.TemporaryDirectory();
        Cli.Result result = Cli.Run("train", "--data", ThreeClassesCsv(), "--epochs", "2", "--quiet", "--plots", plots);
        Assert.True(result.ExitCode == 0, result.ToString());
        string loss = File.ReadAllText(Path.Combine(plots, "loss.svg"));
        Assert.Equal(1, System.Text.RegularExpressions.Regex.Count(loss, "<polyline"));
        Assert.DoesNotContain("validation", loss, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(plots, "accuracy.svg")));
    }
}
