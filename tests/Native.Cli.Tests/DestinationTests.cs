using System.Diagnostics;

namespace Native.Cli.Tests;

/// <summary>
/// Issue 20, item 1: no destination may be an input, whatever name reaches it. <c>native train --data d.csv --out d.csv</c>
/// replaced the data with the model (exit 0); now every command that reads and writes refuses before any work, one
/// line, exit 1, and the input is untouched.
/// </summary>
public class DestinationTests
{
    /// <summary>Ways to name the data file d.csv as --out: itself, with ./, through a symbolic link, a hard link, a detour.</summary>
    public static TheoryData<string> NamesOfTheData => ["same", "dot", "symbolic link", "hard link", "detour"];

    [Theory]
    [MemberData(nameof(NamesOfTheData))]
    public void TrainRefusesAnOutThatIsItsData(string how)
    {
        string directory = Cli.TemporaryDirectory();
        string data = ArgumentAndDestinationTests.BlobsCsv(directory, name: "d.csv");
        byte[] before = File.ReadAllBytes(data);
        string output = how switch
        {
            "same" => data,
            "dot" => Path.Combine(directory, ".", "d.csv"),
            "symbolic link" => File.CreateSymbolicLink(Path.Combine(directory, "link.csv"), data).FullName,
            "hard link" => HardLink(data, Path.Combine(directory, "hard.csv")),
            _ => Path.Combine(directory, "sub", "..", "d.csv"),
        };
        Directory.CreateDirectory(Path.Combine(directory, "sub"));

        Cli.Result result = Cli.Run("train", "--data", data, "--epochs", "50", "--out", output);
        AssertRefused(result, "--out '", "is the file --data reads", "writing it would destroy what is read");
        Assert.Equal(before, File.ReadAllBytes(data));
    }

    [Fact]
    public void TrainRefusesAnOutThatIsAFileOfItsIdxDirectory()
    {
        string directory = Cli.TemporaryDirectory();
        foreach (string file in Directory.GetFiles(Cli.MnistDirectory(), "*.gz"))
        {
            File.Copy(file, Path.Combine(directory, Path.GetFileName(file)));
        }

        string labels = Directory.GetFiles(directory, "*labels*").Single();
        byte[] before = File.ReadAllBytes(labels);
        Cli.Result result = Cli.Run("train", "--data", directory, "--out", labels);
        AssertRefused(result, "is the file --data reads");
        Assert.Equal(before, File.ReadAllBytes(labels));

        // A new file beside the IDX files is fine.
        Assert.Equal(0, Cli.Run("train", "--data", directory, "--epochs", "1", "--out", Path.Combine(directory, "m.safetensors"), "--quiet").ExitCode);
    }

    [Fact]
    public void ConvertRefusesAnOutThatIsItsModel()
    {
        string directory = Cli.TemporaryDirectory();
        string model = Path.Combine(directory, "m.safetensors");
        Assert.Equal(0, Cli.Run("train", "--data", ArgumentAndDestinationTests.BlobsCsv(directory), "--epochs", "2", "--out", model, "--quiet").ExitCode);
        byte[] before = File.ReadAllBytes(model);
        string link = File.CreateSymbolicLink(Path.Combine(directory, "current.onnx"), model).FullName;

        AssertRefused(Cli.Run("convert", "--model", model, "--out", model), "--out '", "is the file --model reads");
        AssertRefused(Cli.Run("convert", "--model", model, "--out", link), "is the file --model reads");
        Assert.Equal(before, File.ReadAllBytes(model));
    }

    [Fact]
    public void ConvertRefusesADirectoryAsTrainDoesWithExitCodeOne()
    {
        // The issue: convert --out DIR exited 3 where train exits 1.
        string directory = Cli.TemporaryDirectory();
        string model = Path.Combine(directory, "m.safetensors");
        Assert.Equal(0, Cli.Run("train", "--data", ArgumentAndDestinationTests.BlobsCsv(directory), "--epochs", "2", "--out", model, "--quiet").ExitCode);
        AssertRefused(Cli.Run("convert", "--model", model, "--out", directory), "--out: ", "is a directory");
        AssertRefused(Cli.Run("train", "--data", ArgumentAndDestinationTests.BlobsCsv(directory), "--out", directory), "--out: ", "is a directory");
    }

    [Fact]
    public void OutAndPlotsMayNotNameTheSamePlace()
    {
        // The issue: --out equal to --plots passed the checks and lost the training at the save (exit 3).
        string directory = Cli.TemporaryDirectory();
        string data = ArgumentAndDestinationTests.BlobsCsv(directory);
        string both = Path.Combine(directory, "results");
        AssertRefused(Cli.Run("train", "--data", data, "--epochs", "50", "--out", both, "--plots", both), "--plots '", "is the file --out writes");
        Assert.False(Directory.Exists(both));

        // Nor --out a file the plots would overwrite.
        string plots = Directory.CreateDirectory(Path.Combine(directory, "plots")).FullName;
        AssertRefused(Cli.Run("train", "--data", data, "--epochs", "50", "--out", Path.Combine(plots, "loss.svg"), "--plots", plots), "one would overwrite the other");
        Assert.Empty(Directory.GetFileSystemEntries(plots));
    }

    private static void AssertRefused(Cli.Result result, params string[] says)
    {
        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Empty(result.Output); // before any work: not one epoch
        Assert.Single(result.Error.Trim().Split('\n'));
        Assert.StartsWith("native: ", result.Error, StringComparison.Ordinal);
        foreach (string words in says)
        {
            Assert.Contains(words, result.Error, StringComparison.Ordinal);
        }
    }

    private static string HardLink(string target, string path)
    {
        using Process process = Process.Start("ln", [target, path])!;
        process.WaitForExit();
        Assert.Equal(0, process.ExitCode);
        return path;
    }
}
