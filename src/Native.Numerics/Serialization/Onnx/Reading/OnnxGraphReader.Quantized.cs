using System;
using System.Collections.Generic;

namespace Native.Numerics.Serialization.Onnx;

/// <summary>
/// Quantized (int8) layers in the QDQ form Native writes (<c>OnnxExport.QuantizedLayer</c>), read back into the integers
/// they hold. Before each dense layer: <c>Clip</c> of its input to [−z·s, (127 − z)·s], <c>QuantizeLinear</c> and
/// <c>DequantizeLinear</c> with one scale s and UINT8 zero point z; the layer's weights INT8 through a
/// <c>DequantizeLinear</c> over initializers, one scale per output row and zero points of 0; then <c>Gemm</c> or
/// <c>MatMul</c>. Every value is checked where it is read, and any other arrangement — a dynamic or per-input scale, an
/// unsigned or asymmetric weight, a float layer beside int8 ones — is refused naming the node, what was expected and
/// what was found.
/// </summary>
internal sealed partial class OnnxGraphReader
{
    /// <summary>The greatest weight magnitude of an int8 layer (the library's <c>QuantizedRange.MaximumWeight</c>; a test holds them equal).</summary>
    internal const int MaximumWeight = 127;

    /// <summary>The greatest input level of an int8 layer: 7 bits (the library's <c>QuantizedRange.MaximumActivation</c>).</summary>
    internal const int MaximumLevel = 127;

    /// <summary>The widest int8 layer, whose 32-bit sums cannot overflow (the library's <c>QuantizedRange.MaximumInputs</c>).</summary>
    internal const int MaximumInputs = int.MaxValue / (MaximumWeight * MaximumLevel);

    private const string QuantizedForm =
        "a quantized layer is Clip to [−z·s, (127 − z)·s] → QuantizeLinear → DequantizeLinear (one scale s, a UINT8 zero point z from 0 to 127) on its input, and INT8 weights through DequantizeLinear with one scale per output row and zero points of 0, into Gemm or MatMul";

    /// <summary>A <c>DequantizeLinear</c> whose inputs are all constants, as a constant; null if one is not.</summary>
    private Constant? DequantizedConstant(OnnxNodeProto node)
    {
        if (node.Inputs.Count is < 2 or > 3 || !_constants.TryGetValue(node.Inputs[0], out Constant? data) || !_constants.TryGetValue(node.Inputs[1], out Constant? scale))
        {
            return null;
        }

        Constant? zeroPoint = null;
        if (node.Inputs.Count == 3 && node.Inputs[2].Length > 0 && !_constants.TryGetValue(node.Inputs[2], out zeroPoint))
        {
            return null;
        }

        return new Constant(new Dequantization(node, data, scale, zeroPoint), $"{data.Origin} (through {node.Label})");
    }

    /// <summary><c>Clip</c>: the first step of a quantized layer's input, where a layer may start.</summary>
    private void Clip(OnnxNodeProto node, Step step, ChainState state)
    {
        state.CheckLayerStart(node, Error);
        if (step.Input != 0)
        {
            throw Error(node.Offset, $"{node.Label} clips a constant, not the rows (its input 0); {QuantizedForm}.");
        }

        float low, high;
        if (_opset >= 11)
        {
            // The bounds are inputs from opset 11 on; Native writes both.
            if (node.Inputs.Count != 3 || node.Inputs[1].Length == 0 || node.Inputs[2].Length == 0)
            {
                throw Error(node.Offset, FormattableString.Invariant($"{node.Label} does not give both bounds (inputs 1 and 2: min and max); {QuantizedForm}."));
            }

            low = Scalar(node, 1, "min");
            high = Scalar(node, 2, "max");
        }
        else
        {
            if (Attribute(node, "min") is null || Attribute(node, "max") is null)
            {
                throw Error(node.Offset, $"{node.Label} does not give both bounds (the attributes min and max); {QuantizedForm}.");
            }

            low = Float(node, "min", 0f);
            high = Float(node, "max", 0f);
        }

        state.Pending = new InputQuantization(node, low, high);
    }

