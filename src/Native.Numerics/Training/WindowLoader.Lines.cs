using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Native.Numerics.Kernels;
using Native.Numerics.Streaming;

namespace Native.Numerics;

// How a window's rows are stored: whole 64-byte lines, with non-temporal stores.
internal sealed partial class WindowLoader
{
    /// <summary>
    /// Copies <paramref name="bytes"/> (whole 64-byte lines) to a 64-byte-aligned destination with non-temporal stores: a
    /// window's rows land at scattered places far more than a cache's worth apart, and are read only once the window is
    /// full, so a store that does not first read the line it overwrites (nor evicts what training reads) halves the memory
    /// traffic of placing them. The loader fences them before it hands the window over. <paramref name="width"/> chooses the
    /// vector path (the tests run each); a path the hardware lacks stores plainly.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static unsafe void CopyLines(ref byte source, ref byte destination, int bytes, SimdWidth width)
    {
        byte* target = (byte*)Unsafe.AsPointer(ref destination);
        for (int offset = 0; offset < bytes; offset += BlockCodec.Alignment)
        {
            if (width == SimdWidth.Vector512 && Avx512F.IsSupported)
            {
                Avx512F.StoreAlignedNonTemporal(target + offset, Vector512.LoadUnsafe(ref source, (nuint)offset));
            }
            else if (width >= SimdWidth.Vector256 && Avx.IsSupported)
            {
                Avx.StoreAlignedNonTemporal(target + offset, Vector256.LoadUnsafe(ref source, (nuint)offset));
                Avx.StoreAlignedNonTemporal(target + offset + 32, Vector256.LoadUnsafe(ref source, (nuint)offset + 32));
            }
            else if (width >= SimdWidth.Vector128 && Sse2.IsSupported)
            {
                for (int part = 0; part < BlockCodec.Alignment; part += 16)
                {
                    Sse2.StoreAlignedNonTemporal(target + offset + part, Vector128.LoadUnsafe(ref source, (nuint)(offset + part)));
                }
            }
            else
            {
                for (int part = 0; part < BlockCodec.Alignment; part += sizeof(ulong))
                {
                    Unsafe.WriteUnaligned(ref Unsafe.Add(ref destination, offset + part), Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref source, offset + part)));
                }
            }
        }
    }
}
