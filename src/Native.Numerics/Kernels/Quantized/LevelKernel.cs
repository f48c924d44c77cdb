using System.Runtime.CompilerServices;
using Native.Numerics.CompilerServices;

namespace Native.Numerics.Kernels.Quantized;

/// <summary>
/// The float steps around the integer sums: a row of features to bytes (its affine map, the standardizer folded in),
/// a layer's sums to values (scale, bias, activation), values to the next layer's bytes, and a row's range for per-row
/// scales. Every step computes through <see cref="Unfused{TSimd, TVector}"/> but the features' map, which is one fused
/// multiply-add on every width (the scalar path's <see cref="MathF.FusedMultiplyAdd"/> included): each is one correctly
/// rounded operation, so its bits are the same on every width.
/// </summary>
/// <remarks>
/// A byte is the level of a value (<see cref="IntegerLanes{TVector}.Levels"/>: rounded to the nearest whole number, ties
/// to even) clamped to 0 … 127. The levels of a row's features also tell whether it has an answer: a NaN or infinite
/// feature, or a finite one whose level is beyond ±2³¹ (more than 17 million calibrated ranges out), has no level.
/// </remarks>
internal static class LevelKernel
{
    /// <summary>
    /// destination[j] = byte(x[j]·scale + offset) for j below <paramref name="count"/>, the scale and offset per feature or
    /// one for all (<typeparamref name="TMap"/>); returns whether every feature has a level (none is NaN or infinite, or so
    /// far out that its level is beyond ±2³¹).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool Features<TSimd, TVector, TMap>(ref float x, in TMap map, int count, ref byte destination)
        where TSimd : ISimd<TVector>
        where TVector : struct
        where TMap : struct, IFeatureMap, allows ref struct => Features<TSimd, TVector, TMap>(ref x, in map, 0, count, ref destination);

    /// <summary>As <see cref="Features{TSimd, TVector, TMap}(ref float, in TMap, int, ref byte)"/>, for the features from <paramref name="start"/> on.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool Features<TSimd, TVector, TMap>(ref float x, in TMap map, nint start, int count, ref byte destination)
        where TSimd : ISimd<TVector>
        where TVector : struct
        where TMap : struct, IFeatureMap, allows ref struct
    {
        // Four vectors at a time, their levels packed to signed bytes, whose least tells cheaply whether every level was
        // above −128 (so defined); then one vector at a time, then one feature at a time, each level checked.
        TVector scale = TSimd.Create(map.Scale), offset = TSimd.Create(map.Offset);
        TVector leastByte = IntegerLanes<TVector>.GreatestBytes;
        nint j = start;
        for (; j <= count - (4 * TSimd.Count); j += 4 * TSimd.Count)
        {
            TVector packed = Quad<TSimd, TVector, TMap>(ref x, in map, j, scale, offset);
            leastByte = IntegerLanes<TVector>.LeastBytes(leastByte, packed);
            Unsafe.WriteUnaligned(ref Unsafe.Add(ref destination, j), IntegerLanes<TVector>.Unsigned(packed));
        }

        nint quads = j;
        TVector least = IntegerLanes<TVector>.Greatest;
        for (; j <= count - TSimd.Count; j += TSimd.Count)
        {
            TVector level = IntegerLanes<TVector>.Levels(map.Map<TSimd, TVector>(TSimd.Load(in x, j), j, scale, offset));
            least = IntegerLanes<TVector>.Least(least, level);
            IntegerLanes<TVector>.StoreBytes(level, ref destination, j);
        }

        bool defined = !IntegerLanes<TVector>.AnyIndefinite(least);
        for (; j < count; j++)
        {
            float level = IntegerLanes<float>.Levels(map.Map<SimdScalar, float>(Unsafe.Add(ref x, j), j, map.Scale, map.Offset));
            defined &= !IntegerLanes<float>.AnyIndefinite(level);
            IntegerLanes<float>.StoreBytes(level, ref destination, j);
        }

        return defined && (!IntegerLanes<TVector>.AnyLeastByte(leastByte) || Defined<TSimd, TVector, TMap>(ref x, in map, start, quads));
    }

    /// <summary>
    /// The levels of the 4 × <c>TSimd.Count</c> features at <paramref name="j"/> as signed bytes (<see cref="IntegerLanes{TVector}.SignedBytes"/>),
    /// in order: −128 for a level of −128 or less, or none.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVector Quad<TSimd, TVector, TMap>(ref float x, in TMap map, nint j, TVector scale, TVector offset)
        where TSimd : ISimd<TVector>
        where TVector : struct
        where TMap : struct, IFeatureMap, allows ref struct
    {
        nint n = TSimd.Count;
        return IntegerLanes<TVector>.SignedBytes(
            IntegerLanes<TVector>.Levels(map.Map<TSimd, TVector>(TSimd.Load(in x, j), j, scale, offset)),
            IntegerLanes<TVector>.Levels(map.Map<TSimd, TVector>(TSimd.Load(in x, j + n), j + n, scale, offset)),
            IntegerLanes<TVector>.Levels(map.Map<TSimd, TVector>(TSimd.Load(in x, j + (2 * n)), j + (2 * n), scale, offset)),
            IntegerLanes<TVector>.Levels(map.Map<TSimd, TVector>(TSimd.Load(in x, j + (3 * n)), j + (3 * n), scale, offset)));
    }

