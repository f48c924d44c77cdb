namespace Native.Numerics;

/// <summary>
/// Weights per class, multiplying each row's loss: to make rare classes count as much as common ones.
/// </summary>
public sealed class ClassWeights
{
    private readonly float[]? _weights;

    private ClassWeights(float[]? weights) => _weights = weights;

    /// <summary>
    /// Weights n / (k · count of the class), from the training data (n rows, k classes), as scikit-learn's
    /// <c>class_weight="balanced"</c>: every class then carries the same total weight. A class with no
    /// rows gets weight 0 (it has nothing to weigh).
    /// </summary>
    public static ClassWeights Balanced { get; } = new(null);

    /// <summary>Whether the weights come from the data (<see cref="Balanced"/>).</summary>
    public bool IsBalanced => _weights is null;

    /// <summary>Explicit weights, one per class, each finite and not negative.</summary>
    public static ClassWeights From(ReadOnlySpan<float> weights)
    {
        if (weights.IsEmpty)
        {
            throw new ArgumentException("Give one weight per class.", nameof(weights));
        }

        for (int c = 0; c < weights.Length; c++)
        {
            if (!(weights[c] >= 0f) || float.IsPositiveInfinity(weights[c]))
            {
                throw new ArgumentOutOfRangeException(nameof(weights), weights[c], $"The weight of class {c} must be finite and not negative.");
            }
        }

        return new ClassWeights(weights.ToArray());
    }

    /// <summary>The weight of each class for <paramref name="data"/>.</summary>
    /// <exception cref="ArgumentException">The dataset has no labels, or explicit weights do not cover its classes.</exception>
    public float[] For(Dataset data)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (!data.HasLabels)
        {
            throw new ArgumentException("Class weights need a dataset with class labels.", nameof(data));
        }

        if (_weights is not null)
        {
            if (_weights.Length != data.Classes)
            {
                throw new ArgumentException($"There are {_weights.Length} class weights but the dataset has {data.Classes} classes.", nameof(data));
            }

            return (float[])_weights.Clone();
        }

        long[] counts = new long[data.Classes];
        foreach (int label in data.Labels)
        {
            counts[label]++;
        }

        return BalancedWeights(counts, data.Count);
    }

    /// <summary>The weight of each class for <paramref name="rows"/> (balanced weights from its rows per class).</summary>
    /// <exception cref="ArgumentException">The rows have no class labels, or explicit weights do not cover their classes.</exception>
    public float[] For(RowSource rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        if (!rows.HasLabels)
        {
            throw new ArgumentException("Class weights need rows with class labels.", nameof(rows));
        }

        if (_weights is not null)
        {
            return _weights.Length == rows.Classes
                ? (float[])_weights.Clone()
                : throw new ArgumentException($"There are {_weights.Length} class weights but the rows have {rows.Classes} classes.", nameof(rows));
        }

        return BalancedWeights(rows.ClassCountsOfView(), rows.Count);
    }

    // n / (k · count), or 0 for a class with no rows.
    private static float[] BalancedWeights(long[] counts, long rows)
    {
        float[] weights = new float[counts.Length];
        for (int c = 0; c < weights.Length; c++)
        {
            weights[c] = counts[c] == 0 ? 0f : (float)(rows / ((double)counts.Length * counts[c]));
        }

        return weights;
    }
}
