using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;

namespace Native.Numerics.Kernels;

/// <summary>
/// The operations a kernel needs from one vector width. Kernels are generic over an implementing
/// struct, so the JIT compiles one specialized copy per width with every call inlined.
/// </summary>
/// <typeparam name="TVector">The vector type: <see cref="Vector512{T}"/> of float, and so on, or float itself.</typeparam>
internal interface ISimd<TVector>
    where TVector : struct
{
    /// <summary>Floats per vector.</summary>
    static abstract int Count { get; }

    /// <summary>The width this implementation runs at.</summary>
    static abstract SimdWidth Width { get; }

    /// <summary>All lanes zero.</summary>
    static abstract TVector Zero { get; }

    /// <summary>All lanes <paramref name="value"/>.</summary>
    static abstract TVector Create(float value);

    /// <summary>Loads <see cref="Count"/> floats from <paramref name="source"/> + <paramref name="offset"/>, unchecked.</summary>
    static abstract TVector Load(ref readonly float source, nint offset);

    /// <summary>Stores <see cref="Count"/> floats at <paramref name="destination"/> + <paramref name="offset"/>, unchecked.</summary>
    static abstract void Store(TVector value, ref float destination, nint offset);

    /// <summary>Lane-wise sum.</summary>
    static abstract TVector Add(TVector left, TVector right);

    /// <summary>Lane-wise difference.</summary>
    static abstract TVector Subtract(TVector left, TVector right);

    /// <summary>Lane-wise product.</summary>
    static abstract TVector Multiply(TVector left, TVector right);

    /// <summary>Lane-wise <paramref name="left"/> × <paramref name="right"/> + <paramref name="addend"/>, fused where the hardware can.</summary>
    static abstract TVector MultiplyAdd(TVector left, TVector right, TVector addend);

    /// <summary>Lane-wise maximum (NaN handling is the hardware's).</summary>
    static abstract TVector Max(TVector left, TVector right);

    /// <summary>Lane-wise minimum (NaN handling is the hardware's).</summary>
    static abstract TVector Min(TVector left, TVector right);

    /// <summary>Lane-wise rounding to the nearest integer, ties to even.</summary>
    static abstract TVector Round(TVector value);

    /// <summary>Lane-wise 2^n for integral <paramref name="exponent"/> in [-126, 127], built from the exponent bits.</summary>
    static abstract TVector PowerOfTwo(TVector exponent);

    /// <summary>Lane-wise <paramref name="test"/> &lt; <paramref name="threshold"/> ? 0 : <paramref name="value"/>.</summary>
    static abstract TVector ZeroWhereLess(TVector value, TVector test, TVector threshold);

    /// <summary>Lane-wise <paramref name="value"/> &gt; 0 ? <paramref name="value"/> : <paramref name="value"/> × <paramref name="slope"/>.</summary>
    static abstract TVector LeakyRelu(TVector value, TVector slope);

    /// <summary>Lane-wise derivative of <see cref="LeakyRelu"/> from its output: 1 where positive, else <paramref name="slope"/>.</summary>
    static abstract TVector LeakyReluDerivative(TVector output, TVector slope);

    /// <summary>Lane-wise e^x: exact (<see cref="MathF.Exp"/>) on the scalar path, <see cref="FastExp"/> on vectors.</summary>
    static abstract TVector Exp(TVector value);

    /// <summary>Lane-wise 1 / x.</summary>
    static abstract TVector Reciprocal(TVector value);

    /// <summary>The sum of the lanes.</summary>
    static abstract float Sum(TVector value);

    /// <summary>The largest lane.</summary>
    static abstract float MaxAcross(TVector value);

    /// <summary>
    /// <paramref name="value"/> with the lanes below <paramref name="lane"/> zeroed: the last vector of a row whose length is not a
    /// whole number of vectors is loaded to end at the row's end, and the lanes it shares with the vector before are dropped.
    /// </summary>
    static abstract TVector ZeroLanesBelow(TVector value, int lane);

    /// <summary>The sums of four vectors' lanes, as the four lanes of one 128-bit vector: [Σa, Σb, Σc, Σd].</summary>
    static abstract Vector128<float> SumEach(TVector a, TVector b, TVector c, TVector d);

    /// <summary>Lanes below <paramref name="count"/> from <paramref name="value"/>, the others from <paramref name="otherwise"/>.</summary>
    static abstract TVector FirstLanes(TVector value, int count, TVector otherwise);

    /// <summary><paramref name="value"/> with lane <paramref name="lane"/> replaced by <paramref name="replacement"/>.</summary>
    static abstract TVector WithLane(TVector value, int lane, float replacement);

    /// <summary><paramref name="value"/>, but NaN in the lanes where <paramref name="x"/> is NaN (for results the fast e^x would make finite).</summary>
    static abstract TVector KeepNaN(TVector value, TVector x);
}

