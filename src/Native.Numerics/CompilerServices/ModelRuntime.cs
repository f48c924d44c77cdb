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

    /// <inheritdoc cref="IModel.Forward"/>
    public abstract void Forward(ReadOnlySpan<float> features, Span<float> outputs);

    /// <inheritdoc cref="IModel.ForwardBatch"/>
    public abstract void ForwardBatch(ReadOnlySpan<float> rows, Span<float> outputs);

    /// <inheritdoc cref="IModel.Loss"/>
    public abstract float Loss(in Batch batch);

    /// <inheritdoc cref="IModel.AccumulateGradient"/>
    public abstract float AccumulateGradient(in Batch batch, Span<float> gradient);

    /// <inheritdoc cref="IFusedGradientStep.StepInPlace"/>
    public abstract float StepInPlace(in Batch batch, float stepSize);

    /// <summary>The predicted class of one row: the largest logit, or for a logistic regression the logit's sign.</summary>
    public abstract int PredictClass(ReadOnlySpan<float> features);

    /// <summary>The one value <see cref="Forward"/> writes for a row: a regression's prediction, or P(class 1).</summary>
    /// <exception cref="NotSupportedException">The model writes more than one value per row.</exception>
    public abstract float PredictValue(ReadOnlySpan<float> features);

    /// <summary>The predicted class of each row of <paramref name="rows"/>.</summary>
    public abstract void PredictClasses(ReadOnlySpan<float> rows, Span<int> classes);

    /// <summary>
    /// The class probabilities of each of n rows (one or many): for a logistic regression [1 − p, p] per row, otherwise
    /// what <see cref="Forward"/> writes.
    /// </summary>
    public abstract void PredictProbabilities(ReadOnlySpan<float> rows, Span<float> probabilities);

    private protected static void CheckLength(int actual, int expected, string name)
    {
        if (actual != expected)
        {
            ThrowLength(actual, expected, name);
        }
    }

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

