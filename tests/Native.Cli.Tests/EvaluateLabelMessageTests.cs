namespace Native.Cli.Tests;

/// <summary><c>native evaluate</c> on data without the model's label column, and <c>native train</c> with a label no column has: one line, in plain words.</summary>
public sealed class EvaluateLabelMessageTests : IDisposable
{
    private readonly string _directory = Cli.TemporaryDirectory();

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void DataWithoutTheLabelColumnIsNamedInPlainWords()
    {
        // It said "the header has no the label column 'y' besides …".
        string data = Path.Combine(_directory, "train.csv"), rows = Path.Combine(_directory, "rows.csv"), model = Path.Combine(_directory, "m.safetensors");
        File.WriteAllText(data, "a,b,y\n1,2,0\n2,3,1\n1,2,0\n3,4,1\n");
        File.WriteAllText(rows, "a,b\n1,2\n");
        Cli.Result train = Cli.Run("train", "--data", data, "--label", "y", "--epochs", "2", "--out", model, "--quiet");
        Assert.True(train.ExitCode == 0, train.ToString());

        Cli.Result evaluate = Cli.Run("evaluate", "--model", model, "--data", rows);
        Assert.NotEqual(0, evaluate.ExitCode);
        Assert.Contains($"'{rows}', line 1, column 1: the header has no label column 'y' besides the model's 2 features; evaluate needs each row's label.", evaluate.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("no the", evaluate.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("1,x,yes\n2,y,no\n3,x,yes\n4,y,no\n")]
    [InlineData("1,2,yes\n2,3,no\n3,1,yes\n4,2,no\n")]
    public void ABlankLabelIsMissingNotAnUnknownClass(string rows)
    {
        // A table model and a model of numbers alike said "the class '' is not one the model knows"; train says "missing".
        string data = Path.Combine(_directory, "train.csv"), test = Path.Combine(_directory, "test.csv"), model = Path.Combine(_directory, "m.safetensors");
        File.WriteAllText(data, "a,b,y\n" + rows);
        File.WriteAllText(test, "a,b,y\n1,2,yes\n2,1, \n");
        Cli.Result train = Cli.Run("train", "--data", data, "--epochs", "2", "--out", model, "--quiet");
        Assert.True(train.ExitCode == 0, train.ToString());

        Cli.Result evaluate = Cli.Run("evaluate", "--model", model, "--data", test);
        Assert.Equal(1, evaluate.ExitCode);
        Assert.Equal($"native: '{test}', line 3, column 5: the label is missing (empty); every row needs one.", evaluate.Error.Trim());
    }

    [Fact]
    public void ALabelThatIsAFeatureOfATableModelIsRefused()
    {
        // --label flag, a category the model reads whose values are the classes: "accuracy 1.0000", exit 0.
        string data = Path.Combine(_directory, "flags.csv"), model = Path.Combine(_directory, "flags.safetensors");
        var text = new System.Text.StringBuilder("age,flag,label\n");
        for (int i = 0; i < 60; i++)
        {
            string label = i % 2 == 0 ? "y" : "n", flag = i % 5 == 0 ? (label == "y" ? "n" : "y") : label;
            text.Append(System.Globalization.CultureInfo.InvariantCulture, $"{20 + (i % 13)},{flag},{label}\n");
        }

        File.WriteAllText(data, text.ToString());
        Cli.Result train = Cli.Run("train", "--data", data, "--epochs", "5", "--out", model, "--quiet");
        Assert.True(train.ExitCode == 0, train.ToString());

        Cli.Result evaluate = Cli.Run("evaluate", "--model", model, "--data", data, "--label", "flag");
        Assert.Equal(1, evaluate.ExitCode);
        Assert.Equal("native: --label flag: the column 'flag' is one the model reads, a category feature; measured against it, the model would be graded on its own input. Name the label column with --label (the model's is 'label').", evaluate.Error.Trim());
        Assert.Empty(evaluate.Output);
        Assert.Equal(0, Cli.Run("evaluate", "--model", model, "--data", data).ExitCode);
    }

    [Fact]
    public void ALabelNotFoundShowsTheLastColumnsOfAWideHeader()
    {
        // 31 columns, the label last: the message listed the first ten and hid it.
        string data = Path.Combine(_directory, "wide.csv");
        File.WriteAllText(data, string.Join(',', Enumerable.Range(0, 30).Select(i => $"f{i}").Append("label")) + "\n" + string.Join(',', Enumerable.Repeat("1", 31)) + "\n");
        Cli.Result train = Cli.Run("train", "--data", data, "--label", "target", "--epochs", "1");
        Assert.Equal(1, train.ExitCode);
        Assert.Contains("no column is named 'target', the label; the header names 'f0', 'f1', 'f2', 'f3', 'f4', 'f5', 'f6', 'f7', …, 'f29', 'label' (31 in all).", train.Error, StringComparison.Ordinal);
        Assert.Single(train.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    /// <summary>
    /// A new user's <c>--label Label</c> (or <c>Default</c>) where the column is <c>label</c>: the message names the column
    /// they meant. Only a difference of case or surrounding spaces, and only one such column.
    /// </summary>
    [Fact]
    public void ALabelNamedInAnotherCaseIsSuggested()
    {
        string data = Path.Combine(_directory, "cases.csv");
        File.WriteAllText(data, "a,b,label\n1,2,0\n2,3,1\n");
        Cli.Result train = Cli.Run("train", "--data", data, "--label", "Label", "--epochs", "1");
        Assert.Equal(1, train.ExitCode);
        Assert.Contains("no column is named 'Label', the label (did you mean 'label'?); the header names 'a', 'b', 'label'.", train.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("did you mean", Cli.Run("train", "--data", data, "--label", "target", "--epochs", "1").Error, StringComparison.Ordinal);

        // Two columns that differ from it only in case: no guess.
        File.WriteAllText(data, "LABEL,b,label\n1,2,0\n2,3,1\n");
        Assert.DoesNotContain("did you mean", Cli.Run("train", "--data", data, "--label", "Label", "--epochs", "1").Error, StringComparison.Ordinal);
    }

    /// <summary>
    /// Evaluating a model on a file of other columns listed the file's header as one quoted string cut at 40 characters
    /// ("'loan_id, income, loan_amount, interest_r…'"): now as the train command lists a header, each name quoted, the
    /// last two of a wide one shown.
    /// </summary>
    [Fact]
    public void AFeatureNotFoundListsTheHeaderAsTrainDoes()
    {
        string data = Path.Combine(_directory, "train.csv"), other = Path.Combine(_directory, "other.csv"), model = Path.Combine(_directory, "m.safetensors");
        File.WriteAllText(data, "a,b,y\n1,2,0\n2,3,1\n1,2,0\n3,4,1\n");
        File.WriteAllText(other, string.Join(',', Enumerable.Range(0, 12).Select(i => $"column_number_{i}").Append("y")) + "\n" + string.Join(',', Enumerable.Repeat("1", 13)) + "\n");
        Assert.Equal(0, Cli.Run("train", "--data", data, "--label", "y", "--epochs", "1", "--out", model, "--quiet").ExitCode);
        Cli.Result evaluate = Cli.Run("evaluate", "--model", model, "--data", other);
        Assert.Equal(1, evaluate.ExitCode);
        Assert.Contains("no column is named 'a', the model's feature 0; the header names 'column_number_0', 'column_number_1', ", evaluate.Error, StringComparison.Ordinal);
        Assert.Contains(", …, 'column_number_11', 'y' (13 in all).", evaluate.Error, StringComparison.Ordinal);

        File.WriteAllText(other, "A,b,y\n1,2,0\n");
        Assert.Contains("no column is named 'a', the model's feature 0 (did you mean 'A'?)", Cli.Run("evaluate", "--model", model, "--data", other).Error, StringComparison.Ordinal);
    }
}
