using System.Globalization;
using System.Text;
using Native.Numerics;

namespace Native.Cli.Tests;

/// <summary>
/// <c>--thousands</c>: a CSV table whose numbers are written "1,037.5" (quoted) trains with them as numbers, the model
/// keeps the separator so <c>evaluate</c> and <c>predict</c> read the same file without it, and without the flag the schema
/// names it; bad values are refused in one line.
/// </summary>
public sealed class ThousandsSeparatorCliTests : IDisposable
{
    private readonly string _directory = Cli.TemporaryDirectory();

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private string Data()
    {
        var text = new StringBuilder("region,amount,label\n");
        for (int i = 0; i < 60; i++)
        {
            double amount = 100 + (i * 1637.25);
            text.Append(CultureInfo.InvariantCulture, $"{"NSEW"[i % 4]},\"{amount.ToString("N2", CultureInfo.InvariantCulture)}\",{(amount > 50_000 ? 1 : 0)}\n");
        }

        string path = Path.Combine(_directory, "money.csv");
        File.WriteAllText(path, text.ToString());
        return path;
    }

    [Fact]
    public void TheFlagReadsGroupedNumbersAndTheModelKeepsIt()
    {
        string data = Data(), model = Path.Combine(_directory, "m.safetensors");
        Cli.Result train = Cli.Run("train", "--data", data, "--label", "label", "--model", "logistic", "--epochs", "30", "--thousands", ",", "--out", model);
        Assert.True(train.ExitCode == 0, train.ToString());
        Assert.Contains("amount  number", train.Output, StringComparison.Ordinal);
        Assert.Contains("thousands separated by ','", train.Output, StringComparison.Ordinal);
        Assert.Equal(',', ModelFile.Load(model).Pipeline!.ThousandsSeparator);

        // The same file, evaluated and predicted without the flag: the model's pipeline reads it.
        Cli.Result evaluate = Cli.Run("evaluate", "--model", model, "--data", data);
        Assert.True(evaluate.ExitCode == 0, evaluate.ToString());
        Cli.Result predict = Cli.Run("predict", "--model", model, "--input", data);
        Assert.True(predict.ExitCode == 0, predict.ToString());
        Assert.Equal(61, predict.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
    }

    [Fact]
    public void WithoutTheFlagTheSchemaNamesIt()
    {
        Cli.Result train = Cli.Run("train", "--data", Data(), "--label", "label", "--model", "logistic", "--epochs", "1");
        Assert.True(train.ExitCode == 0, train.ToString());
        Assert.Contains("all 60 values distinct", train.Output, StringComparison.Ordinal);
        Assert.Contains("some with thousands separators ('1,737.25')", train.Output, StringComparison.Ordinal);
        Assert.Contains("--thousands ','", train.Output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new[] { "--thousands", "x" }, "--thousands takes one character: , . ' _ or space; got 'x'.")]
    [InlineData(new[] { "--thousands", "." }, "--thousands '.': the point is the decimal mark")]
    [InlineData(new[] { "--thousands", ",", "--decimal-comma", "--delimiter", ";" }, "--thousands ',' with --decimal-comma: the comma is the decimal mark")]
    public void BadValuesAreRefusedInOneLine(string[] options, string expected)
    {
        Cli.Result train = Cli.Run(["train", "--data", Data(), "--label", "label", "--epochs", "1", .. options]);
        Assert.Equal(1, train.ExitCode);
        Assert.Contains(expected, train.Error, StringComparison.Ordinal);
        Assert.Single(train.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public void AGroupNotOfThreeDigitsIsAnErrorAtItsLineAndColumn()
    {
        string data = Path.Combine(_directory, "bad.csv");
        File.WriteAllText(data, "region,amount,label\nN,\"1,037.5\",0\nS,\"2,000\",1\nE,\"1,03\",0\n");
        Cli.Result train = Cli.Run("train", "--data", data, "--label", "label", "--thousands", ",", "--epochs", "1");
        Assert.Equal(1, train.ExitCode);
        Assert.Contains($"'{data}', line 4, column 3: column 'amount': '1,03' is not a number with thousands separators", train.Error, StringComparison.Ordinal);
    }
}