/// <summary>
/// A model of the layers <typeparamref name="TStack"/> under the head <typeparamref name="THead"/>. For a generated model
/// every size in the stack is a constant, so each kernel below is compiled for exactly its shape. Not for direct use:
/// a generated model derives a sealed engine from it, whose calls are then direct.
/// </summary>
/// <typeparam name="TStack">The dense layers, bottom to top.</typeparam>
/// <typeparam name="THead">What the top layer's values become: a value, a probability, class probabilities.</typeparam>
[EditorBrowsable(EditorBrowsableState.Never)]
public class ModelRuntime<TStack, THead> : ModelRuntime
    where TStack : struct, IDenseLayers
    where THead : struct, IOutputHead
{
    private readonly TStack _layers;
    private readonly AlignedBuffer _parameters;
    private readonly float _slope;

    /// <summary>The runtime of a generated model: its stack is made of constant shapes, checked against <paramref name="shape"/>.</summary>
    /// <exception cref="ArgumentException">The stack's sizes are not the shape's.</exception>
    protected ModelRuntime(ModelShape shape)
        : this(shape, default)
    {
    }

    /// <summary>The runtime of a stack that carries its own sizes.</summary>
    internal ModelRuntime(ModelShape shape, TStack layers)
        : base(shape)
    {
        _layers = layers;
        if (_layers.Features != shape.Features || _layers.Outputs != shape.LayerSizes[^1] || _layers.ParameterCount != shape.ParameterCount)
        {
            throw new ArgumentException($"The layers ({_layers.Features} features, {_layers.Outputs} outputs, {_layers.ParameterCount} parameters) are not those of {shape}.", nameof(shape));
        }

        _parameters = new AlignedBuffer(shape.ParameterCount);
        _slope = shape.LeakyReluSlope;
    }

    /// <inheritdoc/>
    public sealed override Span<float> Parameters => _parameters.Span;

    // The floats Forward writes for one row.
    private int ForwardWidth => THead.ForwardWidth(_layers.Outputs);

    /// <inheritdoc/>
    public sealed override void Forward(ReadOnlySpan<float> features, Span<float> outputs)
    {
        CheckLength(features.Length, _layers.Features, nameof(features));
        CheckLength(outputs.Length, ForwardWidth, nameof(outputs));
        OneRow<HeadOutputs>(ref MemoryMarshal.GetReference(features), ref MemoryMarshal.GetReference(outputs));
    }

    /// <inheritdoc/>
    public sealed override float PredictValue(ReadOnlySpan<float> features)
    {
        if (ForwardWidth != 1)
        {
            throw new NotSupportedException($"The model {Shape} writes {ForwardWidth} values per row, not one.");
        }

        CheckLength(features.Length, _layers.Features, nameof(features));
        float value = 0f;
        OneRow<HeadOutputs>(ref MemoryMarshal.GetReference(features), ref value);

        // A regression's prediction is a value a caller uses as such: NaN (the policy's answer to a row without a
        // finite one) is an error there. P(class 1) stays NaN, as probabilities do.
        return THead.ProbabilityWidth(_layers.Outputs) == 0 && float.IsNaN(value) ? throw PredictionPolicy.Unpredictable(features) : value;
    }

    /// <inheritdoc/>
    public sealed override int PredictClass(ReadOnlySpan<float> features)
    {
        CheckLength(features.Length, _layers.Features, nameof(features));
        return OneRow<HeadClass>(ref MemoryMarshal.GetReference(features), ref Unsafe.NullRef<float>());
    }

    /// <inheritdoc/>
    public sealed override void PredictClasses(ReadOnlySpan<float> rows, Span<int> classes)
    {
        int features = _layers.Features;
        int count = CheckRows(rows.Length, features, classes.Length, 1, nameof(classes));
        ref float x = ref MemoryMarshal.GetReference(rows);
        for (int i = 0; i < count; i++)
        {
            classes[i] = OneRow<HeadClass>(ref Unsafe.Add(ref x, (nint)i * features), ref Unsafe.NullRef<float>(), row: i);
        }
    }

    /// <inheritdoc/>
    public sealed override void PredictProbabilities(ReadOnlySpan<float> rows, Span<float> probabilities)
    {
        int features = _layers.Features;
        int width = THead.ProbabilityWidth(_layers.Outputs);
        if (width == 0)
        {
            throw new NotSupportedException($"The model {Shape} predicts values, not class probabilities.");
        }

        int count = CheckRows(rows.Length, features, probabilities.Length, width, nameof(probabilities));
        if (count > 1 && width == ForwardWidth)
        {
            // Many rows whose probabilities are what Forward writes: the batch kernels.
            ForwardBatch(rows, probabilities);
            return;
        }

        ref float x = ref MemoryMarshal.GetReference(rows);
        ref float p = ref MemoryMarshal.GetReference(probabilities);
        for (int i = 0; i < count; i++)
        {
            OneRow<HeadProbabilities>(ref Unsafe.Add(ref x, (nint)i * features), ref Unsafe.Add(ref p, (nint)i * width));
        }
    }

    /// <inheritdoc/>
    public sealed override void ForwardBatch(ReadOnlySpan<float> rows, Span<float> outputs)
    {
        int count = CheckRows(rows.Length, _layers.Features, outputs.Length, ForwardWidth, nameof(outputs));
        var input = new Rows(in MemoryMarshal.GetReference(rows), _layers.Features, count);
        ref float y = ref MemoryMarshal.GetReference(outputs);
        switch (Width)
        {
            case SimdWidth.Vector512:
                ForwardRows<Simd512, Vector512<float>>(in input, ref y);
                break;
            case SimdWidth.Vector256:
                ForwardRows<Simd256, Vector256<float>>(in input, ref y);
                break;
            case SimdWidth.Vector128:
                ForwardRows<Simd128, Vector128<float>>(in input, ref y);
                break;
            default:
                ForwardRows<SimdScalar, float>(in input, ref y);
                break;
        }
    }

    /// <inheritdoc/>
    public sealed override float Loss(in Batch batch)
    {
        Batch.Validate(in batch, Shape);
        return Width switch
        {
            SimdWidth.Vector512 => Passes<Simd512, Vector512<float>>(in batch, ref Unsafe.NullRef<float>(), 0f, gradient: false),
            SimdWidth.Vector256 => Passes<Simd256, Vector256<float>>(in batch, ref Unsafe.NullRef<float>(), 0f, gradient: false),
            SimdWidth.Vector128 => Passes<Simd128, Vector128<float>>(in batch, ref Unsafe.NullRef<float>(), 0f, gradient: false),
            _ => Passes<SimdScalar, float>(in batch, ref Unsafe.NullRef<float>(), 0f, gradient: false),
        };
    }

    /// <inheritdoc/>
    public sealed override float AccumulateGradient(in Batch batch, Span<float> gradient)
    {
        Batch.Validate(in batch, Shape);
        CheckLength(gradient.Length, _layers.ParameterCount, nameof(gradient));
        return Gradient(in batch, ref MemoryMarshal.GetReference(gradient), 0f);
    }

    /// <inheritdoc/>
    public sealed override float StepInPlace(in Batch batch, float stepSize)
    {
        Batch.Validate(in batch, Shape);
        CheckStep(stepSize);
        if (batch.Count <= ModelWorkspace.ChunkRows)
        {
            // One chunk: each layer's errors are carried down with its weights as they were, then scaled by −step and
            // added straight into the weights — no gradient buffer, each weight written once.
            return Gradient(in batch, ref _parameters.Origin, stepSize);
        }

        // Several chunks: every row's gradient must be taken before any weight moves.
        Span<float> gradient = ModelWorkspace.Gradient(_layers.ParameterCount);
        gradient.Clear();
        float loss = Gradient(in batch, ref MemoryMarshal.GetReference(gradient), 0f);
        System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(gradient, -stepSize, _parameters.Span, _parameters.Span);
        return loss;
    }

    private float Gradient(in Batch batch, ref float destination, float step) => Width switch
    {
        SimdWidth.Vector512 => Passes<Simd512, Vector512<float>>(in batch, ref destination, step, gradient: true),
        SimdWidth.Vector256 => Passes<Simd256, Vector256<float>>(in batch, ref destination, step, gradient: true),
        SimdWidth.Vector128 => Passes<Simd128, Vector128<float>>(in batch, ref destination, step, gradient: true),
        _ => Passes<SimdScalar, float>(in batch, ref destination, step, gradient: true),
    };

    // One row at the width this instance runs at. The process's width is a constant to the JIT, so where the instance
    // runs at it (always, but in the tests) the choice folds to one comparison and a direct call.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int OneRow<TResult>(ref float x, ref float y, int row = -1)
        where TResult : struct, IRowResult =>
        Width == SimdSupport.Preferred ? OneRow<TResult>(SimdSupport.Preferred, ref x, ref y, row) : OneRow<TResult>(Width, ref x, ref y, row);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int OneRow<TResult>(SimdWidth width, ref float x, ref float y, int row)
        where TResult : struct, IRowResult => width switch
        {
            SimdWidth.Vector512 => Row<Simd512, Vector512<float>, TResult>(ref x, ref y, row),
            SimdWidth.Vector256 => Row<Simd256, Vector256<float>, TResult>(ref x, ref y, row),
            SimdWidth.Vector128 => Row<Simd128, Vector128<float>, TResult>(ref x, ref y, row),
            _ => Row<SimdScalar, float, TResult>(ref x, ref y, row),
        };

    // One row through the layers — the top layer's values in aligned scratch, stack memory unless large — then the
    // head, if the values are finite (the prediction policy: otherwise NaN outputs, or for a class an exception).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    [SkipLocalsInit]
    private int Row<TSimd, TVector, TResult>(ref float x, ref float y, int row)
        where TSimd : ISimd<TVector>
        where TVector : struct
        where TResult : struct, IRowResult
    {
        int length = AlignedBuffer.Pad(_layers.Outputs) + _layers.RowScratch;
        ref float top = ref length <= ModelWorkspace.StackLimit
            ? ref ModelWorkspace.Aligned(stackalloc float[length + AlignedBuffer.FloatsPerLine])
            : ref ModelWorkspace.Row(length);
        _layers.ForwardRow<TSimd, TVector>(ref _parameters.Origin, in x, ref top, ref Unsafe.Add(ref top, AlignedBuffer.Pad(_layers.Outputs)), _slope);
        return PredictionPolicy.IsFinite(MemoryMarshal.CreateReadOnlySpan(ref top, _layers.Outputs))
            ? TResult.Finish<TSimd, TVector, THead>(ref top, _layers.Outputs, ref y)
            : TResult.NotFinite<THead>(MemoryMarshal.CreateReadOnlySpan(ref x, _layers.Features), _layers.Outputs, ref y, row);
    }

    // Many rows, a chunk at a time: the layers' forward pass, then the head on each row.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void ForwardRows<TSimd, TVector>(scoped in Rows input, ref float y)
        where TSimd : ISimd<TVector>
        where TVector : struct
    {
        int outputs = _layers.Outputs;
        int width = ForwardWidth;
        ref float workspace = ref ModelWorkspace.Chunk(_layers.ChunkWorkspace);
        for (int start = 0; start < input.Count; start += ModelWorkspace.ChunkRows)
        {
            int n = Math.Min(ModelWorkspace.ChunkRows, input.Count - start);
            Rows chunk = input.Slice(start, n);
            ref float values = ref _layers.ForwardChunk<TSimd, TVector>(ref _parameters.Origin, in chunk, ref workspace, _slope);
            for (int i = 0; i < n; i++)
            {
                ref float row = ref Unsafe.Add(ref values, i * outputs);
                ref float destination = ref Unsafe.Add(ref y, (nint)(start + i) * width);
                if (PredictionPolicy.IsFinite(MemoryMarshal.CreateReadOnlySpan(ref row, outputs)))
                {
                    THead.Row<TSimd, TVector>(ref row, outputs, ref destination);
                }
                else
                {
                    MemoryMarshal.CreateSpan(ref destination, width).Fill(float.NaN);
                }
            }
        }
    }

    // The forward pass, the head's loss (and errors), and when asked the backward pass, a chunk at a time.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private float Passes<TSimd, TVector>(in Batch batch, ref float destination, float step, bool gradient)
        where TSimd : ISimd<TVector>
        where TVector : struct
    {
        int outputs = _layers.Outputs;
        ref float workspace = ref ModelWorkspace.Chunk(_layers.ChunkWorkspace);
        double total = 0;
        for (int start = 0; start < batch.Count; start += ModelWorkspace.ChunkRows)
        {
            Batch chunk = batch.Slice(start, Math.Min(ModelWorkspace.ChunkRows, batch.Count - start));
            int n = chunk.Count;
            Rows rows = chunk.Rows;
            ref float values = ref _layers.ForwardChunk<TSimd, TVector>(ref _parameters.Origin, in rows, ref workspace, _slope);
            Span<float> errors = gradient ? MemoryMarshal.CreateSpan(ref Unsafe.Add(ref values, ModelWorkspace.ChunkRows * outputs), n * outputs) : default;
            total += THead.Loss<TSimd, TVector>(in chunk, MemoryMarshal.CreateSpan(ref values, n * outputs), errors, outputs);
            if (gradient)
            {
                _layers.BackwardChunk<TSimd, TVector>(ref _parameters.Origin, in rows, ref workspace, ref destination, step, _slope, ref Unsafe.NullRef<float>(), propagate: false);
            }
        }

        return (float)total;
    }
}

