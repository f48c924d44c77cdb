using System.Numerics.Tensors;
using Native.Numerics.CompilerServices;

namespace Native.Numerics;

/// <summary>
/// Activation functions and their derivatives on spans of floats: softmax (in any base), log-softmax,
/// hardmax and argmax, with the backward passes of softmax and log-softmax; sigmoid, tanh, ReLU and leaky
/// ReLU element-wise, each with a scalar overload. Nothing here allocates.
/// </summary>
/// <remarks>
/// <para>
/// Span functions write into a caller's destination of exactly the source's length. The destination may be
/// the source itself (the function then runs in place) but may not overlap it any other way; a length
/// mismatch or a shifted overlap throws <see cref="ArgumentException"/>.
/// </para>
/// <para>
/// Results are accurate to a few units in the last place of a float, and no finite input, however large,
/// gives NaN. Softmax's exponentials carry a relative error below 3·10⁻⁷, plus about 1.2·10⁻⁷·|t| from
/// rounding their exponent t = zᵢ − m to float (as in any float softmax; up to 10⁻⁵ for probabilities near
/// e^−87, below which they flush to 0).
/// </para>
/// </remarks>
public static class Activations
{
    /// <summary>
    /// Softmax: probabilityᵢ = e^zᵢ / Σⱼ e^zⱼ, a probability distribution with the largest where the logit is
    /// largest.
    /// </summary>
    /// <remarks>
    /// <para>
    /// The largest logit m is subtracted before exponentiating, which leaves the result unchanged
    /// (e^(zᵢ − m) / Σⱼ e^(zⱼ − m) is the same fraction with e^−m cancelled) but makes every exponent at most 0:
    /// e^zᵢ itself overflows to ∞ for zᵢ &gt; 88.7 (giving ∞ / ∞ = NaN), while e^(zᵢ − m) lies in (0, 1] and
    /// the denominator is at least 1 (the largest logit's own term). When zᵢ − m overflows to −∞ (m near
    /// float.MaxValue, zᵢ near −float.MaxValue) the term is e^−∞ = 0, the float nearest the true value.
    /// <c>TensorPrimitives.SoftMax</c> does not subtract the maximum and returns NaN for [100, 200, 50].
    /// </para>
    /// <para>
    /// Logits of −∞ get probability 0, which masks them, as long as one logit is finite. If a logit is NaN or
    /// +∞, or every logit is −∞, every probability is NaN. <paramref name="probabilities"/> may be
    /// <paramref name="logits"/> itself.
    /// </para>
    /// </remarks>
    /// <param name="logits">The scores z, at least one.</param>
    /// <param name="probabilities">Receives softmax(z); the same length as <paramref name="logits"/>.</param>
    /// <exception cref="ArgumentException">The logits are empty, or the lengths differ, or the spans partly overlap.</exception>
    public static void Softmax(ReadOnlySpan<float> logits, Span<float> probabilities)
    {
        CheckDistributionArguments(logits, probabilities, nameof(logits), nameof(probabilities));
        SoftmaxCore(logits, probabilities, 1f);
    }

