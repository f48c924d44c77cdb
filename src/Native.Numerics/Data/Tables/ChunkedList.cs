namespace Native.Numerics;

/// <summary>
/// A list that grows by chunks of 16,384 values, never copying what it holds: a column of a table as it is read, when
/// its length is not known ahead (growing a flat array would copy it and, at its largest, hold it twice).
/// </summary>
internal sealed class ChunkedList<T>
    where T : unmanaged
{
    private const int Shift = 14;
    private const int ChunkLength = 1 << Shift;
    private const int Mask = ChunkLength - 1;

    private T[][] _chunks = new T[4][];

    /// <summary>The values added.</summary>
    public int Count { get; private set; }

    /// <summary>Value <paramref name="index"/> (0 to <see cref="Count"/> − 1, unchecked beyond the arrays' own checks).</summary>
    public T this[int index] => _chunks[index >> Shift][index & Mask];

    /// <summary>Adds a value at the end.</summary>
    public void Add(T value)
    {
        int count = Count;
        int chunk = count >> Shift;
        if ((count & Mask) == 0)
        {
            if (chunk == _chunks.Length)
            {
                Array.Resize(ref _chunks, 2 * _chunks.Length);
            }

            _chunks[chunk] = new T[ChunkLength];
        }

        _chunks[chunk][count & Mask] = value;
        Count = count + 1;
    }

    /// <summary>The values in chunk <paramref name="chunk"/>: each chunk holds 16,384 but the last.</summary>
    public ReadOnlySpan<T> Chunk(int chunk) => _chunks[chunk].AsSpan(0, Math.Min(ChunkLength, Count - (chunk << Shift)));

    /// <summary>The number of chunks holding values.</summary>
    public int Chunks => (Count + Mask) >> Shift;

    /// <summary>The bytes the chunks take (for the reading's accounting).</summary>
    public long Bytes => (long)Chunks * ChunkLength * System.Runtime.CompilerServices.Unsafe.SizeOf<T>();
}
