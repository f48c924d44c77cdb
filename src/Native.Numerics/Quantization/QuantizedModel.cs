using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Native.Numerics.CompilerServices;
using Native.Numerics.Kernels.Quantized;
using Native.Numerics.Serialization;

namespace Native.Numerics.Quantization;

/// <summary>
/// A model that predicts in integers: each layer's input as unsigned bytes, its weights as signed bytes, their products
/// summed in 32 bits, exactly and with the same bits on every width and CPU; each layer's sums scaled back to floats,
/// biased and activated, then turned into the next layer's bytes; the top layer's values (logits) in float, through the
/// same heads and prediction policy as the float models (<see cref="PredictionPolicy"/>).
/// </summary>
/// <remarks>
/// <para>
/// Rows are taken as callers pass them (any span of floats, in the training data's units): each is turned into bytes as
/// it is read, the standardizer folded into that step. Prediction writes only the caller's spans and per-thread scratch,
/// so a model serves many threads at once; after a thread's first call (or first larger batch), nothing allocates.
/// </para>
/// <para>
/// A row with a NaN or infinite feature, or one whose bytes cannot be formed (a feature whose level, x·scale + offset, is
/// beyond ±2³¹ — more than 17 million calibrated ranges out — or, with per-row scales, whose standardized value is not
/// finite), or whose logits are not finite, gets NaN outputs and probabilities, and <see cref="PredictClass"/> and
/// <see cref="PredictValue"/> throw the float models' one-line error naming the feature; <see cref="TryPredictClass"/>
/// returns false. Other finite features beyond the calibrated range are clipped to it, as every calibrated int8 engine
/// clips them.
/// </para>
/// </remarks>
internal abstract class QuantizedModel
{
    private protected QuantizedModel(QuantizedParameters parameters)
    {
        Parameters = parameters;
    }

    /// <summary>What the model was built from: its shape, standardizer, scaling and integer layers.</summary>
    public QuantizedParameters Parameters { get; }

    /// <summary>The float model's kind, sizes and activations.</summary>
    public ModelShape Shape => Parameters.Shape;

    /// <summary>The integer path the kernels run on: the fastest this machine has, unless a test asks for another.</summary>
    internal IntegerPath Path { get; set; } = IntegerDispatch.Preferred;

