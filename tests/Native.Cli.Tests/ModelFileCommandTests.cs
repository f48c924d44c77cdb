using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Native.Cli.Tests;

/// <summary>train --out, evaluate and predict on CSV data, and bad model files.</summary>
public class ModelFileCommandTests
{
    private static readonly string[] Species = ["setosa", "versicolor", "virginica"];

    // Three clusters in 3-D with string labels; seeded.
    private static string FlowersCsv(string directory, int rows = 300, int seed = 3)
    {
        var random = new Random(seed);
        var text = new StringBuilder("a,b,c,species\n");
        float[][] centres = [[0, 2, 1], [2, -1, 0], [-2, -1, -1]];
        for (int i = 0; i < rows; i++)
        {
            int k = i % 3;
            text.Append(string.Join(',', centres[k].Select(v => (v + (random.NextDouble() - 0.5)).ToString("F4", CultureInfo.InvariantCulture))));
            text.Append(',').Append(Species[k]).Append('\n');
        }

        string path = Path.Combine(directory, "flowers.csv");
        File.WriteAllText(path, text.ToString());
        return path;
    }

    [Fact]
    public void TrainSavesAModelThatEvaluateAndPredictUse()
    {
        string directory = Cli.TemporaryDirectory();
        string data = FlowersCsv(directory);
        string model = Path.Combine(directory, "flowers.safetensors");

        Cli.Result train = Cli.Run("train", "--data", data, "--standardize", "--epochs", "20", "--out", model, "--json");
        Assert.True(train.ExitCode == 0, train.ToString());
        JsonElement summary = train.JsonLines()[^1];
        Assert.Equal(new FileInfo(model).Length, summary.GetProperty("file_bytes").GetInt64());
        Assert.Equal(model, summary.GetProperty("model_file").GetString());

        Cli.Result evaluate = Cli.Run("evaluate", "--model", model, "--data", data, "--json");
        Assert.True(evaluate.ExitCode == 0, evaluate.ToString());
        JsonElement metrics = Assert.Single(evaluate.JsonLines());
        Assert.InRange(metrics.GetProperty("accuracy").GetDouble(), 0.95, 1);
        Assert.True(metrics.GetProperty("log_loss").GetDouble() > 0);
        Assert.Equal(300, metrics.GetProperty("confusion_matrix").EnumerateArray().Sum(row => row.EnumerateArray().Sum(c => c.GetInt32())));

        // Rows near each centre, with and without the label column, predicted by name.
        string input = Path.Combine(directory, "input.csv");
        File.WriteAllText(input, "a,b,c\n0,2,1\n2,-1,0\n-2,-1,-1\n");
        Cli.Result predict = Cli.Run("predict", "--model", model, "--input", input, "--json");
        Assert.True(predict.ExitCode == 0, predict.ToString());
        IReadOnlyList<JsonElement> rows = predict.JsonLines();
        Assert.Equal(Species, rows.Select(r => r.GetProperty("class").GetString()));
        Assert.All(rows, r => Assert.Equal(1.0, r.GetProperty("probabilities").EnumerateObject().Sum(p => p.Value.GetDouble()), 1e-5));
        Assert.All(rows, r => Assert.Equal(Species, r.GetProperty("probabilities").EnumerateObject().Select(p => p.Name))); // each probability under its class's name

        // Text: a header naming the columns (the class, then each class's probability, in the order of the sorted names), then a line per row.
        Cli.Result text = Cli.Run("predict", "--model", model, "--input", data);
        string[] lines = text.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(301, lines.Length);
        Assert.Equal("class " + string.Join(' ', Species), lines[0]);
        Assert.StartsWith("setosa ", lines[1], StringComparison.Ordinal);
    }

