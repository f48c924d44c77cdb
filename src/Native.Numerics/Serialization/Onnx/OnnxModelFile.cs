using Native.Numerics.Quantization;

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

    /// <summary>Writes the calibrated quantized model <paramref name="quantized"/> (whose float weights <paramref name="model"/> holds) as QDQ ONNX to <paramref name="stream"/>.</summary>
    public static void WriteQuantized(Stream stream, IModel model, QuantizedParameters quantized, ModelMetadata metadata, string libraryVersion) =>
        stream.Write(OnnxExport.Write(model, metadata, libraryVersion, quantized).Written);

    /// <summary>
    /// Reads an ONNX model from <paramref name="stream"/>'s position to its end: its shape, float parameters (for a quantized
    /// graph, none: its integers build them) and metadata; and, for a quantized (QDQ) graph when <paramref name="quantizedAllowed"/>,
    /// its integer layers, with the same standardizer object as the metadata's.
    /// </summary>
    /// <exception cref="FileFormatException">The content is not an ONNX model of the library's kinds, or is quantized and <paramref name="quantizedAllowed"/> is false.</exception>
    public static (ModelShape Shape, float[] Parameters, ModelMetadata Metadata, string? LibraryVersion, QuantizedParameters? Quantized) Read(Stream stream, string? name, bool quantizedAllowed)
    {
        ModelDescription description = OnnxGraphReader.Read(ReadAll(stream, name), name, quantizedAllowed);
        ModelShape shape;
        Standardizer? standardizer;
        QuantizedParameters? quantized = null;
        try
        {
            shape = ModelShape.Of(description.Kind, description.LayerSizes, description.HiddenActivations, description.LeakyReluSlope);
            standardizer = description.Means is { } means ? Standardizer.FromStatistics(means, description.Deviations) : null;
            if (description.Quantization is { } layers)
            {
                // The reader has checked each value as QuantizedLayer does; the constructor checks again (and the widest layer).
                var quantizedLayers = new QuantizedLayer[layers.Length];
                for (int l = 0; l < layers.Length; l++)
                {
                    quantizedLayers[l] = new QuantizedLayer(shape.LayerSizes[l], shape.LayerSizes[l + 1], layers[l].Weights, layers[l].WeightScales, description.Biases[l], layers[l].InputScale, layers[l].InputZeroPoint);
                }

                quantized = new QuantizedParameters(shape, standardizer, ActivationScaling.Calibrated, quantizedLayers);
            }
        }
        catch (ArgumentException e)
        {
            // The reader has checked every rule these enforce but the total parameter count (and a quantized layer's widest).
            throw FileFormatException.InFile(name, $"the file describes a model the library cannot build: {e.Message}", e);
        }

        FeaturePipeline? pipeline = description.Pipeline is { } read ? Pipeline(read, standardizer, description.Properties, name) : null;

        // A quantized model's float weights are made from its bytes when it is built (TrainedModel): none here.
        float[] parameters = quantized is null ? new float[shape.ParameterCount] : [];
        for (int l = 0; l < shape.LayerCount && quantized is null; l++)
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
            else if (key is OnnxExport.MissingTokensKey or OnnxExport.DecimalCommaKey or OnnxExport.ThousandsSeparatorKey)
            {
                // Read into the pipeline; without one, the library's prefix is not the graph's to use.
                _ = pipeline ?? throw FileFormatException.InFile(name, $"metadata_props has the key '{key}', which only a graph with Native's feature pipeline has.");
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

        if (pipeline is not null && featureNames.Length > 0 && !featureNames.SequenceEqual(pipeline.FeatureNames, StringComparer.Ordinal))
        {
            throw FileFormatException.InFile(name, $"metadata_props has {ModelFileKeys.FeatureNamesKey}, but they are not the names of the features the graph's pipeline writes.");
        }

        var metadata = pipeline is null
            ? new ModelMetadata { ClassNames = description.ClassNames, FeatureNames = featureNames, LabelNames = labelNames, Standardizer = standardizer, Properties = properties }
            : new ModelMetadata { ClassNames = description.ClassNames, LabelNames = labelNames, Pipeline = pipeline, Properties = properties };
        string? version = description.Producer.StartsWith(OnnxExport.Producer + " ", StringComparison.Ordinal) ? description.Producer[(OnnxExport.Producer.Length + 1)..] : null;
        return (shape, parameters, metadata, version, quantized);
    }

    private static FileFormatException LabelsTwice(string? name) =>
        FileFormatException.InFile(name, $"metadata_props has both {ModelFileKeys.LabelNameKey} and {ModelFileKeys.LabelNamesKey}; a file names one label column, or one per output of a multi-output regression.");

    /// <summary>
    /// The pipeline the graph's front describes, with what only metadata_props can say: its missing tokens (which, when the
    /// pipeline has categories, the graph's LabelEncoders hold too, and must agree) and its decimal comma.
    /// </summary>
    private static FeaturePipeline Pipeline(PipelineDescription read, Standardizer? standardizer, List<KeyValuePair<string, string>> properties, string? name)
    {
        string[] tokens = read.MissingTokens;
        bool decimalComma = false;
        char? thousands = null;
        foreach ((string key, string value) in properties)
        {
            if (key == OnnxExport.MissingTokensKey)
            {
                string[] listed = Tokens(value) ?? throw FileFormatException.InFile(name, $"metadata_props has {OnnxExport.MissingTokensKey}, but it is not a JSON array of strings.");
                if (read.Columns.Any(column => column.Kind == ColumnKind.Category) && !listed.SequenceEqual(tokens, StringComparer.Ordinal))
                {
                    throw FileFormatException.InFile(name, $"metadata_props has {OnnxExport.MissingTokensKey}, but the graph's LabelEncoders map other strings to missing.");
                }

                tokens = listed;
            }
            else if (key == OnnxExport.DecimalCommaKey)
            {
                decimalComma = value == "true" ? true : throw FileFormatException.InFile(name, $"metadata_props has {OnnxExport.DecimalCommaKey} '{value}'; expected \"true\" or no entry.");
            }
            else if (key == OnnxExport.ThousandsSeparatorKey)
            {
                thousands = value.Length == 1 && ModelFileFormat.IsThousandsSeparator(value[0]) ? value[0] : throw FileFormatException.InFile(name, $"metadata_props has {OnnxExport.ThousandsSeparatorKey} '{Csv.Quote(value)[1..^1]}'; expected one of , . ' _ a space or a no-break space.");
            }
        }

        if (thousands == (decimalComma ? ',' : '.'))
        {
            throw FileFormatException.InFile(name, $"metadata_props has {OnnxExport.ThousandsSeparatorKey} '{thousands}', the decimal mark.");
        }

        try
        {
            return ModelFileFormat.ToPipeline(new PipelineDescription(read.Columns, tokens, decimalComma, read.Imputation, thousands), standardizer);
        }
        catch (ArgumentException e)
        {
            throw FileFormatException.InFile(name, $"the graph's pipeline is not valid: {e.Message}", e);
        }
    }

    private static string[]? Tokens(string value)
    {
        try
        {
            using var document = System.Text.Json.JsonDocument.Parse(value);
            if (document.RootElement.ValueKind != System.Text.Json.JsonValueKind.Array)
            {
                return null;
            }

            var tokens = new List<string>();
            foreach (System.Text.Json.JsonElement element in document.RootElement.EnumerateArray())
            {
                if (element.ValueKind != System.Text.Json.JsonValueKind.String)
                {
                    return null;
                }

                tokens.Add(element.GetString()!);
            }

            return [.. tokens];
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }
    }

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
