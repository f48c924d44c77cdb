using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Native.Numerics.Kernels;
using Native.Numerics.Streaming;

namespace Native.Numerics;

/// <summary>
/// The producer of a streamed epoch: on a thread of its own, for each window in the schedule's order, it reads the window's
/// blocks from the cache one at a time (checking each block's checksum) and places their rows — in the form training reads
/// (<see cref="WindowFormat"/>), with their labels and weights — at the places of a seeded random permutation of the window,
/// so the window's rows lie in shuffled order and the training thread reads each batch as consecutive rows, in place. Two
/// windows alternate: the producer fills one while the training thread works through the other. Back-pressure is the
/// windows: the producer waits for one to be freed, the consumer for one to be filled. Windows are produced in sequence —
/// epoch after epoch, up to the run's last — so the next epoch's first window is ready when it starts.
/// </summary>
/// <remarks>
/// <para>
/// The two windows are regions of one <see cref="Storage"/> (rows 0 to <see cref="WindowRows"/> − 1, and the next
/// <see cref="WindowRows"/>), with one array of labels (or targets) and of weights indexed alike, so that one
/// <see cref="Dataset"/> over them serves every batch; rows after the two windows are the consumer's, for a batch that
/// takes rows from two windows.
/// </para>
/// <para>
/// Nothing is allocated per window: the storage, the permutation and the block buffer are sized once. A failure on the
/// producer (a block whose checksum fails, an I/O error) is handed to the consumer, which throws it.
/// </para>
/// </remarks>
internal sealed partial class WindowLoader : IDisposable
{
    private readonly RowSource _source;
    private readonly RowCache _cache;
    private readonly RowCacheLayout _layout;
    private readonly RowGather _gather;
    private readonly EpochSchedule _schedule;
    private readonly Window[] _buffers;
    private readonly int _lastEpoch;
    private readonly bool _shuffle;
    private readonly int _seed;
    private readonly float[]? _classWeights;
    private readonly int[] _blockIncluded;
    private readonly int[] _permutation;
    private readonly byte[] _block;
    private readonly object _gate = new();
    private Thread? _thread;
    private bool _stopping;
    private ExceptionDispatchInfo? _failure;

    // The next window the producer fills: its sequence number (counting from the start), epoch and index.
    private long _produceSequence;
    private int _produceEpoch;
    private int _produceWindow;

    /// <summary>A loader of the windows of <paramref name="schedule"/> (whose lengths are each block's rows in the view × <see cref="WindowFormat.RowBytes"/>).</summary>
    /// <param name="source">The rows.</param>
    /// <param name="schedule">The blocks each epoch visits, and its windows.</param>
    /// <param name="format">The form of the rows in a window.</param>
    /// <param name="windowRows">The most rows of the view a window holds.</param>
    /// <param name="extraRows">Rows of storage after the two windows, for the consumer.</param>
    /// <param name="blockIncluded">Each block's rows in the view.</param>
    /// <param name="options">The run's options: seed, shuffling, epochs.</param>
    /// <param name="classWeights">Each class's weight, or null.</param>
    public WindowLoader(RowSource source, EpochSchedule schedule, WindowFormat format, int windowRows, int extraRows, int[] blockIncluded, TrainerOptions options, float[]? classWeights)
    {
        _cache = source.Cache;
        _layout = source.Layout;
        _gather = new RowGather(source);
        _schedule = schedule;
        _lastEpoch = options.Epochs;
        _shuffle = options.Shuffle;
        _seed = options.Seed;
        _classWeights = classWeights;
        _blockIncluded = blockIncluded;
        Format = format;
        WindowRows = windowRows;
        _source = source;

        int stored = checked((2 * windowRows) + extraRows);
        Storage = new AlignedBuffer(checked((int)((long)stored * format.RowBytes / sizeof(float))));
        if (_gather.Classes)
        {
            Labels = new int[stored];
        }
        else
        {
            Targets = new float[stored];
        }

        Weights = classWeights is null ? null : new float[stored];
        _permutation = new int[windowRows];
        long largest = 0;
        for (int b = 0; b < _layout.Blocks.Length; b++)
        {
            largest = Math.Max(largest, _layout.BlockLength(b));
        }

        _block = GC.AllocateUninitializedArray<byte>(checked((int)largest), pinned: true);
        _buffers = [new Window(0), new Window(windowRows)];
    }

