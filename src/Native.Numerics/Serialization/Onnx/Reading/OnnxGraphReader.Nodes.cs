using System;
using System.Collections.Generic;

namespace Native.Numerics.Serialization.Onnx;

/// <summary>The chain's state as it is read; the ai.onnx.ml linear models; attributes and constants.</summary>
internal sealed partial class OnnxGraphReader
{
    /// <summary>LinearRegressor or LinearClassifier (ai.onnx.ml): a whole model in one node.</summary>
    private void LinearModel(OnnxNodeProto node, ChainState state, int step)
    {
        if (state.Layers.Count > 0)
        {
            throw Error(node.Offset, $"{node.Label} comes after another dense layer; it is a whole linear model and must be the only one.");
        }

        string transform = String(node, "post_transform", "NONE");
        float[] coefficients = FloatsAttribute(node, "coefficients", required: true);
        bool classifier = node.OpType == "LinearClassifier";
        float[] intercepts = FloatsAttribute(node, "intercepts", required: classifier);
        int rows = classifier ? intercepts.Length : (int)Int(node, "targets", 1);
        if (rows < 1 || coefficients.Length == 0 || coefficients.Length % rows != 0)
        {
            throw Error(node.Offset, FormattableString.Invariant($"{node.Label} has {coefficients.Length} coefficients for {rows} {(classifier ? "classes (one intercept each)" : "targets")}; expected a whole, positive number per {(classifier ? "class" : "target")}."));
        }

        int features = coefficients.Length / rows;
        if (!classifier)
        {
            // One row of coefficients per target, as the intercepts are (skl2onnx writes coef_, targets × features).
            if (transform != "NONE" || (intercepts.Length != 0 && intercepts.Length != rows))
            {
                throw Error(node.Offset, FormattableString.Invariant($"{node.Label} has {rows} targets, {intercepts.Length} intercepts and post_transform {transform}; Native's linear regression has one intercept per target (or none) and no post_transform (NONE)."));
            }

            var regression = new Layer(node, features, rows, coefficients, intercepts.Length == rows ? intercepts : new float[rows]);
            state.Add(node, Error, regression, step);
            state.Fixed = node;
            return;
        }

        string[]? labels = ClassLabels(node, "classlabels_strings", "classlabels_ints", Math.Max(rows, 2));
        int classes = labels?.Length ?? (Attribute(node, "classlabels_ints") is { } ints ? ints.IntCount : 0);
        if (classes < 2)
        {
            throw Error(node.Offset, FormattableString.Invariant($"{node.Label} has {classes} class labels; a classifier has at least 2 (classlabels_ints or classlabels_strings)."));
        }

        Layer layer;
        Head head;
        if (rows == 1)
        {
            throw Error(node.Offset, $"{node.Label} has one row of coefficients for 2 classes; ONNX Runtime then reports [1 − s, s] of the raw score s, which is not a probability. Write one row per class (−w and w, as skl2onnx does).");
        }

        if (rows != classes)
        {
            throw Error(node.Offset, FormattableString.Invariant($"{node.Label} has {rows} rows of coefficients for {classes} classes; expected one per class."));
        }

        if (transform is "SOFTMAX" or "NONE")
        {
            // NONE gives raw scores, which Native reads as logits: the same classes, and a softmax over them.
            layer = new Layer(node, features, rows, coefficients, intercepts);
            head = Head.Softmax;
        }
        else if (transform == "LOGISTIC" && rows == 2 && Mirrored(coefficients, intercepts, features))
        {
            // skl2onnx's binary logistic regression: rows −w and w, so the scores are [σ(−z), σ(z)] = [1 − p, p].
            float[] positive = new float[features];
            Array.Copy(coefficients, features, positive, 0, features);
            layer = new Layer(node, features, 1, positive, [intercepts[1]]);
            head = Head.Sigmoid;
        }
        else
        {
            throw Error(node.Offset, FormattableString.Invariant($"{node.Label} has post_transform {transform} over {rows} rows{(transform == "LOGISTIC" ? " that are not −w and w: one-vs-rest scores (independent sigmoids)" : string.Empty)}; Native reads SOFTMAX or NONE (a softmax regression), or LOGISTIC over the two rows −w, w (a logistic regression)."));
        }

        state.Add(node, Error, layer, step);
        state.SetHead(node, Error, head, step);
        state.Fixed = node;
        state.ClassLabels = labels;
    }

