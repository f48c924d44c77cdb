using System.Text.Json;

namespace Native.Cli.Tests;

public class BenchTests
{
    [Fact]
    public void BenchMeasuresEveryShapeAndAllocatesNothing()
    {
        Cli.Result result = Cli.Run("bench", "--json", "--rounds", "1");
        Assert.True(result.ExitCode == 0, result.ToString());
        IReadOnlyList<JsonElement> lines = result.JsonLines();
        string[] models = lines.Select(l => l.GetProperty("model").GetString()!).Distinct().ToArray();
        Assert.Equal(["SoftmaxRegression 784-10", "LogisticRegression 30-1", "MultilayerPerceptron 784-128-10 (Relu)"], models);
        Assert.Contains(lines, l => l.GetProperty("kernel").GetString() == "run-time");
        foreach (JsonElement line in lines)
        {
            Assert.True(line.GetProperty("predict_ns").GetDouble() > 0);
            Assert.True(line.GetProperty("batch_predict_ns_per_row").GetDouble() > 0);
            Assert.True(line.GetProperty("train_step_ns_per_row").GetDouble() > 0);
            Assert.Equal(0, line.GetProperty("allocated_bytes_per_operation").GetDouble());
        }
    }

    /// <summary>
    /// A model whose pipeline has categories takes table records: <c>bench --model</c> measures one set record, one record
    /// set from text, and a batch of set records, each allocating nothing; the float-row lines say they took floats.
    /// </summary>
    [Fact]
    public void BenchMeasuresATableModelPerRecord()
    {
        string directory = Cli.TemporaryDirectory();
        string loans = Path.Combine(directory, "loans.safetensors");
        string train = Path.Combine(Cli.RepositoryRoot(), "tests", "data", "loans", "loans-train.csv");
        Assert.Equal(0, Cli.Run("train", "--data", train, "--label", "default", "--model", "logistic", "--epochs", "1", "--out", loans, "--quiet").ExitCode);

        Cli.Result bench = Cli.Run("bench", "--model", loans, "--json", "--rounds", "1", "--batch", "16");
        Assert.True(bench.ExitCode == 0, bench.ToString());
        IReadOnlyList<JsonElement> lines = bench.JsonLines();
        Assert.Equal(["record 1", "text 1", "record 16"], lines.Select(l => $"{l.GetProperty("input").GetString()} {l.GetProperty("rows").GetInt32()}"));
        foreach (JsonElement line in lines)
        {
            Assert.True(line.GetProperty("ns_per_row").GetDouble() > 0);
            Assert.Equal(0, line.GetProperty("allocated_bytes_per_call").GetDouble());
        }

        Cli.Result text = Cli.Run("bench", "--model", loans, "--rounds", "1");
        Assert.True(text.ExitCode == 0, text.ToString());
        Assert.Contains("behind a pipeline of", text.Output, StringComparison.Ordinal);
        Assert.Contains("ns per record", text.Output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--batch 2000000000", "--batch 2,000,000,000: at most 1,000,000 rows, and 67,108,864 floats in all (4 features a row here)")]
    [InlineData("--batch 20000000", "--batch 20,000,000: at most 1,000,000 rows")]
    [InlineData("--batch 0", "--batch must be at least 1.")]
    [InlineData("--rounds 2000000000", "--rounds must be from 1 to 1,000 (a round takes about 50 ms); got 2,000,000,000.")]
    [InlineData("NOMODEL --rounds 0", "--rounds must be from 1 to 1,000 (a round takes about 50 ms); got 0.")]
    [InlineData("NOMODEL --batch 16", "--batch sets the rows of a model file's batched prediction; the built-in shapes take 64.")]
    public void ABatchOrRoundsBeyondReasonAreRefusedBeforeAnyWork(string arguments, string message)
    {
        // --batch 2000000000 took 6.7 GB and 15 s, then failed on an int overflow: "rows holds 1705032704 floats".
        string directory = Cli.TemporaryDirectory();
        string model = Path.Combine(directory, "iris.safetensors");
        string data = Path.Combine(Cli.RepositoryRoot(), "tests", "package-consumer", "models", "iris.csv");
        Assert.Equal(0, Cli.Run("train", "--data", data, "--epochs", "1", "--out", model, "--quiet").ExitCode);
        string[] args = arguments.StartsWith("NOMODEL", StringComparison.Ordinal) ? ["bench", .. arguments[8..].Split(' ')] : ["bench", "--model", model, .. arguments.Split(' ')];
        Cli.Result result = Cli.Run(args);
        Assert.Equal(1, result.ExitCode);
        Assert.StartsWith("native: " + message, result.Error, StringComparison.Ordinal);
        Assert.Single(result.Error.Trim().Split('\n'));
    }

    /// <summary>The header names the processors in good English: it said "1 cores" on a one-processor machine (a container's limit, here .NET's own variable).</summary>
    [Theory]
    [InlineData("1", "1 core,")]
    [InlineData("2", "2 cores,")]
    public void TheHeaderCountsCoresInWords(string processors, string expected)
    {
        Cli.Result bench = Cli.RunProcess(new Dictionary<string, string> { ["DOTNET_PROCESSOR_COUNT"] = processors }, "bench", "--rounds", "1");
        Assert.True(bench.ExitCode == 0, bench.ToString());
        string header = bench.Output.Split('\n')[0];
        Assert.Contains(expected, header, StringComparison.Ordinal);
    }
}
