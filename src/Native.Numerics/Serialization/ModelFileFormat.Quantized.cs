using System.Buffers.Binary;
using System.Globalization;
using Native.Numerics.Quantization;

namespace Native.Numerics.Serialization;

/// <summary>
/// The quantized (int8) model file, format version 3: per dense layer l, <c>layers.{l}.weight</c> of dtype I8 [outputs, inputs]
/// (−127 to 127), <c>layers.{l}.weight_scale</c> F32 [outputs] (the float one weight step of each row stands for),
/// <c>layers.{l}.bias</c> F32 [outputs], and <c>layers.{l}.input_quantization</c> F32 [2] (the scale and zero point of the
/// layer's input bytes; 1 and 0 with per-row scales); <c>native.quantization</c> is <c>int8_calibrated</c> or
/// <c>int8_per_row</c>. The float tensors come first, layer by layer, then the weights, so every float lies 4-byte aligned.
/// </summary>
internal static partial class ModelFileFormat
{
    /// <summary>The tensors and data section of <paramref name="parameters"/>, and its metadata entries on top of <paramref name="entries"/>.</summary>
    public static (List<Safetensors.TensorLayout> Tensors, byte[] Data) EncodeQuantized(QuantizedParameters parameters, Dictionary<string, string> entries)
    {
        entries[ModelFileKeys.FormatKey] = ModelFileKeys.QuantizedFormatVersion.ToString(CultureInfo.InvariantCulture);
        entries[ModelFileKeys.QuantizationKey] = parameters.Scaling == ActivationScaling.Calibrated ? ModelFileKeys.Int8Calibrated : ModelFileKeys.Int8PerRow;
        var tensors = new List<Safetensors.TensorLayout>();
        long floats = 0, bytes = 0;
        for (int l = 0; l < parameters.Layers.Count; l++)
        {
            QuantizedLayer layer = parameters.Layers[l];
            tensors.Add(new Safetensors.TensorLayout(WeightScaleName(l), [layer.Outputs]));
            tensors.Add(new Safetensors.TensorLayout(BiasName(l), [layer.Outputs]));
            tensors.Add(new Safetensors.TensorLayout(InputQuantizationName(l), [2]));
            floats += (2L * layer.Outputs) + 2;
            bytes += layer.Weights.Length;
        }

        byte[] data = new byte[checked((int)((floats * sizeof(float)) + bytes))];
        int at = 0;
        foreach (QuantizedLayer layer in parameters.Layers)
        {
            at = PutFloats(data, at, layer.WeightScales);
            at = PutFloats(data, at, layer.Biases);
            at = PutFloats(data, at, [layer.InputScale, layer.InputZeroPoint]);
        }

        for (int l = 0; l < parameters.Layers.Count; l++)
        {
            QuantizedLayer layer = parameters.Layers[l];
            tensors.Add(new Safetensors.TensorLayout(WeightName(l), [layer.Outputs, layer.Inputs], Safetensors.Int8));
            for (int k = 0; k < layer.Weights.Length; k++)
            {
                data[at++] = unchecked((byte)layer.Weights[k]);
            }
        }

        return (tensors, data);
    }

    /// <summary>
    /// Reads a quantized file's data section into its layers, every value checked (<see cref="ReadQuantizedLayers"/>, which the
    /// source generator compiles too), with the standardizer folded into the first layer's input scaling.
    /// </summary>
    /// <exception cref="FileFormatException">The data are cut short, followed by more bytes, or hold a value out of range; the message names the tensor, element and byte offset.</exception>
    public static QuantizedParameters ReadQuantized(Stream stream, Safetensors.Contents contents, ModelFileHeader header, ModelShape shape, Standardizer? standardizer)
    {
        QuantizedLayerDescription[] read = ReadQuantizedLayers(stream, contents, header);
        var layers = new QuantizedLayer[read.Length];
        for (int l = 0; l < layers.Length; l++)
        {
            QuantizedLayerDescription layer = read[l];
            layers[l] = new QuantizedLayer(layer.Inputs, layer.Outputs, layer.Weights, layer.WeightScales, layer.Biases, layer.InputScale, layer.InputZeroPoint);
        }

        bool calibrated = header.Quantization == ModelFileKeys.Int8Calibrated;
        return new QuantizedParameters(shape, standardizer, calibrated ? ActivationScaling.Calibrated : ActivationScaling.PerRow, layers);
    }

    /// <summary>
    /// Why the quantized model cannot give finite outputs, or null when it can: the float weights' bounds, each layer's extreme sums
    /// and the means' input levels (<see cref="QuantizedBoundsProblem(int[], Activation[], float, bool, IReadOnlyList{QuantizedLayerDescription}, float[], float[])"/>).
    /// </summary>
    public static string? QuantizedBoundsProblem(QuantizedParameters parameters)
    {
        ModelShape shape = parameters.Shape;
        var layers = new QuantizedLayerDescription[shape.LayerCount];
        for (int l = 0; l < layers.Length; l++)
        {
            QuantizedLayer layer = parameters.Layers[l];
            layers[l] = new QuantizedLayerDescription(layer.Inputs, layer.Outputs, layer.Weights.ToArray(), layer.WeightScales.ToArray(), layer.Biases.ToArray(), layer.InputScale, layer.InputZeroPoint);
        }

        return QuantizedBoundsProblem([.. shape.LayerSizes], [.. shape.HiddenActivations], shape.LeakyReluSlope, parameters.Scaling == ActivationScaling.Calibrated, layers, parameters.Standardizer?.Means.ToArray(), parameters.Standardizer?.StandardDeviations.ToArray());
    }

    private static int PutFloats(byte[] data, int at, ReadOnlySpan<float> values)
    {
        foreach (float value in values)
        {
            BinaryPrimitives.WriteSingleLittleEndian(data.AsSpan(at), value);
            at += sizeof(float);
        }

        return at;
    }
}
