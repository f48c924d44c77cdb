using System.Text;
using System.Text.Json;

namespace Native.Cli.Tests;

/// <summary>
/// Issue 20's minor items on the command line: options given where they do nothing are refused, numbers and choices
/// are parsed in the command's words (issue 19, item 3: choices as enums, listed in --help), and messages that
/// misled now say what is wrong.
/// </summary>
public class OptionsAndMessagesTests
{
    private static void AssertOneLine(Cli.Result result, int code, params string[] says)
    {
        Assert.True(result.ExitCode == code, result.ToString());
        Assert.Single(result.Error.Trim().Split('\n'));
        Assert.StartsWith("native: ", result.Error, StringComparison.Ordinal);
        foreach (string words in says)
        {
            Assert.Contains(words, result.Error, StringComparison.Ordinal);
        }
    }

    public static TheoryData<string[], string> IgnoredSettings => new()
    {
        { ["--hidden", "64"], "--hidden sets a perceptron's hidden layers; it does nothing for --model softmax." },
        { ["--activation", "tanh"], "--activation sets a perceptron's hidden activation; it does nothing for --model softmax." },
        { ["--momentum", "0.5"], "--momentum is the γ of --optimizer momentum and nesterov; it does nothing for --optimizer sgd." },
        { ["--optimizer", "adam", "--momentum", "0.5"], "it does nothing for --optimizer adam." },
        { ["--patience", "3"], "--patience is how long --early-stopping waits; without --early-stopping it does nothing." },
        { ["--model", "linear", "--class-weight", "balanced"], "--class-weight weights classes; a linear regression has none." },
        { ["--max-compression-ratio", "50"], "--max-compression-ratio limits gzip IDX files;" },
    };

    [Theory]
    [MemberData(nameof(IgnoredSettings))]
    public void ASettingThatWouldDoNothingIsRefused(string[] settings, string says)
    {
        // The issue: --hidden with softmax, --patience without early stopping, --momentum with sgd were silently ignored.
        string data = ArgumentAndDestinationTests.BlobsCsv(Cli.TemporaryDirectory());
        Cli.Result result = Cli.Run(["train", "--data", data, "--epochs", "50", .. settings]);
        AssertOneLine(result, 1, says);
        Assert.Empty(result.Output);
    }

    [Fact]
    public void SettingsThatApplyAreAccepted()
    {
        string data = ArgumentAndDestinationTests.BlobsCsv(Cli.TemporaryDirectory());
        Assert.Equal(0, Cli.Run("train", "--data", data, "--epochs", "2", "--model", "mlp", "--hidden", "4", "--activation", "tanh", "--optimizer", "nesterov", "--momentum", "0.5", "--quiet").ExitCode);
        Assert.Equal(0, Cli.Run("train", "--data", data, "--epochs", "2", "--early-stopping", "--patience", "1", "--quiet").ExitCode);
    }