    /// <summary>
    /// Softmax in base b: probabilityᵢ = b^zᵢ / Σⱼ b^zⱼ, which equals the base-e softmax of z·ln b. The logits
    /// are read as logarithms in base b of unnormalized probabilities.
    /// </summary>
    /// <remarks>
    /// <para>
    /// A base above e sharpens the distribution toward the largest logit; a base between 1 and e flattens it;
    /// a base below 1 reverses the order (the smallest logit gets the largest probability). Softmax with
    /// temperature T is the base e^(1/T).
    /// </para>
    /// <para>
    /// Computed as e^((zᵢ − c)·ln b) / Σⱼ e^((zⱼ − c)·ln b), where c is the logit that maximizes z·ln b: the
    /// largest logit when b &gt; 1, the smallest when b &lt; 1. Subtracting before scaling keeps every exponent at
    /// most 0 (see <see cref="Softmax(ReadOnlySpan{float}, Span{float})"/>) and never forms z·ln b, which could
    /// overflow to ±∞ for huge logits and then give ∞ − ∞ = NaN; at worst (zᵢ − c)·ln b is −∞, whose
    /// exponential is 0.
    /// </para>
    /// </remarks>
    /// <param name="logits">The scores z, at least one.</param>
    /// <param name="probabilities">Receives softmax_b(z); the same length as <paramref name="logits"/>, or <paramref name="logits"/> itself.</param>
    /// <param name="logBase">The base b: finite, greater than 0 and not 1. 2 gives b^z = 2^z; <see cref="MathF.E"/> is the plain softmax.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="logBase"/> is not finite, not above 0, or 1.</exception>
    /// <exception cref="ArgumentException">The logits are empty, or the lengths differ, or the spans partly overlap.</exception>
    public static void Softmax(ReadOnlySpan<float> logits, Span<float> probabilities, float logBase)
    {
        FunctionGuards.LogarithmBase(logBase, nameof(logBase));
        CheckDistributionArguments(logits, probabilities, nameof(logits), nameof(probabilities));
        SoftmaxCore(logits, probabilities, (float)Math.Log(logBase));
    }

    /// <summary>
    /// Log-softmax: log probabilityᵢ = zᵢ − log Σⱼ e^zⱼ, computed stably as (zᵢ − m) − log Σⱼ e^(zⱼ − m) with
    /// m the largest logit.
    /// </summary>
    /// <remarks>
    /// This is accurate where log(softmax(z)) is not: a probability that underflows to 0 would give −∞, while
    /// its log is an ordinary number such as −120. Every result is at most 0. When zᵢ − m overflows (a gap
    /// beyond float.MaxValue) the result is −∞, the float nearest the true value. NaN or +∞ logits, or all −∞,
    /// give NaN everywhere. <paramref name="logProbabilities"/> may be <paramref name="logits"/> itself.
    /// </remarks>
    /// <param name="logits">The scores z, at least one.</param>
    /// <param name="logProbabilities">Receives log softmax(z); the same length as <paramref name="logits"/>.</param>
    /// <exception cref="ArgumentException">The logits are empty, or the lengths differ, or the spans partly overlap.</exception>
    public static void LogSoftmax(ReadOnlySpan<float> logits, Span<float> logProbabilities)
    {
        CheckDistributionArguments(logits, logProbabilities, nameof(logits), nameof(logProbabilities));
        float max = TensorPrimitives.Max(logits);
        if (!float.IsFinite(max))
        {
            logProbabilities.Fill(float.NaN);
            return;
        }

        // The sum is read-only over the logits, so the write pass below may run in place.
        float logSumExp = (float)Math.Log(FunctionKernels.SumOfExponentials(logits, max, 1f));
        FunctionKernels.SubtractTwice(logits, logProbabilities, max, logSumExp);
    }

    /// <summary>
    /// Hardmax: the one-hot vector of the argmax, 1 at the first index of the largest logit and 0 elsewhere
    /// (the limit of softmax as the base grows without bound, with ties broken toward the first index).
    /// </summary>
    /// <param name="logits">The scores, at least one.</param>
    /// <param name="oneHot">Receives the one-hot vector; the same length as <paramref name="logits"/>, or <paramref name="logits"/> itself.</param>
    /// <exception cref="ArgumentException">The logits are empty, or the lengths differ, or the spans partly overlap.</exception>
    public static void Hardmax(ReadOnlySpan<float> logits, Span<float> oneHot)
    {
        CheckDistributionArguments(logits, oneHot, nameof(logits), nameof(oneHot));
        int index = TensorPrimitives.IndexOfMax(logits);
        oneHot.Clear();
        oneHot[index] = 1f;
    }