    /// <summary><c>QuantizeLinear</c> after the Clip: the input's scale and zero point, which the Clip's bounds must match.</summary>
    private void QuantizeInput(OnnxNodeProto node, Step step, ChainState state)
    {
        InputQuantization pending = state.Pending ?? throw Error(node.Offset, $"{node.Label} has no Clip before it, so its levels would run to 255 where Native's int8 layers take 7 bits (0 to 127); {QuantizedForm}.");
        CheckQuantizationNode(node, step, "QuantizeLinear", OnnxTensors.Uint8);
        (float scale, int zero) = ScaleAndZeroPoint(node);
        if (!(scale > 0f) || float.IsInfinity(1f / scale))
        {
            throw Error(ConstantInput(node, 1).Offset, FormattableString.Invariant($"{node.Label}'s scale is {scale}; an input scale is positive, with a finite inverse (above 2.9E-39)."));
        }

        if (zero > MaximumLevel)
        {
            throw Error(ConstantInput(node, 2).Offset, FormattableString.Invariant($"{node.Label}'s zero point is {zero}; Native's int8 layers take input levels 0 to {MaximumLevel}, so the zero point runs from 0 to {MaximumLevel}."));
        }

        // The bounds exactly as Native writes them, in float, so that no level beyond 0 to 127 can reach the layer.
        float low = -zero * scale, high = (MaximumLevel - zero) * scale;
        if (pending.Low != low || pending.High != high)
        {
            throw Error(pending.Clip.Offset, FormattableString.Invariant($"{pending.Clip.Label} clips to [{pending.Low:R}, {pending.High:R}]; for the scale {scale:R} and zero point {zero} of {node.Label}, Native's 7-bit input levels need [−z·s, (127 − z)·s] = [{low:R}, {high:R}]."));
        }

        pending.Quantize = node;
        pending.Scale = scale;
        pending.ZeroPoint = zero;
        pending.Stage = InputStage.Quantized;
    }

    /// <summary><c>DequantizeLinear</c> in the chain: right after the QuantizeLinear, with its scale and zero point.</summary>
    private void DequantizeInput(OnnxNodeProto node, Step step, ChainState state, string value)
    {
        if (state.Pending is not { Stage: InputStage.Quantized } pending)
        {
            string source = _producers.TryGetValue(value, out OnnxNodeProto? producer) ? producer.Label : "the graph input";
            throw Error(node.Offset, $"{node.Label} takes '{OnnxText.Quote(value)}', a float value from {source}; in the chain a DequantizeLinear reads only the UINT8 output of a QuantizeLinear ({QuantizedForm}).");
        }

        CheckQuantizationNode(node, step, "DequantizeLinear", OnnxTensors.Float);
        (float scale, int zero) = ScaleAndZeroPoint(node);
        if (scale != pending.Scale || zero != pending.ZeroPoint)
        {
            throw Error(node.Offset, FormattableString.Invariant($"{node.Label} has scale {scale:R} and zero point {zero}, but {pending.Quantize!.Label} quantized with {pending.Scale:R} and {pending.ZeroPoint}; the input is dequantized as it was quantized."));
        }

        pending.Dequantize = node;
        pending.Stage = InputStage.Dequantized;
    }

