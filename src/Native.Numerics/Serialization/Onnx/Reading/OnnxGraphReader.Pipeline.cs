using System;
using System.Collections.Generic;
using System.Linq;

namespace Native.Numerics.Serialization.Onnx;

/// <summary>
/// The feature pipeline Native writes at the front of a graph (<c>OnnxExport.Pipeline.cs</c>): recognized node by node
/// and read back into a <see cref="PipelineDescription"/>. A graph with several inputs or text inputs that is not this
/// pipeline is refused, as before, by <see cref="FindInput"/>.
/// </summary>
internal sealed partial class OnnxGraphReader
{
    /// <summary>The value the pipeline's <c>Concat</c> writes: the model's row of features.</summary>
    public const string PipelineFeatures = "pipeline.features";

    /// <summary>The metadata_props key of the pipeline's missing tokens (a JSON array of strings), when it has any: for text set on a number column.</summary>
    public const string MissingTokensKey = "native.missing_tokens";

    /// <summary>The metadata_props key saying the pipeline reads numbers given as text with a decimal comma ("true").</summary>
    public const string DecimalCommaKey = "native.decimal_comma";

    /// <summary>The metadata_props key of the pipeline's thousands separator (one character), when it has one.</summary>
    public const string ThousandsSeparatorKey = "native.thousands_separator";

    /// <summary>The most one-hot slots a category column may have (a dictionary's worth; the table reader keeps far fewer).</summary>
    private const int MaxSlots = 1 << 20;

    /// <summary>The <c>Concat</c> writing <see cref="PipelineFeatures"/> when the graph has Native's pipeline, or null.</summary>
    private OnnxNodeProto? PipelineConcat() =>
        _producers.TryGetValue(PipelineFeatures, out OnnxNodeProto? node) && node.OpType == "Concat" && IsDefaultDomain(node) ? node : null;

    /// <summary>
    /// Reads the pipeline whose <c>Concat</c> is <paramref name="concat"/>: one column per graph input, in order; returns it
    /// and, in <paramref name="features"/>, the encoded row as the model's input (FLOAT [N, features]).
    /// </summary>
    private PipelineDescription ReadPipeline(OnnxNodeProto concat, out OnnxValueInfoProto features)
    {
        long axis = Int(concat, "axis", 0);
        if (axis is not (1 or -1))
        {
            throw Error(concat.Offset, FormattableString.Invariant($"{concat.Label} has axis {axis}; the pipeline's Concat joins each row's features (axis 1)."));
        }

        var columns = new List<PipelineColumnDescription>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        string[]? tokens = null;
        int piece = 0, offset = 0;
        foreach (OnnxValueInfoProto input in _graph.Inputs.Where(input => !_constants.ContainsKey(input.Name)))
        {
            string what = $"the graph input '{OnnxText.Quote(input.Name)}'";
            if (input.Name.Length == 0 || !names.Add(input.Name))
            {
                throw Error(input.Offset, input.Name.Length == 0 ? "a graph input has no name; the pipeline's inputs are named after their columns." : $"{what} is declared twice.");
            }

            if (!input.IsTensor || (input.Dimensions is { } dimensions && (dimensions.Count != 2 || dimensions[1] is not (1 or -1))))
            {
                throw Error(input.Offset, $"{what} is not a tensor of shape [N, 1]; each column of the pipeline is one value per row.");
            }

            PipelineColumnDescription column = input.ElementType switch
            {
                OnnxTensors.Float => NumberColumn(input, concat, ref piece, offset),
                OnnxTensors.String => CategoryColumn(input, concat, ref piece, offset, ref tokens),
                _ => throw Error(input.Offset, $"{what} has element type {OnnxTensors.TypeName(input.ElementType)}; the pipeline's columns are FLOAT (numbers) or STRING (categories)."),
            };
            columns.Add(column);
            offset += column.Width;
        }

        if (piece != concat.Inputs.Count || columns.Count == 0)
        {
            throw Error(concat.Offset, FormattableString.Invariant($"{concat.Label} joins {concat.Inputs.Count} values, but the graph's {columns.Count} inputs make {piece}; the pipeline's Concat joins the columns' features, in order, and nothing else."));
        }

        features = new OnnxValueInfoProto(concat.Offset) { Name = PipelineFeatures, ElementType = OnnxTensors.Float, Dimensions = [-1, offset] };
        return new PipelineDescription([.. columns], tokens ?? [], decimalComma: false, Imputation.Mean);
    }

