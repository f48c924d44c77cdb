using System.Reflection;
using Native.Numerics.Quantization;
using Native.Numerics.Serialization;
using Native.Numerics.Serialization.Onnx;

namespace Native.Numerics;

/// <summary>
/// Saves models to safetensors or ONNX files and loads them back, with their class names, standardizer and
/// properties; any safetensors reader (Python's <c>safetensors</c>, for one) reads the weights, and ONNX Runtime runs the ONNX files.
/// </summary>
/// <remarks>
/// <para>
/// <b>Layout.</b> An 8-byte little-endian header length n; n bytes of UTF-8 JSON, padded with spaces to a
/// multiple of 8; then the data section. Each dense layer l is two tensors of dtype <c>F32</c>:
/// <c>layers.{l}.weight</c> of shape [outputs, inputs] and <c>layers.{l}.bias</c> of shape [outputs],
/// raw little-endian floats, row-major. The library writes them in layer order, weight then bias — which
/// is exactly the order of <see cref="IModel.Parameters"/>, so the data section is the parameter block —
/// but reads them in any order the offsets give.
/// </para>
/// <para>
/// <b>Metadata.</b> The header's <c>__metadata__</c> map (strings to strings only, as safetensors requires)
/// holds these keys, the library's under the reserved prefix <c>native.</c>:
/// </para>
/// <list type="table">
/// <item><term><c>native.format</c></term><description>The format version: <c>"1"</c>, or <c>"2"</c> for a file with a feature pipeline (which a library that reads only version 1 refuses, rather than predict from raw columns), or <c>"3"</c> for a quantized (int8) model, with or without a feature pipeline.</description></item>
/// <item><term><c>native.quantization</c></term><description>Format 3 only: <c>int8_calibrated</c> or <c>int8_per_row</c>. Each layer l is then
/// <c>layers.{l}.weight</c> of dtype <c>I8</c> [outputs, inputs] (−127 to 127), <c>layers.{l}.weight_scale</c> F32 [outputs], <c>layers.{l}.bias</c>
/// F32 [outputs] and <c>layers.{l}.input_quantization</c> F32 [2] (the input bytes' scale and zero point), read back by
/// <see cref="Load(string)"/> into a quantized <see cref="TrainedModel"/> (see <c>Serialization/ModelFileFormat.Quantized.cs</c>).</description></item>
/// <item><term><c>native.library_version</c></term><description>The version of the library that wrote the file (informational).</description></item>
/// <item><term><c>native.kind</c></term><description><c>linear_regression</c>, <c>logistic_regression</c>, <c>softmax_regression</c> or <c>multilayer_perceptron</c>.</description></item>
/// <item><term><c>native.layer_sizes</c></term><description>A JSON array of integers: the features, each hidden width, the outputs; <c>"[784,128,10]"</c>.</description></item>
/// <item><term><c>native.activations</c></term><description>A JSON array with each hidden layer's activation — <c>relu</c>, <c>leaky_relu</c>, <c>sigmoid</c> or <c>tanh</c> — <c>"[]"</c> for the regressions.</description></item>
/// <item><term><c>native.leaky_relu_slope</c></term><description>The leaky ReLU slope as a JSON number that round-trips the float exactly.</description></item>
/// <item><term><c>native.class_names</c></term><description>Optional: a JSON array of strings, one per class, in label order, distinct.</description></item>
/// <item><term><c>native.feature_names</c></term><description>Optional: a JSON array of strings, one per feature, in input order, distinct (a CSV header's).</description></item>
/// <item><term><c>native.label_name</c></term><description>Optional: the name of the label column the model was trained on.</description></item>
/// <item><term><c>native.standardizer.means</c>, <c>native.standardizer.standard_deviations</c></term><description>Optional, together: JSON arrays of one float per feature (exact round trip); the deviations are the divisors, all positive.</description></item>
/// <item><term><c>native.pipeline</c></term><description>Optional (format 2, or 3 for an int8 model): the <see cref="FeaturePipeline"/>, a JSON object
/// <c>{"version":1,"missing_tokens":[…],"decimal_comma":false,"imputation":"mean","columns":[…]}</c>, one object per column of
/// the table but the label, in file order: <c>name</c>, <c>kind</c> (<c>number</c>, <c>category</c>, <c>ignored</c>),
/// <c>inferred</c>, <c>count</c>, <c>missing</c>, an optional <c>note</c>; for a number and a category <c>offset</c> and
/// <c>width</c>; for a number <c>fill</c> and <c>indicator</c>; for a category <c>categories</c> (in slot order), <c>other</c>,
/// <c>missing_slot</c> and <c>unknown</c> (<c>ignore</c>, <c>error</c>). Widths follow from the kinds and sum to the model's
/// features; the standardizer, if any, is the pipeline's and covers those features; <c>native.feature_names</c> is then absent
/// (the pipeline names them: <c>grade=B</c>, <c>income (missing)</c>…).</description></item>
/// </list>
/// <para>
/// Every other key is a caller's property (<see cref="ModelMetadata.Properties"/>), kept as is.
/// </para>
/// <para>
/// <b>ONNX.</b> A path ending in <c>.onnx</c> (any case) is read and written as ONNX instead, by every load and save
/// that takes a path and no <see cref="ModelFormat"/>; a stream is read and written in the format its call names. The layout written,
/// the graphs read and the checks made are described in <c>Serialization/Onnx</c> (<c>OnnxExport</c>,
/// <c>OnnxGraphReader</c>).
/// </para>
/// <para>
/// <b>Saving</b> to a path is atomic: the file is written beside the target under a temporary name,
/// flushed to the disk, and only then moved over the target. If anything fails, the temporary file is
/// deleted and whatever the path held before is untouched. Symbolic links are followed; only regular files
/// are replaced, keeping their mode (see <see cref="Save(IModel, string, ModelMetadata?, CancellationToken)"/>).
/// </para>
/// <para>
/// <b>Loading</b> trusts nothing: every problem is a <see cref="FileFormatException"/> (the one exception
/// type for bad content) naming the file and, where there is one, the byte offset: a file shorter than the
/// length field; a header length beyond the file or above 100 MB; a header that does not start with
/// <c>{</c> or is not valid JSON (or not valid UTF-8); duplicate, missing or unexpected tensors; a dtype
/// other than F32 (unknown or unsupported); a shape whose product overflows; data offsets reversed, out of
/// range, overlapping, leaving gaps, or not covering the data section to its last byte; tensor shapes that
/// disagree with the model the metadata describe; metadata missing or inconsistent (format version, kind,
/// layer sizes, activations, slope, class names, standardizer); weights that are NaN or infinite. No buffer
/// is allocated before its size has been checked against the bytes the file actually holds.
/// </para>
/// </remarks>
public static partial class ModelFile
{
    /// <summary>
    /// The newest version of the layout and metadata this library writes and reads: 2, that of a file keeping a feature
    /// pipeline. A file without one is written as version 1, which earlier versions of the library read too.
    /// </summary>
    public const int FormatVersion = ModelFileKeys.FormatVersion;

