using System.Collections.Generic;

namespace Native.Numerics.Serialization.Onnx;

/// <summary>The steps, label branches, constants, dense layers and standardizer steps the graph reader keeps.</summary>
internal sealed partial class OnnxGraphReader
{
    /// <summary>A node of the chain, and which of its inputs carries the chain's value.</summary>
    private sealed class Step
    {
        public Step(OnnxNodeProto node, int input)
        {
            Node = node;
            Input = input;
        }

        public OnnxNodeProto Node { get; }

        public int Input { get; }
    }

    /// <summary>A node that starts a label branch, reading the chain's value after <see cref="After"/> steps.</summary>
    private sealed class LabelStart
    {
        public LabelStart(OnnxNodeProto node, int after, string value)
        {
            Node = node;
            After = after;
            Value = value;
        }

        public OnnxNodeProto Node { get; }

        public int After { get; }

        public string Value { get; }
    }

    /// <summary>A constant: an initializer's or Constant node's tensor, or a Constant node's shorthand list.</summary>
    private sealed class Constant
    {
        public Constant(OnnxTensorProto tensor, string origin)
        {
            Tensor = tensor;
            Dimensions = tensor.Dimensions;
            Origin = origin;
            Offset = tensor.Message.Start;
        }

        public Constant(float[] floats, List<long> dimensions, string origin, int offset)
        {
            Floats = floats;
            Dimensions = dimensions;
            Origin = origin;
            Offset = offset;
        }

        public Constant(long[] integers, List<long> dimensions, string origin, int offset)
        {
            Integers = integers;
            Dimensions = dimensions;
            Origin = origin;
            Offset = offset;
        }

        /// <summary>A DequantizeLinear over constants: int8 weights with their scales, read as a layer's weights.</summary>
        public Constant(Dequantization dequantization, string origin)
        {
            Dequantized = dequantization;
            Dimensions = dequantization.Data.Dimensions;
            Origin = origin;
            Offset = dequantization.Node.Offset;
        }

        private Constant(Constant source, string origin)
        {
            Tensor = source.Tensor;
            Floats = source.Floats;
            Integers = source.Integers;
            Dequantized = source.Dequantized;
            Dimensions = source.Dimensions;
            Origin = origin;
            Offset = source.Offset;
        }

        public OnnxTensorProto? Tensor { get; }

        public float[]? Floats { get; }

        public long[]? Integers { get; }

        /// <summary>The DequantizeLinear this constant is the output of, or null.</summary>
        public Dequantization? Dequantized { get; }

        public List<long> Dimensions { get; }

        /// <summary>"initializer 'fc.weight'", or the Constant node's label.</summary>
        public string Origin { get; }

        public int Offset { get; }

        /// <summary>The same value under another description (an Identity's output).</summary>
        public Constant Renamed(string origin) => new(this, origin);
    }

    /// <summary>A <c>DequantizeLinear</c> whose inputs are all constants: its data (int8 weights), scale and zero point (or none).</summary>
    private sealed class Dequantization
    {
        public Dequantization(OnnxNodeProto node, Constant data, Constant scale, Constant? zeroPoint)
        {
            Node = node;
            Data = data;
            Scale = scale;
            ZeroPoint = zeroPoint;
        }

        public OnnxNodeProto Node { get; }

        public Constant Data { get; }

        public Constant Scale { get; }

        public Constant? ZeroPoint { get; }
    }

    /// <summary>The steps of a layer's input quantization the chain has read, waiting for the layer.</summary>
    private enum InputStage
    {
        Clipped,
        Quantized,
        Dequantized,
    }

    /// <summary>What the chain has read of a layer's input quantization: the Clip's bounds, then the scale and zero point.</summary>
    private sealed class InputQuantization
    {
        public InputQuantization(OnnxNodeProto clip, float low, float high)
        {
            Clip = clip;
            Low = low;
            High = high;
        }

        public OnnxNodeProto Clip { get; }

        public float Low { get; }

        public float High { get; }

        public InputStage Stage { get; set; } = InputStage.Clipped;

        public OnnxNodeProto? Quantize { get; set; }

        public OnnxNodeProto? Dequantize { get; set; }

        public float Scale { get; set; }

        public int ZeroPoint { get; set; }

        /// <summary>The last node read.</summary>
        public OnnxNodeProto Last => Dequantize ?? Quantize ?? Clip;

        /// <summary>What may come next: the next step, or the layer.</summary>
        public string Expected => Stage switch
        {
            InputStage.Clipped => "QuantizeLinear",
            InputStage.Quantized => "DequantizeLinear",
            _ => "Gemm or MatMul",
        };

        /// <summary>Whether <paramref name="node"/> (of the default domain) continues the input's quantization.</summary>
        public bool Continues(OnnxNodeProto node) => node.OpType == "Identity" || Stage switch
        {
            InputStage.Clipped => node.OpType == "QuantizeLinear",
            InputStage.Quantized => node.OpType == "DequantizeLinear",
            _ => node.OpType is "Gemm" or "MatMul",
        };
    }

    /// <summary>One dense layer: weights outputs × inputs, row-major, and biases.</summary>
    private sealed class Layer
    {
        public Layer(OnnxNodeProto node, int inputs, int outputs, float[] weights, float[] biases)
        {
            Node = node;
            Inputs = inputs;
            Outputs = outputs;
            Weights = weights;
            Biases = biases;
        }

        public OnnxNodeProto Node { get; }

        public int Inputs { get; }

        public int Outputs { get; }

        public float[] Weights { get; }

        public float[] Biases { get; }

        /// <summary>The layer's place in the chain.</summary>
        public int Step { get; set; }

        /// <summary>The activation that follows the layer, if any.</summary>
        public Activation? Activation { get; set; }

        /// <summary>The activation's node, for errors.</summary>
        public OnnxNodeProto? ActivationNode { get; set; }

        /// <summary>For a quantized layer, its weights as signed bytes, outputs × inputs (<see cref="Weights"/> the floats they stand for); else null.</summary>
        public sbyte[]? Bytes { get; set; }

        /// <summary>For a quantized layer, one scale per output row.</summary>
        public float[]? Scales { get; set; }

        /// <summary>For a quantized layer, the DequantizeLinear of its weights, for errors.</summary>
        public OnnxNodeProto? Dequantize { get; set; }

        /// <summary>For a quantized layer, its input's scale and zero point and the nodes that gave them.</summary>
        public InputQuantization? Input { get; set; }
    }

    /// <summary>A standardizer step: x − c, x + c, x · c or x ÷ c, per feature (c of length 1 broadcasts).</summary>
    private sealed class Affine
    {
        public Affine(string op, float[] values, OnnxNodeProto node)
        {
            Op = op;
            Values = values;
            Node = node;
        }

        public string Op { get; }

        public float[] Values { get; }

        public OnnxNodeProto Node { get; }
    }
}
