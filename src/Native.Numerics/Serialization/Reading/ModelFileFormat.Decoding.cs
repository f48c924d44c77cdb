using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;

namespace Native.Numerics.Serialization;

// The decoding half of the model file format: from a checked safetensors header to the model it describes, every
// metadata entry checked. Plain C# over the BCL and System.Text.Json, so the source generator compiles this same file
// and refuses what ModelFile.Load refuses, with the same message.
/// <summary>The parameter block a model file's data fill, handed out once the header has proved valid.</summary>
internal delegate Span<float> ParameterBlock();

internal static partial class ModelFileFormat
{
    /// <summary>The format of a file without a pipeline, and of one with a pipeline.</summary>
    private static readonly string PlainFormatText = ModelFileKeys.PlainFormatVersion.ToString(CultureInfo.InvariantCulture), PipelineFormatText = ModelFileKeys.FormatVersion.ToString(CultureInfo.InvariantCulture),
        QuantizedFormatText = ModelFileKeys.QuantizedFormatVersion.ToString(CultureInfo.InvariantCulture);

    private static readonly string[] ReservedKeys =
    [
        ModelFileKeys.FormatKey, ModelFileKeys.LibraryVersionKey, ModelFileKeys.KindKey, ModelFileKeys.LayerSizesKey, ModelFileKeys.ActivationsKey,
        ModelFileKeys.SlopeKey, ModelFileKeys.ClassNamesKey, ModelFileKeys.FeatureNamesKey, ModelFileKeys.LabelNameKey, ModelFileKeys.LabelNamesKey, ModelFileKeys.MeansKey,
        ModelFileKeys.DeviationsKey, ModelFileKeys.PipelineKey, ModelFileKeys.QuantizationKey,
    ];