    /// <summary>The prefix of the metadata keys the format reserves.</summary>
    public const string ReservedPrefix = ModelFileKeys.ReservedPrefix;

    private static readonly string LibraryVersion =
        typeof(ModelFile).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
        ?? typeof(ModelFile).Assembly.GetName().Version?.ToString() ?? "unknown";

    /// <summary>
    /// Saves <paramref name="model"/> and <paramref name="metadata"/> to <paramref name="path"/>, atomically:
    /// the previous file, if any, is replaced only once the new one is completely on the disk.
    /// </summary>
    /// <remarks>
    /// <para>
    /// A symbolic link is followed: saving to <c>current</c>, a link to <c>v1.safetensors</c>, replaces
    /// <c>v1.safetensors</c> and leaves the link as it was. Only a regular file, or a path where nothing is yet,
    /// is written: a directory, device (<c>/dev/null</c>), FIFO or socket is refused, as is a file the caller may
    /// not write (a mode of 0444, say). The new file keeps the mode of the file it replaces.
    /// </para>
    /// <para>
    /// The file is written beside the target as <c>.{name}.{process id}.{random}.tmp</c>, flushed to the disk,
    /// then moved over the target. If the save fails, or the process exits during it, the temporary file is
    /// removed; a temporary file left by a process that was killed outright is removed by the next save to the
    /// same path. Errors name <paramref name="path"/>, never the temporary file.
    /// </para>
    /// </remarks>
    /// <param name="model">The model; its parameters must all be finite and able to give finite outputs.</param>
    /// <param name="path">The file to write or replace.</param>
    /// <param name="metadata">Class names, standardizer and properties to keep with the model, or null.</param>
    /// <param name="cancellationToken">
    /// Stops the save: a cancellation requested at any moment before the temporary file replaces the target keeps the
    /// previous file (and removes the temporary one); one requested after it changes nothing. So the outcome of a
    /// program's Ctrl+C does not depend on when during the save it came.
    /// </param>
    /// <exception cref="ArgumentException">A parameter is not finite, the model cannot give finite outputs, or the metadata do not fit the model (class names, standardizer, reserved keys).</exception>
    /// <exception cref="IOException">The path is not a regular file or a new one, or the file cannot be written; the previous file is untouched.</exception>
    /// <exception cref="UnauthorizedAccessException">The file or its directory may not be written; the previous file is untouched.</exception>
    /// <exception cref="OperationCanceledException">The save was cancelled before it replaced the target; the previous file is untouched.</exception>
    public static void Save(IModel model, string path, ModelMetadata? metadata = null, CancellationToken cancellationToken = default) =>
        Save(model, path, FormatOf(path), metadata, beforeReplace: null, cancellationToken);