    [Fact]
    public void PredictReadsStandardInput()
    {
        string directory = Cli.TemporaryDirectory();
        string model = Path.Combine(directory, "m.safetensors");
        Assert.Equal(0, Cli.Run("train", "--data", FlowersCsv(directory), "--out", model, "--quiet").ExitCode);

        using var output = new StringWriter();
        using var error = new StringWriter();
        var context = new CliContext(output, error, false, CancellationToken.None)
        {
            OpenInput = () => new MemoryStream(Encoding.UTF8.GetBytes("a,b,c\n-2,-1,-1\n")),
        };
        Assert.Equal(0, CommandLine.Run(["predict", "--model", model, "--input", "-"], context));
        Assert.StartsWith("class setosa versicolor virginica\nvirginica ", output.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void PredictRefusingTheInputsHeaderWritesNothingToStandardOutput()
    {
        // A column the model reads is missing: one line on standard error, and no header over nothing on standard output.
        string directory = Cli.TemporaryDirectory();
        string model = Path.Combine(directory, "m.safetensors");
        Assert.Equal(0, Cli.Run("train", "--data", FlowersCsv(directory), "--out", model, "--quiet").ExitCode);
        string input = Path.Combine(directory, "renamed.csv");
        File.WriteAllText(input, "a,bee,c\n0,2,1\n");
        Cli.Result result = Cli.Run("predict", "--model", model, "--input", input);
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("'b'", result.Error, StringComparison.Ordinal);
        Assert.Equal("", result.Output);

        // The loans table's model, through its pipeline: the same for a renamed column.
        string loans = Path.Combine(directory, "loans.safetensors");
        string train = Path.Combine(Cli.RepositoryRoot(), "tests", "data", "loans", "loans-train.csv");
        Assert.Equal(0, Cli.Run("train", "--data", train, "--label", "default", "--model", "logistic", "--epochs", "1", "--out", loans, "--quiet").ExitCode);
        string records = Path.Combine(directory, "records.csv");
        File.WriteAllLines(records, File.ReadLines(train).Take(3).Select((line, i) => i == 0 ? line.Replace("income", "incme", StringComparison.Ordinal) : line));
        Cli.Result table = Cli.Run("predict", "--model", loans, "--input", records);
        Assert.Equal(1, table.ExitCode);
        Assert.Contains("no column is named 'income'", table.Error, StringComparison.Ordinal);
        Assert.Equal("", table.Output);
    }

    [Fact]
    public void EvaluateMatchesClassesByNameWhateverTheFilesOrder()
    {
        // The evaluation file holds only two of the three classes, so its own numbering differs from the model's.
        string directory = Cli.TemporaryDirectory();
        string model = Path.Combine(directory, "m.safetensors");
        Assert.Equal(0, Cli.Run("train", "--data", FlowersCsv(directory), "--out", model, "--quiet", "--epochs", "20").ExitCode);
        string twoClasses = Path.Combine(directory, "two.csv");
        File.WriteAllLines(twoClasses, File.ReadAllLines(Path.Combine(directory, "flowers.csv")).Where(line => !line.EndsWith("setosa", StringComparison.Ordinal)));
        Cli.Result result = Cli.Run("evaluate", "--model", model, "--data", twoClasses, "--json");
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.InRange(result.JsonLines()[0].GetProperty("accuracy").GetDouble(), 0.95, 1);

        string unknown = Path.Combine(directory, "unknown.csv");
        File.WriteAllText(unknown, "a,b,c,species\n0,0,0,rose\n");
        Cli.Result bad = Cli.Run("evaluate", "--model", model, "--data", unknown);
        Assert.Equal(1, bad.ExitCode);
        Assert.Contains("'rose'", bad.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void RegressionReportsMseMaeAndRSquared()
    {
        string directory = Cli.TemporaryDirectory();
        var text = new StringBuilder("size,rooms,price\n");
        var random = new Random(5);
        for (int i = 0; i < 200; i++)
        {
            double size = 50 + (150 * random.NextDouble());
            int rooms = random.Next(1, 7);
            text.Append(CultureInfo.InvariantCulture, $"{size:F2},{rooms},{(3 * size) + (10 * rooms) + 50 + random.NextDouble():F2}\n");
        }

        string data = Path.Combine(directory, "houses.csv");
        File.WriteAllText(data, text.ToString());
        string model = Path.Combine(directory, "houses.safetensors");
        Cli.Result train = Cli.Run("train", "--data", data, "--model", "linear", "--standardize", "--epochs", "100", "--out", model, "--json");
        Assert.True(train.ExitCode == 0, train.ToString());
        Assert.True(train.JsonLines()[^1].GetProperty("r2").GetDouble() > 0.99);

        JsonElement metrics = Cli.Run("evaluate", "--model", model, "--data", data, "--json").JsonLines()[0];
        foreach (string key in new[] { "mse", "mae", "r2" })
        {
            Assert.Equal(JsonValueKind.Number, metrics.GetProperty(key).ValueKind);
        }

        File.WriteAllText(Path.Combine(directory, "in.csv"), "size,rooms\n100,3\n");
        JsonElement value = Cli.Run("predict", "--model", model, "--input", Path.Combine(directory, "in.csv"), "--json").JsonLines()[0];
        Assert.InRange(value.GetProperty("value").GetDouble(), 375, 386); // 3·100 + 10·3 + 50, plus noise of mean 0.5
    }

    [Fact]
    public void DivergenceExitsWithTwo()
    {
        string directory = Cli.TemporaryDirectory();
        string data = Path.Combine(directory, "big.csv");
        File.WriteAllText(data, "x,y\n" + string.Join('\n', Enumerable.Range(1, 50).Select(i => $"{i * 100},{i * 300}")) + "\n");
        Cli.Result result = Cli.RunProcess("train", "--data", data, "--model", "linear", "--lr", "10", "--epochs", "5");
        Assert.Equal(2, result.ExitCode);
        Assert.Matches(@"diverged in epoch \d+ at learning rate 10", result.Error);
        Assert.Contains("learning rate 10", result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("short", new byte[] { 1, 2, 3 })]
    [InlineData("length beyond the file", new byte[] { 0xFF, 0, 0, 0, 0, 0, 0, 0, (byte)'{', (byte)'}' })]
    [InlineData("not json", new byte[] { 8, 0, 0, 0, 0, 0, 0, 0, (byte)'{', (byte)'x', (byte)' ', (byte)' ', (byte)' ', (byte)' ', (byte)' ', (byte)' ' })]
    public void BadModelFilesExitWithOneAndSayWhere(string what, byte[] bytes)
    {
        string path = Path.Combine(Cli.TemporaryDirectory(), "bad.safetensors");
        File.WriteAllBytes(path, bytes);
        Cli.Result result = Cli.Run("predict", "--model", path, "--input", "-");
        Assert.True(result.ExitCode == 1, $"{what}: {result}");
        Assert.Contains("bad.safetensors", result.Error, StringComparison.Ordinal);
        Assert.Contains("byte", result.Error, StringComparison.Ordinal);
        Assert.Single(result.Error.Trim().Split('\n'));
    }

    [Fact]
    public void BadCsvExitsWithOneNamingLineAndColumn()
    {
        string path = Path.Combine(Cli.TemporaryDirectory(), "bad.csv");
        File.WriteAllText(path, "a,b,label\n1,2,x\n3,oops,y\n");

        // A word in a column told to hold numbers (untold, the column would be read as categories: a table's text column).
        Cli.Result result = Cli.Run("train", "--data", path, "--numeric", "b");
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("line 3", result.Error, StringComparison.Ordinal);
        Assert.Contains("'oops'", result.Error, StringComparison.Ordinal);
    }
}
