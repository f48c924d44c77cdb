using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Native.Numerics.Kernels;

namespace Native.Numerics;

/// <summary>
/// Rows and what they should predict — int labels, or float targets (one a row, or <see cref="TargetCount"/> for a
/// multi-output regression) — with optional sample weights: the unit a model's <see cref="IModel.Loss"/> and
/// <see cref="IModel.AccumulateGradient"/> work on.
/// </summary>
/// <remarks>
/// A batch either owns nothing and views contiguous caller memory (<see cref="FromLabels"/>,
/// <see cref="FromTargets(ReadOnlySpan{float}, int, ReadOnlySpan{float}, ReadOnlySpan{float})"/>), or views chosen rows of a <see cref="Dataset"/> in place
/// (<see cref="FromDataset(Dataset, ReadOnlySpan{int}, ReadOnlySpan{float})"/>): a shuffled mini-batch is
/// read where it lies, not gathered into a copy.
/// </remarks>
public readonly ref struct Batch
{
    private readonly ReadOnlySpan<int> _labels;
    private readonly ReadOnlySpan<float> _targets;
    private readonly ReadOnlySpan<float> _weights;

    internal Batch(Rows rows, int features, ReadOnlySpan<int> labels, ReadOnlySpan<float> targets, int targetCount, ReadOnlySpan<float> weights, bool hasLabels, ByteRowFormat? byteRows = null)
    {
        Rows = rows;
        ByteRows = byteRows;
        Features = features;
        _labels = labels;
        _targets = targets;
        TargetCount = hasLabels ? 0 : targetCount;
        _weights = weights;
        HasLabels = hasLabels;
    }

    /// <summary>The number of rows.</summary>
    public int Count => Rows.Count;

    /// <summary>The number of features in each row.</summary>
    public int Features { get; }

    /// <summary>Whether the batch carries int labels (classification) rather than float targets (regression).</summary>
    public bool HasLabels { get; }

    /// <summary>The number of target values each row carries: 1 for a regression on one target, k for a multi-output regression, 0 for labels.</summary>
    public int TargetCount { get; }

    /// <summary>Whether the rows carry sample weights (otherwise every weight is 1).</summary>
    public bool HasWeights => !_weights.IsEmpty;

    /// <summary>The rows: floats, or with <see cref="ByteRows"/> bytes (a view whose stride counts 4-byte words).</summary>
    internal Rows Rows { get; }

    /// <summary>How the rows are widened when they are bytes (a dataset's <see cref="Dataset.Compact"/> rows); null for float rows.</summary>
    internal ByteRowFormat? ByteRows { get; }

    /// <summary>
    /// A classification batch over contiguous rows: <paramref name="features"/> holds
    /// <paramref name="labels"/>.Length rows of <paramref name="featureCount"/> floats, row-major.
    /// </summary>
    /// <param name="features">The rows, row-major.</param>
    /// <param name="featureCount">The number of features in a row.</param>
    /// <param name="labels">One class label per row.</param>
    /// <param name="sampleWeights">One non-negative weight per row, or empty for weight 1.</param>
    /// <exception cref="ArgumentException">The lengths disagree, or a weight is negative or not finite.</exception>
    public static Batch FromLabels(ReadOnlySpan<float> features, int featureCount, ReadOnlySpan<int> labels, ReadOnlySpan<float> sampleWeights = default)
    {
        CheckContiguous(features, featureCount, labels.Length, "labels.Length", sampleWeights);
        var rows = new Rows(in MemoryMarshal.GetReference(features), featureCount, labels.Length);
        return new Batch(rows, featureCount, labels, default, 0, sampleWeights, hasLabels: true);
    }

    /// <summary>
    /// A regression batch over contiguous rows: <paramref name="features"/> holds
    /// <paramref name="targets"/>.Length rows of <paramref name="featureCount"/> floats, row-major.
    /// </summary>
    /// <param name="features">The rows, row-major.</param>
    /// <param name="featureCount">The number of features in a row.</param>
    /// <param name="targets">One target value per row.</param>
    /// <param name="sampleWeights">One non-negative weight per row, or empty for weight 1.</param>
    /// <exception cref="ArgumentException">The lengths disagree, or a target or weight is not finite, or a weight is negative.</exception>
    public static Batch FromTargets(ReadOnlySpan<float> features, int featureCount, ReadOnlySpan<float> targets, ReadOnlySpan<float> sampleWeights = default) =>
        FromTargets(features, featureCount, targets, targetCount: 1, sampleWeights);

    /// <summary>
    /// A multi-output regression batch over contiguous rows: <paramref name="features"/> holds n rows of
    /// <paramref name="featureCount"/> floats and <paramref name="targets"/> n rows of <paramref name="targetCount"/> values,
    /// both row-major.
    /// </summary>
    /// <param name="features">The rows, row-major.</param>
    /// <param name="featureCount">The number of features in a row.</param>
    /// <param name="targets">The target values, row after row: <paramref name="targetCount"/> a row.</param>
    /// <param name="targetCount">The number of targets in a row, at least 1 (a model of that many outputs trains on it).</param>
    /// <param name="sampleWeights">One non-negative weight per row, or empty for weight 1.</param>
    /// <exception cref="ArgumentException">The lengths disagree, or a target or weight is not finite, or a weight is negative.</exception>
    public static Batch FromTargets(ReadOnlySpan<float> features, int featureCount, ReadOnlySpan<float> targets, int targetCount, ReadOnlySpan<float> sampleWeights = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(targetCount, 1);
        if (targets.Length % targetCount != 0)
        {
            throw new ArgumentException($"targets holds {targets.Length} values, not a whole number of rows of {targetCount} targets.", nameof(targets));
        }

        int count = targets.Length / targetCount;
        CheckContiguous(features, featureCount, count, targetCount == 1 ? "targets.Length" : $"targets.Length / {targetCount} targets a row", sampleWeights);
        CheckFinite(targets, nameof(targets));
        var rows = new Rows(in MemoryMarshal.GetReference(features), featureCount, count);
        return new Batch(rows, featureCount, default, targets, targetCount, sampleWeights, hasLabels: false);
    }

    /// <summary>All rows of <paramref name="dataset"/>, with its own sample weights if it has them.</summary>
    public static Batch FromDataset(Dataset dataset)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        return dataset.Batch(dataset.StoredWeights);
    }

    /// <summary>
    /// The rows of <paramref name="dataset"/> that <paramref name="rows"/> names, read in place.
    /// <paramref name="sampleWeights"/>, if given, replaces the dataset's own and is indexed by dataset row
    /// (so it has <see cref="Dataset.Count"/> entries). Over a view (a side of <see cref="Dataset.Split"/>) the rows'
    /// positions in the shared storage are listed first, an allocation of 4 bytes a row.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">An index is outside the dataset.</exception>
    /// <exception cref="ArgumentException">The weights' length is not the dataset's row count, or a weight is negative or not finite.</exception>
    public static Batch FromDataset(Dataset dataset, ReadOnlySpan<int> rows, ReadOnlySpan<float> sampleWeights = default)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        for (int i = 0; i < rows.Length; i++)
        {
            if ((uint)rows[i] >= (uint)dataset.Count)
            {
                throw new ArgumentOutOfRangeException(nameof(rows), rows[i], $"Row index {i} is {rows[i]}, outside the dataset's {dataset.Count} rows.");
            }
        }

        if (!sampleWeights.IsEmpty)
        {
            if (sampleWeights.Length != dataset.Count)
            {
                throw new ArgumentException($"Expected one sample weight per dataset row ({dataset.Count}), got {sampleWeights.Length}.", nameof(sampleWeights));
            }

            CheckWeights(sampleWeights);
        }

        ReadOnlySpan<int> stored = dataset.StoredRows;
        if (stored.IsEmpty)
        {
            return dataset.Batch(rows, sampleWeights.IsEmpty ? dataset.StoredWeights : sampleWeights);
        }

        // A view (a split's side): its rows and weights named by stored row, which costs a list of each.
        int[] mapped = new int[rows.Length];
        for (int i = 0; i < rows.Length; i++)
        {
            mapped[i] = stored[rows[i]];
        }

        ReadOnlySpan<float> weights = dataset.StoredWeights;
        if (!sampleWeights.IsEmpty)
        {
            float[] byStoredRow = new float[dataset.StoredCount];
            for (int i = 0; i < stored.Length; i++)
            {
                byStoredRow[stored[i]] = sampleWeights[i];
            }

            weights = byStoredRow;
        }

        return dataset.Batch(mapped, weights);
    }

    /// <summary>The features of row <paramref name="index"/> of the batch.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The index is not a row of the batch.</exception>
    /// <exception cref="InvalidOperationException">The rows are stored as bytes (<see cref="Dataset.StoresBytes"/>); read them from the dataset.</exception>
    public ReadOnlySpan<float> Row(int index)
    {
        CheckIndex(index);
        if (ByteRows is not null)
        {
            throw new InvalidOperationException("The batch's rows are stored as bytes (Dataset.StoresBytes), not floats; read a row with Dataset.Row.");
        }

        return MemoryMarshal.CreateReadOnlySpan(ref Unsafe.AsRef(in Rows[index]), Features);
    }

    /// <summary>The class label of row <paramref name="index"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The index is not a row of the batch.</exception>
    /// <exception cref="InvalidOperationException">The batch has targets, not labels.</exception>
    public int Label(int index)
    {
        CheckIndex(index);
        return HasLabels ? LabelAt(index) : throw new InvalidOperationException("The batch has float targets, not labels.");
    }

    /// <summary>The target value of row <paramref name="index"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The index is not a row of the batch.</exception>
    /// <exception cref="InvalidOperationException">The batch has labels, not targets, or several targets a row (use <see cref="Targets"/>).</exception>
    public float Target(int index)
    {
        CheckIndex(index);
        return HasLabels ? throw new InvalidOperationException("The batch has class labels, not targets.")
            : TargetCount > 1 ? throw new InvalidOperationException($"The batch has {TargetCount} targets a row; use Targets(index).")
            : TargetAt(index, 0);
    }

    /// <summary>The target values of row <paramref name="index"/>: <see cref="TargetCount"/> floats.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The index is not a row of the batch.</exception>
    /// <exception cref="InvalidOperationException">The batch has labels, not targets.</exception>
    public ReadOnlySpan<float> Targets(int index)
    {
        CheckIndex(index);
        return HasLabels ? throw new InvalidOperationException("The batch has class labels, not targets.") : _targets.Slice(Rows.Source(index) * TargetCount, TargetCount);
    }

    /// <summary>The sample weight of row <paramref name="index"/> (1 when the batch has none).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The index is not a row of the batch.</exception>
    public float Weight(int index)
    {
        CheckIndex(index);
        return WeightAt(index);
    }

    /// <summary>
    /// Checks that <paramref name="batch"/> fits a model of <paramref name="shape"/>: the feature count, labels for a
    /// classifier (each within its classes) or targets for a regression, one per output. Models call this before any work,
    /// so a bad batch leaves the caller's gradient untouched.
    /// </summary>
    /// <exception cref="ArgumentException">The batch does not fit; the message says which row and what was found.</exception>
    internal static void Validate(in Batch batch, ModelShape shape)
    {
        ArgumentNullException.ThrowIfNull(shape);
        if (batch.Features != shape.Features)
        {
            throw new ArgumentException($"The batch has {batch.Features} features per row; the model {shape} takes {shape.Features}.", nameof(batch));
        }

        if (shape.Task == ModelTask.Regression)
        {
            if (batch.HasLabels)
            {
                throw new ArgumentException($"The model {shape} predicts values: the batch needs float targets, not labels.", nameof(batch));
            }

            if (batch.TargetCount != shape.Outputs)
            {
                throw new ArgumentException($"The batch has {batch.TargetCount} {(batch.TargetCount == 1 ? "target" : "targets")} a row; the model {shape} predicts {shape.Outputs} {(shape.Outputs == 1 ? "value" : "values")} a row, one per target.", nameof(batch));
            }

            return;
        }

        if (!batch.HasLabels)
        {
            throw new ArgumentException($"The model {shape} predicts classes: the batch needs int labels, not targets.", nameof(batch));
        }

        int classes = shape.Classes;
        for (int i = 0; i < batch.Count; i++)
        {
            int label = batch.LabelAt(i);
            if ((uint)label >= (uint)classes)
            {
                throw new ArgumentException($"Row {i} of the batch has label {label}; the model {shape} has classes 0 to {classes - 1}.", nameof(batch));
            }
        }
    }

    /// <summary>The label of row <paramref name="i"/>, unchecked against the row count.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal int LabelAt(int i) => _labels[Rows.Source(i)];

    /// <summary>Target <paramref name="j"/> of row <paramref name="i"/>, unchecked against the row and target counts.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal float TargetAt(int i, int j) => _targets[(Rows.Source(i) * TargetCount) + j];

    /// <summary>The sample weight of row <paramref name="i"/> (1 when the batch has none), unchecked against the row count.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal float WeightAt(int i) => _weights.IsEmpty ? 1f : _weights[Rows.Source(i)];

    private void CheckIndex(int index)
    {
        if ((uint)index >= (uint)Count)
        {
            throw new ArgumentOutOfRangeException(nameof(index), index, $"The batch has {Count} rows.");
        }
    }

    /// <summary>The rows <paramref name="start"/> to <paramref name="start"/> + <paramref name="count"/>, with their labels, targets and weights.</summary>
    internal Batch Slice(int start, int count)
    {
        Rows rows = Rows.Slice(start, count);
        if (rows.IsIndexed)
        {
            // Labels, targets and weights are indexed by dataset row, which slicing does not change.
            return new Batch(rows, Features, _labels, _targets, TargetCount, _weights, HasLabels, ByteRows);
        }

        return new Batch(
            rows,
            Features,
            _labels.IsEmpty ? default : _labels.Slice(start, count),
            _targets.IsEmpty ? default : _targets.Slice(start * TargetCount, count * TargetCount),
            TargetCount,
            _weights.IsEmpty ? default : _weights.Slice(start, count),
            HasLabels,
            ByteRows);
    }

    private static void CheckContiguous(ReadOnlySpan<float> features, int featureCount, int count, string countName, ReadOnlySpan<float> sampleWeights)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(featureCount, 1);
        if ((long)featureCount * count != features.Length)
        {
            throw new ArgumentException($"Expected {count} rows ({countName}) of {featureCount} features = {(long)featureCount * count} floats in features, got {features.Length}.", nameof(features));
        }

        if (!sampleWeights.IsEmpty && sampleWeights.Length != count)
        {
            throw new ArgumentException($"Expected one sample weight per row ({count}), got {sampleWeights.Length}.", nameof(sampleWeights));
        }

        CheckWeights(sampleWeights);
    }

    internal static void CheckWeights(ReadOnlySpan<float> sampleWeights)
    {
        for (int i = 0; i < sampleWeights.Length; i++)
        {
            if (!(sampleWeights[i] >= 0f) || float.IsPositiveInfinity(sampleWeights[i]))
            {
                throw new ArgumentException($"Sample weight {i} is {sampleWeights[i]}; weights must be finite and non-negative.", nameof(sampleWeights));
            }
        }
    }

    private static void CheckFinite(ReadOnlySpan<float> values, string name)
    {
        for (int i = 0; i < values.Length; i++)
        {
            if (!float.IsFinite(values[i]))
            {
                throw new ArgumentException($"{name}[{i}] is {values[i]}; values must be finite.", name);
            }
        }
    }
}
