using System;
using System.Collections.Generic;
using System.Globalization;

namespace Native.Numerics.Serialization.Onnx;

/// <summary>Class names: from a classifier's label attributes, or from the label branches that follow the chain (casts, reshapes, lookups).</summary>
internal sealed partial class OnnxGraphReader
{
    /// <summary>The class names the graph gives — LinearClassifier's or ZipMap's class labels, or the constant a label branch looks up — after checking every label branch.</summary>
    private string[] ClassNames(ChainState state, List<LabelStart> labels, Head head, int classes)
    {
        string[]? names = state.ClassLabels;
        Layer lastLayer = state.Layers[state.Layers.Count - 1];
        int logits = lastLayer.Step + 1;
        foreach (LabelStart start in labels)
        {
            OnnxNodeProto node = start.Node;
            if (node.OpType == "ArgMax")
            {
                long axis = Int(node, "axis", 0);
                if (classes < 2 || lastLayer.Outputs < 2 || axis is not (1 or -1) || start.After < logits)
                {
                    throw Error(node.Offset, FormattableString.Invariant($"{node.Label} (axis {axis}) does not pick the class from the last layer's outputs; a label branch must be the argmax over the classes (axis 1) of the logits or probabilities."));
                }

                if (Int(node, "select_last_index", 0) != 0)
                {
                    // The branch is checked to compute what the model's prediction computes; on a tie that one picks the first.
                    throw Error(node.Offset, $"{node.Label} has select_last_index = 1: on a tie it picks the last of the equal classes, where Native's prediction (like NumPy's and PyTorch's argmax) picks the first. Export the label with select_last_index = 0.");
                }
            }
            else if (node.OpType is "Greater" or "GreaterOrEqual")
            {
                bool logit = head == Head.Sigmoid && start.After >= logits && start.After <= state.HeadStep, probability = head == Head.Sigmoid && start.After > state.HeadStep;
                float[] threshold = node.Inputs.Count == 2 && node.Inputs[0] == start.Value ? Floats(ConstantInput(node, 1), node) : [];
                if (!(logit || probability) || threshold.Length != 1 || threshold[0] != (logit ? 0f : 0.5f))
                {
                    throw Error(node.Offset, $"{node.Label} is not the logistic label (the logit compared with 0, or the probability with 0.5).");
                }
            }
            else if (node.OpType == "ZipMap")
            {
                if (start.Value != _end)
                {
                    throw Error(node.Offset, $"{node.Label} pairs '{OnnxText.Quote(start.Value)}' with class labels, but the model's output is '{OnnxText.Quote(_end)}'.");
                }

                names = Merge(names, ClassLabels(node, "classlabels_strings", "classlabels_int64s", classes), node);
            }

            names = FollowLabels(node == state.Fixed ? start.Value : null, node, names, classes);
            _labelValues.Add(start.Value);
        }

        if (names is null)
        {
            return [];
        }

        if (classes == 0 || names.Length != classes)
        {
            throw Error(state.Fixed?.Offset ?? 0, FormattableString.Invariant($"the graph names {names.Length} classes, but the model has {classes}."));
        }

        var distinct = new HashSet<string>(StringComparer.Ordinal);
        foreach (string name in names)
        {
            if (name.Length == 0)
            {
                throw Error(state.Fixed?.Offset ?? 0, FormattableString.Invariant($"the graph names class {Array.IndexOf(names, name)} with an empty string; every class needs a name a prediction can print (or no class names at all)."));
            }

            if (!distinct.Add(name))
            {
                throw Error(state.Fixed?.Offset ?? 0, $"the graph names the class '{OnnxText.Quote(name)}' twice; class names are distinct.");
            }
        }

        return names;
    }

