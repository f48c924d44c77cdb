using System.ComponentModel;
using System.Runtime.CompilerServices;
using Native.Numerics.Kernels.Quantized;
using Native.Numerics.Quantization;

namespace Native.Numerics.CompilerServices;

/// <summary>
/// The engine of a quantized (int8) model compiled into the program (<see cref="GeneratedModelAttribute"/> on an int8 file):
/// the library's integer engine — the one <c>ModelFile.Load</c> builds for the same file — over the weights, scales and
/// biases the generated class holds as read-only data. Not for direct use.
/// </summary>
/// <remarks>
/// The data are taken as the file holds them, layer after layer, checked as <c>ModelFile.Load</c> checks them, and packed
/// into the engine's aligned storage once; each prediction is then the engine's own call, so a compiled int8 model predicts
/// the loaded one's bits on every integer path, allocation-free and safe from many threads.
/// </remarks>
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed class QuantizedRuntime
{
    private readonly QuantizedModel _engine;

    private QuantizedRuntime(QuantizedParameters parameters)
    {
        Parameters = parameters;
        _engine = QuantizedModel.Create(parameters);
    }

    /// <summary>The model's kind, layer sizes and activations: those of the float model the bytes were quantized from.</summary>
    public ModelShape Shape => Parameters.Shape;

    /// <summary>The standardizer raw rows go through, folded into the first layer's input bytes; or null.</summary>
    public Standardizer? Standardizer => Parameters.Standardizer;

    /// <summary>What the engine was built from: what an int8 file holds.</summary>
    internal QuantizedParameters Parameters { get; }

    /// <summary>The integer path the kernels run on: the fastest this machine has, unless a test asks for another.</summary>
    internal IntegerPath Path
    {
        get => _engine.Path;
        set => _engine.Path = value;
    }

    /// <summary>
    /// An engine whose layers take their input as bytes with the scale and zero point fixed when the model was quantized, from
    /// calibration rows (an int8 file whose <c>native.quantization</c> is <c>int8_calibrated</c>).
    /// </summary>
    /// <param name="shape">The model's kind, layer sizes and activations.</param>
    /// <param name="standardizer">The standardizer saved with the model, or null.</param>
    /// <param name="weights">Each layer's weights (outputs × inputs, row-major, −127 to 127), layer after layer: <c>layers.{l}.weight</c>.</param>
    /// <param name="weightScales">Each layer's scale per output row, layer after layer: <c>layers.{l}.weight_scale</c>.</param>
    /// <param name="biases">Each layer's biases, layer after layer: <c>layers.{l}.bias</c>.</param>
    /// <param name="inputQuantization">Each layer's input scale and zero point, two floats per layer: <c>layers.{l}.input_quantization</c>.</param>
    /// <exception cref="ArgumentException">A block's length does not fit the shape, or a value is out of range.</exception>
    public static QuantizedRuntime Calibrated(ModelShape shape, Standardizer? standardizer, ReadOnlySpan<sbyte> weights, ReadOnlySpan<float> weightScales, ReadOnlySpan<float> biases, ReadOnlySpan<float> inputQuantization) =>
        new(Build(shape, standardizer, ActivationScaling.Calibrated, weights, weightScales, biases, inputQuantization));

    /// <summary>
    /// An engine whose layers take each row's input as bytes scaled by that row's own range (an int8 file whose
    /// <c>native.quantization</c> is <c>int8_per_row</c>).
    /// </summary>
    /// <inheritdoc cref="Calibrated" path="/param"/>
    /// <exception cref="ArgumentException">A block's length does not fit the shape, or a value is out of range.</exception>
    public static QuantizedRuntime PerRow(ModelShape shape, Standardizer? standardizer, ReadOnlySpan<sbyte> weights, ReadOnlySpan<float> weightScales, ReadOnlySpan<float> biases, ReadOnlySpan<float> inputQuantization) =>
        new(Build(shape, standardizer, ActivationScaling.PerRow, weights, weightScales, biases, inputQuantization));

    /// <inheritdoc cref="IClassifier.PredictClass"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int PredictClass(ReadOnlySpan<float> row) => _engine.PredictClass(row);

    /// <inheritdoc cref="IClassifier.TryPredictClass"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryPredictClass(ReadOnlySpan<float> row, out int predictedClass) => _engine.TryPredictClass(row, out predictedClass);

    /// <inheritdoc cref="IClassifier.PredictClasses"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void PredictClasses(ReadOnlySpan<float> rows, Span<int> classes) => _engine.PredictClasses(rows, classes);

    /// <inheritdoc cref="IClassifier.PredictProbabilities"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void PredictProbabilities(ReadOnlySpan<float> rows, Span<float> probabilities) => _engine.PredictProbabilities(rows, probabilities);

    /// <inheritdoc cref="IRegressor.PredictValue"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public float PredictValue(ReadOnlySpan<float> row) => _engine.PredictValue(row);

    /// <inheritdoc cref="IRegressor.TryPredictValue"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryPredictValue(ReadOnlySpan<float> row, out float value) => _engine.TryPredictValue(row, out value);

    /// <inheritdoc cref="IRegressor.PredictValues"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void PredictValues(ReadOnlySpan<float> rows, Span<float> values) => _engine.PredictValues(rows, values);

    /// <summary>
    /// A new float model of the shape's kind whose parameters are the values the bytes stand for (each weight its byte times
    /// its row's scale; the biases as they are): what <c>ModelFile.Load</c>'s <see cref="TrainedModel.Model"/> holds for the
    /// same file, as a trainable copy of its own.
    /// </summary>
    public IModel CreateModel() => TrainedModel.Dequantized(Parameters);

    private static QuantizedParameters Build(ModelShape shape, Standardizer? standardizer, ActivationScaling scaling, ReadOnlySpan<sbyte> weights, ReadOnlySpan<float> weightScales, ReadOnlySpan<float> biases, ReadOnlySpan<float> inputQuantization)
    {
        ArgumentNullException.ThrowIfNull(shape);
        int weightCount = 0, outputCount = 0;
        for (int l = 0; l < shape.LayerCount; l++)
        {
            weightCount = checked(weightCount + (shape.LayerSizes[l] * shape.LayerSizes[l + 1]));
            outputCount += shape.LayerSizes[l + 1];
        }

        Check(weights.Length == weightCount, nameof(weights), $"holds {weights.Length} weights; the model {shape} has {weightCount}");
        Check(weightScales.Length == outputCount, nameof(weightScales), $"holds {weightScales.Length} scales; the model {shape} has {outputCount} outputs in all");
        Check(biases.Length == outputCount, nameof(biases), $"holds {biases.Length} biases; the model {shape} has {outputCount} outputs in all");
        Check(inputQuantization.Length == 2 * shape.LayerCount, nameof(inputQuantization), $"holds {inputQuantization.Length} floats; the model {shape} has {shape.LayerCount} layers, two each");

        var layers = new QuantizedLayer[shape.LayerCount];
        int weightAt = 0, outputAt = 0;
        for (int l = 0; l < layers.Length; l++)
        {
            int inputs = shape.LayerSizes[l], outputs = shape.LayerSizes[l + 1];
            float zero = inputQuantization[(2 * l) + 1];
            Check(zero == MathF.Round(zero), nameof(inputQuantization), $"gives layer {l} the zero point {zero}, not a whole number");
            layers[l] = new QuantizedLayer(
                inputs,
                outputs,
                weights.Slice(weightAt, inputs * outputs).ToArray(),
                weightScales.Slice(outputAt, outputs).ToArray(),
                biases.Slice(outputAt, outputs).ToArray(),
                inputQuantization[2 * l],
                (int)Math.Clamp(zero, -1f, QuantizedRange.MaximumActivation + 1f));
            weightAt += inputs * outputs;
            outputAt += outputs;
        }

        return new QuantizedParameters(shape, standardizer, scaling, layers);
    }

    private static void Check(bool condition, string name, string problem)
    {
        if (!condition)
        {
            throw new ArgumentException($"The compiled model's {name} {problem}.", name);
        }
    }
}
