using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace Native.Cli.Tests;

/// <summary>
/// Settings and destinations refused before any training, each in one line of the command's own words; and what
/// a run leaves behind when it is stopped, diverges or is killed.
/// </summary>
public class ArgumentAndDestinationTests
{
    /// <summary>A small CSV of two blobs (2 features, classes a and b).</summary>
    internal static string BlobsCsv(string directory, int rows = 200, string name = "blobs.csv")
    {
        var random = new Random(4);
        var text = new StringBuilder("x,y,label\n");
        for (int i = 0; i < rows; i++)
        {
            int k = i % 2;
            text.Append(CultureInfo.InvariantCulture, $"{(k * 3) + random.NextDouble():F4},{random.NextDouble():F4},{(k == 0 ? "a" : "b")}\n");
        }

        string path = Path.Combine(directory, name);
        File.WriteAllText(path, text.ToString());
        return path;
    }

    private static void AssertOneLine(Cli.Result result, int code, params string[] says)
    {
        Assert.True(result.ExitCode == code, result.ToString());
        Assert.Single(result.Error.Trim().Split('\n'));
        Assert.StartsWith("native: ", result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("(Parameter '", result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("Actual value", result.Error, StringComparison.Ordinal);
        foreach (string words in says)
        {
            Assert.Contains(words, result.Error, StringComparison.Ordinal);
        }
    }

    public static TheoryData<string[], string> BadSettings => new()
    {
        { ["--threads", "3"], $"--threads must be between 1 and {Environment.ProcessorCount} (the processors here; more threads only slow training), got 3." },
        { ["--threads", "20000"], "--threads must be between 1 and" },
        { ["--threads", "0"], "--threads must be between 1 and" },
        { ["--validation", "NaN"], "--validation must be a fraction from 0 up to (not including) 1, got NaN." },
        { ["--validation", "1"], "--validation must be a fraction" },
        { ["--early-stopping", "--patience", "0"], "--patience must be at least 1 with --early-stopping" },
        { ["--epochs", "0"], "--epochs must be at least 1, got 0." },
        { ["--batch", "-5"], "--batch must be at least 1, got -5." },
        { ["--lr", "NaN"], "--lr must be a positive number, got NaN." },
        { ["--lr", "-1"], "--lr must be a positive number" },
        { ["--optimizer", "momentum", "--momentum", "1.5"], "--momentum must be from 0 up to (not including) 1" },
        { ["--l2", "-0.1"], "--l2 must be 0 or a positive number" },
        { ["--max-field-length", "0"], "--max-field-length must be at least 1, got 0." },
        { ["--model", "mlp", "--hidden", "20000000,20000000"], "A mlp model of 2-20000000-20000000-2 is too large to build here (check --hidden)" },
        { ["--model", "mlp", "--hidden", "20000000"], "A mlp model of 2-20000000-2 is too large to build here (check --hidden): the scratch memory its layers need per thread is more than an array holds." },
    };

    [Theory]
    [MemberData(nameof(BadSettings))]
    public void BadSettingsAreOneLineInTheCommandsWords(string[] settings, string says)
    {
        string data = BlobsCsv(Cli.TemporaryDirectory());
        Cli.Result result = Cli.Run(["train", "--data", data, "--quiet", .. settings]);
        AssertOneLine(result, 1, says);
        Assert.Empty(result.Output);
    }

    public static TheoryData<string> Destinations => ["directory", "fifo", "missing directory", "device"];

    [Theory]
    [MemberData(nameof(Destinations))]
    public void ABadOutIsRefusedBeforeTraining(string kind)
    {
        // The issue's /dev/null became a 1,164-byte regular file, and an --out directory failed after all the work.
        string directory = Cli.TemporaryDirectory();
        string data = BlobsCsv(directory);
        string target = kind switch
        {
            "directory" => Directory.CreateDirectory(Path.Combine(directory, "models")).FullName,
            "fifo" => MakeFifo(Path.Combine(directory, "pipe")),
            "device" => "/dev/null",
            _ => Path.Combine(directory, "no", "such", "m.safetensors"),
        };

        var clock = Stopwatch.StartNew();
        Cli.Result result = Cli.Run("train", "--data", data, "--epochs", "500", "--out", target);
        AssertOneLine(result, 1, "--out: ", target);
        Assert.Empty(result.Output); // not one epoch ran
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"took {clock.Elapsed}");
        if (kind == "device")
        {
            Assert.Contains("is a character device, not a regular file", result.Error, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void PlotsOntoAFileAreRefusedBeforeTraining()
    {
        // The issue: exit 3 after saving. Now before any work, and the file is untouched.
        string directory = Cli.TemporaryDirectory();
        string file = Path.Combine(directory, "a-file");
        File.WriteAllText(file, "mine");
        Cli.Result result = Cli.Run("train", "--data", BlobsCsv(directory), "--plots", file, "--out", Path.Combine(directory, "m.safetensors"));
        AssertOneLine(result, 1, $"--plots names a directory for the pictures, but '{file}' is a file.");
        Assert.Equal("mine", File.ReadAllText(file));
        Assert.False(File.Exists(Path.Combine(directory, "m.safetensors")));
    }

    [Fact]
    public void ADivergingRunExitsWithTwoAndSavesNothing()
    {
        // The issue: softmax at --lr 1e10 exited 0 with a model saved, its loss at 5.9e8.
        string directory = Cli.TemporaryDirectory();
        string model = Path.Combine(directory, "m.safetensors");
        // Tables are standardized by default now, and standardized these blobs train to a log-loss of 0 even at lr 1e10
        // (exit 0); the divergence the issue met is on the raw features, asked for with --no-standardize.
        Cli.Result result = Cli.Run("train", "--data", BlobsCsv(directory, 400), "--no-standardize", "--lr", "1e10", "--epochs", "20", "--out", model, "--quiet");
        AssertOneLine(result, 2, "Training diverged in epoch", "more than 10000 times its best");
        Assert.False(File.Exists(model));
    }

    [Fact]
    public void TheClippingTheDivergenceMessageSuggestsIsAnOptionAndTrains()
    {
        // Issue 22 item 8: unscaled features (breast-cancer's areas run to 4,254) diverge with the defaults, and the
        // message suggested gradient clipping, which native train did not offer. Tables are standardized by default
        // now (DefaultsTests), so the raw features are asked for with --no-standardize to meet the divergence.
        string data = Path.Combine(Cli.RepositoryRoot(), "tests", "data", "breast-cancer", "breast-cancer.csv");
        AssertOneLine(Cli.Run("train", "--data", data, "--no-standardize", "--quiet"), 2, "gradient clipping", "--clip-norm");

        Cli.Result clipped = Cli.Run("train", "--data", data, "--no-standardize", "--clip-norm", "1", "--json", "--quiet");
        Assert.True(clipped.ExitCode == 0, clipped.ToString());
        Assert.InRange(clipped.JsonLines()[^1].GetProperty("accuracy").GetDouble(), 0.85, 1);

        AssertOneLine(Cli.Run("train", "--data", data, "--clip-norm", "-1"), 1, "--clip-norm must be a finite number, 0 or more");
    }

    [Fact]
    public void ATemporaryFileLeftByAKilledSaveIsRemovedByTheNextSave()
    {
        string directory = Cli.TemporaryDirectory();
        string stale = Path.Combine(directory, $".m.safetensors.{DeadProcessId()}.k1ll3d00.tmp");
        File.WriteAllBytes(stale, new byte[4096]);
        Cli.Result result = Cli.Run("train", "--data", BlobsCsv(directory), "--epochs", "1", "--out", Path.Combine(directory, "m.safetensors"), "--quiet");
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.False(File.Exists(stale));
        Assert.Equal(["blobs.csv", "m.safetensors"], Directory.GetFiles(directory).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task CtrlCEndsTheProcessWithinASecond()
    {
        // A long run on two threads; SIGINT once the first epoch is reported.
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string arg in new[] { Path.Combine(AppContext.BaseDirectory, "native.dll"), "train", "--data", Cli.MnistDirectory(), "--model", "mlp", "--hidden", "256", "--epochs", "1000", "--threads", Math.Min(2, Environment.ProcessorCount).ToString(System.Globalization.CultureInfo.InvariantCulture) })
        {
            start.ArgumentList.Add(arg);
        }

        using Process process = Process.Start(start)!;
        Task<string> error = process.StandardError.ReadToEndAsync();
        string? first = await process.StandardOutput.ReadLineAsync();
        Assert.Matches("^epoch +1/1000", first);
        Task<string> rest = process.StandardOutput.ReadToEndAsync();

        TimeSpan stopped = Interrupt(process);
        Assert.True(stopped < TimeSpan.FromSeconds(1.5), $"took {stopped.TotalMilliseconds:F0} ms to stop");
        Assert.Equal(3, process.ExitCode);
        Assert.Equal("native: cancelled.", (await error).Trim());
        await rest;
    }

    [Fact]
    public async Task CtrlCEndsTheProcessEvenWhenItIsWaitingForInput()
    {
        // predict --input - with nothing typed: the read blocks, so the process ends itself a second after Ctrl+C.
        string directory = Cli.TemporaryDirectory();
        string model = Path.Combine(directory, "m.safetensors");
        Assert.Equal(0, Cli.Run("train", "--data", BlobsCsv(directory), "--epochs", "10", "--out", model, "--quiet").ExitCode);
        var start = new ProcessStartInfo("dotnet") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string arg in new[] { Path.Combine(AppContext.BaseDirectory, "native.dll"), "predict", "--model", model, "--input", "-" })
        {
            start.ArgumentList.Add(arg);
        }

        using Process process = Process.Start(start)!;
        Task<string> error = process.StandardError.ReadToEndAsync();
        await process.StandardInput.WriteAsync("x,y\n0,0\n");
        await process.StandardInput.FlushAsync();
        Assert.Equal("class a b", await process.StandardOutput.ReadLineAsync()); // the header, then
        Assert.StartsWith("a ", await process.StandardOutput.ReadLineAsync(), StringComparison.Ordinal); // the row's prediction, while input stays open

        TimeSpan stopped = Interrupt(process);
        Assert.True(stopped < TimeSpan.FromSeconds(2), $"took {stopped.TotalMilliseconds:F0} ms to stop");
        Assert.Equal(3, process.ExitCode);
        Assert.Equal("native: cancelled.", (await error).Trim());
    }

    /// <summary>Sends SIGINT (Ctrl+C) to <paramref name="process"/> and returns how long it took to end (it is killed, and the test fails, after 10 s).</summary>
    private static TimeSpan Interrupt(Process process)
    {
        var clock = Stopwatch.StartNew();
        using (Process kill = Process.Start("kill", ["-INT", process.Id.ToString(CultureInfo.InvariantCulture)])!)
        {
            kill.WaitForExit();
        }

        bool ended = process.WaitForExit(TimeSpan.FromSeconds(10));
        clock.Stop();
        if (!ended)
        {
            process.Kill(entireProcessTree: true);
        }

        Assert.True(ended, "still running 10 s after Ctrl+C");
        return clock.Elapsed;
    }

    private static string MakeFifo(string path)
    {
        using Process process = Process.Start("mkfifo", [path])!;
        process.WaitForExit();
        Assert.Equal(0, process.ExitCode);
        return path;
    }

    private static int DeadProcessId()
    {
        using Process process = Process.Start(new ProcessStartInfo("true") { UseShellExecute = false })!;
        process.WaitForExit();
        return process.Id;
    }
}
