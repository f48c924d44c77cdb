using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using Native.Numerics.Kernels;

namespace Native.Numerics;

/// <summary>
/// A lane-wise function of one vector and one broadcast parameter, for <see cref="FunctionKernels.Map{TOperator}"/>.
/// Implemented by empty structs, so each operator gets its own compiled, fully inlined loop.
/// </summary>
internal interface IElementwiseOperator
{
    /// <summary>The function on every lane of <paramref name="x"/>, at the width <typeparamref name="TSimd"/>.</summary>
    static abstract TVector Invoke<TSimd, TVector>(TVector x, TVector parameter)
        where TSimd : ISimd<TVector>
        where TVector : struct;
}

/// <summary>
/// The vector loops behind the public functions, where <c>TensorPrimitives</c> has no single pass that does
/// the job, or does it inaccurately. Every kernel has a dispatching entry point (the width of
/// <see cref="SimdSupport.Preferred"/>, a JIT-time constant) and a generic one the tests run at every width.
/// </summary>
/// <remarks>
/// Every kernel is element-wise in its writes: element i of the destination depends only on element i of
/// the sources (and on scalars computed before the pass), so a destination that is exactly a source is safe.
/// Tails shorter than a vector run the same formula on <see cref="SimdScalar"/>, whose e^x is
/// <see cref="MathF.Exp"/>.
/// </remarks>
internal static class FunctionKernels
{
    /// <summary>
    /// Sums run in float vector lanes for at most this many vectors, then move into a double total, so a long
    /// input never accumulates more than a few hundred float additions per lane.
    /// </summary>
    private const int VectorsPerBlock = 256;

    /// <summary>destination[i] = f(source[i]) for the operator f, with its <paramref name="parameter"/>.</summary>
    public static void Map<TOperator>(ReadOnlySpan<float> source, Span<float> destination, float parameter)
        where TOperator : struct, IElementwiseOperator
    {
        switch (SimdSupport.Preferred)
        {
            case SimdWidth.Vector512:
                Map<TOperator, Simd512, Vector512<float>>(source, destination, parameter);
                break;
            case SimdWidth.Vector256:
                Map<TOperator, Simd256, Vector256<float>>(source, destination, parameter);
                break;
            case SimdWidth.Vector128:
                Map<TOperator, Simd128, Vector128<float>>(source, destination, parameter);
                break;
            default:
                Map<TOperator, SimdScalar, float>(source, destination, parameter);
                break;
        }
    }

    /// <summary><see cref="Map{TOperator}"/> at the width <typeparamref name="TSimd"/>.</summary>
    public static void Map<TOperator, TSimd, TVector>(ReadOnlySpan<float> source, Span<float> destination, float parameter)
        where TOperator : struct, IElementwiseOperator
        where TSimd : ISimd<TVector>
        where TVector : struct
    {
        // source and destination: n floats each, the same length (checked by the caller).
        ref float x = ref MemoryMarshal.GetReference(source);
        ref float y = ref MemoryMarshal.GetReference(destination);
        nint length = source.Length;
        TVector vectorParameter = TSimd.Create(parameter);

        nint k = 0;
        for (; k <= length - TSimd.Count; k += TSimd.Count)
        {
            TSimd.Store(TOperator.Invoke<TSimd, TVector>(TSimd.Load(in x, k), vectorParameter), ref y, k);
        }

        for (; k < length; k++)
        {
            Unsafe.Add(ref y, k) = TOperator.Invoke<SimdScalar, float>(Unsafe.Add(ref x, k), parameter);
        }
    }

    /// <summary>
    /// destination[i] = e^(scale·(z[i] − pivot)), returning their sum. The exponent is at most 0 when the
    /// pivot is the largest of scale·z (see <see cref="Activations.Softmax(ReadOnlySpan{float}, Span{float}, float)"/>).
    /// </summary>
    public static double Exponentials(ReadOnlySpan<float> z, Span<float> destination, float pivot, float scale) =>
        SimdSupport.Preferred switch
        {
            SimdWidth.Vector512 => Exponentials<Simd512, Vector512<float>>(z, destination, pivot, scale),
            SimdWidth.Vector256 => Exponentials<Simd256, Vector256<float>>(z, destination, pivot, scale),
            SimdWidth.Vector128 => Exponentials<Simd128, Vector128<float>>(z, destination, pivot, scale),
            _ => Exponentials<SimdScalar, float>(z, destination, pivot, scale),
        };

