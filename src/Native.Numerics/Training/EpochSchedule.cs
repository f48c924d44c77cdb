using Native.Numerics.Streaming;

namespace Native.Numerics;

// How a streamed epoch is cut into windows: the plan the memory budget allows, the schedule of blocks, the form of a window's rows.

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
/// The form a window holds its rows in, the form training reads: bytes, as a byte dataset's (<see cref="Dataset.Compact"/>),
/// when every block of the cache is bytes with one divisor — widened (divided, standardized) in registers by the training
/// pass, as the in-memory pass over byte rows widens them; else floats, widened and standardized as they are placed.
/// </summary>
/// <param name="Bytes">Whether the rows are bytes (else floats).</param>
/// <param name="Divisor">What each byte is divided by, for byte rows (1 or 255).</param>
/// <param name="RowBytes">The bytes between rows in a window: <see cref="Dataset.ByteStride"/> for bytes, 4 × <see cref="Dataset.RowStride"/> for floats.</param>
internal readonly record struct WindowFormat(bool Bytes, float Divisor, int RowBytes)
{
    /// <summary>The form for the rows of <paramref name="layout"/>.</summary>
    public static WindowFormat Of(RowCacheLayout layout)
    {
        BlockEntry[] blocks = layout.Blocks;
        bool bytes = blocks.Length > 0;
        for (int b = 0; b < blocks.Length && bytes; b++)
        {
            bytes = blocks[b].Type == BlockType.Byte && blocks[b].Divisor == blocks[0].Divisor;
        }

        return bytes
            ? new WindowFormat(true, blocks[0].Divisor, Dataset.ByteStride(layout.Features))
            : new WindowFormat(false, 1f, sizeof(float) * Dataset.RowStride(layout.Features));
    }

    /// <summary>The bytes a row takes in a window with what travels beside it: its label or target, and its class's weight when there are class weights.</summary>
    public long BytesPerRow(bool weights) => RowBytes + sizeof(int) + (weights ? sizeof(float) : 0);
}
