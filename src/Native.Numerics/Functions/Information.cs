namespace Native.Numerics;

/// <summary>
/// Information-theoretic quantities of discrete distributions: entropy, cross-entropy and the
/// Kullback–Leibler divergence, in nats (natural logarithm) or in any base. Computed in double.
/// </summary>
/// <remarks>
/// <para>
/// Every entry must be finite and not negative; anything else throws <see cref="ArgumentException"/> naming the
/// parameter, the index and the value. The entries need not sum to 1: the formulas are applied as given, so
/// for unnormalized inputs the results are those sums, not the quantities of the normalized distributions
/// (and the divergence can then be negative).
/// </para>
/// <para>
/// By the convention 0·log 0 = 0 (the limit of x log x as x → 0), a term with pᵢ = 0 is 0 whatever qᵢ is.
/// A term with pᵢ &gt; 0 and qᵢ = 0 is +∞: q calls impossible what p says happens. Empty spans give 0, the
/// empty sum. In base b the result is the natural-log result divided by ln b (2 gives bits; a base below 1
/// flips the sign).
/// </para>
/// </remarks>
public static class Information
{
    /// <summary>Entropy in nats: H(p) = −Σᵢ pᵢ ln pᵢ, with 0·ln 0 = 0.</summary>
    /// <param name="p">The distribution: entries finite and not negative.</param>
    /// <returns>H(p); at least 0 when p sums to at most 1.</returns>
    /// <exception cref="ArgumentException">An entry is negative, NaN or infinite.</exception>
    public static double Entropy(ReadOnlySpan<float> p)
    {
        double total = 0;
        for (int i = 0; i < p.Length; i++)
        {
            float value = p[i];
            FunctionGuards.FiniteNonNegative(value, nameof(p), i);
            if (value > 0f)
            {
                total -= value * Math.Log(value);
            }
        }

        return total;
    }

    /// <summary>Entropy in base b: H_b(p) = −Σᵢ pᵢ log_b pᵢ = H(p) / ln b (bits for b = 2).</summary>
    /// <param name="p">The distribution: entries finite and not negative.</param>
    /// <param name="logBase">The base b of the logarithm: finite, greater than 0 and not 1.</param>
    /// <returns>H_b(p).</returns>
    /// <exception cref="ArgumentException">An entry is negative, NaN or infinite.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="logBase"/> is not finite, not above 0, or 1.</exception>
    public static double Entropy(ReadOnlySpan<float> p, double logBase)
    {
        FunctionGuards.LogarithmBase(logBase, nameof(logBase));
        return Entropy(p) / Math.Log(logBase);
    }

    /// <summary>
    /// Cross-entropy in nats: H(p, q) = −Σᵢ pᵢ ln qᵢ, the expected code length under p of a code built for q.
    /// A term with pᵢ = 0 is 0; a term with pᵢ &gt; 0 and qᵢ = 0 makes the result +∞.
    /// </summary>
    /// <param name="p">The true distribution: entries finite and not negative.</param>
    /// <param name="q">The model distribution: entries finite and not negative, the same length as <paramref name="p"/>.</param>
    /// <returns>H(p, q), which is at least H(p) for distributions that each sum to 1.</returns>
    /// <exception cref="ArgumentException">The lengths differ, or an entry is negative, NaN or infinite.</exception>
    public static double CrossEntropy(ReadOnlySpan<float> p, ReadOnlySpan<float> q)
    {
        FunctionGuards.SameLength(p.Length, nameof(p), q.Length, nameof(q));
        return CrossEntropyCore(p, nameof(p), q, nameof(q));
    }

