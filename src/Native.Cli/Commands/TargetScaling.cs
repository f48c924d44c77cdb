using Native.Numerics;

namespace Native.Cli.Commands;

/// <summary>
/// A perceptron regressor's targets standardized for training and folded back into its last layer after: each target t
/// trains as (y − μₜ)/σₜ, with μₜ and σₜ the training rows' mean and standard deviation, and the trained last layer's
/// row t of weights is multiplied by σₜ and its bias becomes σₜ·b + μₜ — so the saved model predicts in the target's own
/// units, with nothing added to the model or its file.
/// </summary>
/// <remarks>
/// Targets in the hundreds (scikit-learn's diabetes set: 25 to 346) give a perceptron's output layer gradients of the same
/// size: gradient descent at the default learning rate diverges in its first epoch, and at a rate small enough not to it
/// learns the targets' offset before anything else. Standardized, the targets are on the scale the features are. A linear
/// regression needs none of this (its loss's curvature does not depend on the targets' scale), so it trains on them as
/// they are.
/// </remarks>
internal sealed class TargetScaling
{
    private readonly float[] _means;
    private readonly float[] _deviations;

    private TargetScaling(float[] means, float[] deviations)
    {
        _means = means;
        _deviations = deviations;
    }

    /// <summary>The number of targets a row.</summary>
    public int Targets => _means.Length;

    /// <summary>
    /// The factor that turns the training loss (a mean squared error on standardized targets) into the mean squared error
    /// in the target's units, σ², for one target; null for several (each has its own σ, and the loss is their mean).
    /// </summary>
    public float? LossFactor => _deviations.Length == 1 ? _deviations[0] * _deviations[0] : null;

    /// <summary>Each target's mean and standard deviation on <paramref name="training"/>'s rows (weighted as training weighs them); a constant target is divided by 1.</summary>
    public static TargetScaling Fit(Dataset training)
    {
        int targets = training.TargetCount, count = training.Count;
        ReadOnlySpan<float> values = training.Targets;
        ReadOnlySpan<float> weights = training.SampleWeights;
        float[] means = new float[targets], deviations = new float[targets];
        for (int t = 0; t < targets; t++)
        {
            double sum = 0, total = 0;
            for (int i = 0; i < count; i++)
            {
                double w = weights.IsEmpty ? 1 : weights[i];
                sum += w * values[(i * targets) + t];
                total += w;
            }

            double mean = total > 0 ? sum / total : 0, squares = 0;
            for (int i = 0; i < count; i++)
            {
                double w = weights.IsEmpty ? 1 : weights[i], d = values[(i * targets) + t] - mean;
                squares += w * d * d;
            }

            double deviation = total > 0 ? Math.Sqrt(squares / total) : 0;
            means[t] = (float)mean;
            deviations[t] = deviation > 0 && double.IsFinite(deviation) && (float)deviation > 0 ? (float)deviation : 1f;
        }

        return new TargetScaling(means, deviations);
    }

    /// <summary><paramref name="data"/>, sharing its rows, with its targets standardized.</summary>
    public Dataset Transform(Dataset data)
    {
        int targets = Targets;
        float[] scaled = data.Targets.ToArray();
        for (int k = 0; k < scaled.Length; k++)
        {
            int t = k % targets;
            scaled[k] = (scaled[k] - _means[t]) / _deviations[t];
        }

        return data.WithTargets(scaled);
    }

    /// <summary>
    /// Folds the scaling into <paramref name="model"/>'s last dense layer, whose weights (outputs × inputs, row-major) and
    /// biases end its parameters: afterwards the model predicts the targets in their own units.
    /// </summary>
    public void Fold(IModel model)
    {
        int outputs = model.Shape.Outputs;
        IReadOnlyList<int> sizes = model.Shape.LayerSizes;
        int inputs = sizes[^2];
        Span<float> parameters = model.Parameters;
        Span<float> weights = parameters.Slice(parameters.Length - (outputs * (inputs + 1)), outputs * inputs);
        Span<float> biases = parameters[^outputs..];
        for (int o = 0; o < outputs; o++)
        {
            float deviation = _deviations[o];
            foreach (ref float w in weights.Slice(o * inputs, inputs))
            {
                w *= deviation;
            }

            biases[o] = (biases[o] * deviation) + _means[o];
        }
    }
}
