using System;
using System.Globalization;

namespace Native.Numerics.Serialization;

/// <summary>
/// Whether a model's parameters (and its standardizer) can give finite outputs at all: the check that makes
/// <c>ModelFile</c> (and the source generator, which compiles this file too) refuse a file whose weights of 10³⁸, or a standard deviation of 10⁻⁴⁵, would
/// overflow on any input.
/// </summary>
/// <remarks>
/// <para>
/// The reference inputs are those with every feature within ±1 of its mean (with a standardizer; otherwise
/// within ±1), a range any model trained on real data must handle. For them, a bound on every unit's value
/// is carried layer by layer in double: |z_i| ≤ Σ_j |W_ij|·B_j + |b_i|, where B_j bounds input j; ReLU and
/// leaky ReLU keep the bound (times the slope, if it exceeds 1), sigmoid and tanh cap it at 1. A bound beyond the float range means some such
/// input may overflow, and the model is refused. The bound is an upper bound, so a model it passes is not
/// thereby proven safe for every input (that is what the per-row policy, <c>PredictionPolicy</c>, is
/// for); but a model it refuses has weights no training on data of this scale produces.
/// </para>
/// <para>The cost is one pass over the parameters, at load and save.</para>
/// </remarks>
internal static class OutputBounds
{
    /// <summary>
    /// Null when the model can give finite outputs on the reference inputs; otherwise why not, in words. The model is
    /// <paramref name="layerSizes"/> with one activation per hidden layer, its parameters each layer's W (outputs ×
    /// inputs, row-major) then b, as <see cref="ParameterLayout"/> lays them out, and <paramref name="deviations"/> its standardizer's divisors, or null for none.
    /// </summary>
    public static string? Problem(int[] layerSizes, Activation[] activations, float leakyReluSlope, ReadOnlySpan<float> parameters, float[]? deviations)
    {
        int features = layerSizes[0];
        double[] bounds = new double[features];
        for (int j = 0; j < features; j++)
        {
            // With a standardizer the model sees (x − mean) / deviation: an input 1 from its mean becomes 1 / deviation.
            bounds[j] = deviations is null ? 1.0 : 1.0 / deviations[j];
            if (bounds[j] > float.MaxValue)
            {
                return Invariant($"the standardizer's deviation for feature {j} is {deviations![j]}: an input 1 from its mean would standardize to {bounds[j]:G3}, beyond the float range (±3.4E+38)");
            }
        }

        var layout = new ParameterLayout(layerSizes);
        int layers = layout.LayerCount;
        for (int l = 0; l < layers; l++)
        {
            int inputs = layout.LayerInputs(l), outputs = layout.LayerOutputs(l);
            ReadOnlySpan<float> weights = parameters.Slice(layout.WeightOffset(l), layout.WeightCount(l));
            ReadOnlySpan<float> biases = parameters.Slice(layout.BiasOffset(l), outputs);
            double[] next = new double[outputs];
            bool hidden = l < layers - 1;
            for (int i = 0; i < outputs; i++)
            {
                ReadOnlySpan<float> row = weights.Slice(i * inputs, inputs);
                double bound = Math.Abs((double)biases[i]);
                for (int j = 0; j < inputs; j++)
                {
                    bound += Math.Abs((double)row[j]) * bounds[j];
                }

                if (bound > float.MaxValue)
                {
                    string inputsAre = l > 0 ? "" : deviations is null ? " with every feature within ±1" : " with every feature within ±1 of its mean";
                    return Invariant($"unit {i} of layer {l} can reach {bound:G3}{inputsAre}, beyond the float range (±3.4E+38): the weights cannot give finite outputs");
                }

                next[i] = !hidden ? bound : activations[l] switch
                {
                    Activation.Sigmoid or Activation.Tanh => Math.Min(bound, 1.0),
                    Activation.LeakyRelu => bound * Math.Max(1.0, Math.Abs((double)leakyReluSlope)),
                    _ => bound,
                };
            }

            bounds = next;
        }

        return null;
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
