using System.Numerics.Tensors;

namespace Native.Numerics;

/// <summary>
/// Loss functions and their gradients: cross-entropy (from logits and a class label, or between a
/// predicted and a target distribution), binary cross-entropy (from a logit or a probability), and mean
/// squared error. Nothing here allocates.
/// </summary>
/// <remarks>
/// <para>
/// Losses on logits never form the probabilities and then take their log: a probability that underflows to 0
/// would make log 0 = −∞ and the loss infinite, where the true loss is an ordinary number. Cross-entropy goes
/// through log-sum-exp, log Σ e^zⱼ = m + log Σ e^(zⱼ − m) with m the largest logit; binary cross-entropy
/// through softplus, log(1 + e^z) = max(z, 0) + log(1 + e^−|z|). Both forms exponentiate only numbers at
/// most 0, so they neither overflow nor lose the loss of a confident, correct prediction.
/// </para>
/// <para>
/// Sums accumulate in double and the result is rounded to float once. Span overloads of the binary losses
/// return the sum over the elements, not the mean; <see cref="MeanSquaredError"/> is a mean, as its name says.
/// </para>
/// </remarks>
public static class Losses
{
    /// <summary>
    /// Cross-entropy of a softmax classifier from its logits z and the true class y:
    /// −log softmax(z)_y = log Σⱼ e^zⱼ − z_y, computed by log-sum-exp (never log of softmax).
    /// </summary>
    /// <remarks>
    /// Computed as (m − z_y) + log Σⱼ e^(zⱼ − m) with m the largest logit; each term is at least 0, so the loss
    /// is never negative. It is +∞ only when m − z_y itself exceeds float.MaxValue, and NaN if a logit is NaN
    /// or +∞ (or all are −∞).
    /// </remarks>
    /// <param name="logits">The scores z, one per class.</param>
    /// <param name="label">The true class, in [0, logits.Length).</param>
    /// <returns>The loss, in nats.</returns>
    /// <exception cref="ArgumentException"><paramref name="logits"/> is empty.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="label"/> is not a class index.</exception>
    public static float CrossEntropy(ReadOnlySpan<float> logits, int label)
    {
        FunctionGuards.NotEmpty(logits.Length, nameof(logits));
        FunctionGuards.ClassLabel(label, logits.Length, nameof(label));
        float max = TensorPrimitives.Max(logits);
        if (!float.IsFinite(max))
        {
            return float.NaN;
        }

        double sum = FunctionKernels.SumOfExponentials(logits, max, 1f);
        return (float)(((double)max - logits[label]) + Math.Log(sum));
    }

    /// <summary>
    /// The gradient of <see cref="CrossEntropy(ReadOnlySpan{float}, int)"/> with respect to the logits,
    /// softmax(z) − onehot(y), written into <paramref name="gradient"/>; returns the loss from the same pass.
    /// </summary>
    /// <remarks>
    /// This fuses softmax's backward pass with cross-entropy's: the Jacobian product collapses to p − y.
    /// When p_label ≥ 1/2 its entry p_label − 1 is computed as −Σ_{j≠label} pⱼ, which keeps its digits when
    /// p_label is near 1 (a float p_label − 1 would not). <paramref name="gradient"/> may be <paramref name="logits"/> itself.
    /// </remarks>
    /// <param name="logits">The scores z, one per class.</param>
    /// <param name="label">The true class, in [0, logits.Length).</param>
    /// <param name="gradient">Receives softmax(z) − onehot(label); the same length as <paramref name="logits"/>.</param>
    /// <returns>The loss, as <see cref="CrossEntropy(ReadOnlySpan{float}, int)"/> returns it.</returns>
    /// <exception cref="ArgumentException"><paramref name="logits"/> is empty, or the lengths differ, or the spans partly overlap.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="label"/> is not a class index.</exception>
    public static float CrossEntropyGradient(ReadOnlySpan<float> logits, int label, Span<float> gradient)
    {
        FunctionGuards.NotEmpty(logits.Length, nameof(logits));
        FunctionGuards.SameLength(logits.Length, nameof(logits), gradient.Length, nameof(gradient));
        FunctionGuards.NoPartialOverlap(logits, nameof(logits), gradient, nameof(gradient));
        FunctionGuards.ClassLabel(label, logits.Length, nameof(label));

        // Read everything needed from the logits before the softmax pass, which may overwrite them.
        float labelLogit = logits[label];
        float max = TensorPrimitives.Max(logits);
        if (!float.IsFinite(max))
        {
            gradient.Fill(float.NaN);
            return float.NaN;
        }

        double sum = FunctionKernels.Exponentials(logits, gradient, max, 1f);
        TensorPrimitives.Multiply(gradient, (float)(1.0 / sum), gradient);

        // The label's entry p − 1. When p ≥ 1/2 it is written as −Σ_{j≠label} pⱼ (equal, since Σ p = 1): for a
        // confident, right prediction p rounds to within 6·10⁻⁸ of 1 and p − 1 keeps no correct digit, while
        // the sum of the small others is accurate. Below 1/2, p − 1 loses nothing and stays in [−1, −1/2].
        float labelProbability = gradient[label];
        if (labelProbability < 0.5f)
        {
            gradient[label] = labelProbability - 1f;
        }
        else
        {
            gradient[label] = 0f;
            gradient[label] = -TensorPrimitives.Sum(gradient);
        }

        return (float)(((double)max - labelLogit) + Math.Log(sum));
    }

