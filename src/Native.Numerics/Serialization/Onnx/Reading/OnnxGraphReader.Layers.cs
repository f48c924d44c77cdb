using System;
using System.Collections.Generic;

namespace Native.Numerics.Serialization.Onnx;

/// <summary>The chain's operators, one by one: input preparation, the standardizer, dense layers, activations and the head.</summary>
internal sealed partial class OnnxGraphReader
{
    private const string Supported =
        "the operators read are Gemm, MatMul, Add, BatchNormalization (inference mode, right after a layer's product or at the input), Relu, LeakyRelu, Sigmoid, Tanh, Softmax, LogSoftmax, Flatten, Reshape, Identity, Dropout, Cast, before the first layer Sub, Add, Mul, Div (a standardizer), and before each layer of an int8 model Clip, QuantizeLinear, DequantizeLinear; from ai.onnx.ml, LinearClassifier, LinearRegressor and Scaler";

    /// <summary>What the output of the last dense layer goes through.</summary>
    private enum Head
    {
        None,
        Sigmoid,
        Softmax,
        LogSoftmax,
    }

    /// <summary>Reads the chain into layers, and builds the description.</summary>
    private ModelDescription Build(OnnxValueInfoProto input, List<Step> chain, List<LabelStart> labels)
    {
        long inputFeatures = InputFeatures(input);
        bool reshaped = input.Dimensions is null || input.Dimensions.Count == 2;
        var state = new ChainState();
        for (int index = 0; index < chain.Count; index++)
        {
            Step step = chain[index];
            OnnxNodeProto node = step.Node;
            if (!IsDefaultDomain(node) && node.Domain != MlDomain)
            {
                throw Error(node.Offset, $"{node.Label} is an operator of the domain '{OnnxText.Quote(node.Domain)}', which this reader does not know; {Supported}.");
            }

            if (state.Pending is { } pending && (!IsDefaultDomain(node) || !pending.Continues(node)))
            {
                throw Error(node.Offset, $"{node.Label} comes between {pending.Last.Label} and the layer whose input it quantizes; expected {pending.Expected} next ({QuantizedForm}).");
            }

            bool ml = node.Domain == MlDomain;
            switch (ml ? "ml." + node.OpType : node.OpType)
            {
                case "Identity":
                    break;
                case "Dropout":
                    CheckDropout(node);
                    break;
                case "Cast":
                    if (Int(node, "to", 0) != OnnxTensors.Float)
                    {
                        throw Error(node.Offset, $"{node.Label} casts to {OnnxTensors.TypeName((int)Int(node, "to", 0))}; Native's models compute in FLOAT.");
                    }

                    break;
                case "Flatten":
                case "Reshape":
                    if (state.Layers.Count > 0)
                    {
                        throw Error(node.Offset, $"{node.Label} comes after the first dense layer; Native reads a {node.OpType} only at the input, to make rows of features.");
                    }

                    inputFeatures = node.OpType == "Flatten" ? Flatten(node, input, inputFeatures) : Reshape(node, step, inputFeatures);
                    reshaped = true;
                    break;
                case "Sub":
                case "Add":
                case "Mul":
                case "Div":
                    Elementwise(node, step, state);
                    break;
                case "ml.Scaler":
                    if (state.Layers.Count > 0)
                    {
                        throw Error(node.Offset, $"{node.Label} comes after the first dense layer; a Scaler is read only as the standardizer at the input.");
                    }

                    state.Standardizer.Add(new Affine("Sub", FloatsAttribute(node, "offset", required: true), node));
                    state.Standardizer.Add(new Affine("Mul", FloatsAttribute(node, "scale", required: true), node));
                    break;
                case "Gemm":
                case "MatMul":
                    Layer layer = node.OpType == "Gemm" ? Gemm(node, step) : MatMul(node, step);
                    AttachInput(node, layer, state);
                    state.Add(node, Error, layer, index);
                    break;
                case "Clip":
                    Clip(node, step, state);
                    break;
                case "QuantizeLinear":
                    QuantizeInput(node, step, state);
                    break;
                case "DequantizeLinear":
                    DequantizeInput(node, step, state, node.Inputs[step.Input]);
                    break;
                case "DynamicQuantizeLinear":
                    throw Error(node.Offset, $"{node.Label} quantizes each batch by its own range (dynamic scales), which this reader does not read; {QuantizedForm} (a model quantized with per-row scales is saved as an int8 safetensors file).");
                case "MatMulInteger":
                case "QLinearMatMul":
                case "ConvInteger":
                case "QLinearConv":
                    throw Error(node.Offset, $"{node.Label} is an integer operator, which this reader does not read; {QuantizedForm}.");
                case "BatchNormalization":
                    BatchNormalization(node, step, state, reshaped);
                    break;
                case "ml.LinearRegressor":
                case "ml.LinearClassifier":
                    LinearModel(node, state, index);
                    break;
                case "Relu":
                case "LeakyRelu":
                case "Sigmoid":
                case "Tanh":
                    state.Activate(node, Error, ActivationOf(node), index);
                    break;
                case "Softmax":
                case "LogSoftmax":
                    long axis = Int(node, "axis", _opset >= 13 ? -1 : 1);
                    if (axis is not (1 or -1))
                    {
                        throw Error(node.Offset, FormattableString.Invariant($"{node.Label} has axis {axis}; over rows of [batch, classes] only axis 1 (or -1) is a softmax over the classes."));
                    }

                    state.SetHead(node, Error, node.OpType == "Softmax" ? Head.Softmax : Head.LogSoftmax, index);
                    break;
                default:
                    throw Error(node.Offset, $"{node.Label}: the op type '{OnnxText.Quote(node.OpType)}' is not supported — Native's models are dense layers, and {Supported}.");
            }
        }

        if (state.Pending is { } unfinished)
        {
            throw Error(unfinished.Last.Offset, $"{unfinished.Last.Label} quantizes a value no dense layer takes; {QuantizedForm}.");
        }

        if (state.Layers.Count == 0)
        {
            throw Error(chain.Count > 0 ? chain[chain.Count - 1].Node.Offset : 0, "the graph has no dense layer (Gemm, MatMul, LinearClassifier or LinearRegressor) between its input and its output.");
        }

        CheckOnePrecision(state.Layers);

        if (!reshaped)
        {
            throw Error(input.Offset, $"the graph input '{OnnxText.Quote(input.Name)}' has shape {OnnxTensors.Shape(input.Dimensions!)}, but no Flatten or Reshape makes rows of features of it before the first layer.");
        }

        int features = state.Layers[0].Inputs;
        if (inputFeatures > 0 && inputFeatures != features)
        {
            throw Error(input.Offset, FormattableString.Invariant($"the graph input '{OnnxText.Quote(input.Name)}' has {inputFeatures} features per row, but the first layer ({state.Layers[0].Node.Label}) takes {features}."));
        }

        return Describe(state, features, labels);
    }