    /// <summary>
    /// Whether every feature from <paramref name="start"/> to <paramref name="end"/> (whole vectors apart) has a level: the
    /// exact check, for a row whose bytes hold a −128 (a feature far below the range, or one without a level).
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static bool Defined<TSimd, TVector, TMap>(ref float x, in TMap map, nint start, nint end)
        where TSimd : ISimd<TVector>
        where TVector : struct
        where TMap : struct, IFeatureMap, allows ref struct
    {
        TVector scale = TSimd.Create(map.Scale), offset = TSimd.Create(map.Offset);
        TVector least = IntegerLanes<TVector>.Greatest;
        for (nint j = start; j < end; j += TSimd.Count)
        {
            least = IntegerLanes<TVector>.Least(least, IntegerLanes<TVector>.Levels(map.Map<TSimd, TVector>(TSimd.Load(in x, j), j, scale, offset)));
        }

        return !IntegerLanes<TVector>.AnyIndefinite(least);
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
        TVector check = TSimd.Zero, high = TSimd.Zero, low = TSimd.Zero, scale = TSimd.Create(map.Scale), offset = TSimd.Create(map.Offset);
        nint j = 0;
        for (; j <= count - TSimd.Count; j += TSimd.Count)
        {
            TVector t = map.Map<TSimd, TVector>(TSimd.Load(in x, j), j, scale, offset);
            check = TSimd.Add(check, TSimd.Subtract(t, t));
            high = TSimd.Max(high, t);
            low = TSimd.Min(low, t);
            TSimd.Store(t, ref destination, j);
        }

        float rest = TSimd.Sum(check), highest = TSimd.MaxAcross(high), lowest = -TSimd.MaxAcross(TSimd.Subtract(TSimd.Zero, low));
        for (; j < count; j++)
        {
            float t = map.Map<SimdScalar, float>(Unsafe.Add(ref x, j), j, map.Scale, map.Offset);
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

    /// <summary>destination[j] = byte(values[j]·inverse + zero) for j below <paramref name="count"/>, rounded up to whole vectors.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Levels<TSimd, TVector>(ref float values, int count, float inverse, float zero, ref byte destination)
        where TSimd : ISimd<TVector>
        where TVector : struct
    {
        TVector scale = TSimd.Create(inverse), shift = TSimd.Create(zero);
        nint j = 0;
        for (; j <= count - (4 * TSimd.Count); j += 4 * TSimd.Count)
        {
            IntegerLanes<TVector>.StoreBytes(
                IntegerLanes<TVector>.Levels(TSimd.Add(TSimd.Multiply(TSimd.Load(in values, j), scale), shift)),
                IntegerLanes<TVector>.Levels(TSimd.Add(TSimd.Multiply(TSimd.Load(in values, j + TSimd.Count), scale), shift)),
                IntegerLanes<TVector>.Levels(TSimd.Add(TSimd.Multiply(TSimd.Load(in values, j + (2 * TSimd.Count)), scale), shift)),
                IntegerLanes<TVector>.Levels(TSimd.Add(TSimd.Multiply(TSimd.Load(in values, j + (3 * TSimd.Count)), scale), shift)),
                ref destination,
                j);
        }

        for (; j < count; j += TSimd.Count)
        {
            TVector v = TSimd.Add(TSimd.Multiply(TSimd.Load(in values, j), scale), shift);
            IntegerLanes<TVector>.StoreBytes(IntegerLanes<TVector>.Levels(v), ref destination, j);
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
    /// destination[o] = byte(value[o]·inverse + nextZero), value as in <see cref="Values"/>: a hidden layer's sums to the
    /// next layer's bytes in one pass, for a layer whose next scale is fixed.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Bytes<TSimd, TVector, TActivation>(ref int sums, ref int corrections, int zero, float inputScale, ref float weightScales, ref float biases, int outputs, float slope, float inverse, float nextZero, ref byte destination)
        where TSimd : ISimd<TVector>
        where TVector : struct
        where TActivation : struct, IActivationFunction
    {
        TVector scale = TSimd.Create(inputScale), slopes = TSimd.Create(slope);
        TVector next = TSimd.Create(inverse), shift = TSimd.Create(nextZero);
        for (nint o = 0; o < outputs; o += TSimd.Count)
        {
            TVector y = Value<TSimd, TVector, TActivation>(ref sums, ref corrections, zero, scale, ref weightScales, ref biases, slopes, o);
            IntegerLanes<TVector>.StoreBytes(IntegerLanes<TVector>.Levels(TSimd.Add(TSimd.Multiply(y, next), shift)), ref destination, o);
        }
    }

    /// <summary>The values of <see cref="Values"/> at <paramref name="o"/>, in a register: for a row whose next step takes them there.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static TVector Value<TSimd, TVector, TActivation>(ref int sums, ref int corrections, int zero, TVector scale, ref float weightScales, ref float biases, TVector slopes, nint o)
        where TSimd : ISimd<TVector>
        where TVector : struct
        where TActivation : struct, IActivationFunction
    {
        TVector centered = IntegerLanes<TVector>.Centered(ref sums, ref corrections, zero, o);
        TVector y = TSimd.Add(TSimd.Multiply(centered, TSimd.Multiply(TSimd.Load(in weightScales, o), scale)), TSimd.Load(in biases, o));
        return TActivation.Apply<Unfused<TSimd, TVector>, TVector>(y, slopes);
    }

    /// <summary>The least and greatest of some values, 0 included, and whether they were all finite.</summary>
    internal readonly record struct Range(float Lowest, float Highest, bool IsFinite);
}
