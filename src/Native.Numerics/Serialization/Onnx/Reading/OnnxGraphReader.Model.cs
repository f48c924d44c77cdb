using System;
using System.Collections.Generic;
using System.Globalization;

namespace Native.Numerics.Serialization.Onnx;

/// <summary>From the chain's layers to a model of one of the kinds, with its standardizer and class names.</summary>
internal sealed partial class OnnxGraphReader
{
    /// <summary>The slope ONNX's LeakyRelu takes when its alpha is not given, and Native's default.</summary>
    private const float DefaultSlope = 0.01f;

    /// <summary>The name skl2onnx gives every regressor's output: values without a head so named are a regression's.</summary>
    private const string RegressorOutput = "variable";

    private ModelDescription Describe(ChainState state, int features, List<LabelStart> labels)
    {
        List<Layer> layers = state.Layers;
        Layer last = layers[layers.Count - 1];
        Head head = state.Head;
        OnnxNodeProto? headNode = state.HeadNode;
        if (last.Activation is { } final)
        {
            if (final != Activation.Sigmoid)
            {
                throw Error(last.ActivationNode!.Offset, $"the last layer ({last.Node.Label}) ends in {last.ActivationNode!.Label}; a model's output is the layer's own (a regression, or a classifier's logits), a Sigmoid or a Softmax.");
            }

            (head, headNode) = (Head.Sigmoid, last.ActivationNode);
        }

        // The kind, from the number of layers, the outputs and the head. Values without a head are a regression's when there
        // is one (a classifier's single logit has a Sigmoid), when an ai.onnx.ml LinearRegressor computes them, when the graph
        // names them 'variable' with no label beside them (skl2onnx's name for every regressor's output: its MLPRegressor of
        // several targets), or when the file says so (native.kind, which Native writes for a regression of several outputs);
        // otherwise a classifier's logits.
        int outputs = last.Outputs;
        ModelKind kind;
        bool binaryPerceptron = false;
        string where = headNode?.Label ?? last.Node.Label;
        if (head is Head.Softmax or Head.LogSoftmax && outputs == 1)
        {
            throw Error(headNode!.Offset, $"{headNode.Label} is a softmax over 1 output, which is always {(head == Head.Softmax ? "1" : "0")}; a classifier has at least 2 outputs, or 1 with a Sigmoid.");
        }

        if (head == Head.Sigmoid && outputs > 1)
        {
            throw Error(headNode!.Offset, FormattableString.Invariant($"{headNode.Label} applies a sigmoid to each of {outputs} outputs: independent probabilities (multi-label), which none of the model kinds gives; a classifier's classes share a Softmax."));
        }

        (ModelKind? told, long toldOffset) = ToldKind();
        bool regression = head == Head.None
            && (outputs == 1 || (last.Node.OpType == "LinearRegressor" && last.Node.Domain == MlDomain) || (_end == RegressorOutput && labels.Count == 0)
                || told is ModelKind.LinearRegression or ModelKind.MultilayerPerceptronRegressor);
        if (layers.Count == 1)
        {
            kind = regression ? ModelKind.LinearRegression : head == Head.Sigmoid ? ModelKind.LogisticRegression : ModelKind.SoftmaxRegression;
        }
        else
        {
            kind = regression ? ModelKind.MultilayerPerceptronRegressor : ModelKind.MultilayerPerceptron;
            binaryPerceptron = outputs == 1 && head == Head.Sigmoid;
        }

        if (told is ModelKind stated && stated != kind)
        {
            throw Error(toldOffset, $"metadata_props says {ModelFileKeys.KindKey} is {ModelFileFormat.KindName(stated)}, but the graph is a {ModelFileFormat.KindName(kind)} (the last layer is {where}).");
        }

        // The hidden activations, and the one leaky ReLU slope they share.
        var activations = new Activation[layers.Count - 1];
        float? slope = null;
        for (int l = 0; l + 1 < layers.Count; l++)
        {
            activations[l] = layers[l].Activation!.Value;
            if (activations[l] == Activation.LeakyRelu)
            {
                OnnxNodeProto node = layers[l].ActivationNode!;
                float alpha = Float(node, "alpha", DefaultSlope);
                if (slope is float earlier && !alpha.Equals(earlier))
                {
                    throw Error(node.Offset, FormattableString.Invariant($"{node.Label} has alpha {alpha}, but an earlier LeakyRelu has {earlier}; Native's perceptron has one leaky ReLU slope for all its layers."));
                }

                if (float.IsNaN(alpha) || float.IsInfinity(alpha))
                {
                    throw Error(node.Offset, FormattableString.Invariant($"{node.Label} has alpha {alpha}; the slope must be finite."));
                }

                slope = alpha;
            }
        }

        // The layers as the model keeps them; a perceptron with one sigmoid output becomes a softmax over [0, z],
        // which is [1 − σ(z), σ(z)] exactly.
        int[] sizes = new int[layers.Count + 1];
        float[][] weights = new float[layers.Count][], biases = new float[layers.Count][];
        sizes[0] = features;
        for (int l = 0; l < layers.Count; l++)
        {
            sizes[l + 1] = layers[l].Outputs;
            weights[l] = layers[l].Weights;
            biases[l] = layers[l].Biases;
        }

        if (binaryPerceptron)
        {
            sizes[layers.Count] = 2;
            float[] w = new float[2 * last.Inputs];
            Array.Copy(last.Weights, 0, w, last.Inputs, last.Inputs);
            weights[layers.Count - 1] = w;
            biases[layers.Count - 1] = [0f, last.Biases[0]];
        }

        int classes = kind switch
        {
            ModelKind.LinearRegression or ModelKind.MultilayerPerceptronRegressor => 0,
            ModelKind.LogisticRegression => 2,
            _ => sizes[sizes.Length - 1],
        };
        string[] names = ClassNames(state, labels, head, classes);
        CheckOutputs();
        float[]? means = null, deviations = null;
        if (state.Standardizer.Count > 0)
        {
            (means, deviations) = Fold(state.Standardizer, features);
        }

        QuantizedLayerDescription[]? quantization = QuantizedLayers(layers, binaryPerceptron, deviations, biases);
        return new ModelDescription(
            kind,
            sizes,
            activations,
            kind is ModelKind.MultilayerPerceptron or ModelKind.MultilayerPerceptronRegressor ? slope ?? DefaultSlope : 0f,
            weights,
            biases,
            means,
            deviations,
            names,
            Properties(),
            (_model.ProducerName + " " + _model.ProducerVersion).Trim())
        {
            Quantization = quantization,
        };
    }