    /// <summary>
    /// Cross-entropy of predicted probabilities q against a target distribution t: −Σᵢ tᵢ log qᵢ, in nats.
    /// </summary>
    /// <remarks>
    /// A term with tᵢ = 0 is 0, even where qᵢ = 0 (0·log 0 = 0). Where qᵢ = 0 but tᵢ &gt; 0 the loss is +∞: the
    /// model called impossible what happened. The formula is applied as given: neither span need sum to 1.
    /// With a one-hot target it is −log q_label; prefer <see cref="CrossEntropy(ReadOnlySpan{float}, int)"/> on
    /// the logits, which does not lose tiny probabilities. This is
    /// <see cref="Information.CrossEntropy(ReadOnlySpan{float}, ReadOnlySpan{float})"/> with p = t, q = probabilities.
    /// </remarks>
    /// <param name="probabilities">The predicted probabilities q: finite and not negative.</param>
    /// <param name="target">The target distribution t: finite and not negative.</param>
    /// <returns>The loss; 0 for empty spans.</returns>
    /// <exception cref="ArgumentException">The lengths differ, or an entry is negative, NaN or infinite (the message names it).</exception>
    public static float CrossEntropy(ReadOnlySpan<float> probabilities, ReadOnlySpan<float> target)
    {
        FunctionGuards.SameLength(probabilities.Length, nameof(probabilities), target.Length, nameof(target));
        return (float)Information.CrossEntropyCore(target, nameof(target), probabilities, nameof(probabilities));
    }

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

    /// <summary>
    /// Mean squared error: (1/n) Σᵢ (ŷᵢ − yᵢ)², the mean over the n elements, with no factor 1/2.
    /// </summary>
    /// <remarks>
    /// Some texts halve it so that the gradient is ŷ − y; this does not, so the gradient is 2(ŷ − y)/n (see
    /// <see cref="MeanSquaredErrorGradient"/>). The squares accumulate in float vector lanes for a few
    /// thousand elements at a time, then in double.
    /// </remarks>
    /// <param name="predictions">The predictions ŷ.</param>
    /// <param name="targets">The targets y.</param>
    /// <returns>The mean of the squared differences.</returns>
    /// <exception cref="ArgumentException">The spans are empty (the mean is undefined), or the lengths differ.</exception>
    public static float MeanSquaredError(ReadOnlySpan<float> predictions, ReadOnlySpan<float> targets)
    {
        FunctionGuards.NotEmpty(predictions.Length, nameof(predictions));
        FunctionGuards.SameLength(predictions.Length, nameof(predictions), targets.Length, nameof(targets));
        return (float)(FunctionKernels.SumOfSquaredDifferences(predictions, targets) / predictions.Length);
    }

    /// <summary>
    /// The gradient of <see cref="MeanSquaredError"/> with respect to the predictions, 2(ŷᵢ − yᵢ)/n, written into
    /// <paramref name="gradient"/>; returns the mean squared error from the same pass.
    /// </summary>
    /// <param name="predictions">The predictions ŷ.</param>
    /// <param name="targets">The targets y.</param>
    /// <param name="gradient">Receives 2(ŷᵢ − yᵢ)/n; the same length as <paramref name="predictions"/>, and may be either input itself.</param>
    /// <returns>The mean squared error.</returns>
    /// <exception cref="ArgumentException">The spans are empty, or the lengths differ, or the output partly overlaps an input.</exception>
    public static float MeanSquaredErrorGradient(ReadOnlySpan<float> predictions, ReadOnlySpan<float> targets, Span<float> gradient)
    {
        FunctionGuards.NotEmpty(predictions.Length, nameof(predictions));
        CheckPairArguments(predictions, nameof(predictions), targets, nameof(targets), gradient);
        int n = predictions.Length;
        return (float)(FunctionKernels.SumOfSquaredDifferences(predictions, targets, gradient, 2f / n) / n);
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

    /// <summary>Checks every entry before any output is written, so an exception leaves the output untouched.</summary>
    private static void CheckUnitInterval(ReadOnlySpan<float> values, string name)
    {
        for (int i = 0; i < values.Length; i++)
        {
            FunctionGuards.UnitInterval(values[i], name, i);
        }
    }

    private static void CheckPairArguments(ReadOnlySpan<float> first, string firstName, ReadOnlySpan<float> second, string secondName, ReadOnlySpan<float> gradient)
    {
        FunctionGuards.SameLength(first.Length, firstName, second.Length, secondName);
        FunctionGuards.SameLength(first.Length, firstName, gradient.Length, nameof(gradient));
        FunctionGuards.NoPartialOverlap(first, firstName, gradient, nameof(gradient));
        FunctionGuards.NoPartialOverlap(second, secondName, gradient, nameof(gradient));
    }
}
