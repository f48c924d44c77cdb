using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Native.Numerics.Serialization;

/// <summary>
/// The model layer of <see cref="ModelFile"/>: tensor names, and the <c>__metadata__</c> keys that say what
/// model the tensors belong to, encoded (<see cref="Encode"/>) and decoded with every consistency check
/// (<see cref="Decode"/>).
/// </summary>
/// <remarks>
/// Structured values (layer sizes, activations, class names, standardizer statistics) are JSON inside the
/// metadata strings, written with <see cref="Utf8JsonWriter"/> and read with <see cref="Utf8JsonReader"/>:
/// no reflection, so trimming and NativeAOT keep working. Floats are written in the shortest form that
/// reads back to the same bits.
/// </remarks>
internal static class ModelFileFormat
{
    private const string FormatText = "1";

    private static readonly JsonWriterOptions WriterOptions = new()
    {
        // Class names in any script stay readable in the file (the JSON is a file, never HTML).
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    private static readonly string[] ReservedKeys =
    [
        ModelFile.FormatKey, ModelFile.LibraryVersionKey, ModelFile.KindKey, ModelFile.LayerSizesKey, ModelFile.ActivationsKey,
        ModelFile.SlopeKey, ModelFile.ClassNamesKey, ModelFile.FeatureNamesKey, ModelFile.LabelNameKey, ModelFile.MeansKey, ModelFile.DeviationsKey,
    ];

    /// <summary>The weights of dense layer <paramref name="layer"/>: shape [outputs, inputs].</summary>
    public static string WeightName(int layer) => string.Create(CultureInfo.InvariantCulture, $"layers.{layer}.weight");

    /// <summary>The biases of dense layer <paramref name="layer"/>: shape [outputs].</summary>
    public static string BiasName(int layer) => string.Create(CultureInfo.InvariantCulture, $"layers.{layer}.bias");

    /// <summary>The metadata of a model of <paramref name="shape"/>, after checking <paramref name="metadata"/> fits it.</summary>
    /// <exception cref="ArgumentException">The class names or standardizer do not fit the shape, or a property is reserved or not valid text.</exception>
    public static Dictionary<string, string> Encode(ModelShape shape, ModelMetadata metadata, string libraryVersion)
    {
        var entries = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [ModelFile.FormatKey] = FormatText,
            [ModelFile.LibraryVersionKey] = libraryVersion,
            [ModelFile.KindKey] = KindName(shape.Kind),
            [ModelFile.LayerSizesKey] = Json(json =>
            {
                json.WriteStartArray();
                foreach (int size in shape.LayerSizes)
                {
                    json.WriteNumberValue(size);
                }

                json.WriteEndArray();
            }),
            [ModelFile.ActivationsKey] = Json(json =>
            {
                json.WriteStartArray();
                foreach (Activation activation in shape.HiddenActivations)
                {
                    json.WriteStringValue(ActivationName(activation));
                }

                json.WriteEndArray();
            }),
            [ModelFile.SlopeKey] = Json(json => json.WriteNumberValue(shape.LeakyReluSlope)),
        };

        IReadOnlyList<string> names = metadata.ClassNames ?? [];
        if (names.Count > 0)
        {
            if (names.Count != shape.Classes)
            {
                throw new ArgumentException(shape.Classes == 0
                    ? $"A regression has no classes, but {names.Count} class names were given."
                    : $"The model has {shape.Classes} classes, but {names.Count} class names were given.", nameof(metadata));
            }

            entries[ModelFile.ClassNamesKey] = DistinctNames(names, "class", "");
        }

        IReadOnlyList<string> features = metadata.FeatureNames ?? [];
        if (features.Count > 0)
        {
            if (features.Count != shape.Features)
            {
                throw new ArgumentException($"The model takes {shape.Features} features, but {features.Count} feature names were given.", nameof(metadata));
            }

            entries[ModelFile.FeatureNamesKey] = DistinctNames(features, "feature", ", since predictions match columns by them");
        }

        if (metadata.LabelName is string labelName)
        {
            CheckText(labelName, "The label name");
            entries[ModelFile.LabelNameKey] = labelName;
        }

        if (metadata.Standardizer is Standardizer standardizer)
        {
            if (standardizer.Features != shape.Features)
            {
                throw new ArgumentException($"The standardizer transforms {standardizer.Features} features, but the model takes {shape.Features}.", nameof(metadata));
            }

            entries[ModelFile.MeansKey] = Floats(standardizer.Means);
            entries[ModelFile.DeviationsKey] = Floats(standardizer.StandardDeviations);
        }

        foreach ((string key, string value) in metadata.Properties ?? new Dictionary<string, string>())
        {
            ArgumentNullException.ThrowIfNull(key, nameof(metadata));
            ArgumentNullException.ThrowIfNull(value, nameof(metadata));
            if (key.StartsWith(ModelFile.ReservedPrefix, StringComparison.Ordinal))
            {
                throw new ArgumentException($"The property '{key}' starts with '{ModelFile.ReservedPrefix}', which the file format reserves for itself.", nameof(metadata));
            }

            CheckText(key, "A property name");
            CheckText(value, $"The value of property '{key}'");
            entries[key] = value;
        }

        return entries;
    }

