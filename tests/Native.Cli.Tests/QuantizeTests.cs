using System.Globalization;
using System.Text;
using System.Text.Json;
using Native.Numerics;

namespace Native.Cli.Tests;

/// <summary><c>native quantize</c>, the int8 file through predict / evaluate / convert, and <c>native bench --model</c>.</summary>
public class QuantizeTests
{
    // Three clusters in 3-D with string labels; seeded.
    private static string FlowersCsv(string directory)
    {
        var random = new Random(3);
        var text = new StringBuilder("a,b,c,species\n");
        string[] species = ["setosa", "versicolor", "virginica"];
        float[][] centres = [[0, 2, 1], [2, -1, 0], [-2, -1, -1]];
        for (int i = 0; i < 300; i++)
        {
            int k = i % 3;
            text.Append(string.Join(',', centres[k].Select(v => (v + (random.NextDouble() - 0.5)).ToString("F4", CultureInfo.InvariantCulture))));
            text.Append(',').Append(species[k]).Append('\n');
        }

        string path = Path.Combine(directory, "flowers.csv");
        File.WriteAllText(path, text.ToString());
        return path;
    }

    private static (string Directory, string Data, string Model) Trained()
    {
        string directory = Cli.TemporaryDirectory();
        string data = FlowersCsv(directory);
        string model = Path.Combine(directory, "flowers.safetensors");
        Cli.Result train = Cli.Run("train", "--data", data, "--model", "mlp", "--hidden", "8", "--standardize", "--epochs", "15", "--out", model, "--quiet");
        Assert.True(train.ExitCode == 0, train.ToString());
        return (directory, data, model);
    }

    [Fact]
    public void QuantizedFileIsEvaluatedAndPredictedLikeAnyModelFile()
    {
        (string directory, string data, string model) = Trained();
        string quantized = Path.Combine(directory, "flowers-int8.safetensors");
        Cli.Result result = Cli.Run("quantize", "--model", model, "--data", data, "--out", quantized);
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.StartsWith($"{quantized}: MultilayerPerceptron 3-8-3 (Relu), int8, calibrated on 300 rows", result.Output, StringComparison.Ordinal);

        TrainedModel loaded = ModelFile.Load(quantized);
        Assert.True(loaded.IsQuantized);
        Assert.Equal(["setosa", "versicolor", "virginica"], loaded.ClassNames);

        double floatAccuracy = Cli.Run("evaluate", "--model", model, "--data", data, "--json").JsonLines()[0].GetProperty("accuracy").GetDouble();
        Cli.Result evaluate = Cli.Run("evaluate", "--model", quantized, "--data", data, "--json");
        Assert.True(evaluate.ExitCode == 0, evaluate.ToString());
        Assert.InRange(evaluate.JsonLines()[0].GetProperty("accuracy").GetDouble(), floatAccuracy - 0.01, 1.0);

        Cli.Result predict = Cli.Run("predict", "--model", quantized, "--input", data, "--json");
        Assert.True(predict.ExitCode == 0, predict.ToString());
        Assert.Equal(300, predict.JsonLines().Count);

        // Per-row scales need no data; the file says so.
        string perRow = Path.Combine(directory, "flowers-row.safetensors");
        Assert.Equal(0, Cli.Run("quantize", "--model", model, "--per-row", "--out", perRow).ExitCode);
        Assert.True(ModelFile.Load(perRow).IsQuantized);

        // convert keeps the int8 file as it is; to ONNX, a calibrated one in QDQ form, a per-row one refused.
        string copy = Path.Combine(directory, "copy.safetensors");
        Assert.Equal(0, Cli.Run("convert", "--model", quantized, "--out", copy).ExitCode);
        Assert.Equal(File.ReadAllBytes(quantized), File.ReadAllBytes(copy));
        Cli.Result onnx = Cli.Run("convert", "--model", quantized, "--out", Path.Combine(directory, "q.onnx"));
        Assert.True(onnx.ExitCode == 0, onnx.ToString());
        Assert.Contains("QuantizeLinear", Encoding.Latin1.GetString(File.ReadAllBytes(Path.Combine(directory, "q.onnx"))), StringComparison.Ordinal);

        // The QDQ file reads back: converted, the same int8 file byte for byte; predicted, the same answers.
        string back = Path.Combine(directory, "back.safetensors");
        Cli.Result fromOnnx = Cli.Run("convert", "--model", Path.Combine(directory, "q.onnx"), "--out", back);
        Assert.True(fromOnnx.ExitCode == 0, fromOnnx.ToString());
        Assert.Equal(File.ReadAllBytes(quantized), File.ReadAllBytes(back));
        Cli.Result predictOnnx = Cli.Run("predict", "--model", Path.Combine(directory, "q.onnx"), "--input", data, "--json");
        Assert.True(predictOnnx.ExitCode == 0, predictOnnx.ToString());
        Assert.Equal(predict.Output, predictOnnx.Output);
        Cli.Result rowOnnx = Cli.Run("convert", "--model", perRow, "--out", Path.Combine(directory, "row.onnx"));
        Assert.NotEqual(0, rowOnnx.ExitCode);
        Assert.Contains("per-row", rowOnnx.Error);
        Assert.False(File.Exists(Path.Combine(directory, "row.onnx")));
    }