    /// <summary>
    /// The model <paramref name="contents"/> describes — kind, layers, names, standardizer, properties and library version —
    /// after checking every metadata entry and that the tensors are exactly those of that model.
    /// </summary>
    /// <exception cref="FileFormatException">Metadata are missing or inconsistent, or the tensors do not fit them.</exception>
    public static ModelFileHeader Decode(Safetensors.Contents contents)
    {
        Dictionary<string, string> metadata = contents.Metadata
            ?? throw contents.Error(Safetensors.LengthFieldSize, $"the header has no '{Safetensors.MetadataKey}', so it does not say what model the tensors belong to; expected a file saved by ModelFile.Save (with {ModelFileKeys.FormatKey}, {ModelFileKeys.KindKey}, {ModelFileKeys.LayerSizesKey}, …).");
        var decoder = new Decoder(contents, metadata);

        string format = decoder.Required(ModelFileKeys.FormatKey);
        if (format != PlainFormatText && format != PipelineFormatText && format != QuantizedFormatText)
        {
            throw decoder.Error(ModelFileKeys.FormatKey, $"{ModelFileKeys.FormatKey} is '{Safetensors.Quote(format)}'; this library reads format versions {PlainFormatText}, {PipelineFormatText} and {QuantizedFormatText}.");
        }

        foreach (string key in metadata.Keys)
        {
            if (key.StartsWith(ModelFileKeys.ReservedPrefix, StringComparison.Ordinal) && Array.IndexOf(ReservedKeys, key) < 0)
            {
                throw decoder.Error(key, $"unknown metadata entry '{Safetensors.Quote(key)}': the prefix '{ModelFileKeys.ReservedPrefix}' is reserved, and format version {format} defines only {string.Join(", ", ReservedKeys)}.");
            }
        }

        // A pipeline makes the file version 2 (an int8 file, version 3, may keep one too), so that a library of version 1
        // refuses it rather than predict from raw columns.
        bool hasPipeline = metadata.ContainsKey(ModelFileKeys.PipelineKey);
        if (hasPipeline ? format == PlainFormatText : format == PipelineFormatText)
        {
            throw decoder.Error(hasPipeline ? ModelFileKeys.PipelineKey : ModelFileKeys.FormatKey, hasPipeline
                ? $"{ModelFileKeys.PipelineKey} is present, but {ModelFileKeys.FormatKey} is '{Safetensors.Quote(format)}'; a file with a pipeline is format version {PipelineFormatText} ({QuantizedFormatText} when quantized)."
                : $"{ModelFileKeys.FormatKey} is '{format}', but the file has no {ModelFileKeys.PipelineKey}; format version {PipelineFormatText} is that of a file with a pipeline.");
        }

        // Quantization makes the file version 3, so that a library that reads only float weights refuses it rather than misread bytes.
        string? quantization = metadata.TryGetValue(ModelFileKeys.QuantizationKey, out string? quantizationText) ? quantizationText : null;
        if (quantization is not null && quantization != ModelFileKeys.Int8Calibrated && quantization != ModelFileKeys.Int8PerRow)
        {
            throw decoder.Error(ModelFileKeys.QuantizationKey, $"{ModelFileKeys.QuantizationKey} is '{Safetensors.Quote(quantization)}'; expected {ModelFileKeys.Int8Calibrated} or {ModelFileKeys.Int8PerRow}.");
        }

        if ((quantization is not null) != (format == QuantizedFormatText))
        {
            throw decoder.Error(quantization is not null ? ModelFileKeys.QuantizationKey : ModelFileKeys.FormatKey, quantization is not null
                ? $"{ModelFileKeys.QuantizationKey} is present, but {ModelFileKeys.FormatKey} is '{Safetensors.Quote(format)}'; a quantized file is format version {QuantizedFormatText}."
                : $"{ModelFileKeys.FormatKey} is '{format}', but the file has no {ModelFileKeys.QuantizationKey}; format version {QuantizedFormatText} is that of a quantized file.");
        }

        if (hasPipeline && metadata.ContainsKey(ModelFileKeys.FeatureNamesKey))
        {
            throw decoder.Error(ModelFileKeys.FeatureNamesKey, $"{ModelFileKeys.FeatureNamesKey} is present beside {ModelFileKeys.PipelineKey}; with a pipeline, the pipeline names the features.");
        }

        string kindText = decoder.Required(ModelFileKeys.KindKey);
        ModelKind kind = ParseKind(kindText) ?? throw decoder.Error(ModelFileKeys.KindKey, $"{ModelFileKeys.KindKey} is '{Safetensors.Quote(kindText)}', which is not a model kind; expected linear_regression, logistic_regression, softmax_regression, multilayer_perceptron or multilayer_perceptron_regressor.");
        int[] sizes = decoder.Integers(ModelFileKeys.LayerSizesKey);
        Activation[] activations = decoder.Activations(ModelFileKeys.ActivationsKey);
        float slope = decoder.Float(ModelFileKeys.SlopeKey);
        CheckKind(decoder, kind, sizes, activations, slope);
        CheckTensors(contents, decoder, kind, sizes, quantization);

        int classes = kind switch
        {
            ModelKind.LinearRegression or ModelKind.MultilayerPerceptronRegressor => 0,
            ModelKind.LogisticRegression => 2,
            _ => sizes[sizes.Length - 1],
        };

        string[] names = metadata.ContainsKey(ModelFileKeys.ClassNamesKey) ? decoder.Strings(ModelFileKeys.ClassNamesKey) : [];
        if (names.Length > 0 && names.Length != classes)
        {
            throw decoder.Error(ModelFileKeys.ClassNamesKey, classes == 0
                ? Safetensors.Invariant($"{ModelFileKeys.ClassNamesKey} names {names.Length} classes, but a {KindName(kind)} has none.")
                : Safetensors.Invariant($"{ModelFileKeys.ClassNamesKey} names {names.Length} classes, but the model has {classes}."));
        }

        var distinct = new HashSet<string>(StringComparer.Ordinal);
        foreach (string name in names)
        {
            if (name.Length == 0)
            {
                throw decoder.Error(ModelFileKeys.ClassNamesKey, Safetensors.Invariant($"{ModelFileKeys.ClassNamesKey} names class {Array.IndexOf(names, name)} with an empty string; every class needs a name a prediction can print."));
            }

            if (!distinct.Add(name))
            {
                throw decoder.Error(ModelFileKeys.ClassNamesKey, $"{ModelFileKeys.ClassNamesKey} names the class '{Safetensors.Quote(name)}' twice; class names must be distinct.");
            }
        }

        string[] featureNames = metadata.ContainsKey(ModelFileKeys.FeatureNamesKey) ? decoder.Strings(ModelFileKeys.FeatureNamesKey) : [];
        if (featureNames.Length > 0 && featureNames.Length != sizes[0])
        {
            throw decoder.Error(ModelFileKeys.FeatureNamesKey, Safetensors.Invariant($"{ModelFileKeys.FeatureNamesKey} names {featureNames.Length} features, but the model takes {sizes[0]}."));
        }

        distinct.Clear();
        foreach (string name in featureNames)
        {
            if (!distinct.Add(name))
            {
                throw decoder.Error(ModelFileKeys.FeatureNamesKey, $"{ModelFileKeys.FeatureNamesKey} names the feature '{Safetensors.Quote(name)}' twice; feature names must be distinct.");
            }
        }

        string[] labelNames = DecodeLabelNames(decoder, metadata, kind, sizes);
        (float[]? means, float[]? deviations) = DecodeStandardizer(decoder, metadata, sizes[0]);
        PipelineDescription? pipeline = hasPipeline ? DecodePipeline(decoder, sizes[0]) : null;
        var properties = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (KeyValuePair<string, string> entry in metadata)
        {
            if (!entry.Key.StartsWith(ModelFileKeys.ReservedPrefix, StringComparison.Ordinal))
            {
                properties[entry.Key] = entry.Value;
            }
        }

        return new ModelFileHeader(
            kind,
            sizes,
            activations,
            slope,
            names,
            featureNames,
            metadata.TryGetValue(ModelFileKeys.LabelNameKey, out string? label) ? label : null,
            means,
            deviations,
            properties,
            metadata.TryGetValue(ModelFileKeys.LibraryVersionKey, out string? version) ? version : null)
        {
            LabelNames = labelNames,
            Pipeline = pipeline,
            Quantization = quantization,
        };
    }

