namespace Native.Numerics;

// The binary losses: cross-entropy from a logit or from a probability, each with its gradient, in double inside.
public static partial class Losses
{
    /// <summary>
    /// Binary cross-entropy from a logit z (the model's probability is σ(z)) and a label y in [0, 1]:
    /// −[y log σ(z) + (1 − y) log(1 − σ(z))] = softplus(z) − y·z.
    /// </summary>
    /// <remarks>
    /// Computed in double as max(z, 0) − y·z + log(1 + e^−|z|): the first two terms are the large part and
    /// cancel exactly for a confident correct prediction (z ≫ 0 with y = 1), leaving the small
    /// log(1 + e^−|z|), which is then kept to full precision. Forming σ(z) first would round it to 1 and
    /// give log 0 = −∞ for a confident wrong one. The loss is finite for every finite z and never negative.
    /// </remarks>
    /// <param name="logit">The logit z.</param>
    /// <param name="label">The label y, in [0, 1] (a soft label is allowed).</param>
    /// <returns>The loss, in nats.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="label"/> is not in [0, 1].</exception>
    public static float BinaryCrossEntropyFromLogit(float logit, float label)
    {
        FunctionGuards.UnitInterval(label, nameof(label));
        return (float)BinaryCrossEntropyFromLogitCore(logit, label);
    }

    /// <summary>
    /// The sum over elements of <see cref="BinaryCrossEntropyFromLogit(float, float)"/>: Σᵢ softplus(zᵢ) − yᵢ·zᵢ.
    /// </summary>
    /// <param name="logits">The logits z.</param>
    /// <param name="labels">The labels y, each in [0, 1].</param>
    /// <returns>The summed loss (not the mean); 0 for empty spans.</returns>
    /// <exception cref="ArgumentException">The lengths differ.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A label is not in [0, 1] (the message names its index).</exception>
    public static float BinaryCrossEntropyFromLogit(ReadOnlySpan<float> logits, ReadOnlySpan<float> labels)
    {
        FunctionGuards.SameLength(logits.Length, nameof(logits), labels.Length, nameof(labels));
        CheckUnitInterval(labels, nameof(labels));
        double total = 0;
        for (int i = 0; i < logits.Length; i++)
        {
            total += BinaryCrossEntropyFromLogitCore(logits[i], labels[i]);
        }

        return (float)total;
    }

    /// <summary>
    /// The derivative of <see cref="BinaryCrossEntropyFromLogit(float, float)"/> with respect to the logit:
    /// σ(z) − y, computed in double so that it keeps its digits when σ(z) and y are both near 1 or 0.
    /// </summary>
    /// <param name="logit">The logit z.</param>
    /// <param name="label">The label y, in [0, 1].</param>
    /// <returns>σ(z) − y, in [−1, 1].</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="label"/> is not in [0, 1].</exception>
    public static float BinaryCrossEntropyFromLogitGradient(float logit, float label)
    {
        FunctionGuards.UnitInterval(label, nameof(label));
        return (float)(Sigmoid(logit) - label);
    }

    /// <summary>
    /// Writes σ(zᵢ) − yᵢ for every element, the gradient of <see cref="BinaryCrossEntropyFromLogit(ReadOnlySpan{float}, ReadOnlySpan{float})"/>,
    /// and returns that summed loss.
    /// </summary>
    /// <param name="logits">The logits z.</param>
    /// <param name="labels">The labels y, each in [0, 1].</param>
    /// <param name="gradient">Receives σ(zᵢ) − yᵢ; the same length as <paramref name="logits"/>, and may be either input itself.</param>
    /// <returns>The summed loss (not the mean).</returns>
    /// <exception cref="ArgumentException">The lengths differ, or the output partly overlaps an input.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A label is not in [0, 1] (the message names its index).</exception>
    public static float BinaryCrossEntropyFromLogitGradient(ReadOnlySpan<float> logits, ReadOnlySpan<float> labels, Span<float> gradient)
    {
        CheckPairArguments(logits, nameof(logits), labels, nameof(labels), gradient);
        CheckUnitInterval(labels, nameof(labels));
        double total = 0;
        for (int i = 0; i < logits.Length; i++)
        {
            // Both inputs are read before the output is written, so the gradient may be either of them.
            float z = logits[i];
            float y = labels[i];
            total += BinaryCrossEntropyFromLogitCore(z, y);
            gradient[i] = (float)(Sigmoid(z) - y);
        }

        return (float)total;
    }

