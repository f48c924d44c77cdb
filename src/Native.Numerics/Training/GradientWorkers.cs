using System.Numerics.Tensors;
using Native.Numerics.Kernels;

namespace Native.Numerics;

/// <summary>
/// Splits each batch's gradient across threads: the calling thread takes the first part, each worker one
/// more, into gradient buffers allocated once; then the parts are added in a fixed order, so a given
/// parallelism gives bit-identical results run after run.
/// </summary>
/// <remarks>
/// Workers are started once per <see cref="Trainer.Fit"/> and wait between batches by spinning on a
/// generation counter (yielding, never sleeping): waking a blocked thread costs tens of microseconds,
/// as much as a whole batch of a small model. Nothing is allocated per batch.
/// </remarks>
internal sealed class GradientWorkers : IDisposable
{
    private readonly IModel _model;
    private readonly Thread[] _threads;
    private readonly float[][] _gradients;
    private readonly double[] _losses;
    private readonly Exception?[] _errors;
    private readonly long[] _allocated;
    private int _generation;
    private int _pending;
    private volatile bool _stopping;

    // The current job, written by the calling thread before it bumps the generation.
    private Dataset? _data;
    private int[] _order = [];
    private float[]? _weights;
    private int _start;
    private int _count;

    public GradientWorkers(IModel model, int parallelism)
    {
        _model = model;
        int workers = parallelism - 1;
        _threads = new Thread[workers];
        _gradients = new float[workers][];
        _losses = new double[workers];
        _errors = new Exception?[workers];
        _allocated = new long[workers];
        for (int w = 0; w < workers; w++)
        {
            _gradients[w] = new float[model.Parameters.Length];
            int index = w;
            _threads[w] = new Thread(() => Work(index)) { IsBackground = true, Name = $"Native gradient worker {w + 1}" };
            _threads[w].Start();
        }
    }

    /// <summary>
    /// Writes the gradient of the summed loss of rows <paramref name="order"/>[start..start + count) into
    /// <paramref name="gradient"/> (overwriting it) and returns that summed loss.
    /// </summary>
    public float Accumulate(Dataset data, int[] order, int start, int count, float[]? weights, float[] gradient)
    {
        // Publish the job, then start every worker at once.
        _data = data;
        _order = order;
        _weights = weights;
        _start = start;
        _count = count;
        Volatile.Write(ref _pending, _threads.Length);
        Interlocked.Increment(ref _generation);

        // The calling thread takes part 0.
        Array.Clear(gradient);
        double loss = Part(0, gradient);

        var spin = new SpinWait();
        while (Volatile.Read(ref _pending) > 0)
        {
            spin.SpinOnce(sleep1Threshold: -1);
        }

        // Add the workers' parts in a fixed order.
        for (int w = 0; w < _threads.Length; w++)
        {
            if (_errors[w] is { } error)
            {
                _errors[w] = null;
                throw new AggregateException("A gradient worker failed.", error);
            }

            TensorPrimitives.Add(gradient, _gradients[w], gradient);
            loss += _losses[w];
        }

        return (float)loss;
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

    public void Dispose()
    {
        _stopping = true;
        Interlocked.Increment(ref _generation);
        foreach (Thread thread in _threads)
        {
            thread.Join();
        }
    }

    // Part p of the current job: an even share of its rows, the first parts taking one extra.
    private double Part(int part, float[] gradient)
    {
        int parts = _threads.Length + 1;
        int share = _count / parts, extra = _count % parts;
        int offset = (part * share) + Math.Min(part, extra);
        int rows = share + (part < extra ? 1 : 0);
        if (rows == 0)
        {
            return 0;
        }

        Dataset data = _data!;
        Batch batch = data.CreateBatch(new Rows(in data.Origin, data.Stride, _order.AsSpan(_start + offset, rows)), _weights);
        return _model.AccumulateGradient(in batch, gradient);
    }

    private void Work(int worker)
    {
        int seen = 0;
        while (true)
        {
            var spin = new SpinWait();
            int generation;
            while ((generation = Volatile.Read(ref _generation)) == seen)
            {
                spin.SpinOnce(sleep1Threshold: -1);
            }

            seen = generation;
            if (_stopping)
            {
                return;
            }

            try
            {
                Array.Clear(_gradients[worker]);
                _losses[worker] = Part(worker + 1, _gradients[worker]);
            }
            catch (Exception exception)
            {
                _errors[worker] = exception;
                _losses[worker] = 0;
            }

            Volatile.Write(ref _allocated[worker], GC.GetAllocatedBytesForCurrentThread());
            Interlocked.Decrement(ref _pending);
        }
    }
}
