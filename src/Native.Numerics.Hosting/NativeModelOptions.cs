namespace Native.Numerics.Hosting;

/// <summary>How a model registered with <c>AddNativeModel</c> is loaded and kept current; named options, one per model.</summary>
public sealed class NativeModelOptions
{
    /// <summary>The least <see cref="ReloadDelay"/> taken: below it, one save would be read in pieces.</summary>
    public static readonly TimeSpan MinimumReloadDelay = TimeSpan.FromMilliseconds(10);

    /// <summary>The model file: safetensors, or ONNX when it ends in <c>.onnx</c> (or as <see cref="Format"/> says). Null for a model compiled in.</summary>
    public string? Path { get; set; }

    /// <summary>The file's format, or null to take it from the extension (<see cref="ModelFile.FormatOf"/>).</summary>
    public ModelFormat? Format { get; set; }

    /// <summary>
    /// Watch the file and load it again when it changes — replaced by a rename (as <see cref="ModelFile.Save(IModel, string, ModelMetadata?, CancellationToken)"/>,
    /// <c>mv</c> and deployment tools do) or written in place. The new version is loaded and validated completely
    /// before it is swapped in; one that fails is refused and the previous model goes on serving. Off by default.
    /// </summary>
    public bool ReloadOnChange { get; set; }

    /// <summary>
    /// How long the file must be quiet after a change before it is read: a save in several writes is read once, when
    /// it is done, and a burst of changes costs one load. 250 ms by default; at least <see cref="MinimumReloadDelay"/>.
    /// </summary>
    public TimeSpan ReloadDelay { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>The largest file read, in bytes: a larger one is refused before it is read. 1 GiB by default.</summary>
    public long MaxFileBytes { get; set; } = 1L << 30;

    /// <summary>A model compiled into the program (<c>[GeneratedModel]</c>'s <c>Model</c>), or a factory of one; null for a file.</summary>
    internal Func<TrainedModel>? Compiled { get; set; }
}
