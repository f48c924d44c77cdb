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
    /// <summary>The name of the path: <c>Vector512</c>, <c>Vector256</c>, <c>Vector128</c> or <c>scalar</c>.</summary>
    public static string Width => Kernels.SimdSupport.Preferred switch
    {
        Kernels.SimdWidth.Vector512 => "Vector512",
        Kernels.SimdWidth.Vector256 => "Vector256",
        Kernels.SimdWidth.Vector128 => "Vector128",
        _ => "scalar",
    };
}
