using System.Globalization;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Native.Numerics;

/// <summary>
/// The prediction policy every model follows, run-time-shaped or generated: a row whose last-layer values
/// (the logits, or a regression's value) are not all finite never yields a confident answer.
/// </summary>
/// <remarks>
/// <para>
/// A row's last-layer values stop being finite when a feature is NaN or infinite, or when finite features
/// are so large that the arithmetic overflows (3·10³⁸ in every pixel, say). Such a row gets NaN in every
/// output of <see cref="IModel.Forward"/>, <see cref="IModel.ForwardBatch"/> and the probabilities, and
/// <c>Predict</c> — which returns a class or a value, where NaN cannot hide — throws an
/// <see cref="ArgumentException"/> naming the feature: the first that is not finite, or else the largest.
/// Finite logits, however large, give exact probabilities: softmax subtracts the largest logit first.
/// </para>
/// <para>
/// The check is one pass over a row's few last-layer values, on the path every prediction takes; naming
/// the feature scans the row, and happens only when the check fails. Generated and run-time-shaped models run
/// on the same runtime, so the policy is one piece of code; its functions are public for callers that check
/// outputs themselves (the <c>native predict</c> command names the line and column of a row it cannot answer).
/// </para>
/// </remarks>
public static class PredictionPolicy
{
    /// <summary>Whether every value is finite (neither NaN nor infinite). Allocates nothing.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool IsFinite(ReadOnlySpan<float> values)
    {
        // x − x is 0 for a finite x and NaN for NaN and ±∞; a sum of such terms is 0 exactly when all are finite.
        ref float origin = ref MemoryMarshal.GetReference(values);
        nint length = values.Length, k = 0;
        if (Vector256.IsHardwareAccelerated && length >= Vector256<float>.Count)
        {
            Vector256<float> sum = Vector256<float>.Zero;
            for (; k <= length - Vector256<float>.Count; k += Vector256<float>.Count)
            {
                Vector256<float> x = Vector256.LoadUnsafe(ref origin, (nuint)k);
                sum += x - x;
            }

            if (sum != Vector256<float>.Zero)
            {
                return false;
            }
        }

        float rest = 0f;
        for (; k < length; k++)
        {
            float x = Unsafe.Add(ref origin, k);
            rest += x - x;
        }

        return rest == 0f;
    }

    /// <summary>
    /// The feature to blame when <paramref name="features"/> gives no finite prediction: the first that is NaN or
    /// infinite; if all are finite (the arithmetic overflowed), the one of largest magnitude; -1 for an empty row.
    /// </summary>
    public static int OffendingFeature(ReadOnlySpan<float> features)
    {
        int largest = -1;
        for (int j = 0; j < features.Length; j++)
        {
            if (!float.IsFinite(features[j]))
            {
                return j;
            }

            if (largest < 0 || Math.Abs(features[j]) > Math.Abs(features[largest]))
            {
                largest = j;
            }
        }

        return largest;
    }

    /// <summary>
    /// Why <paramref name="features"/> gives no finite prediction, in words naming the feature: "feature 3 is
    /// NaN", or "the model's outputs overflow the float range for this row; its largest feature, 12, is 3E+38".
    /// </summary>
    public static string Reason(ReadOnlySpan<float> features)
    {
        int j = OffendingFeature(features);
        if (j < 0)
        {
            return "the row has no features";
        }

        string value = features[j].ToString(CultureInfo.InvariantCulture);
        return float.IsFinite(features[j])
            ? string.Create(CultureInfo.InvariantCulture, $"the model's outputs overflow the float range for this row; its largest feature, {j}, is {value}")
            : string.Create(CultureInfo.InvariantCulture, $"feature {j} is {value}; a prediction needs finite features");
    }

    /// <summary>
    /// The exception <c>Predict</c> throws for a row whose last-layer values are not finite: one line naming the
    /// row (when <paramref name="row"/> is not negative) and the feature — or, when the model's own
    /// <paramref name="parameters"/> are not all finite, saying so: then no row has a prediction, and no feature is to blame.
    /// </summary>
    internal static Exception Unpredictable(ReadOnlySpan<float> features, ReadOnlySpan<float> parameters, int row = -1, string parameterName = "row")
    {
        int bad = parameters.IndexOfAnyExceptInRange(float.MinValue, float.MaxValue);
        if (bad >= 0 && features.IndexOfAnyExceptInRange(float.MinValue, float.MaxValue) < 0)
        {
            // The model is broken, not the row: a state to report as such (the caller's parameters, set or trained to NaN).
            return new InvalidOperationException(string.Create(CultureInfo.InvariantCulture, $"The model's parameters are not all finite (parameter {bad} of {parameters.Length} is {parameters[bad]}), so it has no prediction for any row; set finite parameters, or train it again (training never leaves them NaN)."));
        }

        string where = row >= 0 ? string.Create(CultureInfo.InvariantCulture, $"Row {row}: ") : string.Empty;
        string reason = Reason(features);
        return new ArgumentException($"{where}{char.ToUpperInvariant(reason[0])}{reason[1..]}; no prediction is made.", parameterName);
    }
}