    /// <summary><see cref="Exponentials(ReadOnlySpan{float}, Span{float}, float, float)"/> at the width <typeparamref name="TSimd"/>.</summary>
    public static double Exponentials<TSimd, TVector>(ReadOnlySpan<float> z, Span<float> destination, float pivot, float scale)
        where TSimd : ISimd<TVector>
        where TVector : struct
    {
        // z and destination: n floats each.
        ref float v = ref MemoryMarshal.GetReference(z);
        ref float e = ref MemoryMarshal.GetReference(destination);
        nint length = z.Length;
        TVector vectorPivot = TSimd.Create(pivot);
        TVector vectorScale = TSimd.Create(scale);

        // Subtract first, then scale: z − pivot cannot overflow to NaN (at worst it is −∞, whose e^ is 0),
        // whereas scale·z − scale·pivot could be ∞ − ∞.
        double total = 0;
        nint k = 0;
        nint lastVector = length - TSimd.Count;
        while (k <= lastVector)
        {
            nint blockEnd = nint.Min(lastVector, k + ((VectorsPerBlock - 1) * TSimd.Count));
            TVector sum = TSimd.Zero;
            for (; k <= blockEnd; k += TSimd.Count)
            {
                TVector term = TSimd.Exp(TSimd.Multiply(TSimd.Subtract(TSimd.Load(in v, k), vectorPivot), vectorScale));
                TSimd.Store(term, ref e, k);
                sum = TSimd.Add(sum, term);
            }

            total += TSimd.Sum(sum);
        }

        for (; k < length; k++)
        {
            float term = MathF.Exp((Unsafe.Add(ref v, k) - pivot) * scale);
            Unsafe.Add(ref e, k) = term;
            total += term;
        }

        return total;
    }

    /// <summary>Σ e^(scale·(z[i] − pivot)), without storing the terms.</summary>
    public static double SumOfExponentials(ReadOnlySpan<float> z, float pivot, float scale) =>
        SimdSupport.Preferred switch
        {
            SimdWidth.Vector512 => SumOfExponentials<Simd512, Vector512<float>>(z, pivot, scale),
            SimdWidth.Vector256 => SumOfExponentials<Simd256, Vector256<float>>(z, pivot, scale),
            SimdWidth.Vector128 => SumOfExponentials<Simd128, Vector128<float>>(z, pivot, scale),
            _ => SumOfExponentials<SimdScalar, float>(z, pivot, scale),
        };

    /// <summary><see cref="SumOfExponentials(ReadOnlySpan{float}, float, float)"/> at the width <typeparamref name="TSimd"/>.</summary>
    public static double SumOfExponentials<TSimd, TVector>(ReadOnlySpan<float> z, float pivot, float scale)
        where TSimd : ISimd<TVector>
        where TVector : struct
    {
        // z: n floats.
        ref float v = ref MemoryMarshal.GetReference(z);
        nint length = z.Length;
        TVector vectorPivot = TSimd.Create(pivot);
        TVector vectorScale = TSimd.Create(scale);

        double total = 0;
        nint k = 0;
        nint lastVector = length - TSimd.Count;
        while (k <= lastVector)
        {
            nint blockEnd = nint.Min(lastVector, k + ((VectorsPerBlock - 1) * TSimd.Count));
            TVector sum = TSimd.Zero;
            for (; k <= blockEnd; k += TSimd.Count)
            {
                sum = TSimd.Add(sum, TSimd.Exp(TSimd.Multiply(TSimd.Subtract(TSimd.Load(in v, k), vectorPivot), vectorScale)));
            }

            total += TSimd.Sum(sum);
        }

        for (; k < length; k++)
        {
            total += MathF.Exp((Unsafe.Add(ref v, k) - pivot) * scale);
        }

        return total;
    }

