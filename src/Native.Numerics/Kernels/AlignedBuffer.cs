using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Native.Numerics.Kernels;

/// <summary>
/// A block of floats whose first element sits on a 64-byte boundary (a cache line), with no disposal
/// needed: the storage of model parameters and datasets, and the models' scratch memory.
/// </summary>
/// <remarks>
/// A managed <c>float[]</c> is only 8-byte aligned, so 512-bit loads from it split cache lines and run
/// markedly slower (docs/performance.md, "Alignment"). This allocates a pinned array — which the GC never moves —
/// with 128 spare bytes, and uses it from its first 64-byte boundary. Pinned arrays live on the pinned
/// object heap, so they cost the GC nothing to keep still. New blocks are zeroed (but those of <see cref="Uninitialized"/>,
/// whose caller writes them whole). At least
/// <see cref="FloatsPerLine"/> zeroed floats follow the block, never written through it: kernels may load a whole
/// vector that starts inside the block and ends past it (the last outputs' biases, say) without reading outside the array.
/// </remarks>
internal sealed class AlignedBuffer
{
    /// <summary>The alignment, in bytes, of the first element.</summary>
    public const int Alignment = 64;

    /// <summary>Floats per alignment unit: lengths rounded with <see cref="Pad"/> fill whole cache lines.</summary>
    public const int FloatsPerLine = Alignment / sizeof(float);

    private readonly float[] _storage;
    private readonly int _offset;

    /// <summary>Allocates <paramref name="length"/> zeroed floats, 64-byte aligned.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The length is negative or too large for one array.</exception>
    public unsafe AlignedBuffer(int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(length, Array.MaxLength - (2 * FloatsPerLine));
        _storage = GC.AllocateArray<float>(length + (2 * FloatsPerLine), pinned: true);
        nint address = (nint)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(_storage));
        int misalignment = (int)(address & (Alignment - 1));
        _offset = misalignment == 0 ? 0 : (Alignment - misalignment) / sizeof(float);
        Length = length;
    }

    /// <summary>
    /// Allocates <paramref name="length"/> floats, 64-byte aligned, whose contents are left as the memory held them: for a
    /// block its caller writes whole, a part at a time while that part is in cache (the GC would otherwise zero it all first,
    /// and the writes then bring every line back from memory). The spare floats before and after the block are zeroed.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The length is negative or too large for one array.</exception>
    internal static unsafe AlignedBuffer Uninitialized(int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(length, Array.MaxLength - (2 * FloatsPerLine));
        float[] storage = GC.AllocateUninitializedArray<float>(length + (2 * FloatsPerLine), pinned: true);
        nint address = (nint)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(storage));
        int misalignment = (int)(address & (Alignment - 1));
        int offset = misalignment == 0 ? 0 : (Alignment - misalignment) / sizeof(float);
        storage.AsSpan(0, offset).Clear();
        storage.AsSpan(offset + length).Clear();
        return new AlignedBuffer(storage, offset, length);
    }

    private AlignedBuffer(float[] storage, int offset, int length)
    {
        _storage = storage;
        _offset = offset;
        Length = length;
    }

    /// <summary>
    /// The first <paramref name="length"/> floats of this block, sharing its storage: for a block filled from the
    /// front whose end was never written, so the floats after the shorter block are still zero.
    /// </summary>
    internal AlignedBuffer Truncate(int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(length, Length);
        return new AlignedBuffer(_storage, _offset, length);
    }

    /// <summary>The number of usable floats.</summary>
    public int Length { get; }

    /// <summary>The aligned floats.</summary>
    public Span<float> Span => new(_storage, _offset, Length);

    /// <summary>A reference to the first aligned float.</summary>
    public ref float Origin => ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_storage), _offset);

    /// <summary>Rounds <paramref name="length"/> up to a whole number of cache lines (16 floats).</summary>
    public static int Pad(int length) => checked((length + FloatsPerLine - 1) / FloatsPerLine * FloatsPerLine);
}