    /// <summary>
    /// The shape, metadata and library version <paramref name="contents"/> states, after checking every
    /// metadata entry and that the tensors are exactly those of that shape.
    /// </summary>
    /// <exception cref="FileFormatException">Metadata are missing or inconsistent, or the tensors do not fit them.</exception>
    public static (ModelShape Shape, ModelMetadata Metadata, string? LibraryVersion) Decode(Safetensors.Contents contents)
    {
        Dictionary<string, string> metadata = contents.Metadata
            ?? throw contents.Error(Safetensors.LengthFieldSize, $"the header has no '{Safetensors.MetadataKey}', so it does not say what model the tensors belong to; expected a file saved by {nameof(ModelFile)}.{nameof(ModelFile.Save)} (with {ModelFile.FormatKey}, {ModelFile.KindKey}, {ModelFile.LayerSizesKey}, …).");
        var decoder = new Decoder(contents, metadata);

        string format = decoder.Required(ModelFile.FormatKey);
        if (format != FormatText)
        {
            throw decoder.Error(ModelFile.FormatKey, $"{ModelFile.FormatKey} is '{Safetensors.Quote(format)}'; this library reads format version {FormatText}.");
        }

        foreach (string key in metadata.Keys)
        {
            if (key.StartsWith(ModelFile.ReservedPrefix, StringComparison.Ordinal) && Array.IndexOf(ReservedKeys, key) < 0)
            {
                throw decoder.Error(key, $"unknown metadata entry '{Safetensors.Quote(key)}': the prefix '{ModelFile.ReservedPrefix}' is reserved, and format version {FormatText} defines only {string.Join(", ", ReservedKeys)}.");
            }
        }

        string kindText = decoder.Required(ModelFile.KindKey);
        ModelKind kind = ParseKind(kindText) ?? throw decoder.Error(ModelFile.KindKey, $"{ModelFile.KindKey} is '{Safetensors.Quote(kindText)}', which is not a model kind; expected linear_regression, logistic_regression, softmax_regression or multilayer_perceptron.");
        int[] sizes = decoder.Integers(ModelFile.LayerSizesKey);
        Activation[] activations = decoder.Activations(ModelFile.ActivationsKey);
        float slope = decoder.Float(ModelFile.SlopeKey);
        CheckKind(decoder, kind, sizes, activations, slope);
        CheckTensors(contents, decoder, kind, sizes);

        ModelShape shape;
        try
        {
            shape = kind switch
            {
                ModelKind.LinearRegression => ModelShape.LinearRegression(sizes[0]),
                ModelKind.LogisticRegression => ModelShape.LogisticRegression(sizes[0]),
                ModelKind.SoftmaxRegression => ModelShape.SoftmaxRegression(sizes[0], sizes[1]),
                _ => ModelShape.MultilayerPerceptron(sizes, activations, slope),
            };
        }
        catch (ArgumentException e)
        {
            // Unreachable after the checks above; kept so that no ArgumentException can escape a load.
            throw decoder.Error(ModelFile.LayerSizesKey, $"the metadata describe no valid model: {e.Message}", e);
        }

        string[] names = metadata.ContainsKey(ModelFile.ClassNamesKey) ? decoder.Strings(ModelFile.ClassNamesKey) : [];
        if (names.Length > 0 && names.Length != shape.Classes)
        {
            throw decoder.Error(ModelFile.ClassNamesKey, shape.Classes == 0
                ? Safetensors.Invariant($"{ModelFile.ClassNamesKey} names {names.Length} classes, but a {KindName(kind)} has none.")
                : Safetensors.Invariant($"{ModelFile.ClassNamesKey} names {names.Length} classes, but the model has {shape.Classes}."));
        }

        var distinct = new HashSet<string>(StringComparer.Ordinal);
        foreach (string name in names)
        {
            if (!distinct.Add(name))
            {
                throw decoder.Error(ModelFile.ClassNamesKey, $"{ModelFile.ClassNamesKey} names the class '{Safetensors.Quote(name)}' twice; class names must be distinct.");
            }
        }

        string[] featureNames = metadata.ContainsKey(ModelFile.FeatureNamesKey) ? decoder.Strings(ModelFile.FeatureNamesKey) : [];
        if (featureNames.Length > 0 && featureNames.Length != shape.Features)
        {
            throw decoder.Error(ModelFile.FeatureNamesKey, Safetensors.Invariant($"{ModelFile.FeatureNamesKey} names {featureNames.Length} features, but the model takes {shape.Features}."));
        }

        distinct.Clear();
        foreach (string name in featureNames)
        {
            if (!distinct.Add(name))
            {
                throw decoder.Error(ModelFile.FeatureNamesKey, $"{ModelFile.FeatureNamesKey} names the feature '{Safetensors.Quote(name)}' twice; feature names must be distinct.");
            }
        }

        Standardizer? standardizer = DecodeStandardizer(decoder, metadata, shape.Features);
        var properties = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach ((string key, string value) in metadata)
        {
            if (!key.StartsWith(ModelFile.ReservedPrefix, StringComparison.Ordinal))
            {
                properties[key] = value;
            }
        }

        var result = new ModelMetadata
        {
            ClassNames = names,
            FeatureNames = featureNames,
            LabelName = metadata.GetValueOrDefault(ModelFile.LabelNameKey),
            Standardizer = standardizer,
            Properties = properties,
        };
        return (shape, result, metadata.GetValueOrDefault(ModelFile.LibraryVersionKey));
    }

