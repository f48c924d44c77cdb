using System.Text.Json;

namespace Native.Cli.Tests;

/// <summary>
/// <c>native evaluate</c> on Parquet files: the same metrics as on the same rows as CSV (the committed fixtures of the Parquet
/// package, each a Parquet file and its CSV twin), for a classifier and a regression, a file and a directory of parts; and
/// its mistakes in one line.
/// </summary>
public sealed class EvaluateParquetTests : IDisposable
{
    private static readonly string Fixtures = Path.Combine(Cli.RepositoryRoot(), "tests", "Native.Numerics.Parquet.Tests", "Fixtures");

    private readonly string _directory = Cli.TemporaryDirectory();

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void AClassifierScoresAParquetFileAsItsCsvTwin()
    {
        // Labels -1, 3 and 7 (integers, numbered in numeric order), features x and y by name.
        string model = Train("integers.parquet", "--standardize");
        JsonElement parquet = Evaluate(model, Path.Combine(Fixtures, "integers.parquet"));
        JsonElement csv = Evaluate(model, Path.Combine(Fixtures, "integers.csv"));
        AssertSameMetrics(csv, parquet);
        Assert.Equal(300, parquet.GetProperty("rows").GetInt32());
        Assert.Equal(3, parquet.GetProperty("confusion_matrix").GetArrayLength());

        // The data's classes by their sorted order, as for CSV.
        AssertSameMetrics(Evaluate(model, Path.Combine(Fixtures, "integers.csv"), "--match-classes", "index"), Evaluate(model, Path.Combine(Fixtures, "integers.parquet"), "--match-classes", "index"));
    }

    [Fact]
    public void ADirectoryOfPartsScoresAsTheirCsv()
    {
        string model = Train("parts.csv", "--standardize");
        AssertSameMetrics(Evaluate(model, Path.Combine(Fixtures, "parts.csv")), Evaluate(model, Path.Combine(Fixtures, "parts")));
        AssertSameMetrics(Evaluate(model, Path.Combine(Fixtures, "parts.csv")), Evaluate(model, Path.Combine(Fixtures, "parts", "part-*.parquet")));
    }

    [Fact]
    public void ARegressionScoresAParquetFileAsItsCsvTwin()
    {
        string model = Train("regression.parquet", "--model", "linear", "--label", "target", "--standardize");
        JsonElement parquet = Evaluate(model, Path.Combine(Fixtures, "regression.parquet"));
        JsonElement csv = Evaluate(model, Path.Combine(Fixtures, "regression.csv"));
        foreach (string metric in new[] { "mse", "mae", "r2" })
        {
            Assert.Equal(csv.GetProperty(metric).GetDouble(), parquet.GetProperty(metric).GetDouble());
        }
    }

