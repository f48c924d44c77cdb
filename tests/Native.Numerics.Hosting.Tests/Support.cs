using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Native.Numerics.Hosting.Tests;

/// <summary>A directory of its own for a test's model files, removed afterwards.</summary>
internal sealed class ModelDirectory : IDisposable
{
    public ModelDirectory() => Directory.CreateDirectory(Path);

    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "native-hosting-" + Guid.NewGuid().ToString("N"));

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose() => Directory.Delete(Path, recursive: true);
}

/// <summary>Models with known weights, and their bytes as files.</summary>
internal static class Models
{
    public static readonly string[] Species = ["setosa", "versicolor", "virginica"];

    /// <summary>An iris-sized softmax regression whose weights are all <paramref name="weight"/> but class <paramref name="favoured"/>'s bias, so it predicts that class.</summary>
    public static SoftmaxRegression Iris(int favoured, float weight = 0.01f)
    {
        var model = new SoftmaxRegression(4, 3);
        model.Parameters.Fill(weight);
        model.Parameters[12 + favoured] = 5f;
        return model;
    }

    public static byte[] Bytes(IModel model, ModelFormat format = ModelFormat.Safetensors)
    {
        using var stream = new MemoryStream();
        ModelFile.Save(model, stream, format, new ModelMetadata { ClassNames = model.Shape.Classes == 3 ? Species : [] });
        return stream.ToArray();
    }

    /// <summary>Writes <paramref name="bytes"/> to <paramref name="path"/> the way deployment tools replace a file: a temporary file, then a rename over it.</summary>
    public static void Replace(string path, byte[] bytes)
    {
        string temporary = path + "." + Guid.NewGuid().ToString("N") + ".tmp";
        File.WriteAllBytes(temporary, bytes);
        File.Move(temporary, path, overwrite: true);
    }

    /// <summary>Writes <paramref name="bytes"/> into <paramref name="path"/> in place (truncate, then write), as <c>cp</c> does.</summary>
    public static void WriteInPlace(string path, byte[] bytes, int pieces = 1)
    {
        using var stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete);
        int piece = (bytes.Length + pieces - 1) / pieces;
        for (int offset = 0; offset < bytes.Length; offset += piece)
        {
            stream.Write(bytes, offset, Math.Min(piece, bytes.Length - offset));
            stream.Flush();
        }
    }

    /// <summary>Waits (up to <paramref name="seconds"/>) for <paramref name="condition"/>; returns whether it held.</summary>
    public static bool Eventually(Func<bool> condition, double seconds = 10)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (DateTime.UtcNow < deadline)
        {
            if (condition())
            {
                return true;
            }

            Thread.Sleep(20);
        }

        return condition();
    }
}

/// <summary>Every log line, kept for the tests to read; with <paramref name="keep"/> false only counted (a test measuring the heap must not hold a line a reload).</summary>
internal sealed class CapturedLogs(bool keep = true) : ILoggerProvider
{
    private readonly bool _keep = keep;
    private int _count;

    public ConcurrentQueue<(LogLevel Level, string Message)> Lines { get; } = new();

    /// <summary>How many lines were logged, kept or not.</summary>
    public int Count => Volatile.Read(ref _count);

    public ILogger CreateLogger(string categoryName) => new Logger(this);

    public void Dispose()
    {
    }

    private sealed class Logger(CapturedLogs logs) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            Interlocked.Increment(ref logs._count);
            if (logs._keep)
            {
                logs.Lines.Enqueue((logLevel, formatter(state, exception)));
            }
        }
    }
}

/// <summary>A service container with the logs captured.</summary>
internal static class Host
{
    public static ServiceProvider Build(CapturedLogs logs, Action<IServiceCollection> configure)
    {
        var services = new ServiceCollection();
        services.AddLogging(builder => builder.SetMinimumLevel(LogLevel.Debug).AddProvider(logs));
        configure(services);
        return services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
    }
}