    /// <summary>
    /// The index of the largest value; among equal largest values, the first.
    /// </summary>
    /// <remarks>
    /// As in <c>TensorPrimitives.IndexOfMax</c>, which this calls: a NaN counts as larger than any number (the
    /// first NaN's index is returned), and +0 counts as larger than −0.
    /// </remarks>
    /// <param name="values">The values, at least one.</param>
    /// <returns>The index of the first largest value.</returns>
    /// <exception cref="ArgumentException"><paramref name="values"/> is empty.</exception>
    public static int ArgMax(ReadOnlySpan<float> values)
    {
        FunctionGuards.NotEmpty(values.Length, nameof(values));
        return TensorPrimitives.IndexOfMax(values);
    }

    /// <summary>
    /// The backward pass of softmax: given p = softmax(z) and g = ∂L/∂p, writes ∂L/∂z = p ⊙ (g − p·g),
    /// the product of g with softmax's Jacobian diag(p) − ppᵀ.
    /// </summary>
    /// <remarks>
    /// When the loss is cross-entropy, <see cref="Losses.CrossEntropyGradient"/> gives ∂L/∂z = p − y directly,
    /// which is cheaper and more accurate. <paramref name="inputGradient"/> may be either input span itself.
    /// </remarks>
    /// <param name="probabilities">The softmax output p.</param>
    /// <param name="outputGradient">The gradient g of the loss with respect to p.</param>
    /// <param name="inputGradient">Receives the gradient with respect to the logits z.</param>
    /// <exception cref="ArgumentException">The lengths differ, or the output partly overlaps an input.</exception>
    public static void SoftmaxBackward(ReadOnlySpan<float> probabilities, ReadOnlySpan<float> outputGradient, Span<float> inputGradient)
    {
        CheckBackwardArguments(probabilities, outputGradient, inputGradient, nameof(probabilities));

        // (g − p·g) ⊙ p in one element-wise pass, after the dot product has read everything.
        float dot = TensorPrimitives.Dot(probabilities, outputGradient);
        TensorPrimitives.AddMultiply(outputGradient, -dot, probabilities, inputGradient);
    }

    /// <summary>
    /// The backward pass of log-softmax: given y = log softmax(z) (its output) and g = ∂L/∂y, writes
    /// ∂L/∂z = g − e^y·Σⱼ gⱼ, that is, g − p·Σg with p = softmax(z).
    /// </summary>
    /// <remarks>
    /// It takes the log-softmax output rather than the probabilities so that each backward pass takes its own
    /// forward pass's output, as <see cref="SoftmaxBackward"/> does; e^y is recomputed in the same pass.
    /// Entries of y that are −∞ (masked logits) contribute p = 0. <paramref name="inputGradient"/> may be
    /// either input span itself.
    /// </remarks>
    /// <param name="logProbabilities">The log-softmax output y.</param>
    /// <param name="outputGradient">The gradient g of the loss with respect to y.</param>
    /// <param name="inputGradient">Receives the gradient with respect to the logits z.</param>
    /// <exception cref="ArgumentException">The lengths differ, or the output partly overlaps an input.</exception>
    public static void LogSoftmaxBackward(ReadOnlySpan<float> logProbabilities, ReadOnlySpan<float> outputGradient, Span<float> inputGradient)
    {
        CheckBackwardArguments(logProbabilities, outputGradient, inputGradient, nameof(logProbabilities));
        float sum = TensorPrimitives.Sum(outputGradient);
        FunctionKernels.SubtractScaledExponentials(logProbabilities, outputGradient, inputGradient, sum);
    }

    /// <summary>The logistic sigmoid σ(x) = 1 / (1 + e^−x), in (0, 1); never overflows (see the remarks of the span overload).</summary>
    /// <param name="x">The input.</param>
    /// <returns>σ(x).</returns>
    public static float Sigmoid(float x) => ScalarFunctions.Sigmoid(x);

