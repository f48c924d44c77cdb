namespace Native.Numerics;

/// <summary>Which vector path the models' kernels run in this process: the one place a program can ask.</summary>
/// <remarks>
/// The kernels exist at four widths. A process runs the widest its hardware runs natively (512-bit vectors wherever
/// AVX-512 is supported, even when the runtime prefers 256), or a narrower one the environment variable
/// <c>NATIVE_SIMD_WIDTH</c> names (<c>Scalar</c>, <c>Vector128</c>, <c>Vector256</c> or <c>Vector512</c>; a wider one
/// than the hardware runs is ignored). The choice is made once, when the library is first used.
/// </remarks>
public static class Vectorization
{
    /// <summary>The path the kernels run in this process.</summary>
    public static VectorWidth Width => (VectorWidth)Kernels.SimdSupport.Preferred;
}

/// <summary>A vector path of the kernels, by the width of its vectors; the value is the floats a vector holds.</summary>
public enum VectorWidth
{
    /// <summary>One float at a time: the path every machine has.</summary>
    Scalar = 1,

    /// <summary>128-bit vectors, four floats: SSE or AdvSimd.</summary>
    Vector128 = 4,

    /// <summary>256-bit vectors, eight floats: AVX2.</summary>
    Vector256 = 8,

    /// <summary>512-bit vectors, sixteen floats: AVX-512.</summary>
    Vector512 = 16,
}