    /// <summary>The features per row the input's declared shape gives, or 0 if the shape does not say (or names a dimension instead of sizing it).</summary>
    private static long InputFeatures(OnnxValueInfoProto input)
    {
        if (input.Dimensions is null)
        {
            return 0;
        }

        long features = 1;
        for (int i = 1; i < input.Dimensions.Count; i++)
        {
            if (input.Dimensions[i] < 0)
            {
                return 0;
            }

            features = features <= int.MaxValue / input.Dimensions[i] ? features * input.Dimensions[i] : int.MaxValue;
        }

        return features;
    }

    private long Flatten(OnnxNodeProto node, OnnxValueInfoProto input, long features)
    {
        long axis = Int(node, "axis", 1);
        int rank = input.Dimensions?.Count ?? 2;
        if (axis != 1 && axis != 1 - rank)
        {
            throw Error(node.Offset, FormattableString.Invariant($"{node.Label} has axis {axis}; only axis 1 keeps the batch and flattens each row into features."));
        }

        return features;
    }

    private long Reshape(OnnxNodeProto node, Step step, long features)
    {
        if (step.Input != 0 || node.Inputs.Count < 2)
        {
            throw Error(node.Offset, $"{node.Label} must reshape the input (its data, input 0) to a constant shape (input 1).");
        }

        long[] shape = Integers(ConstantInput(node, 1), OnnxProtoParser.MaxRank, node);
        bool zeroIsZero = Int(node, "allowzero", 0) == 1;
        long batch = shape.Length == 2 ? shape[0] : long.MinValue, width = shape.Length == 2 ? shape[1] : long.MinValue;
        bool keepsBatch = batch == -1 || (batch == 0 && !zeroIsZero);
        bool rows = keepsBatch && (width == -1 ? batch == 0 : width >= 1) && !(batch == -1 && width == -1);
        if (!rows)
        {
            throw Error(node.Offset, $"{node.Label} reshapes to {OnnxTensors.Shape(shape)}; Native reads a Reshape to rows of features: [-1, features], [0, -1] or [0, features].");
        }

        if (width >= 1 && features > 0 && width != features)
        {
            throw Error(node.Offset, FormattableString.Invariant($"{node.Label} reshapes rows of {features} values to rows of {width}; reshaping may only flatten each row."));
        }

        return width >= 1 ? width : features;
    }

