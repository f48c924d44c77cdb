using System.Numerics.Tensors;
using Native.Numerics.Kernels;

namespace Native.Numerics;

/// <summary>
/// Shares each batch's work between the calling thread and worker threads, in two phases: the gradient,
/// each thread taking an even share of the rows into its own buffer; then the step, each thread taking a
/// range of the parameters: it adds the threads' gradients for its range in a fixed order, scales them to
/// the mean, and has the optimizer step that range. The order of every addition is fixed by the
/// parallelism alone, so a given parallelism gives bit-identical results run after run.
/// </summary>
/// <remarks>
/// Workers are started once per training session and wait between jobs by spinning on a generation
/// counter (yielding, never sleeping, when each thread has a processor): waking a blocked thread costs tens
/// of microseconds, as much as a whole batch of a small model. Nothing is allocated per batch. An optimizer
/// that cannot step in ranges (one that clips gradients, or one written outside this library) steps on the
/// calling thread.
/// </remarks>
internal sealed class GradientWorkers : IDisposable
{
    private readonly IModel _model;
    private readonly Thread[] _threads;
    private readonly float[][] _gradients;
    private readonly double[] _losses;
    private readonly Exception?[] _errors;
    private readonly long[] _allocated;
    private readonly int _sleepThreshold;
    private int _generation;
    private int _pending;
    private volatile bool _stopping;

    // The current job, written by the calling thread before it bumps the generation.
    private bool _stepJob;
    private Dataset? _data;
    private int[] _order = [];
    private float[]? _weights;
    private int _start;
    private int _count;
    private int _sliceRows = int.MaxValue;
    private CancellationToken _cancellation;
    private Optimizer? _optimizer;
    private float _scale;
    private float[]? _epochGradient;

    /// <summary>Starts <paramref name="parallelism"/> − 1 workers; <paramref name="gradient"/> is the calling thread's buffer.</summary>
    public GradientWorkers(IModel model, int parallelism, float[] gradient)
    {
        _model = model;

        // With a processor each, threads wait by spinning (never sleeping); with more threads than processors a
        // spinning thread would take the processor from the one doing the work, so they sleep after a while.
        _sleepThreshold = parallelism <= Environment.ProcessorCount ? -1 : 20;
        int workers = parallelism - 1;
        _threads = new Thread[workers];
        _gradients = new float[parallelism][];
        _gradients[0] = gradient;
        _losses = new double[parallelism];
        _errors = new Exception?[parallelism];
        _allocated = new long[workers];
        for (int w = 0; w < workers; w++)
        {
            _gradients[w + 1] = new float[model.Parameters.Length];
            int part = w + 1;
            _threads[w] = new Thread(() => Work(part)) { IsBackground = true, Name = $"Native gradient worker {part}" };
            _threads[w].Start();
        }
    }

    /// <summary>The bytes the worker threads have allocated in their lives, as each last measured itself (for tests).</summary>
    internal long AllocatedBytes
    {
        get
        {
            long total = 0;
            for (int w = 0; w < _allocated.Length; w++)
            {
                total += Volatile.Read(ref _allocated[w]);
            }

            return total;
        }
    }

    private int Parts => _gradients.Length;

    /// <summary>
    /// Phase one: each thread's share of the gradient of rows <paramref name="order"/>[start..start + count)
    /// into its own buffer, <paramref name="sliceRows"/> rows at a time, every thread stopping between slices once
    /// <paramref name="cancellation"/> is cancelled. Returns the summed loss of all the rows.
    /// </summary>
    /// <exception cref="OperationCanceledException">The token was cancelled during the batch.</exception>
    public float Gradient(Dataset data, int[] order, int start, int count, float[]? weights, int sliceRows, CancellationToken cancellation)
    {
        _data = data;
        _order = order;
        _weights = weights;
        _start = start;
        _count = count;
        _sliceRows = sliceRows;
        _cancellation = cancellation;
        _stepJob = false;
        Run();
        cancellation.ThrowIfCancellationRequested();
        double loss = 0;
        for (int part = 0; part < Parts; part++)
        {
            loss += _losses[part];
        }

        return (float)loss;
    }