/// <summary>What one row's pass ends in: the head's outputs, its probabilities, or its class.</summary>
internal interface IRowResult
{
    /// <summary>Turns the top layer's values into the result, written to <paramref name="y"/> or returned.</summary>
    static abstract int Finish<TSimd, TVector, THead>(ref float top, int outputs, ref float y)
        where TSimd : ISimd<TVector>
        where TVector : struct
        where THead : struct, IOutputHead;

    /// <summary>
    /// The result for a row whose top values are not finite (<see cref="PredictionPolicy"/>): NaN outputs, or for a
    /// class the exception naming the feature (and <paramref name="row"/>, when not negative).
    /// </summary>
    static abstract int NotFinite<THead>(ReadOnlySpan<float> features, int outputs, ref float y, int row)
        where THead : struct, IOutputHead;
}

/// <summary>The head's outputs, what <see cref="IModel.Forward"/> writes.</summary>
internal readonly struct HeadOutputs : IRowResult
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Finish<TSimd, TVector, THead>(ref float top, int outputs, ref float y)
        where TSimd : ISimd<TVector>
        where TVector : struct
        where THead : struct, IOutputHead
    {
        THead.Row<TSimd, TVector>(ref top, outputs, ref y);
        return 0;
    }

    public static int NotFinite<THead>(ReadOnlySpan<float> features, int outputs, ref float y, int row)
        where THead : struct, IOutputHead
    {
        MemoryMarshal.CreateSpan(ref y, THead.ForwardWidth(outputs)).Fill(float.NaN);
        return 0;
    }
}

/// <summary>The head's class probabilities.</summary>
internal readonly struct HeadProbabilities : IRowResult
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Finish<TSimd, TVector, THead>(ref float top, int outputs, ref float y)
        where TSimd : ISimd<TVector>
        where TVector : struct
        where THead : struct, IOutputHead
    {
        THead.Probabilities<TSimd, TVector>(ref top, outputs, ref y);
        return 0;
    }

    public static int NotFinite<THead>(ReadOnlySpan<float> features, int outputs, ref float y, int row)
        where THead : struct, IOutputHead
    {
        MemoryMarshal.CreateSpan(ref y, THead.ProbabilityWidth(outputs)).Fill(float.NaN);
        return 0;
    }
}

/// <summary>The head's class.</summary>
internal readonly struct HeadClass : IRowResult
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Finish<TSimd, TVector, THead>(ref float top, int outputs, ref float y)
        where TSimd : ISimd<TVector>
        where TVector : struct
        where THead : struct, IOutputHead => THead.Class(ref top, outputs);

    public static int NotFinite<THead>(ReadOnlySpan<float> features, int outputs, ref float y, int row)
        where THead : struct, IOutputHead => throw PredictionPolicy.Unpredictable(features, row, row < 0 ? "features" : "rows");
}
