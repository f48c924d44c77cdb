using System.Diagnostics;
using System.Text.Json;

namespace Native.Cli.Tests;

/// <summary>Runs the <c>native</c> command in this process (fast) or as a process (as a user runs it).</summary>
internal static class Cli
{
    /// <summary>What a run printed and returned.</summary>
    public sealed record Result(int ExitCode, string Output, string Error)
    {
        public override string ToString() => $"exit {ExitCode}\nstdout:\n{Output}\nstderr:\n{Error}";

        /// <summary>Each line of standard output parsed as a JSON object.</summary>
        public IReadOnlyList<JsonElement> JsonLines() => Output
            .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(line => JsonDocument.Parse(line).RootElement.Clone())
            .ToList();
    }

    /// <summary>Runs the command in this process, with its output captured.</summary>
    public static Result Run(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        int code = CommandLine.Run(args, new CliContext(output, error, Terminal: false, CancellationToken.None));
        return new Result(code, output.ToString(), error.ToString());
    }

    /// <summary>Runs the built command as a child process: <c>dotnet native.dll args…</c>.</summary>
    public static Result RunProcess(params string[] args) => RunProcess(new Dictionary<string, string>(), args);

    /// <summary>Runs the built command as a child process with <paramref name="environment"/> added to its variables.</summary>
    public static Result RunProcess(IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        string dll = Path.Combine(AppContext.BaseDirectory, "native.dll");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach ((string name, string value) in environment)
        {
            start.Environment[name] = value;
        }

        start.ArgumentList.Add(dll);
        foreach (string arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using Process process = Process.Start(start)!;
        Task<string> output = process.StandardOutput.ReadToEndAsync();
        Task<string> error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(2)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"native {string.Join(' ', args)} did not finish in 2 minutes.");
        }

        return new Result(process.ExitCode, output.Result, error.Result);
    }

    /// <summary>The repository root (the directory holding Native.sln).</summary>
    public static string RepositoryRoot()
    {
        for (DirectoryInfo? directory = new(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Native.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("No directory above the tests holds Native.sln.");
    }

    /// <summary>The MNIST data in the repository (tests/data/mnist), or NATIVE_MNIST_DIR.</summary>
    public static string MnistDirectory() =>
        Environment.GetEnvironmentVariable("NATIVE_MNIST_DIR") is { Length: > 0 } configured
            ? configured
            : Path.Combine(RepositoryRoot(), "tests", "data", "mnist");

    /// <summary>A fresh directory under the system's temporary directory.</summary>
    public static string TemporaryDirectory()
    {
        string path = Path.Combine(Path.GetTempPath(), "native-cli-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(path);
        return path;
    }
}