    /// <summary>
    /// Phase two: the threads' gradients added (and into <paramref name="epochGradient"/>, if given), scaled by
    /// <paramref name="scale"/> to the gradient of the mean loss, and stepped by <paramref name="optimizer"/> —
    /// a range of the parameters per thread where the optimizer allows it, else on the calling thread.
    /// </summary>
    public void Step(IOptimizer optimizer, float scale, float[]? epochGradient)
    {
        float[] gradient = _gradients[0];
        if (optimizer is Optimizer { StepsInRanges: true } ranged)
        {
            ranged.BeginRanges(gradient.Length);
            _optimizer = ranged;
            _scale = scale;
            _epochGradient = epochGradient;
            _stepJob = true;
            Run();
            return;
        }

        Reduce(gradient, 0, gradient.Length, epochGradient, scale);
        optimizer.Step(_model.Parameters, gradient);
    }

    public void Dispose()
    {
        _stopping = true;
        Interlocked.Increment(ref _generation);
        foreach (Thread thread in _threads)
        {
            thread.Join();
        }
    }

    // Starts the current job on every worker, does part 0 here, waits for the rest, and rethrows any failure.
    private void Run()
    {
        Volatile.Write(ref _pending, _threads.Length);
        Interlocked.Increment(ref _generation);
        Execute(0);

        var spin = new SpinWait();
        while (Volatile.Read(ref _pending) > 0)
        {
            spin.SpinOnce(_sleepThreshold);
        }

        for (int part = 0; part < Parts; part++)
        {
            if (_errors[part] is { } error)
            {
                _errors[part] = null;
                throw new AggregateException("A gradient worker failed.", error);
            }
        }
    }

    private void Execute(int part)
    {
        try
        {
            if (_stepJob)
            {
                StepPart(part);
            }
            else
            {
                _losses[part] = GradientPart(part);
            }
        }
        catch (Exception exception)
        {
            _errors[part] = exception;
            _losses[part] = 0;
        }
    }

    // Part p of the rows: an even share, the first parts taking one extra.
    private double GradientPart(int part)
    {
        float[] gradient = _gradients[part];
        Array.Clear(gradient);
        var (offset, rows) = Share(_count, part, 1);
        if (rows == 0)
        {
            return 0;
        }

        Dataset data = _data!;
        Batch batch = data.CreateBatch(new Rows(in data.Origin, data.Stride, _order.AsSpan(_start + offset, rows)), _weights);
        double loss = 0;
        for (int slice = 0; slice < rows && !_cancellation.IsCancellationRequested; slice += _sliceRows)
        {
            loss += _model.AccumulateGradient(batch.Slice(slice, Math.Min(_sliceRows, rows - slice)), gradient);
        }

        return loss;
    }

    // Part p of the parameters, in whole cache lines: reduced, scaled and stepped.
    private void StepPart(int part)
    {
        var (offset, length) = Share(_gradients[0].Length, part, AlignedBuffer.FloatsPerLine);
        if (length == 0)
        {
            return;
        }

        Reduce(_gradients[0], offset, length, _epochGradient, _scale);
        _optimizer!.StepRange(_model.Parameters.Slice(offset, length), _gradients[0].AsSpan(offset, length), offset);
    }

    // gradient[range] = (Σ over parts, in order) · scale; the epoch's sum gets the unscaled total.
    private void Reduce(float[] gradient, int offset, int length, float[]? epochGradient, float scale)
    {
        Span<float> total = gradient.AsSpan(offset, length);
        for (int part = 1; part < Parts; part++)
        {
            TensorPrimitives.Add(total, _gradients[part].AsSpan(offset, length), total);
        }

        if (epochGradient is not null)
        {
            Span<float> epoch = epochGradient.AsSpan(offset, length);
            TensorPrimitives.Add(epoch, total, epoch);
        }

        TensorPrimitives.Multiply(total, scale, total);
    }

    // An even share of count items for a part, in units of unit items, the first parts taking one unit extra.
    private (int Offset, int Length) Share(int count, int part, int unit)
    {
        int units = (count + unit - 1) / unit;
        int share = units / Parts, extra = units % Parts;
        int first = (part * share) + Math.Min(part, extra);
        int offset = Math.Min(first * unit, count);
        int end = Math.Min((first + share + (part < extra ? 1 : 0)) * unit, count);
        return (offset, end - offset);
    }

    private void Work(int part)
    {
        int seen = 0;
        while (true)
        {
            var spin = new SpinWait();
            int generation;
            while ((generation = Volatile.Read(ref _generation)) == seen)
            {
                spin.SpinOnce(_sleepThreshold);
            }

            seen = generation;
            if (_stopping)
            {
                return;
            }

            Execute(part);
            Volatile.Write(ref _allocated[part - 1], GC.GetAllocatedBytesForCurrentThread());
            Interlocked.Decrement(ref _pending);
        }
    }
}