    /// <summary>
    /// A quantized layer's weights, from the <c>DequantizeLinear</c> over constants <paramref name="b"/> is: INT8
    /// [outputs, inputs] (Gemm with transB = 1, scales along axis 0) or [inputs, outputs] (MatMul, or Gemm with transB = 0,
    /// along axis 1), one scale per output row (or one for all), zero points of 0; stored as outputs × inputs bytes, with
    /// the float weights they stand for.
    /// </summary>
    private Layer QuantizedWeights(OnnxNodeProto node, Constant b, bool transposed)
    {
        Dequantization dequantization = b.Dequantized!;
        OnnxNodeProto dequantize = dequantization.Node;
        CheckAttributes(dequantize, "axis", "block_size");
        if (Int(dequantize, "block_size", 0) != 0)
        {
            throw Error(dequantize.Offset, $"{dequantize.Label} dequantizes in blocks (block_size); {QuantizedForm}.");
        }

        Constant data = dequantization.Data;
        List<long> dims = data.Dimensions;
        if (dims.Count != 2 || dims[0] < 1 || dims[1] < 1)
        {
            throw Error(data.Offset, $"{node.Label} takes the weights {data.Origin} of shape {OnnxTensors.Shape(dims)}; a dense layer's weights are a matrix of positive sizes.");
        }

        int rows = (int)dims[0], columns = (int)dims[1];
        int outputs = transposed ? rows : columns, inputs = transposed ? columns : rows;
        if (inputs > MaximumInputs)
        {
            throw Error(data.Offset, FormattableString.Invariant($"{node.Label} takes int8 weights {OnnxTensors.Shape(dims)}, {inputs:N0} inputs; an int8 layer takes at most {MaximumInputs:N0}, beyond which its 32-bit sums could overflow."));
        }

        OnnxTensorProto tensor = data.Tensor ?? throw Error(data.Offset, $"{dequantize.Label} dequantizes {data.Origin}, a Constant's list of numbers; a quantized layer's weights are an INT8 tensor.");
        string what = $"{data.Origin} (used by {node.Label})";
        long count = OnnxTensors.ElementCount(tensor, _name, what);
        SpendBytes(count, node);
        sbyte[] stored = OnnxTensors.SignedBytes(_bytes, tensor, _name, what);
        for (int k = 0; k < stored.Length; k++)
        {
            if (stored[k] < -MaximumWeight)
            {
                throw Error(tensor.RawData?.Start + k ?? tensor.Message.Start, FormattableString.Invariant($"{what} holds -128 at element {k} (row {k / columns}, column {k % columns}); Native's int8 weights are symmetric, -{MaximumWeight} to {MaximumWeight}."));
            }
        }

        // One scale per output: along the weights' output axis, or one for the whole tensor.
        Constant scaleConstant = dequantization.Scale;
        float[] scale = Floats(scaleConstant, dequantize);
        long axis = Int(dequantize, "axis", 1);
        axis = axis < 0 ? axis + 2 : axis;
        long outputAxis = transposed ? 0 : 1;
        bool perTensor = scale.Length == 1 && scaleConstant.Dimensions.Count <= 1;
        if (!perTensor && (scaleConstant.Dimensions.Count != 1 || axis != outputAxis || scale.Length != outputs))
        {
            throw Error(scaleConstant.Offset, FormattableString.Invariant($"{dequantize.Label} has {scale.Length} scales of shape {OnnxTensors.Shape(scaleConstant.Dimensions)} along axis {axis} of weights {OnnxTensors.Shape(dims)}; Native's int8 layers have one scale per output row: {outputs} along axis {outputAxis} (or one for all)."));
        }

        if (!perTensor && _opset < 13)
        {
            throw Error(dequantize.Offset, FormattableString.Invariant($"{dequantize.Label} has a scale per output row, which DequantizeLinear takes from opset 13 on; the model imports opset {_opset}."));
        }

        if (dequantization.ZeroPoint is { } zeroConstant)
        {
            OnnxTensorProto zeroTensor = zeroConstant.Tensor ?? throw Error(zeroConstant.Offset, $"{dequantize.Label}'s zero point {zeroConstant.Origin} is a Constant's list of numbers; expected an INT8 tensor of zeros.");
            sbyte[] zeros = OnnxTensors.SignedBytes(_bytes, zeroTensor, _name, $"the zero point {zeroConstant.Origin} of {dequantize.Label}");
            if (zeros.Length != scale.Length)
            {
                throw Error(zeroConstant.Offset, FormattableString.Invariant($"{dequantize.Label} has {zeros.Length} zero points for {scale.Length} scales; one each."));
            }

            int nonzero = Array.FindIndex(zeros, z => z != 0);
            if (nonzero >= 0)
            {
                throw Error(zeroConstant.Offset, FormattableString.Invariant($"{dequantize.Label}'s zero point {nonzero} is {zeros[nonzero]}; Native's int8 weights are symmetric, with zero points of 0."));
            }
        }

        // outputs × inputs bytes, each row's scale checked against its bytes, and the floats they stand for.
        sbyte[] weights = stored;
        if (!transposed)
        {
            weights = new sbyte[stored.Length];
            for (int i = 0; i < inputs; i++)
            {
                for (int o = 0; o < outputs; o++)
                {
                    weights[(o * inputs) + i] = stored[(i * outputs) + o];
                }
            }
        }

        float[] scales = new float[outputs], values = new float[weights.Length];
        for (int o = 0; o < outputs; o++)
        {
            float s = scales[o] = scale[perTensor ? 0 : o];
            int wrong = -1;
            for (int i = 0; i < inputs && wrong < 0; i++)
            {
                float value = values[(o * inputs) + i] = weights[(o * inputs) + i] * s;
                wrong = (s == 0f && weights[(o * inputs) + i] != 0) || float.IsInfinity(value) ? i : -1;
            }

            if (s < 0f || wrong >= 0)
            {
                string problem = s < 0f
                    ? "a weight scale is 0 or more"
                    : s == 0f
                        ? FormattableString.Invariant($"a scale of 0 stands for a row of zeros, but weight {wrong} of row {o} is {weights[(o * inputs) + wrong]}")
                        : FormattableString.Invariant($"weight {wrong} of row {o} ({weights[(o * inputs) + wrong]} steps) would be {weights[(o * inputs) + wrong] * (double)s:G3}, beyond the float range (±3.4E+38)");
                throw Error(scaleConstant.Offset, FormattableString.Invariant($"{dequantize.Label}'s scale for output row {o} is {s:R}; {problem}."));
            }
        }

        return new Layer(node, inputs, outputs, values, new float[outputs]) { Bytes = weights, Scales = scales, Dequantize = dequantize };
    }

