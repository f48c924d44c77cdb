using System.Runtime.CompilerServices;

namespace Native.Numerics.Kernels;

/// <summary>
/// How a row's first layer reads its features: as given (<see cref="RawInput"/>), or standardized on the way in
/// (<see cref="StandardizedInput"/>). A type parameter, so each is compiled into the kernel's loop with no test there.
/// </summary>
internal interface IRowInput
{
    /// <summary>The vector of features at <paramref name="k"/>, as the layer is to see them.</summary>
    TVector Load<TSimd, TVector>(ref readonly float x, nint k)
        where TSimd : ISimd<TVector>
        where TVector : struct;
}

/// <summary>The features as given: the input of every layer but a standardizing model's first.</summary>
internal readonly struct RawInput : IRowInput
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public TVector Load<TSimd, TVector>(ref readonly float x, nint k)
        where TSimd : ISimd<TVector>
        where TVector : struct => TSimd.Load(in x, k);
}

/// <summary>
/// The features through a standardizer, (x − mean) × scale, with its <paramref name="means"/> and <paramref name="scales"/>
/// (one per feature): the step <see cref="Vectors.Standardize"/> also takes, so a row standardized here gives the same bits
/// as one standardized into memory first — without the store, the reload, and the scratch row's room in L1.
/// </summary>
internal readonly ref struct StandardizedInput(ref float means, ref float scales) : IRowInput
{
    private readonly ref float _means = ref means;
    private readonly ref float _scales = ref scales;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public TVector Load<TSimd, TVector>(ref readonly float x, nint k)
        where TSimd : ISimd<TVector>
        where TVector : struct => Standardize<TSimd, TVector>(in x, ref _means, ref _scales, k);

    /// <summary>(x − mean) × scale for the vector of features at <paramref name="k"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVector Standardize<TSimd, TVector>(ref readonly float x, ref float means, ref float scales, nint k)
        where TSimd : ISimd<TVector>
        where TVector : struct =>
        TSimd.Multiply(TSimd.Subtract(TSimd.Load(in x, k), TSimd.Load(in means, k)), TSimd.Load(in scales, k));
}