    /// <summary>A number column: <c>IsNaN</c>, <c>Where</c>(missing, fill, value), and optionally <c>Cast</c>(missing) as the indicator.</summary>
    private PipelineColumnDescription NumberColumn(OnnxValueInfoProto input, OnnxNodeProto concat, ref int piece, int offset)
    {
        string name = input.Name;
        OnnxNodeProto isNaN = Only(name, input.Offset, "IsNaN", "Where");
        string missing = Output(isNaN);
        if (isNaN.Inputs.Count != 1)
        {
            throw Error(isNaN.Offset, $"{isNaN.Label} takes {isNaN.Inputs.Count} inputs; IsNaN takes one.");
        }

        OnnxNodeProto where = Consumers(name).First(node => node != isNaN);
        if (where.OpType != "Where" || !IsDefaultDomain(where) || where.Inputs.Count != 3 || where.Inputs[0] != missing || where.Inputs[2] != name)
        {
            throw Error(where.Offset, $"{where.Label} is not Where('{OnnxText.Quote(missing)}', fill, '{OnnxText.Quote(name)}'): the pipeline imputes a missing number (NaN) with its fill.");
        }

        float[] fill = Floats(ConstantInput(where, 1), where);
        if (fill.Length != 1 || float.IsNaN(fill[0]) || float.IsInfinity(fill[0]))
        {
            throw Error(where.Offset, $"{where.Label}'s fill is not one finite number.");
        }

        Piece(concat, ref piece, Output(where), where);
        List<OnnxNodeProto> flags = Consumers(missing);
        OnnxNodeProto? cast = null;
        foreach (OnnxNodeProto flag in flags.Where(node => node != where))
        {
            if (cast is not null || flag.OpType != "Cast" || !IsDefaultDomain(flag) || Int(flag, "to", 0) != OnnxTensors.Float)
            {
                throw Error(flag.Offset, $"{flag.Label} takes the missing flags of '{OnnxText.Quote(name)}'; only the Where that imputes and one Cast to FLOAT (the missing indicator) may.");
            }

            cast = flag;
        }

        if (cast is not null)
        {
            Piece(concat, ref piece, Output(cast), cast);
        }

        return new PipelineColumnDescription(name, ColumnKind.Number, inferred: true, offset, cast is null ? 1 : 2, fill[0], cast is not null, [], other: false, missingSlot: false, UnknownCategories.Ignore, 0, 0, null);
    }

    /// <summary>A category column: ai.onnx.ml <c>LabelEncoder</c> to slots, <c>Equal</c> against the slots 0 … width − 1, <c>Cast</c> to FLOAT.</summary>
    private PipelineColumnDescription CategoryColumn(OnnxValueInfoProto input, OnnxNodeProto concat, ref int piece, int offset, ref string[]? tokens)
    {
        string name = input.Name;
        OnnxNodeProto encoder = Only(name, input.Offset, "LabelEncoder");
        if (encoder.Domain != MlDomain || encoder.Inputs.Count != 1)
        {
            throw Error(encoder.Offset, $"{encoder.Label} is not the ai.onnx.ml LabelEncoder of one input that maps a category to its slot.");
        }

        foreach (OnnxAttributeProto attribute in encoder.Attributes)
        {
            if (attribute.Name is not ("keys_strings" or "values_int64s" or "default_int64"))
            {
                throw Error(attribute.Message.Start, $"{encoder.Label} has the attribute '{OnnxText.Quote(attribute.Name)}'; the pipeline's LabelEncoder maps strings (keys_strings) to slots (values_int64s, default_int64).");
            }
        }

        OnnxAttributeProto keysAttribute = Attribute(encoder, "keys_strings") ?? throw Error(encoder.Offset, $"{encoder.Label} has no keys_strings.");
        OnnxAttributeProto valuesAttribute = Attribute(encoder, "values_int64s") ?? throw Error(encoder.Offset, $"{encoder.Label} has no values_int64s.");
        if (keysAttribute.StringCount != valuesAttribute.IntCount || keysAttribute.StringCount > MaxSlots + 64)
        {
            throw Error(encoder.Offset, FormattableString.Invariant($"{encoder.Label} has {keysAttribute.StringCount} keys and {valuesAttribute.IntCount} values; the pipeline maps each key to one slot, at most {MaxSlots:N0}."));
        }

        string[] keys = Repeated.Strings(_bytes, keysAttribute.Message, 9, keysAttribute.StringCount, _name, "AttributeProto");
        long[] values = AttributeInts(encoder, valuesAttribute, keys.Length);
        long fallback = Int(encoder, "default_int64", -1);

        OnnxNodeProto equal = Only(Output(encoder), encoder.Offset, "Equal");
        if (!IsDefaultDomain(equal) || equal.Inputs.Count != 2 || equal.Inputs[0] != Output(encoder))
        {
            throw Error(equal.Offset, $"{equal.Label} is not Equal(slot, slots): the pipeline's one-hot compares a row's slot with each of the column's.");
        }

        long[] slots = Integers(ConstantInput(equal, 1), MaxSlots, equal);
        int width = slots.Length;
        for (int s = 0; s < width; s++)
        {
            if (slots[s] != s)
            {
                throw Error(equal.Offset, FormattableString.Invariant($"{equal.Label}'s slots hold {slots[s]} at {s}; the pipeline's one-hot slots are 0, 1, … in order."));
            }
        }

        OnnxNodeProto cast = Only(Output(equal), equal.Offset, "Cast");
        if (!IsDefaultDomain(cast) || Int(cast, "to", 0) != OnnxTensors.Float)
        {
            throw Error(cast.Offset, $"{cast.Label} does not cast the one-hot features to FLOAT.");
        }

        Piece(concat, ref piece, Output(cast), cast);

        // The keys: the missing ones (the empty string and the missing tokens) to the missing slot or −1, the kept values to 0, 1, ….
        int blank = Array.IndexOf(keys, string.Empty);
        if (blank < 0 || new HashSet<string>(keys, StringComparer.Ordinal).Count != keys.Length)
        {
            throw Error(encoder.Offset, blank < 0 ? $"{encoder.Label} has no key for the empty string, which the pipeline maps to a missing category." : $"{encoder.Label} has a key twice.");
        }

        long missingValue = values[blank];
        var columnTokens = new List<string>();
        var categories = new List<string>();
        for (int k = 0; k < keys.Length; k++)
        {
            if (values[k] == missingValue)
            {
                if (k != blank)
                {
                    columnTokens.Add(keys[k]);
                }
            }
            else if (values[k] != categories.Count)
            {
                throw Error(encoder.Offset, FormattableString.Invariant($"{encoder.Label} maps '{OnnxText.Quote(keys[k])}' to {values[k]}; the pipeline's kept values take the slots 0, 1, … in order."));
            }
            else
            {
                categories.Add(keys[k]);
            }
        }

        bool other = fallback == categories.Count, missingSlot = missingValue >= 0;
        if ((fallback != -1 && !other) || (missingSlot && missingValue != width - 1) || (!missingSlot && missingValue != -1)
            || width != categories.Count + (other ? 1 : 0) + (missingSlot ? 1 : 0) || width == 0)
        {
            throw Error(encoder.Offset, FormattableString.Invariant($"{encoder.Label} keeps {categories.Count} values, maps others to {fallback} and missing ones to {missingValue}, for {width} one-hot slots; the pipeline's slots are the kept values, then an other slot (or −1), then a missing slot (or −1)."));
        }

        if (tokens is not null && !tokens.SequenceEqual(columnTokens, StringComparer.Ordinal))
        {
            throw Error(encoder.Offset, $"{encoder.Label} takes other missing tokens than the columns before it; the pipeline has one list of missing tokens.");
        }

        tokens = [.. columnTokens];
        return new PipelineColumnDescription(name, ColumnKind.Category, inferred: true, offset, width, 0f, indicator: false, [.. categories], other, missingSlot, UnknownCategories.Ignore, 0, 0, null);
    }

