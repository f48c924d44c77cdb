using System.Globalization;
using System.Text;
using System.Text.Json;
using Native.Numerics;

namespace Native.Cli.Tests;

/// <summary>
/// The perceptron regressor on the command line: <c>--model mlp</c> on a label of values trains one, <c>--model
/// mlp-regressor</c> always does, and the saved model predicts and evaluates as a regression.
/// </summary>
public class RegressorCommandTests
{
    /// <summary>y = x₀² + |x₁| + noise: a curve no line fits; the label has decimals, so it reads as values.</summary>
    private static string Curve(string directory)
    {
        var text = new StringBuilder("a,b,y\n");
        var random = new Random(7);
        for (int i = 0; i < 400; i++)
        {
            double a = (4 * random.NextDouble()) - 2, b = (4 * random.NextDouble()) - 2;
            text.Append(CultureInfo.InvariantCulture, $"{a:F4},{b:F4},{(a * a) + Math.Abs(b) + (0.01 * random.NextDouble()):F4}\n");
        }

        string data = Path.Combine(directory, "curve.csv");
        File.WriteAllText(data, text.ToString());
        return data;
    }

    [Fact]
    public void MlpOnALabelOfValuesTrainsAPerceptronRegressorThatBeatsALine()
    {
        string directory = Cli.TemporaryDirectory();
        string data = Curve(directory);
        string model = Path.Combine(directory, "curve.safetensors");
        string[] common = ["--data", data, "--label", "y", "--optimizer", "adam", "--lr", "0.01", "--epochs", "200", "--batch", "32", "--json", "--quiet"];

        Cli.Result perceptron = Cli.Run(["train", "--model", "mlp", "--hidden", "32", "--out", model, .. common]);
        Assert.True(perceptron.ExitCode == 0, perceptron.ToString());
        Cli.Result line = Cli.Run(["train", "--model", "linear", .. common]);
        Assert.True(line.ExitCode == 0, line.ToString());

        double curved = perceptron.JsonLines()[^1].GetProperty("mse").GetDouble(), straight = line.JsonLines()[^1].GetProperty("mse").GetDouble();
        Assert.True(curved < 0.2 * straight, $"perceptron MSE {curved}, line {straight}");

        TrainedModel loaded = ModelFile.Load(model);
        Assert.Equal(ModelKind.MultilayerPerceptronRegressor, loaded.Shape.Kind);
        Assert.Equal("y", loaded.LabelName);

        // evaluate and predict read it as a regression: the metrics, and a value per row.
        JsonElement metrics = Cli.Run("evaluate", "--model", model, "--data", data, "--json").JsonLines()[0];
        Assert.Equal(curved, metrics.GetProperty("mse").GetDouble(), 0.05);
        File.WriteAllText(Path.Combine(directory, "in.csv"), "a,b\n1.5,-1\n");
        JsonElement value = Cli.Run("predict", "--model", model, "--input", Path.Combine(directory, "in.csv"), "--json").JsonLines()[0];
        Assert.Equal(loaded.PredictValue([1.5f, -1f]), value.GetProperty("value").GetDouble(), 1e-4);
        Assert.InRange(value.GetProperty("value").GetDouble(), 2.75, 3.75); // 1.5² + 1
    }

