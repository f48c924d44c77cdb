using System;

namespace Native.Numerics.Serialization.Onnx;

/// <summary>The operators that are the identity at inference, or fold into a layer: Dropout and BatchNormalization.</summary>
internal sealed partial class OnnxGraphReader
{
    private void CheckDropout(OnnxNodeProto node)
    {
        // Dropout is the identity at inference unless training_mode (input 2, opset 12 on) is true. The spec makes it a
        // BOOL scalar; an integer 0 or 1, which some writers give, is read the same way.
        if (node.Inputs.Count > 2 && node.Inputs[2].Length > 0)
        {
            Constant training = ConstantInput(node, 2);
            bool[] mode = training.Tensor is { DataType: OnnxTensors.Bool } flags
                ? OnnxTensors.Booleans(_bytes, flags, 1, _name, $"{training.Origin} (used by {node.Label})")
                : Array.ConvertAll(Integers(training, 1, node), value => value != 0);
            if (mode.Length != 1 || mode[0])
            {
                throw Error(node.Offset, mode.Length == 1
                    ? $"{node.Label} runs in training mode (training_mode is true), so it is random; Native reads inference graphs."
                    : $"{node.Label}'s training_mode ({training.Origin}) holds no value; expected one BOOL.");
            }
        }
    }

    /// <summary>
    /// An inference-mode BatchNormalization over each row's features, y = (x − mean) / √(variance + ε) · scale + bias:
    /// right after a layer's product (and bias), before its activation, it folds exactly into that layer — each output's
    /// weights times its factor s = scale / √(variance + ε), its bias (b − mean) · s + bias — and at the input, before
    /// the first layer, it is a standardizer step. After an activation it is refused: folding it into the layer before
    /// would move it to the other side of the activation, which changes what the network computes.
    /// </summary>
    private void BatchNormalization(OnnxNodeProto node, Step step, ChainState state, bool reshaped)
    {
        if (step.Input != 0 || node.Inputs.Count != 5)
        {
            throw Error(node.Offset, FormattableString.Invariant($"{node.Label} takes {node.Inputs.Count} inputs with the rows at {step.Input}; a BatchNormalization takes the rows (input 0), then constant scale, B, mean and var."));
        }

        if (Int(node, "training_mode", 0) != 0)
        {
            throw Error(node.Offset, $"{node.Label} runs in training mode (training_mode = 1): it normalizes by each batch's own statistics; Native reads inference graphs, which use the running mean and variance.");
        }

        if (state.Layers.Count == 0 && !reshaped)
        {
            throw Error(node.Offset, $"{node.Label} normalizes the channels of the input before a Flatten or Reshape makes rows of features of it; Native reads a BatchNormalization over features only.");
        }

        float epsilon = Float(node, "epsilon", 1e-5f);
        string[] names = ["scale", "B", "mean", "var"];
        float[][] values = new float[4][];
        for (int i = 0; i < 4; i++)
        {
            Constant constant = ConstantInput(node, i + 1);
            if (constant.Dimensions.Count != 1)
            {
                throw Error(constant.Offset, $"{node.Label} takes {constant.Origin} of shape {OnnxTensors.Shape(constant.Dimensions)} as its {names[i]}; expected a vector, one value per feature.");
            }

            values[i] = Floats(constant, node);
            if (values[i].Length != values[0].Length)
            {
                throw Error(constant.Offset, FormattableString.Invariant($"{node.Label}'s {names[i]} has {values[i].Length} values, but its scale has {values[0].Length}; all four have one per feature."));
            }
        }

        int width = values[0].Length;
        bool folded = state.CanAddBias;
        if (folded && width != state.Layers[state.Layers.Count - 1].Outputs)
        {
            throw Error(node.Offset, FormattableString.Invariant($"{node.Label} normalizes {width} values per row, but the layer before ({state.Layers[state.Layers.Count - 1].Node.Label}) gives {state.Layers[state.Layers.Count - 1].Outputs}."));
        }

        if (!folded && state.Layers.Count > 0)
        {
            Layer last = state.Layers[state.Layers.Count - 1];
            throw Error(node.Offset, $"{node.Label} comes after {(last.ActivationNode ?? state.HeadNode ?? state.Fixed ?? node).Label}; Native reads a BatchNormalization right after a layer's product (Gemm or MatMul, and its bias), where it folds into the layer's weights, or at the input as a standardizer.");
        }

        // The factor and shift of each value, in double: s = scale / √(var + ε), y = x·s + (bias − mean·s).
        double[] factors = new double[width];
        for (int o = 0; o < width; o++)
        {
            double variance = (double)values[3][o] + epsilon;
            factors[o] = values[0][o] / Math.Sqrt(variance);
            if (!(variance > 0) || double.IsNaN(factors[o]) || double.IsInfinity(factors[o]) || Math.Abs(factors[o]) > float.MaxValue)
            {
                throw Error(node.Offset, FormattableString.Invariant($"{node.Label} scales value {o} by {values[0][o]} / √({values[3][o]} + {epsilon}), which is not a finite number; the variance plus epsilon must be positive."));
            }
        }

        if (!folded)
        {
            // At the input: x − mean, times s, plus B — a standardizer step the others fold with.
            state.Standardizer.Add(new Affine("Sub", values[2], node));
            state.Standardizer.Add(new Affine("Mul", Array.ConvertAll(factors, factor => (float)factor), node));
            state.Standardizer.Add(new Affine("Add", values[1], node));
            return;
        }

        Layer layer = state.Layers[state.Layers.Count - 1];
        if (layer.Bytes is not null)
        {
            throw Error(node.Offset, $"{node.Label} follows {layer.Node.Label}, whose weights are int8: folded in, it would change the bytes and their scales; a quantized layer is read as it was written.");
        }

        for (int o = 0; o < width; o++)
        {
            double factor = factors[o];
            for (int k = 0; k < layer.Inputs; k++)
            {
                int at = (o * layer.Inputs) + k;
                layer.Weights[at] = Finite(node, (float)(layer.Weights[at] * factor), o, "weights");
            }

            layer.Biases[o] = Finite(node, (float)(((layer.Biases[o] - (double)values[2][o]) * factor) + values[1][o]), o, "bias");
        }
    }

    private float Finite(OnnxNodeProto node, float value, int output, string what) =>
        float.IsNaN(value) || float.IsInfinity(value)
            ? throw Error(node.Offset, FormattableString.Invariant($"{node.Label} folded into the layer before makes output {output}'s {what} {value}; weights must be finite."))
            : value;
}
