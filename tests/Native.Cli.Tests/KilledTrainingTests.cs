using System.Diagnostics;
using System.Globalization;
using System.Text;
using Native.Numerics;

namespace Native.Cli.Tests;

/// <summary>
/// <c>native train --checkpoint-every</c> killed outright (SIGKILL, as <c>kill -9</c> or the kernel's out-of-memory killer
/// ends it: no handler runs), then <c>--resume</c>: the resumed run ends with the uninterrupted run's model, bit for bit.
/// </summary>
public sealed class KilledTrainingTests : IDisposable
{
    private readonly string _directory = Cli.TemporaryDirectory();

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task AResumeAfterSigkillEndsAsTheUninterruptedRun(bool streamed)
    {
        // 20,000 rows of 64 pixel-like features (a 1.4 MB row cache of bytes); streamed under a 1 MB budget, so the rows go
        // through windows of a few thousand rows, several an epoch. 150 epochs: long enough to be killed partway through.
        string data = WriteCsv(rows: 20_000, features: 64);
        string[] common =
        [
            "train", "--data", data, "--epochs", "150", "--seed", "3", "--optimizer", "adam", "--batch", "32", "--standardize",
            .. streamed ? new[] { "--stream", "--memory", "1MB", "--cache", Path.Combine(_directory, "cache") } : [],
        ];

        string whole = Path.Combine(_directory, "whole.safetensors");
        Cli.Result uninterrupted = Cli.Run([.. common, "--out", whole, "--quiet"]);
        Assert.True(uninterrupted.ExitCode == 0, uninterrupted.ToString());

        // The same run as a process of its own, a checkpoint after every epoch, killed once the first is on disk.
        string checkpoint = Path.Combine(_directory, "run.checkpoint");
        string resumedModel = Path.Combine(_directory, "resumed.safetensors");
        string[] checkpointed = [.. common, "--out", resumedModel, "--checkpoint-every", "1", "--checkpoint", checkpoint, "--quiet"];
        using (Process process = Start(checkpointed))
        {
            Task<string> output = process.StandardOutput.ReadToEndAsync();
            Task<string> error = process.StandardError.ReadToEndAsync();
            var clock = Stopwatch.StartNew();
            while (!File.Exists(checkpoint) && !process.HasExited && clock.Elapsed < TimeSpan.FromMinutes(2))
            {
                await Task.Delay(5);
            }

            if (!File.Exists(checkpoint) || process.HasExited)
            {
                Assert.Fail($"{(File.Exists(checkpoint) ? "the run ended before it was killed" : $"no checkpoint after {clock.Elapsed.TotalSeconds:F1} s")}\n{await Finish(process, output, error)}");
            }

            process.Kill();
            Assert.True(process.WaitForExit(TimeSpan.FromSeconds(10)), "still running 10 s after SIGKILL");
            Assert.Equal(137, process.ExitCode); // 128 + SIGKILL: nothing of the process's own ran after the signal
            await Task.WhenAll(output, error);
        }

        Assert.False(File.Exists(resumedModel));
        Cli.Result resumed = Cli.Run([.. common, "--out", resumedModel, "--checkpoint-every", "1", "--checkpoint", checkpoint, "--resume", "--json"]);
        Assert.True(resumed.ExitCode == 0, resumed.ToString());

        // It continued from the checkpoint (its first epoch is after the first), not from the start.
        int[] epochs = [.. resumed.JsonLines().Where(line => line.TryGetProperty("epoch", out _)).Select(line => line.GetProperty("epoch").GetInt32())];
        Assert.InRange(epochs[0], 2, 150);
        Assert.Equal(150, epochs[^1]);

        float[] expected = ModelFile.Load(whole).Model.Parameters.ToArray();
        float[] actual = ModelFile.Load(resumedModel).Model.Parameters.ToArray();
        Assert.Equal(expected.Select(BitConverter.SingleToInt32Bits), actual.Select(BitConverter.SingleToInt32Bits));
    }

    private static Process Start(string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "native.dll"));
        foreach (string arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        return Process.Start(start)!;
    }

    private static async Task<string> Finish(Process process, Task<string> output, Task<string> error)
    {
        if (!process.HasExited)
        {
            process.Kill();
        }

        await process.WaitForExitAsync();
        return $"exit {process.ExitCode}\nstdout:\n{await output}\nstderr:\n{await error}";
    }

    /// <summary>A CSV file of pixel-like columns and a digit label that depends on some of them.</summary>
    private string WriteCsv(int rows, int features)
    {
        var random = new Random(11);
        var text = new StringBuilder();
        text.AppendJoin(',', Enumerable.Range(0, features).Select(j => $"p{j}")).Append(",digit\n");
        int[] pixels = new int[features];
        for (int i = 0; i < rows; i++)
        {
            for (int j = 0; j < features; j++)
            {
                pixels[j] = random.Next(256);
            }

            int digit = ((pixels[0] / 64) + (pixels[1] > 128 ? 4 : 0) + (random.Next(10) == 0 ? 1 : 0)) % 10;
            text.AppendJoin(',', pixels).Append(CultureInfo.InvariantCulture, $",{digit}\n");
        }

        string path = Path.Combine(_directory, "table.csv");
        File.WriteAllText(path, text.ToString());
        return path;
    }
}
