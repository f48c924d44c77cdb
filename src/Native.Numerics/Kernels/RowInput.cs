using System.Runtime.CompilerServices;

namespace Native.Numerics.Kernels;

/// <summary>
/// How a row's first layer reads its features: as given (<see cref="RawInput"/>), standardized on the way in
/// (<see cref="StandardizedInput"/>), or from rows stored as bytes, widened in registers (<see cref="ByteInput"/>,
/// <see cref="StandardizedByteInput"/>). A type parameter, so each is compiled into the kernel's loop with no test there.
/// </summary>
/// <remarks>
/// The row is given as a reference to its first float; for byte rows, to its first byte seen as a float (a
/// <see cref="Rows"/> view of byte rows counts its stride in 4-byte words), and <c>k</c> counts features either way.
/// </remarks>
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

/// <summary>
/// The features of a row stored as bytes (integers 0–255), widened to floats in registers as the kernel loads them
/// (<see cref="ByteRowKernel.Load"/>): every byte is a float exactly, so the kernel sees the bits the row stored as floats
/// would give it, with a quarter of the bytes read and no widened copy written first.
/// </summary>
internal readonly struct ByteInput : IRowInput
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public TVector Load<TSimd, TVector>(ref readonly float x, nint k)
        where TSimd : ISimd<TVector>
        where TVector : struct => ByteRowKernel.Load<TSimd, TVector>(in Unsafe.As<float, byte>(ref Unsafe.AsRef(in x)), k);
}

/// <summary>
/// The features of a row stored as bytes, widened in registers and then standardized, (x − mean) × scale: the two rounded
/// steps <see cref="StandardizedInput"/> takes, so the kernel sees the bits of the same row stored as floats and
/// standardized into memory first.
/// </summary>
internal readonly ref struct StandardizedByteInput(ref float means, ref float scales) : IRowInput
{
    private readonly ref float _means = ref means;
    private readonly ref float _scales = ref scales;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public TVector Load<TSimd, TVector>(ref readonly float x, nint k)
        where TSimd : ISimd<TVector>
        where TVector : struct =>
        TSimd.Multiply(
            TSimd.Subtract(ByteRowKernel.Load<TSimd, TVector>(in Unsafe.As<float, byte>(ref Unsafe.AsRef(in x)), k), TSimd.Load(in _means, k)),
            TSimd.Load(in _scales, k));
}
