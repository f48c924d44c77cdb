using System.Runtime.CompilerServices;
using Native.Numerics.CompilerServices;

namespace Native.Numerics.Kernels.Quantized;

/// <summary>
/// The float steps around the integer sums: a row of features to bytes (its affine map, the standardizer folded in),
/// a layer's sums to values (scale, bias, activation), values to the next layer's bytes, and a row's range for per-row
/// scales. Every step computes through <see cref="Unfused{TSimd, TVector}"/>, so its bits are the same on every width.
/// </summary>
/// <remarks>
/// A byte is round(min(max(v, 0), maximum)), ties to even: v clamped to the byte range first, so the conversion that
/// rounds it (<see cref="IntegerLanes{TVector}.StoreBytes"/>) is of a number in range on every path (the vector conversion
/// of NaN or of a number out of range would give a sentinel; the clamp leaves none). NaN clamps to 0 on every path (the
/// hardware's max returns its second operand when the first is NaN, and the scalar path compares the same way); the
/// caller's finiteness check is what sees a NaN row.
/// </remarks>
internal static class LevelKernel
{
    /// <summary>
    /// destination[j] = level(x[j]·scale + offset) for j below <paramref name="count"/>, the scale and offset per feature
    /// or one for all (<typeparamref name="TMap"/>); returns whether every x[j]·scale + offset was finite (a NaN or infinite
    /// feature, or one the map overflows, makes it false).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool Features<TSimd, TVector, TMap>(ref float x, in TMap map, int count, float maximum, ref byte destination)
        where TSimd : ISimd<TVector>
        where TVector : struct
        where TMap : struct, IFeatureMap, allows ref struct
    {
        // t − t is 0 for a finite t and NaN otherwise; their sum is 0 exactly when all are.
        TVector top = TSimd.Create(maximum);
        TVector check = TSimd.Zero;
        nint j = 0;
        for (; j <= count - TSimd.Count; j += TSimd.Count)
        {
            TVector t = map.Map<TSimd, TVector>(TSimd.Load(in x, j), j);
            check = TSimd.Add(check, TSimd.Subtract(t, t));
            IntegerLanes<TVector>.StoreBytes(Clamp<TSimd, TVector>(t, top), ref destination, j);
        }

        float rest = TSimd.Sum(check);
        for (; j < count; j++)
        {
            float t = map.Map<SimdScalar, float>(Unsafe.Add(ref x, j), j);
            rest += t - t;
            IntegerLanes<float>.StoreBytes(Clamp<SimdScalar, float>(t, maximum), ref destination, j);
        }

        return rest == 0f;
    }

    /// <summary>
    /// destination[j] = x[j]·scale + offset for j below <paramref name="count"/>, and the range of those values
    /// (for a row quantized with its own scale); <see cref="Range.IsFinite"/> is false if any is not finite.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Range Affine<TSimd, TVector, TMap>(ref float x, in TMap map, int count, ref float destination)
        where TSimd : ISimd<TVector>
        where TVector : struct
        where TMap : struct, IFeatureMap, allows ref struct
    {
        TVector check = TSimd.Zero, high = TSimd.Zero, low = TSimd.Zero;
        nint j = 0;
        for (; j <= count - TSimd.Count; j += TSimd.Count)
        {
            TVector t = map.Map<TSimd, TVector>(TSimd.Load(in x, j), j);
            check = TSimd.Add(check, TSimd.Subtract(t, t));
            high = TSimd.Max(high, t);
            low = TSimd.Min(low, t);
            TSimd.Store(t, ref destination, j);
        }

        float rest = TSimd.Sum(check), highest = TSimd.MaxAcross(high), lowest = -TSimd.MaxAcross(TSimd.Subtract(TSimd.Zero, low));
        for (; j < count; j++)
        {
            float t = map.Map<SimdScalar, float>(Unsafe.Add(ref x, j), j);
            rest += t - t;
            highest = Math.Max(highest, t);
            lowest = Math.Min(lowest, t);
            Unsafe.Add(ref destination, j) = t;
        }

        return new Range(lowest, highest, rest == 0f);
    }

    /// <summary>The range of values[0..count), 0 included.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Range Span<TSimd, TVector>(ref float values, int count)
        where TSimd : ISimd<TVector>
        where TVector : struct
    {
        TVector high = TSimd.Zero, low = TSimd.Zero;
        nint j = 0;
        for (; j <= count - TSimd.Count; j += TSimd.Count)
        {
            TVector t = TSimd.Load(in values, j);
            high = TSimd.Max(high, t);
            low = TSimd.Min(low, t);
        }

        float highest = TSimd.MaxAcross(high), lowest = -TSimd.MaxAcross(TSimd.Subtract(TSimd.Zero, low));
        for (; j < count; j++)
        {
            float t = Unsafe.Add(ref values, j);
            highest = Math.Max(highest, t);
            lowest = Math.Min(lowest, t);
        }

        return new Range(lowest, highest, true);
    }