    /// <summary>The layer sizes, activations and slope a kind allows.</summary>
    private static void CheckKind(Decoder decoder, ModelKind kind, int[] sizes, Activation[] activations, float slope)
    {
        string name = KindName(kind);
        string sizesText = SizesText(sizes);
        if (kind == ModelKind.MultilayerPerceptron)
        {
            if (sizes.Length < 3)
            {
                throw decoder.Error(ModelFile.LayerSizesKey, $"{ModelFile.LayerSizesKey} is {sizesText}; a {name} needs at least 3 (features, hidden layers, classes).");
            }

            if (sizes[^1] < 2)
            {
                throw decoder.Error(ModelFile.LayerSizesKey, $"{ModelFile.LayerSizesKey} is {sizesText}; a {name} needs at least 2 classes.");
            }

            if (sizes.Length - 1 > ModelShape.MaxLayerCount)
            {
                throw decoder.Error(ModelFile.LayerSizesKey, Safetensors.Invariant($"{ModelFile.LayerSizesKey} is {sizesText}: {sizes.Length - 1} dense layers, more than the {ModelShape.MaxLayerCount} a model may have."));
            }

            if (activations.Length != sizes.Length - 2)
            {
                throw decoder.Error(ModelFile.ActivationsKey, Safetensors.Invariant($"{ModelFile.ActivationsKey} lists {activations.Length} activations, but layer sizes {sizesText} have {sizes.Length - 2} hidden layers; expected one per hidden layer."));
            }

            return;
        }

        if (sizes.Length != 2)
        {
            throw decoder.Error(ModelFile.LayerSizesKey, $"{ModelFile.LayerSizesKey} is {sizesText}; a {name} has exactly 2 (features, outputs).");
        }

        if (kind == ModelKind.SoftmaxRegression ? sizes[1] < 2 : sizes[1] != 1)
        {
            throw decoder.Error(ModelFile.LayerSizesKey, kind == ModelKind.SoftmaxRegression
                ? $"{ModelFile.LayerSizesKey} is {sizesText}; a {name} needs at least 2 classes."
                : $"{ModelFile.LayerSizesKey} is {sizesText}; a {name} has exactly 1 output.");
        }

        if (activations.Length != 0)
        {
            throw decoder.Error(ModelFile.ActivationsKey, Safetensors.Invariant($"{ModelFile.ActivationsKey} lists {activations.Length} activations, but a {name} has no hidden layers; expected []."));
        }

        if (slope != 0f)
        {
            throw decoder.Error(ModelFile.SlopeKey, Safetensors.Invariant($"{ModelFile.SlopeKey} is {slope}, but a {name} has no leaky ReLU; expected 0."));
        }
    }

