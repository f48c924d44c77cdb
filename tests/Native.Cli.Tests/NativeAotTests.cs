using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Native.Cli.Tests;

/// <summary>
/// The NativeAOT binary: its demo, its training and predictions against the JIT build's, and its exit codes.
/// .ci/run publishes it and passes its path in NATIVE_AOT_BINARY; without that, the tests publish it first.
/// </summary>
public class NativeAotTests
{
    private static readonly Lazy<string> Binary = new(FindOrPublish, LazyThreadSafetyMode.ExecutionAndPublication);

    [Fact]
    public void TheNativeBinaryRunsTheDemo()
    {
        Cli.Result result = Run("demo");
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("intercept  -4.0777", result.Output, StringComparison.Ordinal);
        Assert.Contains("= (0.9918, 0.0082, 0.0000)", result.Output, StringComparison.Ordinal);
        Assert.Matches(@"momentum 0\.9:\s+x =\s+-1\.306[34]", result.Output);
    }

    [Fact]
    public void TheNativeBinaryTrainsAndPredictsAsTheJitBuildDoes()
    {
        string directory = Cli.TemporaryDirectory();
        string data = Path.Combine(directory, "data.csv");
        var text = new StringBuilder("x0,x1,x2,label\n");
        var random = new Random(11);
        for (int i = 0; i < 400; i++)
        {
            int k = i % 4;
            text.Append(CultureInfo.InvariantCulture, $"{k + random.NextDouble():F4},{(k % 2) - random.NextDouble():F4},{random.NextDouble():F4},c{k}\n");
        }

        File.WriteAllText(data, text.ToString());
        string aotModel = Path.Combine(directory, "aot.safetensors"), jitModel = Path.Combine(directory, "jit.safetensors");
        string[] train = ["train", "--data", data, "--model", "mlp", "--hidden", "16", "--optimizer", "adam", "--epochs", "15", "--standardize", "--seed", "3", "--quiet"];

        Cli.Result aotTrain = Run([.. train, "--out", aotModel]);
        Assert.True(aotTrain.ExitCode == 0, aotTrain.ToString());
        Assert.Contains("Vector", aotTrain.Output, StringComparison.Ordinal); // the vector paths are compiled in
        Assert.Equal(0, Cli.Run([.. train, "--out", jitModel]).ExitCode);

        IReadOnlyList<JsonElement> aot = Run("predict", "--model", aotModel, "--input", data, "--json").JsonLines();
        IReadOnlyList<JsonElement> jit = Cli.Run("predict", "--model", jitModel, "--input", data, "--json").JsonLines();
        Assert.Equal(400, aot.Count);
        Assert.Equal(jit.Count, aot.Count);
        for (int i = 0; i < aot.Count; i++)
        {
            Assert.Equal(jit[i].GetProperty("class").GetString(), aot[i].GetProperty("class").GetString());
            double[] p = aot[i].GetProperty("probabilities").EnumerateObject().Select(e => e.Value.GetDouble()).ToArray();
            double[] q = jit[i].GetProperty("probabilities").EnumerateObject().Select(e => e.Value.GetDouble()).ToArray();
            for (int c = 0; c < p.Length; c++)
            {
                Assert.True(Math.Abs(p[c] - q[c]) <= 1e-6, $"row {i}, class {c}: native {p[c]}, JIT {q[c]}");
            }
        }
    }

