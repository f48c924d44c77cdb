using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Native.Numerics.Kernels;

namespace Native.Numerics.Streaming;

/// <summary>
/// Reads one stored row as the trainer takes it: widened to floats (<see cref="BlockCodec.Widen"/>), standardized if the
/// row source is, and its label as a class or a target. The batch gather calls it per row, from the cache's mapped blocks or
/// from a window's copies of them; allocation-free.
/// </summary>
/// <remarks>
/// This is the seam for kernels that will read byte rows directly and widen them in registers: today a batch's rows are
/// widened here into a float staging batch, and the float kernels run unchanged.
/// </remarks>
internal sealed class RowGather
{
    private readonly int _features;
    private readonly Standardizer? _standardizer;
    private readonly CachedLabels _labels;
    private readonly int[] _labelMap;
    private readonly TargetStandardizer? _targets;

    public RowGather(RowSource source)
    {
        _features = source.Features;
        _standardizer = source.Standardizer;
        _labels = source.Layout.Labels;
        _labelMap = source.Layout.LabelMap;
        _targets = source.TargetStandardizer;
    }

    /// <summary>Whether the labels are classes (else targets).</summary>
    public bool Classes => _labels == CachedLabels.Classes;

    /// <summary>
    /// Writes row <paramref name="row"/> of a block (<paramref name="entry"/>, its bytes starting at <paramref name="block"/>)
    /// into <paramref name="destination"/> (<see cref="RowSource.Features"/> floats).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Row(ref byte block, in BlockEntry entry, int row, Span<float> destination)
    {
        ref byte stored = ref Unsafe.Add(ref block, (nint)row * BlockCodec.RowBytes(entry.Type, _features));
        BlockCodec.Widen(ref stored, entry.Type, entry.Divisor, destination);
        _standardizer?.Transform(destination, destination);
    }

    /// <summary>The class of row <paramref name="row"/> of the block (labels are classes).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int Class(ref byte block, in BlockEntry entry, int row) => _labelMap[Slot(ref block, entry, row)];

    /// <summary>The target of row <paramref name="row"/> of the block (labels are targets).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public float Target(ref byte block, in BlockEntry entry, int row) => TargetOf(Slot(ref block, entry, row));

    /// <summary>Where a block's label slots start, from its first byte.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public long LabelsOffset(in BlockEntry entry) => BlockCodec.Align((long)entry.Rows * BlockCodec.RowBytes(entry.Type, _features));

    /// <summary>The class of a label slot (labels are classes).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int ClassOf(int slot) => _labelMap[slot];

    /// <summary>The target of a label slot (labels are targets).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public float TargetOf(int slot)
    {
        float target = _labels == CachedLabels.Targets ? BitConverter.Int32BitsToSingle(slot) : BitConverter.Int32BitsToSingle(_labelMap[slot]);
        return _targets is null ? target : _targets.Transform(target, 0);
    }

    /// <summary>The 4 bytes of row <paramref name="row"/>'s label slot: an id, or a target's bits.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int Slot(ref byte block, in BlockEntry entry, int row) =>
        Unsafe.ReadUnaligned<int>(ref Unsafe.Add(ref block, (nint)(LabelsOffset(entry) + (4L * row))));

    /// <summary>Whether cache row <paramref name="row"/> is in <paramref name="included"/> (all rows when it is empty).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool Includes(ReadOnlySpan<ulong> included, long row) =>
        included.IsEmpty || (included[(int)(row >> 6)] & (1UL << (int)(row & 63))) != 0;

    /// <summary>The rows of <paramref name="included"/> within cache rows [<paramref name="start"/>, <paramref name="start"/> + <paramref name="count"/>).</summary>
    public static int CountIncluded(ReadOnlySpan<ulong> included, long start, int count)
    {
        if (included.IsEmpty)
        {
            return count;
        }

        int total = 0;
        for (long row = start; row < start + count; row++)
        {
            total += Includes(included, row) ? 1 : 0;
        }

        return total;
    }

    /// <summary>A span of floats over aligned storage, for the staging rows.</summary>
    public static Span<float> Floats(AlignedBuffer buffer, int start, int length) => MemoryMarshal.CreateSpan(ref Unsafe.Add(ref buffer.Origin, start), length);
}
