using Native.Numerics.Quantization;
using Native.Numerics.Serialization;

namespace Native.Numerics;

// A quantized trained model: predictions in integers (Quantization/QuantizedModel), the same calls and metadata.
public partial class TrainedModel
{
    private readonly QuantizedModel? _quantized;

    /// <summary>A quantized model with its metadata: <see cref="Model"/> holds the float weights its bytes stand for.</summary>
    internal TrainedModel(QuantizedParameters parameters, ModelMetadata metadata, string? libraryVersion)
        : this(Dequantized(parameters), metadata, libraryVersion)
    {
        if (metadata.Pipeline is not null)
        {
            throw new NotSupportedException("A quantized model cannot keep a feature pipeline yet.");
        }

        if (!ReferenceEquals(metadata.Standardizer, parameters.Standardizer))
        {
            throw new ArgumentException("The metadata's standardizer is not the one folded into the quantized model.", nameof(metadata));
        }

        _quantized = QuantizedModel.Create(parameters);
        QuantizedParameters = parameters;
    }

    /// <summary>
    /// Whether this model predicts in integers (<see cref="Quantize(ReadOnlySpan{float})"/>, or loaded from an int8 file): its
    /// <see cref="Model"/> then holds the float weights its signed bytes stand for, and its predictions run on the bytes.
    /// </summary>
    public bool IsQuantized => _quantized is not null;

    /// <summary>The integer layers, for a quantized model (what an int8 file holds); null otherwise.</summary>
    internal QuantizedParameters? QuantizedParameters { get; }

    /// <summary>The integer engine, for a quantized model; null otherwise.</summary>
    internal QuantizedModel? QuantizedEngine => _quantized;

    /// <summary>
    /// This model in integers, each layer's input scaled as <paramref name="calibrationRows"/> show it ranges: weights as signed
    /// bytes (one scale per output row), inputs as bytes with one scale and zero point per layer, sums in 32 bits — the same bits
    /// on every CPU. The metadata (class names, feature names, standardizer, properties) travel with it; save it with
    /// <see cref="ModelFile.Save(TrainedModel, string, CancellationToken)"/> as an int8 file.
    /// </summary>
    /// <remarks>
    /// A feature beyond the calibrated range is clipped to it, as in every calibrated int8 engine: give rows that cover what
    /// the model will see (a few hundred training rows serve). For inputs with heavy tails, or without calibration rows,
    /// <see cref="Quantize()"/> scales each row by its own range instead, at some cost in time.
    /// </remarks>
    /// <param name="calibrationRows">Raw rows, as the prediction calls take them, one after another: at least one, all finite.</param>
    /// <returns>A new quantized trained model; this one is unchanged.</returns>
    /// <exception cref="ArgumentException">The rows are not a whole number of rows of <see cref="Features"/> floats, or one is not finite (the message names it); or a parameter is not finite; or the quantized model could not be saved (a standardizer's mean so far out, in units of its deviation and the input step, that a row at the means has no input level).</exception>
    /// <exception cref="NotSupportedException">The model is quantized already, or keeps a feature pipeline.</exception>
    public TrainedModel Quantize(ReadOnlySpan<float> calibrationRows)
    {
        CheckQuantizable();
        if (calibrationRows.IsEmpty)
        {
            throw new ArgumentException($"No calibration rows: at least one row of {Features} floats is needed (or call Quantize() for per-row scales).", nameof(calibrationRows));
        }

        return Checked(Quantizer.Quantize(Shape, UntypedModel.Parameters, Standardizer, calibrationRows, ActivationScaling.Calibrated));
    }

    /// <summary>
    /// This model in integers, as <see cref="Quantize(ReadOnlySpan{float})"/>, but each layer's input scaled by each row's own
    /// range as the row is predicted: no calibration rows, nothing clipped, slower (a second pass over each layer's input).
    /// </summary>
    /// <returns>A new quantized trained model; this one is unchanged.</returns>
    /// <exception cref="ArgumentException">A parameter is not finite, or the quantized model could not be saved (its outputs could not be finite).</exception>
    /// <exception cref="NotSupportedException">The model is quantized already, or keeps a feature pipeline.</exception>
    public TrainedModel Quantize()
    {
        CheckQuantizable();
        return Checked(Quantizer.Quantize(Shape, UntypedModel.Parameters, Standardizer, [], ActivationScaling.PerRow));
    }

    /// <summary>
    /// The quantized model, after the checks that saving and loading it run (<see cref="ModelFileFormat.QuantizedBoundsProblem(QuantizedParameters)"/>):
    /// a model that could not be saved, or would answer NaN for a row at the standardizer's means, is refused here, not later.
    /// </summary>
    private TrainedModel Checked(QuantizedParameters parameters)
    {
        if (ModelFileFormat.QuantizedBoundsProblem(parameters) is string problem)
        {
            throw new ArgumentException($"The model cannot be quantized: {problem}.");
        }

        return new TrainedModel(parameters, Metadata, libraryVersion: null);
    }

    private void CheckQuantizable()
    {
        if (_quantized is not null)
        {
            throw new NotSupportedException("The model is quantized already.");
        }

        if (_pipeline is not null)
        {
            throw new NotSupportedException("A model with a feature pipeline cannot be quantized yet: its rows are encoded from a table's columns.");
        }
    }

    /// <summary>A float model whose parameters are the quantized ones' values: each weight its byte times its row's scale.</summary>
    internal static IModel Dequantized(QuantizedParameters parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        ModelShape shape = parameters.Shape;
        IModel model = shape.CreateModel();
        Span<float> target = model.Parameters;
        for (int l = 0; l < shape.LayerCount; l++)
        {
            QuantizedLayer layer = parameters.Layers[l];
            Span<float> weights = target.Slice(shape.WeightOffset(l), layer.Inputs * layer.Outputs);
            for (int o = 0; o < layer.Outputs; o++)
            {
                float scale = layer.WeightScales[o];
                ReadOnlySpan<sbyte> row = layer.Weights.Slice(o * layer.Inputs, layer.Inputs);
                for (int i = 0; i < row.Length; i++)
                {
                    weights[(o * layer.Inputs) + i] = row[i] * scale;
                }
            }

            layer.Biases.CopyTo(target.Slice(shape.BiasOffset(l), layer.Outputs));
        }

        return model;
    }
}
