using System.ComponentModel;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Native.Numerics.Kernels;

namespace Native.Numerics.CompilerServices;

/// <summary>
/// A model of the layers <typeparamref name="TLayers"/> under the head <typeparamref name="THead"/>. For a generated model
/// every size in the stack is a constant, so each kernel below is compiled for exactly its shape. Not for direct use:
/// a generated model derives a sealed engine from it, whose calls are then direct.
/// </summary>
/// <typeparam name="TLayers">The dense layers, bottom to top.</typeparam>
/// <typeparam name="THead">What the top layer's values become: a value, a probability, class probabilities.</typeparam>
[EditorBrowsable(EditorBrowsableState.Never)]
public partial class ModelRuntime<TLayers, THead> : ModelRuntime
    where TLayers : struct, IDenseLayers
    where THead : struct, IOutputHead
{
    private readonly TLayers _layers;
    private readonly AlignedBuffer _parameters;
    private readonly float _slope;
    private readonly Standardizer? _standardizer;
    private readonly AlignedBuffer? _means;
    private readonly AlignedBuffer? _scales;

    /// <summary>The runtime of a generated model: its stack is made of constant shapes, checked against <paramref name="shape"/>.</summary>
    /// <exception cref="ArgumentException">The stack's sizes are not the shape's.</exception>
    [SuppressMessage("ApiDesign", "RS0022", Justification = "Deliberate: a generated model's engine derives from this runtime; the abstract base stays closed.")]
    protected ModelRuntime(ModelShape shape)
        : this(shape, default)
    {
    }

    /// <summary>
    /// The runtime of a generated model whose rows go through <paramref name="standardizer"/> first (a model compiled from a
    /// file saved with one).
    /// </summary>
    /// <exception cref="ArgumentException">The stack's sizes are not the shape's, or the standardizer's feature count is not the model's.</exception>
    [SuppressMessage("ApiDesign", "RS0022", Justification = "Deliberate: a generated model's engine derives from this runtime; the abstract base stays closed.")]
    protected ModelRuntime(ModelShape shape, Standardizer? standardizer)
        : this(shape, default, parameters: null, standardizer)
    {
    }

    /// <summary>The runtime of a stack that carries its own sizes, with new (zero) parameters or given ones, and a standardizer or none.</summary>
    internal ModelRuntime(ModelShape shape, TLayers layers, AlignedBuffer? parameters = null, Standardizer? standardizer = null)
        : base(shape)
    {
        _layers = layers;
        if (_layers.Features != shape.Features || _layers.Outputs != shape.LayerSizes[^1] || _layers.ParameterCount != shape.ParameterCount)
        {
            throw new ArgumentException($"The layers ({_layers.Features} features, {_layers.Outputs} outputs, {_layers.ParameterCount} parameters) are not those of {shape}.", nameof(shape));
        }

        _parameters = parameters ?? new AlignedBuffer(shape.ParameterCount);
        _slope = shape.LeakyReluSlope;
        if (standardizer is not null)
        {
            if (standardizer.Features != shape.Features)
            {
                throw new ArgumentException($"The standardizer was fitted to {standardizer.Features} features; the model {shape} takes {shape.Features}.", nameof(standardizer));
            }

            _standardizer = standardizer;
            _means = new AlignedBuffer(shape.Features);
            _scales = new AlignedBuffer(shape.Features);
            standardizer.Means.CopyTo(_means.Span);
            standardizer.Scales.CopyTo(_scales.Span);
        }
    }

    /// <inheritdoc/>
    public sealed override Standardizer? Standardizer => _standardizer;

    /// <inheritdoc/>
    public sealed override Span<float> Parameters => _parameters.Span;

    // The floats one row of standardized inputs takes in a chunk's workspace (many rows are standardized into memory
    // first; a single row is standardized as its first layer reads it): none without a standardizer.
    private int StandardizedRow => _scales is null ? 0 : (int)ParameterLayout.PaddedWidth(_layers.Features);

    /// <inheritdoc/>
    internal sealed override ModelRuntime WithStandardizer(Standardizer? standardizer) =>
        new ModelRuntime<TLayers, THead>(Shape, _layers, _parameters, standardizer) { Width = Width };

    // The floats Forward writes for one row.
    private int ForwardWidth => THead.ForwardWidth(_layers.Outputs);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public sealed override void Forward(ReadOnlySpan<float> row, Span<float> outputs)
    {
        CheckLength(row.Length, _layers.Features, nameof(row));
        CheckLength(outputs.Length, ForwardWidth, nameof(outputs));
        PredictRow(ref MemoryMarshal.GetReference(row), new OutputsResult(ref MemoryMarshal.GetReference(outputs)));
    }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public sealed override float PredictValue(ReadOnlySpan<float> row)
    {
        // NaN (the policy's answer to a row without a finite value) is an error where a value is returned: NaN hides.
        return TryPredictValue(row, out float value) ? value : throw PredictionPolicy.Unpredictable(row, _parameters.Span);
    }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public sealed override bool TryPredictValue(ReadOnlySpan<float> row, out float value)
    {
        CheckRegression();
        if (ForwardWidth != 1)
        {
            throw new NotSupportedException($"The model {Shape} predicts {ForwardWidth} values a row; use PredictValues.");
        }

        CheckLength(row.Length, _layers.Features, nameof(row));
        value = 0f;
        PredictRow(ref MemoryMarshal.GetReference(row), new OutputsResult(ref value));
        return !float.IsNaN(value);
    }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public sealed override void PredictValues(ReadOnlySpan<float> rows, Span<float> values)
    {
        CheckRegression();
        ForwardRows(rows, CheckRows(rows.Length, _layers.Features, values.Length, ForwardWidth, nameof(values)), values);
    }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public sealed override int PredictClass(ReadOnlySpan<float> row)
    {
        CheckLength(row.Length, _layers.Features, nameof(row));
        return PredictRow(ref MemoryMarshal.GetReference(row), ClassResult.SingleRow);
    }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public sealed override bool TryPredictClass(ReadOnlySpan<float> row, out int predictedClass)
    {
        CheckLength(row.Length, _layers.Features, nameof(row));
        predictedClass = PredictRow(ref MemoryMarshal.GetReference(row), default(ClassOrNoneResult));
        return predictedClass >= 0;
    }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public sealed override void PredictClasses(ReadOnlySpan<float> rows, Span<int> classes)
    {
        int features = _layers.Features;
        int count = CheckRows(rows.Length, features, classes.Length, 1, nameof(classes));
        ref float x = ref MemoryMarshal.GetReference(rows);
        for (int i = 0; i < count; i++)
        {
            classes[i] = PredictRow(ref Unsafe.Add(ref x, (nint)i * features), ClassResult.InBatch(i));
        }
    }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
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
            ForwardRows(rows, count, probabilities);
            return;
        }

        ref float x = ref MemoryMarshal.GetReference(rows);
        ref float p = ref MemoryMarshal.GetReference(probabilities);
        for (int i = 0; i < count; i++)
        {
            PredictRow(ref Unsafe.Add(ref x, (nint)i * features), new ProbabilitiesResult(ref Unsafe.Add(ref p, (nint)i * width)));
        }
    }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public sealed override void ForwardBatch(ReadOnlySpan<float> rows, Span<float> outputs) =>
        ForwardRows(rows, CheckRows(rows.Length, _layers.Features, outputs.Length, ForwardWidth, nameof(outputs)), outputs);

    // The batch kernels over count rows whose lengths the caller has checked (under its own parameter's name).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void ForwardRows(ReadOnlySpan<float> rows, int count, Span<float> outputs)
    {
        var operation = new ForwardRowsOperation(this, new Rows(in MemoryMarshal.GetReference(rows), _layers.Features, count), ref MemoryMarshal.GetReference(outputs));
        VectorDispatch.Run<ForwardRowsOperation, bool>(Width, ref operation);
    }

    // Values are a regression's prediction; a classifier's outputs are probabilities, asked for by their name.
    private void CheckRegression()
    {
        if (THead.ProbabilityWidth(_layers.Outputs) != 0)
        {
            throw new NotSupportedException($"The model {Shape} predicts classes, not values; use PredictClass or PredictProbabilities.");
        }
    }

    // One row at the width this instance runs at, from the first call compiled optimized, and called, not inlined (its
    // scratch is stack memory, which keeps the JIT from inlining it): the width's layers and head are inlined into it, so that an entry point inlined into
    // a caller's tier-1 code leaves that caller one call and nothing for its inlining budget (docs/performance.md,
    // "Cold start"). At the process's width the dispatch folds to one body (VectorDispatch); other widths, which only the
    // tests ask for, take a method of their own.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    [SkipLocalsInit]
    private int PredictRow<TResult>(ref float x, TResult result)
        where TResult : struct, IRowResult, allows ref struct
    {
        int padded = (int)ParameterLayout.PaddedWidth(_layers.Outputs);
        int length = padded + _layers.RowScratch;
        ref float top = ref length <= ModelWorkspace.StackLimit
            ? ref ModelWorkspace.Aligned(stackalloc float[length + AlignedBuffer.FloatsPerLine])
            : ref ModelWorkspace.Row(length);
        var operation = new PredictRowOperation<TResult>(this, ref x, ref top, result);
        return Width == SimdSupport.Preferred
            ? VectorDispatch.Run<PredictRowOperation<TResult>, int>(ref operation)
            : PredictRowAtOtherWidth(ref operation);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private int PredictRowAtOtherWidth<TResult>(scoped ref PredictRowOperation<TResult> operation)
        where TResult : struct, IRowResult, allows ref struct =>
        VectorDispatch.Run<PredictRowOperation<TResult>, int>(Width, ref operation);

    // One row through the layers — the top layer's values in the aligned scratch at top, the bottom layer standardizing the
    // row as it reads it when the model has a standardizer — then the head, if the values are finite (the prediction
    // policy: otherwise NaN outputs, or for a class an exception).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int PredictRowAt<TSimd, TVector, TResult>(ref float x, ref float top, TResult result)
        where TSimd : ISimd<TVector>
        where TVector : struct
        where TResult : struct, IRowResult, allows ref struct
    {
        ref float scratch = ref Unsafe.Add(ref top, (nint)ParameterLayout.PaddedWidth(_layers.Outputs));
        if (_scales is null)
        {
            _layers.ForwardRow<TSimd, TVector, RawInput>(ref _parameters.Origin, in x, default, ref top, ref scratch, _slope);
        }
        else
        {
            _layers.ForwardRow<TSimd, TVector, StandardizedInput>(ref _parameters.Origin, in x, new StandardizedInput(ref _means!.Origin, ref _scales.Origin), ref top, ref scratch, _slope);
        }

        return PredictionPolicy.IsFinite(MemoryMarshal.CreateReadOnlySpan(ref top, _layers.Outputs))
            ? result.Finish<TSimd, TVector, THead>(ref top, _layers.Outputs)
            : result.NotFinite<THead>(MemoryMarshal.CreateReadOnlySpan(ref x, _layers.Features), _parameters.Span, _layers.Outputs);
    }

    // Many rows, a chunk at a time: the layers' forward pass, then the head on each row.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void ForwardRows<TSimd, TVector>(scoped in Rows input, ref float y)
        where TSimd : ISimd<TVector>
        where TVector : struct
    {
        int outputs = _layers.Outputs;
        int width = ForwardWidth;
        ref float workspace = ref ModelWorkspace.Chunk(ChunkWorkspace);
        for (int start = 0; start < input.Count; start += ParameterLayout.ChunkRows)
        {
            int n = Math.Min(ParameterLayout.ChunkRows, input.Count - start);
            Rows chunk = Standardized<TSimd, TVector>(input.Slice(start, n), ref workspace);
            ref float values = ref _layers.ForwardChunk<TSimd, TVector, RawInput>(ref _parameters.Origin, in chunk, default, ref workspace, _slope);
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

    // The chunk's workspace: the layers' outputs and errors, then, with a standardizer, the chunk's standardized rows.
    private int ChunkWorkspace => _layers.ChunkWorkspace + (ParameterLayout.ChunkRows * StandardizedRow);

    // The rows the layers read: these, or with a standardizer their standardized copies at the workspace's end.
    private Rows Standardized<TSimd, TVector>(Rows rows, ref float workspace)
        where TSimd : ISimd<TVector>
        where TVector : struct
    {
        if (_scales is null)
        {
            return rows;
        }

        int stride = StandardizedRow;
        ref float copies = ref Unsafe.Add(ref workspace, _layers.ChunkWorkspace);
        for (int i = 0; i < rows.Count; i++)
        {
            Vectors.Standardize<TSimd, TVector>(ref Unsafe.AsRef(in rows[i]), ref _means!.Origin, ref _scales.Origin, ref Unsafe.Add(ref copies, (nint)i * stride), _layers.Features);
        }

        return new Rows(in copies, stride, rows.Count);
    }

    // The operations VectorDispatch runs at the instance's width.
    private readonly ref struct PredictRowOperation<TResult>(ModelRuntime<TLayers, THead> runtime, ref float x, ref float top, TResult result) : IVectorOperation<int>
        where TResult : struct, IRowResult, allows ref struct
    {
        private readonly ref float _x = ref x;
        private readonly ref float _top = ref top;
        private readonly TResult _result = result;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public int Invoke<TSimd, TVector>()
            where TSimd : ISimd<TVector>
            where TVector : struct =>
            runtime.PredictRowAt<TSimd, TVector, TResult>(ref _x, ref _top, _result);
    }

    private readonly ref struct ForwardRowsOperation(ModelRuntime<TLayers, THead> runtime, Rows input, ref float y) : IVectorOperation<bool>
    {
        private readonly Rows _input = input;
        private readonly ref float _y = ref y;

        public bool Invoke<TSimd, TVector>()
            where TSimd : ISimd<TVector>
            where TVector : struct
        {
            runtime.ForwardRows<TSimd, TVector>(in _input, ref _y);
            return true;
        }
    }
}