    /// <summary>Gives <paramref name="layer"/> the input quantization read before it, or refuses a float input to int8 weights and the reverse.</summary>
    private void AttachInput(OnnxNodeProto node, Layer layer, ChainState state)
    {
        InputQuantization? input = state.Pending;
        state.Pending = null;
        if (layer.Bytes is null)
        {
            if (input is not null)
            {
                throw Error(node.Offset, $"{node.Label} takes an input quantized by {input.Quantize!.Label}, but float weights; {QuantizedForm}.");
            }

            return;
        }

        if (input is null)
        {
            throw Error(node.Offset, $"{node.Label} takes int8 weights (through {layer.Dequantize!.Label}) but a float input (weight-only or per-row dynamic quantization, which this reader does not read); {QuantizedForm}.");
        }

        layer.Input = input;
    }

    /// <summary>
    /// The layers' integers, or null for a float model: every layer quantized or none; the first layer's input scale, through
    /// the standardizer's deviations, must leave a raw value's step finite. A perceptron with one sigmoid output becomes a
    /// softmax over [0, z], as its float weights do: a row of zeros, scale 0, before its row.
    /// </summary>
    private QuantizedLayerDescription[]? QuantizedLayers(List<Layer> layers, bool binaryPerceptron, float[]? deviations, float[][] biases)
    {
        if (layers[0].Bytes is null)
        {
            return null;
        }

        _quantizedAt = layers[0].Dequantize!.Offset;
        var quantized = new QuantizedLayerDescription[layers.Count];
        for (int l = 0; l < layers.Count; l++)
        {
            Layer layer = layers[l];
            InputQuantization input = layer.Input!;
            sbyte[] weights = layer.Bytes!;
            float[] scales = layer.Scales!;
            if (binaryPerceptron && l == layers.Count - 1)
            {
                weights = new sbyte[2 * layer.Inputs];
                Array.Copy(layer.Bytes!, 0, weights, layer.Inputs, layer.Inputs);
                scales = [0f, layer.Scales![0]];
            }

            if (l == 0 && deviations is not null)
            {
                for (int j = 0; j < deviations.Length; j++)
                {
                    if (float.IsInfinity(1f / (input.Scale * deviations[j])))
                    {
                        throw Error(input.Quantize!.Offset, FormattableString.Invariant($"{input.Quantize.Label}'s scale {input.Scale:R}, through the standardizer's deviation {deviations[j]:R} of feature {j}, makes a raw value's step infinite."));
                    }
                }
            }

            quantized[l] = new QuantizedLayerDescription(layer.Inputs, scales.Length, weights, scales, biases[l], input.Scale, input.ZeroPoint);
        }

        return quantized;
    }

    /// <summary>Refuses a layer whose precision differs from the first's: a quantized model's layers are all int8.</summary>
    private void CheckOnePrecision(List<Layer> layers)
    {
        for (int l = 1; l < layers.Count; l++)
        {
            if ((layers[l].Bytes is null) != (layers[0].Bytes is null))
            {
                Layer quantized = layers[l].Bytes is null ? layers[0] : layers[l], plain = layers[l].Bytes is null ? layers[l] : layers[0];
                throw Error(layers[l].Node.Offset, $"{plain.Node.Label} has float weights, but {quantized.Node.Label} int8 ones; a quantized model's layers are all int8 ({QuantizedForm}).");
            }
        }
    }
}
