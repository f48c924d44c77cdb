using System.Runtime.CompilerServices;

namespace Native.Numerics.Kernels;

/// <summary>
/// e^x on vectors, inlined into the kernels that call it.
/// </summary>
/// <remarks>
/// <para>
/// <c>Vector512.Exp</c> is an out-of-line call that spills every live vector around it, and under the
/// default runtime settings it is split into two 256-bit calls (docs/performance.md, item 5). This one is a
/// dozen instructions the JIT inlines.
/// </para>
/// <para>
/// The method is the classic one of Cephes' <c>expf</c> (S. L. Moshier): write x = n·ln 2 + r with n an
/// integer and |r| ≤ ln 2 / 2, take e^r from a degree-6 polynomial (the minimax coefficients of Cephes, evaluated
/// by Estrin's scheme for a shorter dependency chain),
/// and multiply by 2^n built directly in the exponent bits. ln 2 is split into a high part with few
/// mantissa bits and a low correction, so n·ln 2 is subtracted without rounding error. The test
/// <c>FastExpTests</c> measures the worst relative error against <see cref="Math.Exp"/> over the whole
/// range and holds it under <see cref="MaximumRelativeError"/>.
/// </para>
/// <para>
/// Inputs below <see cref="MinimumInput"/> (where e^x is subnormal) return 0; NaN gives an unspecified value. Inputs above
/// <see cref="MaximumInput"/> return e^<see cref="MaximumInput"/> (≈ 2.4·10³⁸) rather than the true value
/// or infinity: the kernels use it on arguments that are at most 0 (softmax after subtracting the
/// maximum) or where any huge value gives the same result (the sigmoid's 1 / (1 + e^-x)).
/// </para>
/// </remarks>
internal static class FastExp
{
    /// <summary>The largest input computed exactly; 2^n stays a normal float for n ≤ 127.</summary>
    public const float MaximumInput = 88.3762626647949f;

    /// <summary>Below this, e^x is subnormal and the result is 0.</summary>
    public const float MinimumInput = -87.3365447504f;

    /// <summary>The bound the tests hold the relative error to, against double-precision exp.</summary>
    public const double MaximumRelativeError = 3e-7;

    private const float Log2OfE = 1.44269504088896341f;
    private const float Ln2High = 0.693359375f;
    private const float Ln2Low = -2.12194440e-4f;

    // Cephes expf: e^r ≈ 1 + r + r²·P(r) on [-ln 2 / 2, ln 2 / 2].
    private const float P0 = 1.9875691500e-4f;
    private const float P1 = 1.3981999507e-3f;
    private const float P2 = 8.3334519073e-3f;
    private const float P3 = 4.1665795894e-2f;
    private const float P4 = 1.6666665459e-1f;
    private const float P5 = 5.0000001201e-1f;

    /// <summary>Lane-wise e^x at the width <typeparamref name="TSimd"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVector Exp<TSimd, TVector>(TVector x)
        where TSimd : ISimd<TVector>
        where TVector : struct
    {
        // Clamp so 2^n below is a normal float. Lanes below the range are computed from 0 and set to 0 at the
        // end: clamped to the minimum instead, their r would cancel to within a few ulps of 0 and r² would be
        // subnormal, which costs a microcode assist per lane (docs/performance.md, "Subnormal exponentials").
        TVector minimum = TSimd.Create(MinimumInput);
        TVector clamped = TSimd.ZeroWhereLess(TSimd.Min(x, TSimd.Create(MaximumInput)), x, minimum);
        return TSimd.ZeroWhereLess(Within<TSimd, TVector>(clamped), x, minimum);
    }

    /// <summary>
    /// Lane-wise e^x for lanes from <see cref="MinimumInput"/> to <see cref="MaximumInput"/>: the bits of
    /// <see cref="Exp{TSimd, TVector}"/> there, without its clamps (six instructions a vector fewer), for a softmax whose
    /// logits are known to lie within <see cref="SoftmaxKernel.ShiftFreeLimit"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVector Within<TSimd, TVector>(TVector x)
        where TSimd : ISimd<TVector>
        where TVector : struct
    {
        // n = round(x / ln 2); r = x − n·ln 2, in two steps so no bits are lost.
        TVector n = TSimd.Round(TSimd.Multiply(x, TSimd.Create(Log2OfE)));
        TVector r = TSimd.MultiplyAdd(n, TSimd.Create(-Ln2High), x);
        r = TSimd.MultiplyAdd(n, TSimd.Create(-Ln2Low), r);

        // e^r = 1 + r + r²·P(r), P(r) = P0·r⁵ + … + P5 by Estrin's scheme: (P0·r + P1)·r⁴ + (P2·r + P3)·r² + (P4·r + P5).
        // The three pairs and r² are independent, so the chain is four multiply-adds deep where Horner's rule is six:
        // in a softmax of one row this exponential is most of the latency.
        TVector r2 = TSimd.Multiply(r, r);
        TVector high = TSimd.MultiplyAdd(TSimd.Create(P0), r, TSimd.Create(P1));
        TVector middle = TSimd.MultiplyAdd(TSimd.Create(P2), r, TSimd.Create(P3));
        TVector low = TSimd.MultiplyAdd(TSimd.Create(P4), r, TSimd.Create(P5));
        TVector p = TSimd.MultiplyAdd(high, TSimd.Multiply(r2, r2), TSimd.MultiplyAdd(middle, r2, low));
        TVector expR = TSimd.Add(TSimd.MultiplyAdd(p, r2, r), TSimd.Create(1f));

        // Scale by 2^n (Exp flushes lanes whose true result is subnormal to zero).
        return TSimd.Multiply(expR, TSimd.PowerOfTwo(n));
    }
}