    private static bool Mirrored(float[] coefficients, float[] intercepts, int features)
    {
        for (int i = 0; i < features; i++)
        {
            if (coefficients[i] != -coefficients[features + i])
            {
                return false;
            }
        }

        return intercepts[0] == -intercepts[1];
    }

    private OnnxAttributeProto? Attribute(OnnxNodeProto node, string name)
    {
        OnnxAttributeProto? found = null;
        foreach (OnnxAttributeProto attribute in node.Attributes)
        {
            if (attribute.Name == name)
            {
                found = found is null ? attribute : throw Error(node.Offset, $"{node.Label} has the attribute '{OnnxText.Quote(name)}' twice.");
            }
        }

        return found;
    }

    private long Int(OnnxNodeProto node, string name, long fallback)
    {
        OnnxAttributeProto? attribute = Attribute(node, name);
        if (attribute is null)
        {
            return fallback;
        }

        return (attribute.Present & (1 << 3)) != 0 || attribute.Type == 2
            ? attribute.Int
            : throw Error(attribute.Message.Start, $"{node.Label}'s attribute '{OnnxText.Quote(name)}' is not an integer (i).");
    }

    private float Float(OnnxNodeProto node, string name, float fallback)
    {
        OnnxAttributeProto? attribute = Attribute(node, name);
        if (attribute is null)
        {
            return fallback;
        }

        return (attribute.Present & (1 << 2)) != 0 || attribute.Type == 1
            ? attribute.Float
            : throw Error(attribute.Message.Start, $"{node.Label}'s attribute '{OnnxText.Quote(name)}' is not a float (f).");
    }

    private string String(OnnxNodeProto node, string name, string fallback)
    {
        OnnxAttributeProto? attribute = Attribute(node, name);
        if (attribute is null)
        {
            return fallback;
        }

        return attribute.String is Region text
            ? ProtobufReader.Text(_bytes, text, _name, $"{node.Label}'s attribute '{OnnxText.Quote(name)}'")
            : throw Error(attribute.Message.Start, $"{node.Label}'s attribute '{OnnxText.Quote(name)}' is not a string (s).");
    }

    private float[] FloatsAttribute(OnnxNodeProto node, string name, bool required)
    {
        OnnxAttributeProto? attribute = Attribute(node, name);
        if (attribute is null)
        {
            return required ? throw Error(node.Offset, $"{node.Label} has no attribute '{name}'.") : [];
        }

        return AttributeFloats(node, attribute);
    }

    /// <summary>An attribute's floats (their count was taken from the file, 4 bytes each), all finite.</summary>
    private float[] AttributeFloats(OnnxNodeProto node, OnnxAttributeProto attribute)
    {
        Spend(attribute.FloatCount, node);
        float[] values = Repeated.Floats(_bytes, attribute.Message, 7, attribute.FloatCount, _name, "AttributeProto");
        for (int i = 0; i < values.Length; i++)
        {
            if (float.IsNaN(values[i]) || float.IsInfinity(values[i]))
            {
                throw Error(attribute.Message.Start, FormattableString.Invariant($"{node.Label}'s attribute '{OnnxText.Quote(attribute.Name)}' holds {values[i]} at element {i}; weights must be finite."));
            }
        }

        return values;
    }

    /// <summary>An attribute's integers, refused if more than <paramref name="max"/> (a varint can be 1 byte; a long is 8).</summary>
    private long[] AttributeInts(OnnxNodeProto node, OnnxAttributeProto attribute, int max) =>
        attribute.IntCount <= max
            ? Repeated.Integers(_bytes, attribute.Message, 8, attribute.IntCount, _name, "AttributeProto")
            : throw Error(attribute.Message.Start, FormattableString.Invariant($"{node.Label}'s attribute '{OnnxText.Quote(attribute.Name)}' has {attribute.IntCount} integers; at most {max} make sense here."));