    /// <summary>The logistic sigmoid σ(x) = 1 / (1 + e^−x) of each element.</summary>
    /// <remarks>
    /// The same code as the models' sigmoid layers (from e^−|x|, which never overflows: 1 / (1 + e^−|x|) for x ≥ 0,
    /// e^x / (1 + e^x) below), with a relative error the tests hold below 3·10⁻⁷ at every vector width; ±10³⁰ and
    /// ±float.MaxValue give exactly 1 and 0, never NaN, and NaN stays NaN. Below x ≈ −87 the true value is a
    /// subnormal float and the result is 0. <paramref name="destination"/> may be <paramref name="source"/> itself.
    /// </remarks>
    /// <param name="source">The inputs.</param>
    /// <param name="destination">Receives σ of each input; the same length as <paramref name="source"/>.</param>
    /// <exception cref="ArgumentException">The lengths differ, or the spans partly overlap.</exception>
    public static void Sigmoid(ReadOnlySpan<float> source, Span<float> destination)
    {
        CheckElementwiseArguments(source, destination);
        FunctionKernels.Map<ActivationOperator<SigmoidFunction>>(source, destination, 0f);
    }

    /// <summary>
    /// The derivative of the sigmoid with respect to its input: σ′(x) = σ(x)(1 − σ(x)), computed as
    /// e^−|x| / (1 + e^−|x|)², which stays accurate where σ(x) rounds to 1.
    /// </summary>
    /// <param name="x">The input x (not σ(x)).</param>
    /// <returns>σ′(x), in (0, 1/4].</returns>
    public static float SigmoidDerivative(float x)
    {
        float e = MathF.Exp(-MathF.Abs(x));
        float onePlus = 1f + e;
        return e / (onePlus * onePlus);
    }

    /// <summary>
    /// The derivative of the sigmoid with respect to its input, σ′(x) = σ(x)(1 − σ(x)), of each element.
    /// </summary>
    /// <remarks>
    /// The product form loses every digit once σ(x) rounds to 1 (x above about 17, where it gives 0 for
    /// e^−x); this computes e^−|x| / (1 + e^−|x|)², a quotient of accurate positive terms.
    /// <paramref name="destination"/> may be <paramref name="source"/> itself.
    /// </remarks>
    /// <param name="source">The inputs x (not σ(x)).</param>
    /// <param name="destination">Receives σ′ of each input; the same length as <paramref name="source"/>.</param>
    /// <exception cref="ArgumentException">The lengths differ, or the spans partly overlap.</exception>
    public static void SigmoidDerivative(ReadOnlySpan<float> source, Span<float> destination)
    {
        CheckElementwiseArguments(source, destination);
        FunctionKernels.Map<LogisticDerivativeOperator<SigmoidScale>>(source, destination, 0f);
    }

    /// <summary>The hyperbolic tangent, tanh x = (e^x − e^−x) / (e^x + e^−x), in [−1, 1].</summary>
    /// <param name="x">The input.</param>
    /// <returns>tanh x.</returns>
    public static float Tanh(float x) => MathF.Tanh(x);

    /// <summary>The hyperbolic tangent of each element.</summary>
    /// <remarks>
    /// The same code as the models' tanh layers: Cephes' method (an odd polynomial below |x| = 0.625,
    /// 1 − 2 / (e^(2|x|) + 1) above), with a relative error the tests hold below 3·10⁻⁷ everywhere, tanh 0 = 0 and
    /// tanh(−x) = −tanh x exactly.
    /// <c>TensorPrimitives.Tanh</c> is not used: in System.Numerics.Tensors 10.0 its vector path returns
    /// −6·10⁻⁸ for tanh 0 and loses three digits near 0. <paramref name="destination"/> may be
    /// <paramref name="source"/> itself.
    /// </remarks>
    /// <param name="source">The inputs.</param>
    /// <param name="destination">Receives tanh of each input; the same length as <paramref name="source"/>.</param>
    /// <exception cref="ArgumentException">The lengths differ, or the spans partly overlap.</exception>
    public static void Tanh(ReadOnlySpan<float> source, Span<float> destination)
    {
        CheckElementwiseArguments(source, destination);
        FunctionKernels.Map<ActivationOperator<TanhFunction>>(source, destination, 0f);
    }

