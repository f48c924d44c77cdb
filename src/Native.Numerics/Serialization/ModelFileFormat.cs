using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Native.Numerics.Serialization;

/// <summary>
/// The model layer of <see cref="ModelFile"/>: tensor names, and the <c>__metadata__</c> keys that say what
/// model the tensors belong to, encoded (<see cref="Encode"/>) here and decoded with every consistency check
/// (<see cref="Decode"/>) in Reading/ModelFileFormat.Decoding.cs, which the source generator compiles too.
/// </summary>
/// <remarks>
/// Structured values (layer sizes, activations, class names, standardizer statistics) are JSON inside the
/// metadata strings, written with <see cref="Utf8JsonWriter"/> and read with <see cref="Utf8JsonReader"/>:
/// no reflection, so trimming and NativeAOT keep working. Floats are written in the shortest form that
/// reads back to the same bits.
/// </remarks>
internal static partial class ModelFileFormat
{
    private static readonly JsonWriterOptions WriterOptions = new()
    {
        // Class names in any script stay readable in the file (the JSON is a file, never HTML).
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>
    /// The library's model for a decoded header (<see cref="Decode"/>): its shape, its metadata (with the standardizer
    /// built from the statistics) and the version of the library that wrote it.
    /// </summary>
    /// <exception cref="FileFormatException">The header describes no valid model (unreachable after Decode's checks; kept so that no ArgumentException can escape a load).</exception>
    public static (ModelShape Shape, ModelMetadata Metadata) ToModel(Safetensors.Contents contents, ModelFileHeader header)
    {
        ModelShape shape;
        try
        {
            shape = ModelShape.Of(header.Kind, header.LayerSizes, header.Activations, header.LeakyReluSlope);
        }
        catch (ArgumentException e)
        {
            throw new Decoder(contents, contents.Metadata!).Error(ModelFileKeys.LayerSizesKey, $"the metadata describe no valid model: {e.Message}", e);
        }

        Standardizer? standardizer = null;
        if (header.Means is float[] means && header.Deviations is float[] deviations)
        {
            try
            {
                standardizer = Standardizer.FromStatistics(means, deviations);
            }
            catch (ArgumentException e)
            {
                throw new Decoder(contents, contents.Metadata!).Error(ModelFileKeys.DeviationsKey, $"the standardizer is not valid: {e.Message}", e);
            }
        }

        FeaturePipeline? pipeline = null;
        if (header.Pipeline is PipelineDescription description)
        {
            try
            {
                pipeline = ToPipeline(description, standardizer);
            }
            catch (ArgumentException e)
            {
                throw new Decoder(contents, contents.Metadata!).Error(ModelFileKeys.PipelineKey, $"the pipeline is not valid: {e.Message}", e);
            }
        }

        var metadata = new ModelMetadata
        {
            ClassNames = header.ClassNames,
            FeatureNames = header.FeatureNames,
            LabelNames = header.LabelNames.Length > 0 ? header.LabelNames : header.LabelName is string label ? [label] : [],
            Standardizer = standardizer,
            Pipeline = pipeline,
            Properties = header.Properties,
        };
        return (shape, metadata);
    }

    /// <summary>The metadata of a model of <paramref name="shape"/>, after checking <paramref name="metadata"/> fits it.</summary>
    /// <exception cref="ArgumentException">The class names or standardizer do not fit the shape, or a property is reserved or not valid text.</exception>
    public static Dictionary<string, string> Encode(ModelShape shape, ModelMetadata metadata, string libraryVersion)
    {
        var entries = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [ModelFileKeys.FormatKey] = metadata.Pipeline is null ? PlainFormatText : PipelineFormatText,
            [ModelFileKeys.LibraryVersionKey] = libraryVersion,
            [ModelFileKeys.KindKey] = KindName(shape.Kind),
            [ModelFileKeys.LayerSizesKey] = Json(json =>
            {
                json.WriteStartArray();
                foreach (int size in shape.LayerSizes)
                {
                    json.WriteNumberValue(size);
                }

                json.WriteEndArray();
            }),
            [ModelFileKeys.ActivationsKey] = Json(json =>
            {
                json.WriteStartArray();
                foreach (Activation activation in shape.HiddenActivations)
                {
                    json.WriteStringValue(ActivationName(activation));
                }

                json.WriteEndArray();
            }),
            [ModelFileKeys.SlopeKey] = Json(json => json.WriteNumberValue(shape.LeakyReluSlope)),
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

            entries[ModelFileKeys.ClassNamesKey] = DistinctNames(names, "class", "");
        }

        IReadOnlyList<string> features = metadata.FeatureNames ?? [];
        Standardizer? standardizer = metadata.Standardizer;
        if (metadata.Pipeline is FeaturePipeline pipeline)
        {
            // The pipeline names the features and holds the standardizer: both are written once, from it.
            if (pipeline.Features != shape.Features)
            {
                throw new ArgumentException($"The pipeline writes {pipeline.Features} features, but the model takes {shape.Features}.", nameof(metadata));
            }

            if (features.Count > 0 && !features.SequenceEqual(pipeline.FeatureNames, StringComparer.Ordinal))
            {
                throw new ArgumentException("The metadata name features other than the pipeline's; with a pipeline, leave FeatureNames empty.", nameof(metadata));
            }

            if (standardizer is not null && !TrainedModel.Same(standardizer, pipeline.Standardizer))
            {
                throw new ArgumentException("The metadata give a standardizer beside a pipeline that has another (or none); with a pipeline, leave Standardizer null.", nameof(metadata));
            }

            standardizer = pipeline.Standardizer;
            features = [];
            entries[ModelFileKeys.PipelineKey] = PipelineJson(pipeline);
        }

        if (features.Count > 0)
        {
            if (features.Count != shape.Features)
            {
                throw new ArgumentException($"The model takes {shape.Features} features, but {features.Count} feature names were given.", nameof(metadata));
            }

            entries[ModelFileKeys.FeatureNamesKey] = DistinctNames(features, "feature", ", since predictions match columns by them");
        }

        IReadOnlyList<string> labels = metadata.LabelNames;
        if (labels.Count == 1)
        {
            CheckText(labels[0], "The label name");
            entries[ModelFileKeys.LabelNameKey] = labels[0];
        }
        else if (labels.Count > 1)
        {
            // A multi-output regression's target columns, one per output: a key of their own, so a library that knows one
            // label column refuses the file rather than skip one column of several.
            if (shape.Task != ModelTask.Regression || labels.Count != shape.Outputs)
            {
                throw new ArgumentException($"{labels.Count} label names were given; the model {shape} has one label{(shape.Task == ModelTask.Regression ? $" per output ({shape.Outputs})" : string.Empty)}.", nameof(metadata));
            }

            entries[ModelFileKeys.LabelNamesKey] = DistinctNames(labels, "label", ", since predictions name their values by them");
        }

        if (standardizer is not null)
        {
            if (standardizer.Features != shape.Features)
            {
                throw new ArgumentException($"The standardizer transforms {standardizer.Features} features, but the model takes {shape.Features}.", nameof(metadata));
            }

            entries[ModelFileKeys.MeansKey] = Floats(standardizer.Means);
            entries[ModelFileKeys.DeviationsKey] = Floats(standardizer.StandardDeviations);
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

    /// <summary>The feature and label column names as metadata entries (for ONNX's metadata_props), already checked by <see cref="Encode"/>.</summary>
    public static IEnumerable<KeyValuePair<string, string>> ColumnEntries(ModelMetadata metadata)
    {
        if (metadata.FeatureNames is { Count: > 0 } features)
        {
            yield return new(ModelFileKeys.FeatureNamesKey, DistinctNames(features, "feature", string.Empty));
        }

        if (metadata.LabelNames is [string label])
        {
            yield return new(ModelFileKeys.LabelNameKey, label);
        }
        else if (metadata.LabelNames.Count > 1)
        {
            yield return new(ModelFileKeys.LabelNamesKey, DistinctNames(metadata.LabelNames, "label", string.Empty));
        }
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

}
