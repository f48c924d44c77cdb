namespace Native.Numerics.Hosting;

/// <summary>
/// One version of a served model: the <see cref="TrainedModel"/> and where it came from. What
/// <see cref="INativeModelProvider.GetModel"/> hands out; immutable, so a caller that takes one per request predicts
/// with one version throughout, however many reloads happen meanwhile.
/// </summary>
public sealed class NativeModel
{
    internal NativeModel(string name, TrainedModel model, string version, DateTimeOffset loadedAt, string source)
    {
        Name = name;
        Model = model;
        Version = version;
        LoadedAt = loadedAt;
        Source = source;
    }

    /// <summary>The name the model was registered under (<c>"digits"</c>).</summary>
    public string Name { get; }

    /// <summary>The model: thread-safe, allocation-free predictions from raw rows.</summary>
    public TrainedModel Model { get; }

    /// <summary>
    /// The version: the first 16 hexadecimal digits of the SHA-256 of the file's bytes (for a compiled-in model, of its
    /// parameters, standardizer, class names and feature pipeline). Two loads of the same bytes have the same version.
    /// </summary>
    public string Version { get; }

    /// <summary>When this version was loaded and swapped in.</summary>
    public DateTimeOffset LoadedAt { get; }

    /// <summary>Where it came from: the file's full path, or <c>compiled</c> for a model compiled into the program.</summary>
    public string Source { get; }

    /// <inheritdoc/>
    public override string ToString() => $"{Name} {Version} ({Model.Shape}, from {Source})";
}

/// <summary>A version of a model's file that was refused: the previous model went on serving.</summary>
/// <param name="Version">The version the refused bytes would have had (their content hash), or null when the file could not be read.</param>
/// <param name="Reason">Why, in one line: the reader's message with the byte offset, or the I/O error.</param>
/// <param name="At">When it was refused.</param>
public sealed record NativeModelRefusal(string? Version, string Reason, DateTimeOffset At);

/// <summary>A registered model's state: the version serving, and the last refused file since it was loaded, if any.</summary>
/// <param name="Current">The version serving.</param>
/// <param name="Refusal">The last version of the file refused since <paramref name="Current"/> was loaded, or null.</param>
public sealed record NativeModelStatus(NativeModel Current, NativeModelRefusal? Refusal);
