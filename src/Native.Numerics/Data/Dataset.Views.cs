using Native.Numerics.Kernels;

namespace Native.Numerics;

// New datasets from this one: rows selected, sample weights, names, features transformed; each shares or copies storage as it says.
public sealed partial class Dataset
{
    /// <summary>The rows <paramref name="rows"/> names, in that order, as a new dataset (a row may repeat).</summary>
    /// <exception cref="ArgumentOutOfRangeException">An index is outside this dataset.</exception>
    public Dataset Select(ReadOnlySpan<int> rows)
    {
        // Rows are copied as stored: floats, or bytes (a word holds four) with the same widening.
        int words = _byteRows is null ? Stride : Stride / sizeof(float);
        var storage = new AlignedBuffer(checked(rows.Length * words));
        Span<float> destination = storage.Span;
        ReadOnlySpan<float> source = _features.Span;
        int[]? labels = _labels is null ? null : new int[rows.Length];
        float[]? targets = _targets is null ? null : new float[checked(rows.Length * TargetCount)];
        float[]? weights = _weights is null ? null : new float[rows.Length];
        for (int i = 0; i < rows.Length; i++)
        {
            int row = rows[i];
            if ((uint)row >= (uint)Count)
            {
                throw new ArgumentOutOfRangeException(nameof(rows), row, $"Row index {i} is {row}, outside the dataset's {Count} rows.");
            }

            int stored = Source(row);
            source.Slice(stored * words, words).CopyTo(destination.Slice(i * words, words));
            labels?[i] = _labels![stored];
            _targets?.AsSpan(stored * TargetCount, TargetCount).CopyTo(targets.AsSpan(i * TargetCount));
            weights?[i] = _weights![stored];
        }

        return new Dataset(storage, Stride, rows.Length, Features, null, labels, Classes, _classNames, targets, TargetCount, weights, _byteRows).WithNamesOf(this);
    }

    /// <summary>This dataset with <paramref name="sampleWeights"/> (one per row, or empty to remove them).</summary>
    /// <exception cref="ArgumentException">The length is not <see cref="Count"/>, or a weight is negative or not finite.</exception>
    public Dataset WithSampleWeights(ReadOnlySpan<float> sampleWeights)
    {
        if (!sampleWeights.IsEmpty && sampleWeights.Length != Count)
        {
            throw new ArgumentException($"Expected one sample weight per row ({Count}), got {sampleWeights.Length}.", nameof(sampleWeights));
        }

        Numerics.Batch.CheckWeights(sampleWeights);
        float[]? weights = WeightsOrNull(sampleWeights);
        if (weights is not null && _rows is not null)
        {
            // A view's weights are kept by stored row, as its labels are, so batches over stored rows read them.
            float[] stored = new float[StoredCount];
            for (int i = 0; i < Count; i++)
            {
                stored[_rows[i]] = weights[i];
            }

            weights = stored;
        }

        return new Dataset(_features, Stride, Count, Features, _rows, _labels, Classes, _classNames, _targets, TargetCount, weights, _byteRows).WithNamesOf(this);
    }

    /// <summary>
    /// This regression dataset, sharing its rows, with other targets: <see cref="TargetCount"/> a row, in this dataset's row
    /// order — the targets transformed for training (standardized, say), the rows and weights unchanged.
    /// </summary>
    /// <exception cref="InvalidOperationException">The dataset holds class labels, not targets.</exception>
    /// <exception cref="ArgumentException">The length is not <see cref="Count"/> × <see cref="TargetCount"/>, or a target is not finite.</exception>
    public Dataset WithTargets(ReadOnlySpan<float> targets)
    {
        if (_targets is null)
        {
            throw new InvalidOperationException("The dataset holds class labels, not targets; WithTargets replaces a regression's targets.");
        }

        if (targets.Length != (long)Count * TargetCount)
        {
            throw new ArgumentException($"Expected {TargetCount} target{(TargetCount == 1 ? string.Empty : "s")} per row ({Count} rows), {(long)Count * TargetCount} values; got {targets.Length}.", nameof(targets));
        }

        for (int i = 0; i < targets.Length; i++)
        {
            if (!float.IsFinite(targets[i]))
            {
                throw new ArgumentException($"Target {i} (row {i / TargetCount}) is {targets[i]}; targets must be finite.", nameof(targets));
            }
        }

        // A view's targets are kept by stored row, as its labels are: the rows outside the view keep theirs.
        float[] stored;
        if (_rows is null)
        {
            stored = targets.ToArray();
        }
        else
        {
            stored = (float[])_targets.Clone();
            for (int i = 0; i < Count; i++)
            {
                targets.Slice(i * TargetCount, TargetCount).CopyTo(stored.AsSpan(_rows[i] * TargetCount));
            }
        }

        return new Dataset(_features, Stride, Count, Features, _rows, _labels, Classes, _classNames, stored, TargetCount, _weights, _byteRows).WithNamesOf(this);
    }