    /// <summary>
    /// Saves <paramref name="model"/> and <paramref name="metadata"/> to <paramref name="path"/> in <paramref name="format"/>,
    /// whatever the path's extension, atomically, as <see cref="Save(IModel, string, ModelMetadata?, CancellationToken)"/> does.
    /// </summary>
    /// <param name="model">The model; its parameters must all be finite and able to give finite outputs.</param>
    /// <param name="path">The file to write or replace.</param>
    /// <param name="format">The format to write.</param>
    /// <param name="metadata">Class names, standardizer and properties to keep with the model, or null.</param>
    /// <exception cref="ArgumentException">A parameter is not finite, the model cannot give finite outputs, or the metadata do not fit the model.</exception>
    /// <exception cref="IOException">The path is not a regular file or a new one, or the file cannot be written; the previous file is untouched.</exception>
    /// <param name="cancellationToken">Stops the save, as for <see cref="Save(IModel, string, ModelMetadata?, CancellationToken)"/>: before the rename it keeps the previous file.</param>
    /// <exception cref="UnauthorizedAccessException">The file or its directory may not be written; the previous file is untouched.</exception>
    /// <exception cref="OperationCanceledException">The save was cancelled before it replaced the target; the previous file is untouched.</exception>
    public static void Save(IModel model, string path, ModelFormat format, ModelMetadata? metadata = null, CancellationToken cancellationToken = default) =>
        Save(model, path, format, metadata, beforeReplace: null, cancellationToken);

    /// <summary>The format a path names by its extension: <see cref="ModelFormat.Onnx"/> for <c>.onnx</c> in any case, else <see cref="ModelFormat.Safetensors"/>.</summary>
    /// <param name="path">A file's path or name.</param>
    public static ModelFormat FormatOf(string path) => OnnxModelFile.IsOnnx(path) ? ModelFormat.Onnx : ModelFormat.Safetensors;

    /// <summary>
    /// Writes <paramref name="model"/> and <paramref name="metadata"/> to <paramref name="stream"/> at its current
    /// position in <paramref name="format"/>; the stream is left open. (Only saving to a path is atomic.) As ONNX, the
    /// model is an opset-17 graph ONNX Runtime runs: its standardizer as nodes at the input, class names in its label
    /// output, properties in <c>metadata_props</c>.
    /// </summary>
    /// <param name="model">The model; its parameters must all be finite.</param>
    /// <param name="stream">A writable stream.</param>
    /// <param name="format">The format to write.</param>
    /// <param name="metadata">Class names, standardizer and properties to keep with the model, or null.</param>
    /// <exception cref="ArgumentException">A parameter is not finite, or the metadata do not fit the model.</exception>
    public static void Save(IModel model, Stream stream, ModelFormat format, ModelMetadata? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        Plan plan = Prepare(model, metadata, format);
        Write(stream, model, metadata, format, plan);
    }

