using System.Globalization;

namespace Native.Numerics.Quantization;

/// <summary>
/// Turns a float model into integers: symmetric signed-byte weights per output row, and for each layer's input either a
/// scale and zero point from calibration rows or none (per-row scales, found as each row is predicted).
/// </summary>
/// <remarks>
/// <para>
/// Weights: each output row o gets s_w[o] = max_i |W[o, i]| / 127 and q = round(W / s_w), so the row's largest weight is
/// exactly ±127 and no weight is clipped. Biases stay in float: they are added after the sums are scaled, where they
/// cost one addition per output and no precision.
/// </para>
/// <para>
/// Activations (calibrated): the calibration rows go through the float model, and each layer's input range over all of
/// them — 0 always included, so 0 is a byte exactly — becomes its scale s = (max − min) / 127 and zero point
/// z = round(−min / s). A ReLU layer's outputs start at 0, so their zero point is 0. The first layer's range is taken
/// after the standardizer, whose map the engine then folds into the first layer's input scaling (one multiply and one
/// add per feature, from the raw value straight to its byte).
/// </para>
/// </remarks>
internal static class Quantizer
{
    /// <summary>Quantizes the model of <paramref name="shape"/> and <paramref name="parameters"/>.</summary>
    /// <param name="shape">The float model's shape.</param>
    /// <param name="parameters">Its parameters, in the layout of <see cref="IModel.Parameters"/>.</param>
    /// <param name="standardizer">The standardizer its rows go through first, or null.</param>
    /// <param name="calibration">Raw rows (before the standardizer), n × features: required for calibrated scaling, unused per row.</param>
    /// <param name="scaling">How each layer's input is scaled.</param>
    /// <exception cref="ArgumentException">A parameter is not finite, a layer is too wide, or the calibration rows are missing, ragged or not finite.</exception>
    /// <param name="range">How calibration chooses each layer's range from the values it saw.</param>
    public static QuantizedParameters Quantize(ModelShape shape, ReadOnlySpan<float> parameters, Standardizer? standardizer, ReadOnlySpan<float> calibration, ActivationScaling scaling, CalibrationRange range = CalibrationRange.LeastSquaredError)
    {
        ArgumentNullException.ThrowIfNull(shape);
        if (parameters.Length != shape.ParameterCount)
        {
            throw new ArgumentException($"The parameters hold {parameters.Length} floats; the model {shape} has {shape.ParameterCount}.", nameof(parameters));
        }

        for (int l = 0; l < shape.LayerCount; l++)
        {
            if (shape.LayerSizes[l] > QuantizedRange.MaximumInputs)
            {
                throw new ArgumentException($"Layer {l} has {shape.LayerSizes[l]:N0} inputs; a quantized layer may have at most {QuantizedRange.MaximumInputs:N0}, beyond which its 32-bit sums could overflow.", nameof(shape));
            }
        }

        int bad = FirstNotFinite(parameters);
        if (bad >= 0)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"Parameter {bad} of the model is {parameters[bad]}; only a model with finite parameters can be quantized."), nameof(parameters));
        }

        (float Lowest, float Highest)[] ranges = scaling == ActivationScaling.Calibrated
            ? Calibration.Ranges(shape, parameters, standardizer, calibration, range)
            : new (float, float)[shape.LayerCount];

        var layers = new QuantizedLayer[shape.LayerCount];
        for (int l = 0; l < shape.LayerCount; l++)
        {
            int inputs = shape.LayerSizes[l], outputs = shape.LayerSizes[l + 1];
            ReadOnlySpan<float> w = parameters.Slice(shape.WeightOffset(l), inputs * outputs);
            var weights = new sbyte[w.Length];
            var weightScales = new float[outputs];
            for (int o = 0; o < outputs; o++)
            {
                weightScales[o] = QuantizeRow(w.Slice(o * inputs, inputs), weights.AsSpan(o * inputs, inputs));
            }

            (float scale, int zero) = scaling == ActivationScaling.Calibrated ? ScaleOf(ranges[l].Lowest, ranges[l].Highest) : (1f, 0);
            layers[l] = new QuantizedLayer(inputs, outputs, weights, weightScales, parameters.Slice(shape.BiasOffset(l), outputs).ToArray(), scale, zero);
        }

        return new QuantizedParameters(shape, standardizer, scaling, layers);
    }

    /// <summary>
    /// The scale and zero point that map [min(lowest, 0), max(highest, 0)] onto the bytes 0 to 127: s = (max − min) / 127,
    /// z = round(−min / s); an empty range (all zeros) gets s = 1, z = 0.
    /// </summary>
    public static (float Scale, int ZeroPoint) ScaleOf(float lowest, float highest)
    {
        float low = Math.Min(lowest, 0f), high = Math.Max(highest, 0f);
        float scale = (high - low) / QuantizedRange.MaximumActivation;
        if (!(scale > 0f) || !float.IsFinite(scale))
        {
            return (1f, 0);
        }

        int zero = (int)Math.Clamp(MathF.Round(-low / scale), 0f, QuantizedRange.MaximumActivation);
        return (scale, zero);
    }

    // One output row: its scale, and its weights as bytes.
    private static float QuantizeRow(ReadOnlySpan<float> row, Span<sbyte> bytes)
    {
        float largest = 0f;
        foreach (float w in row)
        {
            largest = Math.Max(largest, Math.Abs(w));
        }

        if (largest == 0f)
        {
            bytes.Clear();
            return 0f;
        }

        double inverse = QuantizedRange.MaximumWeight / (double)largest;
        for (int i = 0; i < row.Length; i++)
        {
            bytes[i] = (sbyte)Math.Clamp(Math.Round(row[i] * inverse, MidpointRounding.ToEven), -QuantizedRange.MaximumWeight, QuantizedRange.MaximumWeight);
        }

        return largest / QuantizedRange.MaximumWeight;
    }

    private static int FirstNotFinite(ReadOnlySpan<float> values)
    {
        for (int i = 0; i < values.Length; i++)
        {
            if (!float.IsFinite(values[i]))
            {
                return i;
            }
        }

        return -1;
    }
}
