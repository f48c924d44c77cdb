using Native.Numerics.Kernels;

namespace Native.Tests.Support;

/// <summary>The kernel widths, for theories that run every path on every machine.</summary>
public static class Widths
{
    /// <summary>Every width: on hardware without it, the vector path is emulated, slowly but correctly.</summary>
    public static TheoryData<string> All => new(nameof(SimdWidth.Scalar), nameof(SimdWidth.Vector128), nameof(SimdWidth.Vector256), nameof(SimdWidth.Vector512));

    internal static SimdWidth Parse(string name) => Enum.Parse<SimdWidth>(name);
}