    /// <summary>Input <paramref name="index"/> of <paramref name="node"/>, which must be a constant.</summary>
    private Constant ConstantInput(OnnxNodeProto node, int index)
    {
        string value = index < node.Inputs.Count ? node.Inputs[index] : string.Empty;
        return _constants.TryGetValue(value, out Constant? constant)
            ? constant
            : throw Error(node.Offset, FormattableString.Invariant($"{node.Label}'s input {index} ('{OnnxText.Quote(value)}') is not an initializer or a Constant."));
    }

    /// <summary>A constant's floats, a fresh array each time (layers scale and add to theirs), within the decoding budget.</summary>
    private float[] Floats(Constant constant, OnnxNodeProto node)
    {
        RefuseDequantized(constant, node);
        long count = constant.Tensor is { } counted ? OnnxTensors.ElementCount(counted, _name, constant.Origin) : constant.Floats?.Length ?? 0;
        Spend(count, node);
        if (constant.Tensor is { } tensor)
        {
            return OnnxTensors.Floats(_bytes, tensor, _name, $"{constant.Origin} (used by {node.Label})");
        }

        return (float[]?)constant.Floats?.Clone() ?? throw Error(constant.Offset, $"{constant.Origin} (used by {node.Label}) holds integers; expected floats.");
    }

    /// <summary>Refuses int8 values dequantized by a DequantizeLinear anywhere but as a layer's weights.</summary>
    private void RefuseDequantized(Constant constant, OnnxNodeProto node)
    {
        if (constant.Dequantized is not null)
        {
            throw Error(node.Offset, $"{node.Label} takes {constant.Origin}; Native reads a DequantizeLinear over initializers only as a quantized layer's weights (input B of Gemm or MatMul).");
        }
    }

    /// <summary>
    /// Counts <paramref name="floats"/> more decoded values against the file's size: each weight is read once, so
    /// a file whose nodes reuse one large tensor many times (tied weights down a long chain) cannot make the
    /// reader allocate many times what the file holds.
    /// </summary>
    private void Spend(long floats, OnnxNodeProto node)
    {
        _decoded += floats;
        if (4 * _decoded > (2L * _bytes.Length) + (64 * 1024))
        {
            throw Error(node.Offset, FormattableString.Invariant($"{node.Label} reads weights that bring the floats decoded to {_decoded:N0}, more than twice what a file of {_bytes.Length:N0} bytes holds: the graph uses its tensors again and again (tied weights), which the four model kinds do not."));
        }
    }

    private long[] Integers(Constant constant, int max, OnnxNodeProto node)
    {
        RefuseDequantized(constant, node);
        if (constant.Tensor is { } tensor)
        {
            return OnnxTensors.Integers(_bytes, tensor, max, _name, $"{constant.Origin} (used by {node.Label})");
        }

        return constant.Integers ?? throw Error(constant.Offset, $"{constant.Origin} (used by {node.Label}) holds floats; expected integers.");
    }

    /// <summary>What has been read of the chain so far: the standardizer's steps, the layers, the head.</summary>
    private sealed class ChainState
    {
        public List<Affine> Standardizer { get; } = [];

        public List<Layer> Layers { get; } = [];

        public Head Head { get; private set; }

        public OnnxNodeProto? HeadNode { get; private set; }

        /// <summary>The chain step of the head, or of the last layer's Sigmoid.</summary>
        public int HeadStep { get; private set; } = -1;

        /// <summary>A LinearClassifier or LinearRegressor: a whole model, after which nothing but identities may come.</summary>
        public OnnxNodeProto? Fixed { get; set; }

        public string[]? ClassLabels { get; set; }

        /// <summary>The quantization of the next layer's input, read so far (Clip, QuantizeLinear, DequantizeLinear); null between layers.</summary>
        public InputQuantization? Pending { get; set; }

        /// <summary>Whether an Add now adds to the last layer's biases: right after its product, before any activation.</summary>
        public bool CanAddBias => Layers.Count > 0 && Layers[Layers.Count - 1].Activation is null && HeadNode is null && Fixed is null;