    /// <summary>
    /// destination[i] = (z[i] − pivot) − offset, in two subtractions: one subtraction of (pivot + offset)
    /// would lose the offset entirely when the pivot is large (1e30 + 2 rounds to 1e30).
    /// </summary>
    public static void SubtractTwice(ReadOnlySpan<float> z, Span<float> destination, float pivot, float offset) =>
        MapWithTwoParameters<SubtractTwiceOperator>(z, destination, pivot, offset);

    /// <summary>
    /// destination[i] = g[i] − e^(y[i])·scale: the backward pass of log-softmax, with y its output and
    /// scale = Σ g.
    /// </summary>
    public static void SubtractScaledExponentials(ReadOnlySpan<float> y, ReadOnlySpan<float> g, Span<float> destination, float scale)
    {
        switch (SimdSupport.Preferred)
        {
            case SimdWidth.Vector512:
                SubtractScaledExponentials<Simd512, Vector512<float>>(y, g, destination, scale);
                break;
            case SimdWidth.Vector256:
                SubtractScaledExponentials<Simd256, Vector256<float>>(y, g, destination, scale);
                break;
            case SimdWidth.Vector128:
                SubtractScaledExponentials<Simd128, Vector128<float>>(y, g, destination, scale);
                break;
            default:
                SubtractScaledExponentials<SimdScalar, float>(y, g, destination, scale);
                break;
        }
    }

    /// <summary><see cref="SubtractScaledExponentials(ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float}, float)"/> at the width <typeparamref name="TSimd"/>.</summary>
    public static void SubtractScaledExponentials<TSimd, TVector>(ReadOnlySpan<float> y, ReadOnlySpan<float> g, Span<float> destination, float scale)
        where TSimd : ISimd<TVector>
        where TVector : struct
    {
        // y, g and destination: n floats each.
        ref float logProbability = ref MemoryMarshal.GetReference(y);
        ref float gradient = ref MemoryMarshal.GetReference(g);
        ref float result = ref MemoryMarshal.GetReference(destination);
        nint length = y.Length;
        TVector negativeScale = TSimd.Create(-scale);

        nint k = 0;
        for (; k <= length - TSimd.Count; k += TSimd.Count)
        {
            TVector p = TSimd.Exp(TSimd.Load(in logProbability, k));
            TSimd.Store(TSimd.MultiplyAdd(p, negativeScale, TSimd.Load(in gradient, k)), ref result, k);
        }

        for (; k < length; k++)
        {
            Unsafe.Add(ref result, k) = Unsafe.Add(ref gradient, k) - (MathF.Exp(Unsafe.Add(ref logProbability, k)) * scale);
        }
    }

    /// <summary>Σ (a[i] − b[i])².</summary>
    public static double SumOfSquaredDifferences(ReadOnlySpan<float> a, ReadOnlySpan<float> b) =>
        SimdSupport.Preferred switch
        {
            SimdWidth.Vector512 => SumOfSquaredDifferences<Simd512, Vector512<float>>(a, b),
            SimdWidth.Vector256 => SumOfSquaredDifferences<Simd256, Vector256<float>>(a, b),
            SimdWidth.Vector128 => SumOfSquaredDifferences<Simd128, Vector128<float>>(a, b),
            _ => SumOfSquaredDifferences<SimdScalar, float>(a, b),
        };

