using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Native.Numerics.Kernels;

namespace Native.Numerics.CompilerServices;

// Training: the loss, the gradient and the step over a batch, a chunk of rows at a time at the instance's width.
public partial class ModelRuntime<TLayers, THead>
{
    /// <inheritdoc/>
    public sealed override float Loss(in Batch batch)
    {
        Batch.Validate(in batch, Shape);
        return Pass(in batch, default(LossMode));
    }

    /// <inheritdoc/>
    public sealed override float AccumulateGradient(in Batch batch, Span<float> gradient)
    {
        Batch.Validate(in batch, Shape);
        CheckLength(gradient.Length, _layers.ParameterCount, nameof(gradient));
        return Pass(in batch, new GradientMode(ref MemoryMarshal.GetReference(gradient)));
    }

    /// <inheritdoc/>
    public sealed override float StepInPlace(in Batch batch, float stepSize)
    {
        Batch.Validate(in batch, Shape);
        CheckStep(stepSize);
        if (batch.Count <= ParameterLayout.ChunkRows)
        {
            // One chunk: each layer's errors are carried down with its weights as they were, then scaled by −step and
            // added straight into the weights — no gradient buffer, each weight written once.
            return Pass(in batch, new StepMode(ref _parameters.Origin, stepSize));
        }

        // Several chunks: every row's gradient must be taken before any weight moves.
        Span<float> gradient = ModelWorkspace.Gradient(_layers.ParameterCount);
        gradient.Clear();
        float loss = Pass(in batch, new GradientMode(ref MemoryMarshal.GetReference(gradient)));
        System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(gradient, -stepSize, _parameters.Span, _parameters.Span);
        return loss;
    }

    // A pass over the batch in the given mode, at the width this instance runs at.
    private float Pass<TMode>(in Batch batch, TMode mode)
        where TMode : IPassMode, allows ref struct
    {
        var operation = new PassOperation<TMode>(this, batch, mode);
        return VectorDispatch.Run<PassOperation<TMode>, float>(Width, ref operation);
    }

    // The forward pass, the head's loss (and errors), and unless the mode is the loss alone the backward pass, a chunk at a time.
    // Byte rows are widened into float rows a chunk at a time (ByteRowKernel.Widen); or, when ByteRowKernel.ReadsDirectly
    // chooses it, the bytes are the values themselves (not IDX pixels / 255) and the model does not standardize its rows
    // itself, read as bytes by the bottom layer's kernels, widened (and standardized) in registers where they are used.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private float PassAt<TSimd, TVector, TMode>(in Batch batch, TMode mode)
        where TSimd : ISimd<TVector>
        where TVector : struct
        where TMode : IPassMode, allows ref struct
    {
        if (batch.ByteRows is ByteRowFormat { IsWhole: true } format && _scales is null && ByteRowKernel.ReadsDirectly(_layers.Features, _layers.Outputs, _layers.ParameterCount, format.Standardizer is not null))
        {
            return format.Standardizer is Standardizer standardizer
                ? PassAt<TSimd, TVector, TMode, StandardizedByteInput>(in batch, mode, ByteRowKernel.Standardizing(standardizer))
                : PassAt<TSimd, TVector, TMode, ByteInput>(in batch, mode, default);
        }

        return PassAt<TSimd, TVector, TMode, RawInput>(in batch, mode, default);
    }

    // The pass with the bottom layer reading the rows through the reader; float rows read as floats (byte rows widened into
    // float rows first, a chunk at a time).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private float PassAt<TSimd, TVector, TMode, TInput>(in Batch batch, TMode mode, TInput reader)
        where TSimd : ISimd<TVector>
        where TVector : struct
        where TMode : IPassMode, allows ref struct
        where TInput : struct, IRowInput, allows ref struct
    {
        int outputs = _layers.Outputs;

        // Byte rows widened a chunk at a time, in registers, into float rows after the rest of the workspace: the chunk's 64
        // rows stay in L2 for the passes that read them, where the dataset's rows are read from memory once, as bytes.
        int widenedRow = batch.ByteRows is null || typeof(TInput) != typeof(RawInput) ? 0 : (int)ParameterLayout.PaddedWidth(_layers.Features);
        ref float workspace = ref ModelWorkspace.Chunk(ChunkWorkspace + (ParameterLayout.ChunkRows * widenedRow));
        ref float widened = ref Unsafe.Add(ref workspace, ChunkWorkspace);
        double total = 0;
        for (int start = 0; start < batch.Count; start += ParameterLayout.ChunkRows)
        {
            Batch chunk = batch.Slice(start, Math.Min(ParameterLayout.ChunkRows, batch.Count - start));
            int n = chunk.Count;
            Rows rows = chunk.Rows;
            if (widenedRow > 0)
            {
                ByteRowKernel.Widen<TSimd, TVector>(in rows, _layers.Features, chunk.ByteRows!, ref widened, widenedRow);
                rows = new Rows(in widened, widenedRow, n);
            }

            rows = Standardized<TSimd, TVector>(rows, ref workspace);
            ref float values = ref _layers.ForwardChunk<TSimd, TVector, TInput>(ref _parameters.Origin, in rows, reader, ref workspace, _slope);
            Span<float> errors = TMode.GoesBackward
                ? MemoryMarshal.CreateSpan(ref Unsafe.Add(ref values, (nint)ParameterLayout.ErrorsStart(outputs)), n * outputs)
                : default;
            total += THead.Loss<TSimd, TVector>(in chunk, MemoryMarshal.CreateSpan(ref values, n * outputs), errors, outputs);
            if (TMode.GoesBackward)
            {
                _layers.BackwardChunk<TSimd, TVector, TMode, TInput>(ref _parameters.Origin, in rows, reader, ref workspace, ref mode.Destination, mode, _slope, ErrorsBelow.None);
            }
        }

        return (float)total;
    }

    private readonly ref struct PassOperation<TMode>(ModelRuntime<TLayers, THead> runtime, Batch batch, TMode mode) : IVectorOperation<float>
        where TMode : IPassMode, allows ref struct
    {
        private readonly Batch _batch = batch;
        private readonly TMode _mode = mode;

        public float Invoke<TSimd, TVector>()
            where TSimd : ISimd<TVector>
            where TVector : struct =>
            runtime.PassAt<TSimd, TVector, TMode>(in _batch, _mode);
    }
}