    /// <summary>
    /// Reads a model file's data — exactly the tensors <paramref name="header"/> describes, checked by
    /// <see cref="Decode"/> to tile the data section — into the parameter block <paramref name="block"/> hands out (each layer's
    /// W, then b), refusing a weight that is not finite, and returns that block. When the stream said its length, the tensors go straight into
    /// place; otherwise into a buffer that grows only as bytes arrive, before anything of the model's size is allocated.
    /// </summary>
    /// <exception cref="FileFormatException">The data are cut short, followed by more bytes, or hold NaN or infinity.</exception>
    public static Span<float> ReadParameters(Stream stream, Safetensors.Contents contents, ModelFileHeader header, ParameterBlock block)
    {
        if (header.Quantization is not null)
        {
            throw contents.Error(contents.MetadataOffset, $"the file holds a quantized model ({ModelFileKeys.QuantizationKey} is {header.Quantization}), which only ModelFile.Load reads, into a quantized TrainedModel; a typed load or a compiled-in model needs a float file.");
        }

        // Where each tensor goes in the parameter block: its offset, length and row width.
        ParameterLayout layout = header.Layout;
        var places = new Dictionary<string, Place>(2 * layout.LayerCount, StringComparer.Ordinal);
        for (int l = 0; l < layout.LayerCount; l++)
        {
            int inputs = layout.LayerInputs(l), outputs = layout.LayerOutputs(l);
            places[WeightName(l)] = new Place(layout.WeightOffset(l), layout.WeightCount(l), inputs);
            places[BiasName(l)] = new Place(layout.BiasOffset(l), outputs, 0);
        }

        Span<float> parameters;
        if (contents.LengthKnown)
        {
            parameters = block();
            Span<byte> bytes = MemoryMarshal.AsBytes(parameters);
            contents.ReadData(stream, bytes, tensor => places[tensor.Name].Offset * sizeof(float));
        }
        else
        {
            byte[] data = contents.ReadDataBuffered(stream);
            parameters = block();
            foreach (Safetensors.TensorEntry tensor in contents.Tensors)
            {
                Place place = places[tensor.Name];
                data.AsSpan((int)tensor.Begin, place.Length * sizeof(float)).CopyTo(MemoryMarshal.AsBytes(parameters.Slice(place.Offset, place.Length)));
            }
        }

        foreach (Safetensors.TensorEntry tensor in contents.Tensors)
        {
            Place place = places[tensor.Name];
            CheckValues(contents, tensor, parameters.Slice(place.Offset, place.Length), place.Columns);
        }

        return parameters;
    }

