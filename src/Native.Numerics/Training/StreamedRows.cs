using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.X86;
using Native.Numerics.Kernels;
using Native.Numerics.Streaming;

namespace Native.Numerics;

/// <summary>
/// A row source's rows as a training session's batches: each batch's rows gathered — widened from their stored form,
/// standardized if the source is — into a staging dataset the step strategies read as any other (in the order 0, 1, 2, …),
/// so the same fused, parallel and plain paths train on streamed rows.
/// </summary>
/// <remarks>
/// <para>
/// <b>In place</b> (<see cref="StreamPlan.Resident"/>): when the cache fits the budget, rows are gathered straight from the
/// mapped cache in an order shuffled afresh each epoch, exactly as a dataset's are — the same stream of the same seed, so
/// the same permutation of the same rows.
/// </para>
/// <para>
/// <b>Through windows</b> otherwise: each epoch visits the blocks in a seeded random order, a window of consecutive blocks
/// at a time (<see cref="EpochSchedule"/>); a <see cref="WindowLoader"/> thread copies the next window while this thread
/// trains on the current one, whose rows are shuffled together (the shuffle buffer is a window). A batch may take its last
/// rows from the next window. Every order is drawn from the seed's stream for its epoch and window, so a resumed run
/// draws what an uninterrupted one would.
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
    private readonly RowGather _gather;
    private readonly AlignedBuffer _rows;
    private readonly int[]? _labels;
    private readonly float[]? _targets;
    private readonly float[]? _classWeights;
    private readonly int[] _identity;
    private readonly int _stride;
    private readonly bool _shuffle;
    private readonly int _seed;
    private readonly int _blockShift;

    // In place: the epoch's order of cache rows.
    private readonly int[]? _order;

    // Through windows: the consumer's schedule, the producer, the window's shuffled entries (slot × block rows + row).
    private readonly EpochSchedule? _schedule;
    private readonly WindowLoader? _loader;
    private readonly int[]? _blockIncluded;
    private readonly int[]? _entries;
    private WindowLoader.Window? _window;
    private int _entryCount;
    private int _entry;
    private long _sequence;

    private long _next;

    public StreamedRows(RowSource source, TrainerOptions options, StreamPlan plan, float[]? classWeights)
    {
        _source = source;
        _cache = source.Cache;
        _layout = source.Layout;
        _gather = new RowGather(source);
        _stride = Dataset.RowStride(source.Features);
        _shuffle = options.Shuffle;
        _seed = options.Seed;
        _classWeights = classWeights;
        _blockShift = System.Numerics.BitOperations.Log2((uint)_layout.BlockRows);
        BatchRows = (int)Math.Min(options.BatchSize, source.Count);
        Count = source.Count;

        // The staging rows: a dataset over them, read in the order 0, 1, 2, … (the identity).
        _rows = new AlignedBuffer(checked(BatchRows * _stride));
        _identity = [.. Enumerable.Range(0, BatchRows)];
        if (_gather.Classes)
        {
            _labels = new int[BatchRows];
        }
        else
        {
            _targets = new float[BatchRows];
        }

        Data = Dataset.FromStorage(_rows, BatchRows, source.Features, _labels, Math.Max(2, source.Classes), null, _targets);
        Weights = classWeights is null ? null : new float[BatchRows];

        ReadOnlySpan<ulong> included = source.Included;
        if (plan.Resident)
        {
            _order = new int[source.Count];
            for (int b = 0; b < _layout.Blocks.Length; b++)
            {
                _cache.Verify(b);
            }
        }
        else
        {
            var blocks = new List<int>();
            long[] lengths = new long[_layout.Blocks.Length];
            _blockIncluded = new int[_layout.Blocks.Length];
            int maxBlocks = 1;
            long smallest = long.MaxValue;
            for (int b = 0; b < _layout.Blocks.Length; b++)
            {
                lengths[b] = _layout.BlockLength(b);
                _blockIncluded[b] = RowGather.CountIncluded(included, (long)b * _layout.BlockRows, _layout.Blocks[b].Rows);
                if (_blockIncluded[b] > 0)
                {
                    blocks.Add(b);
                    smallest = Math.Min(smallest, lengths[b]);
                }
            }

            maxBlocks = (int)Math.Min(blocks.Count, (plan.WindowBytes / Math.Max(1, smallest)) + 1);
            _schedule = new EpochSchedule([.. blocks], lengths, plan.WindowBytes, _shuffle, _seed);
            _loader = new WindowLoader(_cache, new EpochSchedule([.. blocks], lengths, plan.WindowBytes, _shuffle, _seed), plan, maxBlocks, options.Epochs);
            _entries = new int[Math.Min(plan.WindowRows, maxBlocks * _layout.BlockRows)];
            _sequence = -1;
        }
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
        order = _identity;
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
            GatherFromWindows(count, cancellationToken);
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

    private void GatherFromWindows(int count, CancellationToken cancellationToken)
    {
        for (int i = 0; i < count; i++)
        {
            if (_needWindow || _entry >= _entryCount)
            {
                // The window is used up (its rows already gathered are copies): back to the producer, and the next one.
                if (!_needWindow)
                {
                    ReleaseWindow();
                }

                TakeWindow(cancellationToken);
            }

            int entry = _entries![_entry++];
            int slot = entry >> _blockShift, r = entry & (_layout.BlockRows - 1);
            int block = _window!.BlockIds[slot];
            Gather(i, ref Unsafe.Add(ref _window.Origin, (nint)_window.Offsets[slot]), _layout.Blocks[block], r);
        }
    }

    private void TakeWindow(CancellationToken cancellationToken)
    {
        _window = _loader!.Take(_sequence, cancellationToken);
        _sequence++;
        (_expectedEpoch, _expectedWindow) = _window.Index + 1 < _schedule!.Windows ? (_window.Epoch, _window.Index + 1) : (_window.Epoch + 1, 0);

        // The window's rows of the view, as slot × block rows + row, shuffled by the seed's stream for this epoch and window.
        ReadOnlySpan<ulong> included = _source.Included;
        int n = 0;
        for (int slot = 0; slot < _window.Blocks; slot++)
        {
            int block = _window.BlockIds[slot];
            long first = (long)block * _layout.BlockRows;
            for (int r = 0; r < _layout.Blocks[block].Rows; r++)
            {
                if (RowGather.Includes(included, first + r))
                {
                    _entries![n++] = (slot << _blockShift) | r;
                }
            }
        }

        if (_shuffle)
        {
            new SeededRandom(_seed, EpochStream(_window.Epoch) | (uint)(_window.Index + 2)).Shuffle(_entries.AsSpan(0, n));
        }

        _entryCount = n;
        _entry = _needWindow ? _pendingSkip : 0;
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

        _entry = _entryCount = 0;
    }

    // Row r of a block (its bytes at `block`) into staging row i, with its label and weight.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Gather(int i, ref byte block, in BlockEntry entry, int r)
    {
        _gather.Row(ref block, entry, r, RowGather.Floats(_rows, i * _stride, _layout.Features));
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
