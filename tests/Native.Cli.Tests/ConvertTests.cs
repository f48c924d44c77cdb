using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Native.Cli.Tests;

/// <summary><c>native convert</c> between safetensors and ONNX, and predict / evaluate reading ONNX files directly.</summary>
public class ConvertTests
{
    private static readonly string Fixtures = Path.Combine(Cli.RepositoryRoot(), "tests", "Native.Tests", "Onnx", "Fixtures");

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

    [Fact]
    public void ConvertsToOnnxAndBackAndTheOnnxFilePredictsTheSame()
    {
        string directory = Cli.TemporaryDirectory();
        string data = FlowersCsv(directory);
        string safetensors = Path.Combine(directory, "flowers.safetensors"), onnx = Path.Combine(directory, "flowers.onnx"), back = Path.Combine(directory, "back.safetensors");
        Assert.Equal(0, Cli.Run("train", "--data", data, "--model", "mlp", "--hidden", "8", "--standardize", "--epochs", "15", "--out", safetensors, "--quiet").ExitCode);

        Cli.Result convert = Cli.Run("convert", "--model", safetensors, "--out", onnx);
        Assert.True(convert.ExitCode == 0, convert.ToString());
        Assert.StartsWith($"{onnx}: MultilayerPerceptron 3-8-3 (Relu) with 3 class names, a standardizer, ", convert.Output, StringComparison.Ordinal);
        Assert.Equal(0, Cli.Run("convert", "--model", onnx, "--out", back).ExitCode);
        Assert.Equal(File.ReadAllBytes(safetensors), File.ReadAllBytes(back));

        Cli.Result fromSafetensors = Cli.Run("predict", "--model", safetensors, "--input", data, "--json");
        Cli.Result fromOnnx = Cli.Run("predict", "--model", onnx, "--input", data, "--json");
        Assert.True(fromOnnx.ExitCode == 0, fromOnnx.ToString());
        Assert.Equal(fromSafetensors.Output, fromOnnx.Output);

        JsonElement metrics = Cli.Run("evaluate", "--model", onnx, "--data", data, "--json").JsonLines()[0];
        Assert.InRange(metrics.GetProperty("accuracy").GetDouble(), 0.95, 1);
    }

    [Fact]
    public void ATableModelConvertsToOnnxAndTheOnnxFilePredictsEveryRawRowTheSame()
    {
        // tests/data/loans: blanks, an identifier, categories never seen in training; the pipeline goes into the ONNX graph.
        string loans = Path.Combine(Cli.RepositoryRoot(), "tests", "data", "loans");
        string directory = Cli.TemporaryDirectory();
        string safetensors = Path.Combine(directory, "loans.safetensors"), onnx = Path.Combine(directory, "loans.onnx"), back = Path.Combine(directory, "back.safetensors");
        Assert.Equal(0, Cli.Run("train", "--data", Path.Combine(loans, "loans-train.csv"), "--label", "default", "--epochs", "3", "--out", safetensors, "--quiet").ExitCode);

        Cli.Result convert = Cli.Run("convert", "--model", safetensors, "--out", onnx);
        Assert.True(convert.ExitCode == 0, convert.ToString());
        Assert.Contains("with a feature pipeline of 13 columns", convert.Output, StringComparison.Ordinal);
        Assert.Equal(0, Cli.Run("convert", "--model", onnx, "--out", back).ExitCode);

        string test = Path.Combine(loans, "loans-test.csv");
        Cli.Result fromSafetensors = Cli.Run("predict", "--model", safetensors, "--input", test, "--json");
        Cli.Result fromOnnx = Cli.Run("predict", "--model", onnx, "--input", test, "--json");
        Cli.Result fromBack = Cli.Run("predict", "--model", back, "--input", test, "--json");
        Assert.True(fromOnnx.ExitCode == 0, fromOnnx.ToString());
        Assert.Equal(3000, fromOnnx.JsonLines().Count);
        Assert.Equal(fromSafetensors.Output, fromOnnx.Output);
        Assert.Equal(fromSafetensors.Output, fromBack.Output);
    }

    [Fact]
    public void PredictReadsAScikitLearnModelWithItsClassNames()
    {
        string directory = Cli.TemporaryDirectory();
        string input = Path.Combine(directory, "iris.csv");
        File.WriteAllText(input, "sepal_length,sepal_width,petal_length,petal_width\n5.1,3.5,1.4,0.2\n6.7,3.0,5.2,2.3\n5.9,2.8,4.3,1.3\n");

        Cli.Result predict = Cli.Run("predict", "--model", Path.Combine(Fixtures, "sklearn_logistic_multinomial_iris.onnx"), "--input", input, "--json");

        Assert.True(predict.ExitCode == 0, predict.ToString());
        Assert.Equal(["setosa", "virginica", "versicolor"], predict.JsonLines().Select(r => r.GetProperty("class").GetString()));
    }

    [Fact]
    public void AGraphNoKindExpressesIsOneLineAndExitCode1()
    {
        string directory = Cli.TemporaryDirectory();
        string model = Path.Combine(Fixtures, "torch_conv_refused.onnx");

        Cli.Result convert = Cli.Run("convert", "--model", model, "--out", Path.Combine(directory, "x.safetensors"));

        Assert.Equal(1, convert.ExitCode);
        Assert.StartsWith($"native: '{model}', byte ", convert.Error, StringComparison.Ordinal);
        Assert.Contains("Conv '/0/Conv': the op type 'Conv' is not supported", convert.Error, StringComparison.Ordinal);
        Assert.Single(convert.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.False(File.Exists(Path.Combine(directory, "x.safetensors")));
    }
}
