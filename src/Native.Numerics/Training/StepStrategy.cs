using System.Numerics.Tensors;
using Native.Numerics.CompilerServices;

namespace Native.Numerics;

/// <summary>
/// How a training session takes one step on a batch, chosen once when the session starts from what the model and
/// the optimizer declare: fused into the model's backward pass, shared between threads, or plain.
/// </summary>
/// <remarks>
/// A step has two phases, so the session can check the loss between them: <see cref="Gradient"/> takes the batch's
/// summed loss and gradient (the fused strategy also steps in that pass, as the gradient is never written out);
/// <see cref="Step"/> then moves the parameters against the gradient of the batch's mean loss.
/// </remarks>
internal abstract class StepStrategy : IDisposable
{
    private protected StepStrategy(IModel model, Dataset data, float[]? weights, int sliceRows)
    {
        Model = model;
        Data = data;
        Weights = weights;
        SliceRows = sliceRows;
    }

    /// <summary>The bytes the strategy's own threads have allocated (for tests; 0 without threads).</summary>
    public virtual long WorkerAllocatedBytes => 0;

    /// <summary>The worker threads now blocked waiting for work (for tests; 0 without threads).</summary>
    public virtual int IdleWorkers => 0;

    private protected IModel Model { get; }

    private protected Dataset Data { get; }

    private protected float[]? Weights { get; }

    /// <summary>The rows of a slice: a large batch is taken a slice at a time, the cancellation token checked between.</summary>
    private protected int SliceRows { get; }

    /// <summary>
    /// The strategy for this model, optimizer and settings: with parallelism, threads share each batch; else, when the
    /// model can step in place and the step is plain θ ← θ − η∇ with no gradient-norm tracking, on batches of one slice,
    /// the fused step; else the plain one.
    /// </summary>
    public static StepStrategy Choose(IModel model, Optimizer optimizer, TrainerOptions options, Dataset data, float[]? weights, float[] gradient, int batchSize, int sliceRows)
    {
        OptimizerCapabilities capabilities = optimizer.Capabilities;
        if (options.Parallelism > 1)
        {
            return new ParallelStep(model, optimizer, data, weights, gradient, sliceRows, options.Parallelism, (capabilities & OptimizerCapabilities.StepsInRanges) != 0);
        }

        // (A batch larger than a slice takes the plain path, which can stop between slices.)
        if (model is IFusedGradientStep fused && (capabilities & OptimizerCapabilities.PlainStep) != 0 && options.GradientTolerance == 0f && batchSize <= sliceRows)
        {
            return new FusedStep(fused, data, weights, sliceRows);
        }

        return new PlainStep(model, optimizer, data, weights, gradient, sliceRows);
    }

    /// <summary>
    /// The summed loss of the rows <paramref name="order"/>[start..start + count), whose total weight is
    /// <paramref name="batchWeight"/>, with their gradient taken (and, fused, the step of size <paramref name="rate"/> taken).
    /// </summary>
    /// <exception cref="OperationCanceledException">The token was cancelled between slices.</exception>
    public abstract float Gradient(int[] order, int start, int count, float rate, double batchWeight, CancellationToken cancellationToken);

    /// <summary>
    /// One step against the gradient just taken, scaled to the batch's mean loss; its unscaled sum is added to
    /// <paramref name="epochGradient"/>, if given. Rows that all weigh 0 have no gradient and take no step.
    /// </summary>
    public abstract void Step(double batchWeight, float[]? epochGradient);

    /// <summary>Stops the strategy's threads, if it has any.</summary>
    public virtual void Dispose()
    {
    }

    /// <summary>
    /// The summed loss of <paramref name="batch"/>, its gradient added to <paramref name="gradient"/> a slice at a time;
    /// false in <paramref name="complete"/> when the token was cancelled between slices, which stops it there.
    /// </summary>
    private protected float SlicedGradient(in Batch batch, Span<float> gradient, CancellationToken cancellationToken, out bool complete)
    {
        double loss = 0;
        int slice = 0;
        for (; slice < batch.Count && (slice == 0 || !cancellationToken.IsCancellationRequested); slice += SliceRows)
        {
            loss += Model.AccumulateGradient(batch.Slice(slice, Math.Min(SliceRows, batch.Count - slice)), gradient);
        }

        complete = slice >= batch.Count;
        return (float)loss;
    }
}

