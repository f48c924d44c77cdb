using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Runtime.InteropServices;

namespace Native.Numerics.Serialization;

/// <summary>
/// One dense layer of a quantized (int8) file as read, every value checked (<see cref="ModelFileFormat.ReadQuantizedLayers"/>):
/// plain arrays, so the source generator, which reads int8 files with this same code, can hold them too.
/// </summary>
internal sealed class QuantizedLayerDescription(int inputs, int outputs, sbyte[] weights, float[] weightScales, float[] biases, float inputScale, int inputZeroPoint)
{
    /// <summary>The layer's inputs.</summary>
    public int Inputs { get; } = inputs;

    /// <summary>The layer's outputs.</summary>
    public int Outputs { get; } = outputs;

    /// <summary>The weights as signed bytes, outputs × inputs, row-major, each within ±127.</summary>
    public sbyte[] Weights { get; } = weights;

    /// <summary>Per output row, the float one weight step stands for.</summary>
    public float[] WeightScales { get; } = weightScales;

    /// <summary>The biases, in float.</summary>
    public float[] Biases { get; } = biases;

    /// <summary>The float one input step stands for (calibrated; 1 with per-row scales).</summary>
    public float InputScale { get; } = inputScale;

    /// <summary>The input byte that stands for 0 (calibrated; 0 with per-row scales).</summary>
    public int InputZeroPoint { get; } = inputZeroPoint;
}

// The quantized half of decoding: an int8 file's data section (format version 3) into its layers, every value checked, and
// the check that the layers can give finite outputs. Plain C# over the BCL, so the source generator compiles this same file
// and refuses what ModelFile.Load refuses, with the same message.
internal static partial class ModelFileFormat
{
    /// <summary>The greatest weight magnitude of a quantized file: −127 to 127 (the library's <c>QuantizedRange.MaximumWeight</c>).</summary>
    public const int MaximumQuantizedWeight = 127;

    /// <summary>The greatest input byte of a quantized layer: 0 to 127 (the library's <c>QuantizedRange.MaximumActivation</c>).</summary>
    public const int MaximumQuantizedActivation = 127;

    /// <summary>
    /// Reads a quantized file's data section, which <see cref="Decode"/> has checked to hold exactly the tensors of
    /// <paramref name="header"/>, and checks every value: weights within ±127, a weight scale finite and not negative (0 only
    /// for a row of zeros), biases finite, an input scale finite and positive (with a finite inverse, through the standardizer
    /// too), an input zero point a whole number from 0 to 127.
    /// </summary>
    /// <exception cref="FileFormatException">The data are cut short, followed by more bytes, or hold a value out of range; the message names the tensor, element and byte offset.</exception>
    public static QuantizedLayerDescription[] ReadQuantizedLayers(Stream stream, Safetensors.Contents contents, ModelFileHeader header)
    {
        byte[] data = contents.ReadDataBuffered(stream);
        int[] sizes = header.LayerSizes;
        var layers = new QuantizedLayerDescription[sizes.Length - 1];
        bool calibrated = header.Quantization == ModelFileKeys.Int8Calibrated;
        for (int l = 0; l < layers.Length; l++)
        {
            int inputs = sizes[l], outputs = sizes[l + 1];
            Safetensors.TensorEntry weightTensor = contents.Find(WeightName(l))!;
            var weights = new sbyte[inputs * outputs];
            for (int k = 0; k < weights.Length; k++)
            {
                weights[k] = unchecked((sbyte)data[(int)weightTensor.Begin + k]);
                if (weights[k] < -MaximumQuantizedWeight)
                {
                    throw ValueError(contents, weightTensor, k, 1, inputs, "-128", Safetensors.Invariant($"weights run from -{MaximumQuantizedWeight} to {MaximumQuantizedWeight}"));
                }
            }

            Safetensors.TensorEntry scaleTensor = contents.Find(WeightScaleName(l))!;
            float[] scales = FloatsOf(contents, data, scaleTensor);
            for (int o = 0; o < outputs; o++)
            {
                if (scales[o] < 0f)
                {
                    throw ValueError(contents, scaleTensor, o, sizeof(float), 0, Text(scales[o]), "a weight scale is 0 or more");
                }

                if (scales[o] == 0f && FirstNonzero(weights, o * inputs, inputs) is int nonzero and >= 0)
                {
                    throw ValueError(contents, scaleTensor, o, sizeof(float), 0, "0", Safetensors.Invariant($"a scale of 0 stands for a row of zeros, but weight {nonzero} of row {o} is {weights[(o * inputs) + nonzero]}"));
                }
            }

            float[] biases = FloatsOf(contents, data, contents.Find(BiasName(l))!);
            Safetensors.TensorEntry inputTensor = contents.Find(InputQuantizationName(l))!;
            float[] input = FloatsOf(contents, data, inputTensor);
            float inputScale = input[0];
            if (!(inputScale > 0f) || !IsFinite(1f / inputScale))
            {
                throw ValueError(contents, inputTensor, 0, sizeof(float), 0, Text(inputScale), "an input scale is positive, with a finite inverse (above 2.9E-39)");
            }

            if (l == 0 && calibrated && header.Deviations is { } deviations)
            {
                for (int j = 0; j < inputs; j++)
                {
                    if (!IsFinite(1f / (inputScale * deviations[j])))
                    {
                        throw ValueError(contents, inputTensor, 0, sizeof(float), 0, Text(inputScale), Safetensors.Invariant($"through the standardizer's deviation {Text(deviations[j])} of feature {j}, a raw value's step would be infinite"));
                    }
                }
            }

            float zero = input[1];
            if (zero != (float)Math.Round(zero) || zero is < 0f or > MaximumQuantizedActivation)
            {
                throw ValueError(contents, inputTensor, 1, sizeof(float), 0, Text(zero), Safetensors.Invariant($"an input zero point is a whole number from 0 to {MaximumQuantizedActivation}"));
            }

            layers[l] = new QuantizedLayerDescription(inputs, outputs, weights, scales, biases, inputScale, (int)zero);
        }

        return layers;
    }

