using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Native.Cli.Tests;

/// <summary>
/// <c>native train</c> on data larger than memory: <c>--stream</c> and several CSV files train as the rows in memory do,
/// Parquet in and out of <c>predict</c>, checkpoints and <c>--resume</c>, and the options' mistakes in one line.
/// </summary>
public sealed class StreamingTrainTests : IDisposable
{
    private readonly string _directory = Cli.TemporaryDirectory();

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void StreamedRowsTrainAsRowsInMemory()
    {
        string data = WriteCsv("table.csv", rows: 1200, seed: 1);
        JsonElement memory = Summary(Cli.Run("train", "--data", data, "--epochs", "3", "--seed", "4", "--standardize", "--json", "--quiet"));
        Assert.InRange(memory.GetProperty("accuracy").GetDouble(), 0.5, 1);
        Cli.Result streamed = Cli.Run("train", "--data", data, "--epochs", "3", "--seed", "4", "--standardize", "--stream", "--cache", Path.Combine(_directory, "cache"), "--json", "--quiet");
        Assert.Equal(memory.GetProperty("accuracy").GetDouble(), Summary(streamed).GetProperty("accuracy").GetDouble());
        Assert.Single(Directory.GetFiles(Path.Combine(_directory, "cache"), "table.csv.*.native-rows"));
    }

