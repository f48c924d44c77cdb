using System.Globalization;
using System.Security.Cryptography;
using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Extensions.Logging;

namespace Native.Numerics.Hosting;

/// <summary>
/// One registered model: the version serving, and — for a file with <see cref="NativeModelOptions.ReloadOnChange"/> — the
/// watch that loads a changed file and swaps it in.
/// </summary>
/// <remarks>
/// <para>
/// A load reads the file's bytes once, hashes them (the version) and loads the model from those same bytes, so what is
/// validated is what is hashed: a file replaced again while it is read cannot mix two versions. The model is built and
/// checked completely by <see cref="ModelFile"/>'s reader (every length, offset and weight; weights that cannot give
/// finite outputs refused) before one reference assignment publishes it. Requests that took the previous version finish
/// on it; it is collected when the last lets go.
/// </para>
/// <para>
/// Every change in the file's directory that names the file — written in place, created, deleted, or renamed onto it
/// (an atomic replace) — restarts one timer of <see cref="NativeModelOptions.ReloadDelay"/>: the file is read when it has
/// been quiet that long, so a burst of writes costs one load. Bytes that hash to the version serving, or to the version
/// last refused, are not loaded again (no reload storm, and one log line per bad version). Names starting with two dots
/// count too: Kubernetes swaps a mounted ConfigMap's files by renaming a <c>..data</c> link.
/// </para>
/// </remarks>
internal sealed partial class ModelSlot : IDisposable
{
    private readonly string _name;
    private readonly string? _path;
    private readonly ModelFormat _format;
    private readonly NativeModelOptions _options;
    private readonly ILogger _logger;
    private readonly NativeModelMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly Lock _loading = new();
    private NativeModel _current;
    private NativeModelRefusal? _refusal;
    private FileSystemWatcher? _watcher;
    private ITimer? _quiet;
    private int _loads;
    private bool _disposed;

    public ModelSlot(string name, NativeModelOptions options, ILogger logger, NativeModelMetrics metrics, TimeProvider time)
    {
        _name = name;
        _options = options;
        _logger = logger;
        _metrics = metrics;
        _time = time;
        if (options.Compiled is { } compiled)
        {
            TrainedModel model = compiled();
            _current = new NativeModel(name, model, CompiledVersion(model), time.GetUtcNow(), "compiled");
            Log.Loaded(_logger, name, _current.Version, _current.Source, model.Shape, Precision(model));
            return;
        }

        _path = Path.GetFullPath(options.Path ?? throw new ArgumentException($"The model '{name}' has neither a file nor a compiled model.", nameof(options)));
        _format = options.Format ?? ModelFile.FormatOf(_path);
        var (bytes, version) = Read();
        _current = new NativeModel(name, Load(bytes), version, time.GetUtcNow(), _path);
        Log.Loaded(_logger, name, version, _path, _current.Model.Shape, Precision(_current.Model));
        if (options.ReloadOnChange)
        {
            Watch();
        }
    }

    /// <summary>The version serving.</summary>
    public NativeModel Current => Volatile.Read(ref _current);

    /// <summary>The version serving and the last refusal since it was loaded.</summary>
    public NativeModelStatus Status
    {
        get
        {
            lock (_loading)
            {
                return new NativeModelStatus(_current, _refusal);
            }
        }
    }

    /// <summary>How many times a changed file's bytes were loaded (swapped in or refused), for the tests: no reload storm.</summary>
    internal int Loads => Volatile.Read(ref _loads);