/// <summary>Lane arithmetic shared by the widths.</summary>
internal static class Lanes
{
    /// <summary>
    /// [Σa, Σb, Σc, Σd] of four 128-bit vectors by a transposing tree: pairs interleaved and added, then halves
    /// swapped and added — six shuffles and three additions for four sums, where four separate sums take twelve.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> SumEach(Vector128<float> a, Vector128<float> b, Vector128<float> c, Vector128<float> d)
    {
        if (Sse.IsSupported)
        {
            // [a0 + a2, b0 + b2, a1 + a3, b1 + b3] and the same for c and d; then the low halves of both plus their high halves.
            Vector128<float> ab = Sse.UnpackLow(a, b) + Sse.UnpackHigh(a, b);
            Vector128<float> cd = Sse.UnpackLow(c, d) + Sse.UnpackHigh(c, d);
            return Sse.MoveLowToHigh(ab, cd) + Sse.MoveHighToLow(cd, ab);
        }

        if (AdvSimd.Arm64.IsSupported)
        {
            return AdvSimd.Arm64.AddPairwise(AdvSimd.Arm64.AddPairwise(a, b), AdvSimd.Arm64.AddPairwise(c, d));
        }

        return Vector128.Create(Vector128.Sum(a), Vector128.Sum(b), Vector128.Sum(c), Vector128.Sum(d));
    }
}

