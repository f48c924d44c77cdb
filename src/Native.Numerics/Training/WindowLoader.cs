using System.Runtime.ExceptionServices;
using System.Runtime.InteropServices;
using Native.Numerics.Streaming;

namespace Native.Numerics;

/// <summary>How rows from a row source are read: in place from the mapped cache, or through two windows of what size.</summary>
/// <param name="Resident">Whether the whole cache is read in place, every row shuffled each epoch.</param>
/// <param name="WindowBytes">The bytes of each window (the shuffle buffer), when not resident.</param>
/// <param name="WindowRows">The most rows a window can hold, when not resident.</param>
internal sealed record StreamPlan(bool Resident, long WindowBytes, int WindowRows);

/// <summary>
/// Which blocks an epoch visits in which order, and where its windows begin: the blocks of a row source's view in a seeded
/// random order (stream <see cref="TrainingRows.EpochStream"/> of the epoch, so any epoch's order is drawn again alike), cut
/// into windows of consecutive blocks that each fit <see cref="StreamPlan.WindowBytes"/>.
/// </summary>
internal sealed class EpochSchedule
{
    private readonly int[] _blocks;
    private readonly long[] _lengths;
    private readonly long _windowBytes;
    private readonly bool _shuffle;
    private readonly int _seed;

    /// <summary>The schedule of <paramref name="blocks"/> (those with rows in the view, in order), their lengths in a window.</summary>
    public EpochSchedule(int[] blocks, long[] lengths, long windowBytes, bool shuffle, int seed)
    {
        _blocks = blocks;
        _lengths = lengths;
        _windowBytes = windowBytes;
        _shuffle = shuffle;
        _seed = seed;
        Order = new int[blocks.Length];
        Starts = new int[blocks.Length + 1];
    }

    /// <summary>The epoch drawn last (0 before any).</summary>
    public int Epoch { get; private set; }

    /// <summary>The blocks in the epoch's order.</summary>
    public int[] Order { get; }

    /// <summary>Where each window begins in <see cref="Order"/>; window w is Order[Starts[w]..Starts[w + 1]).</summary>
    public int[] Starts { get; }

    /// <summary>The number of windows of the epoch drawn.</summary>
    public int Windows { get; private set; }

    /// <summary>Draws epoch <paramref name="epoch"/>'s order and windows (allocating nothing).</summary>
    public void Draw(int epoch)
    {
        if (Epoch == epoch)
        {
            return;
        }

        _blocks.CopyTo(Order, 0);
        if (_shuffle)
        {
            new SeededRandom(_seed, TrainingRows.EpochStream(epoch) | 1).Shuffle<int>(Order);
        }

        int windows = 0;
        long used = 0;
        for (int i = 0; i < Order.Length; i++)
        {
            long length = _lengths[Order[i]];
            if (i == 0 || used + length > _windowBytes)
            {
                Starts[windows++] = i;
                used = 0;
            }

            used += length;
        }

        Starts[windows] = Order.Length;
        Windows = windows;
        Epoch = epoch;
    }
}

/// <summary>
/// The producer of a streamed epoch: on a thread of its own, it copies the blocks of each window, in the schedule's order,
/// from the mapped cache into one of two window buffers, checking each block's checksum, while the training thread works
/// through the other. Back-pressure is the buffers: the producer waits for one to be freed, the consumer for one to be
/// filled. Windows are produced in sequence — epoch after epoch, up to the run's last — so the next epoch's first window
/// is ready when it starts.
/// </summary>
/// <remarks>
/// Nothing is allocated per window: the buffers, the schedule and the lists of a window's blocks are sized once. A failure
/// on the producer (a block whose checksum fails, an I/O error) is handed to the consumer, which throws it.
/// </remarks>
internal sealed class WindowLoader : IDisposable
{
    private readonly RowCache _cache;
    private readonly EpochSchedule _schedule;
    private readonly Window[] _buffers;
    private readonly int _lastEpoch;
    private readonly object _gate = new();
    private Thread? _thread;
    private bool _stopping;
    private ExceptionDispatchInfo? _failure;

    // The next window the producer fills: its sequence number (counting from the start), epoch and index.
    private long _produceSequence;
    private int _produceEpoch;
    private int _produceWindow;

    public WindowLoader(RowCache cache, EpochSchedule schedule, StreamPlan plan, int maxBlocksPerWindow, int lastEpoch)
    {
        _cache = cache;
        _schedule = schedule;
        _lastEpoch = lastEpoch;
        _buffers = [new Window(plan.WindowBytes, maxBlocksPerWindow), new Window(plan.WindowBytes, maxBlocksPerWindow)];
    }

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

    /// <summary>Gives a window's buffer back to the producer.</summary>
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

    // Copies window `index` of epoch `epoch`'s blocks into the buffer, each checked against its checksum.
    private void Fill(Window buffer, int epoch, int index)
    {
        _schedule.Draw(epoch);
        buffer.Epoch = epoch;
        buffer.Index = index;
        buffer.Blocks = 0;
        long offset = 0;
        for (int i = _schedule.Starts[index]; i < _schedule.Starts[index + 1]; i++)
        {
            int block = _schedule.Order[i];
            int length = (int)_cache.Layout.BlockLength(block);
            _cache.ReadBlock(block, buffer.Bytes.Slice((int)offset, length));
            buffer.BlockIds[buffer.Blocks] = block;
            buffer.Offsets[buffer.Blocks] = offset;
            buffer.Blocks++;
            offset += length;
        }
    }

    /// <summary>One window buffer: a copy of some blocks, 64-byte aligned, and where each is.</summary>
    internal sealed class Window
    {
        private readonly byte[] _storage;
        private readonly int _start;

        public Window(long bytes, int maxBlocks)
        {
            _storage = GC.AllocateUninitializedArray<byte>(checked((int)bytes + BlockCodec.Alignment), pinned: true);
            unsafe
            {
                nint address = (nint)System.Runtime.CompilerServices.Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(_storage));
                _start = (int)((BlockCodec.Alignment - (address & (BlockCodec.Alignment - 1))) & (BlockCodec.Alignment - 1));
            }

            BlockIds = new int[maxBlocks];
            Offsets = new long[maxBlocks];
        }

        /// <summary>The buffer's aligned bytes.</summary>
        public Span<byte> Bytes => _storage.AsSpan(_start, _storage.Length - BlockCodec.Alignment);

        /// <summary>The first aligned byte.</summary>
        public ref byte Origin => ref _storage[_start];

        public long Sequence { get; set; } = -1;

        public bool Ready { get; set; }

        public int Epoch { get; set; }

        public int Index { get; set; }

        /// <summary>The blocks copied.</summary>
        public int Blocks { get; set; }

        /// <summary>Each copied block's number in the cache.</summary>
        public int[] BlockIds { get; }

        /// <summary>Where each copied block starts in <see cref="Bytes"/>.</summary>
        public long[] Offsets { get; }
    }
}
