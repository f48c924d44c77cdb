using System.Runtime.CompilerServices;

namespace Native.Numerics;

/// <summary>
/// A list that grows by chunks of 16,384 values, never copying a full chunk: a column of a table as it is read, when
/// its length is not known ahead (growing a flat array would copy it and, at its largest, hold it twice). The first
/// chunk starts at <see cref="FirstLength"/> values and doubles up to the full length, so that a short column of a very
/// wide table takes what it holds, not 64 KB (200,000 columns of 2 rows took 13 GB).
/// </summary>
/// <remarks>
/// <see cref="Add"/> is the per-cell cost of reading a table: it writes into the current chunk after one comparison, and
/// leaves starting a chunk to a call of its own.
/// </remarks>
internal sealed class ChunkedList<T>
    where T : unmanaged
{
    /// <summary>The values a chunk holds: 16,384.</summary>
    public const int ChunkLength = 1 << Shift;

    /// <summary>The values the first chunk holds at first: 16.</summary>
    public const int FirstLength = 16;

    private const int Shift = 14;
    private const int Mask = ChunkLength - 1;

    private T[][] _chunks = new T[4][];

    /// <summary>The chunk being filled (empty before the first value).</summary>
    private T[] _current = [];

    /// <summary>Where the next value goes in <see cref="_current"/>.</summary>
    private int _next;

    /// <summary>The values in the chunks before <see cref="_current"/>.</summary>
    private int _before;

    /// <summary>The values added.</summary>
    public int Count => _before + _next;

    /// <summary>Value <paramref name="index"/> (0 to <see cref="Count"/> − 1, unchecked beyond the arrays' own checks).</summary>
    public T this[int index] => _chunks[index >> Shift][index & Mask];

    /// <summary>Adds a value at the end.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Add(T value)
    {
        T[] current = _current;
        int next = _next;
        if ((uint)next < (uint)current.Length)
        {
            current[next] = value;
            _next = next + 1;
            return;
        }

        AddToNewChunk(value);
    }

    /// <summary>The values in chunk <paramref name="chunk"/>: each chunk holds 16,384 but the last.</summary>
    public ReadOnlySpan<T> Chunk(int chunk) => _chunks[chunk].AsSpan(0, Math.Min(ChunkLength, Count - (chunk << Shift)));

    /// <summary>The number of chunks holding values.</summary>
    public int Chunks => (Count + Mask) >> Shift;

    /// <summary>The bytes the chunks take (for the reading's accounting).</summary>
    public long Bytes => Count <= ChunkLength ? (long)_current.Length * Unsafe.SizeOf<T>() : (long)Chunks * ChunkLength * Unsafe.SizeOf<T>();

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void AddToNewChunk(T value)
    {
        int count = Count;
        if (_current.Length is > 0 and < ChunkLength)
        {
            // The first chunk, full at less than the full length: twice as long (a copy of at most 8,192 values, once).
            T[] longer = new T[2 * _current.Length];
            _current.CopyTo(longer, 0);
            _current = _chunks[0] = longer;
            _current[_next++] = value;
            return;
        }

        int chunk = count >> Shift;
        if (chunk == _chunks.Length)
        {
            Array.Resize(ref _chunks, 2 * _chunks.Length);
        }

        _current = _chunks[chunk] = new T[count == 0 ? FirstLength : ChunkLength];
        _before = count;
        _current[0] = value;
        _next = 1;
    }
}