/// <summary>The scalar path: one float per "vector"; the reference every wider path is held to.</summary>
internal readonly struct SimdScalar : ISimd<float>
{
    public static int Count
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => 1;
    }

    public static SimdWidth Width
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => SimdWidth.Scalar;
    }

    public static float Zero
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => 0f;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Create(float value) => value;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Load(ref readonly float source, nint offset) => Unsafe.Add(ref Unsafe.AsRef(in source), offset);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(float value, ref float destination, nint offset) => Unsafe.Add(ref destination, offset) = value;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Add(float left, float right) => left + right;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Subtract(float left, float right) => left - right;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Multiply(float left, float right) => left * right;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float MultiplyAdd(float left, float right, float addend) => (left * right) + addend;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Max(float left, float right) => left > right ? left : right;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Min(float left, float right) => left < right ? left : right;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Round(float value) => MathF.Round(value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float PowerOfTwo(float exponent) => BitConverter.Int32BitsToSingle(((int)exponent + 127) << 23);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float ZeroWhereLess(float value, float test, float threshold) => test < threshold ? 0f : value;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float LeakyRelu(float value, float slope) => value > 0f ? value : value * slope;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float LeakyReluDerivative(float output, float slope) => output > 0f ? 1f : slope;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Exp(float value) => MathF.Exp(value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Reciprocal(float value) => 1f / value;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Sum(float value) => value;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float MaxAcross(float value) => value;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float ZeroLanesBelow(float value, int lane) => lane > 0 ? 0f : value;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> SumEach(float a, float b, float c, float d) => Vector128.Create(a, b, c, d);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float FirstLanes(float value, int count, float otherwise) => count > 0 ? value : otherwise;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float WithLane(float value, int lane, float replacement) => lane == 0 ? replacement : value;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float KeepNaN(float value, float x) => float.IsNaN(x) ? x : value;
}

/// <summary>The 128-bit path (four floats).</summary>
internal readonly struct Simd128 : ISimd<Vector128<float>>
{
    public static int Count
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => Vector128<float>.Count;
    }

    public static SimdWidth Width
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => SimdWidth.Vector128;
    }

    public static Vector128<float> Zero
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => Vector128<float>.Zero;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> Create(float value) => Vector128.Create(value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> Load(ref readonly float source, nint offset) => Vector128.LoadUnsafe(in source, (nuint)offset);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(Vector128<float> value, ref float destination, nint offset) => value.StoreUnsafe(ref destination, (nuint)offset);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> Add(Vector128<float> left, Vector128<float> right) => left + right;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> Subtract(Vector128<float> left, Vector128<float> right) => left - right;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> Multiply(Vector128<float> left, Vector128<float> right) => left * right;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> MultiplyAdd(Vector128<float> left, Vector128<float> right, Vector128<float> addend) => Vector128.MultiplyAddEstimate(left, right, addend);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> Max(Vector128<float> left, Vector128<float> right) => Vector128.MaxNative(left, right);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> Min(Vector128<float> left, Vector128<float> right) => Vector128.MinNative(left, right);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> Round(Vector128<float> value) => Vector128.Round(value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> PowerOfTwo(Vector128<float> exponent) => Vector128.ShiftLeft(Vector128.ConvertToInt32Native(exponent) + Vector128.Create(127), 23).AsSingle();
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> ZeroWhereLess(Vector128<float> value, Vector128<float> test, Vector128<float> threshold) => Vector128.AndNot(value, Vector128.LessThan(test, threshold));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> LeakyRelu(Vector128<float> value, Vector128<float> slope) => Vector128.ConditionalSelect(Vector128.GreaterThan(value, Vector128<float>.Zero), value, value * slope);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> LeakyReluDerivative(Vector128<float> output, Vector128<float> slope) => Vector128.ConditionalSelect(Vector128.GreaterThan(output, Vector128<float>.Zero), Vector128<float>.One, slope);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> Exp(Vector128<float> value) => FastExp.Exp<Simd128, Vector128<float>>(value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> Reciprocal(Vector128<float> value) => Vector128<float>.One / value;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Sum(Vector128<float> value) => Vector128.Sum(value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float MaxAcross(Vector128<float> value)
    {
        value = Vector128.MaxNative(value, Vector128.Shuffle(value, Vector128.Create(2, 3, 0, 1)));
        value = Vector128.MaxNative(value, Vector128.Shuffle(value, Vector128.Create(1, 0, 3, 2)));
        return value.ToScalar();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> ZeroLanesBelow(Vector128<float> value, int lane) =>
        value & Vector128.GreaterThanOrEqual(Vector128<int>.Indices, Vector128.Create(lane)).AsSingle();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> SumEach(Vector128<float> a, Vector128<float> b, Vector128<float> c, Vector128<float> d) => Lanes.SumEach(a, b, c, d);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> FirstLanes(Vector128<float> value, int count, Vector128<float> otherwise) =>
        Vector128.ConditionalSelect(Vector128.LessThan(Vector128<int>.Indices, Vector128.Create(count)).AsSingle(), value, otherwise);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> WithLane(Vector128<float> value, int lane, float replacement) =>
        Vector128.ConditionalSelect(Vector128.Equals(Vector128<int>.Indices, Vector128.Create(lane)).AsSingle(), Vector128.Create(replacement), value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> KeepNaN(Vector128<float> value, Vector128<float> x) => Vector128.ConditionalSelect(Vector128.Equals(x, x), value, x);
}

/// <summary>The 256-bit path (eight floats).</summary>
internal readonly struct Simd256 : ISimd<Vector256<float>>
{
    public static int Count
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => Vector256<float>.Count;
    }

    public static SimdWidth Width
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => SimdWidth.Vector256;
    }

    public static Vector256<float> Zero
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => Vector256<float>.Zero;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Create(float value) => Vector256.Create(value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Load(ref readonly float source, nint offset) => Vector256.LoadUnsafe(in source, (nuint)offset);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(Vector256<float> value, ref float destination, nint offset) => value.StoreUnsafe(ref destination, (nuint)offset);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Add(Vector256<float> left, Vector256<float> right) => left + right;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Subtract(Vector256<float> left, Vector256<float> right) => left - right;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Multiply(Vector256<float> left, Vector256<float> right) => left * right;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> MultiplyAdd(Vector256<float> left, Vector256<float> right, Vector256<float> addend) => Vector256.MultiplyAddEstimate(left, right, addend);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Max(Vector256<float> left, Vector256<float> right) => Vector256.MaxNative(left, right);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Min(Vector256<float> left, Vector256<float> right) => Vector256.MinNative(left, right);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Round(Vector256<float> value) => Vector256.Round(value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> PowerOfTwo(Vector256<float> exponent) => Vector256.ShiftLeft(Vector256.ConvertToInt32Native(exponent) + Vector256.Create(127), 23).AsSingle();
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> ZeroWhereLess(Vector256<float> value, Vector256<float> test, Vector256<float> threshold) => Vector256.AndNot(value, Vector256.LessThan(test, threshold));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> LeakyRelu(Vector256<float> value, Vector256<float> slope) => Vector256.ConditionalSelect(Vector256.GreaterThan(value, Vector256<float>.Zero), value, value * slope);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> LeakyReluDerivative(Vector256<float> output, Vector256<float> slope) => Vector256.ConditionalSelect(Vector256.GreaterThan(output, Vector256<float>.Zero), Vector256<float>.One, slope);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Exp(Vector256<float> value) => FastExp.Exp<Simd256, Vector256<float>>(value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Reciprocal(Vector256<float> value) => Vector256<float>.One / value;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Sum(Vector256<float> value) => Simd128.Sum(value.GetLower() + value.GetUpper());
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float MaxAcross(Vector256<float> value) => Simd128.MaxAcross(Vector128.MaxNative(value.GetLower(), value.GetUpper()));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> ZeroLanesBelow(Vector256<float> value, int lane) =>
        value & Vector256.GreaterThanOrEqual(Vector256<int>.Indices, Vector256.Create(lane)).AsSingle();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> SumEach(Vector256<float> a, Vector256<float> b, Vector256<float> c, Vector256<float> d) =>
        Lanes.SumEach(a.GetLower() + a.GetUpper(), b.GetLower() + b.GetUpper(), c.GetLower() + c.GetUpper(), d.GetLower() + d.GetUpper());

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> FirstLanes(Vector256<float> value, int count, Vector256<float> otherwise) =>
        Vector256.ConditionalSelect(Vector256.LessThan(Vector256<int>.Indices, Vector256.Create(count)).AsSingle(), value, otherwise);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> WithLane(Vector256<float> value, int lane, float replacement) =>
        Vector256.ConditionalSelect(Vector256.Equals(Vector256<int>.Indices, Vector256.Create(lane)).AsSingle(), Vector256.Create(replacement), value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> KeepNaN(Vector256<float> value, Vector256<float> x) => Vector256.ConditionalSelect(Vector256.Equals(x, x), value, x);
}

/// <summary>The 512-bit path (sixteen floats).</summary>
internal readonly struct Simd512 : ISimd<Vector512<float>>
{
    public static int Count
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => Vector512<float>.Count;
    }

    public static SimdWidth Width
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => SimdWidth.Vector512;
    }

    public static Vector512<float> Zero
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => Vector512<float>.Zero;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Create(float value) => Vector512.Create(value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Load(ref readonly float source, nint offset) => Vector512.LoadUnsafe(in source, (nuint)offset);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(Vector512<float> value, ref float destination, nint offset) => value.StoreUnsafe(ref destination, (nuint)offset);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Add(Vector512<float> left, Vector512<float> right) => left + right;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Subtract(Vector512<float> left, Vector512<float> right) => left - right;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Multiply(Vector512<float> left, Vector512<float> right) => left * right;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> MultiplyAdd(Vector512<float> left, Vector512<float> right, Vector512<float> addend) => Vector512.MultiplyAddEstimate(left, right, addend);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Max(Vector512<float> left, Vector512<float> right) => Vector512.MaxNative(left, right);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Min(Vector512<float> left, Vector512<float> right) => Vector512.MinNative(left, right);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Round(Vector512<float> value) => Vector512.Round(value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> PowerOfTwo(Vector512<float> exponent) => Vector512.ShiftLeft(Vector512.ConvertToInt32Native(exponent) + Vector512.Create(127), 23).AsSingle();
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> ZeroWhereLess(Vector512<float> value, Vector512<float> test, Vector512<float> threshold) => Vector512.AndNot(value, Vector512.LessThan(test, threshold));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> LeakyRelu(Vector512<float> value, Vector512<float> slope) => Vector512.ConditionalSelect(Vector512.GreaterThan(value, Vector512<float>.Zero), value, value * slope);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> LeakyReluDerivative(Vector512<float> output, Vector512<float> slope) => Vector512.ConditionalSelect(Vector512.GreaterThan(output, Vector512<float>.Zero), Vector512<float>.One, slope);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Exp(Vector512<float> value) => FastExp.Exp<Simd512, Vector512<float>>(value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Reciprocal(Vector512<float> value) => Vector512<float>.One / value;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Sum(Vector512<float> value) => Simd256.Sum(value.GetLower() + value.GetUpper());
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float MaxAcross(Vector512<float> value) => Simd256.MaxAcross(Vector256.MaxNative(value.GetLower(), value.GetUpper()));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> ZeroLanesBelow(Vector512<float> value, int lane) =>
        value & Vector512.GreaterThanOrEqual(Vector512<int>.Indices, Vector512.Create(lane)).AsSingle();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> SumEach(Vector512<float> a, Vector512<float> b, Vector512<float> c, Vector512<float> d) =>
        Simd256.SumEach(a.GetLower() + a.GetUpper(), b.GetLower() + b.GetUpper(), c.GetLower() + c.GetUpper(), d.GetLower() + d.GetUpper());

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> FirstLanes(Vector512<float> value, int count, Vector512<float> otherwise) =>
        Vector512.ConditionalSelect(Vector512.LessThan(Vector512<int>.Indices, Vector512.Create(count)).AsSingle(), value, otherwise);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> WithLane(Vector512<float> value, int lane, float replacement) =>
        Vector512.ConditionalSelect(Vector512.Equals(Vector512<int>.Indices, Vector512.Create(lane)).AsSingle(), Vector512.Create(replacement), value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> KeepNaN(Vector512<float> value, Vector512<float> x) => Vector512.ConditionalSelect(Vector512.Equals(x, x), value, x);
}
