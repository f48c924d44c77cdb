using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Native.Numerics.Kernels;

/// <summary>An operation written once over a vector width, which <see cref="VectorDispatch"/> runs at the width chosen.</summary>
/// <typeparam name="TResult">What the operation returns (an unused value for those that only write).</typeparam>
internal interface IVectorOperation<TResult>
{
    /// <summary>The operation at the width <typeparamref name="TSimd"/>.</summary>
    TResult Invoke<TSimd, TVector>()
        where TSimd : ISimd<TVector>
        where TVector : struct;
}

/// <summary>
/// The one place a width becomes a kernel: Vector512, then 256, then 128, then scalar. Every dispatching entry point of
/// the kernels, the public functions' and the models', comes through here.
/// </summary>
/// <remarks>
/// A process's width, <see cref="SimdSupport.Preferred"/>, is a static readonly value, which the JIT treats as a
/// constant once the class is initialized: where the width asked for is it (always, but in the tests, which run every
/// width in one process), the choice folds to one comparison and a direct call of one instantiation.
/// </remarks>
internal static class VectorDispatch
{
    /// <summary>Runs <paramref name="operation"/> at the process's width.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TResult Run<TOperation, TResult>(scoped ref TOperation operation)
        where TOperation : IVectorOperation<TResult>, allows ref struct =>
        At<TOperation, TResult>(SimdSupport.Preferred, ref operation);

    /// <summary>Runs <paramref name="operation"/> at <paramref name="width"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TResult Run<TOperation, TResult>(SimdWidth width, scoped ref TOperation operation)
        where TOperation : IVectorOperation<TResult>, allows ref struct =>
        width == SimdSupport.Preferred ? At<TOperation, TResult>(SimdSupport.Preferred, ref operation) : At<TOperation, TResult>(width, ref operation);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TResult At<TOperation, TResult>(SimdWidth width, scoped ref TOperation operation)
        where TOperation : IVectorOperation<TResult>, allows ref struct => width switch
        {
            SimdWidth.Vector512 => operation.Invoke<Simd512, Vector512<float>>(),
            SimdWidth.Vector256 => operation.Invoke<Simd256, Vector256<float>>(),
            SimdWidth.Vector128 => operation.Invoke<Simd128, Vector128<float>>(),
            _ => operation.Invoke<SimdScalar, float>(),
        };
}