    [Fact]
    public void TheSummarySaysHowOftenTheInt8ClassesAreTheFloatModels()
    {
        // One calibration row of 3e38 (here 1e12) set the int8 ranges and took the model's accuracy from 0.97 to 0.62, with nothing said.
        (string directory, string data, string model) = Trained();
        Cli.Result clean = Cli.Run("quantize", "--model", model, "--data", data, "--out", Path.Combine(directory, "clean.safetensors"));
        Assert.True(clean.ExitCode == 0, clean.ToString());
        Assert.Matches(@"; the classes of (29[7-9]|300) of 300 calibration rows as the float model's\.\n$", clean.Output);

        string outlier = Path.Combine(directory, "outlier.csv");
        File.WriteAllText(outlier, File.ReadAllText(data) + "1e12,0,0,setosa\n");
        Cli.Result skewed = Cli.Run("quantize", "--model", model, "--data", outlier, "--out", Path.Combine(directory, "skewed.safetensors"));
        Assert.True(skewed.ExitCode == 0, skewed.ToString());
        Assert.Matches(@"; the classes of \d+ of 301 calibration rows as the float model's \(an outlier among them may have set the int8 ranges: remove it, or use --per-row\)\.\n$", skewed.Output);
    }

    [Fact]
    public void MistakesAreRefusedAndNothingIsLost()
    {
        (string directory, string data, string model) = Trained();
        byte[] before = File.ReadAllBytes(model);

        Cli.Result same = Cli.Run("quantize", "--model", model, "--data", data, "--out", model);
        Assert.NotEqual(0, same.ExitCode);
        Assert.Contains("--out", same.Error);
        Assert.Equal(before, File.ReadAllBytes(model));

        Cli.Result onData = Cli.Run("quantize", "--model", model, "--data", data, "--out", data);
        Assert.NotEqual(0, onData.ExitCode);

        string wide = Path.Combine(directory, "wide.csv");
        File.WriteAllText(wide, "a,b,c,d,e,species\n1,2,3,4,5,setosa\n");
        Cli.Result columns = Cli.Run("quantize", "--model", model, "--data", wide, "--out", Path.Combine(directory, "w.safetensors"));
        Assert.NotEqual(0, columns.ExitCode);
        Assert.Contains("wide.csv", columns.Error);

        string nan = Path.Combine(directory, "nan.csv");
        File.WriteAllText(nan, "a,b,c,species\n1,2,3,setosa\n1,NaN,3,setosa\n");
        Cli.Result notFinite = Cli.Run("quantize", "--model", model, "--data", nan, "--out", Path.Combine(directory, "n.safetensors"));
        Assert.NotEqual(0, notFinite.ExitCode);
        Assert.Contains("line 3", notFinite.Error);
        Assert.Single(notFinite.Error.Trim().Split('\n'));

        // Parquet (which train and predict read) is named as such, not decoded as CSV text that is not UTF-8.
        string parquet = Path.Combine(directory, "rows.parquet");
        File.WriteAllBytes(parquet, [(byte)'P', (byte)'A', (byte)'R', (byte)'1', 0xF8, 0, 0, 0, (byte)'P', (byte)'A', (byte)'R', (byte)'1']);
        Cli.Result fromParquet = Cli.Run("quantize", "--model", model, "--data", parquet, "--out", Path.Combine(directory, "p.safetensors"));
        Assert.Equal(1, fromParquet.ExitCode);
        Assert.Contains("quantize calibrates a model of numbers on a CSV file; '" + parquet + "' is Parquet", fromParquet.Error, StringComparison.Ordinal);
        Assert.Single(fromParquet.Error.Trim().Split('\n'));

        // A missing --data is named as train names it (was .NET's "Could not find file '/full/path'"), and standard input is no file here.
        Cli.Result missing = Cli.Run("quantize", "--model", model, "--data", Path.Combine(directory, "no-such.csv"), "--out", Path.Combine(directory, "m.safetensors"));
        Assert.Equal(1, missing.ExitCode);
        Assert.Equal($"native: The data file '{Path.Combine(directory, "no-such.csv")}' does not exist.", missing.Error.Trim());

        Cli.Result both = Cli.Run("quantize", "--model", model, "--data", data, "--per-row", "--out", Path.Combine(directory, "b.safetensors"));
        Assert.NotEqual(0, both.ExitCode);
        Assert.Single(Directory.GetFiles(directory, "*.safetensors"));
    }

