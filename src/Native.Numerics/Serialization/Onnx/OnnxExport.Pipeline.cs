using System.Globalization;

namespace Native.Numerics.Serialization.Onnx;

/// <summary>
/// The feature pipeline as the front of the ONNX graph: one graph input per column that writes features, then the
/// operators that do what <see cref="FeaturePipeline.Transform"/> does, ending in one row of features for the model.
/// </summary>
/// <remarks>
/// <para>Per column, in the pipeline's order (ignored columns have no input: they write nothing):</para>
/// <list type="bullet">
/// <item><description>A number column: input FLOAT [N, 1] named after the column, NaN meaning missing.
/// <c>IsNaN</c>, then <c>Where</c>(missing, <c>pipeline.c.fill</c>, value) imputes; with a missing indicator,
/// <c>Cast</c> of the same IsNaN to FLOAT is the indicator feature.</description></item>
/// <item><description>A category column: input STRING [N, 1] named after the column. <c>ai.onnx.ml</c>
/// <c>LabelEncoder</c> maps each kept value to its slot, the empty string and each of the pipeline's missing tokens
/// to the missing slot (or −1 without one), and any other value to the other slot (or −1); then <c>Equal</c> against
/// the slots 0 … width − 1 and <c>Cast</c> to FLOAT make the one-hot features, all zeros for −1.</description></item>
/// </list>
/// <para>
/// <c>Concat</c> (axis 1) of the columns' features, in order, is the model's row (<c>pipeline.features</c>), which the
/// standardizer and the layers then take as they take the input of a model without a pipeline. Blank text is matched
/// as <see cref="TableRow.SetText(int, ReadOnlySpan{char})"/> matches it except for trimming: in ONNX a missing category
/// is the empty string or a missing token exactly (ONNX has no operator that trims), a missing number is NaN. A value
/// the model does not know becomes all zeros (or the other slot) even when the pipeline says
/// <see cref="UnknownCategories.Error"/>: an ONNX graph cannot refuse a row.
/// </para>
/// </remarks>
internal static partial class OnnxExport
{
    /// <summary>The ai.onnx.ml opset the pipeline's <c>LabelEncoder</c> needs (keys_strings → values_int64s: version 2).</summary>
    public const int MlOpset = 2;

    /// <summary>The value the pipeline's <c>Concat</c> writes: the model's row of encoded features.</summary>
    public const string PipelineFeatures = "pipeline.features";

    /// <summary>The prefix of every value the pipeline's operators make (their names cannot be a column's).</summary>
    public const string PipelinePrefix = "pipeline.";

    /// <summary>The metadata_props key of the pipeline's missing tokens (a JSON array of strings), when it has any: for text set on a number column.</summary>
    public const string MissingTokensKey = OnnxGraphReader.MissingTokensKey;

    /// <summary>The metadata_props key saying the pipeline reads numbers given as text with a decimal comma ("true").</summary>
    public const string DecimalCommaKey = OnnxGraphReader.DecimalCommaKey;

    /// <summary>The metadata_props key of the pipeline's thousands separator.</summary>
    public const string ThousandsSeparatorKey = OnnxGraphReader.ThousandsSeparatorKey;

    private const string MlDomain = "ai.onnx.ml";

    /// <summary>What the graph cannot say of the pipeline but text read into it needs: its missing tokens and decimal comma.</summary>
    private static IEnumerable<KeyValuePair<string, string>> PipelineEntries(FeaturePipeline? pipeline)
    {
        if (pipeline is null)
        {
            yield break;
        }

        if (pipeline.MissingTokens.Count > 0)
        {
            var buffer = new System.Buffers.ArrayBufferWriter<byte>();
            using (var json = new System.Text.Json.Utf8JsonWriter(buffer))
            {
                json.WriteStartArray();
                foreach (string token in pipeline.MissingTokens)
                {
                    json.WriteStringValue(token);
                }

                json.WriteEndArray();
            }

            yield return new(MissingTokensKey, System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan));
        }

        if (pipeline.DecimalComma)
        {
            yield return new(DecimalCommaKey, "true");
        }