    /// <summary>Puts a tensor's little-endian floats in this machine's order, refusing NaN and infinity.</summary>
    private static void CheckValues(Safetensors.Contents contents, Safetensors.TensorEntry tensor, Span<float> values, int columns)
    {
        if (!BitConverter.IsLittleEndian)
        {
            Span<int> bits = MemoryMarshal.Cast<float, int>(values);
            for (int i = 0; i < bits.Length; i++)
            {
                bits[i] = BinaryPrimitives.ReverseEndianness(bits[i]);
            }
        }

        for (int bad = 0; bad < values.Length; bad++)
        {
            if (float.IsNaN(values[bad]) || float.IsInfinity(values[bad]))
            {
                string where = columns > 0 ? Safetensors.Invariant($"element {bad} (row {bad / columns}, column {bad % columns})") : Safetensors.Invariant($"element {bad}");
                throw contents.Error(contents.DataStart + (long)tensor.Begin + (bad * sizeof(float)), Safetensors.Invariant($"tensor '{tensor.Name}' holds {values[bad]} at {where}; weights must be finite."));
            }
        }
    }

    /// <summary>Where a tensor's floats go in the parameter block.</summary>
    private readonly struct Place(int offset, int length, int columns)
    {
        public int Offset { get; } = offset;

        public int Length { get; } = length;

        /// <summary>The row width of a weight matrix (for messages), 0 for a bias vector.</summary>
        public int Columns { get; } = columns;
    }