    /// <summary>
    /// Why the quantized model cannot give finite outputs, or null when it can: the float weights its bytes stand for through
    /// <see cref="OutputBounds"/>; calibrated, each layer's sums over inputs at their extreme levels (127 steps of the input
    /// scale), which must stay in the float range; and the standardizer folded into the first layer's input map, which must
    /// give a row at the means its levels (<see cref="MeansProblem"/>).
    /// </summary>
    public static string? QuantizedBoundsProblem(int[] layerSizes, Activation[] activations, float leakyReluSlope, bool calibrated, IReadOnlyList<QuantizedLayerDescription> layers, float[]? means, float[]? deviations)
    {
        if (MeansProblem(means, deviations, calibrated, layers[0]) is string meansProblem)
        {
            return meansProblem;
        }

        var layout = new ParameterLayout(layerSizes);
        float[] dequantized = new float[layout.ParameterCount];
        for (int l = 0; l < layers.Count; l++)
        {
            QuantizedLayerDescription layer = layers[l];
            int offset = layout.WeightOffset(l);
            double extreme = MaximumQuantizedActivation * (double)layer.InputScale;
            for (int o = 0; o < layer.Outputs; o++)
            {
                double sum = 0;
                for (int i = 0; i < layer.Inputs; i++)
                {
                    int k = (o * layer.Inputs) + i;
                    dequantized[offset + k] = layer.Weights[k] * layer.WeightScales[o];
                    sum += Math.Abs((double)layer.Weights[k]);
                }

                double bound = (sum * layer.WeightScales[o] * extreme) + Math.Abs((double)layer.Biases[o]);
                if (calibrated && bound > float.MaxValue)
                {
                    return Safetensors.Invariant($"layer {l}'s output {o} reaches {bound:G3} for inputs at the extremes of its calibrated range (scale {Text(layer.InputScale)}, weight scale {Text(layer.WeightScales[o])}), beyond the float range (±3.4E+38)");
                }
            }

            Array.Copy(layer.Biases, 0, dequantized, layout.BiasOffset(l), layer.Outputs);
        }

        return OutputBounds.Problem(layerSizes, activations, leakyReluSlope, dequantized, deviations);
    }