    /// <summary>The form of the rows.</summary>
    public WindowFormat Format { get; }

    /// <summary>The most rows a window holds.</summary>
    public int WindowRows { get; }

    /// <summary>The rows of both windows, then the consumer's: <see cref="WindowFormat.RowBytes"/> apart.</summary>
    public AlignedBuffer Storage { get; }

    /// <summary>Each stored row's class (labels are classes), or null.</summary>
    public int[]? Labels { get; }

    /// <summary>Each stored row's target (labels are targets), or null.</summary>
    public float[]? Targets { get; }

    /// <summary>Each stored row's class weight, or null without class weights.</summary>
    public float[]? Weights { get; }

    /// <summary>The bytes the producer thread has allocated in its life, as it last measured (for tests).</summary>
    public long AllocatedBytes => Volatile.Read(ref _allocated);

    private long _allocated;

    /// <summary>
    /// Starts (or restarts) producing at window <paramref name="window"/> of epoch <paramref name="epoch"/>; the next
    /// <see cref="Take"/> returns it, sequence <paramref name="sequence"/>.
    /// </summary>
    public void Restart(int epoch, int window, long sequence)
    {
        Stop();
        lock (_gate)
        {
            _stopping = false;
            _failure = null;
            _produceEpoch = epoch;
            _produceWindow = window;
            _produceSequence = sequence;
            foreach (Window buffer in _buffers)
            {
                buffer.Sequence = -1;
                buffer.Ready = false;
            }
        }

        _thread = new Thread(Produce) { IsBackground = true, Name = "Native row window loader" };
        _thread.Start();
    }

    /// <summary>Waits for window <paramref name="sequence"/> to be filled and returns it (the consumer holds it until <see cref="Release"/>).</summary>
    /// <exception cref="OperationCanceledException">The token was cancelled while waiting.</exception>
    public Window Take(long sequence, CancellationToken cancellationToken)
    {
        Window buffer = _buffers[sequence & 1];
        lock (_gate)
        {
            while (!(buffer.Ready && buffer.Sequence == sequence))
            {
                _failure?.Throw();
                cancellationToken.ThrowIfCancellationRequested();
                Monitor.Wait(_gate, 50);
            }
        }

        return buffer;
    }

    /// <summary>Gives a window back to the producer.</summary>
    public void Release(Window window)
    {
        lock (_gate)
        {
            window.Ready = false;
            window.Sequence = -1;
            Monitor.PulseAll(_gate);
        }
    }

    public void Dispose() => Stop();

    private void Stop()
    {
        Thread? thread = _thread;
        if (thread is null)
        {
            return;
        }

        lock (_gate)
        {
            _stopping = true;
            Monitor.PulseAll(_gate);
        }

        thread.Join();
        _thread = null;
    }

    private void Produce()
    {
        try
        {
            while (true)
            {
                long sequence;
                int epoch, index;
                Window buffer;
                lock (_gate)
                {
                    sequence = _produceSequence;
                    buffer = _buffers[sequence & 1];
                    while (!_stopping && (buffer.Ready || _produceEpoch > _lastEpoch))
                    {
                        Monitor.Wait(_gate);
                    }

                    if (_stopping)
                    {
                        return;
                    }

                    epoch = _produceEpoch;
                    index = _produceWindow;
                }

                Fill(buffer, epoch, index);
                lock (_gate)
                {
                    buffer.Sequence = sequence;
                    buffer.Ready = true;
                    _produceSequence++;
                    if (++_produceWindow >= _schedule.Windows)
                    {
                        _produceWindow = 0;
                        _produceEpoch++;
                    }

                    Monitor.PulseAll(_gate);
                }

                Volatile.Write(ref _allocated, GC.GetAllocatedBytesForCurrentThread());
            }
        }
        catch (Exception e)
        {
            lock (_gate)
            {
                _failure = ExceptionDispatchInfo.Capture(e);
                Monitor.PulseAll(_gate);
            }
        }
    }