    /// <summary>Checks that the tensors are exactly layers.{l}.weight [outputs, inputs] and layers.{l}.bias [outputs] for each layer.</summary>
    private static void CheckTensors(Safetensors.Contents contents, Decoder decoder, ModelKind kind, int[] sizes)
    {
        string sizesText = SizesText(sizes);
        for (int l = 0; l + 1 < sizes.Length; l++)
        {
            CheckTensor(contents, decoder, WeightName(l), [(ulong)sizes[l + 1], (ulong)sizes[l]], "[outputs, inputs]", kind, sizesText);
            CheckTensor(contents, decoder, BiasName(l), [(ulong)sizes[l + 1]], "[outputs]", kind, sizesText);
        }

        if (contents.Tensors.Count != 2 * (sizes.Length - 1))
        {
            var expected = new HashSet<string>(StringComparer.Ordinal);
            for (int l = 0; l + 1 < sizes.Length; l++)
            {
                expected.Add(WeightName(l));
                expected.Add(BiasName(l));
            }

            Safetensors.TensorEntry extra = contents.Tensors.First(tensor => !expected.Contains(tensor.Name));
            throw contents.Error(extra.HeaderOffset, Safetensors.Invariant($"unexpected tensor '{Safetensors.Quote(extra.Name)}': a {KindName(kind)} with layer sizes {sizesText} has only layers.0.weight to layers.{sizes.Length - 2}.bias."));
        }
    }

    private static void CheckTensor(Safetensors.Contents contents, Decoder decoder, string name, ulong[] shape, string meaning, ModelKind kind, string sizesText)
    {
        string needed = "[" + string.Join(", ", shape) + "]";
        Safetensors.TensorEntry tensor = contents.Find(name)
            ?? throw decoder.Error(ModelFile.LayerSizesKey, $"missing tensor '{name}': a {KindName(kind)} with layer sizes {sizesText} needs it, shape {needed} {meaning}.");
        if (!tensor.Shape.AsSpan().SequenceEqual(shape))
        {
            throw contents.Error(tensor.HeaderOffset, $"tensor '{name}' has shape {tensor.ShapeText}, but a {KindName(kind)} with layer sizes {sizesText} needs {needed} {meaning}.");
        }
    }