    /// <summary>
    /// The derivative of tanh with respect to its input: 1 − tanh²x, computed as 4e^(−2|x|) / (1 + e^(−2|x|))²,
    /// which stays accurate where tanh x rounds to ±1.
    /// </summary>
    /// <param name="x">The input x (not tanh x).</param>
    /// <returns>1 − tanh²x, in (0, 1].</returns>
    public static float TanhDerivative(float x)
    {
        float e = MathF.Exp(-2f * MathF.Abs(x));
        float onePlus = 1f + e;
        return 4f * e / (onePlus * onePlus);
    }

    /// <summary>The derivative of tanh with respect to its input, 1 − tanh²x, of each element.</summary>
    /// <remarks>
    /// Computed as 4e^(−2|x|) / (1 + e^(−2|x|))² (1 − tanh²x is 0 once tanh x rounds to ±1, at |x| above
    /// about 9). <paramref name="destination"/> may be <paramref name="source"/> itself.
    /// </remarks>
    /// <param name="source">The inputs x (not tanh x).</param>
    /// <param name="destination">Receives tanh′ of each input; the same length as <paramref name="source"/>.</param>
    /// <exception cref="ArgumentException">The lengths differ, or the spans partly overlap.</exception>
    public static void TanhDerivative(ReadOnlySpan<float> source, Span<float> destination)
    {
        CheckElementwiseArguments(source, destination);
        FunctionKernels.Map<LogisticDerivativeOperator<TanhScale>>(source, destination, 0f);
    }

    /// <summary>The rectified linear unit, max(x, 0). NaN stays NaN.</summary>
    /// <param name="x">The input.</param>
    /// <returns>x if it is positive, else 0.</returns>
    public static float Relu(float x) => MathF.Max(x, 0f);

    /// <summary>The rectified linear unit, max(x, 0), of each element. NaN stays NaN.</summary>
    /// <param name="source">The inputs.</param>
    /// <param name="destination">Receives max(x, 0) of each input; the same length as <paramref name="source"/>, or <paramref name="source"/> itself.</param>
    /// <exception cref="ArgumentException">The lengths differ, or the spans partly overlap.</exception>
    public static void Relu(ReadOnlySpan<float> source, Span<float> destination)
    {
        CheckElementwiseArguments(source, destination);
        FunctionKernels.Map<ActivationOperator<ReluFunction>>(source, destination, 0f);
    }

    /// <summary>
    /// The derivative of ReLU with respect to its input: 1 for x &gt; 0, else 0. At x = 0, where ReLU has no
    /// derivative, it is 0 (the subgradient PyTorch and TensorFlow use: a unit exactly at 0 passes no gradient).
    /// </summary>
    /// <param name="x">The input.</param>
    /// <returns>1 or 0.</returns>
    public static float ReluDerivative(float x) => x > 0f ? 1f : 0f;

    /// <summary>The derivative of ReLU of each element: 1 for x &gt; 0, else 0 (0 at x = 0, and for NaN).</summary>
    /// <param name="source">The inputs x.</param>
    /// <param name="destination">Receives the derivatives; the same length as <paramref name="source"/>, or <paramref name="source"/> itself.</param>
    /// <exception cref="ArgumentException">The lengths differ, or the spans partly overlap.</exception>
    public static void ReluDerivative(ReadOnlySpan<float> source, Span<float> destination)
    {
        CheckElementwiseArguments(source, destination);
        FunctionKernels.Map<LeakyReluDerivativeOperator>(source, destination, 0f);
    }

    /// <summary>The leaky rectified linear unit: x for x &gt; 0, else s·x.</summary>
    /// <param name="x">The input.</param>
    /// <param name="slope">The slope s for inputs at or below 0, typically 0.01.</param>
    /// <returns>x or s·x.</returns>
    public static float LeakyRelu(float x, float slope) => x > 0f ? x : slope * x;

