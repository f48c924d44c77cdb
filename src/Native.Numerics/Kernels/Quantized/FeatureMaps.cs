using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Native.Numerics.Kernels.Quantized;

/// <summary>How a row's features are mapped before they become bytes: x·scale + offset (fused), with one scale and offset per feature or one for all.</summary>
internal interface IFeatureMap
{
    /// <summary>The scale of every feature, for a map with one (the kernels hold it in a register; the others ignore it).</summary>
    float Scale { get; }

    /// <summary>The offset of every feature, likewise.</summary>
    float Offset { get; }

    /// <summary>
    /// The map of the features at <paramref name="j"/>, one fused multiply-add (rounded once, on every width; for a
    /// <see cref="ZeroPointMap"/> an exact subtraction after it), given the common scale and offset as vectors (read once,
    /// before the kernel's loop).
    /// </summary>
    TVector Map<TSimd, TVector>(TVector x, nint j, TVector scale, TVector offset)
        where TSimd : ISimd<TVector>
        where TVector : struct;
}

/// <summary>A scale and offset per feature (a standardizer folded in).</summary>
internal readonly ref struct PerFeatureMap(ref float scales, ref float offsets) : IFeatureMap
{
    private readonly ref float _scales = ref scales;
    private readonly ref float _offsets = ref offsets;

    public float Scale => 0f;

    public float Offset => 0f;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public TVector Map<TSimd, TVector>(TVector x, nint j, TVector scale, TVector offset)
        where TSimd : ISimd<TVector>
        where TVector : struct =>
        IntegerLanes<TVector>.FusedMultiplyAdd(x, TSimd.Load(in _scales, j), TSimd.Load(in _offsets, j));
}

/// <summary>One scale and offset for every feature: two registers, no loads (a row's own scale; the offset need not be whole).</summary>
internal readonly struct UniformMap(float scale, float offset) : IFeatureMap
{
    public float Scale => scale;

    public float Offset => offset;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public TVector Map<TSimd, TVector>(TVector x, nint j, TVector scale, TVector offset)
        where TSimd : ISimd<TVector>
        where TVector : struct =>
        IntegerLanes<TVector>.FusedMultiplyAdd(x, scale, offset);
}

/// <summary>
/// A calibrated layer's input without a standardizer: one scale and an integer zero point for every feature, and the level
/// x·scale + zero point rounded <em>once</em>, to the nearest integer (ties to even) — not the float x·scale + zero point
/// rounded again, as <see cref="UniformMap"/> and the conversion after it would.
/// </summary>
/// <remarks>
/// <para>
/// The offset held is the zero point plus <see cref="Magic"/> (1.5·2²³, exact): for levels within ±2²² the fused sum lies
/// in [2²³, 2²⁴), where the floats are the integers, so the one rounding of the fused multiply-add is to the level itself
/// (1.5·2²³ is even: ties still go to the even level), and <see cref="Map{TSimd, TVector}"/> subtracts the constant back
/// exactly. Beyond ±2²² the value is off by its rounding, which no level in 0 … 127 can tell; a value beyond ±2³¹ or not
/// finite still has no level.
/// </para>
/// <para>
/// What it buys: <see cref="InterleavedKernel"/> reads a row's levels straight from the sums' bits (an integer subtraction,
/// which runs on any vector port) where a conversion would take a port the products need, and checks the bits' range for
/// the rows it cannot take so (about 30 cycles of a 784 × 10 row's 285, Intel Xeon, Emerald Rapids, <c>-- int8row</c>).
/// Every other kernel maps and converts as with the other maps, one subtraction more: the same levels on every path.
/// </para>
/// </remarks>
internal readonly struct ZeroPointMap(float scale, int zeroPoint) : IFeatureMap
{
    /// <summary>1.5·2²³: the fused sum of a level within ±2²² lands in [2²³, 2²⁴), where a float's unit is 1.</summary>
    public const float Magic = 12582912f;

    /// <summary>The bits of <see cref="Magic"/>: a sum's bits less these are its level, for sums in [2²³, 2²⁴).</summary>
    public const int MagicBits = 0x4B400000;

    public float Scale => scale;

    /// <summary>The zero point plus <see cref="Magic"/>, exactly (a zero point is 0 … 127).</summary>
    public float Offset => zeroPoint + Magic;

    /// <summary>
    /// The bits a fused sum may have for <see cref="Levels"/> to be its level, clamped to 0 … 127, none of them set:
    /// the sign and the exponent's bits 6, 5 and 3 (clear for every exponent up to 0x97, so for sums from 0 to 2²⁵; set
    /// for NaN and the infinities, and for some far smaller sums, which the conversion then takes).
    /// </summary>
    public const int OutOfRange = unchecked((int)0xB4000000);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public TVector Map<TSimd, TVector>(TVector x, nint j, TVector scale, TVector offset)
        where TSimd : ISimd<TVector>
        where TVector : struct =>
        TSimd.Subtract(IntegerLanes<TVector>.FusedMultiplyAdd(x, scale, offset), TSimd.Create(Magic));

    /// <summary>
    /// The levels in eight fused sums' bits (x·scale + <see cref="Offset"/>, not less <see cref="Magic"/>): the bits less
    /// <see cref="MagicBits"/>. The level itself for a sum in [2²³, 2²⁴); below 2²³ (and 0 or more) less than −2²², beyond
    /// (and below 2²⁵) more than 2²², which the packs clamp as they clamp the level. Other sums: see
    /// <see cref="OutOfRange"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<int> Levels(Vector256<float> sums) => sums.AsInt32() - Vector256.Create(MagicBits);

    /// <summary>
    /// seen | a | b | c | d, the fused sums' bits gathered for <see cref="InRange"/>: two three-input ORs where AVX-512 has
    /// them (<c>vpternlogd</c>, on any vector port, where the conversions they replace take ports 0 and 1).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Seen(Vector256<float> seen, Vector256<float> a, Vector256<float> b, Vector256<float> c, Vector256<float> d) =>
        Avx512F.VL.IsSupported
            ? Avx512F.VL.TernaryLogic(Avx512F.VL.TernaryLogic(seen, a, b, AnyOfThree), c, d, AnyOfThree)
            : seen | a | b | c | d;

    /// <summary>Whether every fused sum gathered in <paramref name="seen"/> (<see cref="Seen"/>) is one <see cref="Levels"/> reads.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool InRange(Vector256<float> seen) => (seen.AsInt32() & Vector256.Create(OutOfRange)) == Vector256<int>.Zero;

    // vpternlogd's table for a | b | c.
    private const byte AnyOfThree = 0xFE;
}