    private static Standardizer? DecodeStandardizer(Decoder decoder, Dictionary<string, string> metadata, int features)
    {
        bool hasMeans = metadata.ContainsKey(ModelFile.MeansKey), hasDeviations = metadata.ContainsKey(ModelFile.DeviationsKey);
        if (hasMeans != hasDeviations)
        {
            string present = hasMeans ? ModelFile.MeansKey : ModelFile.DeviationsKey;
            throw decoder.Error(present, $"{present} is present without {(hasMeans ? ModelFile.DeviationsKey : ModelFile.MeansKey)}; a standardizer needs both.");
        }

        if (!hasMeans)
        {
            return null;
        }

        float[] means = decoder.Floats(ModelFile.MeansKey);
        float[] deviations = decoder.Floats(ModelFile.DeviationsKey);
        foreach ((string key, float[] values) in new[] { (ModelFile.MeansKey, means), (ModelFile.DeviationsKey, deviations) })
        {
            if (values.Length != features)
            {
                throw decoder.Error(key, Safetensors.Invariant($"{key} holds {values.Length} values, but the model takes {features} features; expected one per feature."));
            }
        }

        int bad = Array.FindIndex(deviations, deviation => !(deviation > 0f));
        if (bad >= 0)
        {
            throw decoder.Error(ModelFile.DeviationsKey, Safetensors.Invariant($"{ModelFile.DeviationsKey} holds {deviations[bad]} for feature {bad}; standard deviations (the divisors) must be positive."));
        }

        // A deviation so small that an input 1 from its mean standardizes past the float range: no input gives a
        // finite output (the issue's 1e-45 gave probabilities of 1.0000001).
        int tiny = Array.FindIndex(deviations, deviation => 1.0 / deviation > float.MaxValue);
        if (tiny >= 0)
        {
            throw decoder.Error(ModelFile.DeviationsKey, Safetensors.Invariant($"the standardizer's deviation for feature {tiny} is {deviations[tiny]}: an input 1 from its mean would standardize to {1.0 / deviations[tiny]:G3}, beyond the float range (±3.4E+38)."));
        }

        try
        {
            return Standardizer.FromStatistics(means, deviations);
        }
        catch (ArgumentException e)
        {
            // Unreachable after the checks above; kept so that no ArgumentException can escape a load.
            throw decoder.Error(ModelFile.DeviationsKey, $"the standardizer is not valid: {e.Message}", e);
        }
    }

    /// <summary>Layer sizes for a message, "[784, 128, 10]"; a hostile list of thousands is shortened.</summary>
    private static string SizesText(int[] sizes) =>
        sizes.Length <= 16 ? "[" + string.Join(", ", sizes) + "]" : "[" + string.Join(", ", sizes.Take(16)) + Safetensors.Invariant($", … ({sizes.Length} sizes)]");

    public static string KindName(ModelKind kind) => kind switch
    {
        ModelKind.LinearRegression => "linear_regression",
        ModelKind.LogisticRegression => "logistic_regression",
        ModelKind.SoftmaxRegression => "softmax_regression",
        _ => "multilayer_perceptron",
    };

    private static ModelKind? ParseKind(string text) => text switch
    {
        "linear_regression" => ModelKind.LinearRegression,
        "logistic_regression" => ModelKind.LogisticRegression,
        "softmax_regression" => ModelKind.SoftmaxRegression,
        "multilayer_perceptron" => ModelKind.MultilayerPerceptron,
        _ => null,
    };

    private static string ActivationName(Activation activation) => activation switch
    {
        Activation.Relu => "relu",
        Activation.LeakyRelu => "leaky_relu",
        Activation.Sigmoid => "sigmoid",
        _ => "tanh",
    };

