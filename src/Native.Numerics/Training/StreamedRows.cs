using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.X86;
using Native.Numerics.Kernels;
using Native.Numerics.Streaming;

namespace Native.Numerics;

/// <summary>
/// A row source's rows as a training session's batches, named the one way the step strategies read them — a dataset, an
/// order and a range of it — so the same fused, parallel and plain paths train on streamed rows.
/// </summary>
/// <remarks>
/// <para>
/// <b>In place</b> (<see cref="StreamPlan.Resident"/>): when the cache fits the budget, each batch's rows are gathered
/// straight from the mapped cache — widened from their stored form, standardized if the source is — into a staging dataset
/// (read in the order 0, 1, 2, …), in an order shuffled afresh each epoch, exactly as a dataset's are: the same stream of
/// the same seed, so the same permutation of the same rows.
/// </para>
/// <para>
/// <b>Through windows</b> otherwise: each epoch visits the blocks in a seeded random order, a window of consecutive blocks
/// at a time (<see cref="EpochSchedule"/>); a <see cref="WindowLoader"/> thread fills the next window while this thread
/// trains on the current one. The loader places a window's rows in a shuffled order (the shuffle buffer is a window), in the
/// form training reads — bytes stay bytes, widened in registers by the training pass as a byte dataset's are — so a batch
/// is consecutive rows of the window, read in place: nothing is gathered. A batch that takes its last rows from the next
/// window is the exception: its rows are copied after the two windows. Every order is drawn from the seed's stream for its
/// epoch and window, so a resumed run draws what an uninterrupted one would.
/// </para>
/// <para>Nothing is allocated per batch, nor, after the first epoch, per epoch.</para>
/// </remarks>
internal sealed class StreamedRows : TrainingRows
{
    /// <summary>The rows of a measuring batch (the validation rows of a row source are measured this many at a time).</summary>
    public const int MeasureRows = 256;

    private readonly RowSource _source;
    private readonly RowCache _cache;
    private readonly RowCacheLayout _layout;
    private readonly bool _shuffle;
    private readonly int _seed;

    // In place: the staging rows a batch is gathered into, read in the order 0, 1, 2, … (the identity); the epoch's order.
    private readonly RowGather? _gather;
    private readonly AlignedBuffer? _rows;
    private readonly int[]? _labels;
    private readonly float[]? _targets;
    private readonly float[]? _classWeights;
    private readonly int _stride;
    private readonly int _blockShift;
    private readonly int[]? _order;

    // Through windows: the consumer's schedule, the producer, and the batch's rows of the storage (consecutive: a range of
    // a window, or of the rows after the two where a batch that spans windows is copied).
    private readonly EpochSchedule? _schedule;
    private readonly WindowLoader? _loader;
    private readonly int[]? _blockIncluded;
    private readonly int _spanning;
    private WindowLoader.Window? _window;
    private int _position;
    private long _sequence;

    // The order a batch is read in: the staging rows 0, 1, 2, … in place; the batch's rows of the storage through windows.
    private readonly int[] _batchOrder;
    private long _next;

    public StreamedRows(RowSource source, TrainerOptions options, StreamPlan plan, float[]? classWeights)
    {
        _source = source;
        _cache = source.Cache;
        _layout = source.Layout;
        _shuffle = options.Shuffle;
        _seed = options.Seed;
        _classWeights = classWeights;
        _stride = Dataset.RowStride(source.Features);
        _blockShift = System.Numerics.BitOperations.Log2((uint)_layout.BlockRows);
        BatchRows = (int)Math.Min(options.BatchSize, source.Count);
        Count = source.Count;
        int classes = Math.Max(2, source.Classes);

        ReadOnlySpan<ulong> included = source.Included;
        if (plan.Resident)
        {
            // The staging rows: a dataset over them, read in the order 0, 1, 2, … (the identity).
            _gather = new RowGather(source);
            _rows = new AlignedBuffer(checked(BatchRows * _stride));
            _batchOrder = [.. Enumerable.Range(0, BatchRows)];
            if (_gather.Classes)
            {
                _labels = new int[BatchRows];
            }
            else
            {
                _targets = new float[BatchRows];
            }

            Data = Dataset.FromStorage(_rows, BatchRows, source.Features, _labels, classes, null, _targets);
            Weights = classWeights is null ? null : new float[BatchRows];
            _order = new int[source.Count];
            for (int b = 0; b < _layout.Blocks.Length; b++)
            {
                _cache.Verify(b);
            }

            return;
        }

        // Each block's rows of the view, and its length in a window: the rows in the form training reads.
        WindowFormat format = WindowFormat.Of(_layout);
        var blocks = new List<int>();
        long[] lengths = new long[_layout.Blocks.Length];
        _blockIncluded = new int[_layout.Blocks.Length];
        for (int b = 0; b < _layout.Blocks.Length; b++)
        {
            _blockIncluded[b] = RowGather.CountIncluded(included, (long)b * _layout.BlockRows, _layout.Blocks[b].Rows);
            lengths[b] = (long)_blockIncluded[b] * format.RowBytes;
            if (_blockIncluded[b] > plan.WindowRows)
            {
                throw new InvalidOperationException($"A window of {plan.WindowRows} rows cannot hold block {b} of the row cache ({_blockIncluded[b]} rows).");
            }

            if (_blockIncluded[b] > 0)
            {
                blocks.Add(b);
            }
        }

        long windowBytes = (long)plan.WindowRows * format.RowBytes;
        _schedule = new EpochSchedule([.. blocks], lengths, windowBytes, _shuffle, _seed);
        _loader = new WindowLoader(source, new EpochSchedule([.. blocks], lengths, windowBytes, _shuffle, _seed), format, plan.WindowRows, BatchRows, _blockIncluded, options, classWeights);
        _spanning = 2 * plan.WindowRows;
        _batchOrder = new int[BatchRows];
        ByteRowFormat? byteRows = null;
        if (format.Bytes)
        {
            byteRows = format.Divisor == 1f ? ByteRowFormat.Plain : ByteRowFormat.Divided(format.Divisor);
            byteRows = source.Standardizer is Standardizer standardizer ? byteRows.WithStandardizer(standardizer) : byteRows;
        }

        Data = Dataset.FromWindows(_loader.Storage, format.RowBytes / (format.Bytes ? 1 : sizeof(float)), _spanning + BatchRows, source.Features, _loader.Labels, classes, _loader.Targets, byteRows);
        Weights = _loader.Weights;
        _sequence = -1;
    }

