using System.Runtime.CompilerServices;

namespace Native.Numerics.Kernels;

/// <summary>
/// How a row's first layer reads its features: as given (<see cref="RawInput"/>), or standardized on the way in
/// (<see cref="StandardizedInput"/>). A type parameter, so each is compiled into the kernel's loop with no test there.
/// </summary>
internal interface IRowInput
{
    /// <summary>The vector of features at <paramref name="k"/>, as the layer is to see them.</summary>
    static abstract TVector Load<TSimd, TVector>(ref readonly float x, ref float means, ref float scales, nint k)
        where TSimd : ISimd<TVector>
        where TVector : struct;
}

/// <summary>The features as given; the means and scales are not read (and may be null references).</summary>
internal readonly struct RawInput : IRowInput
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVector Load<TSimd, TVector>(ref readonly float x, ref float means, ref float scales, nint k)
        where TSimd : ISimd<TVector>
        where TVector : struct => TSimd.Load(in x, k);
}

/// <summary>
/// (x − mean) × scale, the vector step <see cref="Vectors.Standardize"/> also takes, so a row standardized here gives the
/// same bits as one standardized into memory first — without the store, the reload, and the scratch row's room in L1.
/// </summary>
internal readonly struct StandardizedInput : IRowInput
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVector Load<TSimd, TVector>(ref readonly float x, ref float means, ref float scales, nint k)
        where TSimd : ISimd<TVector>
        where TVector : struct =>
        TSimd.Multiply(TSimd.Subtract(TSimd.Load(in x, k), TSimd.Load(in means, k)), TSimd.Load(in scales, k));
}