    /// <summary>
    /// Reads the file now and swaps it in if its bytes are new and valid; what the watch calls once the file is quiet.
    /// Returns the version serving afterwards.
    /// </summary>
    internal NativeModel Reload()
    {
        lock (_loading)
        {
            if (_disposed || _path is null)
            {
                return _current;
            }

            byte[] bytes;
            string version;
            try
            {
                (bytes, version) = Read();
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                Refuse(null, e.Message);
                return _current;
            }

            if (version == _current.Version || version == _refusal?.Version)
            {
                // The same bytes as the version serving (a touch, a copy of the same file) or as the one refused last.
                Log.Unchanged(_logger, _name, _path, version);
                return _current;
            }

            Interlocked.Increment(ref _loads);
            TrainedModel model;
            try
            {
                model = Load(bytes);
            }
            catch (Exception e) when (e is FileFormatException or IOException or ArgumentException or NotSupportedException)
            {
                Refuse(version, e.Message);
                _metrics.RecordReload(_name, loaded: false);
                return _current;
            }

            var loaded = new NativeModel(_name, model, version, _time.GetUtcNow(), _path);
            Volatile.Write(ref _current, loaded);
            _refusal = null;
            _metrics.RecordReload(_name, loaded: true);
            Log.Loaded(_logger, _name, version, _path, model.Shape, Precision(model));
            return loaded;
        }
    }

    public void Dispose()
    {
        lock (_loading)
        {
            _disposed = true;
            _watcher?.Dispose();
            _quiet?.Dispose();
        }
    }

    /// <summary>The first 16 hexadecimal digits of the SHA-256 of <paramref name="bytes"/>.</summary>
    internal static string VersionOf(ReadOnlySpan<byte> bytes)
    {
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(bytes, hash);
        return Convert.ToHexStringLower(hash[..8]);
    }

    /// <summary>A compiled-in model's version: the hash of its parameters, standardizer, class names and feature pipeline.</summary>
    private static string CompiledVersion(TrainedModel model)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(MemoryMarshal.AsBytes((ReadOnlySpan<float>)model.Model.Parameters));
        if (model.Standardizer is { } standardizer)
        {
            hash.AppendData(MemoryMarshal.AsBytes(standardizer.Means));
            hash.AppendData(MemoryMarshal.AsBytes(standardizer.StandardDeviations));
        }

        foreach (string name in model.ClassNames)
        {
            hash.AppendData(Encoding.UTF8.GetBytes(name + "\n"));
        }

        if (model.Pipeline is { } pipeline)
        {
            hash.AppendData(Encoding.UTF8.GetBytes(Describe(pipeline)));
        }