        if (pipeline.ThousandsSeparator is char thousands)
        {
            yield return new(ThousandsSeparatorKey, thousands.ToString());
        }
    }

    /// <summary>Writes the pipeline's nodes, initializers and inputs; returns the value holding the encoded row.</summary>
    private static string WritePipeline(FeaturePipeline pipeline, ProtobufWriter graph, ProtobufWriter initializers, ProtobufWriter inputs)
    {
        var pieces = new List<string>();
        for (int c = 0; c < pipeline.Columns.Count; c++)
        {
            PipelineColumn column = pipeline.Columns[c];
            if (column.Kind == ColumnKind.Ignored)
            {
                continue;
            }

            string name = column.Name;
            if (name.StartsWith(PipelinePrefix, StringComparison.Ordinal) || name.StartsWith("layers.", StringComparison.Ordinal)
                || name.StartsWith("standardizer.", StringComparison.Ordinal) || name.StartsWith("label", StringComparison.Ordinal)
                || name is "standardized" or "logits" or "value" or "probability" or "probabilities" or "class_names" or "head")
            {
                throw new ArgumentException($"The column {Csv.Quote(name)} would be an ONNX graph input of the same name as a value the graph makes itself; rename the column to export the model to ONNX.", nameof(pipeline));
            }

            string prefix = Invariant($"{PipelinePrefix}{c}.");
            if (column.Kind == ColumnKind.Number)
            {
                inputs.Message(11, ValueInfo(name, FloatType, 1));
                Tensor(initializers, prefix + "fill", [1], [column.Fill]);
                Node(graph, "IsNaN", prefix + "isnan", [name], prefix + "missing");
                Node(graph, "Where", prefix + "impute", [prefix + "missing", prefix + "fill", name], prefix + "imputed");
                pieces.Add(prefix + "imputed");
                if (column.HasIndicator)
                {
                    Node(graph, "Cast", prefix + "indicate", [prefix + "missing"], prefix + "indicator", node => node.Message(5, IntAttribute("to", FloatType)));
                    pieces.Add(prefix + "indicator");
                }
            }
            else
            {
                inputs.Message(11, ValueInfo(name, StringType, 1));
                (List<string> keys, List<long> values) = CategoryKeys(column, pipeline.MissingTokens);
                long[] slots = new long[column.Width];
                for (int s = 0; s < slots.Length; s++)
                {
                    slots[s] = s;
                }

                IntTensor(initializers, prefix + "slots", slots);
                Node(graph, "LabelEncoder", prefix + "encode", [name], prefix + "slot", node =>
                {
                    node.Message(5, StringsAttribute("keys_strings", keys));
                    node.Message(5, IntsAttribute("values_int64s", values));
                    node.Message(5, IntAttribute("default_int64", column.OtherSlot));
                    node.String(7, MlDomain);
                });
                Node(graph, "Equal", prefix + "one_hot", [prefix + "slot", prefix + "slots"], prefix + "hot");
                Node(graph, "Cast", prefix + "cast", [prefix + "hot"], prefix + "features", node => node.Message(5, IntAttribute("to", FloatType)));
                pieces.Add(prefix + "features");
            }
        }

        Node(graph, "Concat", PipelinePrefix + "concat", [.. pieces], PipelineFeatures, node => node.Message(5, IntAttribute("axis", 1)));
        return PipelineFeatures;
    }

    /// <summary>
    /// The strings a category column's <c>LabelEncoder</c> maps and their slots: the missing ones first (the empty string
    /// and the missing tokens, as <see cref="TableRow.SetText(int, ReadOnlySpan{char})"/> tests them first), then each kept
    /// value not already among them.
    /// </summary>
    internal static (List<string> Keys, List<long> Values) CategoryKeys(PipelineColumn column, IReadOnlyList<string> missingTokens)
    {
        var keys = new List<string>();
        var values = new List<long>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (string token in missingTokens.Prepend(string.Empty))
        {
            if (seen.Add(token))
            {
                keys.Add(token);
                values.Add(column.MissingSlot);
            }
        }

        for (int s = 0; s < column.Categories.Count; s++)
        {
            if (seen.Add(column.Categories[s]))
            {
                keys.Add(column.Categories[s]);
                values.Add(s);
            }
        }

        return (keys, values);
    }

    private static ProtobufWriter StringsAttribute(string name, IEnumerable<string> values)
    {
        var attribute = new ProtobufWriter();
        attribute.String(1, name);
        foreach (string value in values)
        {
            attribute.String(9, value);
        }

        attribute.Int(20, 8);
        return attribute;
    }

    private static ProtobufWriter IntsAttribute(string name, IEnumerable<long> values)
    {
        var attribute = new ProtobufWriter();
        attribute.String(1, name);
        foreach (long value in values)
        {
            attribute.Int(8, value);
        }

        attribute.Int(20, 7);
        return attribute;
    }
}