    /// <summary>Walks a label branch from <paramref name="start"/> (or from one of its outputs): casts, reshapes and class-name lookups only.</summary>
    private string[]? FollowLabels(string? value, OnnxNodeProto start, string[]? names, int classes)
    {
        var pending = new Queue<string>();
        if (value is not null)
        {
            pending.Enqueue(value);
        }
        else
        {
            foreach (string output in start.Outputs)
            {
                pending.Enqueue(output);
            }
        }

        var visited = new HashSet<OnnxNodeProto>();
        while (pending.Count > 0)
        {
            string current = pending.Dequeue();
            foreach (OnnxNodeProto node in _consumers.TryGetValue(current, out List<OnnxNodeProto>? list) ? list : [])
            {
                if (!visited.Add(node))
                {
                    continue;
                }

                bool lookup = node.OpType == "Gather" ? IsDefaultDomain(node) : node.OpType == "ArrayFeatureExtractor" && node.Domain == MlDomain;
                bool shaping = IsDefaultDomain(node) && node.OpType is "Cast" or "Reshape" or "Squeeze" or "Unsqueeze" or "Flatten" or "Identity";
                if (!lookup && !shaping)
                {
                    throw Error(node.Offset, $"{node.Label} uses the label that {start.Label} computes; a label branch may only cast, reshape or look up the class names (Gather, ArrayFeatureExtractor).");
                }

                for (int i = 0; i < node.Inputs.Count; i++)
                {
                    bool expected = lookup ? i == 1 : i == 0;
                    if ((node.Inputs[i] == current) != expected || (!expected && node.Inputs[i].Length > 0 && !_constants.ContainsKey(node.Inputs[i])))
                    {
                        throw Error(node.Offset, $"{node.Label} in the label branch of {start.Label} does not take the label as its {(lookup ? "indices (input 1)" : "data (input 0)")} and constants otherwise.");
                    }
                }

                if (lookup)
                {
                    names = Merge(names, ConstantLabels(ConstantInput(node, 0), node, classes), node);
                }

                foreach (string output in node.Outputs)
                {
                    pending.Enqueue(output);
                }
            }

            _labelValues.Add(current);
        }

        return names;
    }

    /// <summary>Refuses a graph output that is neither the chain's end nor a label branch's value.</summary>
    private void CheckOutputs()
    {
        string end = _end;
        foreach (OnnxValueInfoProto output in _graph.Outputs)
        {
            if (output.Name != end && !_labelValues.Contains(output.Name))
            {
                throw Error(output.Offset, $"the graph output '{OnnxText.Quote(output.Name)}' is neither the model's output ('{OnnxText.Quote(end)}') nor a label computed from it; Native's models give only those.");
            }
        }
    }

    private string[]? Merge(string[]? names, string[]? found, OnnxNodeProto node)
    {
        if (names is null || found is null)
        {
            return names ?? found;
        }

        if (names.Length != found.Length || !Array.TrueForAll(names, n => Array.IndexOf(found, n) == Array.IndexOf(names, n)))
        {
            throw Error(node.Offset, $"{node.Label} names the classes differently from an earlier node of the graph.");
        }

        return names;
    }

    /// <summary>Class names from a constant of strings or integers; integers 0, 1, … k − 1 are the labels themselves, so no names.</summary>
    private string[]? ConstantLabels(Constant constant, OnnxNodeProto node, int classes)
    {
        int max = Math.Max(classes, 2);
        if (constant.Tensor is { DataType: OnnxTensors.String } tensor)
        {
            return OnnxTensors.Strings(_bytes, tensor, max, _name, $"the class names {constant.Origin} of {node.Label}");
        }

        return LabelNames(Integers(constant, max, node));
    }

    /// <summary>Class labels from a pair of attributes (strings or integers), or null if neither is given.</summary>
    private string[]? ClassLabels(OnnxNodeProto node, string strings, string integers, int classes)
    {
        OnnxAttributeProto? text = Attribute(node, strings), numbers = Attribute(node, integers);
        if (text is not null && numbers is not null)
        {
            throw Error(node.Offset, $"{node.Label} has both {strings} and {integers}; it takes one.");
        }

        int max = Math.Max(classes, 2);
        if (text is not null)
        {
            return text.StringCount <= max
                ? Repeated.Strings(_bytes, text.Message, 9, text.StringCount, _name, "AttributeProto")
                : throw Error(node.Offset, FormattableString.Invariant($"{node.Label} has {text.StringCount} {strings}, more than the model's {max} classes."));
        }

        return numbers is null ? null : LabelNames(AttributeInts(node, numbers, max));
    }

    private static string[]? LabelNames(long[] labels)
    {
        bool identity = true;
        for (int i = 0; i < labels.Length; i++)
        {
            identity &= labels[i] == i;
        }

        return identity ? null : Array.ConvertAll(labels, label => label.ToString(CultureInfo.InvariantCulture));
    }
}