    /// <summary>The layer sizes, activations and slope a kind allows.</summary>
    private static void CheckKind(Decoder decoder, ModelKind kind, int[] sizes, Activation[] activations, float slope)
    {
        string name = KindName(kind);
        string sizesText = SizesText(sizes);
        if (kind is ModelKind.MultilayerPerceptron or ModelKind.MultilayerPerceptronRegressor)
        {
            bool regressor = kind == ModelKind.MultilayerPerceptronRegressor;
            if (sizes.Length < 3)
            {
                throw decoder.Error(ModelFileKeys.LayerSizesKey, $"{ModelFileKeys.LayerSizesKey} is {sizesText}; a {name} needs at least 3 (features, hidden layers, {(regressor ? "outputs" : "classes")}).");
            }

            if (sizes[sizes.Length - 1] < (regressor ? 1 : 2))
            {
                throw decoder.Error(ModelFileKeys.LayerSizesKey, regressor ? $"{ModelFileKeys.LayerSizesKey} is {sizesText}; a {name} needs at least 1 output." : $"{ModelFileKeys.LayerSizesKey} is {sizesText}; a {name} needs at least 2 classes.");
            }

            if (sizes.Length - 1 > ModelFileKeys.MaxLayerCount)
            {
                throw decoder.Error(ModelFileKeys.LayerSizesKey, Safetensors.Invariant($"{ModelFileKeys.LayerSizesKey} is {sizesText}: {sizes.Length - 1} dense layers, more than the {ModelFileKeys.MaxLayerCount} a model may have."));
            }

            if (activations.Length != sizes.Length - 2)
            {
                throw decoder.Error(ModelFileKeys.ActivationsKey, Safetensors.Invariant($"{ModelFileKeys.ActivationsKey} lists {activations.Length} activations, but layer sizes {sizesText} have {sizes.Length - 2} hidden layers; expected one per hidden layer."));
            }

            return;
        }

        if (sizes.Length != 2)
        {
            throw decoder.Error(ModelFileKeys.LayerSizesKey, $"{ModelFileKeys.LayerSizesKey} is {sizesText}; a {name} has exactly 2 (features, outputs).");
        }

        if (kind == ModelKind.SoftmaxRegression ? sizes[1] < 2 : kind == ModelKind.LogisticRegression ? sizes[1] != 1 : sizes[1] < 1)
        {
            throw decoder.Error(ModelFileKeys.LayerSizesKey, kind switch
            {
                ModelKind.SoftmaxRegression => $"{ModelFileKeys.LayerSizesKey} is {sizesText}; a {name} needs at least 2 classes.",
                ModelKind.LogisticRegression => $"{ModelFileKeys.LayerSizesKey} is {sizesText}; a {name} has exactly 1 output.",
                _ => $"{ModelFileKeys.LayerSizesKey} is {sizesText}; a {name} needs at least 1 output.",
            });
        }

        if (activations.Length != 0)
        {
            throw decoder.Error(ModelFileKeys.ActivationsKey, Safetensors.Invariant($"{ModelFileKeys.ActivationsKey} lists {activations.Length} activations, but a {name} has no hidden layers; expected []."));
        }

        if (slope != 0f)
        {
            throw decoder.Error(ModelFileKeys.SlopeKey, Safetensors.Invariant($"{ModelFileKeys.SlopeKey} is {slope}, but a {name} has no leaky ReLU; expected 0."));
        }
    }

    /// <summary>
    /// Checks that the tensors are exactly layers.{l}.weight [outputs, inputs] and layers.{l}.bias [outputs] for each layer, of
    /// F32; in a quantized file, the weights of I8, and beside them layers.{l}.weight_scale [outputs] and layers.{l}.input_quantization [2].
    /// </summary>
    private static void CheckTensors(Safetensors.Contents contents, Decoder decoder, ModelKind kind, int[] sizes, string? quantization)
    {
        string sizesText = SizesText(sizes);
        var expected = new HashSet<string>(StringComparer.Ordinal);
        for (int l = 0; l + 1 < sizes.Length; l++)
        {
            CheckTensor(contents, decoder, WeightName(l), [(ulong)sizes[l + 1], (ulong)sizes[l]], "[outputs, inputs]", kind, sizesText, quantization, quantization is null ? Safetensors.Float32 : Safetensors.Int8);
            CheckTensor(contents, decoder, BiasName(l), [(ulong)sizes[l + 1]], "[outputs]", kind, sizesText, quantization, Safetensors.Float32);
            expected.Add(WeightName(l));
            expected.Add(BiasName(l));
            if (quantization is not null)
            {
                CheckTensor(contents, decoder, WeightScaleName(l), [(ulong)sizes[l + 1]], "[outputs]", kind, sizesText, quantization, Safetensors.Float32);
                CheckTensor(contents, decoder, InputQuantizationName(l), [2], "[scale, zero point]", kind, sizesText, quantization, Safetensors.Float32);
                expected.Add(WeightScaleName(l));
                expected.Add(InputQuantizationName(l));
            }
        }

        if (contents.Tensors.Count != expected.Count)
        {
            Safetensors.TensorEntry extra = contents.Tensors.First(tensor => !expected.Contains(tensor.Name));
            throw contents.Error(extra.HeaderOffset, quantization is null
                ? Safetensors.Invariant($"unexpected tensor '{Safetensors.Quote(extra.Name)}': a {KindName(kind)} with layer sizes {sizesText} has only layers.0.weight to layers.{sizes.Length - 2}.bias.")
                : Safetensors.Invariant($"unexpected tensor '{Safetensors.Quote(extra.Name)}': a quantized {KindName(kind)} with layer sizes {sizesText} has only layers.{{l}}.weight, weight_scale, bias and input_quantization for l from 0 to {sizes.Length - 2}."));
        }
    }