    [Theory]
    [InlineData("--max-compression-ratio", "NaN", "--max-compression-ratio takes a whole number; got 'NaN'.")]
    [InlineData("--epochs", "many", "--epochs takes a whole number; got 'many'.")]
    [InlineData("--lr", "fast", "--lr takes a number (like 0.01 or 1e-3); got 'fast'.")]
    [InlineData("--model", "forest", "--model must be one of softmax, logistic, linear, mlp, mlp-regressor; got 'forest'.")]
    [InlineData("--activation", "gelu", "--activation must be one of relu, tanh, sigmoid, leaky-relu; got 'gelu'.")]
    public void AValueThatIsNotOneIsRefusedInTheCommandsWords(string option, string value, string says)
    {
        // The issue: --max-compression-ratio NaN answered with the .NET type name System.Nullable`1[System.Int32].
        Cli.Result result = Cli.Run("train", "--data", Cli.MnistDirectory(), option, value);
        AssertOneLine(result, 1, says);
        Assert.DoesNotContain("System.", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void HelpListsEveryChoiceAndSaysOnnxWorksToo()
    {
        string help = Cli.Run("train", "--help").Output;
        Assert.Contains("--model <softmax|logistic|linear|mlp|mlp-regressor>", help, StringComparison.Ordinal);
        Assert.Contains("--activation <relu|tanh|sigmoid|leaky-relu>", help, StringComparison.Ordinal);
        Assert.Contains("--optimizer <sgd|momentum|nesterov|adam>", help, StringComparison.Ordinal);
        Assert.Contains("[default: softmax]", help, StringComparison.Ordinal);
        Assert.Contains("ONNX if it ends in .onnx", help, StringComparison.Ordinal);
        Assert.Contains(".onnx", Cli.Run("predict", "--help").Output, StringComparison.Ordinal);
        Assert.Contains("--match-classes <name|index>", Cli.Run("evaluate", "--help").Output, StringComparison.Ordinal);
    }

    /// <summary>
    /// Train's help named CSV and IDX only, and its --format's default "idx for a directory", where train reads Parquet
    /// files and directories of them by default, and directories of CSV files as CSV; predict's default left Parquet out.
    /// Help lines wrap on a narrow console, so the text is compared with its white space collapsed.
    /// </summary>
    [Fact]
    public void HelpSaysWhatDataEachCommandReadsByDefault()
    {
        static string Help(string command) => System.Text.RegularExpressions.Regex.Replace(Cli.Run(command, "--help").Output, @"\s+", " ");
        string train = Help("train");
        Assert.Contains("Parquet files (a file, a directory of them, or a pattern)", train, StringComparison.Ordinal);
        Assert.Contains("default: parquet for .parquet files and directories of them, csv for a CSV file and for directories and patterns of .csv files, idx for other directories", train, StringComparison.Ordinal);
        Assert.Contains("CSV and Parquet: the label column", train, StringComparison.Ordinal);
        Assert.DoesNotContain("default: idx for a directory, csv otherwise", train, StringComparison.Ordinal);
        Assert.Contains("default: parquet for .parquet files and directories of them, idx for another directory", Help("predict"), StringComparison.Ordinal);

        // Every table choice says its default, as the README says help does.
        Assert.Contains("what a blank (or null) number becomes (default: mean, the training rows' mean)", train, StringComparison.Ordinal);
        Assert.Contains("all zeros, or an error (default: ignore, all zeros)", train, StringComparison.Ordinal);
    }

    [Fact]
    public void ChoicesReachTheModelFile()
    {
        // The words the user typed are what the file's training.* properties keep.
        string directory = Cli.TemporaryDirectory();
        string model = Path.Combine(directory, "m.safetensors");
        Assert.Equal(0, Cli.Run("train", "--data", ArgumentAndDestinationTests.BlobsCsv(directory), "--epochs", "2", "--model", "mlp", "--hidden", "3", "--activation", "leaky-relu", "--optimizer", "adam", "--out", model, "--quiet").ExitCode);
        Native.Numerics.TrainedModel loaded = Native.Numerics.ModelFile.Load(model);
        Assert.Equal("mlp", loaded.Properties["training.model"]);
        Assert.Equal("adam", loaded.Properties["training.optimizer"]);
        Assert.Equal(Native.Numerics.Activation.LeakyRelu, loaded.Shape.HiddenActivations[0]);
    }

    [Fact]
    public void MisleadingMessagesNowSayWhatIsWrong()
    {
        string directory = Cli.TemporaryDirectory();
        string model = Path.Combine(directory, "m.safetensors");
        string data = ArgumentAndDestinationTests.BlobsCsv(directory);
        Assert.Equal(0, Cli.Run("train", "--data", data, "--epochs", "2", "--out", model, "--quiet").ExitCode);

        // predict --model DIR said "Access to the path … is denied".
        AssertOneLine(Cli.Run("predict", "--model", directory, "--input", data), 1, $"--model '{directory}' is a directory; it names a model file");

        // A model linked to /dev/zero said "the file is empty".
        string zero = File.CreateSymbolicLink(Path.Combine(directory, "zero.safetensors"), "/dev/zero").FullName;
        AssertOneLine(Cli.Run("predict", "--model", zero, "--input", data), 1, "(a link to '/dev/zero') is a character device, not a model file");

        // --format csv on an IDX directory said it "does not exist".
        AssertOneLine(Cli.Run("train", "--data", Cli.MnistDirectory(), "--format", "csv"), 1, "is a directory; --format csv reads a CSV file");
        AssertOneLine(Cli.Run("evaluate", "--model", model, "--data", Cli.MnistDirectory(), "--format", "csv"), 1, "is a directory; --format csv reads a CSV file");

        // --input - --format idx said "Could not find file '…/-'".
        AssertOneLine(Cli.Run("predict", "--model", model, "--input", "-", "--format", "idx"), 1, "--input - (standard input) is read as CSV; --format idx reads an IDX images file");
    }

    [Fact]
    public void ALabelColumnNamedLikeAFeatureIsRefusedWhenTraining()
    {
        // The issue: header a,b,a trained and saved; evaluate and predict then refused the same file. Now train refuses
        // it too, at the same line and column, with the words predict uses.
        string directory = Cli.TemporaryDirectory();
        string data = Path.Combine(directory, "aba.csv");
        File.WriteAllText(data, "a,b,a\n1,2,x\n2,1,y\n1,1,x\n3,3,y\n");
        string model = Path.Combine(directory, "m.safetensors");
        Cli.Result train = Cli.Run("train", "--data", data, "--out", model);
        AssertOneLine(train, 1, $"'{data}', line 1, column 5: two columns are named 'a'");
        Assert.False(File.Exists(model));
    }

    [Fact]
    public void ALabelNumberThatIsAlsoAColumnsNameIsRefusedAsAmbiguous()
    {
        // The issue: --label 1 with columns named "1" and "label" took the index, silently. Neither reading is safe.
        string directory = Cli.TemporaryDirectory();
        string data = Path.Combine(directory, "d.csv");
        File.WriteAllText(data, "1,label,z\n0,1,0.5\n1,0,0.7\n0,1,0.1\n1,0,0.9\n"); // either column could be the label
        AssertOneLine(Cli.Run("train", "--data", data, "--label", "1"), 1, "--label 1 is ambiguous", "column 0 is named '1', and column 1 ('label') is at index 1", "--label 0 or --label 'label'");

        // Either, named unambiguously, trains.
        Assert.Equal(0, Cli.Run("train", "--data", data, "--label", "label", "--epochs", "1", "--quiet").ExitCode);
        Assert.Equal(0, Cli.Run("train", "--data", data, "--label", "0", "--epochs", "1", "--quiet").ExitCode);

        // Names that are each other's indices: "--label 0" is as ambiguous, and was suggested.
        File.WriteAllText(data, "1,0,label\n0,1,a\n1,0,b\n");
        AssertOneLine(Cli.Run("train", "--data", data, "--label", "1"), 1, "--label 1 is ambiguous", "column 0 is named '1', and column 1 ('0') is at index 1", "Neither can be named alone: each one's name and index both name other columns. Rename column 0 or 1.");

        // A third column named "1" makes only the first two a pair: the label at index 2 is "--label 2".
        File.WriteAllText(data, "2,0,label\n0,1,a\n1,0,b\n");
        AssertOneLine(Cli.Run("train", "--data", data, "--label", "2"), 1, "--label 2 is ambiguous", "column 0 is named '2', and column 2 ('label') is at index 2", "Name it --label 'label', or rename column 0: its name and its index both name other columns.");

        // A number that names no column is an index, as before; one naming the column at that index is not ambiguous.
        File.WriteAllText(data, "x,y,2\n0,1,a\n1,0,b\n");
        Assert.Equal(0, Cli.Run("train", "--data", data, "--label", "2", "--epochs", "1", "--quiet").ExitCode);
    }

    [Fact]
    public void IdxLabelsOfOneClassAreRefusedAsCsvOnesAre()
    {
        // The issue: IDX labels all of one class trained a ten-class model to accuracy 1.0.
        string directory = Cli.TemporaryDirectory();
        Native.Numerics.IdxImages images = Native.Numerics.Idx.ReadImages(Directory.GetFiles(Cli.MnistDirectory(), "*images*")[0]);
        int count = 50;
        using (var file = File.Create(Path.Combine(directory, "one-images-idx3-ubyte")))
        {
            file.Write([0, 0, 8, 3, 0, 0, 0, (byte)count, 0, 0, 0, 28, 0, 0, 0, 28]);
            file.Write(images.Pixels[..(count * 784)]);
        }

        using (var file = File.Create(Path.Combine(directory, "one-labels-idx1-ubyte")))
        {
            file.Write([0, 0, 8, 1, 0, 0, 0, (byte)count]);
            file.Write(Enumerable.Repeat((byte)7, count).ToArray());
        }

        AssertOneLine(Cli.Run("train", "--data", directory), 1, "one-labels-idx1-ubyte' holds only one class ('7') in 50 labels; classification needs at least 2 classes.");
    }

    [Fact]
    public void DemoChecksMnistBeforeRunningAnyExample()
    {
        // The issue: demo --mnist /nonexistent ran the five examples, then failed.
        Cli.Result result = Cli.Run("demo", "--mnist", "/nonexistent");
        AssertOneLine(result, 1, "--mnist '/nonexistent' is not a directory");
        Assert.Empty(result.Output);
    }

    [Fact]
    public void JsonQuietPrintsOnlyTheSummary()
    {
        // The issue: train --json --quiet still printed every epoch.
        Cli.Result result = Cli.Run("train", "--data", ArgumentAndDestinationTests.BlobsCsv(Cli.TemporaryDirectory()), "--epochs", "5", "--json", "--quiet");
        JsonElement summary = Assert.Single(result.JsonLines());
        Assert.True(summary.GetProperty("summary").GetBoolean());
        Assert.Equal("training", summary.GetProperty("evaluated_on").GetString());
        Assert.Equal(200, summary.GetProperty("rows").GetInt32());
    }

    [Fact]
    public void TheModelLineSaysParametersAndFileSizeApart()
    {
        // The issue: "Model: N bytes" meant the parameters without --out and the file's size with it.
        string directory = Cli.TemporaryDirectory();
        string data = ArgumentAndDestinationTests.BlobsCsv(directory), model = Path.Combine(directory, "m.safetensors");
        Assert.Contains("Model: 6 parameters (24 bytes as float32).", Cli.Run("train", "--data", data, "--epochs", "1", "--quiet").Output, StringComparison.Ordinal);
        string saved = Cli.Run("train", "--data", data, "--epochs", "1", "--quiet", "--out", model).Output;
        Assert.Contains($"Model: 6 parameters (24 bytes as float32); saved to {model} ({new FileInfo(model).Length:N0} bytes).", saved, StringComparison.Ordinal);
        Assert.StartsWith("Trained ", saved, StringComparison.Ordinal); // --quiet: no blank line before the summary
    }

    [Fact]
    public void EvaluateOnAnUnnamedModelSuggestsMatchingByIndex()
    {
        // A model without class names (as PyTorch exports them) and data with text labels: say how to map them.
        string directory = Cli.TemporaryDirectory();
        string numbered = Path.Combine(directory, "numbered.csv"), named = Path.Combine(directory, "named.csv");
        var rows = new StringBuilder("x,y,label\n");
        var texts = new StringBuilder("x,y,label\n");
        for (int i = 0; i < 100; i++)
        {
            rows.Append(System.Globalization.CultureInfo.InvariantCulture, $"{i % 2 * 3},{i % 3},{i % 2}\n");
            texts.Append(System.Globalization.CultureInfo.InvariantCulture, $"{i % 2 * 3},{i % 3},{(i % 2 == 0 ? "cat" : "dog")}\n");
        }

        File.WriteAllText(numbered, rows.ToString());
        File.WriteAllText(named, texts.ToString());

        // x decides the class: class 1 when x is 3, class 0 when it is 0. No class names are saved.
        var softmax = new Native.Numerics.SoftmaxRegression(2, 2);
        softmax.Parameters.Clear();
        softmax.Parameters[0] = -2f; // class 0's weight on x
        softmax.Parameters[2] = 2f;  // class 1's weight on x
        softmax.Parameters[5] = -3f; // class 1's bias
        string model = Path.Combine(directory, "m.onnx");
        Native.Numerics.ModelFile.Save(softmax, model);
        Cli.Result plain = Cli.Run("evaluate", "--model", model, "--data", numbered, "--json");
        Assert.True(plain.ExitCode == 0, plain.ToString());
        Assert.Equal(1.0, Assert.Single(plain.JsonLines()).GetProperty("accuracy").GetDouble());

        AssertOneLine(Cli.Run("evaluate", "--model", model, "--data", named), 1, "line 2, column 5: the class 'cat' is not one the model knows", "pass --match-classes index");
        Cli.Result byIndex = Cli.Run("evaluate", "--model", model, "--data", named, "--match-classes", "index", "--json");
        Assert.True(byIndex.ExitCode == 0, byIndex.ToString());
        Assert.Equal(1.0, Assert.Single(byIndex.JsonLines()).GetProperty("accuracy").GetDouble());
    }
}
