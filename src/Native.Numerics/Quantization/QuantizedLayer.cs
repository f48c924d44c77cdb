using System.Globalization;

namespace Native.Numerics.Quantization;

/// <summary>How a quantized model chooses the scale of each layer's input bytes.</summary>
internal enum ActivationScaling
{
    /// <summary>One scale and zero point per layer, fixed when the model is quantized, from calibration rows.</summary>
    Calibrated,

    /// <summary>Each row's own: its range, for every layer's input, measured as the row is predicted.</summary>
    PerRow,
}

/// <summary>The ranges of a quantized model's integers, and the bound on a layer's width they imply.</summary>
internal static class QuantizedRange
{
    /// <summary>
    /// The greatest weight magnitude: weights are symmetric, −127 to 127 (never −128, so a row's scale maps its largest
    /// weight to ±127 alike).
    /// </summary>
    public const int MaximumWeight = 127;

    /// <summary>
    /// The greatest activation byte: 7 bits, 0 to 127, so <c>vpmaddubsw</c>'s pairs of products never saturate
    /// (2 · 127 · 127 = 32,258 ≤ 32,767; see <see cref="Kernels.Quantized.IByteProducts{TBytes, TInts}"/>).
    /// </summary>
    public const int MaximumActivation = 127;

    /// <summary>
    /// The widest layer whose 32-bit sums cannot overflow: inputs · 127 · 127 &lt; 2³¹ for up to 133,144 inputs.
    /// </summary>
    public const int MaximumInputs = int.MaxValue / (MaximumWeight * MaximumActivation);
}

/// <summary>
/// One dense layer in integers: y = f(s_w[o] · s_x · Σ_i q_w[o, i] · (q_x[i] − z_x) + b[o]), where q_w are the weights as
/// signed bytes with one scale s_w per output row, q_x the layer's input as unsigned bytes with scale s_x and zero point
/// z_x, and b the biases in float. What a model file would store for the layer; the engine packs it for its kernels.
/// </summary>
internal sealed class QuantizedLayer
{
    private readonly sbyte[] _weights;
    private readonly float[] _weightScales;
    private readonly float[] _biases;

    /// <summary>A layer from its parts, each checked.</summary>
    /// <param name="inputs">The layer's inputs.</param>
    /// <param name="outputs">The layer's outputs.</param>
    /// <param name="weights">outputs × inputs signed bytes, row-major, each within ±<see cref="QuantizedRange.MaximumWeight"/>.</param>
    /// <param name="weightScales">Per output row, the float one weight step stands for: finite and not negative.</param>
    /// <param name="biases">Per output, finite.</param>
    /// <param name="inputScale">The float one input step stands for (calibrated scaling; ignored per row): finite and positive.</param>
    /// <param name="inputZeroPoint">The input byte that stands for 0 (calibrated scaling; ignored per row).</param>
    /// <exception cref="ArgumentException">A part's length or a value is out of range; the message says which.</exception>
    public QuantizedLayer(int inputs, int outputs, sbyte[] weights, float[] weightScales, float[] biases, float inputScale, int inputZeroPoint)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(inputs, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(inputs, QuantizedRange.MaximumInputs);
        ArgumentOutOfRangeException.ThrowIfLessThan(outputs, 1);
        ArgumentNullException.ThrowIfNull(weights);
        ArgumentNullException.ThrowIfNull(weightScales);
        ArgumentNullException.ThrowIfNull(biases);
        Check(weights.LongLength == (long)inputs * outputs, nameof(weights), $"holds {weights.LongLength} weights; {outputs} × {inputs} expected");
        Check(weightScales.Length == outputs, nameof(weightScales), $"holds {weightScales.Length} scales; {outputs} expected");
        Check(biases.Length == outputs, nameof(biases), $"holds {biases.Length} biases; {outputs} expected");
        int wrong = Array.FindIndex(weights, w => w < -QuantizedRange.MaximumWeight);
        Check(wrong < 0, nameof(weights), $"weight {wrong} is -128; weights run from -{QuantizedRange.MaximumWeight} to {QuantizedRange.MaximumWeight}");
        wrong = Array.FindIndex(weightScales, s => !float.IsFinite(s) || s < 0f);
        Check(wrong < 0, nameof(weightScales), $"scale {wrong} is {(wrong < 0 ? 0f : weightScales[wrong]).ToString(CultureInfo.InvariantCulture)}; a finite scale of 0 or more expected");
        wrong = Array.FindIndex(biases, b => !float.IsFinite(b));
        Check(wrong < 0, nameof(biases), $"bias {wrong} is not finite");
        Check(float.IsFinite(inputScale) && inputScale > 0f, nameof(inputScale), $"is {inputScale.ToString(CultureInfo.InvariantCulture)}; a finite positive scale expected");
        Check(inputZeroPoint is >= 0 and <= QuantizedRange.MaximumActivation, nameof(inputZeroPoint), $"is {inputZeroPoint}; 0 to {QuantizedRange.MaximumActivation} expected");
        Inputs = inputs;
        Outputs = outputs;
        _weights = weights;
        _weightScales = weightScales;
        _biases = biases;
        InputScale = inputScale;
        InputZeroPoint = inputZeroPoint;
    }