    private static void CheckTensor(Safetensors.Contents contents, Decoder decoder, string name, ulong[] shape, string meaning, ModelKind kind, string sizesText, string? quantization, string type)
    {
        string needed = "[" + string.Join(", ", shape) + "]";
        Safetensors.TensorEntry tensor = contents.Find(name)
            ?? throw decoder.Error(ModelFileKeys.LayerSizesKey, $"missing tensor '{name}': a {(quantization is null ? "" : "quantized ")}{KindName(kind)} with layer sizes {sizesText} needs it, shape {needed} {meaning}.");
        if (tensor.Type != type)
        {
            throw contents.Error(tensor.HeaderOffset, quantization is null
                ? $"tensor '{name}' has dtype {tensor.Type}, but the file is not quantized (it has no {ModelFileKeys.QuantizationKey}): its tensors are {Safetensors.Float32}."
                : $"tensor '{name}' has dtype {tensor.Type}, but {ModelFileKeys.QuantizationKey} is {quantization}: a quantized file's {(type == Safetensors.Int8 ? "weights are" : "scales and biases are")} {type}.");
        }

        if (!tensor.Shape.AsSpan().SequenceEqual(shape))
        {
            throw contents.Error(tensor.HeaderOffset, $"tensor '{name}' has shape {tensor.ShapeText}, but a {KindName(kind)} with layer sizes {sizesText} needs {needed} {meaning}.");
        }
    }

    private static (float[]? Means, float[]? Deviations) DecodeStandardizer(Decoder decoder, Dictionary<string, string> metadata, int features)
    {
        bool hasMeans = metadata.ContainsKey(ModelFileKeys.MeansKey), hasDeviations = metadata.ContainsKey(ModelFileKeys.DeviationsKey);
        if (hasMeans != hasDeviations)
        {
            string present = hasMeans ? ModelFileKeys.MeansKey : ModelFileKeys.DeviationsKey;
            throw decoder.Error(present, $"{present} is present without {(hasMeans ? ModelFileKeys.DeviationsKey : ModelFileKeys.MeansKey)}; a standardizer needs both.");
        }

        if (!hasMeans)
        {
            return (null, null);
        }

        float[] means = decoder.Floats(ModelFileKeys.MeansKey);
        float[] deviations = decoder.Floats(ModelFileKeys.DeviationsKey);
        foreach ((string key, float[] values) in new[] { (ModelFileKeys.MeansKey, means), (ModelFileKeys.DeviationsKey, deviations) })
        {
            if (values.Length != features)
            {
                throw decoder.Error(key, Safetensors.Invariant($"{key} holds {values.Length} values, but the model takes {features} features; expected one per feature."));
            }
        }

        int bad = Array.FindIndex(deviations, deviation => !(deviation > 0f));
        if (bad >= 0)
        {
            throw decoder.Error(ModelFileKeys.DeviationsKey, Safetensors.Invariant($"{ModelFileKeys.DeviationsKey} holds {deviations[bad]} for feature {bad}; standard deviations (the divisors) must be positive."));
        }

        // A deviation so small that an input 1 from its mean standardizes past the float range: no input gives a
        // finite output (the issue's 1e-45 gave probabilities of 1.0000001).
        int tiny = Array.FindIndex(deviations, deviation => 1.0 / deviation > float.MaxValue);
        if (tiny >= 0)
        {
            throw decoder.Error(ModelFileKeys.DeviationsKey, Safetensors.Invariant($"the standardizer's deviation for feature {tiny} is {deviations[tiny]}: an input 1 from its mean would standardize to {1.0 / deviations[tiny]:G3}, beyond the float range (±3.4E+38)."));
        }

        return (means, deviations);
    }
}
