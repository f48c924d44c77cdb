using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Native.Numerics.Kernels;

/// <summary>The vector widths a kernel can run at, named by the vector type each uses.</summary>
internal enum SimdWidth
{
    /// <summary>One float at a time: the path every machine has.</summary>
    Scalar = 1,

    /// <summary>Four floats: SSE or AdvSimd.</summary>
    Vector128 = 4,

    /// <summary>Eight floats: AVX2.</summary>
    Vector256 = 8,

    /// <summary>Sixteen floats: AVX-512.</summary>
    Vector512 = 16,
}

/// <summary>
/// Chooses the widest vector path this process runs in hardware. Set the environment variable
/// <c>NATIVE_SIMD_WIDTH</c> to <c>Scalar</c>, <c>Vector128</c>, <c>Vector256</c> or <c>Vector512</c>
/// to force a narrower path (a wider one than the hardware has is refused and ignored).
/// </summary>
/// <remarks>
/// The .NET runtime on AVX-512 hardware reports <c>Vector512.IsHardwareAccelerated</c> as false unless
/// <c>DOTNET_PreferredVectorBitWidth=512</c> is set, yet it compiles explicit <see cref="Vector512{T}"/>
/// code to real 512-bit instructions. Hand-written kernels measured faster at 512 bits on such hardware
/// (docs/performance.md), so <see cref="Avx512F.IsSupported"/> also selects the 512-bit path.
/// </remarks>
internal static class SimdSupport
{
    /// <summary>The environment variable that forces a narrower kernel path.</summary>
    public const string WidthVariable = "NATIVE_SIMD_WIDTH";

    /// <summary>The path the run-time-shaped models take in this process.</summary>
    public static readonly SimdWidth Preferred = Select(Environment.GetEnvironmentVariable(WidthVariable));

    /// <summary>Whether the hardware runs <paramref name="width"/> natively (every path runs anywhere, emulated if not).</summary>
    public static bool IsAccelerated(SimdWidth width) => width switch
    {
        SimdWidth.Vector512 => Vector512.IsHardwareAccelerated || Avx512F.IsSupported,
        SimdWidth.Vector256 => Vector256.IsHardwareAccelerated,
        SimdWidth.Vector128 => Vector128.IsHardwareAccelerated,
        _ => true,
    };

    /// <summary>The widest accelerated path, capped by <paramref name="requested"/> when that names a path.</summary>
    internal static SimdWidth Select(string? requested)
    {
        SimdWidth widest = IsAccelerated(SimdWidth.Vector512) ? SimdWidth.Vector512
            : IsAccelerated(SimdWidth.Vector256) ? SimdWidth.Vector256
            : IsAccelerated(SimdWidth.Vector128) ? SimdWidth.Vector128
            : SimdWidth.Scalar;
        if (Enum.TryParse(requested, ignoreCase: true, out SimdWidth forced)
            && Enum.IsDefined(forced) && forced <= widest)
        {
            return forced;
        }

        return widest;
    }
}