    /// <summary>
    /// The kind metadata_props states (<c>native.kind</c>, by its model file name), and where; null when it states none.
    /// Native writes it where the graph alone cannot tell a regression of several outputs from a classifier's logits.
    /// </summary>
    private (ModelKind? Kind, long Offset) ToldKind()
    {
        for (int i = 0; i < _model.Metadata.Count; i++)
        {
            if (_model.Metadata[i].Key == ModelFileKeys.KindKey)
            {
                string text = _model.Metadata[i].Value;
                return (ModelFileFormat.ParseKind(text) ?? throw Error(_model.MetadataOffsets[i], $"metadata_props has {ModelFileKeys.KindKey} '{OnnxText.Quote(text)}', which is not a model kind."), _model.MetadataOffsets[i]);
            }
        }

        return (null, 0);
    }

    /// <summary>The standardizer's means and deviations from its steps: y = (x − mean) / deviation per feature.</summary>
    private (float[] Means, float[] Deviations) Fold(List<Affine> steps, int features)
    {
        foreach (Affine step in steps)
        {
            if (step.Values.Length != 1 && step.Values.Length != features)
            {
                throw Error(step.Node.Offset, FormattableString.Invariant($"{step.Node.Label} applies {step.Values.Length} values to rows of {features} features; expected 1 or {features}."));
            }
        }

        float[] means = new float[features], deviations = new float[features];
        string ops = string.Join(" ", steps.ConvertAll(step => step.Op));
        for (int j = 0; j < features; j++)
        {
            float Value(Affine step) => step.Values[step.Values.Length == 1 ? 0 : j];
            if (ops is "Sub" or "Sub Div" or "Div")
            {
                // The standardizer's own form, (x − mean) / deviation: the values as they are, bit for bit.
                means[j] = ops == "Div" ? 0f : Value(steps[0]);
                deviations[j] = ops == "Sub" ? 1f : Value(steps[steps.Count - 1]);
            }
            else
            {
                // Any other sequence is y = a·x + b; then deviation = 1 / a and mean = −b / a.
                double a = 1, b = 0;
                foreach (Affine step in steps)
                {
                    double c = Value(step);
                    (a, b) = step.Op switch
                    {
                        "Sub" => (a, b - c),
                        "Add" => (a, b + c),
                        "Mul" => (a * c, b * c),
                        _ => (a / c, b / c),
                    };
                }

                deviations[j] = (float)(1 / a);
                means[j] = (float)(-b / a);
            }

            if (!(deviations[j] > 0f) || float.IsInfinity(deviations[j]) || float.IsNaN(means[j]) || float.IsInfinity(means[j]))
            {
                throw Error(steps[0].Node.Offset, FormattableString.Invariant($"the input steps ({string.Join(", ", steps.ConvertAll(step => step.Node.Label))}) make feature {j} (x − {means[j]}) / {deviations[j]}; a standardizer's means must be finite and its deviations positive and finite."));
            }

            if (float.IsInfinity(1f / deviations[j]))
            {
                // A divisor such as 1e-45: an input 1 from the mean would become 1e45, beyond the float range.
                Affine scaling = steps.FindLast(step => step.Op is "Div" or "Mul") ?? steps[0];
                throw Error(scaling.Node.Offset, FormattableString.Invariant($"{scaling.Node.Label} makes feature {j} (x − {means[j]}) / {deviations[j]}: an input 1 from its mean would standardize to {1.0 / deviations[j]:G3}, beyond the float range (±3.4E+38)."));
            }
        }

        return (means, deviations);
    }

    /// <summary>The metadata_props, refusing duplicate keys and the prefix the library reserves.</summary>
    private List<KeyValuePair<string, string>> Properties()
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < _model.Metadata.Count; i++)
        {
            string key = _model.Metadata[i].Key;
            if (!seen.Add(key))
            {
                throw Error(_model.MetadataOffsets[i], $"metadata_props has the key '{OnnxText.Quote(key)}' twice; keys are unique.");
            }

            // The library writes the feature and label column names, and a multi-output regression's kind, under its prefix
            // (read back by ModelFile); no other. With a pipeline, also its missing tokens, decimal comma and thousands separator (refused by
            // OnnxModelFile in a file without one).
            if (key.StartsWith("native.", StringComparison.Ordinal)
                && key is not (ModelFileKeys.FeatureNamesKey or ModelFileKeys.LabelNameKey or ModelFileKeys.LabelNamesKey or ModelFileKeys.KindKey or MissingTokensKey or DecimalCommaKey or ThousandsSeparatorKey))
            {
                throw Error(_model.MetadataOffsets[i], $"metadata_props has the key '{OnnxText.Quote(key)}', under the prefix 'native.' that the library reserves for itself.");
            }
        }

        return _model.Metadata;
    }
}
