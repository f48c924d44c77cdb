using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Native.Numerics.Kernels.Quantized;

/// <summary>
/// The width <typeparamref name="TSimd"/> with every operation rounded as the scalar path rounds it: a multiply-add is a
/// multiplication then an addition (never fused), and e^x is <see cref="FastExp"/> on every path, the scalar one included.
/// </summary>
/// <remarks>
/// The float models' paths may differ in the last bits (a fused multiply-add on vectors, <see cref="MathF.Exp"/> on the
/// scalar path); a quantized layer rounds its activations to bytes, where one bit's difference can move a byte, and a
/// byte's difference changes every sum above it. Between the integer sums, the quantized engine computes through this
/// wrapper: each operation here is one correctly rounded IEEE operation (or a comparison, or exact bit construction),
/// so the same inputs give the same bits in every lane of every width, and the bytes handed to the next layer are the same.
/// </remarks>
internal readonly struct Unfused<TSimd, TVector> : ISimd<TVector>
    where TSimd : ISimd<TVector>
    where TVector : struct
{
    public static int Count
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => TSimd.Count;
    }

    public static SimdWidth Width
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => TSimd.Width;
    }

    public static TVector Zero
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => TSimd.Zero;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static TVector Create(float value) => TSimd.Create(value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static TVector Load(ref readonly float source, nint offset) => TSimd.Load(in source, offset);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(TVector value, ref float destination, nint offset) => TSimd.Store(value, ref destination, offset);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static TVector Add(TVector left, TVector right) => TSimd.Add(left, right);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static TVector Subtract(TVector left, TVector right) => TSimd.Subtract(left, right);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static TVector Multiply(TVector left, TVector right) => TSimd.Multiply(left, right);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static TVector MultiplyAdd(TVector left, TVector right, TVector addend) => TSimd.Add(TSimd.Multiply(left, right), addend);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static TVector Max(TVector left, TVector right) => TSimd.Max(left, right);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static TVector Min(TVector left, TVector right) => TSimd.Min(left, right);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static TVector Round(TVector value) => TSimd.Round(value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static TVector PowerOfTwo(TVector exponent) => TSimd.PowerOfTwo(exponent);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static TVector ZeroWhereLess(TVector value, TVector test, TVector threshold) => TSimd.ZeroWhereLess(value, test, threshold);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static TVector LeakyRelu(TVector value, TVector slope) => TSimd.LeakyRelu(value, slope);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static TVector LeakyReluDerivative(TVector output, TVector slope) => TSimd.LeakyReluDerivative(output, slope);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static TVector Exp(TVector value) => FastExp.Exp<Unfused<TSimd, TVector>, TVector>(value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static TVector Reciprocal(TVector value) => TSimd.Reciprocal(value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Sum(TVector value) => TSimd.Sum(value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float MaxAcross(TVector value) => TSimd.MaxAcross(value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static TVector ZeroLanesBelow(TVector value, int first) => TSimd.ZeroLanesBelow(value, first);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> SumEach(TVector a, TVector b, TVector c, TVector d) => TSimd.SumEach(a, b, c, d);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static TVector FirstLanes(TVector value, int count, TVector otherwise) => TSimd.FirstLanes(value, count, otherwise);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static TVector WithLane(TVector value, int lane, float replacement) => TSimd.WithLane(value, lane, replacement);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static TVector KeepNaN(TVector value, TVector x) => TSimd.KeepNaN(value, x);
}