    [Fact]
    public void CalibrationRowsTakeTheCsvLimitsTheirErrorsName()
    {
        // A field past 65,536 characters was refused with "(native: --max-field-length)", an option quantize did not take.
        (string directory, _, string model) = Trained();
        string data = Path.Combine(directory, "long.csv"), quantized = Path.Combine(directory, "long-int8.safetensors");
        File.WriteAllText(data, $"a,b,c,species\n{new string('0', 70_000)}1.5,0.5,-1,setosa\n");
        Cli.Result refused = Cli.Run("quantize", "--model", model, "--data", data, "--out", quantized);
        Assert.NotEqual(0, refused.ExitCode);
        Assert.Contains("(CsvOptions.MaxFieldLength; native: --max-field-length)", refused.Error, StringComparison.Ordinal);

        Cli.Result raised = Cli.Run("quantize", "--model", model, "--data", data, "--out", quantized, "--max-field-length", "100000");
        Assert.True(raised.ExitCode == 0, raised.ToString());
        Assert.Contains($"int8, calibrated on 1 row of '{data}'", raised.Output, StringComparison.Ordinal); // it said "1 rows"
        Assert.Contains("--max-field-length must be at least 1", Cli.Run("quantize", "--model", model, "--data", data, "--out", quantized, "--max-field-length", "0").Error, StringComparison.Ordinal);
        Assert.Contains("--max-compression-ratio limits gzip IDX files", Cli.Run("quantize", "--model", model, "--data", data, "--out", quantized, "--max-compression-ratio", "5").Error, StringComparison.Ordinal);
    }

    [Fact]
    public void BenchMeasuresAModelFileOneRowAndBatched()
    {
        (string directory, string data, string model) = Trained();
        string quantized = Path.Combine(directory, "flowers-int8.safetensors");
        Assert.Equal(0, Cli.Run("quantize", "--model", model, "--data", data, "--out", quantized).ExitCode);
        foreach ((string path, string precision) in new[] { (model, "float32"), (quantized, "int8") })
        {
            Cli.Result bench = Cli.Run("bench", "--model", path, "--json", "--rounds", "1", "--batch", "32");
            Assert.True(bench.ExitCode == 0, bench.ToString());
            IReadOnlyList<JsonElement> lines = bench.JsonLines();
            Assert.Equal([1, 32], lines.Select(l => l.GetProperty("rows").GetInt32()));
            foreach (JsonElement line in lines)
            {
                Assert.Equal(precision, line.GetProperty("precision").GetString());
                Assert.Equal("floats", line.GetProperty("input").GetString());
                Assert.True(line.GetProperty("ns_per_row").GetDouble() > 0);
                Assert.Equal(0, line.GetProperty("allocated_bytes_per_call").GetDouble());
            }
        }

        Cli.Result text = Cli.Run("bench", "--model", quantized, "--rounds", "1");
        Assert.Contains("int8", text.Output);
        Assert.Contains("ns per row", text.Output);
    }
}
