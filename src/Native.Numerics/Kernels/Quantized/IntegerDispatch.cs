using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Native.Numerics.Kernels.Quantized;

/// <summary>The integer kernels' paths: a width, and at 128 and 256 bits with or without VNNI.</summary>
internal enum IntegerPath
{
    /// <summary>Plain integer arithmetic, four bytes at a time: every machine has it.</summary>
    Scalar,

    /// <summary>128 bits: <c>pmaddubsw</c> + <c>pmaddwd</c> (SSSE3).</summary>
    Vector128,

    /// <summary>256 bits: <c>vpmaddubsw</c> + <c>vpmaddwd</c> (AVX2).</summary>
    Vector256,

    /// <summary>512 bits: <c>vpmaddubsw</c> + <c>vpmaddwd</c> (AVX-512BW).</summary>
    Vector512,

    /// <summary>128 bits: <c>vpdpbusd</c> (AVX-VNNI).</summary>
    Vnni128,

    /// <summary>256 bits: <c>vpdpbusd</c> (AVX-VNNI).</summary>
    Vnni256,

    /// <summary>256 bits: <c>vpdpbusd</c> (AVX-VNNI), the float steps between the sums at 512 bits (a CPU with AVX-512 too).</summary>
    Vnni256Vector512,
}

/// <summary>An operation written once over an integer path, which <see cref="IntegerDispatch"/> runs at the path chosen.</summary>
/// <typeparam name="TResult">What the operation returns (an unused value for those that only write).</typeparam>
internal interface IIntegerOperation<TResult>
{
    /// <summary>
    /// The operation with the byte products <typeparamref name="TProducts"/> and the float width <typeparamref name="TSimd"/>
    /// for the steps between the sums.
    /// </summary>
    TResult Invoke<TProducts, TBytes, TInts, TSimd, TVector>()
        where TProducts : IByteProducts<TBytes, TInts>
        where TBytes : struct
        where TInts : struct
        where TSimd : ISimd<TVector>
        where TVector : struct;
}

/// <summary>
/// Chooses the integer path, and is the one place a path becomes a kernel. The path follows the float width
/// (<see cref="SimdSupport.Preferred"/>, which <c>NATIVE_SIMD_WIDTH</c> can narrow), taking VNNI where the CPU has it;
/// <c>NATIVE_VNNI=0</c> turns VNNI off.
/// </summary>
/// <remarks>
/// <para>
/// .NET 10 exposes VNNI's <c>vpdpbusd</c> only for 128- and 256-bit vectors, <see cref="AvxVnni"/>: it has no API for
/// <c>vpdpbusd</c> on 512-bit vectors (AVX512-VNNI; dotnet/runtime#86849's <c>Avx512Vnni</c> is not in 10.0, nor
/// <c>AvxVnni.V512</c>), <c>Avx10v1</c> carries none of the VNNI instructions, and <c>AvxVnniInt8.V512</c> (signed × signed
/// and unsigned × unsigned bytes) needs AVX10.2 (checked by reflection on 10.0.12: all report unsupported on Emerald
/// Rapids but <see cref="AvxVnni"/>). On a CPU with AVX-512 the JIT encodes <see cref="AvxVnni"/> in EVEX form, so its
/// kernels reach 32 registers. So a CPU with both AVX-512 and AVX-VNNI (Intel Sapphire and Emerald Rapids, where
/// 256-bit <c>vpdpbusd</c> issues on two ports) takes the 256-bit VNNI path, its float steps (a row's bytes, a layer's
/// values, the head) at 512 bits; an AMD Zen 4 or Zen 5, whose AVX512-VNNI
/// .NET 10 cannot reach and which lacks the VEX form, takes the 512-bit <c>vpmaddubsw</c> path.
/// </para>
/// <para>
/// All paths give the same bits (<see cref="IByteProducts{TBytes, TInts}"/>), so the choice is about speed only.
/// </para>
/// </remarks>
internal static class IntegerDispatch
{
    /// <summary>The environment variable that turns VNNI off when set to <c>0</c>.</summary>
    public const string VnniVariable = "NATIVE_VNNI";

    /// <summary>The path the quantized models take in this process.</summary>
    public static readonly IntegerPath Preferred = Select(SimdSupport.Preferred, AvxVnni.IsSupported && Environment.GetEnvironmentVariable(VnniVariable) != "0");

    /// <summary>The path for a float width, with or without VNNI.</summary>
    public static IntegerPath Select(SimdWidth width, bool vnni) => width switch
    {
        SimdWidth.Vector512 => vnni ? IntegerPath.Vnni256Vector512 : IntegerPath.Vector512,
        SimdWidth.Vector256 => vnni ? IntegerPath.Vnni256 : IntegerPath.Vector256,
        SimdWidth.Vector128 => vnni ? IntegerPath.Vnni128 : IntegerPath.Vector128,
        _ => IntegerPath.Scalar,
    };

    /// <summary>Runs <paramref name="operation"/> on <paramref name="path"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TResult Run<TOperation, TResult>(IntegerPath path, scoped ref TOperation operation)
        where TOperation : IIntegerOperation<TResult>, allows ref struct =>
        path == Preferred ? At<TOperation, TResult>(Preferred, ref operation) : At<TOperation, TResult>(path, ref operation);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TResult At<TOperation, TResult>(IntegerPath path, scoped ref TOperation operation)
        where TOperation : IIntegerOperation<TResult>, allows ref struct => path switch
        {
            IntegerPath.Vnni256Vector512 => operation.Invoke<VnniProducts256, Vector256<byte>, Vector256<int>, Simd512, Vector512<float>>(),
            IntegerPath.Vnni256 => operation.Invoke<VnniProducts256, Vector256<byte>, Vector256<int>, Simd256, Vector256<float>>(),
            IntegerPath.Vector512 => operation.Invoke<Products512, Vector512<byte>, Vector512<int>, Simd512, Vector512<float>>(),
            IntegerPath.Vector256 => operation.Invoke<Products256, Vector256<byte>, Vector256<int>, Simd256, Vector256<float>>(),
            IntegerPath.Vnni128 => operation.Invoke<VnniProducts128, Vector128<byte>, Vector128<int>, Simd128, Vector128<float>>(),
            IntegerPath.Vector128 => operation.Invoke<Products128, Vector128<byte>, Vector128<int>, Simd128, Vector128<float>>(),
            _ => operation.Invoke<ScalarProducts, uint, int, SimdScalar, float>(),
        };
}
