namespace Native.Numerics.Serialization.Onnx;

/// <summary>
/// ONNX files for <see cref="ModelFile"/>: reads a stream into memory (no more than it holds), reads the model
/// with <see cref="OnnxGraphReader"/>, and turns the <see cref="ModelDescription"/> into the shape, parameter block
/// and metadata a model is built from; and writes a model with <see cref="OnnxExport"/>.
/// </summary>
internal static class OnnxModelFile
{
    /// <summary>The extension that selects ONNX when a path is saved or loaded.</summary>
    public const string Extension = ".onnx";

    /// <summary>The first buffer for a stream of unknown length; it doubles as bytes arrive.</summary>
    private const int InitialBufferLength = 64 * 1024;

    /// <summary>Whether <paramref name="path"/> names an ONNX file (by its extension, in any case).</summary>
    public static bool IsOnnx(string path) => Path.GetExtension(path).Equals(Extension, StringComparison.OrdinalIgnoreCase);

    /// <summary>Writes <paramref name="model"/> as ONNX to <paramref name="stream"/>.</summary>
    public static void Write(Stream stream, IModel model, ModelMetadata metadata, string libraryVersion) =>
        stream.Write(OnnxExport.Write(model, metadata, libraryVersion).Written);

    /// <summary>Reads an ONNX model from <paramref name="stream"/>'s position to its end.</summary>
    /// <exception cref="FileFormatException">The content is not an ONNX model of the library's kinds.</exception>
    public static (ModelShape Shape, float[] Parameters, ModelMetadata Metadata, string? LibraryVersion) Read(Stream stream, string? name)
    {
        ModelDescription description = OnnxGraphReader.Read(ReadAll(stream, name), name);
        ModelShape shape;
        Standardizer? standardizer;
        try
        {
            shape = ModelShape.Of(description.Kind, description.LayerSizes, description.HiddenActivations, description.LeakyReluSlope);
            standardizer = description.Means is { } means ? Standardizer.FromStatistics(means, description.Deviations) : null;
        }
        catch (ArgumentException e)
        {
            // The reader has checked every rule these enforce but the total parameter count.
            throw FileFormatException.InFile(name, $"the file describes a model the library cannot build: {e.Message}", e);
        }

        float[] parameters = new float[shape.ParameterCount];
        for (int l = 0; l < shape.LayerCount; l++)
        {
            description.Weights[l].CopyTo(parameters, shape.WeightOffset(l));
            description.Biases[l].CopyTo(parameters, shape.BiasOffset(l));
        }

        var properties = new Dictionary<string, string>(StringComparer.Ordinal);
        string[] featureNames = [];
        string[] labelNames = [];
        foreach ((string key, string value) in description.Properties)
        {
            if (key == ModelFileKeys.FeatureNamesKey)
            {
                featureNames = ModelFileFormat.ParseFeatureNames(value, shape.Features, out string? problem)
                    ?? throw FileFormatException.InFile(name, $"metadata_props has {ModelFileKeys.FeatureNamesKey}, but {problem}.");
            }
            else if (key == ModelFileKeys.LabelNameKey)
            {
                labelNames = labelNames.Length == 0 ? [value] : throw LabelsTwice(name);
            }
            else if (key == ModelFileKeys.LabelNamesKey)
            {
                labelNames = labelNames.Length == 0 ? ModelFileFormat.ParseNames(value, shape.Task == ModelTask.Regression && shape.Outputs > 1 ? shape.Outputs : -1, "label column", "label columns (one per output of a multi-output regression)", out string? problem)
                    ?? throw FileFormatException.InFile(name, $"metadata_props has {ModelFileKeys.LabelNamesKey}, but {problem}.")
                    : throw LabelsTwice(name);
            }
            else if (key == ModelFileKeys.KindKey)
            {
                // The graph reader has held the graph to it: the shape says it.
            }
            else
            {
                properties[key] = value;
            }
        }

        var metadata = new ModelMetadata { ClassNames = description.ClassNames, FeatureNames = featureNames, LabelNames = labelNames, Standardizer = standardizer, Properties = properties };
        string? version = description.Producer.StartsWith(OnnxExport.Producer + " ", StringComparison.Ordinal) ? description.Producer[(OnnxExport.Producer.Length + 1)..] : null;
        return (shape, parameters, metadata, version);
    }

    private static FileFormatException LabelsTwice(string? name) =>
        FileFormatException.InFile(name, $"metadata_props has both {ModelFileKeys.LabelNameKey} and {ModelFileKeys.LabelNamesKey}; a file names one label column, or one per output of a multi-output regression.");

    /// <summary>
    /// The rest of <paramref name="stream"/>: a seekable stream's length is checked first; another's buffer grows by
    /// doubling only as bytes arrive, so a short stream costs what it holds.
    /// </summary>
    private static byte[] ReadAll(Stream stream, string? name)
    {
        if (stream.CanSeek)
        {
            long length = Math.Max(0, stream.Length - stream.Position);
            if (length > Array.MaxLength)
            {
                throw FileFormatException.InFile(name, $"the file is {length:N0} bytes; protobuf (and so ONNX) files are at most 2 GB, and this reader holds one in memory.");
            }

            byte[] bytes = GC.AllocateUninitializedArray<byte>((int)length);
            int read = stream.ReadAtLeast(bytes, bytes.Length, throwOnEndOfStream: false);
            return read == bytes.Length ? bytes : bytes[..read];
        }

        byte[] buffer = GC.AllocateUninitializedArray<byte>(InitialBufferLength);
        int filled = 0;
        while (true)
        {
            filled += stream.ReadAtLeast(buffer.AsSpan(filled), buffer.Length - filled, throwOnEndOfStream: false);
            if (filled < buffer.Length)
            {
                return buffer[..filled];
            }

            if (buffer.Length == Array.MaxLength)
            {
                throw FileFormatException.InFile(name, "the stream holds more than 2 GB; protobuf (and so ONNX) files are at most 2 GB.");
            }

            Array.Resize(ref buffer, (int)Math.Min(2L * buffer.Length, Array.MaxLength));
        }
    }
}
