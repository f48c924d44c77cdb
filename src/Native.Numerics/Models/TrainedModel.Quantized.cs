using System.Globalization;
using Native.Numerics.Quantization;
using Native.Numerics.Serialization;

namespace Native.Numerics;

// A quantized trained model: predictions in integers (Quantization/QuantizedModel), the same calls and metadata.
public partial class TrainedModel
{
    // The integer engine of a quantized model; the same engine in _quantizedRaw when the model has no pipeline, so that the
    // float-span calls reach it by one test (with a pipeline, rows are encoded first and reach _quantized).
    private readonly QuantizedModel? _quantized;
    private readonly QuantizedModel? _quantizedRaw;

    /// <summary>A quantized model with its metadata: <see cref="Model"/> holds the float weights its bytes stand for.</summary>
    internal TrainedModel(QuantizedParameters parameters, ModelMetadata metadata, string? libraryVersion)
        : this(Dequantized(parameters), metadata, libraryVersion)
    {
        // With a pipeline, the standardizer is the pipeline's: its encoded rows (not standardized) are the integer layers' input.
        if (!ReferenceEquals(metadata.Standardizer ?? metadata.Pipeline?.Standardizer, parameters.Standardizer))
        {
            throw new ArgumentException("The metadata's standardizer is not the one folded into the quantized model.", nameof(metadata));
        }

        _quantized = QuantizedModel.Create(parameters);
        _quantizedRaw = metadata.Pipeline is null ? _quantized : null;
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
    /// on every CPU. The metadata (class names, feature names, standardizer, pipeline, properties) travel with it; save it with
    /// <see cref="ModelFile.Save(TrainedModel, string, CancellationToken)"/> as an int8 file.
    /// </summary>
    /// <remarks>
    /// A feature beyond the calibrated range is clipped to it, as in every calibrated int8 engine: give rows that cover what
    /// the model will see (a few hundred training rows serve). For inputs with heavy tails, or without calibration rows,
    /// <see cref="Quantize()"/> scales each row by its own range instead, at some cost in time. A model with a
    /// <see cref="Pipeline"/> of numbers only takes rows here as its float-span predictions do (one value per number column,
    /// NaN for missing); one whose pipeline has categories calibrates on its table (<see cref="Quantize(TableData)"/>) or
    /// records (<see cref="Quantize(IEnumerable{TableRow})"/>).
    /// </remarks>
    /// <param name="calibrationRows">Raw rows, as the prediction calls take them, one after another: at least one, all finite (NaN for missing, with a pipeline).</param>
    /// <returns>A new quantized trained model; this one is unchanged.</returns>
    /// <exception cref="ArgumentException">The rows are not a whole number of rows of <see cref="Features"/> floats, or one is not finite (the message names it); or a parameter is not finite; or the quantized model could not be saved (a standardizer's mean so far out, in units of its deviation and the input step, that a row at the means has no input level).</exception>
    /// <exception cref="NotSupportedException">The model is quantized already, or its pipeline has category columns (which rows of floats cannot hold).</exception>
    public TrainedModel Quantize(ReadOnlySpan<float> calibrationRows)
    {
        CheckQuantizable();
        if (calibrationRows.IsEmpty)
        {
            throw new ArgumentException($"No calibration rows: at least one row of {Features} floats is needed (or call Quantize() for per-row scales).", nameof(calibrationRows));
        }

        return _pipeline is null ? QuantizeEncoded(calibrationRows) : QuantizeEncoded(EncodeCalibrationNumbers(calibrationRows));
    }

    /// <summary>
    /// This model, which keeps a feature pipeline, in integers as <see cref="Quantize(ReadOnlySpan{float})"/>, calibrated on a
    /// table read through that pipeline — <c>Table.Read("loans.csv", model.Pipeline)</c>, or the table the model was trained on:
    /// its encoded rows (<see cref="TableData.Data"/>) are what the integer layers take. The pipeline stays as it is (in floats,
    /// applied before the first layer's bytes), so the quantized model predicts from the same records.
    /// </summary>
    /// <param name="calibration">The table, encoded by the model's pipeline (or one equal to it); every row is used.</param>
    /// <returns>A new quantized trained model, with the same pipeline; this one is unchanged.</returns>
    /// <exception cref="ArgumentException">The table has no rows, or was encoded by another pipeline; or the model cannot be quantized (see <see cref="Quantize(ReadOnlySpan{float})"/>).</exception>
    /// <exception cref="NotSupportedException">The model has no pipeline (calibrate on rows of floats), or is quantized already.</exception>
    public TrainedModel Quantize(TableData calibration)
    {
        ArgumentNullException.ThrowIfNull(calibration);
        CheckQuantizable();
        FeaturePipeline pipeline = RequirePipeline();
        if (!ReferenceEquals(calibration.Pipeline, pipeline)
            && (!Same(calibration.Pipeline.Standardizer, pipeline.Standardizer)
                || ModelFileFormat.PipelineJson(calibration.Pipeline) != ModelFileFormat.PipelineJson(pipeline)))
        {
            throw new ArgumentException("The table was encoded by another pipeline than the model's: read it through the model's, Table.Read(path, model.Pipeline).", nameof(calibration));
        }

        Dataset data = calibration.Data;
        if (data.Count == 0)
        {
            throw new ArgumentException("The table has no rows; calibration needs at least one (or call Quantize() for per-row scales).", nameof(calibration));
        }

        float[] rows = GC.AllocateUninitializedArray<float>(checked(data.Count * data.Features));
        for (int i = 0; i < data.Count; i++)
        {
            data.Row(i).CopyTo(rows.AsSpan(i * data.Features));
        }

        return QuantizeEncoded(rows);
    }

    /// <summary>
    /// This model, which keeps a feature pipeline, in integers as <see cref="Quantize(ReadOnlySpan{float})"/>, calibrated on
    /// records — each encoded by the pipeline as it is enumerated, so a sequence may hand out one <see cref="TableRow"/> again
    /// and again, set anew (from a database reader, say). The pipeline stays as it is; the integer layers take its encoded rows.
    /// </summary>
    /// <param name="calibrationRows">At least one record, each made by the model's <see cref="CreateRow"/> (or its pipeline's).</param>
    /// <returns>A new quantized trained model, with the same pipeline; this one is unchanged.</returns>
    /// <exception cref="ArgumentException">No record, or one made by another pipeline; or the model cannot be quantized (see <see cref="Quantize(ReadOnlySpan{float})"/>).</exception>
    /// <exception cref="NotSupportedException">The model has no pipeline (calibrate on rows of floats), or is quantized already.</exception>
    public TrainedModel Quantize(IEnumerable<TableRow> calibrationRows)
    {
        ArgumentNullException.ThrowIfNull(calibrationRows);
        CheckQuantizable();
        FeaturePipeline pipeline = RequirePipeline();
        int width = pipeline.Features;
        float[] rows = new float[width * 64];
        int count = 0;
        foreach (TableRow row in calibrationRows)
        {
            if ((long)(count + 1) * width > rows.Length)
            {
                Array.Resize(ref rows, (int)Math.Min(2L * rows.Length, Array.MaxLength / width * (long)width));
            }

            pipeline.Encode(row, rows.AsSpan(count * width, width));
            count++;
        }

        if (count == 0)
        {
            throw new ArgumentException("No calibration records: at least one is needed (or call Quantize() for per-row scales).", nameof(calibrationRows));
        }

        return QuantizeEncoded(rows.AsSpan(0, count * width));
    }

    /// <summary>
    /// This model in integers, as <see cref="Quantize(ReadOnlySpan{float})"/>, but each layer's input scaled by each row's own
    /// range as the row is predicted: no calibration rows, nothing clipped, slower (a second pass over each layer's input).
    /// </summary>
    /// <returns>A new quantized trained model; this one is unchanged.</returns>
    /// <exception cref="ArgumentException">A parameter is not finite, or the quantized model could not be saved (its outputs could not be finite).</exception>
    /// <exception cref="NotSupportedException">The model is quantized already.</exception>
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
    }