    /// <summary>destination[j] = level(values[j]·inverse + zero) for j below <paramref name="count"/>, rounded up to whole vectors.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Levels<TSimd, TVector>(ref float values, int count, float inverse, float zero, float maximum, ref byte destination)
        where TSimd : ISimd<TVector>
        where TVector : struct
    {
        TVector top = TSimd.Create(maximum), scale = TSimd.Create(inverse), shift = TSimd.Create(zero);
        for (nint j = 0; j < count; j += TSimd.Count)
        {
            TVector v = TSimd.Add(TSimd.Multiply(TSimd.Load(in values, j), scale), shift);
            IntegerLanes<TVector>.StoreBytes(Clamp<TSimd, TVector>(v, top), ref destination, j);
        }
    }

    /// <summary>
    /// values[o] = f(float(sums[o] − zero·corrections[o])·(weightScales[o]·inputScale) + biases[o]) for the
    /// <paramref name="outputs"/> outputs (a multiple of 16): a layer's values from its integer sums.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Values<TSimd, TVector, TActivation>(ref int sums, ref int corrections, int zero, float inputScale, ref float weightScales, ref float biases, int outputs, float slope, ref float values)
        where TSimd : ISimd<TVector>
        where TVector : struct
        where TActivation : struct, IActivationFunction
    {
        TVector scale = TSimd.Create(inputScale), slopes = TSimd.Create(slope);
        for (nint o = 0; o < outputs; o += TSimd.Count)
        {
            TVector y = Value<TSimd, TVector, TActivation>(ref sums, ref corrections, zero, scale, ref weightScales, ref biases, slopes, o);
            TSimd.Store(y, ref values, o);
        }
    }

    /// <summary>
    /// destination[o] = level(value[o]·inverse + nextZero), value as in <see cref="Values"/>: a hidden layer's sums to the
    /// next layer's bytes in one pass, for a layer whose next scale is fixed.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Bytes<TSimd, TVector, TActivation>(ref int sums, ref int corrections, int zero, float inputScale, ref float weightScales, ref float biases, int outputs, float slope, float inverse, float nextZero, float maximum, ref byte destination)
        where TSimd : ISimd<TVector>
        where TVector : struct
        where TActivation : struct, IActivationFunction
    {
        TVector scale = TSimd.Create(inputScale), slopes = TSimd.Create(slope);
        TVector top = TSimd.Create(maximum), next = TSimd.Create(inverse), shift = TSimd.Create(nextZero);
        for (nint o = 0; o < outputs; o += TSimd.Count)
        {
            TVector y = Value<TSimd, TVector, TActivation>(ref sums, ref corrections, zero, scale, ref weightScales, ref biases, slopes, o);
            IntegerLanes<TVector>.StoreBytes(Clamp<TSimd, TVector>(TSimd.Add(TSimd.Multiply(y, next), shift), top), ref destination, o);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TVector Value<TSimd, TVector, TActivation>(ref int sums, ref int corrections, int zero, TVector scale, ref float weightScales, ref float biases, TVector slopes, nint o)
        where TSimd : ISimd<TVector>
        where TVector : struct
        where TActivation : struct, IActivationFunction
    {
        TVector centered = IntegerLanes<TVector>.Centered(ref sums, ref corrections, zero, o);
        TVector y = TSimd.Add(TSimd.Multiply(centered, TSimd.Multiply(TSimd.Load(in weightScales, o), scale)), TSimd.Load(in biases, o));
        return TActivation.Apply<Unfused<TSimd, TVector>, TVector>(y, slopes);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TVector Clamp<TSimd, TVector>(TVector v, TVector maximum)
        where TSimd : ISimd<TVector>
        where TVector : struct =>
        TSimd.Min(TSimd.Max(v, TSimd.Zero), maximum);

    /// <summary>The least and greatest of some values, 0 included, and whether they were all finite.</summary>
    internal readonly record struct Range(float Lowest, float Highest, bool IsFinite);
}

/// <summary>How a row's features are mapped before they become bytes: x·scale + offset, with one scale and offset per feature or one for all.</summary>
internal interface IFeatureMap
{
    /// <summary>The map of the features at <paramref name="j"/>: a multiplication, then an addition (never fused).</summary>
    TVector Map<TSimd, TVector>(TVector x, nint j)
        where TSimd : ISimd<TVector>
        where TVector : struct;
}

/// <summary>A scale and offset per feature (a standardizer folded in).</summary>
internal readonly ref struct PerFeatureMap(ref float scales, ref float offsets) : IFeatureMap
{
    private readonly ref float _scales = ref scales;
    private readonly ref float _offsets = ref offsets;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public TVector Map<TSimd, TVector>(TVector x, nint j)
        where TSimd : ISimd<TVector>
        where TVector : struct =>
        TSimd.Add(TSimd.Multiply(x, TSimd.Load(in _scales, j)), TSimd.Load(in _offsets, j));
}

/// <summary>One scale and offset for every feature (no standardizer): two registers, no loads.</summary>
internal readonly struct UniformMap(float scale, float offset) : IFeatureMap
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public TVector Map<TSimd, TVector>(TVector x, nint j)
        where TSimd : ISimd<TVector>
        where TVector : struct =>
        TSimd.Add(TSimd.Multiply(x, TSimd.Create(scale)), TSimd.Create(offset));
}