    /// <summary>
    /// Checks, without writing anything, that <see cref="Save(IModel, string, ModelMetadata?, CancellationToken)"/> could write
    /// <paramref name="path"/> now — so a program can refuse a bad destination before it spends time training:
    /// the path is a regular file or a new one (symbolic links followed), its directory exists, a file can be
    /// created there, and an existing file may be written.
    /// </summary>
    /// <param name="path">The file a model is to be saved to.</param>
    /// <exception cref="IOException">The path names a directory, device, FIFO or socket, its directory does not exist, or the directory cannot be written (a read-only file system, say); the message names the path.</exception>
    /// <exception cref="UnauthorizedAccessException">The directory or the existing file may not be written.</exception>
    public static void CheckSavePath(string path)
    {
        string target = SaveTarget.Resolve(path);
        SaveTarget.ProbeDirectory(target, path);
    }

    /// <summary>The atomic save, with a seam: <paramref name="beforeReplace"/> runs with the temporary file's path after it is written and flushed, just before it replaces the target.</summary>
    internal static void Save(IModel model, string path, ModelFormat format, ModelMetadata? metadata, Action<string>? beforeReplace, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        Plan plan = Prepare(model, metadata, format);
        string target = SaveTarget.Resolve(path);
        SaveTarget.Replace(target, path, file => Write(file, model, metadata, format, plan), beforeReplace, cancellationToken);
    }

    private static void Write(Stream stream, IModel model, ModelMetadata? metadata, ModelFormat format, Plan plan)
    {
        if (format == ModelFormat.Onnx)
        {
            OnnxModelFile.Write(stream, model, metadata ?? new ModelMetadata(), LibraryVersion);
        }
        else
        {
            Safetensors.Write(stream, plan.Tensors, plan.Metadata, model.Parameters);
        }
    }

    /// <summary>The tensors and metadata of a model about to be saved, after checking both.</summary>
    private static Plan Prepare(IModel model, ModelMetadata? metadata, ModelFormat format)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (!Enum.IsDefined(format))
        {
            throw new ArgumentOutOfRangeException(nameof(format), format, "Unknown model format.");
        }

        metadata ??= new ModelMetadata();
        ModelShape shape = model.Shape;
        ReadOnlySpan<float> parameters = model.Parameters;
        if (parameters.Length != shape.ParameterCount)
        {
            throw new ArgumentException($"The model has {parameters.Length} parameters, but its shape {shape} has {shape.ParameterCount}.", nameof(model));
        }

        int bad = parameters.IndexOfAnyExceptInRange(float.MinValue, float.MaxValue);
        if (bad >= 0)
        {
            throw new ArgumentException($"Parameter {bad} is {parameters[bad]}; a model with non-finite parameters cannot be saved (it could not be loaded).", nameof(model));
        }

        var tensors = new List<Safetensors.TensorLayout>(2 * shape.LayerCount);
        for (int l = 0; l < shape.LayerCount; l++)
        {
            int inputs = shape.LayerSizes[l], outputs = shape.LayerSizes[l + 1];
            tensors.Add(new Safetensors.TensorLayout(ModelFileFormat.WeightName(l), [outputs, inputs]));
            tensors.Add(new Safetensors.TensorLayout(ModelFileFormat.BiasName(l), [outputs]));
        }

        Dictionary<string, string> entries = ModelFileFormat.Encode(shape, metadata, LibraryVersion);
        if (BoundsProblem(shape, parameters, metadata.Standardizer ?? metadata.Pipeline?.Standardizer) is string problem)
        {
            throw new ArgumentException($"The model cannot be saved (it could not be loaded): {problem}.", nameof(model));
        }

        return new Plan(tensors, entries);
    }

    private sealed record Plan(List<Safetensors.TensorLayout> Tensors, Dictionary<string, string> Metadata);
}