    /// <summary>Builds the engine for <paramref name="parameters"/>, each layer in the form of fewer instructions for its shape (or in <paramref name="form"/>, for the tests).</summary>
    public static QuantizedModel Create(QuantizedParameters parameters, LayerForm? form = null)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        return parameters.Shape.Kind switch
        {
            ModelKind.LinearRegression or ModelKind.MultilayerPerceptronRegressor => new QuantizedModel<IdentityHead>(parameters, form),
            ModelKind.LogisticRegression => new QuantizedModel<SigmoidHead>(parameters, form),
            _ => new QuantizedModel<SoftmaxHead>(parameters, form),
        };
    }

    /// <summary>The predicted class of one row: the largest logit, or for a logistic regression the logit's sign.</summary>
    /// <exception cref="ArgumentException">The row's length is wrong, or its logits are not finite (the message names the feature).</exception>
    /// <exception cref="NotSupportedException">The model is a regression.</exception>
    public abstract int PredictClass(ReadOnlySpan<float> row);

    /// <summary>As <see cref="PredictClass"/>, but false (and class −1) for a row whose logits are not finite, rather than an exception.</summary>
    public abstract bool TryPredictClass(ReadOnlySpan<float> row, out int predictedClass);

    /// <summary>The predicted class of each row of <paramref name="rows"/>.</summary>
    /// <exception cref="ArgumentException">The lengths disagree, or a row's logits are not finite (the message names the row and feature).</exception>
    public abstract void PredictClasses(ReadOnlySpan<float> rows, Span<int> classes);

    /// <summary>The class probabilities of each of n rows (for a logistic regression [1 − p, p]); NaN for a row whose logits are not finite.</summary>
    public abstract void PredictProbabilities(ReadOnlySpan<float> rows, Span<float> probabilities);

    /// <summary>The value of one row: a regression's prediction, or a logistic regression's P(class 1).</summary>
    /// <exception cref="ArgumentException">The row's length is wrong, or a regression's value is not finite.</exception>
    /// <exception cref="NotSupportedException">The model predicts more than one value per row.</exception>
    public abstract float PredictValue(ReadOnlySpan<float> row);

    /// <summary>As <see cref="PredictValue"/>, but false (and NaN) for a row whose value is not finite, rather than an exception.</summary>
    public abstract bool TryPredictValue(ReadOnlySpan<float> row, out float value);

    /// <summary>The value of each row (NaN for a row whose value is not finite).</summary>
    public abstract void PredictValues(ReadOnlySpan<float> rows, Span<float> values);

    /// <summary>The top layer's values of each row (NaN throughout for a row whose values are not finite): for the tests.</summary>
    internal abstract void Logits(ReadOnlySpan<float> rows, Span<float> logits);

    /// <summary>
    /// Feature <paramref name="j"/>'s affine map of a raw value, as the kernels apply it: the standardizer folded into the
    /// first layer's input scale and zero point, calibrated, or into the standardized value, per row
    /// (<see cref="ModelFileFormat.FeatureMap"/>, which the files' means check computes too).
    /// </summary>
    internal static (float Scale, float Offset) FeatureMap(QuantizedParameters parameters, int j)
    {
        Standardizer? standardizer = parameters.Standardizer;
        QuantizedLayer first = parameters.Layers[0];
        return ModelFileFormat.FeatureMap(
            standardizer is null ? 0f : standardizer.Means[j],
            standardizer is null ? 1f : standardizer.Scales[j],
            parameters.Scaling == ActivationScaling.Calibrated,
            first.InputScale,
            first.InputZeroPoint);
    }

    /// <summary>
    /// The first layer's map for a calibrated model without a standardizer (<see cref="ZeroPointMap"/>): the scale of
    /// <see cref="FeatureMap"/> and the input's zero point, as the kernels take them.
    /// </summary>
    internal static ZeroPointMap ZeroPointMapOf(QuantizedParameters parameters) => new(FeatureMap(parameters, 0).Scale, parameters.Layers[0].InputZeroPoint);

    // Out of line: its messages' string builders would otherwise be zeroed in every caller's frame, one-row calls included.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private protected static int CheckRows(int rowsLength, int features, int outputLength, int perRow, string outputName, string rowsName = "rows")
    {
        if (rowsLength % features != 0)
        {
            throw new ArgumentException($"{rowsName} holds {rowsLength} floats, not a whole number of rows of {features} features.", rowsName);
        }

        int count = rowsLength / features;
        if ((long)count * perRow != outputLength)
        {
            throw new ArgumentException($"{outputName} holds {outputLength} values; {count} rows need {(long)count * perRow}.", outputName);
        }

        return count;
    }

    private protected static void CheckRow(int length, int features, string name = "row")
    {
        if (length != features)
        {
            ThrowRow(length, features, name);
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowRow(int length, int features, string name) =>
        throw new ArgumentException($"{name} has length {length}; expected {features}.", name);
}

/// <summary>The quantized engine under one head: its layers packed for the kernels, and the prediction calls.</summary>
/// <typeparam name="THead">What the top layer's values become: a value, a probability, class probabilities.</typeparam>
internal sealed partial class QuantizedModel<THead> : QuantizedModel
    where THead : struct, IOutputHead
{
    public QuantizedModel(QuantizedParameters parameters, LayerForm? form = null)
        : base(parameters)
    {
        ModelShape shape = parameters.Shape;
        _features = shape.Features;
        _outputs = shape.Outputs;
        _slope = shape.LeakyReluSlope;
        _perRow = parameters.Scaling == ActivationScaling.PerRow;
        _layers = new PackedLayer[shape.LayerCount];
        for (int l = 0; l < _layers.Length; l++)
        {
            _layers[l] = new PackedLayer(parameters.Layers[l], l < _layers.Length - 1 ? shape.HiddenActivations[l] : null, form);
        }

        _fused = !_perRow && _layers[0].Form == LayerForm.DotProduct;
        _interleaved = InterleavedWeights();
        (_featureScales, _featureOffsets) = InputMap(parameters);
        (_rowBytes, _rowInts, _rowFloats) = Scratch();
    }

    // The floats Forward writes for one row: the value, P(class 1), or the class probabilities.
    private int ForwardWidth => THead.ForwardWidth(_outputs);

    public override int PredictClass(ReadOnlySpan<float> row)
    {
        CheckRow(row.Length, _features);
        return OneRow<ClassResult>(ref MemoryMarshal.GetReference(row), ref Unsafe.NullRef<float>());
    }

    public override bool TryPredictClass(ReadOnlySpan<float> row, out int predictedClass)
    {
        CheckRow(row.Length, _features);
        predictedClass = OneRow<TryClassResult>(ref MemoryMarshal.GetReference(row), ref Unsafe.NullRef<float>());
        return predictedClass >= 0;
    }

    public override void PredictClasses(ReadOnlySpan<float> rows, Span<int> classes)
    {
        int count = CheckRows(rows.Length, _features, classes.Length, 1, nameof(classes));
        ManyRows<ClassResult>(rows, count, ref Unsafe.As<int, float>(ref MemoryMarshal.GetReference(classes)), 1);
    }

    public override void PredictProbabilities(ReadOnlySpan<float> rows, Span<float> probabilities)
    {
        int width = THead.ProbabilityWidth(_outputs);
        if (width == 0)
        {
            ThrowNoProbabilities();
        }

        // One row, without CheckRows' divisions.
        if (rows.Length == _features && probabilities.Length == width)
        {
            OneRow<ProbabilitiesResult>(ref MemoryMarshal.GetReference(rows), ref MemoryMarshal.GetReference(probabilities));
            return;
        }

        int count = CheckRows(rows.Length, _features, probabilities.Length, width, nameof(probabilities));
        ManyRows<ProbabilitiesResult>(rows, count, ref MemoryMarshal.GetReference(probabilities), width);
    }

    public override float PredictValue(ReadOnlySpan<float> row)
    {
        CheckValue();
        CheckRow(row.Length, _features);
        float value = 0f;
        OneRow<OutputsResult>(ref MemoryMarshal.GetReference(row), ref value);

        // A regression's value is used as such: NaN is an error there. P(class 1) stays NaN, as probabilities do.
        return THead.ProbabilityWidth(_outputs) == 0 && float.IsNaN(value) ? throw PredictionPolicy.Unpredictable(row, parameters: default, parameterName: "row") : value;
    }

    public override bool TryPredictValue(ReadOnlySpan<float> row, out float value)
    {
        CheckValue();
        CheckRow(row.Length, _features);
        value = 0f;
        OneRow<OutputsResult>(ref MemoryMarshal.GetReference(row), ref value);
        return !float.IsNaN(value);
    }

    public override void PredictValues(ReadOnlySpan<float> rows, Span<float> values)
    {
        // A regression's values: each row's targets, several a row for a regression of several targets; otherwise the one
        // value a row a logistic regression has (P(class 1)).
        if (THead.ProbabilityWidth(_outputs) != 0)
        {
            CheckValue();
        }

        int width = ForwardWidth;
        int count = CheckRows(rows.Length, _features, values.Length, width, nameof(values));
        ManyRows<OutputsResult>(rows, count, ref MemoryMarshal.GetReference(values), width);
    }

    internal override void Logits(ReadOnlySpan<float> rows, Span<float> logits)
    {
        int count = CheckRows(rows.Length, _features, logits.Length, _outputs, nameof(logits));
        ManyRows<LogitsResult>(rows, count, ref MemoryMarshal.GetReference(logits), _outputs);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void ThrowNoProbabilities() => throw new NotSupportedException($"The model {Shape} predicts values, not class probabilities.");

    private void CheckValue()
    {
        if (ForwardWidth != 1)
        {
            throw new NotSupportedException($"The model {Shape} writes {ForwardWidth} values per row, not one.");
        }
    }
}