    /// <summary><see cref="SumOfSquaredDifferences(ReadOnlySpan{float}, ReadOnlySpan{float})"/> at the width <typeparamref name="TSimd"/>.</summary>
    public static double SumOfSquaredDifferences<TSimd, TVector>(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
        where TSimd : ISimd<TVector>
        where TVector : struct
    {
        // a and b: n floats each.
        ref float left = ref MemoryMarshal.GetReference(a);
        ref float right = ref MemoryMarshal.GetReference(b);
        nint length = a.Length;

        double total = 0;
        nint k = 0;
        nint lastVector = length - TSimd.Count;
        while (k <= lastVector)
        {
            nint blockEnd = nint.Min(lastVector, k + ((VectorsPerBlock - 1) * TSimd.Count));
            TVector sum = TSimd.Zero;
            for (; k <= blockEnd; k += TSimd.Count)
            {
                TVector difference = TSimd.Subtract(TSimd.Load(in left, k), TSimd.Load(in right, k));
                sum = TSimd.MultiplyAdd(difference, difference, sum);
            }

            total += TSimd.Sum(sum);
        }

        for (; k < length; k++)
        {
            float difference = Unsafe.Add(ref left, k) - Unsafe.Add(ref right, k);
            total += difference * difference;
        }

        return total;
    }

    /// <summary>gradient[i] = scale·(a[i] − b[i]), returning Σ (a[i] − b[i])² from the same pass.</summary>
    public static double SumOfSquaredDifferences(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> gradient, float scale) =>
        SimdSupport.Preferred switch
        {
            SimdWidth.Vector512 => SumOfSquaredDifferences<Simd512, Vector512<float>>(a, b, gradient, scale),
            SimdWidth.Vector256 => SumOfSquaredDifferences<Simd256, Vector256<float>>(a, b, gradient, scale),
            SimdWidth.Vector128 => SumOfSquaredDifferences<Simd128, Vector128<float>>(a, b, gradient, scale),
            _ => SumOfSquaredDifferences<SimdScalar, float>(a, b, gradient, scale),
        };

    /// <summary><see cref="SumOfSquaredDifferences(ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float}, float)"/> at the width <typeparamref name="TSimd"/>.</summary>
    public static double SumOfSquaredDifferences<TSimd, TVector>(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> gradient, float scale)
        where TSimd : ISimd<TVector>
        where TVector : struct
    {
        // a, b and gradient: n floats each; gradient may be a or b itself (each element is read before it is written).
        ref float left = ref MemoryMarshal.GetReference(a);
        ref float right = ref MemoryMarshal.GetReference(b);
        ref float result = ref MemoryMarshal.GetReference(gradient);
        nint length = a.Length;
        TVector vectorScale = TSimd.Create(scale);

        double total = 0;
        nint k = 0;
        nint lastVector = length - TSimd.Count;
        while (k <= lastVector)
        {
            nint blockEnd = nint.Min(lastVector, k + ((VectorsPerBlock - 1) * TSimd.Count));
            TVector sum = TSimd.Zero;
            for (; k <= blockEnd; k += TSimd.Count)
            {
                TVector difference = TSimd.Subtract(TSimd.Load(in left, k), TSimd.Load(in right, k));
                sum = TSimd.MultiplyAdd(difference, difference, sum);
                TSimd.Store(TSimd.Multiply(difference, vectorScale), ref result, k);
            }

            total += TSimd.Sum(sum);
        }

        for (; k < length; k++)
        {
            float difference = Unsafe.Add(ref left, k) - Unsafe.Add(ref right, k);
            total += difference * difference;
            Unsafe.Add(ref result, k) = difference * scale;
        }

        return total;
    }

    /// <summary><see cref="Map{TOperator}"/> with two parameters; only <see cref="SubtractTwice"/> needs it.</summary>
    private static void MapWithTwoParameters<TOperator>(ReadOnlySpan<float> source, Span<float> destination, float first, float second)
        where TOperator : struct, ITwoParameterOperator
    {
        switch (SimdSupport.Preferred)
        {
            case SimdWidth.Vector512:
                MapWithTwoParameters<TOperator, Simd512, Vector512<float>>(source, destination, first, second);
                break;
            case SimdWidth.Vector256:
                MapWithTwoParameters<TOperator, Simd256, Vector256<float>>(source, destination, first, second);
                break;
            case SimdWidth.Vector128:
                MapWithTwoParameters<TOperator, Simd128, Vector128<float>>(source, destination, first, second);
                break;
            default:
                MapWithTwoParameters<TOperator, SimdScalar, float>(source, destination, first, second);
                break;
        }
    }

    /// <summary>The two-parameter map at the width <typeparamref name="TSimd"/>.</summary>
    internal static void MapWithTwoParameters<TOperator, TSimd, TVector>(ReadOnlySpan<float> source, Span<float> destination, float first, float second)
        where TOperator : struct, ITwoParameterOperator
        where TSimd : ISimd<TVector>
        where TVector : struct
    {
        // source and destination: n floats each.
        ref float x = ref MemoryMarshal.GetReference(source);
        ref float y = ref MemoryMarshal.GetReference(destination);
        nint length = source.Length;
        TVector vectorFirst = TSimd.Create(first);
        TVector vectorSecond = TSimd.Create(second);

        nint k = 0;
        for (; k <= length - TSimd.Count; k += TSimd.Count)
        {
            TSimd.Store(TOperator.Invoke<TSimd, TVector>(TSimd.Load(in x, k), vectorFirst, vectorSecond), ref y, k);
        }

        for (; k < length; k++)
        {
            Unsafe.Add(ref y, k) = TOperator.Invoke<SimdScalar, float>(Unsafe.Add(ref x, k), first, second);
        }
    }
}

/// <summary>A lane-wise function of one vector and two broadcast parameters.</summary>
internal interface ITwoParameterOperator
{
    /// <summary>The function on every lane of <paramref name="x"/>, at the width <typeparamref name="TSimd"/>.</summary>
    static abstract TVector Invoke<TSimd, TVector>(TVector x, TVector first, TVector second)
        where TSimd : ISimd<TVector>
        where TVector : struct;
}

/// <summary>(x − first) − second.</summary>
internal readonly struct SubtractTwiceOperator : ITwoParameterOperator
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVector Invoke<TSimd, TVector>(TVector x, TVector first, TVector second)
        where TSimd : ISimd<TVector>
        where TVector : struct =>
        TSimd.Subtract(TSimd.Subtract(x, first), second);
}

