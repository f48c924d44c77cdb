using Native.Numerics;
using Native.Numerics.Quantization;

namespace Native.Tests.Quantization;

/// <summary>
/// The quantized model's arithmetic written out naively, one value at a time, from the unpacked parameters: the
/// reference the engine's every path is held to. Each step is the one the engine documents, in the same float operations
/// (never fused), so for piecewise-linear activations the logits agree to the bit; sigmoid and tanh are computed here in
/// double, and agree within a tolerance.
/// </summary>
internal static class QuantizedReference
{
    private const int Top = QuantizedRange.MaximumActivation;

    /// <summary>The top layer's values of one raw row, or NaN throughout where the row's bytes cannot be formed.</summary>
    public static float[] Logits(QuantizedParameters parameters, ReadOnlySpan<float> row)
    {
        ModelShape shape = parameters.Shape;
        IReadOnlyList<QuantizedLayer> layers = parameters.Layers;
        bool perRow = parameters.Scaling == ActivationScaling.PerRow;
        Standardizer? standardizer = parameters.Standardizer;

        // The features' map (one fused multiply-add): calibrated, x·(σ/s) + (z − μσ/s) is the level before rounding; per row, x·σ − μσ is the value.
        double inverse = perRow ? 1.0 : 1.0 / layers[0].InputScale;
        double zeroPoint = perRow ? 0.0 : layers[0].InputZeroPoint;
        float[] t = new float[row.Length];
        for (int j = 0; j < row.Length; j++)
        {
            double sigma = standardizer is null ? 1.0 : standardizer.Scales[j];
            double mu = standardizer is null ? 0.0 : standardizer.Means[j];
            // Calibrated without a standardizer, one scale and the zero point: the sum rounded once (ZeroPointMap).
            t[j] = !perRow && standardizer is null
                ? LevelKernelTests.RoundedOnce(row[j], (float)inverse, layers[0].InputZeroPoint)
                : MathF.FusedMultiplyAdd(row[j], (float)(sigma * inverse), (float)(zeroPoint - (mu * sigma * inverse)));

            // No answer for a value that is not finite (per row), or whose level is NaN or beyond ±2^31 (calibrated).
            if (perRow ? !float.IsFinite(t[j]) : !(MathF.Abs(t[j]) < 2147483648f))
            {
                return Enumerable.Repeat(float.NaN, shape.Outputs).ToArray();
            }
        }

        byte[] bytes;
        float scale;
        int zero;
        if (perRow)
        {
            (scale, zero) = ScaleOf(t);
            bytes = t.Select(v => Level((v * (1f / scale)) + zero)).ToArray();
        }
        else
        {
            (scale, zero) = (layers[0].InputScale, layers[0].InputZeroPoint);
            bytes = t.Select(Level).ToArray();
        }

        for (int l = 0; ; l++)
        {
            QuantizedLayer layer = layers[l];
            float[] y = new float[layer.Outputs];
            for (int o = 0; o < layer.Outputs; o++)
            {
                int sum = 0, weights = 0;
                for (int i = 0; i < layer.Inputs; i++)
                {
                    sbyte w = layer.Weights[(o * layer.Inputs) + i];
                    sum += w * bytes[i];
                    weights += w;
                }

                y[o] = ((float)(sum - (zero * weights)) * (layer.WeightScales[o] * scale)) + layer.Biases[o];
            }

            if (l == layers.Count - 1)
            {
                return y;
            }

            float[] a = y.Select(v => Activate(shape.HiddenActivations[l], v, shape.LeakyReluSlope)).ToArray();
            if (perRow)
            {
                (scale, zero) = ScaleOf(a);
                float next = 1f / scale;
                int z = zero;
                bytes = a.Select(v => Level((v * next) + z)).ToArray();
            }
            else
            {
                QuantizedLayer above = layers[l + 1];
                (scale, zero) = (above.InputScale, above.InputZeroPoint);
                float next = 1f / scale;
                int z = zero;
                bytes = a.Select(v => Level((v * next) + z)).ToArray();
            }
        }
    }

    /// <summary>Whether the engine's logits for a model of these activations must equal the reference's bit for bit.</summary>
    public static bool IsExact(ModelShape shape) => shape.HiddenActivations.All(a => a is Activation.Relu or Activation.LeakyRelu);

    private static byte Level(float v) => (byte)MathF.Round(Math.Clamp(v, 0f, Top));

    // The range of the values, 0 included, to a scale and zero point: s = (high − low) / 127, z = round(−low / s).
    private static (float Scale, int Zero) ScaleOf(float[] values)
    {
        float low = Math.Min(0f, values.Min()), high = Math.Max(0f, values.Max());
        float scale = (high - low) / Top;
        return scale > 0f && float.IsFinite(scale) ? (scale, (int)Math.Clamp(MathF.Round(-low / scale), 0f, Top)) : (1f, 0);
    }

    private static float Activate(Activation activation, float x, float slope) => activation switch
    {
        Activation.Relu => x > 0 ? x : 0f,
        Activation.LeakyRelu => x > 0 ? x : x * slope,
        Activation.Sigmoid => (float)(1 / (1 + Math.Exp(-x))),
        _ => (float)Math.Tanh(x),
    };
}
