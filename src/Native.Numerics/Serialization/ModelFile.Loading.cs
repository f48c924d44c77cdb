using Native.Numerics.Quantization;
using Native.Numerics.Serialization;
using Native.Numerics.Serialization.Onnx;

namespace Native.Numerics;

// Loading: a model file into a TrainedModel of the kind it states, or into a given model; the checks every load runs.
public static partial class ModelFile
{
    /// <summary>
    /// Loads the model in <paramref name="path"/> as a new run-time-shaped model of the kind the file states
    /// (<see cref="LinearRegression"/>, <see cref="LogisticRegression"/>, <see cref="SoftmaxRegression"/> or
    /// <see cref="MultilayerPerceptron"/>), with its class names, standardizer and properties.
    /// </summary>
    /// <param name="path">The file.</param>
    /// <exception cref="FileNotFoundException">The file does not exist, or the path is a directory.</exception>
    /// <exception cref="FileFormatException">The file is not a valid model file; the message says what and where.</exception>
    public static TrainedModel Load(string path) => Load(path, FormatOf(path));

    /// <summary>
    /// Loads the model in <paramref name="path"/>, read as <paramref name="format"/> whatever the path's extension, as
    /// <see cref="Load(string)"/> does.
    /// </summary>
    /// <param name="path">The file.</param>
    /// <param name="format">The format to read.</param>
    /// <exception cref="FileNotFoundException">The file does not exist, or the path is a directory.</exception>
    /// <exception cref="FileFormatException">The file is not a valid model file of that format; the message says what and where.</exception>
    public static TrainedModel Load(string path, ModelFormat format)
    {
        using FileStream file = OpenRead(path);
        return Load(file, format, path);
    }

    /// <summary>
    /// Loads a model in <paramref name="format"/> from <paramref name="stream"/>, from its current position to its end,
    /// as <see cref="Load(string)"/> does from a file. The stream is left open.
    /// </summary>
    /// <param name="stream">The stream; it need not be seekable.</param>
    /// <param name="format">The format to read.</param>
    /// <param name="name">What to call the stream in error messages (its file name, say), or null.</param>
    /// <exception cref="FileFormatException">The content is not a valid model file of that format (for ONNX: not a graph of the model kinds); the message says what and where.</exception>
    public static TrainedModel Load(Stream stream, ModelFormat format, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        IModel? model = null;
        Reading reading = Read(stream, name, format, expected: null, quantizedAllowed: true, shape =>
        {
            try
            {
                model = shape.CreateModel();
            }
            catch (Exception e) when (e is OverflowException or ArgumentException)
            {
                // A valid file can describe a model wider than the run-time models' per-thread scratch can count
                // (more than about 16 million units in all, hundreds of megabytes of weights): say so, as a file error.
                throw FileFormatException.InFile(name, $"the file holds a {shape}, which the run-time models cannot build: {e.Message}", e);
            }

            // The weights are read straight into the new model's parameter block: no copy of the file's size.
            return model.Parameters;
        });
        return reading.Quantized is { } quantized
            ? new TrainedModel(quantized, reading.Metadata, reading.LibraryVersion)
            : new TrainedModel<IModel>(model!, reading.Metadata, reading.LibraryVersion);
    }

    /// <summary>
    /// Loads the file in <paramref name="path"/> into a new <typeparamref name="TModel"/> — a source-generated
    /// model, say — after checking that the file's shape equals the model's <see cref="IPredictor.Shape"/> exactly.
    /// </summary>
    /// <typeparam name="TModel">The model type; it must have a parameterless constructor.</typeparam>
    /// <param name="path">The file.</param>
    /// <exception cref="FileNotFoundException">The file does not exist, or the path is a directory.</exception>
    /// <exception cref="FileFormatException">The file is not a valid model file, or holds a model of another shape.</exception>
    public static TrainedModel<TModel> Load<TModel>(string path)
        where TModel : IModel, new() => LoadInto(new TModel(), path);

    /// <summary>
    /// Loads a model from <paramref name="stream"/> into a new <typeparamref name="TModel"/>, as
    /// <see cref="Load{TModel}(string)"/> does from a file. The stream is left open.
    /// </summary>
    /// <typeparam name="TModel">The model type; it must have a parameterless constructor.</typeparam>
    /// <param name="stream">The stream; it need not be seekable.</param>
    /// <param name="format">The format to read.</param>
    /// <param name="name">What to call the stream in error messages, or null.</param>
    /// <exception cref="FileFormatException">The content is not a valid model file, or holds a model of another shape.</exception>
    public static TrainedModel<TModel> Load<TModel>(Stream stream, ModelFormat format, string? name = null)
        where TModel : IModel, new() => LoadInto(new TModel(), stream, format, name);

    /// <summary>
    /// Loads the weights in <paramref name="path"/> into <paramref name="model"/>, after checking that the
    /// file's shape equals <paramref name="model"/>'s exactly. The model's parameters change only if the
    /// whole file is valid.
    /// </summary>
    /// <typeparam name="TModel">The model type.</typeparam>
    /// <param name="model">The model to fill.</param>
    /// <param name="path">The file.</param>
    /// <exception cref="FileNotFoundException">The file does not exist, or the path is a directory.</exception>
    /// <exception cref="FileFormatException">The file is not a valid model file, or holds a model of another shape.</exception>
    public static TrainedModel<TModel> LoadInto<TModel>(TModel model, string path)
        where TModel : IModel
    {
        using FileStream file = OpenRead(path);
        return LoadInto(model, file, FormatOf(path), path);
    }

