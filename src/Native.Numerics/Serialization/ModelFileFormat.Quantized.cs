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
    /// Reads a quantized file's data section, which <see cref="Decode"/> has checked to hold exactly the tensors of
    /// <paramref name="header"/>, and checks every value: weights within ±127, a weight scale finite and not negative (0 only
    /// for a row of zeros), biases finite, an input scale finite and positive (with a finite inverse, through the standardizer
    /// too), an input zero point a whole number from 0 to 127.
    /// </summary>
    /// <exception cref="FileFormatException">The data are cut short, followed by more bytes, or hold a value out of range; the message names the tensor, element and byte offset.</exception>
    public static QuantizedParameters ReadQuantized(Stream stream, Safetensors.Contents contents, ModelFileHeader header, ModelShape shape, Standardizer? standardizer)
    {
        byte[] data = contents.ReadDataBuffered(stream);
        var layers = new QuantizedLayer[shape.LayerCount];
        bool calibrated = header.Quantization == ModelFileKeys.Int8Calibrated;
        for (int l = 0; l < layers.Length; l++)
        {
            int inputs = shape.LayerSizes[l], outputs = shape.LayerSizes[l + 1];
            Safetensors.TensorEntry weightTensor = contents.Find(WeightName(l))!;
            var weights = new sbyte[inputs * outputs];
            for (int k = 0; k < weights.Length; k++)
            {
                weights[k] = unchecked((sbyte)data[(int)weightTensor.Begin + k]);
                if (weights[k] < -QuantizedRange.MaximumWeight)
                {
                    throw ValueError(contents, weightTensor, k, 1, inputs, "-128", $"weights run from -{QuantizedRange.MaximumWeight} to {QuantizedRange.MaximumWeight}");
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

                if (scales[o] == 0f && weights.AsSpan(o * inputs, inputs).IndexOfAnyExcept((sbyte)0) is int nonzero and >= 0)
                {
                    throw ValueError(contents, scaleTensor, o, sizeof(float), 0, "0", Invariant($"a scale of 0 stands for a row of zeros, but weight {nonzero} of row {o} is {weights[(o * inputs) + nonzero]}"));
                }
            }

            float[] biases = FloatsOf(contents, data, contents.Find(BiasName(l))!);
            Safetensors.TensorEntry inputTensor = contents.Find(InputQuantizationName(l))!;
            float[] input = FloatsOf(contents, data, inputTensor);
            float inputScale = input[0];
            if (!(inputScale > 0f) || !float.IsFinite(1f / inputScale))
            {
                throw ValueError(contents, inputTensor, 0, sizeof(float), 0, Text(inputScale), "an input scale is positive, with a finite inverse (above 2.9E-39)");
            }

            if (l == 0 && calibrated && standardizer is not null)
            {
                for (int j = 0; j < inputs; j++)
                {
                    if (!float.IsFinite(1f / (inputScale * standardizer.StandardDeviations[j])))
                    {
                        throw ValueError(contents, inputTensor, 0, sizeof(float), 0, Text(inputScale), Invariant($"through the standardizer's deviation {Text(standardizer.StandardDeviations[j])} of feature {j}, a raw value's step would be infinite"));
                    }
                }
            }

            float zero = input[1];
            if (zero != MathF.Round(zero) || zero is < 0f or > QuantizedRange.MaximumActivation)
            {
                throw ValueError(contents, inputTensor, 1, sizeof(float), 0, Text(zero), Invariant($"an input zero point is a whole number from 0 to {QuantizedRange.MaximumActivation}"));
            }

            layers[l] = new QuantizedLayer(inputs, outputs, weights, scales, biases, inputScale, (int)zero);
        }

        return new QuantizedParameters(shape, standardizer, calibrated ? ActivationScaling.Calibrated : ActivationScaling.PerRow, layers);
    }

    /// <summary>
    /// Why the quantized model cannot give finite outputs, or null when it can: the float weights its bytes stand for through
    /// <see cref="OutputBounds"/>; calibrated, each layer's sums over inputs at their extreme levels (127 steps of the
    /// input scale), which must stay in the float range; and the standardizer folded into the first layer's input map, which
    /// must give a row at the means its levels (<see cref="QuantizedModel.MeansProblem"/>).
    /// </summary>
    public static string? QuantizedBoundsProblem(QuantizedParameters parameters)
    {
        ModelShape shape = parameters.Shape;
        float[] dequantized = new float[shape.ParameterCount];
        for (int l = 0; l < shape.LayerCount; l++)
        {
            QuantizedLayer layer = parameters.Layers[l];
            int offset = shape.WeightOffset(l);
            double extreme = QuantizedRange.MaximumActivation * (double)layer.InputScale;
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
                if (parameters.Scaling == ActivationScaling.Calibrated && bound > float.MaxValue)
                {
                    return Invariant($"layer {l}'s output {o} reaches {bound:G3} for inputs at the extremes of its calibrated range (scale {Text(layer.InputScale)}, weight scale {Text(layer.WeightScales[o])}), beyond the float range (±3.4E+38)");
                }
            }

            layer.Biases.CopyTo(dequantized.AsSpan(shape.BiasOffset(l), layer.Outputs));
        }

        return OutputBounds.Problem([.. shape.LayerSizes], [.. shape.HiddenActivations], shape.LeakyReluSlope, dequantized, parameters.Standardizer?.StandardDeviations.ToArray())
            ?? QuantizedModel.MeansProblem(parameters);
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

    /// <summary>A float tensor's values, read little-endian, each finite.</summary>
    private static float[] FloatsOf(Safetensors.Contents contents, byte[] data, Safetensors.TensorEntry tensor)
    {
        float[] values = new float[(int)(tensor.End - tensor.Begin) / sizeof(float)];
        for (int k = 0; k < values.Length; k++)
        {
            values[k] = BinaryPrimitives.ReadSingleLittleEndian(data.AsSpan((int)tensor.Begin + (k * sizeof(float))));
            if (!float.IsFinite(values[k]))
            {
                throw ValueError(contents, tensor, k, sizeof(float), 0, Text(values[k]), "scales and biases must be finite");
            }
        }

        return values;
    }

    private static FileFormatException ValueError(Safetensors.Contents contents, Safetensors.TensorEntry tensor, int element, int size, int columns, string found, string rule)
    {
        string where = columns > 0 ? Invariant($"element {element} (row {element / columns}, column {element % columns})") : Invariant($"element {element}");
        return contents.Error(contents.DataStart + (long)tensor.Begin + ((long)element * size), $"tensor '{tensor.Name}' holds {found} at {where}; {rule}.");
    }

    private static string Text(float value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
