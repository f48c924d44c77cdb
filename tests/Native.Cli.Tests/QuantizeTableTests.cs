using System.Globalization;
using System.Text.Json;
using Native.Numerics;

namespace Native.Cli.Tests;

/// <summary>
/// <c>native quantize</c> of a model trained on a table (tests/data/loans: blanks, an identifier, six text columns): the int8
/// model keeps the pipeline and is evaluated, predicted, benchmarked and converted to ONNX from the raw table as the float one is.
/// </summary>
public sealed class QuantizeTableTests
{
    private static readonly string Loans = Path.Combine(Cli.RepositoryRoot(), "tests", "data", "loans");

    private static (string Directory, string Model, string Quantized) Quantized(params string[] train)
    {
        string directory = Cli.TemporaryDirectory();
        string model = Path.Combine(directory, "loans.safetensors"), quantized = Path.Combine(directory, "loans-int8.safetensors");
        Cli.Result trained = Cli.Run(["train", "--data", Path.Combine(Loans, "loans-train.csv"), "--label", "default", .. train, "--out", model, "--quiet"]);
        Assert.True(trained.ExitCode == 0, trained.ToString());
        Cli.Result result = Cli.Run("quantize", "--model", model, "--data", Path.Combine(Loans, "loans-train.csv"), "--out", quantized);
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("int8, calibrated on 1,000 rows of", result.Output, StringComparison.Ordinal);
        return (directory, model, quantized);
    }

    [Fact]
    public void ATableModelQuantizesAndIsEvaluatedAndPredictedFromTheRawTable()
    {
        (string directory, string model, string quantized) = Quantized("--epochs", "5");
        TrainedModel loaded = ModelFile.Load(quantized);
        Assert.True(loaded.IsQuantized);
        Assert.NotNull(loaded.Pipeline);
        Assert.Equal(ModelFile.Load(model).FeatureNames, loaded.FeatureNames);

        // Held-out rows with blanks and categories training never saw: within a point of the float model.
        string test = Path.Combine(Loans, "loans-test.csv");
        double floatAccuracy = Cli.Run("evaluate", "--model", model, "--data", test, "--json").JsonLines()[0].GetProperty("accuracy").GetDouble();
        Cli.Result evaluate = Cli.Run("evaluate", "--model", quantized, "--data", test, "--json");
        Assert.True(evaluate.ExitCode == 0, evaluate.ToString());
        double int8Accuracy = evaluate.JsonLines()[0].GetProperty("accuracy").GetDouble();
        Assert.InRange(int8Accuracy, floatAccuracy - 0.01, 1.0);

        // predict answers each record as the loaded int8 model answers it from a TableRow, bit for bit; a record of blanks and
        // an unseen grade included.
        string input = Path.Combine(directory, "records.csv");
        string[] lines = File.ReadAllLines(test);
        File.WriteAllLines(input, [.. lines.Take(40), "9999,,,,,,,,Z,,,,,,", "9998,52000,,11.5,60,,,,A,crypto,CASTLE,ZZ,,maybe,0"]);
        Cli.Result predict = Cli.Run("predict", "--model", quantized, "--input", input, "--json");
        Assert.True(predict.ExitCode == 0, predict.ToString());
        IReadOnlyList<JsonElement> answers = predict.JsonLines();
        Assert.Equal(41, answers.Count);
        using TableRowReader reader = TableRowReader.Open(input, loaded.Pipeline!);
        TableRow row = loaded.CreateRow();
        float[] probabilities = new float[2];
        for (int r = 0; reader.ReadRow(row); r++)
        {
            loaded.PredictProbabilities(row, probabilities);
            Assert.Equal(loaded.PredictClassName(row), answers[r].GetProperty("class").GetString());
            float printed = answers[r].GetProperty("probabilities").GetProperty(loaded.ClassNames[1]).GetSingle();
            Assert.Equal(BitConverter.SingleToInt32Bits(probabilities[1]), BitConverter.SingleToInt32Bits(printed));
        }

        // The float and int8 models differ (the int8 file is not the float one read back), but by little.
        Cli.Result floatPredict = Cli.Run("predict", "--model", model, "--input", input, "--json");
        Assert.NotEqual(floatPredict.Output, predict.Output);
    }