    /// <summary>The leaky rectified linear unit of each element: x for x &gt; 0, else s·x.</summary>
    /// <param name="source">The inputs.</param>
    /// <param name="destination">Receives the outputs; the same length as <paramref name="source"/>, or <paramref name="source"/> itself.</param>
    /// <param name="slope">The slope s for inputs at or below 0, typically 0.01.</param>
    /// <exception cref="ArgumentException">The lengths differ, or the spans partly overlap.</exception>
    public static void LeakyRelu(ReadOnlySpan<float> source, Span<float> destination, float slope)
    {
        CheckElementwiseArguments(source, destination);
        FunctionKernels.Map<ActivationOperator<LeakyReluFunction>>(source, destination, slope);
    }

    /// <summary>
    /// The derivative of leaky ReLU with respect to its input: 1 for x &gt; 0, else s (s at x = 0, matching
    /// <see cref="ReluDerivative(float)"/> when s = 0).
    /// </summary>
    /// <param name="x">The input x.</param>
    /// <param name="slope">The slope s for inputs at or below 0.</param>
    /// <returns>1 or s.</returns>
    public static float LeakyReluDerivative(float x, float slope) => x > 0f ? 1f : slope;

    /// <summary>The derivative of leaky ReLU of each element: 1 for x &gt; 0, else s (s at x = 0, and for NaN).</summary>
    /// <param name="source">The inputs x.</param>
    /// <param name="destination">Receives the derivatives; the same length as <paramref name="source"/>, or <paramref name="source"/> itself.</param>
    /// <param name="slope">The slope s for inputs at or below 0.</param>
    /// <exception cref="ArgumentException">The lengths differ, or the spans partly overlap.</exception>
    public static void LeakyReluDerivative(ReadOnlySpan<float> source, Span<float> destination, float slope)
    {
        CheckElementwiseArguments(source, destination);
        FunctionKernels.Map<LeakyReluDerivativeOperator>(source, destination, slope);
    }

    /// <summary>
    /// softmax in place of the exponent scale s = ln b: e^((zᵢ − c)·s) / Σ, with c the logit maximizing z·s.
    /// </summary>
    internal static void SoftmaxCore(ReadOnlySpan<float> logits, Span<float> probabilities, float scale)
    {
        // The pivot maximizes z·s: the largest logit when s > 0, the smallest when s < 0. Max and Min
        // propagate NaN, so a NaN logit leads here to a non-finite pivot.
        float pivot = scale > 0f ? TensorPrimitives.Max(logits) : TensorPrimitives.Min(logits);
        if (!float.IsFinite(pivot))
        {
            probabilities.Fill(float.NaN);
            return;
        }

        // The pivot's own term is e^0 = 1 exactly, so the sum is at least 1.
        double sum = FunctionKernels.Exponentials(logits, probabilities, pivot, scale);
        TensorPrimitives.Multiply(probabilities, (float)(1.0 / sum), probabilities);
    }

    private static void CheckDistributionArguments(ReadOnlySpan<float> source, ReadOnlySpan<float> destination, string sourceName, string destinationName)
    {
        FunctionGuards.NotEmpty(source.Length, sourceName);
        FunctionGuards.SameLength(source.Length, sourceName, destination.Length, destinationName);
        FunctionGuards.NoPartialOverlap(source, sourceName, destination, destinationName);
    }

    private static void CheckElementwiseArguments(ReadOnlySpan<float> source, ReadOnlySpan<float> destination)
    {
        FunctionGuards.SameLength(source.Length, nameof(source), destination.Length, nameof(destination));
        FunctionGuards.NoPartialOverlap(source, nameof(source), destination, nameof(destination));
    }

    private static void CheckBackwardArguments(ReadOnlySpan<float> output, ReadOnlySpan<float> outputGradient, ReadOnlySpan<float> inputGradient, string outputName)
    {
        FunctionGuards.SameLength(output.Length, outputName, outputGradient.Length, nameof(outputGradient));
        FunctionGuards.SameLength(output.Length, outputName, inputGradient.Length, nameof(inputGradient));
        FunctionGuards.NoPartialOverlap(output, outputName, inputGradient, nameof(inputGradient));
        FunctionGuards.NoPartialOverlap(outputGradient, nameof(outputGradient), inputGradient, nameof(inputGradient));
    }
}