    [Fact]
    public void AMemoryBudgetSmallerThanTheDataStreamsIt()
    {
        string small = WriteCsv("small.csv", rows: 2000, seed: 2);
        Cli.Result result = Cli.Run("train", "--data", small, "--epochs", "1", "--memory", "16MB", "--cache", _directory);
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.DoesNotContain("Streaming", result.Output, StringComparison.Ordinal);

        // About 5 MB of text are about 10 MB of rows: more than half of 16 MB.
        string large = WriteCsv("large.csv", rows: 320_000, seed: 2);
        result = Cli.Run("train", "--data", large, "--epochs", "1", "--memory", "16MB", "--cache", _directory);
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("Streaming (the rows (about", result.Output, StringComparison.Ordinal);
        Assert.Contains("Row cache: ", result.Output, StringComparison.Ordinal);
        Assert.Contains("On 320,000 training rows", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void ADirectoryOrPatternOfCsvFilesIsOneTable()
    {
        string whole = WriteCsv("whole.csv", rows: 900, seed: 3);
        string parts = Path.Combine(_directory, "parts");
        Directory.CreateDirectory(parts);
        string[] lines = File.ReadAllLines(whole);

        // Sorted by label, so each part holds classes the others do not (one part holds a single class).
        string[] rows = [.. lines.Skip(1).OrderBy(line => line[(line.LastIndexOf(',') + 1)..], StringComparer.Ordinal)];
        int[] cuts = [0, 100, 500, rows.Length];
        for (int p = 0; p < 3; p++)
        {
            File.WriteAllLines(Path.Combine(parts, $"part-{p}.csv"), [lines[0], .. rows[cuts[p]..cuts[p + 1]]]);
        }

        string sorted = Path.Combine(_directory, "sorted.csv");
        File.WriteAllLines(sorted, [lines[0], .. rows]);
        double expected = Summary(Cli.Run("train", "--data", sorted, "--epochs", "2", "--seed", "1", "--json", "--quiet", "--stream", "--cache", _directory)).GetProperty("accuracy").GetDouble();
        Assert.Equal(expected, Summary(Cli.Run("train", "--data", parts, "--epochs", "2", "--seed", "1", "--json", "--quiet", "--cache", _directory)).GetProperty("accuracy").GetDouble());
        Assert.Equal(expected, Summary(Cli.Run("train", "--data", Path.Combine(parts, "part-*.csv"), "--epochs", "2", "--seed", "1", "--json", "--quiet", "--cache", _directory)).GetProperty("accuracy").GetDouble());

        // A part whose header differs is refused, naming it.
        File.WriteAllLines(Path.Combine(parts, "part-3.csv"), ["a,b,c,d,digit", "1,2,3,4,5"]);
        Cli.Result bad = Cli.Run("train", "--data", parts, "--epochs", "1", "--cache", _directory);
        Assert.NotEqual(0, bad.ExitCode);
        Assert.Contains("part-3.csv", bad.Error, StringComparison.Ordinal);
        Assert.Contains("other columns than the first file's", bad.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void ParquetTrainsInMemoryAndStreamedAndPredicts()
    {
        string fixtures = Path.Combine(Cli.RepositoryRoot(), "tests", "Native.Numerics.Parquet.Tests", "Fixtures");
        string data = Path.Combine(fixtures, "integers.parquet");
        string model = Path.Combine(_directory, "model.safetensors");
        JsonElement memory = Summary(Cli.Run("train", "--data", data, "--epochs", "2", "--standardize", "--json", "--quiet", "--out", model));
        JsonElement streamed = Summary(Cli.Run("train", "--data", data, "--epochs", "2", "--standardize", "--json", "--quiet", "--stream", "--cache", _directory));
        Assert.Equal(memory.GetProperty("accuracy").GetDouble(), streamed.GetProperty("accuracy").GetDouble());

        Cli.Result predicted = Cli.Run("predict", "--model", model, "--input", data);
        Assert.True(predicted.ExitCode == 0, predicted.ToString());
        string[] lines = predicted.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("class -1 3 7", lines[0]);
        Assert.True(lines.Length > 2);

        // evaluate reads it too (EvaluateParquetTests).
        Cli.Result evaluated = Cli.Run("evaluate", "--model", model, "--data", data);
        Assert.True(evaluated.ExitCode == 0, evaluated.ToString());
    }

    [Fact]
    public void AResumedRunEndsAsTheUninterruptedOne()
    {
        string data = WriteCsv("table.csv", rows: 700, seed: 5);
        string checkpoint = Path.Combine(_directory, "run.checkpoint");
        foreach (string[] mode in new[] { Array.Empty<string>(), ["--stream", "--cache", _directory] })
        {
            File.Delete(checkpoint);
            string[] common = ["train", "--data", data, "--seed", "2", "--optimizer", "adam", "--standardize", "--json", "--quiet", .. mode];
            JsonElement whole = Summary(Cli.Run([.. common, "--epochs", "4"]));
            Cli.Result first = Cli.Run([.. common, "--epochs", "4", "--checkpoint-every", "1", "--checkpoint", checkpoint]);
            Assert.True(first.ExitCode == 0, first.ToString());
            Assert.True(File.Exists(checkpoint));

            // Resumed from the checkpoint of epoch 4 after a run cut short at 2 (the checkpoint of epoch 2 continued).
            File.Delete(checkpoint);
            Assert.Equal(0, Cli.Run([.. common, "--epochs", "4", "--checkpoint-every", "2", "--checkpoint", checkpoint]).ExitCode);
            JsonElement resumed = Summary(Cli.Run([.. common, "--epochs", "4", "--resume", "--checkpoint", checkpoint]));
            Assert.Equal(whole.GetProperty("accuracy").GetDouble(), resumed.GetProperty("accuracy").GetDouble());
            Assert.Equal(whole.GetProperty("log_loss").GetDouble(), resumed.GetProperty("log_loss").GetDouble());
        }
    }

    [Theory]
    [InlineData("--memory", "lots", "--memory takes a size such as 2GB")]
    [InlineData("--memory", "100KB", "--memory must be at least 1MB")]
    [InlineData("--checkpoint-every", "0", "--checkpoint-every takes a number of epochs (5) or a time")]
    [InlineData("--checkpoint-every", "5x", "--checkpoint-every takes a number of epochs (5) or a time")]
    [InlineData("--resume", null, "--resume continues from the checkpoint")]
    [InlineData("--checkpoint", "c.bin", "--checkpoint names the checkpoint file of --checkpoint-every or --resume")]
    public void MistakesAreOneLine(string option, string? value, string message)
    {
        string data = WriteCsv("table.csv", rows: 50, seed: 1);
        string[] args = value is null ? ["train", "--data", data, option] : ["train", "--data", data, option, value];
        Cli.Result result = Cli.Run(args);
        Assert.Equal(1, result.ExitCode);
        Assert.Contains(message, result.Error, StringComparison.Ordinal);
        Assert.Single(result.Error.Trim().Split('\n'));
    }

    [Theory]
    [InlineData("same", "--out 'SAME' is the file --checkpoint writes")]
    [InlineData("directory", "--checkpoint: 'DIRECTORY' is a directory")]
    [InlineData("missing", "the directory 'MISSING' does not exist")]
    public void ACheckpointThatCannotBeWrittenIsRefusedBeforeTraining(string where, string message)
    {
        // Once trained for its epochs and failed at its first checkpoint (exit 3), or, named as --out, the checkpoint
        // overwritten by the model at the end and lost (exit 0).
        string data = WriteCsv("table.csv", rows: 50, seed: 1);
        string model = Path.Combine(_directory, "model.safetensors");
        string missing = Path.Combine(_directory, "no-such-directory");
        string checkpoint = where switch
        {
            "same" => model,
            "directory" => _directory,
            _ => Path.Combine(missing, "run.checkpoint"),
        };
        Cli.Result result = Cli.Run("train", "--data", data, "--epochs", "1000", "--checkpoint-every", "1", "--checkpoint", checkpoint, "--out", model, "--quiet");
        Assert.Equal(1, result.ExitCode);
        Assert.Contains(message.Replace("SAME", model, StringComparison.Ordinal).Replace("DIRECTORY", _directory, StringComparison.Ordinal).Replace("MISSING", missing, StringComparison.Ordinal), result.Error, StringComparison.Ordinal);
        Assert.Single(result.Error.Trim().Split('\n'));
        Assert.False(File.Exists(model));
    }

    [Fact]
    public void AMemoryBudgetBeyondWhatTheProcessMayUseIsRefused()
    {
        // Under a 256 MB heap, --memory 10GB loaded rows that did not fit: "unexpected error (OutOfMemoryException)", exit 3.
        string data = WriteCsv("table.csv", rows: 50, seed: 1);
        Cli.Result result = Cli.RunProcess(new Dictionary<string, string> { ["DOTNET_GCHeapHardLimit"] = "0x10000000" }, "train", "--data", data, "--memory", "10GB", "--epochs", "1");
        Assert.Equal(1, result.ExitCode);
        Assert.Matches(@"^native: --memory 10\.0 GB is more than this process may use \(\d+ MB: the machine's memory, its cgroup's limit or the \.NET heap limit\); give at most that", result.Error);
        Assert.Single(result.Error.Trim().Split('\n'));
    }

    [Fact]
    public void ATableTooLargeToHoldSaysWhyItsTextIsRefused()
    {
        // Streamed for its size, a table's category read as a number: "column 'city': the feature is 'lyon', which is not a
        // number", of a file that trains in memory.
        var text = new StringBuilder("a,city,label\n");
        for (int i = 0; i < 40_000; i++)
        {
            text.Append(CultureInfo.InvariantCulture, $"{i % 97},{(i % 3 == 0 ? "lyon" : "paris")},{i % 2}\n");
        }

        string data = Path.Combine(_directory, "cities.csv");
        File.WriteAllText(data, text.ToString());
        Assert.Equal(0, Cli.Run("train", "--data", data, "--epochs", "1", "--quiet").ExitCode);
        Cli.Result result = Cli.Run("train", "--data", data, "--epochs", "1", "--memory", "1MB", "--cache", _directory, "--quiet");
        Assert.Equal(1, result.ExitCode);
        Assert.StartsWith($"native: '{data}', line 2, column 3: column 'city': the feature is 'lyon', which is not a number", result.Error, StringComparison.Ordinal);
        Assert.Matches(@"\. The rows stream because the rows \(about \d+ KB\) take more than half the memory budget \(1 MB\), and streamed rows are numbers only: a table with text or blank fields is read into memory\. Give more --memory \(this process may use ", result.Error);
        Assert.Single(result.Error.Trim().Split('\n'));
    }

    private static JsonElement Summary(Cli.Result result)
    {
        Assert.True(result.ExitCode == 0, result.ToString());
        return result.JsonLines()[^1];
    }

    /// <summary>A CSV file of four pixel-like columns and a digit label that depends on them.</summary>
    private string WriteCsv(string name, int rows, int seed)
    {
        var random = new Random(seed);
        var text = new StringBuilder("p0,p1,p2,p3,digit\n");
        for (int i = 0; i < rows; i++)
        {
            int[] pixels = [random.Next(256), random.Next(256), random.Next(256), random.Next(256)];
            int digit = ((pixels[0] / 64) + (pixels[1] > 128 ? 4 : 0) + (random.Next(10) == 0 ? 1 : 0)) % 10;
            text.Append(CultureInfo.InvariantCulture, $"{pixels[0]},{pixels[1]},{pixels[2]},{pixels[3]},{digit}\n");
        }

        string path = Path.Combine(_directory, name);
        File.WriteAllText(path, text.ToString());
        return path;
    }
}