    [Fact]
    public void SeveralTargetsScoreAParquetFileAsItsCsvTwin()
    {
        // Two targets of regression.csv (target and b) from its one other column: per-target R², RMSE, MAE, MSE and their
        // means, the same from Parquet as from CSV, with the targets named by the model or by --label.
        string model = Train("regression.csv", "--model", "linear", "--label", "target,b", "--standardize");
        JsonElement csv = Evaluate(model, Path.Combine(Fixtures, "regression.csv"));
        JsonElement parquet = Evaluate(model, Path.Combine(Fixtures, "regression.parquet"));
        AssertSameMetrics(csv, parquet);
        JsonElement[] targets = [.. parquet.GetProperty("targets").EnumerateArray()];
        Assert.Equal(["target", "b"], targets.Select(t => t.GetProperty("name").GetString()));
        foreach (string metric in new[] { "r2", "rmse", "mae", "mse" })
        {
            Assert.Equal(targets.Average(t => t.GetProperty(metric).GetDouble()), parquet.GetProperty(metric).GetDouble(), 9);
        }

        AssertSameMetrics(csv, Evaluate(model, Path.Combine(Fixtures, "regression.parquet"), "--label", "target,b"));

        // The text report names each target, as for CSV.
        Cli.Result text = Cli.Run("evaluate", "--model", model, "--data", Path.Combine(Fixtures, "regression.parquet"));
        Assert.True(text.ExitCode == 0, text.ToString());
        Assert.Contains("2 targets", text.Output, StringComparison.Ordinal);

        // A target the files lack, and a target column of text: one line each, naming the column as a target.
        Cli.Result absent = Cli.Run("evaluate", "--model", model, "--data", Path.Combine(Fixtures, "regression.parquet"), "--label", "target,nope");
        Assert.Equal(1, absent.ExitCode);
        Assert.Contains("no column is named 'nope', a target of the model", absent.Error, StringComparison.Ordinal);
        Assert.Single(absent.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        string numbers = Path.Combine(_directory, "mixed-numbers.csv");
        File.WriteAllLines(numbers, File.ReadAllLines(Path.Combine(Fixtures, "mixed.csv")).Select(line => string.Join(',', line.Split(',') is var f ? [f[0], f[8], f[9]] : [])));
        string species = Train(numbers, "--model", "linear", "--label", "f,d");
        Cli.Result text2 = Cli.Run("evaluate", "--model", species, "--data", Path.Combine(Fixtures, "mixed.parquet"), "--label", "f,species");
        Assert.NotEqual(0, text2.ExitCode);
        Assert.Contains("the target column 'species' is", text2.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("feature", text2.Error, StringComparison.Ordinal);
        Assert.Single(text2.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public void ATargetThatIsNotANumberIsCalledATarget()
    {
        // A CSV regression of two targets whose second target is a word in row 3: the error names the target, where it is.
        string model = Train("regression.csv", "--model", "linear", "--label", "target,b");
        string[] lines = File.ReadAllLines(Path.Combine(Fixtures, "regression.csv"));
        lines[2] = string.Join(',', lines[2].Split(',')[..2]) + ",high";
        string data = Path.Combine(_directory, "word-target.csv");
        File.WriteAllLines(data, lines);
        Cli.Result result = Cli.Run("evaluate", "--model", model, "--data", data);
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains($"line 3, column {lines[2].LastIndexOf(',') + 2}: column 'b': the target is 'high'", result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("feature", result.Error, StringComparison.Ordinal);
        Assert.Single(result.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public void ANullInASecondTargetIsCalledATarget()
    {
        // null-feature.parquet: columns a, b (null in row 2100, in the second row group) and label. A model of a with the
        // targets label and b: the second target is read beside the features, and its null is still the target's.
        string csv = Path.Combine(_directory, "a-b-label.csv");
        File.WriteAllLines(csv, ["a,b,label", .. Enumerable.Range(0, 200).Select(i => FormattableString.Invariant($"{i % 10},{i * 0.5},{i % 2}"))]);
        string model = Train(csv, "--model", "linear", "--label", "label,b");
        Cli.Result result = Cli.Run("evaluate", "--model", model, "--data", Path.Combine(Fixtures, "null-feature.parquet"));
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("column 'b', row 2100: the target is null (missing); a regression needs each of its targets in every row.", result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("feature", result.Error.Replace("null-feature.parquet", "", StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.Single(result.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public void MistakesAreOneLine()
    {
        string model = Train("integers.parquet");

        // A label the model does not know (a model trained without the rows labelled -1), named with the first row that has it.
        string twoClasses = Path.Combine(_directory, "two-classes.csv");
        File.WriteAllLines(twoClasses, File.ReadAllLines(Path.Combine(Fixtures, "integers.csv")).Where(line => !line.EndsWith(",-1", StringComparison.Ordinal)));
        Cli.Result trained = Cli.Run("train", "--data", twoClasses, "--epochs", "1", "--quiet", "--out", Path.Combine(_directory, "two.safetensors"));
        Assert.True(trained.ExitCode == 0, trained.ToString());
        Cli.Result unknown = Cli.Run("evaluate", "--model", Path.Combine(_directory, "two.safetensors"), "--data", Path.Combine(Fixtures, "integers.parquet"));
        Assert.Equal(1, unknown.ExitCode);
        Assert.Contains("integers.parquet', row 1: the class '-1' is not one the model knows", unknown.Error, StringComparison.Ordinal);
        Assert.Single(unknown.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));

        // A model of other features: the Parquet reader names the missing column.
        string other = Train("regression.parquet", "--model", "linear", "--label", "target");
        Cli.Result missing = Cli.Run("evaluate", "--model", other, "--data", Path.Combine(Fixtures, "integers.parquet"));
        Assert.NotEqual(0, missing.ExitCode);
        Assert.Contains("integers.parquet", missing.Error, StringComparison.Ordinal);
        Assert.Single(missing.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));

        // A label column that is not there.
        Cli.Result label = Cli.Run("evaluate", "--model", model, "--data", Path.Combine(Fixtures, "integers.parquet"), "--label", "nope");
        Assert.NotEqual(0, label.ExitCode);
        Assert.Contains("nope", label.Error, StringComparison.Ordinal);
        Assert.Single(label.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    private string Train(string data, params string[] options)
    {
        string model = Path.Combine(_directory, $"{Path.GetFileNameWithoutExtension(data)}-{options.Length}.safetensors");
        Cli.Result trained = Cli.Run(["train", "--data", Path.Combine(Fixtures, data), "--epochs", "3", "--seed", "1", "--quiet", "--out", model, .. options]);
        Assert.True(trained.ExitCode == 0, trained.ToString());
        return model;
    }

    private static JsonElement Evaluate(string model, string data, params string[] options)
    {
        Cli.Result result = Cli.Run(["evaluate", "--model", model, "--data", data, "--json", .. options]);
        Assert.True(result.ExitCode == 0, result.ToString());
        return result.JsonLines()[0];
    }

    // Every metric equal, but the log-loss, which the Parquet path sums per label (the labels' classes are known only after
    // the last row) rather than row by row: equal to the last few bits.
    private static void AssertSameMetrics(JsonElement expected, JsonElement actual)
    {
        foreach (JsonProperty property in expected.EnumerateObject())
        {
            if (property.Name == "log_loss")
            {
                Assert.Equal(property.Value.GetDouble(), actual.GetProperty("log_loss").GetDouble(), 1e-12);
            }
            else
            {
                Assert.Equal(property.Value.GetRawText(), actual.GetProperty(property.Name).GetRawText());
            }
        }
    }
}
