namespace Native.Numerics;

/// <summary>The weight each training row carries: its sample weight times its class's weight.</summary>
internal static class RowWeights
{
    /// <summary>
    /// Each row's weight, its sample weight times its class's weight, indexed by stored row (as batches read them: for a
    /// view, its rows' places in the shared storage); null when every row weighs 1.
    /// </summary>
    /// <exception cref="ArgumentException">Every row weighs 0.</exception>
    public static float[]? For(Dataset data, ClassWeights? classWeights)
    {
        float[]? perClass = classWeights?.For(data);
        if (perClass is null && data.SampleWeights.IsEmpty)
        {
            return null;
        }

        float[] weights = data.SampleWeights.IsEmpty ? new float[data.Count] : data.SampleWeights.ToArray();
        if (data.SampleWeights.IsEmpty)
        {
            weights.AsSpan().Fill(1f);
        }

        if (perClass is not null)
        {
            ReadOnlySpan<int> labels = data.Labels;
            for (int i = 0; i < weights.Length; i++)
            {
                weights[i] *= perClass[labels[i]];
            }
        }

        if (Total(weights) <= 0)
        {
            throw new ArgumentException("Every training row has weight 0: there is nothing to learn from.", nameof(data));
        }

        ReadOnlySpan<int> stored = data.StoredRows;
        if (stored.IsEmpty)
        {
            return weights;
        }

        // A view's batches name stored rows: its weights go where those rows are.
        float[] byStoredRow = new float[data.StoredCount];
        for (int i = 0; i < stored.Length; i++)
        {
            byStoredRow[stored[i]] = weights[i];
        }

        return byStoredRow;
    }

    /// <summary>The total weight of the rows named; their count when every row weighs 1 (<paramref name="weights"/> empty).</summary>
    public static double Of(ReadOnlySpan<int> rows, ReadOnlySpan<float> weights)
    {
        if (weights.IsEmpty)
        {
            return rows.Length;
        }

        double total = 0;
        foreach (int row in rows)
        {
            total += weights[row];
        }

        return total;
    }

    /// <summary>The sum of <paramref name="weights"/>.</summary>
    public static double Total(ReadOnlySpan<float> weights)
    {
        double total = 0;
        foreach (float w in weights)
        {
            total += w;
        }

        return total;
    }
}
