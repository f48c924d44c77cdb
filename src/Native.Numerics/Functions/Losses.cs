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
public static partial class Losses
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