    [Fact]
    public void BenchAndConvertTakeTheInt8TableModel()
    {
        (string directory, string _, string quantized) = Quantized("--model", "mlp", "--hidden", "16", "--epochs", "5");
        Cli.Result bench = Cli.Run("bench", "--model", quantized, "--rounds", "2", "--json");
        Assert.True(bench.ExitCode == 0, bench.ToString());
        IReadOnlyList<JsonElement> measurements = bench.JsonLines();
        Assert.Equal(["record", "text", "record"], measurements.Select(m => m.GetProperty("input").GetString()));
        Assert.All(measurements, m => Assert.Equal("int8", m.GetProperty("precision").GetString()));

        // To ONNX (the pipeline's graph, then QDQ layers) and back: every raw record predicted the same.
        string onnx = Path.Combine(directory, "loans-int8.onnx"), back = Path.Combine(directory, "back.safetensors");
        Cli.Result convert = Cli.Run("convert", "--model", quantized, "--out", onnx);
        Assert.True(convert.ExitCode == 0, convert.ToString());
        Assert.Contains("with a feature pipeline of 13 columns", convert.Output, StringComparison.Ordinal);
        Assert.Equal(0, Cli.Run("convert", "--model", onnx, "--out", back).ExitCode);
        Assert.True(ModelFile.Load(back).IsQuantized);
        string test = Path.Combine(Loans, "loans-test.csv");
        Cli.Result fromSafetensors = Cli.Run("predict", "--model", quantized, "--input", test, "--json");
        Assert.Equal(3000, fromSafetensors.JsonLines().Count);
        Assert.Equal(fromSafetensors.Output, Cli.Run("predict", "--model", onnx, "--input", test, "--json").Output);
        Assert.Equal(fromSafetensors.Output, Cli.Run("predict", "--model", back, "--input", test, "--json").Output);
    }

    [Fact]
    public void CalibrationRecordsAreCountedAndMistakesRefusedInOneLine()
    {
        string directory = Cli.TemporaryDirectory();
        string model = Path.Combine(directory, "loans.safetensors"), quantized = Path.Combine(directory, "q.safetensors");
        Assert.Equal(0, Cli.Run("train", "--data", Path.Combine(Loans, "loans-train.csv"), "--label", "default", "--epochs", "2", "--out", model, "--quiet").ExitCode);

        // A semicolon table with its columns in another order: read by name, its delimiter given or detected.
        string[] lines = File.ReadAllLines(Path.Combine(Loans, "loans-train.csv"));
        string semicolons = Path.Combine(directory, "semicolons.csv");
        File.WriteAllLines(semicolons, lines.Take(61).Select(line => string.Join(';', line.Split(',').Reverse())));
        Cli.Result result = Cli.Run("quantize", "--model", model, "--data", semicolons, "--out", quantized, "--rows", "25", "--delimiter", ";");
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("calibrated on 25 rows of", result.Output, StringComparison.Ordinal);
        Assert.Contains("calibrated on 60 rows of", Cli.Run("quantize", "--model", model, "--data", semicolons, "--out", quantized).Output, StringComparison.Ordinal);

        // ONNX is convert's to write: quantize says so, naming the command.
        Cli.Result onnx = Cli.Run("quantize", "--model", model, "--data", semicolons, "--out", Path.Combine(directory, "q.onnx"));
        Assert.Equal(1, onnx.ExitCode);
        Assert.Contains("native convert --model", onnx.Error, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(directory, "q.onnx")));

        // A header without records, and a table that lacks a column the pipeline reads: one line each, no file written.
        string empty = Path.Combine(directory, "empty.csv"), lacking = Path.Combine(directory, "lacking.csv"), refused = Path.Combine(directory, "refused.safetensors");
        File.WriteAllText(empty, lines[0] + "\n");
        File.WriteAllLines(lacking, lines.Take(5).Select(line => string.Join(',', line.Split(',').Where((_, c) => c != 8))));
        foreach ((string data, string expected) in new[] { (empty, "the file has a header but no data rows"), (lacking, "grade") })
        {
            Cli.Result bad = Cli.Run("quantize", "--model", model, "--data", data, "--out", refused);
            Assert.Equal(1, bad.ExitCode);
            Assert.StartsWith($"native: '{data}'", bad.Error, StringComparison.Ordinal);
            Assert.Contains(expected, bad.Error, StringComparison.Ordinal);
            Assert.Single(bad.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
            Assert.False(File.Exists(refused));
        }
    }

    /// <summary>The float and int8 models' accuracy on the held-out loans, printed for the README's figure.</summary>
    [Theory]
    [InlineData("logistic")]
    [InlineData("softmax")]
    [InlineData("mlp")]
    public void TheAccuracyCostOnTheLoansTableIsUnderAPoint(string kind)
    {
        (string _, string model, string quantized) = Quantized("--model", kind, "--epochs", "10");
        string test = Path.Combine(Loans, "loans-test.csv");
        double before = Cli.Run("evaluate", "--model", model, "--data", test, "--json").JsonLines()[0].GetProperty("accuracy").GetDouble();
        double after = Cli.Run("evaluate", "--model", quantized, "--data", test, "--json").JsonLines()[0].GetProperty("accuracy").GetDouble();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"loans {kind}: float {before:F4}, int8 {after:F4}, {100 * (before - after):0.00} points lost"));
        Assert.InRange(after, before - 0.01, 1.0);
    }
}