    /// <summary>The one node of <paramref name="op"/> that consumes <paramref name="value"/>, besides nodes of <paramref name="alongside"/>.</summary>
    private OnnxNodeProto Only(string value, long offset, string op, string? alongside = null)
    {
        List<OnnxNodeProto> consumers = Consumers(value);
        List<OnnxNodeProto> found = consumers.Where(node => node.OpType == op).ToList();
        bool rest = consumers.All(node => node.OpType == op || node.OpType == alongside);
        if (found.Count != 1 || !rest || consumers.Count != (alongside is null ? 1 : 2) || _outputs.Contains(value))
        {
            throw Error(offset, $"the value '{OnnxText.Quote(value)}' feeds {consumers.Count} nodes ({string.Join(", ", consumers.Take(4).Select(node => node.Label))}); in Native's pipeline, {(alongside is null ? "one " + op : op + " and " + alongside)} take{(alongside is null ? "s" : "")} it.");
        }

        return found[0];
    }

    private List<OnnxNodeProto> Consumers(string value) => _consumers.TryGetValue(value, out List<OnnxNodeProto>? list) ? list : [];

    private string Output(OnnxNodeProto node) =>
        node.Outputs.Count == 1 && node.Outputs[0].Length > 0 ? node.Outputs[0] : throw Error(node.Offset, FormattableString.Invariant($"{node.Label} has {node.Outputs.Count} outputs; the pipeline's nodes have one."));

    /// <summary>Checks that <paramref name="value"/> is the Concat's next input and goes nowhere else.</summary>
    private void Piece(OnnxNodeProto concat, ref int piece, string value, OnnxNodeProto node)
    {
        if (piece >= concat.Inputs.Count || concat.Inputs[piece] != value || Consumers(value).Count != 1 || _outputs.Contains(value))
        {
            throw Error(node.Offset, FormattableString.Invariant($"{node.Label}'s output '{OnnxText.Quote(value)}' is not input {piece} of {concat.Label} alone; the pipeline joins its columns' features in order."));
        }

        piece++;
    }
}