    /// <summary>
    /// This dataset, sharing its rows, with names for its feature columns (and its label column): what a model
    /// file keeps, so a prediction can match columns by name.
    /// </summary>
    /// <param name="featureNames">One name per feature, or empty for none.</param>
    /// <param name="labelName">The label column's name, or null.</param>
    /// <exception cref="ArgumentException">The number of names is not <see cref="Features"/>.</exception>
    public Dataset WithFeatureNames(IReadOnlyList<string> featureNames, string? labelName = null) =>
        Named(featureNames, labelName is null ? [] : [labelName]);

    /// <summary>
    /// This dataset, sharing its rows and its feature names, with names for its label columns — one, or one per target of
    /// a multi-output regression: what a model file keeps, so a prediction can skip those columns and name its values.
    /// </summary>
    /// <param name="labelNames">The label column's name, or one per target (<see cref="TargetCount"/>), or empty for none.</param>
    /// <exception cref="ArgumentException">There are several label names but not one per target.</exception>
    public Dataset WithLabelNames(IReadOnlyList<string> labelNames) => Named(FeatureNames, labelNames);

    private Dataset Named(IReadOnlyList<string> featureNames, IReadOnlyList<string> labelNames)
    {
        ArgumentNullException.ThrowIfNull(featureNames);
        ArgumentNullException.ThrowIfNull(labelNames);
        if (featureNames.Count != 0 && featureNames.Count != Features)
        {
            throw new ArgumentException($"Expected {Features} feature names, one per feature; got {featureNames.Count}.", nameof(featureNames));
        }

        if (labelNames.Count > 1 && labelNames.Count != TargetCount)
        {
            throw new ArgumentException($"Expected one label name, or {TargetCount} (one per target); got {labelNames.Count}.", nameof(labelNames));
        }

        Dataset named = new(_features, Stride, Count, Features, _rows, _labels, Classes, _classNames, _targets, TargetCount, _weights, _byteRows);
        named._featureNames = featureNames.Count == 0 ? null : [.. featureNames];
        named._labelNames = labelNames.Count == 0 ? null : [.. labelNames];
        return named;
    }

    private Dataset WithNamesOf(Dataset source)
    {
        _featureNames = source._featureNames;
        _labelNames = source._labelNames;
        return this;
    }

    /// <summary>
    /// A dataset with the same labels, targets and weights and new features, produced by
    /// <paramref name="transform"/> from each row (standardization uses it).
    /// </summary>
    internal Dataset WithFeatures(RowTransform transform)
    {
        // Compact: a view's rows become rows of their own, in its order; byte rows become float rows.
        int stride = _byteRows is null ? Stride : RowStride(Features);
        var storage = new AlignedBuffer(checked(Count * stride));
        Span<float> destination = storage.Span;
        float[]? widened = _byteRows is null ? null : new float[Features];
        for (int i = 0; i < Count; i++)
        {
            transform(Row(i, widened), destination.Slice(i * stride, Features));
        }

        return _rows is null
            ? new Dataset(storage, stride, Count, Features, null, _labels, Classes, _classNames, _targets, TargetCount, _weights).WithNamesOf(this)
            : new Dataset(storage, stride, Count, Features, null, _labels is null ? null : Gather(_labels), Classes, _classNames, _targets is null ? null : Gather(_targets, TargetCount), TargetCount, _weights is null ? null : Gather(_weights)).WithNamesOf(this);
    }

    /// <summary>Transforms one row of features into another of the same length.</summary>
    internal delegate void RowTransform(ReadOnlySpan<float> source, Span<float> destination);
}