/// <summary>One step of gradient descent on the batch's mean loss, done inside the model: no gradient buffer.</summary>
internal sealed class FusedStep : StepStrategy
{
    private readonly IFusedGradientStep _model;

    public FusedStep(IFusedGradientStep model, Dataset data, float[]? weights, int sliceRows)
        : base(model, data, weights, sliceRows)
    {
        _model = model;
    }

    public override float Gradient(int[] order, int start, int count, float rate, double batchWeight, CancellationToken cancellationToken) =>
        batchWeight == 0 ? 0f : _model.StepInPlace(Data.Batch(order.AsSpan(start, count), Weights), (float)(rate / batchWeight));

    public override void Step(double batchWeight, float[]? epochGradient)
    {
        // Taken with the gradient.
    }
}

/// <summary>The gradient on this thread, a slice at a time, then one optimizer step.</summary>
internal sealed class PlainStep(IModel model, Optimizer optimizer, Dataset data, float[]? weights, float[] gradient, int sliceRows) : StepStrategy(model, data, weights, sliceRows)
{
    public override float Gradient(int[] order, int start, int count, float rate, double batchWeight, CancellationToken cancellationToken)
    {
        Array.Clear(gradient);
        float loss = SlicedGradient(Data.Batch(order.AsSpan(start, count), Weights), gradient, cancellationToken, out bool complete);
        if (!complete)
        {
            cancellationToken.ThrowIfCancellationRequested();
        }

        return loss;
    }

    public override void Step(double batchWeight, float[]? epochGradient)
    {
        if (batchWeight == 0)
        {
            return;
        }

        if (epochGradient is not null)
        {
            TensorPrimitives.Add(epochGradient, gradient, epochGradient);
        }

        // The gradient of the batch's mean loss, then one step.
        TensorPrimitives.Multiply(gradient, (float)(1 / batchWeight), gradient);
        optimizer.Step(Model.Parameters, gradient);
    }
}

/// <summary>Threads share each batch's gradient, then its step: each sums, scales and steps a range (<see cref="GradientWorkers"/>).</summary>
internal sealed class ParallelStep : StepStrategy
{
    private readonly GradientWorkers _workers;

    public ParallelStep(IModel model, Optimizer optimizer, Dataset data, float[]? weights, float[] gradient, int sliceRows, int parallelism, bool stepsInRanges)
        : base(model, data, weights, sliceRows)
    {
        _workers = new GradientWorkers(this, model, optimizer, stepsInRanges, parallelism, gradient);
    }

    public override long WorkerAllocatedBytes => _workers.AllocatedBytes;

    public override int IdleWorkers => _workers.IdleWorkers;

    public override float Gradient(int[] order, int start, int count, float rate, double batchWeight, CancellationToken cancellationToken) =>
        _workers.Gradient(order, start, count, cancellationToken);

    public override void Step(double batchWeight, float[]? epochGradient)
    {
        if (batchWeight != 0)
        {
            _workers.Step((float)(1 / batchWeight), epochGradient);
        }
    }

    public override void Dispose()
    {
        _workers.Dispose();
        base.Dispose();
    }

    /// <summary>
    /// One thread's share of a batch: the rows <paramref name="rows"/> names, their gradient into <paramref name="gradient"/>,
    /// stopping between slices once the token is cancelled (the calling thread throws when every share is back).
    /// </summary>
    internal float Share(ReadOnlySpan<int> rows, float[] gradient, CancellationToken cancellationToken)
    {
        Array.Clear(gradient);
        return rows.IsEmpty ? 0f : SlicedGradient(Data.Batch(rows, Weights), gradient, cancellationToken, out _);
    }
}