    /// <summary>
    /// Binary cross-entropy of a probability p against a label y in [0, 1]: −[y log p + (1 − y) log(1 − p)].
    /// </summary>
    /// <remarks>
    /// A term whose weight is 0 is 0 (0·log 0 = 0), so p = 0 with y = 0, and p = 1 with y = 1, give 0. The loss is
    /// +∞ where the model called impossible what happened: p = 0 with y &gt; 0, or p = 1 with y &lt; 1. When the
    /// probability comes from a logit, <see cref="BinaryCrossEntropyFromLogit(float, float)"/> is finite and
    /// more accurate.
    /// </remarks>
    /// <param name="probability">The predicted probability p, in [0, 1].</param>
    /// <param name="label">The label y, in [0, 1].</param>
    /// <returns>The loss, in nats.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="probability"/> or <paramref name="label"/> is not in [0, 1].</exception>
    public static float BinaryCrossEntropy(float probability, float label)
    {
        FunctionGuards.UnitInterval(probability, nameof(probability));
        FunctionGuards.UnitInterval(label, nameof(label));
        return (float)BinaryCrossEntropyCore(probability, label);
    }

    /// <summary>The sum over elements of <see cref="BinaryCrossEntropy(float, float)"/>.</summary>
    /// <param name="probabilities">The predicted probabilities p, each in [0, 1].</param>
    /// <param name="labels">The labels y, each in [0, 1].</param>
    /// <returns>The summed loss (not the mean); 0 for empty spans.</returns>
    /// <exception cref="ArgumentException">The lengths differ.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An entry is not in [0, 1] (the message names its index).</exception>
    public static float BinaryCrossEntropy(ReadOnlySpan<float> probabilities, ReadOnlySpan<float> labels)
    {
        FunctionGuards.SameLength(probabilities.Length, nameof(probabilities), labels.Length, nameof(labels));
        CheckUnitInterval(probabilities, nameof(probabilities));
        CheckUnitInterval(labels, nameof(labels));
        double total = 0;
        for (int i = 0; i < probabilities.Length; i++)
        {
            total += BinaryCrossEntropyCore(probabilities[i], labels[i]);
        }

        return (float)total;
    }

    /// <summary>
    /// The derivative of <see cref="BinaryCrossEntropy(float, float)"/> with respect to the probability:
    /// −y/p + (1 − y)/(1 − p) = (p − y) / (p(1 − p)).
    /// </summary>
    /// <remarks>
    /// A term whose weight is 0 is 0, as in the loss: with y = 0 it is 1/(1 − p), with y = 1 it is −1/p. It is
    /// −∞ at p = 0 with y &gt; 0 and +∞ at p = 1 with y &lt; 1, where the loss is infinite.
    /// </remarks>
    /// <param name="probability">The predicted probability p, in [0, 1].</param>
    /// <param name="label">The label y, in [0, 1].</param>
    /// <returns>∂loss/∂p.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="probability"/> or <paramref name="label"/> is not in [0, 1].</exception>
    public static float BinaryCrossEntropyGradient(float probability, float label)
    {
        FunctionGuards.UnitInterval(probability, nameof(probability));
        FunctionGuards.UnitInterval(label, nameof(label));
        return (float)BinaryCrossEntropyGradientCore(probability, label);
    }