        public void Add(OnnxNodeProto node, Func<long, string, FileFormatException> error, Layer layer, int step)
        {
            Check(node, error);
            if (Layers.Count > 0)
            {
                Layer previous = Layers[Layers.Count - 1];
                if (previous.Activation is null)
                {
                    throw error(node.Offset, $"{node.Label} follows {previous.Node.Label} with no activation between them; every hidden layer of a perceptron has one (Relu, LeakyRelu, Sigmoid or Tanh).");
                }

                if (previous.Outputs != layer.Inputs)
                {
                    throw error(node.Offset, FormattableString.Invariant($"{node.Label} takes {layer.Inputs} inputs, but {previous.Node.Label} gives {previous.Outputs}."));
                }
            }

            layer.Step = step;
            Layers.Add(layer);
        }

        /// <summary>Refuses <paramref name="node"/> where a layer cannot start: after the head or a whole model, or right after a layer with no activation.</summary>
        public void CheckLayerStart(OnnxNodeProto node, Func<long, string, FileFormatException> error)
        {
            Check(node, error);
            if (Layers.Count > 0 && Layers[Layers.Count - 1].Activation is null)
            {
                Layer previous = Layers[Layers.Count - 1];
                throw error(node.Offset, $"{node.Label} follows {previous.Node.Label} with no activation between them; a quantized layer's input quantization (Clip, QuantizeLinear, DequantizeLinear) starts where a layer may start.");
            }
        }

        public void Activate(OnnxNodeProto node, Func<long, string, FileFormatException> error, Activation activation, int step)
        {
            Check(node, error);
            if (Layers.Count == 0)
            {
                throw error(node.Offset, $"{node.Label} comes before the first dense layer; an activation follows a layer.");
            }

            Layer last = Layers[Layers.Count - 1];
            if (last.Activation is not null)
            {
                throw error(node.Offset, $"{node.Label} follows {last.ActivationNode!.Label}: two activations in a row, which no layer of the four model kinds has.");
            }

            last.Activation = activation;
            last.ActivationNode = node;
            HeadStep = activation == Activation.Sigmoid ? step : HeadStep;
        }

        public void SetHead(OnnxNodeProto node, Func<long, string, FileFormatException> error, Head head, int step)
        {
            if (node != Fixed)
            {
                Check(node, error);
            }

            if (Layers.Count == 0 || Layers[Layers.Count - 1].Activation is not null)
            {
                throw error(node.Offset, Layers.Count == 0
                    ? $"{node.Label} comes before the first dense layer; the output head follows the last layer."
                    : $"{node.Label} follows {Layers[Layers.Count - 1].ActivationNode!.Label}; the output head follows the last layer's product directly.");
            }

            (Head, HeadNode, HeadStep) = (head, node, step);
        }

        private void Check(OnnxNodeProto node, Func<long, string, FileFormatException> error)
        {
            if (Fixed is not null)
            {
                throw error(node.Offset, $"{node.Label} comes after {Fixed.Label}, which is a whole model; only Identity may follow it.");
            }

            if (HeadNode is not null)
            {
                throw error(node.Offset, $"{node.Label} comes after the output head {HeadNode.Label}; the head ends the model.");
            }
        }
    }

    /// <summary>A <c>Constant</c> node's value: its <c>value</c> tensor, or one of the opset-12 shorthand attributes.</summary>
    private Constant ConstantNode(OnnxNodeProto node)
    {
        if (node.Attributes.Count != 1)
        {
            throw Error(node.Offset, FormattableString.Invariant($"{node.Label} has {node.Attributes.Count} attributes; a Constant has exactly one (value, value_float, value_floats, value_int or value_ints)."));
        }

        OnnxAttributeProto attribute = node.Attributes[0];
        string origin = node.Label;
        return attribute.Name switch
        {
            "value" when attribute.Tensor is not null => new Constant(attribute.Tensor, origin),
            "value_float" => new Constant([attribute.Float], [], origin, node.Offset),
            "value_floats" => new Constant(AttributeFloats(node, attribute), [attribute.FloatCount], origin, node.Offset),
            "value_int" => new Constant([attribute.Int], [], origin, node.Offset),
            "value_ints" => new Constant(AttributeInts(node, attribute, OnnxProtoParser.MaxRank * 4), [attribute.IntCount], origin, node.Offset),
            _ => throw Error(node.Offset, $"{node.Label} has the attribute '{OnnxText.Quote(attribute.Name)}'; this reader reads constants given as value (a tensor), value_float(s) or value_int(s)."),
        };
    }
}