    /// <summary>Sub, Add, Mul or Div: a standardizer step before the first layer, or a bias added to a layer's output.</summary>
    private void Elementwise(OnnxNodeProto node, Step step, ChainState state)
    {
        if (node.Inputs.Count != 2)
        {
            throw Error(node.Offset, FormattableString.Invariant($"{node.Label} has {node.Inputs.Count} inputs; expected 2."));
        }

        Constant constant = ConstantInput(node, 1 - step.Input);
        if (node.OpType is "Sub" or "Div" && step.Input != 0)
        {
            throw Error(node.Offset, $"{node.Label} computes {constant.Origin} {(node.OpType == "Sub" ? "−" : "÷")} x; only x {(node.OpType == "Sub" ? "−" : "÷")} a constant is a standardizer step.");
        }

        float[] values = Floats(constant, node);
        if (state.Layers.Count == 0)
        {
            CheckBroadcast(node, constant, "features");
            state.Standardizer.Add(new Affine(node.OpType, values, node));
        }
        else if (node.OpType == "Add" && state.CanAddBias)
        {
            Layer layer = state.Layers[state.Layers.Count - 1];
            CheckBroadcast(node, constant, "outputs");
            CheckLength(node, constant, values.Length, layer.Outputs, "outputs of the layer before");
            for (int i = 0; i < layer.Outputs; i++)
            {
                layer.Biases[i] += values[values.Length == 1 ? 0 : i];
            }
        }
        else
        {
            throw Error(node.Offset, $"{node.Label} comes after the first dense layer{(node.OpType == "Add" ? ", but not right after a layer's product" : string.Empty)}; there, only a bias (Add), an activation and the output head are read.");
        }
    }

    /// <summary>Refuses a constant that is not a scalar, a vector, or a [1, n] row: one that would broadcast over the batch differently.</summary>
    private void CheckBroadcast(OnnxNodeProto node, Constant constant, string what)
    {
        List<long> dims = constant.Dimensions;
        bool row = dims.Count <= 1 || (dims.Count == 2 && dims[0] == 1);
        if (!row)
        {
            throw Error(constant.Offset, $"{node.Label} takes {constant.Origin} of shape {OnnxTensors.Shape(dims)}; expected a scalar, [{what}] or [1, {what}].");
        }
    }

    private void CheckLength(OnnxNodeProto node, Constant constant, int length, int expected, string what)
    {
        if (length != 1 && length != expected)
        {
            throw Error(constant.Offset, FormattableString.Invariant($"{node.Label} takes {constant.Origin} of {length} values, but there are {expected} {what}."));
        }
    }

    private Layer Gemm(OnnxNodeProto node, Step step)
    {
        if (step.Input != 0 || Int(node, "transA", 0) != 0)
        {
            throw Error(node.Offset, $"{node.Label} does not multiply the rows (input A, not transposed) by constant weights (input B); that is not a dense layer over rows.");
        }

        if (node.Inputs.Count < 2 || node.Inputs[1].Length == 0)
        {
            throw Error(node.Offset, $"{node.Label} has no weights (input B).");
        }

        Constant b = ConstantInput(node, 1);
        bool transposed = Int(node, "transB", 0) != 0;
        Layer layer = b.Dequantized is null ? Weights(node, b, transposed) : QuantizedWeights(node, b, transposed);
        float alpha = Float(node, "alpha", 1f), beta = Float(node, "beta", 1f);
        if (alpha != 1f && layer.Bytes is not null)
        {
            throw Error(node.Offset, FormattableString.Invariant($"{node.Label} has alpha {alpha} over int8 weights; a quantized layer's weights are their bytes times their rows' scales, with alpha 1."));
        }

        if (alpha != 1f)
        {
            Scale(node, layer.Weights, alpha, "alpha");
        }

        if (node.Inputs.Count > 2 && node.Inputs[2].Length > 0)
        {
            Constant c = ConstantInput(node, 2);
            float[] bias = Floats(c, node);
            CheckBroadcast(node, c, "outputs");
            CheckLength(node, c, bias.Length, layer.Outputs, "outputs");
            for (int i = 0; i < layer.Outputs; i++)
            {
                layer.Biases[i] = bias[bias.Length == 1 ? 0 : i];
            }

            if (beta != 1f)
            {
                Scale(node, layer.Biases, beta, "beta");
            }
        }

        return layer;
    }

    private Layer MatMul(OnnxNodeProto node, Step step)
    {
        if (step.Input != 0 || node.Inputs.Count != 2)
        {
            throw Error(node.Offset, $"{node.Label} does not multiply the rows (input A) by constant weights (input B); that is not a dense layer over rows.");
        }

        Constant b = ConstantInput(node, 1);
        return b.Dequantized is null ? Weights(node, b, transposed: false) : QuantizedWeights(node, b, transposed: false);
    }

    /// <summary>A layer's weights from a rank-2 constant: [outputs, inputs] when <paramref name="transposed"/>, else [inputs, outputs], stored as outputs × inputs.</summary>
    private Layer Weights(OnnxNodeProto node, Constant b, bool transposed)
    {
        List<long> dims = b.Dimensions;
        if (dims.Count != 2 || dims[0] < 1 || dims[1] < 1)
        {
            throw Error(b.Offset, $"{node.Label} takes the weights {b.Origin} of shape {OnnxTensors.Shape(dims)}; a dense layer's weights are a matrix of positive sizes.");
        }

        float[] values = Floats(b, node);
        int outputs = (int)(transposed ? dims[0] : dims[1]), inputs = (int)(transposed ? dims[1] : dims[0]);
        float[] weights = values;
        if (!transposed)
        {
            // [inputs, outputs] (MatMul's B, or PyTorch's weight transposed) → outputs × inputs, row-major.
            weights = new float[values.Length];
            for (int i = 0; i < inputs; i++)
            {
                for (int o = 0; o < outputs; o++)
                {
                    weights[(o * inputs) + i] = values[(i * outputs) + o];
                }
            }
        }

        return new Layer(node, inputs, outputs, weights, new float[outputs]);
    }

    private void Scale(OnnxNodeProto node, float[] values, float factor, string attribute)
    {
        for (int i = 0; i < values.Length; i++)
        {
            values[i] *= factor;
            if (float.IsNaN(values[i]) || float.IsInfinity(values[i]))
            {
                throw Error(node.Offset, FormattableString.Invariant($"{node.Label}'s {attribute} of {factor} makes element {i} of its {(attribute == "alpha" ? "weights" : "bias")} {values[i]}; weights must be finite."));
            }
        }
    }

    private static Activation ActivationOf(OnnxNodeProto node) => node.OpType switch
    {
        "Relu" => Activation.Relu,
        "LeakyRelu" => Activation.LeakyRelu,
        "Sigmoid" => Activation.Sigmoid,
        _ => Activation.Tanh,
    };
}
