using System;
using System.Collections.Generic;

namespace Native.Numerics.Serialization.Onnx;

// The QuantizeLinear and DequantizeLinear nodes of a quantized layer: their inputs, attributes, scale and zero point.
internal sealed partial class OnnxGraphReader
{
    /// <summary>A QuantizeLinear's or DequantizeLinear's inputs and attributes: the rows at input 0, a per-tensor form.</summary>
    private void CheckQuantizationNode(OnnxNodeProto node, Step step, string op, int outputType)
    {
        if (_opset < 10)
        {
            throw Error(node.Offset, FormattableString.Invariant($"{node.Label}: {op} is an operator of opset 10 on; the model imports opset {_opset}."));
        }

        if (step.Input != 0 || node.Inputs.Count is < 2 or > 3)
        {
            throw Error(node.Offset, $"{node.Label} does not take the rows (input 0), a scale (input 1) and a zero point (input 2); {QuantizedForm}.");
        }

        CheckAttributes(node, "axis", "block_size", "saturate", "output_dtype");
        if (Int(node, "block_size", 0) != 0)
        {
            throw Error(node.Offset, $"{node.Label} quantizes in blocks (block_size); {QuantizedForm}.");
        }

        long type = Int(node, "output_dtype", 0);
        if (type != 0 && type != outputType)
        {
            throw Error(node.Offset, $"{node.Label} has output_dtype {OnnxTensors.TypeName((int)type)}; expected {OnnxTensors.TypeName(outputType)} ({QuantizedForm}).");
        }
    }

    /// <summary>A QuantizeLinear's or DequantizeLinear's one scale (FLOAT) and UINT8 zero point (0 when it has none).</summary>
    private (float Scale, int ZeroPoint) ScaleAndZeroPoint(OnnxNodeProto node)
    {
        float scale = Scalar(node, 1, "scale");
        if (node.Inputs.Count < 3 || node.Inputs[2].Length == 0)
        {
            return (scale, 0);
        }

        Constant zero = ConstantInput(node, 2);
        OnnxTensorProto tensor = zero.Tensor ?? throw Error(zero.Offset, $"{node.Label}'s zero point {zero.Origin} is a Constant's list of numbers; expected a UINT8 tensor.");
        if (zero.Dimensions.Count > 1 || (zero.Dimensions.Count == 1 && zero.Dimensions[0] != 1))
        {
            throw Error(zero.Offset, $"{node.Label}'s zero point {zero.Origin} has shape {OnnxTensors.Shape(zero.Dimensions)}; a layer's input has one zero point (a scalar).");
        }

        if (tensor.DataType == OnnxTensors.Int8)
        {
            throw Error(zero.Offset, $"{node.Label}'s zero point {zero.Origin} is INT8, so its levels are signed; Native's int8 layers take unsigned input levels (UINT8, 0 to {MaximumLevel}).");
        }

        byte[] values = OnnxTensors.UnsignedBytes(_bytes, tensor, _name, $"the zero point {zero.Origin} of {node.Label}");
        return (scale, values[0]);
    }

    /// <summary>Input <paramref name="index"/> of <paramref name="node"/>: one float, a scalar or a [1] tensor.</summary>
    private float Scalar(OnnxNodeProto node, int index, string what)
    {
        Constant constant = ConstantInput(node, index);
        float[] values = Floats(constant, node);
        if (values.Length != 1 || constant.Dimensions.Count > 1)
        {
            throw Error(constant.Offset, FormattableString.Invariant($"{node.Label}'s {what} {constant.Origin} holds {values.Length} values of shape {OnnxTensors.Shape(constant.Dimensions)}; a layer's input has one {what} (a scalar), not one per feature."));
        }

        return values[0];
    }

    /// <summary>Refuses an attribute <paramref name="node"/>'s op does not take here.</summary>
    private void CheckAttributes(OnnxNodeProto node, params string[] known)
    {
        foreach (OnnxAttributeProto attribute in node.Attributes)
        {
            if (Array.IndexOf(known, attribute.Name) < 0)
            {
                throw Error(attribute.Message.Start, $"{node.Label} has the attribute '{OnnxText.Quote(attribute.Name)}', which this reader does not know for a {node.OpType}.");
            }
        }
    }

    /// <summary>Counts <paramref name="count"/> bytes decoded against the budget of <see cref="Spend"/> (four to a float).</summary>
    private void SpendBytes(long count, OnnxNodeProto node) => Spend((count + 3) / 4, node);
}