    /// <summary>Calibrated on rows as the integer layers take them: raw rows without a pipeline, encoded rows with one.</summary>
    private TrainedModel QuantizeEncoded(ReadOnlySpan<float> rows) =>
        Checked(Quantizer.Quantize(Shape, UntypedModel.Parameters, Standardizer, rows, ActivationScaling.Calibrated));

    /// <summary>The encoded rows of float rows of a pipeline of numbers only (one value per number column, NaN for missing).</summary>
    private float[] EncodeCalibrationNumbers(ReadOnlySpan<float> rows)
    {
        FeaturePipeline pipeline = _pipeline!;
        if (pipeline.HasCategories)
        {
            throw new NotSupportedException("The model's pipeline has category columns, which rows of floats cannot hold: calibrate on its table, Quantize(Table.Read(path, model.Pipeline)), or on records made with CreateRow.");
        }

        int count = PipelineRows(rows.Length, 0, 0, "calibrationRows", "calibrationRows");
        int columns = pipeline.NumberColumns, width = EncodedWidth;
        float[] encoded = new float[checked(count * width)];
        for (int i = 0; i < count; i++)
        {
            ReadOnlySpan<float> row = rows.Slice(i * columns, columns);
            int infinite = IndexOfInfinity(row);
            if (infinite >= 0)
            {
                throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"Calibration row {i}, value {infinite} is {row[infinite]}; values are finite (NaN for missing)."), nameof(rows));
            }

            pipeline.EncodeNumbers(row, encoded.AsSpan(i * width, width));
        }

        return encoded;
    }

    private static int IndexOfInfinity(ReadOnlySpan<float> row)
    {
        for (int j = 0; j < row.Length; j++)
        {
            if (float.IsInfinity(row[j]))
            {
                return j;
            }
        }

        return -1;
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
