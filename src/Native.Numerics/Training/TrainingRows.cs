namespace Native.Numerics;

/// <summary>
/// Where a training session's batches come from, an epoch at a time: the rows of a <see cref="Dataset"/> read in place
/// through a shuffled order (<see cref="InMemoryRows"/>), or rows streamed from a <see cref="RowSource"/> and gathered into a
/// staging dataset (<see cref="StreamedRows"/>). Either way a batch is named the one way the step strategies read it — a
/// dataset, an order and a range of it — so the same strategies (fused, parallel, plain) serve both.
/// </summary>
internal abstract class TrainingRows : IDisposable
{
    /// <summary>The rows of an epoch.</summary>
    public abstract long Count { get; }

    /// <summary>The dataset the batches' rows are in: the training set itself, or the staging rows a batch is gathered into.</summary>
    public abstract Dataset Data { get; }

    /// <summary>Each row's weight, indexed by <see cref="Data"/>'s stored rows; null when every row weighs 1.</summary>
    public abstract float[]? Weights { get; }

    /// <summary>The rows of a batch (the last of an epoch may have fewer).</summary>
    public abstract int BatchRows { get; }

    /// <summary>
    /// Starts epoch <paramref name="epoch"/> (from 1): its row order, drawn from the seed's stream for that epoch alone, so
    /// any epoch's order can be drawn again without the ones before it; the first <paramref name="skipBatches"/> batches
    /// are passed over (a run resumed from a checkpoint taken within the epoch).
    /// </summary>
    public abstract void Start(int epoch, long skipBatches);

    /// <summary>
    /// The next batch of the epoch: rows <paramref name="order"/>[<paramref name="start"/>..+<paramref name="count"/>) of
    /// <see cref="Data"/>; false at the end of the epoch.
    /// </summary>
    /// <exception cref="OperationCanceledException">The token was cancelled while the batch's rows were awaited.</exception>
    public abstract bool Next(CancellationToken cancellationToken, out int[] order, out int start, out int count);

    /// <summary>The memory the rows' own buffers hold beyond the data (orders, staging, windows), for the estimate.</summary>
    public virtual void Dispose()
    {
    }

    /// <summary>The stream of a seed's draws that orders epoch <paramref name="epoch"/>'s rows (or blocks).</summary>
    internal static long EpochStream(int epoch) => (long)epoch << 32;
}

/// <summary>The rows of a dataset, read in place through an order shuffled afresh each epoch; the next batch's rows prefetched.</summary>
internal sealed class InMemoryRows : TrainingRows
{
    private readonly Dataset _data;
    private readonly int[] _order;
    private readonly bool _shuffle;
    private readonly int _seed;
    private int _next;

    public InMemoryRows(Dataset data, float[]? weights, TrainerOptions options)
    {
        _data = data;
        Weights = weights;
        _order = new int[data.Count];
        _shuffle = options.Shuffle;
        _seed = options.Seed;
        BatchRows = Math.Min(options.BatchSize, data.Count);
        _next = data.Count;
    }

    public override long Count => _data.Count;

    public override Dataset Data => _data;

    public override float[]? Weights { get; }

    public override int BatchRows { get; }

    public override void Start(int epoch, long skipBatches)
    {
        // The rows by their place in storage (a view's rows, a split's side, are not its first ones): batches read them there.
        for (int i = 0; i < _order.Length; i++)
        {
            _order[i] = _data.Source(i);
        }

        if (_shuffle)
        {
            new SeededRandom(_seed, EpochStream(epoch)).Shuffle<int>(_order);
        }

        _next = (int)Math.Min(_order.Length, skipBatches * BatchRows);
    }

    public override bool Next(CancellationToken cancellationToken, out int[] order, out int start, out int count)
    {
        order = _order;
        start = _next;
        count = Math.Min(BatchRows, _order.Length - start);
        if (count <= 0)
        {
            count = 0;
            return false;
        }

        // Start loading the next batch's rows while this one computes.
        _next = start + count;
        if (_next < _order.Length)
        {
            _data.Prefetch(_order.AsSpan(_next, Math.Min(BatchRows, _order.Length - _next)));
        }

        return true;
    }
}
