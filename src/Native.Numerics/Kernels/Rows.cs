using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Native.Numerics.Kernels;

/// <summary>
/// A read-only view of some rows of a row-major matrix: either the first <see cref="Count"/> rows, or
/// the rows an index list names (a shuffled mini-batch read in place, without gathering a copy).
/// </summary>
/// <remarks>Built only after the caller has checked every index and the stride against the data.</remarks>
internal readonly ref struct Rows
{
    private readonly ref readonly float _origin;
    private readonly ReadOnlySpan<int> _indices;

    /// <summary>The first <paramref name="count"/> rows, <paramref name="stride"/> floats apart.</summary>
    public Rows(ref readonly float origin, nint stride, int count)
    {
        _origin = ref origin;
        Stride = stride;
        Count = count;
    }

    /// <summary>The rows <paramref name="indices"/> names, <paramref name="stride"/> floats apart.</summary>
    public Rows(ref readonly float origin, nint stride, ReadOnlySpan<int> indices)
    {
        _origin = ref origin;
        Stride = stride;
        _indices = indices;
        Count = indices.Length;
    }

    /// <summary>The first float of the underlying matrix (row 0 of the view, unless the view is indexed).</summary>
    public ref readonly float Origin => ref _origin;

    /// <summary>The rows' positions in the underlying matrix, or empty when the view is the first <see cref="Count"/> rows.</summary>
    public ReadOnlySpan<int> Indices => _indices;

    /// <summary>The distance between consecutive stored rows, in floats.</summary>
    public nint Stride { get; }

    /// <summary>Whether the view goes through an index list (a slice then keeps dataset-row numbering).</summary>
    public bool IsIndexed => !_indices.IsEmpty;

    /// <summary>The number of rows in view.</summary>
    public int Count { get; }

    /// <summary>The position in the underlying matrix of the <paramref name="i"/>th row in view.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int Source(int i) => _indices.IsEmpty ? i : Unsafe.Add(ref MemoryMarshal.GetReference(_indices), i);

    /// <summary>The first float of the <paramref name="i"/>th row in view.</summary>
    public ref readonly float this[int i]
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get
        {
            return ref Unsafe.Add(ref Unsafe.AsRef(in _origin), Source(i) * Stride);
        }
    }

    /// <summary>The rows <paramref name="start"/> to <paramref name="start"/> + <paramref name="count"/> of this view.</summary>
    public Rows Slice(int start, int count) => _indices.IsEmpty
        ? new Rows(in Unsafe.Add(ref Unsafe.AsRef(in _origin), start * Stride), Stride, count)
        : new Rows(in _origin, Stride, _indices.Slice(start, count));
}
