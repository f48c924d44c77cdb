using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Native.Numerics.Kernels;

namespace Native.Numerics;

/// <summary>
/// Finds the characters that may end or start something in CSV text — the separator, a quote, and every control
/// character below U+000E (line breaks, NUL; also a tab, which the reader then takes as text) — a block of
/// <see cref="BlockLength"/> characters at a time, as one bit per character.
/// </summary>
/// <remarks>
/// Each width compares the block's 16-bit characters against the separator and the quote, and below U+000E,
/// and gathers the lanes' top bits into the mask; the scalar path is the naive reference the tests hold the
/// vector paths to. The width is the one the models' kernels take (<c>NATIVE_SIMD_WIDTH</c> forces a narrower one).
/// </remarks>
internal static class CsvSpecials
{
    /// <summary>The characters one mask covers.</summary>
    public const int BlockLength = 64;

    /// <summary>Characters below this are marked (U+0000 to U+000D: NUL, tab, \n, \r and the rest).</summary>
    private const ushort ControlBelow = 0x0E;

    /// <summary>The width <see cref="Mask(ref char, char)"/> runs at in this process: a JIT-time constant.</summary>
    internal static readonly SimdWidth Width = SimdSupport.Preferred == SimdWidth.Vector512 && !Vector512.IsHardwareAccelerated && !Avx512BW.IsSupported
        ? SimdWidth.Vector256
        : SimdSupport.Preferred;

    /// <summary>
    /// Bit i set when character i of the <see cref="BlockLength"/> at <paramref name="block"/> is the separator, a quote
    /// or below U+000E. Reads all <see cref="BlockLength"/> characters, unchecked: the caller owns that many.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Mask(ref char block, char separator) => Mask(ref block, separator, Width);

    /// <summary>The mask at a given width (every width gives the same bits).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static ulong Mask(ref char block, char separator, SimdWidth width)
    {
        ref ushort at = ref Unsafe.As<char, ushort>(ref block);
        switch (width)
        {
            case SimdWidth.Vector512:
                {
                    Vector512<ushort> sep = Vector512.Create((ushort)separator), quote = Vector512.Create((ushort)'"'), below = Vector512.Create(ControlBelow);
                    ulong low = Marks(Vector512.LoadUnsafe(ref at), sep, quote, below);
                    ulong high = Marks(Vector512.LoadUnsafe(ref at, 32), sep, quote, below);
                    return low | (high << 32);
                }

            case SimdWidth.Vector256:
                {
                    Vector256<ushort> sep = Vector256.Create((ushort)separator), quote = Vector256.Create((ushort)'"'), below = Vector256.Create(ControlBelow);
                    ulong mask = 0;
                    for (int i = 0; i < BlockLength; i += 16)
                    {
                        Vector256<ushort> text = Vector256.LoadUnsafe(ref at, (nuint)i);
                        mask |= (ulong)(Vector256.Equals(text, sep) | Vector256.Equals(text, quote) | Vector256.LessThan(text, below)).ExtractMostSignificantBits() << i;
                    }

                    return mask;
                }

            case SimdWidth.Vector128:
                {
                    Vector128<ushort> sep = Vector128.Create((ushort)separator), quote = Vector128.Create((ushort)'"'), below = Vector128.Create(ControlBelow);
                    ulong mask = 0;
                    for (int i = 0; i < BlockLength; i += 8)
                    {
                        Vector128<ushort> text = Vector128.LoadUnsafe(ref at, (nuint)i);
                        mask |= (ulong)(Vector128.Equals(text, sep) | Vector128.Equals(text, quote) | Vector128.LessThan(text, below)).ExtractMostSignificantBits() << i;
                    }

                    return mask;
                }

            default:
                return Naive(ref block, separator);
        }
    }

    /// <summary>The reference: one character at a time.</summary>
    internal static ulong Naive(ref char block, char separator)
    {
        ulong mask = 0;
        for (int i = 0; i < BlockLength; i++)
        {
            char c = Unsafe.Add(ref block, i);
            if (c == separator || c == '"' || c < ControlBelow)
            {
                mask |= 1UL << i;
            }
        }

        return mask;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Marks(Vector512<ushort> text, Vector512<ushort> separator, Vector512<ushort> quote, Vector512<ushort> below) =>
        (Vector512.Equals(text, separator) | Vector512.Equals(text, quote) | Vector512.LessThan(text, below)).ExtractMostSignificantBits();
}
