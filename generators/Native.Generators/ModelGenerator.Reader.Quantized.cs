using System.Collections.Generic;
using System.IO;
using Native.Generators.Model;
using Native.Numerics.Serialization;

namespace Native.Generators;

// An int8 file's integer layers (safetensors or QDQ ONNX), as the generator holds them: one block of bytes and one of floats.
public sealed partial class ModelGenerator
{
    /// <summary>
    /// An int8 file's model: its integer layers read and checked by the library's code (ModelFileFormat.ReadQuantizedLayers,
    /// compiled in here too), then the library's check that they can give finite outputs; the description holds the float
    /// weights the bytes stand for.
    /// </summary>
    private static (ModelDescription Model, PipelineDescription? Pipeline, QuantizedFileSpec Quantized) ReadQuantized(Stream stream, Safetensors.Contents contents, ModelFileHeader header)
    {
        QuantizedLayerDescription[] layers = ModelFileFormat.ReadQuantizedLayers(stream, contents, header);
        bool calibrated = header.Quantization == ModelFileKeys.Int8Calibrated;
        if (ModelFileFormat.QuantizedBoundsProblem(header.LayerSizes, header.Activations, header.LeakyReluSlope, calibrated, layers, header.Means, header.Deviations) is string problem)
        {
            throw contents.Error(contents.DataStart, problem + "; this model would answer NaN to every input.");
        }

        (QuantizedFileSpec quantized, float[][] dequantized, float[][] layerBiases) = Spec(layers, calibrated);
        return (DescriptionOf(header, dequantized, layerBiases), header.Pipeline, quantized);
    }

    /// <summary>The generator's spec of checked integer layers (their bytes and floats, one block each), and the float weights and biases they stand for.</summary>
    private static (QuantizedFileSpec Spec, float[][] Weights, float[][] Biases) Spec(QuantizedLayerDescription[] layers, bool calibrated)
    {
        var weights = new List<sbyte>();
        var scales = new List<float>();
        var biases = new List<float>();
        var inputs = new List<float>();
        float[][] dequantized = new float[layers.Length][], layerBiases = new float[layers.Length][];
        for (int l = 0; l < layers.Length; l++)
        {
            QuantizedLayerDescription layer = layers[l];
            weights.AddRange(layer.Weights);
            scales.AddRange(layer.WeightScales);
            biases.AddRange(layer.Biases);
            inputs.Add(layer.InputScale);
            inputs.Add(layer.InputZeroPoint);
            dequantized[l] = new float[layer.Weights.Length];
            for (int k = 0; k < layer.Weights.Length; k++)
            {
                dequantized[l][k] = layer.Weights[k] * layer.WeightScales[k / layer.Inputs];
            }

            layerBiases[l] = layer.Biases;
        }

        var spec = new QuantizedFileSpec(
            !calibrated,
            new EquatableArray<sbyte>([.. weights]),
            new EquatableArray<float>([.. scales]),
            new EquatableArray<float>([.. biases]),
            new EquatableArray<float>([.. inputs]));
        return (spec, dequantized, layerBiases);
    }
}