    /// <summary>
    /// Fills the window with window <paramref name="index"/> of epoch <paramref name="epoch"/>: its blocks read one at a time,
    /// each checked against its checksum, and the k-th row of the view among them placed at row <c>permutation[k]</c> of
    /// the window — the permutation drawn from the seed's stream for this epoch and window (the identity without shuffling,
    /// so the rows keep their order).
    /// </summary>
    private void Fill(Window buffer, int epoch, int index)
    {
        _schedule.Draw(epoch);
        buffer.Epoch = epoch;
        buffer.Index = index;
        int rows = 0;
        for (int i = _schedule.Starts[index]; i < _schedule.Starts[index + 1]; i++)
        {
            rows += _blockIncluded[_schedule.Order[i]];
        }

        Span<int> permutation = _permutation.AsSpan(0, rows);
        for (int k = 0; k < rows; k++)
        {
            permutation[k] = k;
        }

        if (_shuffle)
        {
            new SeededRandom(_seed, TrainingRows.EpochStream(epoch) | (uint)(index + 2)).Shuffle(permutation);
        }

        int placed = 0;
        for (int i = _schedule.Starts[index]; i < _schedule.Starts[index + 1]; i++)
        {
            int block = _schedule.Order[i];
            _cache.ReadBlock(block, _block);
            placed = Place(block, buffer.First, permutation, placed);
        }

        if (Sse.IsSupported)
        {
            // The non-temporal stores of CopyLines seen by the training thread before the window is.
            Sse.StoreFence();
        }

        buffer.Rows = rows;
    }

    // The rows of the view in `block` (its bytes in _block) placed at their permuted rows of the window starting at `first`.
    private int Place(int block, int first, ReadOnlySpan<int> permutation, int placed)
    {
        BlockEntry entry = _layout.Blocks[block];
        int features = _layout.Features, rowBytes = Format.RowBytes;
        int storedBytes = BlockCodec.RowBytes(entry.Type, features);
        long firstRow = (long)block * _layout.BlockRows;
        ref byte source = ref MemoryMarshal.GetArrayDataReference(_block);
        ref int slots = ref Unsafe.As<byte, int>(ref Unsafe.Add(ref source, (nint)_gather.LabelsOffset(entry)));
        ref byte storage = ref Unsafe.As<float, byte>(ref Storage.Origin);
        ReadOnlySpan<ulong> included = _source.Included;
        bool lines = Format.Bytes && rowBytes % BlockCodec.Alignment == 0;
        for (int r = 0; r < entry.Rows; r++)
        {
            if (!RowGather.Includes(included, firstRow + r))
            {
                continue;
            }

            int at = first + permutation[placed++];
            ref byte destination = ref Unsafe.Add(ref storage, (nint)at * rowBytes);
            ref byte stored = ref Unsafe.Add(ref source, (nint)r * storedBytes);
            if (lines)
            {
                CopyLines(ref stored, ref destination, rowBytes, SimdSupport.Preferred);
            }
            else if (Format.Bytes)
            {
                // The stored row and its zero padding, as a byte dataset's row (its stride is at most the stored row's).
                Unsafe.CopyBlockUnaligned(ref destination, ref stored, (uint)rowBytes);
            }
            else
            {
                _gather.Row(ref source, entry, r, MemoryMarshal.CreateSpan(ref Unsafe.As<byte, float>(ref destination), features));
            }

            int slot = Unsafe.Add(ref slots, r);
            if (Labels is not null)
            {
                int label = _gather.ClassOf(slot);
                Labels[at] = label;
                Weights?[at] = _classWeights![label];
            }
            else
            {
                Targets![at] = _gather.TargetOf(slot);
            }
        }

        return placed;
    }

    /// <summary>One of the two windows: which rows of the storage it is, and which window of which epoch it holds.</summary>
    internal sealed class Window(int first)
    {
        /// <summary>Its first row in the loader's storage.</summary>
        public int First { get; } = first;

        /// <summary>The rows it holds, from <see cref="First"/>.</summary>
        public int Rows { get; set; }

        public long Sequence { get; set; } = -1;

        public bool Ready { get; set; }

        public int Epoch { get; set; }

        public int Index { get; set; }
    }
}