        return Convert.ToHexStringLower(hash.GetHashAndReset().AsSpan(0, 8));
    }

    /// <summary>A model's precision as the log says it: "int8" for a quantized model, else "float32" (as <c>native serve</c>'s model list).</summary>
    private static string Precision(TrainedModel model) => model.IsQuantized ? "int8" : "float32";

    /// <summary>
    /// Everything in a feature pipeline that decides what a record becomes — columns, kinds, offsets, fills, indicators,
    /// categories and their slots, unknown policy, missing tokens, decimal comma, thousands separator — as text, every name and category
    /// prefixed by its length so no two pipelines write the same text. (Its standardizer is the model's, hashed above.)
    /// </summary>
    private static string Describe(FeaturePipeline pipeline)
    {
        var text = new StringBuilder("pipeline\n");
        text.Append(CultureInfo.InvariantCulture, $"decimal comma {pipeline.DecimalComma}, {pipeline.MissingTokens.Count} missing tokens");
        if (pipeline.ThousandsSeparator is char thousands)
        {
            // Only when there is one, so a pipeline without it keeps the version it had.
            text.Append(CultureInfo.InvariantCulture, $", thousands separator U+{(int)thousands:X4}");
        }

        foreach (string token in pipeline.MissingTokens)
        {
            Field(text, token);
        }

        foreach (PipelineColumn column in pipeline.Columns)
        {
            text.Append('\n');
            Field(text, column.Name);
            text.Append(CultureInfo.InvariantCulture, $" {column.Kind} at {column.Offset}, {column.Width} wide, fill {BitConverter.SingleToInt32Bits(column.Fill):x8}, indicator {column.HasIndicator}, other {column.HasOther}, missing slot {column.HasMissingSlot}, unknown {column.Unknown}, {column.Categories.Count} categories");
            foreach (string category in column.Categories)
            {
                Field(text, category);
            }
        }

        return text.ToString();

        static void Field(StringBuilder text, string value) => text.Append(CultureInfo.InvariantCulture, $" {value.Length}:").Append(value);
    }

    /// <summary>The file's bytes, read once (another process may replace or write it meanwhile), and their version.</summary>
    private (byte[] Bytes, string Version) Read()
    {
        using var stream = new FileStream(_path!, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, bufferSize: 1);
        long length = stream.Length;
        if (length > _options.MaxFileBytes)
        {
            throw new IOException($"'{_path}' holds {length:N0} bytes, more than the {_options.MaxFileBytes:N0} bytes a model file may (NativeModelOptions.MaxFileBytes).");
        }

        byte[] bytes = new byte[length];
        int read = 0;
        while (read < bytes.Length && stream.Read(bytes, read, bytes.Length - read) is int n and > 0)
        {
            read += n;
        }

        // A file cut short while it was read (written in place) is read as it is: the reader refuses what is incomplete.
        bytes = read == bytes.Length ? bytes : bytes[..read];
        return (bytes, VersionOf(bytes));
    }

    private TrainedModel Load(byte[] bytes)
    {
        using var stream = new MemoryStream(bytes, writable: false);
        return ModelFile.Load(stream, _format, _path);
    }

    private void Refuse(string? version, string reason)
    {
        _refusal = new NativeModelRefusal(version, reason, _time.GetUtcNow());
        Log.Refused(_logger, _name, _path!, version ?? "unreadable", _current.Version, reason);
    }

    private void Watch()
    {
        string directory = Path.GetDirectoryName(_path)!, file = Path.GetFileName(_path)!;
        _quiet = _time.CreateTimer(static state => ((ModelSlot)state!).Quiet(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        _watcher = new FileSystemWatcher(directory)
        {
            NotifyFilter = NotifyFilters.FileName | NotifyFilters.DirectoryName | NotifyFilters.LastWrite | NotifyFilters.Size | NotifyFilters.CreationTime,
            IncludeSubdirectories = false,
        };
        FileSystemEventHandler changed = (_, e) => Changed(e.Name, null, file);
        _watcher.Changed += changed;
        _watcher.Created += changed;
        _watcher.Deleted += changed;
        _watcher.Renamed += (_, e) => Changed(e.Name, e.OldName, file);
        _watcher.Error += (_, _) => Restart(); // the watcher's buffer overflowed: events were lost, so look
        _watcher.EnableRaisingEvents = true;
    }

    private void Changed(string? name, string? oldName, string file)
    {
        if (name == file || oldName == file || (name?.StartsWith("..", StringComparison.Ordinal) ?? false))
        {
            Restart();
        }
    }

    /// <summary>Starts the quiet period again: the file is read when nothing has changed for <see cref="NativeModelOptions.ReloadDelay"/>.</summary>
    private void Restart()
    {
        TimeSpan delay = _options.ReloadDelay < NativeModelOptions.MinimumReloadDelay ? NativeModelOptions.MinimumReloadDelay : _options.ReloadDelay;
        try
        {
            _quiet?.Change(delay, Timeout.InfiniteTimeSpan);
        }
        catch (ObjectDisposedException)
        {
            // Disposed while an event was on its way: nothing to do.
        }
    }

    private void Quiet()
    {
        try
        {
            Reload();
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Never let a timer thread take the process down; the model serving stays.
            lock (_loading)
            {
                Refuse(null, e.Message);
            }
        }
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "Model {Name} version {Version} loaded from {Source}: {Shape}, {Precision}.")]
        public static partial void Loaded(ILogger logger, string name, string version, string source, ModelShape shape, string precision);

        [LoggerMessage(2, LogLevel.Error, "Model {Name}: '{Path}' (version {Refused}) was refused; version {Serving} goes on serving. {Reason}")]
        public static partial void Refused(ILogger logger, string name, string path, string refused, string serving, string reason);

        [LoggerMessage(3, LogLevel.Debug, "Model {Name}: '{Path}' changed, but its bytes are version {Version}, loaded or refused already.")]
        public static partial void Unchanged(ILogger logger, string name, string path, string version);
    }
}
