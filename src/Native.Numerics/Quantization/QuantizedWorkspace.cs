using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Native.Numerics.Kernels;

namespace Native.Numerics.Quantization;

/// <summary>
/// Each thread's scratch memory for the quantized models, grown once per thread to the largest size asked for: after a
/// thread's first call with a model (or its first batch of a larger model), nothing allocates.
/// </summary>
internal static class QuantizedWorkspace
{
    [ThreadStatic]
    private static AlignedBuffer? t_chunk;

    [ThreadStatic]
    private static AlignedBuffer? t_row;

    /// <summary>This thread's chunk workspace, at least <paramref name="length"/> floats, 64-byte aligned.</summary>
    public static ref float Chunk(int length) => ref Grow(ref t_chunk, length).Origin;

    /// <summary>This thread's one-row scratch when it is too large for the stack.</summary>
    public static ref float Row(int length) => ref Grow(ref t_row, length).Origin;

    /// <summary>The first 64-byte boundary in <paramref name="scratch"/>, which has 16 spare floats for it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe ref float Aligned(Span<float> scratch)
    {
        // Stack memory does not move, so its address may be taken.
        ref float first = ref MemoryMarshal.GetReference(scratch);
        nint misalignment = (nint)Unsafe.AsPointer(ref first) & (AlignedBuffer.Alignment - 1);
        return ref Unsafe.AddByteOffset(ref first, (AlignedBuffer.Alignment - misalignment) & (AlignedBuffer.Alignment - 1));
    }

    private static AlignedBuffer Grow(ref AlignedBuffer? buffer, int length)
    {
        if (buffer is null || buffer.Length < length)
        {
            buffer = new AlignedBuffer(length);
        }

        return buffer;
    }
}