    public override long Count { get; }

    public override Dataset Data { get; }

    public override float[]? Weights { get; }

    public override int BatchRows { get; }

    /// <summary>The bytes the window loader's thread has allocated (for tests; 0 when rows are read in place).</summary>
    public long ProducerAllocatedBytes => _loader?.AllocatedBytes ?? 0;

    public override void Start(int epoch, long skipBatches)
    {
        long skip = Math.Min(Count, skipBatches * BatchRows);
        _next = skip;
        if (_order is not null)
        {
            StartInPlace(epoch);
            return;
        }

        StartWindows(epoch, skip);
    }

    public override bool Next(CancellationToken cancellationToken, out int[] order, out int start, out int count)
    {
        order = _batchOrder;
        start = 0;
        count = (int)Math.Min(BatchRows, Count - _next);
        if (count <= 0)
        {
            count = 0;
            ReleaseWindow();
            return false;
        }

        if (_order is not null)
        {
            GatherInPlace(count);
        }
        else
        {
            int first = FromWindows(count, cancellationToken);
            for (int i = 0; i < count; i++)
            {
                _batchOrder[i] = first + i;
            }
        }

        _next += count;
        return true;
    }

    public override void Dispose()
    {
        _loader?.Dispose();
        base.Dispose();
    }

    private void StartInPlace(int epoch)
    {
        ReadOnlySpan<ulong> included = _source.Included;
        int n = 0;
        for (long row = 0; row < _layout.Rows; row++)
        {
            if (RowGather.Includes(included, row))
            {
                _order![n++] = (int)row;
            }
        }

        if (_shuffle)
        {
            new SeededRandom(_seed, EpochStream(epoch)).Shuffle<int>(_order);
        }
    }

    private void GatherInPlace(int count)
    {
        for (int i = 0; i < count; i++)
        {
            int row = _order![_next + i];
            int block = row >> _blockShift, r = row & (_layout.BlockRows - 1);
            Gather(i, ref _cache.Block(block), _layout.Blocks[block], r);
        }

        // Start loading the next batch's stored rows while this one computes.
        long next = _next + count;
        int ahead = (int)Math.Min(BatchRows, Count - next);
        for (int i = 0; i < ahead; i++)
        {
            int row = _order![next + i];
            int block = row >> _blockShift, r = row & (_layout.BlockRows - 1);
            BlockEntry entry = _layout.Blocks[block];
            Prefetch(ref Unsafe.Add(ref _cache.Block(block), (nint)r * BlockCodec.RowBytes(entry.Type, _layout.Features)), BlockCodec.RowBytes(entry.Type, _layout.Features));
        }
    }

    private void StartWindows(int epoch, long skip)
    {
        // The window holding row `skip` of the epoch, and how far into it; the producer restarted there unless it is
        // already producing it (the usual case: it ran ahead from the epoch before).
        _schedule!.Draw(epoch);
        long before = 0;
        int window = 0;
        for (; window < _schedule.Windows; window++)
        {
            long rows = WindowRows(window);
            if (before + rows > skip)
            {
                break;
            }

            before += rows;
        }

        ReleaseWindow();
        if (!ExpectedNext(epoch, window))
        {
            _sequence = 0;
            _loader!.Restart(epoch, window, _sequence);
        }

        _pendingSkip = (int)(skip - before);
        _needWindow = true;
    }