    /// <summary>The layer's inputs.</summary>
    public int Inputs { get; }

    /// <summary>The layer's outputs.</summary>
    public int Outputs { get; }

    /// <summary>The weights as signed bytes, outputs × inputs, row-major.</summary>
    public ReadOnlySpan<sbyte> Weights => _weights;

    /// <summary>Per output row, the float one weight step stands for.</summary>
    public ReadOnlySpan<float> WeightScales => _weightScales;

    /// <summary>The biases, in float.</summary>
    public ReadOnlySpan<float> Biases => _biases;

    /// <summary>With calibrated scaling, the float one input step stands for (in standardized units for the first layer).</summary>
    public float InputScale { get; }

    /// <summary>With calibrated scaling, the input byte that stands for 0.</summary>
    public int InputZeroPoint { get; }

    private static void Check(bool condition, string name, string problem)
    {
        if (!condition)
        {
            throw new ArgumentException($"The layer's {name} {problem}.", name);
        }
    }
}

/// <summary>
/// A quantized model: the float model's shape and standardizer, how activations are scaled, and its layers in integers.
/// Everything a quantized model file would hold; <see cref="QuantizedModel.Create"/> builds the engine from it.
/// </summary>
internal sealed class QuantizedParameters
{
    private readonly QuantizedLayer[] _layers;

    /// <summary>Parameters whose layers match <paramref name="shape"/>.</summary>
    /// <exception cref="ArgumentException">The layers' sizes are not the shape's, or the standardizer's feature count is not the model's.</exception>
    public QuantizedParameters(ModelShape shape, Standardizer? standardizer, ActivationScaling scaling, IReadOnlyList<QuantizedLayer> layers)
    {
        ArgumentNullException.ThrowIfNull(shape);
        ArgumentNullException.ThrowIfNull(layers);
        if (!Enum.IsDefined(scaling))
        {
            throw new ArgumentOutOfRangeException(nameof(scaling), scaling, "Unknown activation scaling.");
        }

        if (layers.Count != shape.LayerCount)
        {
            throw new ArgumentException($"{layers.Count} quantized layers for the model {shape}, which has {shape.LayerCount}.", nameof(layers));
        }

        for (int l = 0; l < layers.Count; l++)
        {
            if (layers[l].Inputs != shape.LayerSizes[l] || layers[l].Outputs != shape.LayerSizes[l + 1])
            {
                throw new ArgumentException($"Quantized layer {l} is {layers[l].Inputs} → {layers[l].Outputs}; the model {shape} has {shape.LayerSizes[l]} → {shape.LayerSizes[l + 1]}.", nameof(layers));
            }
        }

        if (standardizer is not null && standardizer.Features != shape.Features)
        {
            throw new ArgumentException($"The standardizer was fitted to {standardizer.Features} features; the model {shape} takes {shape.Features}.", nameof(standardizer));
        }

        Shape = shape;
        Standardizer = standardizer;
        Scaling = scaling;
        _layers = [.. layers];
    }

    /// <summary>The float model's kind, sizes and activations.</summary>
    public ModelShape Shape { get; }

    /// <summary>The standardizer raw rows go through, folded into the first layer's input scaling; or null.</summary>
    public Standardizer? Standardizer { get; }

    /// <summary>How each layer's input bytes are scaled.</summary>
    public ActivationScaling Scaling { get; }

    /// <summary>The layers, bottom to top.</summary>
    public IReadOnlyList<QuantizedLayer> Layers => _layers;
}