/// <summary>
/// tanh x, to within a few units in the last place everywhere, with tanh 0 = 0.
/// </summary>
/// <remarks>
/// <para>
/// <c>TensorPrimitives.Tanh</c> is not used: measured in System.Numerics.Tensors 10.0.12 on AVX-512, its
/// vector path returns tanh 0 = −5.96·10⁻⁸ (wrong sign, not 0) and has a relative error of 1.5·10⁻³ at
/// x = 2·10⁻⁵ (an absolute error of about 6·10⁻⁸ near 0, as from e^(2x) − 1). This one's worst relative
/// error against double, measured over [−20, 20] and down to ±10⁻³⁰, is 1.3·10⁻⁷; the tests hold it below 3·10⁻⁷.
/// </para>
/// <para>
/// The method is Cephes' <c>tanhf</c> (S. L. Moshier). For |x| &lt; 0.625, an odd polynomial
/// x + x·s·P(s) with s = x², which has no cancellation; above it, 1 − 2 / (e^(2|x|) + 1), where 2 / (…) is
/// at most 0.45, so the subtraction loses at most a bit. e^(2|x|) saturates for huge |x| (see
/// <see cref="FastExp"/>), which gives exactly 1. The sign is restored last, so tanh(−x) = −tanh(x) exactly.
/// Both branches are computed and the right one kept per lane.
/// </para>
/// </remarks>
internal readonly struct TanhOperator : IElementwiseOperator
{
    /// <summary>Below this |x|, the polynomial; from it on, the exponential form.</summary>
    public const float PolynomialLimit = 0.625f;

    // Cephes tanhf: tanh x ≈ x + x·s·P(s), s = x², on |x| < 0.625.
    private const float P0 = -5.70498872745e-3f;
    private const float P1 = 2.06390887954e-2f;
    private const float P2 = -5.37397155531e-2f;
    private const float P3 = 1.33314422036e-1f;
    private const float P4 = -3.33332819422e-1f;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVector Invoke<TSimd, TVector>(TVector x, TVector parameter)
        where TSimd : ISimd<TVector>
        where TVector : struct
    {
        TVector zero = TSimd.Zero;
        TVector one = TSimd.Create(1f);
        TVector negative = TSimd.Subtract(zero, x);
        TVector magnitude = TSimd.Max(x, negative);

        // Small |x|: x + x·s·P(s), odd by construction.
        TVector s = TSimd.Multiply(x, x);
        TVector p = TSimd.MultiplyAdd(TSimd.Create(P0), s, TSimd.Create(P1));
        p = TSimd.MultiplyAdd(p, s, TSimd.Create(P2));
        p = TSimd.MultiplyAdd(p, s, TSimd.Create(P3));
        p = TSimd.MultiplyAdd(p, s, TSimd.Create(P4));
        TVector small = TSimd.MultiplyAdd(TSimd.Multiply(p, s), x, x);

        // Large |x|: 1 − 2 / (e^(2|x|) + 1) for |x|, then the sign of x: keep it where x ≥ 0, negate where x ≤ 0.
        TVector exponential = TSimd.Exp(TSimd.Add(magnitude, magnitude));
        TVector large = TSimd.Subtract(one, TSimd.Multiply(TSimd.Create(2f), TSimd.Reciprocal(TSimd.Add(exponential, one))));
        large = TSimd.Subtract(TSimd.ZeroWhereLess(large, x, zero), TSimd.ZeroWhereLess(large, negative, zero));

        // Keep the small form where |x| < limit (|x| ≤ the float just below it), the large where |x| ≥ limit.
        TVector keepSmall = TSimd.ZeroWhereLess(small, TSimd.Create(BelowLimit), magnitude);
        TVector keepLarge = TSimd.ZeroWhereLess(large, magnitude, TSimd.Create(PolynomialLimit));
        return TSimd.Add(keepSmall, keepLarge);
    }

    /// <summary>The largest float below <see cref="PolynomialLimit"/> (0x3F1FFFFF; a test checks it).</summary>
    public const float BelowLimit = 0.62499994f;
}

