using System.Globalization;
using System.Text;
using Native.Numerics;

namespace Native.Cli.Tests;

/// <summary>
/// A label of numbers that are not all whole is a regression's targets: a classifier refuses it in one line naming the
/// models that take it (softmax made each distinct value a class: 500 classes of one row each), and a Parquet file's
/// float label trains <c>--model mlp</c> as a regressor, as a CSV file's does.
/// </summary>
public sealed class ValueLabelTests : IDisposable
{
    private static readonly string Fixtures = Path.Combine(Cli.RepositoryRoot(), "tests", "Native.Numerics.Parquet.Tests", "Fixtures");

    private readonly string _directory = Cli.TemporaryDirectory();

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Theory]
    [InlineData("softmax")]
    [InlineData("logistic")]
    [InlineData(null)]
    public void AClassifierRefusesALabelOfValues(string? model)
    {
        var text = new StringBuilder("x,y\n");
        for (int i = 0; i < 60; i++)
        {
            text.Append(CultureInfo.InvariantCulture, $"{i},{0.25 * i}\n");
        }

        string data = Path.Combine(_directory, "values.csv"), output = Path.Combine(_directory, "m.safetensors");
        File.WriteAllText(data, text.ToString());
        string[] choice = model is null ? [] : ["--model", model];
        Cli.Result train = Cli.Run(["train", "--data", data, "--label", "y", "--epochs", "2", "--out", output, "--quiet", .. choice]);

        Assert.True(train.ExitCode == 1, train.ToString());
        string error = train.Error.Trim();
        Assert.DoesNotContain('\n', error);
        Assert.Contains($"'{data}': the label column 'y' holds numbers that are not all whole (such as '0.25'): values, not classes; --model {model ?? "softmax"} would make each of its 60 distinct values a class. Use --model linear or mlp-regressor for a regression.", error, StringComparison.Ordinal);
        Assert.False(File.Exists(output));

        // Streamed rows are refused the same way (they trained a softmax over the values).
        Cli.Result streamed = Cli.Run(["train", "--data", data, "--label", "y", "--stream", "--epochs", "2", "--out", output, "--quiet", .. choice]);
        Assert.True(streamed.ExitCode == 1, streamed.ToString());
        Assert.Contains("the label column 'y' holds numbers that are not all whole (such as '0.25')", streamed.Error, StringComparison.Ordinal);
        Assert.False(File.Exists(output));

        // What it names works; whole numbers stay classes.
        Assert.Equal(0, Cli.Run("train", "--data", data, "--label", "y", "--model", "linear", "--epochs", "2", "--quiet").ExitCode);
        File.WriteAllText(data, "x,y\n1,1.0\n2,2.0\n3,1.0\n4,2.0\n");
        Assert.Equal(0, Cli.Run("train", "--data", data, "--label", "y", "--epochs", "2", "--quiet").ExitCode);
    }

    [Fact]
    public void MlpTrainsAParquetFloatLabelAsARegressor()
    {
        // It refused: "the label column 'target' holds DOUBLE numbers; classes are …", where the same rows as CSV trained.
        string output = Path.Combine(_directory, "regression.safetensors");
        Cli.Result train = Cli.Run("train", "--data", Path.Combine(Fixtures, "regression.parquet"), "--label", "target", "--model", "mlp", "--hidden", "8", "--epochs", "3", "--out", output, "--quiet");
        Assert.True(train.ExitCode == 0, train.ToString());
        Assert.Equal(ModelKind.MultilayerPerceptronRegressor, ModelFile.Load(output).Shape.Kind);
    }

    [Fact]
    public void ASoftmaxOnAParquetFloatLabelNamesTheModelsThatTakeIt()
    {
        Cli.Result train = Cli.Run("train", "--data", Path.Combine(Fixtures, "regression.parquet"), "--label", "target", "--epochs", "2", "--quiet");
        Assert.NotEqual(0, train.ExitCode);
        Assert.Contains("holds DOUBLE numbers; classes are integers, booleans or text. Read it as regression targets (ParquetLabels.Regression; native: --model linear or mlp-regressor)", train.Error, StringComparison.Ordinal);
    }

    /// <summary>
    /// Streamed, <c>--model mlp</c> infers as in memory: a CSV label of values (not all whole) and a Parquet float label
    /// train the perceptron regressor — both were refused, the CSV one as "values, not classes; Use --model linear or
    /// mlp-regressor", the Parquet one as "numbers with fractions: regression targets" — and whole labels stay classes.
    /// </summary>
    [Fact]
    public void StreamedMlpInfersARegressorAsInMemory()
    {
        var text = new StringBuilder("x,y\n");
        for (int i = 0; i < 60; i++)
        {
            text.Append(CultureInfo.InvariantCulture, $"{i},{0.25 * i}\n");
        }

        string csv = Path.Combine(_directory, "values.csv");
        File.WriteAllText(csv, text.ToString());
        foreach ((string data, string label) in new[] { (csv, "y"), (Path.Combine(Fixtures, "regression.parquet"), "target") })
        {
            string output = Path.Combine(_directory, Path.GetFileNameWithoutExtension(data) + ".safetensors"), memory = output + ".memory";
            Cli.Result streamed = Cli.Run("train", "--data", data, "--label", label, "--model", "mlp", "--hidden", "8", "--epochs", "3", "--stream", "--cache", Path.Combine(_directory, "cache"), "--out", output, "--quiet");
            Assert.True(streamed.ExitCode == 0, streamed.ToString());
            Cli.Result inMemory = Cli.Run("train", "--data", data, "--label", label, "--model", "mlp", "--hidden", "8", "--epochs", "3", "--out", memory, "--quiet");
            Assert.True(inMemory.ExitCode == 0, inMemory.ToString());
            Assert.Equal(ModelKind.MultilayerPerceptronRegressor, ModelFile.Load(output).Shape.Kind);
            Assert.Equal(ModelFile.Load(memory).Shape, ModelFile.Load(output).Shape);
        }

        // Whole numbers stay classes, streamed too.
        File.WriteAllText(csv, "x,y\n1,1\n2,2\n3,1\n4,2\n");
        string classifier = Path.Combine(_directory, "classes.safetensors");
        Cli.Result classes = Cli.Run("train", "--data", csv, "--label", "y", "--model", "mlp", "--hidden", "4", "--epochs", "2", "--stream", "--cache", Path.Combine(_directory, "cache2"), "--out", classifier, "--quiet");
        Assert.True(classes.ExitCode == 0, classes.ToString());
        Assert.Equal(ModelKind.MultilayerPerceptron, ModelFile.Load(classifier).Shape.Kind);
        Assert.Equal(["1", "2"], ModelFile.Load(classifier).ClassNames);
    }
}