    /// <summary>
    /// Writes ∂loss/∂pᵢ for every element (see <see cref="BinaryCrossEntropyGradient(float, float)"/>) and
    /// returns the summed loss of <see cref="BinaryCrossEntropy(ReadOnlySpan{float}, ReadOnlySpan{float})"/>.
    /// </summary>
    /// <param name="probabilities">The predicted probabilities p, each in [0, 1].</param>
    /// <param name="labels">The labels y, each in [0, 1].</param>
    /// <param name="gradient">Receives the derivatives; the same length as <paramref name="probabilities"/>, and may be either input itself.</param>
    /// <returns>The summed loss (not the mean).</returns>
    /// <exception cref="ArgumentException">The lengths differ, or the output partly overlaps an input.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An entry is not in [0, 1] (the message names its index).</exception>
    public static float BinaryCrossEntropyGradient(ReadOnlySpan<float> probabilities, ReadOnlySpan<float> labels, Span<float> gradient)
    {
        CheckPairArguments(probabilities, nameof(probabilities), labels, nameof(labels), gradient);
        CheckUnitInterval(probabilities, nameof(probabilities));
        CheckUnitInterval(labels, nameof(labels));
        double total = 0;
        for (int i = 0; i < probabilities.Length; i++)
        {
            // Both inputs are read before the output is written, so the gradient may be either of them.
            float p = probabilities[i];
            float y = labels[i];
            total += BinaryCrossEntropyCore(p, y);
            gradient[i] = (float)BinaryCrossEntropyGradientCore(p, y);
        }

        return (float)total;
    }

    /// <summary>max(z, 0) − y·z + log(1 + e^−|z|) in double; see <see cref="BinaryCrossEntropyFromLogit(float, float)"/>.</summary>
    internal static double BinaryCrossEntropyFromLogitCore(float logit, float label)
    {
        // ScalarFunctions.Softplus is this same form, but returns float and adds the log term before − y·z;
        // here the two large terms meet first, in double, so a confident correct prediction keeps its
        // tiny loss instead of losing it to rounding.
        double z = logit;
        return (Math.Max(z, 0) - (label * z)) + LogOnePlusExponential(-Math.Abs(z));
    }

    /// <summary>
    /// σ(z) in double, in the form whose exponent is never positive. The gradient σ(z) − y is taken in double
    /// because for a confident prediction σ(z) and y are both near 1 (or 0): a float σ(z) = 0.9999997 carries
    /// an absolute error of 3·10⁻⁸, which would be 10% of a difference of 3·10⁻⁷.
    /// </summary>
    private static double Sigmoid(float logit)
    {
        double z = logit;
        if (z >= 0)
        {
            return 1 / (1 + Math.Exp(-z));
        }

        double e = Math.Exp(z);
        return e / (1 + e);
    }

    /// <summary>−[y log p + (1 − y) log(1 − p)] in double, with 0·log 0 = 0.</summary>
    internal static double BinaryCrossEntropyCore(float probability, float label)
    {
        double p = probability;
        double y = label;
        double positive = y > 0 ? y * Math.Log(p) : 0;
        double negative = y < 1 ? (1 - y) * Math.Log(1 - p) : 0;
        return -(positive + negative);
    }

    /// <summary>−y/p + (1 − y)/(1 − p) in double, a term with weight 0 counting 0.</summary>
    internal static double BinaryCrossEntropyGradientCore(float probability, float label)
    {
        double p = probability;
        double y = label;
        double positive = y > 0 ? -y / p : 0;
        double negative = y < 1 ? (1 - y) / (1 - p) : 0;
        return positive + negative;
    }

    /// <summary>
    /// log(1 + e^x) for x ≤ 0. Where e^x is tiny, 1 + e^x rounds to 1 and its log to 0; there the series
    /// log(1 + u) = u − u²/2 + … is used instead (for u &lt; 10⁻⁵ its next term is below 10⁻¹⁰ relative).
    /// </summary>
    private static double LogOnePlusExponential(double x)
    {
        double u = Math.Exp(x);
        return u < 1e-5 ? u * (1 - (0.5 * u)) : Math.Log(1 + u);
    }
}