/// <summary>
/// parameter·e^(−c|x|) / (1 + e^(−c|x|))² with c = 1 (σ′(x), parameter 1) or c = 2 (tanh′ x, parameter 4).
/// </summary>
/// <remarks>
/// σ′(x) = σ(x)(1 − σ(x)) and tanh′ x = 1 − tanh²x lose every digit once σ(x) or tanh x rounds to 1
/// (x ≳ 17 or 9): the difference is 0 where the true derivative is e^(−x) or 4e^(−2x). Written with
/// e = e^(−c|x|) ≤ 1, both are a quotient of accurate positive terms, accurate everywhere, and never overflow.
/// </remarks>
internal readonly struct LogisticDerivativeOperator<TScale> : IElementwiseOperator
    where TScale : struct, ILogisticScale
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVector Invoke<TSimd, TVector>(TVector x, TVector parameter)
        where TSimd : ISimd<TVector>
        where TVector : struct
    {
        TVector negativeMagnitude = TSimd.Min(x, TSimd.Subtract(TSimd.Zero, x));
        TVector e = TSimd.Exp(TSimd.Multiply(negativeMagnitude, TSimd.Create(TScale.Rate)));
        TVector onePlus = TSimd.Add(e, TSimd.Create(1f));
        return TSimd.Multiply(TSimd.Multiply(e, TSimd.Create(TScale.Factor)), TSimd.Reciprocal(TSimd.Multiply(onePlus, onePlus)));
    }
}

/// <summary>The constants c and k of a derivative k·e^(−c|x|) / (1 + e^(−c|x|))².</summary>
internal interface ILogisticScale
{
    /// <summary>The rate c.</summary>
    static abstract float Rate { get; }

    /// <summary>The factor k.</summary>
    static abstract float Factor { get; }
}

/// <summary>σ′(x) = e^(−|x|) / (1 + e^(−|x|))².</summary>
internal readonly struct SigmoidScale : ILogisticScale
{
    public static float Rate => 1f;

    public static float Factor => 1f;
}

/// <summary>tanh′ x = 4e^(−2|x|) / (1 + e^(−2|x|))², since tanh x = 2σ(2x) − 1.</summary>
internal readonly struct TanhScale : ILogisticScale
{
    public static float Rate => 2f;

    public static float Factor => 4f;
}

/// <summary>x where x &gt; 0, else parameter·x.</summary>
internal readonly struct LeakyReluOperator : IElementwiseOperator
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVector Invoke<TSimd, TVector>(TVector x, TVector parameter)
        where TSimd : ISimd<TVector>
        where TVector : struct =>
        TSimd.LeakyRelu(x, parameter);
}

/// <summary>1 where x &gt; 0, else parameter (0 for ReLU).</summary>
internal readonly struct LeakyReluDerivativeOperator : IElementwiseOperator
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVector Invoke<TSimd, TVector>(TVector x, TVector parameter)
        where TSimd : ISimd<TVector>
        where TVector : struct =>
        // The Simd helper is documented on the activation's output; for the input it is the same test x > 0.
        TSimd.LeakyReluDerivative(x, parameter);
}