    private static Activation? ParseActivation(string text) => text switch
    {
        "relu" => Activation.Relu,
        "leaky_relu" => Activation.LeakyRelu,
        "sigmoid" => Activation.Sigmoid,
        "tanh" => Activation.Tanh,
        _ => null,
    };

    /// <summary>The feature and label column names as metadata entries (for ONNX's metadata_props), already checked by <see cref="Encode"/>.</summary>
    public static IEnumerable<KeyValuePair<string, string>> ColumnEntries(ModelMetadata metadata)
    {
        if (metadata.FeatureNames is { Count: > 0 } features)
        {
            yield return new(ModelFile.FeatureNamesKey, DistinctNames(features, "feature", string.Empty));
        }

        if (metadata.LabelName is string label)
        {
            yield return new(ModelFile.LabelNameKey, label);
        }
    }

    /// <summary>
    /// The feature names of a <c>native.feature_names</c> entry outside a safetensors header (an ONNX file's): a JSON
    /// array of <paramref name="features"/> distinct strings; null, with <paramref name="problem"/> saying why, if not.
    /// </summary>
    public static string[]? ParseFeatureNames(string text, int features, out string? problem)
    {
        var names = new List<string>();
        try
        {
            var json = new Utf8JsonReader(Encoding.UTF8.GetBytes(text), new JsonReaderOptions { MaxDepth = 4 });
            if (!json.Read() || json.TokenType != JsonTokenType.StartArray)
            {
                problem = "expected a JSON array of strings";
                return null;
            }

            while (json.Read() && json.TokenType == JsonTokenType.String)
            {
                names.Add(json.GetString()!);
            }

            if (json.TokenType != JsonTokenType.EndArray || json.Read())
            {
                problem = "expected a JSON array of strings and nothing after it";
                return null;
            }
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            problem = $"not valid JSON: {e.Message}";
            return null;
        }

        problem = names.Count != features ? Safetensors.Invariant($"it names {names.Count} features, but the model takes {features}")
            : names.Distinct(StringComparer.Ordinal).Count() != names.Count ? "it names a feature twice; feature names must be distinct"
            : null;
        return problem is null ? [.. names] : null;
    }

    /// <summary>Names as a JSON array of strings, after checking each is valid text and none appears twice.</summary>
    private static string DistinctNames(IReadOnlyList<string> names, string what, string why, string parameter = "metadata")
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (string name in names)
        {
            ArgumentNullException.ThrowIfNull(name, parameter);
            CheckText(name, $"A {what} name", parameter);
            if (!seen.Add(name))
            {
                throw new ArgumentException($"The {what} name '{name}' appears twice; {what} names must be distinct{why}.", parameter);
            }
        }