    [Fact]
    public void TheNativeBinaryReadsAParquetTableAsTheJitBuildDoes()
    {
        // A table with text and nulls as Parquet (ParquetTable: ParquetSharp's native reader, the text rendered for the
        // table reader) trained and predicted by the NativeAOT binary as by the JIT build: the same answers.
        string directory = Cli.TemporaryDirectory();
        string[] lines = File.ReadAllLines(Path.Combine(Cli.RepositoryRoot(), "tests", "data", "loans", "loans-train.csv"))[..1201];
        for (int i = 1; i < lines.Length; i += 9)
        {
            string[] fields = lines[i].Split(',');
            (fields[1], fields[8]) = ("", ""); // income and grade blank: nulls in the Parquet file
            lines[i] = string.Join(',', fields);
        }

        string data = Path.Combine(directory, "loans.parquet");
        Native.Numerics.Parquet.Tests.CsvParquet.Write(lines, data);
        string aotModel = Path.Combine(directory, "aot.safetensors"), jitModel = Path.Combine(directory, "jit.safetensors");
        string[] train = ["train", "--data", data, "--model", "logistic", "--epochs", "3", "--seed", "2", "--quiet"];
        Cli.Result aotTrain = Run([.. train, "--out", aotModel]);
        Assert.True(aotTrain.ExitCode == 0, aotTrain.ToString());
        Assert.Equal(0, Cli.Run([.. train, "--out", jitModel]).ExitCode);
        Assert.NotNull(Native.Numerics.ModelFile.Load(aotModel).Pipeline);

        Cli.Result aot = Run("predict", "--model", aotModel, "--input", data);
        Assert.True(aot.ExitCode == 0, aot.ToString());
        Assert.Equal(1201, aot.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        Assert.Equal(Cli.Run("predict", "--model", jitModel, "--input", data).Output, aot.Output);
    }

    [Fact]
    public void TheNativeBinaryExitsWithTheDocumentedCodes()
    {
        Cli.Result bad = Run("train", "--epochs", "3");
        Assert.Equal(1, bad.ExitCode);
        Assert.StartsWith("native: ", bad.Error, StringComparison.Ordinal);

        string data = Path.Combine(Cli.TemporaryDirectory(), "big.csv");
        File.WriteAllText(data, "x,y\n" + string.Join('\n', Enumerable.Range(1, 50).Select(i => $"{i * 100},{i * 300}")) + "\n");
        Cli.Result diverged = Run("train", "--data", data, "--model", "linear", "--lr", "10");
        Assert.Equal(2, diverged.ExitCode);
        Assert.DoesNotContain("   at ", diverged.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void ThePublishFolderHoldsTheOneFile()
    {
        // The issue: README's `dotnet publish … -o out` left native.dbg, Native.Numerics.pdb and Native.Numerics.xml
        // beside the "one file". (NATIVE_AOT_BINARY must name a binary published into a folder of its own, as .ci/run does.)
        // Beside it only the Parquet reader's native library (ParquetSharp's Arrow build), which a NativeAOT binary loads at run time.
        string[] files = [.. Directory.GetFileSystemEntries(Path.GetDirectoryName(Binary.Value)!).Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal)];
        Assert.Equal(["ParquetSharpNative.so", "native"], files);
    }

    private static Cli.Result Run(params string[] args)
    {
        var start = new ProcessStartInfo(Binary.Value) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using Process process = Process.Start(start)!;
        Task<string> output = process.StandardOutput.ReadToEndAsync();
        Task<string> error = process.StandardError.ReadToEndAsync();
        Assert.True(process.WaitForExit(TimeSpan.FromMinutes(2)), $"native {string.Join(' ', args)} did not finish in 2 minutes");
        return new Cli.Result(process.ExitCode, output.Result, error.Result);
    }

    private static string FindOrPublish()
    {
        if (Environment.GetEnvironmentVariable("NATIVE_AOT_BINARY") is { Length: > 0 } given)
        {
            return File.Exists(given) ? given : throw new FileNotFoundException($"NATIVE_AOT_BINARY names '{given}', which does not exist.");
        }

        string output = Path.Combine(Cli.TemporaryDirectory(), "aot");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string arg in new[] { "publish", Path.Combine(Cli.RepositoryRoot(), "src", "Native.Cli"), "-c", "Release", "-r", "linux-x64", "-o", output })
        {
            start.ArgumentList.Add(arg);
        }

        using Process process = Process.Start(start)!;
        Task<string> log = process.StandardOutput.ReadToEndAsync();
        Task<string> errors = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        string binary = Path.Combine(output, "native");
        return process.ExitCode == 0 && File.Exists(binary)
            ? binary
            : throw new InvalidOperationException($"Publishing the NativeAOT binary failed:\n{log.Result}\n{errors.Result}");
    }
}
