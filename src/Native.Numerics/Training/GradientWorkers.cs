using System.Diagnostics;
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
/// Workers are started once per training session. Between jobs each spins on a generation counter for up to
/// <see cref="SpinTime"/> (yielding, never sleeping, when each thread has a processor): waking a blocked thread costs
/// tens of microseconds, as much as a whole batch of a small model, and within an epoch the next job comes sooner.
/// Then it blocks, so a session between epochs (measuring its validation set, or idle in a caller's hands) holds no
/// processor. Nothing is allocated per batch. An optimizer that cannot step in ranges (one that clips gradients, or
/// one written outside this library) steps on the calling thread.
/// </remarks>
internal sealed class GradientWorkers : IDisposable
{
    /// <summary>How long a worker spins for its next job before it blocks.</summary>
    internal static readonly TimeSpan SpinTime = TimeSpan.FromMilliseconds(0.2);

    private readonly ParallelStep _owner;
    private readonly IModel _model;
    private readonly Optimizer _optimizer;
    private readonly bool _stepsInRanges;
    private readonly object _gate = new();
    private readonly Thread[] _threads;
    private readonly float[][] _gradients;
    private readonly double[] _losses;
    private readonly Exception?[] _errors;
    private readonly long[] _allocated;
    private readonly int _sleepThreshold;
    private int _generation;
    private int _pending;
    private int _blocked;
    private volatile bool _stopping;

    // The current job, written by the calling thread before it bumps the generation.
    private bool _stepJob;
    private int[] _order = [];
    private int _start;
    private int _count;
    private CancellationToken _cancellation;
    private float _scale;
    private float[]? _epochGradient;

    /// <summary>
    /// Starts <paramref name="parallelism"/> − 1 workers, which take their shares of a batch from <paramref name="owner"/>;
    /// <paramref name="gradient"/> is the calling thread's buffer; <paramref name="stepsInRanges"/> says whether the
    /// optimizer's steps may be shared too.
    /// </summary>
    public GradientWorkers(ParallelStep owner, IModel model, Optimizer optimizer, bool stepsInRanges, int parallelism, float[] gradient)
    {
        _owner = owner;
        _model = model;
        _optimizer = optimizer;
        _stepsInRanges = stepsInRanges;

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
        int started = 0;
        try
        {
            for (int w = 0; w < workers; w++)
            {
                _gradients[w + 1] = new float[model.Parameters.Length];
                int part = w + 1;
                _threads[w] = new Thread(() => Work(part)) { IsBackground = true, Name = $"Native gradient worker {part}" };
                (StartThread ?? DefaultStart)(_threads[w]);
                started++;
            }
        }
        catch (Exception exception) when (exception is OutOfMemoryException or ThreadStartException or ThreadStateException)
        {
            // The system would not give another thread (or its gradient): the ones already running are stopped and
            // joined, so a failed start leaves nothing behind, and the caller learns how far it got.
            Stop(started);
            throw new InvalidOperationException(FormattableString.Invariant($"Could not start gradient worker {started + 1} of {workers} (TrainerOptions.Parallelism = {parallelism}): {exception.Message} Use fewer threads."), exception);
        }
    }

    /// <summary>For tests: starts a worker thread in place of <see cref="Thread.Start()"/>, on this thread only (null: start it).</summary>
    [ThreadStatic]
    internal static Action<Thread>? StartThread;

    private static void DefaultStart(Thread thread) => thread.Start();

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

    /// <summary>The workers now blocked waiting for a job (for tests).</summary>
    internal int IdleWorkers => Volatile.Read(ref _blocked);

    private int Parts => _gradients.Length;

    /// <summary>
    /// Phase one: each thread's share of the gradient of rows <paramref name="order"/>[start..start + count)
    /// into its own buffer, a slice at a time, every thread stopping between slices once
    /// <paramref name="cancellation"/> is cancelled. Returns the summed loss of all the rows.
    /// </summary>
    /// <exception cref="OperationCanceledException">The token was cancelled during the batch.</exception>
    public float Gradient(int[] order, int start, int count, CancellationToken cancellation)
    {
        _order = order;
        _start = start;
        _count = count;
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
    /// <paramref name="scale"/> to the gradient of the mean loss, and stepped by the optimizer — a range of the
    /// parameters per thread where the optimizer allows it, else on the calling thread.
    /// </summary>
    public void Step(float scale, float[]? epochGradient)
    {
        float[] gradient = _gradients[0];
        if (_stepsInRanges)
        {
            _optimizer.BeginRanges(gradient.Length);
            _scale = scale;
            _epochGradient = epochGradient;
            _stepJob = true;
            Run();
            return;
        }

        Reduce(gradient, 0, gradient.Length, epochGradient, scale);
        _optimizer.Step(_model.Parameters, gradient);
    }

    public void Dispose() => Stop(_threads.Length);

    // Stops the first `started` workers and waits for each to end.
    private void Stop(int started)
    {
        _stopping = true;
        Release();
        for (int w = 0; w < started; w++)
        {
            _threads[w].Join();
        }
    }

    // Starts the current job on every worker, does part 0 here, waits for the rest, and rethrows any failure.
    private void Run()
    {
        Volatile.Write(ref _pending, _threads.Length);
        Release();
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
        var (offset, rows) = Share(_count, part, 1);
        return _owner.Share(_order.AsSpan(_start + offset, rows), _gradients[part], _cancellation);
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
        _optimizer.StepRange(_model.Parameters.Slice(offset, length), _gradients[0].AsSpan(offset, length), offset);
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

    // Starts the next job: a new generation, and the blocked workers woken to see it.
    private void Release()
    {
        // The increment is a full fence, so this read cannot come before it: a worker that has not yet counted
        // itself blocked will see the new generation when it checks again, after counting itself (Wait).
        Interlocked.Increment(ref _generation);
        if (Volatile.Read(ref _blocked) > 0)
        {
            lock (_gate)
            {
                Monitor.PulseAll(_gate);
            }
        }
    }

    private void Work(int part)
    {
        int seen = 0;
        while (true)
        {
            seen = Wait(seen);
            if (_stopping)
            {
                return;
            }

            Execute(part);
            Volatile.Write(ref _allocated[part - 1], GC.GetAllocatedBytesForCurrentThread());
            Interlocked.Decrement(ref _pending);
        }
    }

    // Waits for a generation after `seen`: spinning for a while, then blocked until Release wakes it.
    private int Wait(int seen)
    {
        var spin = new SpinWait();
        long started = Stopwatch.GetTimestamp();
        int generation;
        while ((generation = Volatile.Read(ref _generation)) == seen)
        {
            if (Stopwatch.GetElapsedTime(started) < SpinTime)
            {
                spin.SpinOnce(_sleepThreshold);
                continue;
            }

            lock (_gate)
            {
                // Counted first (a full fence), then the generation checked again: a Release either came before the
                // count, and is seen here, or comes after it, and sees the count and pulses under the lock.
                Interlocked.Increment(ref _blocked);
                while ((generation = Volatile.Read(ref _generation)) == seen)
                {
                    Monitor.Wait(_gate);
                }

                Interlocked.Decrement(ref _blocked);
            }

            return generation;
        }

        return generation;
    }
}
