using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace Native.Cli.Tests;

/// <summary>
/// Issue 20, items 2–4, as a user's shell meets them (the command run as a process, <c>dotnet native.dll</c>):
/// SIGTERM and SIGHUP handled as Ctrl+C, also in the middle of a save; closed standard streams; a broken pipe.
/// tests/hostile/run holds the same cases for the NativeAOT binary.
/// </summary>
public class StreamsAndSignalsTests
{
    private static readonly string Native = $"dotnet '{Path.Combine(AppContext.BaseDirectory, "native.dll")}'";

    [Theory]
    [InlineData("TERM")]
    [InlineData("HUP")]
    public async Task SigtermAndSighupStopTrainingAsCtrlCDoes(string signal)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string arg in new[] { Path.Combine(AppContext.BaseDirectory, "native.dll"), "train", "--data", Cli.MnistDirectory(), "--model", "mlp", "--hidden", "256", "--epochs", "1000" })
        {
            start.ArgumentList.Add(arg);
        }

        using Process process = Process.Start(start)!;
        Task<string> error = process.StandardError.ReadToEndAsync();
        Assert.Matches("^epoch +1/1000", await process.StandardOutput.ReadLineAsync());
        Task<string> rest = process.StandardOutput.ReadToEndAsync();
        var clock = Stopwatch.StartNew();
        Signal(process.Id, signal);
        Assert.True(process.WaitForExit(TimeSpan.FromSeconds(10)), "still running 10 s after the signal");
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(1.5), $"took {clock.Elapsed.TotalMilliseconds:F0} ms to stop");
        Assert.Equal(3, process.ExitCode);
        Assert.Equal($"native: cancelled (SIG{signal}).", (await error).Trim());
        await rest;
    }

    [Theory]
    [InlineData("TERM")]
    [InlineData("HUP")]
    public void ASignalDuringASaveKeepsTheOldFileAndLeavesNoTemporaryFile(string signal)
    {
        // The issue: 3 of 3 SIGTERMs during `native convert` left a 36 MB temporary file, the process dying by the
        // signal without a word. The signal is sent once the temporary file exists (the save's window).
        string directory = Cli.TemporaryDirectory();
        string big = BigModel(directory);
        string target = Path.Combine(directory, "target.safetensors");
        for (int attempt = 0; ; attempt++)
        {
            File.WriteAllBytes(target, [1, 2, 3]);
            Cli.Result result = Shell(directory, $$"""
                {{Native}} convert --model '{{big}}' --out target.safetensors > out.txt 2> err.txt &
                pid=$!
                until compgen -G '.target.safetensors.*.tmp' > /dev/null || ! kill -0 $pid 2> /dev/null; do :; done
                kill -{{signal}} $pid
                wait $pid; echo "exit $?"; cat err.txt
                """);
            if (result.Output.StartsWith("exit 0", StringComparison.Ordinal) && attempt < 5)
            {
                continue; // the save ended before the shell saw its file: try again
            }

            Assert.StartsWith($"exit 3\nnative: cancelled (SIG{signal}).\n", result.Output, StringComparison.Ordinal);
            Assert.Equal([1, 2, 3], File.ReadAllBytes(target));
            Assert.DoesNotContain(Directory.GetFiles(directory), file => file.EndsWith(".tmp", StringComparison.Ordinal));
            return;
        }
    }

    [Theory]
    [InlineData("--help")]
    [InlineData("train --data MNIST --epochs 1 --out m.safetensors")]
    [InlineData("evaluate --model m.safetensors --data MNIST")]
    [InlineData("predict --model m.safetensors --input MNIST")]
    public void AClosedStandardOutputNeitherCrashesNorLosesTheWork(string command)
    {
        // The issue: `native --help >&-` threw UnauthorizedAccessException from registering Ctrl+C (SIGABRT, exit 134).
        string directory = Cli.TemporaryDirectory();
        command = command.Replace("MNIST", $"'{Cli.MnistDirectory()}'", StringComparison.Ordinal);
        Assert.Equal(0, Cli.Run("train", "--data", Cli.MnistDirectory(), "--epochs", "1", "--out", Path.Combine(directory, "m.safetensors"), "--quiet").ExitCode);
        Cli.Result result = Shell(directory, $"{Native} {command} >&-; echo \"exit $?\"");
        Assert.Equal("exit 0", result.Output.Trim());
        Assert.Empty(result.Error);
    }

    [Fact]
    public void WithStandardErrorClosedAnErrorNeverLandsInStandardOutput()
    {
        // The issue: with stderr closed, the error text was written among the results.
        string directory = Cli.TemporaryDirectory();
        Cli.Result result = Shell(directory, $"{Native} train --data missing.csv 2>&- > out.txt; echo \"exit $?\"; cat out.txt");
        Assert.Equal("exit 1", result.Output.Trim());
    }

    [Fact]
    public void StandardInputFromADirectoryIsOneLineNamingIt()
    {
        // Was "native: Is a directory", exit 3 (an IOException from the first read), after the model had loaded.
        string directory = Cli.TemporaryDirectory();
        Assert.Equal(0, Cli.Run("train", "--data", Cli.MnistDirectory(), "--epochs", "1", "--out", Path.Combine(directory, "m.safetensors"), "--quiet").ExitCode);
        Cli.Result result = Shell(directory, $"{Native} predict --model m.safetensors --input - < '{directory}'; echo \"exit $?\"");
        Assert.Equal("exit 1", result.Output.Trim());
        Assert.Equal("native: --input -: standard input is a directory; redirect a CSV file into it (< rows.csv), or name the file with --input.", result.Error.Trim());
    }

    [Fact]
    public void ABrokenPipeStopsPredictQuickly()
    {
        // The issue: `… | native predict --input - | head -1` predicted forever at 100 % CPU after head had gone.
        string directory = Cli.TemporaryDirectory();
        string model = Path.Combine(directory, "m.safetensors");
        Assert.Equal(0, Cli.Run("train", "--data", ArgumentAndDestinationTests.BlobsCsv(directory), "--epochs", "2", "--out", model, "--quiet").ExitCode);
        var clock = Stopwatch.StartNew();
        Cli.Result result = Shell(directory, $"{{ echo x,y; yes 1,2; }} | timeout 60 {Native} predict --model m.safetensors --input - 2> err.txt | head -1; echo \"${{PIPESTATUS[1]}}\"; cat err.txt");
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"took {clock.Elapsed}");
        string[] lines = result.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("141", lines[^1]); // 128 + SIGPIPE, quietly: nothing on standard error
    }

    /// <summary>A model of 9 million parameters (36 MB), so a save takes long enough to be interrupted.</summary>
    private static string BigModel(string directory)
    {
        var text = new StringBuilder();
        text.AppendJoin(',', Enumerable.Range(0, 2000).Select(j => $"f{j}")).Append(",label\n");
        var random = new Random(5);
        for (int i = 0; i < 20; i++)
        {
            text.AppendJoin(',', Enumerable.Range(0, 2000).Select(_ => random.NextDouble().ToString("F3", CultureInfo.InvariantCulture))).Append(i % 2 == 0 ? ",a\n" : ",b\n");
        }

        string data = Path.Combine(directory, "wide.csv"), model = Path.Combine(directory, "big.safetensors");
        File.WriteAllText(data, text.ToString());
        Cli.Result trained = Cli.Run("train", "--data", data, "--model", "mlp", "--hidden", "4500", "--epochs", "1", "--out", model, "--quiet");
        Assert.True(trained.ExitCode == 0, trained.ToString());
        return model;
    }

    private static void Signal(int pid, string signal)
    {
        using Process kill = Process.Start("kill", [$"-{signal}", pid.ToString(CultureInfo.InvariantCulture)])!;
        kill.WaitForExit();
    }

    /// <summary>Runs a bash script in <paramref name="directory"/>.</summary>
    private static Cli.Result Shell(string directory, string script)
    {
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = directory };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(script);
        using Process process = Process.Start(start)!;
        Task<string> output = process.StandardOutput.ReadToEndAsync();
        Task<string> error = process.StandardError.ReadToEndAsync();
        Assert.True(process.WaitForExit(TimeSpan.FromMinutes(2)), "the script did not finish in 2 minutes");
        return new Cli.Result(process.ExitCode, output.Result, error.Result);
    }
}