    /// <summary>Cross-entropy in base b: H_b(p, q) = −Σᵢ pᵢ log_b qᵢ = H(p, q) / ln b.</summary>
    /// <param name="p">The true distribution: entries finite and not negative.</param>
    /// <param name="q">The model distribution: entries finite and not negative, the same length as <paramref name="p"/>.</param>
    /// <param name="logBase">The base b of the logarithm: finite, greater than 0 and not 1.</param>
    /// <returns>H_b(p, q).</returns>
    /// <exception cref="ArgumentException">The lengths differ, or an entry is negative, NaN or infinite.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="logBase"/> is not finite, not above 0, or 1.</exception>
    public static double CrossEntropy(ReadOnlySpan<float> p, ReadOnlySpan<float> q, double logBase)
    {
        FunctionGuards.LogarithmBase(logBase, nameof(logBase));
        return CrossEntropy(p, q) / Math.Log(logBase);
    }

    /// <summary>
    /// The Kullback–Leibler divergence in nats: D(p ‖ q) = Σᵢ pᵢ ln(pᵢ / qᵢ) = H(p, q) − H(p), the extra code
    /// length of using q's code for p. A term with pᵢ = 0 is 0; a term with pᵢ &gt; 0 and qᵢ = 0 makes it +∞.
    /// </summary>
    /// <remarks>
    /// Each term is computed as pᵢ (ln pᵢ − ln qᵢ), so D(p ‖ p) is exactly 0. For distributions that each sum
    /// to 1 it is at least 0 (Gibbs' inequality); it is not symmetric in p and q.
    /// </remarks>
    /// <param name="p">The true distribution: entries finite and not negative.</param>
    /// <param name="q">The model distribution: entries finite and not negative, the same length as <paramref name="p"/>.</param>
    /// <returns>D(p ‖ q).</returns>
    /// <exception cref="ArgumentException">The lengths differ, or an entry is negative, NaN or infinite.</exception>
    public static double KullbackLeibler(ReadOnlySpan<float> p, ReadOnlySpan<float> q)
    {
        FunctionGuards.SameLength(p.Length, nameof(p), q.Length, nameof(q));
        double total = 0;
        for (int i = 0; i < p.Length; i++)
        {
            float pValue = p[i];
            float qValue = q[i];
            FunctionGuards.FiniteNonNegative(pValue, nameof(p), i);
            FunctionGuards.FiniteNonNegative(qValue, nameof(q), i);
            if (pValue > 0f)
            {
                // ln 0 = −∞, so qᵢ = 0 gives pᵢ·(finite + ∞) = +∞, never NaN.
                total += pValue * (Math.Log(pValue) - Math.Log(qValue));
            }
        }

        return total;
    }

    /// <summary>The Kullback–Leibler divergence in base b: D_b(p ‖ q) = Σᵢ pᵢ log_b(pᵢ / qᵢ) = D(p ‖ q) / ln b.</summary>
    /// <param name="p">The true distribution: entries finite and not negative.</param>
    /// <param name="q">The model distribution: entries finite and not negative, the same length as <paramref name="p"/>.</param>
    /// <param name="logBase">The base b of the logarithm: finite, greater than 0 and not 1.</param>
    /// <returns>D_b(p ‖ q).</returns>
    /// <exception cref="ArgumentException">The lengths differ, or an entry is negative, NaN or infinite.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="logBase"/> is not finite, not above 0, or 1.</exception>
    public static double KullbackLeibler(ReadOnlySpan<float> p, ReadOnlySpan<float> q, double logBase)
    {
        FunctionGuards.LogarithmBase(logBase, nameof(logBase));
        return KullbackLeibler(p, q) / Math.Log(logBase);
    }

    /// <summary>
    /// −Σᵢ pᵢ ln qᵢ with 0·ln 0 = 0, for spans of equal length (checked by the caller), naming them in errors
    /// as the caller calls them.
    /// </summary>
    internal static double CrossEntropyCore(ReadOnlySpan<float> p, string pName, ReadOnlySpan<float> q, string qName)
    {
        double total = 0;
        for (int i = 0; i < p.Length; i++)
        {
            float pValue = p[i];
            float qValue = q[i];
            FunctionGuards.FiniteNonNegative(pValue, pName, i);
            FunctionGuards.FiniteNonNegative(qValue, qName, i);
            if (pValue > 0f)
            {
                total -= pValue * Math.Log(qValue);
            }
        }

        return total;
    }
}