    [Theory]
    [InlineData("")]
    [InlineData("--stream")]
    public void LabelsNearTheFloatRangeAreRefusedNotMeasuredAsNaN(string stream)
    {
        // Labels of ±3e38 are floats, but the model folded back to their scale overflows: the run printed
        // "MSE NaN, MAE NaN, R² NaN" and ended with exit 0.
        string directory = Cli.TemporaryDirectory();
        var text = new StringBuilder("a,label\n");
        for (int i = 0; i < 200; i++)
        {
            text.Append(CultureInfo.InvariantCulture, $"{i % 7},{(i % 2 == 0 ? "3e38" : "-3e38")}\n");
        }

        string data = Path.Combine(directory, "huge.csv");
        File.WriteAllText(data, text.ToString());
        string[] args = ["train", "--data", data, "--model", "mlp-regressor", "--hidden", "8", "--epochs", "2", "--quiet", "--cache", directory];
        Cli.Result result = Cli.Run(stream.Length > 0 ? [.. args, stream] : args);
        Assert.Equal(1, result.ExitCode);
        Assert.StartsWith("native: The trained model's predictions for some of the training rows are beyond the float range", result.Error, StringComparison.Ordinal);
        Assert.Single(result.Error.Trim().Split('\n'));
        Assert.DoesNotContain("NaN", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void MlpRegressorTakesWholeNumberTargetsAsValues()
    {
        // Whole numbers read as classes for --model mlp; mlp-regressor says they are values.
        string directory = Cli.TemporaryDirectory();
        var text = new StringBuilder("x,count\n");
        for (int i = 0; i < 60; i++)
        {
            text.Append(CultureInfo.InvariantCulture, $"{i / 10.0:F1},{2 * i}\n");
        }

        string data = Path.Combine(directory, "counts.csv");
        File.WriteAllText(data, text.ToString());
        string model = Path.Combine(directory, "counts.safetensors");
        Cli.Result train = Cli.Run("train", "--data", data, "--model", "mlp-regressor", "--hidden", "8", "--standardize", "--optimizer", "adam", "--lr", "0.05", "--epochs", "300", "--out", model, "--json", "--quiet");
        Assert.True(train.ExitCode == 0, train.ToString());
        Assert.True(train.JsonLines()[^1].GetProperty("r2").GetDouble() > 0.95, train.ToString());
        Assert.Equal(ModelKind.MultilayerPerceptronRegressor, ModelFile.Load(model).Shape.Kind);

        Cli.Result weighted = Cli.Run("train", "--data", data, "--model", "mlp-regressor", "--class-weight", "balanced");
        Assert.NotEqual(0, weighted.ExitCode);
        Assert.Contains("--class-weight weights classes; a perceptron regressor has none.", weighted.ToString(), StringComparison.Ordinal);
    }

    /// <summary>
    /// scikit-learn's diabetes table (targets 25 to 346) with every default: the perceptron regressor trains on standardized
    /// targets at a tenth of SGD's rate, folds them back, and ends near the line's held-out error — where it used to
    /// diverge in its first epoch (exit 2). Its last epoch's validation loss, shown in the targets' units, is the summary's
    /// MSE of the folded model, and the saved file predicts in those units. Streamed, the same.
    /// </summary>
    [Fact]
    public void APerceptronRegressorTrainsOnRawTargetsWithDefaults()
    {
        string directory = Cli.TemporaryDirectory();
        string data = Path.Combine(directory, "diabetes.csv");
        File.Copy(Path.Combine(Cli.RepositoryRoot(), "tests", "data", "diabetes", "diabetes.csv"), data);
        string model = Path.Combine(directory, "diabetes.safetensors");
        Cli.Result perceptron = Cli.Run("train", "--data", data, "--label", "target", "--model", "mlp-regressor", "--validation", "0.2", "--seed", "1", "--out", model, "--json");
        Assert.True(perceptron.ExitCode == 0, perceptron.ToString());
        Cli.Result line = Cli.Run("train", "--data", data, "--label", "target", "--model", "linear", "--validation", "0.2", "--seed", "1", "--json", "--quiet");
        Assert.True(line.ExitCode == 0, line.ToString());

        IReadOnlyList<JsonElement> lines = perceptron.JsonLines();
        JsonElement summary = lines[^1], lastEpoch = lines[^2];
        double mse = summary.GetProperty("mse").GetDouble(), lineMse = line.JsonLines()[^1].GetProperty("mse").GetDouble();
        Assert.True(mse < 1.25 * lineMse, $"perceptron MSE {mse}, line {lineMse}");
        Assert.True(summary.GetProperty("r2").GetDouble() > 0.4, perceptron.ToString());
        Assert.Equal(mse, lastEpoch.GetProperty("val_loss").GetDouble(), mse * 1e-3);

        // The file predicts in the targets' units: its mean prediction on the table is near the targets' mean (152).
        TrainedModel loaded = ModelFile.Load(model);
        string[] rows = File.ReadAllLines(data)[1..];
        double mean = rows.Average(r => loaded.PredictValue([.. r.Split(',')[..^1].Select(v => float.Parse(v, CultureInfo.InvariantCulture))]));
        Assert.InRange(mean, 130, 175);

        // Streamed through a row cache, the same defaults: a regressor (not a classifier of the 214 whole-number targets),
        // its targets standardized as they are read, near the line.
        Cli.Result streamed = Cli.Run("train", "--data", data, "--label", "target", "--model", "mlp-regressor", "--stream", "--cache", Path.Combine(directory, "cache"), "--validation", "0.2", "--seed", "1", "--json", "--quiet");
        Assert.True(streamed.ExitCode == 0, streamed.ToString());
        Assert.True(streamed.JsonLines()[^1].GetProperty("r2").GetDouble() > 0.25, streamed.ToString());
    }

    [Fact]
    public void PredictPrintsEveryTargetOfAMultiOutputRegression()
    {
        // y₀ = 2a − b + 1, y₁ = a + 3b: a model of two outputs made in the library, named by its label columns.
        string directory = Cli.TemporaryDirectory();
        var regression = new LinearRegression(2, 2);
        float[] parameters = [2f, -1f, 1f, 3f, 1f, 0f];
        parameters.CopyTo(regression.Parameters);
        string model = Path.Combine(directory, "two.safetensors");
        ModelFile.Save(regression, model, new ModelMetadata { FeatureNames = ["a", "b"], LabelNames = ["y0", "y1"] });
        string input = Path.Combine(directory, "in.csv");
        File.WriteAllText(input, "a,b\n1,2\n0.5,-1\n");

        Cli.Result text = Cli.Run("predict", "--model", model, "--input", input);
        Assert.True(text.ExitCode == 0, text.ToString());
        Assert.Equal(["y0 y1", "1 7", "3 -2.5"], text.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));

        IReadOnlyList<JsonElement> json = Cli.Run("predict", "--model", model, "--input", input, "--json").JsonLines();
        Assert.Equal(7.0, json[0].GetProperty("values").GetProperty("y1").GetDouble());
        Assert.Equal(3.0, json[1].GetProperty("values").GetProperty("y0").GetDouble());

        // evaluate needs every target in each row: data without them is refused in words, not scored wrongly.
        Cli.Result evaluate = Cli.Run("evaluate", "--model", model, "--data", input);
        Assert.NotEqual(0, evaluate.ExitCode);
        Assert.Contains("the header has no target column 'y0'; evaluate needs each of the model's 2 targets in each row.", evaluate.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void EvaluateScoresEachTargetOfAMultiOutputRegressionAndTheirMean()
    {
        // y₀ = 2a − b + 1 exactly; y₁ = a + 3b, and the data's y₁ one more: per target R², RMSE, MAE by hand.
        string directory = Cli.TemporaryDirectory();
        var regression = new LinearRegression(2, 2);
        float[] parameters = [2f, -1f, 1f, 3f, 1f, 0f];
        parameters.CopyTo(regression.Parameters);
        string model = Path.Combine(directory, "two.safetensors");
        ModelFile.Save(regression, model, new ModelMetadata { FeatureNames = ["a", "b"], LabelNames = ["y0", "y1"] });
        string data = Path.Combine(directory, "scored.csv");

        // The columns in another order than the model's, and one y₁ of each row off by +1 from its prediction.
        File.WriteAllText(data, "y1,b,a,y0\n8,2,1,1\n-1.5,-1,0.5,3\n1,0,0,1\n");
        double[] y1 = [8, -1.5, 1];
        double mean = y1.Average(), total = y1.Sum(v => (v - mean) * (v - mean));
        double r2 = 1 - (3 / total);

        Cli.Result text = Cli.Run("evaluate", "--model", model, "--data", data);
        Assert.True(text.ExitCode == 0, text.ToString());
        string[] lines = text.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Contains("On 3 evaluation rows, 2 targets:", lines);
        Assert.Contains(lines, line => line.StartsWith("y0 ", StringComparison.Ordinal) && line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1..] is ["1.0000", "0", "0", "0"]);
        Assert.Contains(lines, line => line.StartsWith("y1 ", StringComparison.Ordinal) && line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1..] is [var r, "1", "1", "1"] && r == r2.ToString("F4", CultureInfo.InvariantCulture));

        JsonElement json = Cli.Run("evaluate", "--model", model, "--data", data, "--json").JsonLines().Single();
        Assert.Equal(3, json.GetProperty("rows").GetInt32());
        JsonElement[] targets = [.. json.GetProperty("targets").EnumerateArray()];
        Assert.Equal(["y0", "y1"], targets.Select(t => t.GetProperty("name").GetString()));
        Assert.Equal(1.0, targets[0].GetProperty("r2").GetDouble());
        Assert.Equal(0.0, targets[0].GetProperty("rmse").GetDouble());
        Assert.Equal(r2, targets[1].GetProperty("r2").GetDouble(), 6);
        Assert.Equal(1.0, targets[1].GetProperty("rmse").GetDouble(), 6);
        Assert.Equal(1.0, targets[1].GetProperty("mae").GetDouble(), 6);
        Assert.Equal((1 + r2) / 2, json.GetProperty("r2").GetDouble(), 6);
        Assert.Equal(0.5, json.GetProperty("rmse").GetDouble(), 6);
        Assert.Equal(0.5, json.GetProperty("mae").GetDouble(), 6);

        // --label names the targets in the model's order; another count is refused, naming the model's.
        Cli.Result one = Cli.Run("evaluate", "--model", model, "--data", data, "--label", "y1");
        Assert.NotEqual(0, one.ExitCode);
        Assert.Contains("--label y1 names 1 column; the model LinearRegression 2-2 predicts 2 values a row, one per target: name 2 distinct target columns, comma-separated, in the model's order (y0,y1).", one.ToString(), StringComparison.Ordinal);
        File.WriteAllText(data, "y1,b,a,y0\n8,2,1,x\n");
        Cli.Result bad = Cli.Run("evaluate", "--model", model, "--data", data);
        Assert.NotEqual(0, bad.ExitCode);
        Assert.Contains("line 2, column 7", bad.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void EvaluateScoresEachTargetOfATableModel()
    {
        // A table with a category and blanks, two targets: trained, then scored on the same file through its pipeline.
        string directory = Cli.TemporaryDirectory();
        var text = new StringBuilder("a,kind,y0,y1\n");
        var random = new Random(5);
        for (int i = 0; i < 200; i++)
        {
            double a = (4 * random.NextDouble()) - 2;
            string kind = (i % 3) switch { 0 => "red", 1 => "blue", _ => "" };
            double shift = kind == "red" ? 1 : 0;
            text.Append(CultureInfo.InvariantCulture, $"{a:F4},{kind},{(2 * a) + shift:F4},{(-a) + (3 * shift):F4}\n");
        }

        string data = Path.Combine(directory, "table.csv");
        File.WriteAllText(data, text.ToString());
        string model = Path.Combine(directory, "table.safetensors");
        Cli.Result train = Cli.Run("train", "--data", data, "--label", "y0,y1", "--model", "linear", "--optimizer", "adam", "--lr", "0.05", "--epochs", "100", "--out", model, "--json", "--quiet");
        Assert.True(train.ExitCode == 0, train.ToString());
        Assert.NotNull(ModelFile.Load(model).Pipeline);

        JsonElement json = Cli.Run("evaluate", "--model", model, "--data", data, "--json").JsonLines().Single();
        JsonElement[] targets = [.. json.GetProperty("targets").EnumerateArray()];
        Assert.Equal(["y0", "y1"], targets.Select(t => t.GetProperty("name").GetString()));
        Assert.All(targets, t => Assert.True(t.GetProperty("r2").GetDouble() > 0.95, t.ToString()));
        Assert.Equal(targets.Average(t => t.GetProperty("r2").GetDouble()), json.GetProperty("r2").GetDouble(), 9);
        Assert.Equal(targets.Average(t => t.GetProperty("rmse").GetDouble()), json.GetProperty("rmse").GetDouble(), 9);
    }

    [Fact]
    public void LabelAAndBTrainsAMultiOutputRegressionThatPredictsEveryTarget()
    {
        // y0 = 2a − b + 1 (a line), y1 = a² + |b| (a curve): two targets of one table.
        string directory = Cli.TemporaryDirectory();
        var text = new StringBuilder("a,b,y0,y1\n");
        var random = new Random(3);
        for (int i = 0; i < 300; i++)
        {
            double a = (4 * random.NextDouble()) - 2, b = (4 * random.NextDouble()) - 2;
            text.Append(CultureInfo.InvariantCulture, $"{a:F4},{b:F4},{(2 * a) - b + 1:F4},{(a * a) + Math.Abs(b):F4}\n");
        }

        string data = Path.Combine(directory, "two.csv");
        File.WriteAllText(data, text.ToString());
        string model = Path.Combine(directory, "two.safetensors");
        Cli.Result train = Cli.Run("train", "--data", data, "--label", "y0,y1", "--model", "mlp", "--hidden", "32", "--optimizer", "adam", "--lr", "0.01", "--epochs", "200", "--batch", "32", "--out", model, "--json", "--quiet");
        Assert.True(train.ExitCode == 0, train.ToString());
        Assert.True(train.JsonLines()[^1].GetProperty("r2").GetDouble() > 0.98, train.ToString());

        TrainedModel loaded = ModelFile.Load(model);
        Assert.Equal(ModelKind.MultilayerPerceptronRegressor, loaded.Shape.Kind);
        Assert.Equal(2, loaded.Model.Outputs);
        Assert.Equal(["y0", "y1"], loaded.LabelNames);

        File.WriteAllText(Path.Combine(directory, "in.csv"), "a,b\n1,2\n");
        Cli.Result predict = Cli.Run("predict", "--model", model, "--input", Path.Combine(directory, "in.csv"));
        string[] lines = predict.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Equal("y0 y1", lines[0]);
        float[] values = [.. lines[1].Split(' ').Select(v => float.Parse(v, CultureInfo.InvariantCulture))];
        Assert.InRange(values[0], 0.8f, 1.2f); // 2·1 − 2 + 1
        Assert.InRange(values[1], 2.7f, 3.3f); // 1 + 2

        Cli.Result linear = Cli.Run("train", "--data", data, "--label", "y0,y1", "--model", "linear", "--optimizer", "adam", "--lr", "0.05", "--epochs", "100", "--json", "--quiet");
        Assert.True(linear.ExitCode == 0, linear.ToString());
        Cli.Result softmax = Cli.Run("train", "--data", data, "--label", "y0,y1");
        Assert.NotEqual(0, softmax.ExitCode);
        Assert.Contains("--label y0,y1 names 2 label columns: the targets of a multi-output regression", softmax.ToString(), StringComparison.Ordinal);
        Cli.Result missing = Cli.Run("train", "--data", data, "--label", "y0,zz", "--model", "linear");
        Assert.Contains("no column is named 'zz', a label", missing.ToString(), StringComparison.Ordinal);
    }
}
