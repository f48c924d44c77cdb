using System.Runtime.CompilerServices;
using Native.Numerics.Streaming;

namespace Native.Numerics;

/// <summary>
/// A regression's targets standardized for training, and the standardization folded back into the trained model: each
/// target t trains as (y − μₜ)/σₜ, with μₜ and σₜ the training rows' mean and standard deviation; after training,
/// <see cref="Fold"/> multiplies row t of the last layer's weights by σₜ and makes its bias σₜ·b + μₜ, so the model predicts
/// in the targets' own units with nothing added to it or to its file.
/// </summary>
/// <remarks>
/// <para>
/// Targets in the hundreds (scikit-learn's diabetes set: 25 to 346) give a perceptron's output layer gradients of the same
/// size: gradient descent at an ordinary learning rate diverges in its first epoch, and at a rate small enough not to, it
/// learns the targets' offset before anything else. Standardized, the targets are on the scale standardized features are.
/// A linear regression needs none of this — its loss's curvature does not depend on the targets' scale — but is not harmed.
/// </para>
/// <para>
/// The arithmetic: means and deviations in double (Welford's running update, one pass), rounded to float once; a target is transformed as (y − μ) / σ in float.
/// A constant target (σ = 0) is divided by 1. The mean squared error on standardized targets is σ² times the error in the
/// targets' units, for one target.
/// </para>
/// </remarks>
public sealed class TargetStandardizer
{
    private readonly float[] _means;
    private readonly float[] _deviations;

    private TargetStandardizer(float[] means, float[] deviations)
    {
        _means = means;
        _deviations = deviations;
    }

    /// <summary>The number of targets a row.</summary>
    public int Targets => _means.Length;

    /// <summary>Each target's mean on the rows it was fitted on.</summary>
    public ReadOnlySpan<float> Means => _means;

    /// <summary>Each target's standard deviation on the rows it was fitted on (1 for a constant target): its divisor.</summary>
    public ReadOnlySpan<float> StandardDeviations => _deviations;

    /// <summary>Each target's mean and standard deviation over the rows of <paramref name="data"/>, a regression dataset.</summary>
    /// <exception cref="ArgumentException">The dataset holds class labels, not targets, or no rows.</exception>
    public static TargetStandardizer Fit(Dataset data)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (data.HasLabels || data.TargetCount == 0 || data.Count == 0)
        {
            throw new ArgumentException(data.HasLabels ? "The dataset holds class labels; only a regression's targets are standardized." : "The dataset holds no rows.", nameof(data));
        }

        var statistics = new Statistics(data.TargetCount);
        statistics.Add(data.Targets);
        return statistics.ToStandardizer();
    }

    /// <summary>The mean and standard deviation of the targets of <paramref name="rows"/> (one a row), in a pass over them.</summary>
    /// <exception cref="ArgumentException">The rows hold class labels, not targets, or there are none.</exception>
    public static TargetStandardizer Fit(RowSource rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        if (rows.HasLabels || rows.Count == 0)
        {
            throw new ArgumentException(rows.HasLabels ? "The rows hold class labels; only a regression's targets are standardized." : "The row source holds no rows.", nameof(rows));
        }

        const int Block = 1024;
        var statistics = new Statistics(1);
        float[] features = new float[Block * rows.Features], targets = new float[Block];
        int[] ids = new int[Block];
        using RowReader reader = rows.ReadRows();
        for (int read; (read = reader.Read(features, rows.Features, Block, ids, targets)) > 0;)
        {
            statistics.Add(targets.AsSpan(0, read));
        }

        return statistics.ToStandardizer();
    }

    /// <summary>A new dataset, sharing the rows of <paramref name="data"/>, whose targets are standardized.</summary>
    /// <exception cref="ArgumentException">The dataset's target count is not <see cref="Targets"/>.</exception>
    public Dataset Transform(Dataset data)
    {
        ArgumentNullException.ThrowIfNull(data);
        CheckTargets(data.HasLabels ? 0 : data.TargetCount, nameof(data));
        float[] scaled = data.Targets.ToArray();
        for (int k = 0; k < scaled.Length; k++)
        {
            scaled[k] = Transform(scaled[k], k % Targets);
        }

        return data.WithTargets(scaled);
    }

    /// <summary>A view of <paramref name="rows"/> whose targets are standardized as they are read; the rows are not copied. Dispose it as any row source.</summary>
    /// <exception cref="ArgumentException">The rows hold class labels, or this standardizer has more than one target (a row source's rows have one).</exception>
    public RowSource Transform(RowSource rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        CheckTargets(rows.HasLabels ? 0 : 1, nameof(rows));
        return rows.WithTargetStandardizer(this);
    }

    /// <summary>
    /// Folds the standardization into <paramref name="model"/>, trained on standardized targets: its last dense layer, whose
    /// weights (outputs × inputs, row-major) and biases end its parameters, then predicts the targets in their own units.
    /// Call it once, after training.
    /// </summary>
    /// <exception cref="ArgumentException">The model is not a regression of <see cref="Targets"/> outputs.</exception>
    public void Fold(IModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        ModelShape shape = model.Shape;
        if (shape.Task != ModelTask.Regression || shape.Outputs != Targets)
        {
            throw new ArgumentException($"The model {shape} is not a regression of {Targets} output{(Targets == 1 ? string.Empty : "s")}; the targets' standardization folds only into one.", nameof(model));
        }

        int outputs = shape.Outputs, inputs = shape.LayerSizes[^2];
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

    /// <summary>Target <paramref name="target"/>'s value <paramref name="y"/>, standardized: (y − μ) / σ.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal float Transform(float y, int target) => (y - _means[target]) / _deviations[target];

    private void CheckTargets(int targets, string name)
    {
        if (targets != Targets)
        {
            throw new ArgumentException(targets == 0
                ? "The rows hold class labels; only a regression's targets are standardized."
                : $"The rows have {targets} target{(targets == 1 ? string.Empty : "s")} a row; this standardizer was fitted on {Targets}.", name);
        }
    }

    /// <summary>Each target's running mean and sum of squared deviations in double (Welford's update): one pass, memory of a few numbers per target.</summary>
    private sealed class Statistics(int targets)
    {
        private readonly double[] _means = new double[targets];
        private readonly double[] _squares = new double[targets];
        private long _rows;

        public void Add(ReadOnlySpan<float> values)
        {
            for (int i = 0; i + targets <= values.Length; i += targets)
            {
                _rows++;
                for (int t = 0; t < targets; t++)
                {
                    double y = values[i + t], delta = y - _means[t];
                    _means[t] += delta / _rows;
                    _squares[t] += delta * (y - _means[t]);
                }
            }
        }

        public TargetStandardizer ToStandardizer()
        {
            float[] means = new float[targets], deviations = new float[targets];
            for (int t = 0; t < targets; t++)
            {
                float deviation = (float)Math.Sqrt(_squares[t] / _rows);
                means[t] = (float)_means[t];
                deviations[t] = deviation > 0 && float.IsFinite(deviation) ? deviation : 1f;
            }

            return new TargetStandardizer(means, deviations);
        }
    }
}