        return Json(json =>
        {
            json.WriteStartArray();
            foreach (string name in names)
            {
                json.WriteStringValue(name);
            }

            json.WriteEndArray();
        });
    }

    /// <summary>Refuses a string with a lone surrogate: it has no UTF-8 encoding, so the file could not be read back.</summary>
    private static void CheckText(string text, string what, string parameter = "metadata")
    {
        for (int i = 0; i < text.Length; i++)
        {
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(text[i]))
            {
                throw new ArgumentException($"{what} holds a lone surrogate (U+{(int)text[i]:X4}) at index {i}; it is not valid Unicode text.", parameter);
            }
        }
    }

    private static string Floats(ReadOnlySpan<float> values)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(buffer, WriterOptions))
        {
            json.WriteStartArray();
            foreach (float value in values)
            {
                json.WriteNumberValue(value);
            }

            json.WriteEndArray();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static string Json(Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(buffer, WriterOptions))
        {
            write(json);
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>Reads the JSON values inside metadata strings, each error naming its key and the key's place in the header.</summary>
    private sealed class Decoder(Safetensors.Contents contents, Dictionary<string, string> metadata)
    {
        public FileFormatException Error(string key, string message, Exception? inner = null) =>
            FileFormatException.AtOffset(contents.Name, contents.MetadataKeyOffsets.GetValueOrDefault(key, contents.MetadataOffset), message, inner);

        public string Required(string key) => metadata.TryGetValue(key, out string? value)
            ? value
            : throw FileFormatException.AtOffset(contents.Name, contents.MetadataOffset, $"the metadata have no '{key}'; a model file states its format version, kind, layer sizes, activations and leaky ReLU slope.");

        public int[] Integers(string key) => Array(key, "a JSON array of positive integers", static (ref Utf8JsonReader json, out int value) =>
        {
            value = 0;
            return json.TokenType == JsonTokenType.Number && json.TryGetInt32(out value) && value >= 1;
        });

        public float[] Floats(string key) => Array(key, "a JSON array of finite numbers", static (ref Utf8JsonReader json, out float value) =>
        {
            value = 0f;
            return json.TokenType == JsonTokenType.Number && json.TryGetSingle(out value) && float.IsFinite(value);
        });

        public string[] Strings(string key) => Array(key, "a JSON array of strings", static (ref Utf8JsonReader json, out string value) =>
        {
            value = json.TokenType == JsonTokenType.String ? json.GetString()! : string.Empty;
            return json.TokenType == JsonTokenType.String;
        });

        public Activation[] Activations(string key) => Array(key, "a JSON array of activations (relu, leaky_relu, sigmoid, tanh)", static (ref Utf8JsonReader json, out Activation value) =>
        {
            Activation? parsed = json.TokenType == JsonTokenType.String ? ParseActivation(json.GetString()!) : null;
            value = parsed.GetValueOrDefault();
            return parsed.HasValue;
        });

        public float Float(string key)
        {
            string text = Required(key);
            var json = new Utf8JsonReader(Encoding.UTF8.GetBytes(text));
            try
            {
                if (json.Read() && json.TokenType == JsonTokenType.Number && json.TryGetSingle(out float value) && float.IsFinite(value) && !json.Read())
                {
                    return value;
                }
            }
            catch (JsonException e)
            {
                throw Error(key, $"{key} is '{Safetensors.Quote(text)}'; expected a finite number.", e);
            }

            throw Error(key, $"{key} is '{Safetensors.Quote(text)}'; expected a finite number.");
        }

        /// <summary>Reads one array element at the reader's current token; false if it is not what the array holds.</summary>
        private delegate bool Element<T>(ref Utf8JsonReader json, out T value);

        private T[] Array<T>(string key, string expected, Element<T> element)
        {
            string text = Required(key);
            var json = new Utf8JsonReader(Encoding.UTF8.GetBytes(text), new JsonReaderOptions { MaxDepth = 4 });
            var values = new List<T>();
            try
            {
                if (!json.Read() || json.TokenType != JsonTokenType.StartArray)
                {
                    throw Error(key, $"{key} is '{Safetensors.Quote(text)}'; expected {expected}.");
                }

                while (json.Read() && json.TokenType != JsonTokenType.EndArray)
                {
                    if (!element(ref json, out T value))
                    {
                        throw Error(key, Safetensors.Invariant($"{key} is '{Safetensors.Quote(text)}'; element {values.Count} is not valid: expected {expected}."));
                    }

                    values.Add(value);
                }

                if (json.TokenType != JsonTokenType.EndArray || json.Read())
                {
                    throw Error(key, $"{key} is '{Safetensors.Quote(text)}'; expected {expected} and nothing after it.");
                }
            }
            catch (JsonException e)
            {
                throw Error(key, $"{key} is not valid JSON ('{Safetensors.Quote(text)}'); expected {expected}.", e);
            }
            catch (InvalidOperationException e)
            {
                // GetString on a string escaping a lone surrogate.
                throw Error(key, $"{key} holds a string that is not valid Unicode text; expected {expected}.", e);
            }

            return [.. values];
        }
    }
}