    // Where the next window starts reading (a resumed epoch's rows already trained are passed over), and whether one is due.
    private int _pendingSkip;
    private bool _needWindow;

    // The window the producer hands over next: it produces in order from where it last started.
    private int _expectedEpoch;
    private int _expectedWindow = -1;

    private bool ExpectedNext(int epoch, int window) => _expectedEpoch == epoch && _expectedWindow == window;

    private long WindowRows(int window)
    {
        long rows = 0;
        for (int i = _schedule!.Starts[window]; i < _schedule.Starts[window + 1]; i++)
        {
            rows += _blockIncluded![_schedule.Order[i]];
        }

        return rows;
    }

    /// <summary>
    /// The first of the batch's <paramref name="count"/> rows in the storage's order: the next rows of the window, read in
    /// place; or, for a batch that reaches into the next window, the rows after the two windows, where its rows are copied.
    /// A window used up is given back to the producer at the next batch, once the step has read its rows.
    /// </summary>
    private int FromWindows(int count, CancellationToken cancellationToken)
    {
        if (_needWindow || _position >= _window!.Rows)
        {
            NextWindow(cancellationToken);
        }

        int first = _window!.First + _position;
        if (_window.Rows - _position >= count)
        {
            _position += count;

            // Start loading the next batch's rows while this one computes.
            int ahead = Math.Min(count, _window.Rows - _position);
            int rowBytes = _loader!.Format.RowBytes;
            Prefetch(ref Unsafe.Add(ref Unsafe.As<float, byte>(ref _loader.Storage.Origin), (nint)(first + count) * rowBytes), ahead * rowBytes);

            return first;
        }

        // The batch spans windows: its rows, labels and weights copied after the two windows, window after window.
        for (int filled = 0; filled < count;)
        {
            if (_position >= _window!.Rows)
            {
                NextWindow(cancellationToken);
            }

            int n = Math.Min(count - filled, _window.Rows - _position);
            Copy(_window.First + _position, _spanning + filled, n);
            _position += n;
            filled += n;
        }

        return _spanning;
    }

    // Rows [from, from + n) of the storage, with their labels or targets and weights, to rows [to, to + n).
    private void Copy(int from, int to, int n)
    {
        nint rowBytes = _loader!.Format.RowBytes;
        ref byte storage = ref Unsafe.As<float, byte>(ref _loader.Storage.Origin);
        Unsafe.CopyBlockUnaligned(ref Unsafe.Add(ref storage, to * rowBytes), ref Unsafe.Add(ref storage, from * rowBytes), checked((uint)(n * rowBytes)));
        _loader.Labels?.AsSpan(from, n).CopyTo(_loader.Labels.AsSpan(to, n));
        _loader.Targets?.AsSpan(from, n).CopyTo(_loader.Targets.AsSpan(to, n));
        _loader.Weights?.AsSpan(from, n).CopyTo(_loader.Weights.AsSpan(to, n));
    }

    // The window used up (or none yet) given back, and the next one taken; an epoch's first starts where it resumes.
    private void NextWindow(CancellationToken cancellationToken)
    {
        int skip = _needWindow ? _pendingSkip : 0;
        ReleaseWindow();
        _window = _loader!.Take(_sequence, cancellationToken);
        _sequence++;
        (_expectedEpoch, _expectedWindow) = _window.Index + 1 < _schedule!.Windows ? (_window.Epoch, _window.Index + 1) : (_window.Epoch + 1, 0);
        _position = skip;
        _needWindow = false;
        _pendingSkip = 0;
    }

    private void ReleaseWindow()
    {
        if (_window is not null)
        {
            _loader!.Release(_window);
            _window = null;
        }

        _position = 0;
    }

    // Row r of a block (its bytes at `block`) into staging row i, with its label and weight.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Gather(int i, ref byte block, in BlockEntry entry, int r)
    {
        _gather!.Row(ref block, entry, r, RowGather.Floats(_rows!, i * _stride, _layout.Features));
        if (_labels is not null)
        {
            int label = _gather.Class(ref block, entry, r);
            _labels[i] = label;
            Weights?[i] = _classWeights![label];
        }
        else
        {
            _targets![i] = _gather.Target(ref block, entry, r);
        }
    }

    private static unsafe void Prefetch(ref byte start, int bytes)
    {
        if (!Sse.IsSupported)
        {
            return;
        }

        byte* origin = (byte*)Unsafe.AsPointer(ref start);
        for (int offset = 0; offset < bytes; offset += BlockCodec.Alignment)
        {
            Sse.Prefetch1(origin + offset);
        }
    }
}
