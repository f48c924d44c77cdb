using System.ComponentModel;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using Native.Numerics.Kernels;

namespace Native.Numerics.CompilerServices;

/// <summary>
/// The engine of a model: its parameters, its layers and its head, and every operation of <see cref="IModel"/>. The
/// run-time-shaped models and the generated ones both run on it, as <c>RegexRunner</c> runs
/// <c>[GeneratedRegex]</c>. Not for direct use.
/// </summary>
/// <remarks>
/// Length and batch checks happen here, once, before any kernel runs; the kernels below read through unchecked
/// references. The vector width is chosen per instance, the widest the hardware runs unless the tests say otherwise.
/// </remarks>
[EditorBrowsable(EditorBrowsableState.Never)]
public abstract class ModelRuntime
{
    private protected ModelRuntime(ModelShape shape)
    {
        ArgumentNullException.ThrowIfNull(shape);
        Shape = shape;
    }

    /// <summary>The model's kind, layer sizes and activations.</summary>
    public ModelShape Shape { get; }

    /// <summary>All parameters in one contiguous, 64-byte-aligned block: for each dense layer, its weights, then its biases.</summary>
    public abstract Span<float> Parameters { get; }

    /// <summary>The vector width the kernels run at: the widest the hardware has, unless a test asks for another.</summary>
    internal SimdWidth Width { get; set; } = SimdSupport.Preferred;

    /// <summary>The standardizer every input row goes through before the first layer, or null (the rows are the model's inputs).</summary>
    public abstract Standardizer? Standardizer { get; }

    /// <summary>
    /// A runtime over the same parameters (a change through one is seen by the other) whose rows first go through
    /// <paramref name="standardizer"/>: the predictor of a model trained on standardized data, fed raw rows.
    /// </summary>
    /// <exception cref="ArgumentException">The standardizer's feature count is not the model's.</exception>
    internal abstract ModelRuntime WithStandardizer(Standardizer? standardizer);

    /// <inheritdoc cref="IModel.Forward"/>
    public abstract void Forward(ReadOnlySpan<float> row, Span<float> outputs);

    /// <inheritdoc cref="IModel.ForwardBatch"/>
    public abstract void ForwardBatch(ReadOnlySpan<float> rows, Span<float> outputs);

    /// <inheritdoc cref="IModel.Loss"/>
    public abstract float Loss(in Batch batch);

    /// <inheritdoc cref="IModel.AccumulateGradient"/>
    public abstract float AccumulateGradient(in Batch batch, Span<float> gradient);

    /// <inheritdoc cref="IFusedGradientStep.StepInPlace"/>
    public abstract float StepInPlace(in Batch batch, float stepSize);

    /// <inheritdoc cref="IClassifier.PredictClass"/>
    public abstract int PredictClass(ReadOnlySpan<float> row);

    /// <inheritdoc cref="IClassifier.TryPredictClass"/>
    public abstract bool TryPredictClass(ReadOnlySpan<float> row, out int predictedClass);

    /// <inheritdoc cref="IClassifier.PredictClasses"/>
    public abstract void PredictClasses(ReadOnlySpan<float> rows, Span<int> classes);

    /// <inheritdoc cref="IClassifier.PredictProbabilities"/>
    public abstract void PredictProbabilities(ReadOnlySpan<float> rows, Span<float> probabilities);

    /// <inheritdoc cref="IRegressor.PredictValue"/>
    public abstract float PredictValue(ReadOnlySpan<float> row);

    /// <inheritdoc cref="IRegressor.TryPredictValue"/>
    public abstract bool TryPredictValue(ReadOnlySpan<float> row, out float value);

    /// <inheritdoc cref="IRegressor.PredictValues"/>
    public abstract void PredictValues(ReadOnlySpan<float> rows, Span<float> values);

    private protected static void CheckLength(int actual, int expected, string name)
    {
        if (actual != expected)
        {
            ThrowLength(actual, expected, name);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
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

    private protected static void CheckStep(float stepSize)
    {
        if (!float.IsFinite(stepSize))
        {
            throw new ArgumentOutOfRangeException(nameof(stepSize), stepSize, "The step size must be finite.");
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowLength(int actual, int expected, string name) =>
        throw new ArgumentException($"{name} has length {actual}; expected {expected}.", name);
}
