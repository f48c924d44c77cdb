using System.Globalization;
using System.Text;

namespace Native.Cli.Tests;

/// <summary>
/// Classes named in the data (text labels) are named wherever the command prints a class: the confusion matrix of
/// <c>train</c> and <c>evaluate</c> heads its rows and columns with them, as the per-class table does, a class the model
/// never gets right is named under that table, and <c>predict</c>'s
/// text output quotes a name holding a space, so that its lines still split into their fields.
/// </summary>
public sealed class ClassNameOutputTests : IDisposable
{
    private readonly string _directory = Cli.TemporaryDirectory();

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    /// <summary>Two well-separated groups of rows, labelled <paramref name="first"/> and <paramref name="second"/>.</summary>
    private string Groups(string first, string second)
    {
        var text = new StringBuilder("x,y,kind\n");
        for (int i = 0; i < 80; i++)
        {
            bool one = i % 2 == 0;
            text.Append(CultureInfo.InvariantCulture, $"{(one ? 1 : -1) * (2 + (i % 5 * 0.1)):0.0##},{(one ? 1 : -1) * (1 + (i % 3 * 0.2)):0.0##},\"{(one ? first : second).Replace("\"", "\"\"", StringComparison.Ordinal)}\"\n");
        }

        string data = Path.Combine(_directory, "groups.csv");
        File.WriteAllText(data, text.ToString());
        return data;
    }

    [Fact]
    public void TheConfusionMatrixNamesTheClasses()
    {
        string data = Groups("churned", "a very long class name"), model = Path.Combine(_directory, "m.safetensors");
        Cli.Result train = Cli.Run("train", "--data", data, "--epochs", "20", "--out", model, "--quiet");
        Assert.True(train.ExitCode == 0, train.ToString());
        Cli.Result evaluate = Cli.Run("evaluate", "--model", model, "--data", data);
        Assert.True(evaluate.ExitCode == 0, evaluate.ToString());

        foreach (string output in new[] { train.Output, evaluate.Output })
        {
            string matrix = output[output.IndexOf("Confusion matrix", StringComparison.Ordinal)..];
            string[] lines = matrix.Split('\n', StringSplitOptions.RemoveEmptyEntries);

            // Classes in ordinal order: "a very long class name" (cut to 12 characters in a column's head), then "churned".
            Assert.Equal("actual                  a very long…      churned", lines[2].TrimEnd());
            Assert.Equal("a very long class name            40            0", lines[3].TrimEnd());
            Assert.Equal("               churned             0           40", lines[4].TrimEnd());
        }
    }

    /// <summary>evaluate --json gave the confusion matrix with nothing saying which class each row and column is, and no per-class metrics.</summary>
    [Fact]
    public void EvaluateJsonNamesTheClassesOfItsMatrixAndScoresEach()
    {
        string data = Groups("churned", "a very long class name"), model = Path.Combine(_directory, "m.safetensors");
        Cli.Result train = Cli.Run("train", "--data", data, "--epochs", "20", "--out", model, "--quiet");
        Assert.True(train.ExitCode == 0, train.ToString());
        Cli.Result evaluate = Cli.Run("evaluate", "--model", model, "--data", data, "--json");
        Assert.True(evaluate.ExitCode == 0, evaluate.ToString());

        System.Text.Json.JsonElement json = evaluate.JsonLines().Single();
        Assert.Equal(["a very long class name", "churned"], json.GetProperty("classes").EnumerateArray().Select(name => name.GetString()!));
        Assert.Equal([[40, 0], [0, 40]], json.GetProperty("confusion_matrix").EnumerateArray().Select(row => row.EnumerateArray().Select(cell => cell.GetInt32()).ToArray()));
        System.Text.Json.JsonElement[] perClass = [.. json.GetProperty("per_class").EnumerateArray()];
        Assert.Equal(2, perClass.Length);
        Assert.Equal("churned", perClass[1].GetProperty("class").GetString());
        Assert.Equal(1.0, perClass[1].GetProperty("precision").GetDouble());
        Assert.Equal(1.0, perClass[1].GetProperty("recall").GetDouble());
        Assert.Equal(1.0, perClass[1].GetProperty("f1").GetDouble());
        Assert.Equal(40, perClass[1].GetProperty("support").GetInt32());
    }

    [Fact]
    public void IndexNamedClassesKeepTheMatrixTheyHad()
    {
        string data = Groups("0", "1"), model = Path.Combine(_directory, "m.safetensors");
        Cli.Result train = Cli.Run("train", "--data", data, "--epochs", "20", "--out", model, "--quiet");
        Assert.True(train.ExitCode == 0, train.ToString());
        Assert.Contains("        predicted →\nactual   0  1\n     0  40  0\n     1   0 40", train.Output.Replace("\r", "", StringComparison.Ordinal), StringComparison.Ordinal);
    }

    /// <summary>
    /// A rare class that a short training never answers: the per-class table shows its zeros, and a line under it names
    /// it and what may help; a model that gets every class right has no such line.
    /// </summary>
    [Fact]
    public void AClassNeverPredictedRightIsNamed()
    {
        var text = new StringBuilder("x,y,kind\n");
        for (int i = 0; i < 200; i++)
        {
            string kind = i % 20 == 0 ? "rare" : i % 2 == 0 ? "common" : "usual";
            double x = kind == "usual" ? 2 : kind == "rare" ? 0.3 : -2;
            text.Append(CultureInfo.InvariantCulture, $"{x + (i % 7 * 0.05):0.0##},{i % 5 * 0.1:0.0},{kind}\n");
        }

        string data = Path.Combine(_directory, "rare.csv");
        File.WriteAllText(data, text.ToString());
        Cli.Result few = Cli.Run("train", "--data", data, "--epochs", "1", "--quiet");
        Assert.True(few.ExitCode == 0, few.ToString());
        Assert.Contains("Not one row of class 'rare' (10 rows) is predicted right: more --epochs, or --class-weight balanced for a rare class, may help.", few.Output, StringComparison.Ordinal);
        Assert.StartsWith("Trained 1 epoch (stopped: the epoch limit; kept epoch 1)", few.Output, StringComparison.Ordinal); // not "1 epochs"

        Cli.Result separated = Cli.Run("train", "--data", Groups("a", "b"), "--epochs", "20", "--quiet");
        Assert.True(separated.ExitCode == 0, separated.ToString());
        Assert.DoesNotContain("Not one row", separated.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void PredictQuotesANameHoldingASpace()
    {
        string data = Groups("big, \"round\"", "small"), model = Path.Combine(_directory, "m.safetensors");
        Cli.Result train = Cli.Run("train", "--data", data, "--epochs", "20", "--out", model, "--quiet");
        Assert.True(train.ExitCode == 0, train.ToString());

        Cli.Result predict = Cli.Run("predict", "--model", model, "--input", data);
        Assert.True(predict.ExitCode == 0, predict.ToString());
        string[] lines = predict.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("class \"big, \"\"round\"\"\" small", lines[0]);
        Assert.Matches("^\"big, \"\"round\"\"\" 0\\.9\\d{5} 0\\.0\\d{5}$", lines[1]);
        Assert.Matches("^small 0\\.0\\d{5} 0\\.9\\d{5}$", lines[2]);
    }
}