    /// <summary>
    /// Loads the weights in <paramref name="stream"/> (from its current position to its end) into
    /// <paramref name="model"/>, as <see cref="LoadInto{TModel}(TModel, string)"/> does from a file. The
    /// stream is left open.
    /// </summary>
    /// <typeparam name="TModel">The model type.</typeparam>
    /// <param name="model">The model to fill.</param>
    /// <param name="stream">The stream; it need not be seekable.</param>
    /// <param name="format">The format to read.</param>
    /// <param name="name">What to call the stream in error messages, or null.</param>
    /// <exception cref="FileFormatException">The content is not a valid model file, or holds a model of another shape.</exception>
    public static TrainedModel<TModel> LoadInto<TModel>(TModel model, Stream stream, ModelFormat format, string? name = null)
        where TModel : IModel
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(stream);

        // Into a buffer first: the model's parameters change only once the whole file has proved valid.
        float[]? parameters = null;
        Reading reading = Read(stream, name, format, model.Shape, quantizedAllowed: false, shape => parameters = new float[shape.ParameterCount]);
        parameters.CopyTo(model.Parameters);
        return new TrainedModel<TModel>(model, reading.Metadata, reading.LibraryVersion);
    }

    private static FileStream OpenRead(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (Directory.Exists(path))
        {
            // Opening a directory throws "Access to the path is denied", which reads as a matter of permissions.
            throw new FileNotFoundException($"'{path}' is a directory; a model is loaded from a file (a .safetensors or .onnx file inside it).", path);
        }

        return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 64 * 1024, FileOptions.SequentialScan);
    }

    /// <summary>
    /// Reads, checks and decodes a whole model file: its shape, its metadata, and its parameters, into the block
    /// <paramref name="parametersFor"/> gives for the shape once the header has proved valid. The parameters
    /// must be finite and able to give finite outputs (<see cref="OutputBounds"/>).
    /// </summary>
    private static Reading Read(Stream stream, string? name, ModelFormat format, ModelShape? expected, bool quantizedAllowed, Func<ModelShape, Span<float>> parametersFor)
    {
        if (!Enum.IsDefined(format))
        {
            throw new ArgumentOutOfRangeException(nameof(format), format, "Unknown model format.");
        }

        if (format == ModelFormat.Onnx)
        {
            (ModelShape onnxShape, float[] onnxParameters, ModelMetadata onnxMetadata, string? onnxVersion, QuantizedParameters? onnxQuantized) = OnnxModelFile.Read(stream, name, quantizedAllowed);
            CheckExpected(name, onnxShape, expected);
            if (onnxQuantized is not null)
            {
                // A QDQ graph: the integers it holds, checked as an int8 file's are.
                return ModelFileFormat.QuantizedBoundsProblem(onnxQuantized) is string quantizedProblem
                    ? throw FileFormatException.InFile(name, $"{quantizedProblem}; this model would answer NaN to every input.")
                    : new Reading(onnxMetadata, onnxVersion, onnxQuantized);
            }

            if (BoundsProblem(onnxShape, onnxParameters, onnxMetadata.Standardizer ?? onnxMetadata.Pipeline?.Standardizer) is string onnxProblem)
            {
                throw FileFormatException.InFile(name, $"{onnxProblem}; this model would answer NaN to every input.");
            }

            onnxParameters.CopyTo(parametersFor(onnxShape));
            return new Reading(onnxMetadata, onnxVersion);
        }

        Safetensors.Contents contents = Safetensors.ReadHeader(stream, name);
        ModelFileHeader header = ModelFileFormat.Decode(contents);
        (ModelShape shape, ModelMetadata metadata) = ModelFileFormat.ToModel(contents, header);
        CheckExpected(name, shape, expected);
        if (header.Quantization is not null && quantizedAllowed)
        {
            QuantizedParameters quantized = ModelFileFormat.ReadQuantized(stream, contents, header, shape, metadata.Standardizer);
            if (ModelFileFormat.QuantizedBoundsProblem(quantized) is string quantizedProblem)
            {
                throw contents.Error(contents.DataStart, $"{quantizedProblem}; this model would answer NaN to every input.");
            }

            return new Reading(metadata, header.LibraryVersion, quantized);
        }

        Span<float> parameters = ModelFileFormat.ReadParameters(stream, contents, header, () => parametersFor(shape));
        if (BoundsProblem(shape, parameters, metadata.Standardizer) is string problem)
        {
            throw contents.Error(contents.DataStart, $"{problem}; this model would answer NaN to every input.");
        }

        return new Reading(metadata, header.LibraryVersion);
    }

    /// <summary>Why the model cannot give finite outputs (<see cref="OutputBounds"/>), or null when it can.</summary>
    private static string? BoundsProblem(ModelShape shape, ReadOnlySpan<float> parameters, Standardizer? standardizer) =>
        OutputBounds.Problem([.. shape.LayerSizes], [.. shape.HiddenActivations], shape.LeakyReluSlope, parameters, standardizer?.StandardDeviations.ToArray());

    private static void CheckExpected(string? name, ModelShape shape, ModelShape? expected)
    {
        if (expected is not null && !expected.Equals(shape))
        {
            throw FileFormatException.InFile(name, $"the file holds a {shape}, but the model to load it into is a {expected}; the shapes must be equal.");
        }
    }

    private sealed record Reading(ModelMetadata Metadata, string? LibraryVersion, QuantizedParameters? Quantized = null);
}