    /// <summary>
    /// A feature's affine map of a raw value, as the kernels apply it (x·scale + offset, one fused multiply-add in float):
    /// calibrated, straight to its byte's level, x·(σ/s) + (z − μσ/s), the standardizer (mean μ, σ = 1 / deviation, as the
    /// standardizer holds it in float) folded into the first layer's input scale s and zero point z; per row, to its
    /// standardized value, x·σ − μσ. Computed in double, stored as float.
    /// </summary>
    public static (float Scale, float Offset) FeatureMap(float mean, float sigma, bool calibrated, float inputScale, int inputZeroPoint)
    {
        double inverse = calibrated ? 1.0 / inputScale : 1.0;
        double zero = calibrated ? inputZeroPoint : 0.0;
        return ((float)(sigma * inverse), (float)(zero - (mean * (double)sigma * inverse)));
    }

    // x·scale + offset rounded once, as the kernels' fused multiply-add rounds it. The generator's netstandard2.0 has no
    // MathF.FusedMultiplyAdd: there, the exact product plus the offset in double, then float (the same but where a double
    // rounding lands on a float's tie).
    private static float FusedMultiplyAdd(float x, float scale, float offset) =>
#if NET
        MathF.FusedMultiplyAdd(x, scale, offset);
#else
        (float)(((double)x * scale) + offset);
#endif

    /// <summary>
    /// Why a raw row at the standardizer's means gets no answer, or null when it gets one (or there is no standardizer): a
    /// feature whose map at its mean (<see cref="FeatureMap"/>, in float as the kernels compute it) is not finite, or
    /// calibrated, is 2³¹ or more, which has no level — the engine then answers NaN, as for a feature that is not finite. A
    /// standardizer's mean far out in units of its deviation and the input step (|μ| / (deviation · s) beyond the float range,
    /// or its rounding beyond 2³¹) does it.
    /// </summary>
    public static string? MeansProblem(float[]? means, float[]? deviations, bool calibrated, QuantizedLayerDescription first)
    {
        if (means is null || deviations is null)
        {
            return null;
        }

        for (int j = 0; j < means.Length; j++)
        {
            float sigma = 1f / deviations[j];
            (float scale, float offset) = FeatureMap(means[j], sigma, calibrated, first.InputScale, first.InputZeroPoint);
            float mapped = FusedMultiplyAdd(means[j], scale, offset);
            if (!IsFinite(mapped) || (calibrated && !(Math.Abs(mapped) < 2147483648f)))
            {
                string through = calibrated ? " through the first layer's input scale " + Text(first.InputScale) : string.Empty;
                return Safetensors.Invariant($"feature {j}'s mean {Text(means[j])} (deviation {Text(deviations[j])}) maps{through} to {mapped:G3}, which has no {(calibrated ? "input level (a level is below 2^31 in magnitude)" : "finite standardized value")}: a row at the means would be answered NaN");
            }
        }

        return null;
    }

    /// <summary>The first of <paramref name="count"/> weights from <paramref name="start"/> that is not 0, counted from the start; −1 for none.</summary>
    private static int FirstNonzero(sbyte[] weights, int start, int count)
    {
        for (int i = 0; i < count; i++)
        {
            if (weights[start + i] != 0)
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>A float tensor's values, read little-endian, each finite.</summary>
    private static float[] FloatsOf(Safetensors.Contents contents, byte[] data, Safetensors.TensorEntry tensor)
    {
        float[] values = new float[(int)(tensor.End - tensor.Begin) / sizeof(float)];
        Span<byte> bytes = MemoryMarshal.AsBytes(values.AsSpan());
        data.AsSpan((int)tensor.Begin, bytes.Length).CopyTo(bytes);
        if (!BitConverter.IsLittleEndian)
        {
            bytes.Reverse();
            Array.Reverse(values);
        }

        for (int k = 0; k < values.Length; k++)
        {
            if (!IsFinite(values[k]))
            {
                throw ValueError(contents, tensor, k, sizeof(float), 0, Text(values[k]), "scales and biases must be finite");
            }
        }

        return values;
    }

    private static FileFormatException ValueError(Safetensors.Contents contents, Safetensors.TensorEntry tensor, int element, int size, int columns, string found, string rule)
    {
        string where = columns > 0 ? Safetensors.Invariant($"element {element} (row {element / columns}, column {element % columns})") : Safetensors.Invariant($"element {element}");
        return contents.Error(contents.DataStart + (long)tensor.Begin + ((long)element * size), $"tensor '{tensor.Name}' holds {found} at {where}; {rule}.");
    }

    private static string Text(float value) => value.ToString(CultureInfo.InvariantCulture);
}
