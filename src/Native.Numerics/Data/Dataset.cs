using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.X86;
using Native.Numerics.Kernels;

namespace Native.Numerics;

/// <summary>
/// Rows of float features with, for each row, an int class label (classification) or float targets — one, or
/// <see cref="TargetCount"/> for a multi-output regression — and optional sample weights. Immutable once built.
/// </summary>
/// <remarks>
/// <para>
/// The features are copied into storage that starts on a 64-byte boundary. A row of 16 features or more is padded
/// with zeros to a whole number of cache lines (16 floats), so every row the kernels load is aligned (unaligned 512-bit
/// loads cost 1.8× here; docs/performance.md); a narrower row takes the next power of two of floats (1, 2, 4, 8 or 16),
/// so it never straddles a cache line and a one-feature row costs 4 bytes, not 64. Every value is checked when the
/// dataset is built: a NaN or infinity is refused with its row and column, never trained on.
/// </para>
/// <para>
/// <see cref="Split"/> and <see cref="Shuffle"/> give views: datasets that name rows of this one's storage rather
/// than copy them, so splitting 5 million rows costs their indices (4 bytes a row), not a second copy of the rows.
/// </para>
/// </remarks>
public sealed partial class Dataset
{
    private readonly AlignedBuffer _features;
    private readonly int[]? _rows;
    private readonly int[]? _labels;
    private readonly float[]? _targets;
    private readonly float[]? _weights;
    private readonly string[]? _classNames;
    private readonly ByteRowFormat? _byteRows;
    private string[]? _featureNames;
    private string[]? _labelNames;

    // A view's labels, targets and weights in its own row order, gathered when first asked for.
    private int[]? _viewLabels;
    private float[]? _viewTargets;
    private float[]? _viewWeights;

    /// <summary>
    /// A dataset of <paramref name="count"/> rows, <paramref name="stride"/> floats apart (bytes apart with
    /// <paramref name="byteRows"/>): the stored rows <paramref name="rows"/> names, or the first <paramref name="count"/>
    /// when it is null. Labels, targets and weights are indexed by stored row; a stored row's targets are
    /// <paramref name="targetCount"/> floats from its index × that count.
    /// </summary>
    private Dataset(AlignedBuffer features, int stride, int count, int featureCount, int[]? rows, int[]? labels, int classes, string[]? classNames, float[]? targets, int targetCount, float[]? weights, ByteRowFormat? byteRows = null)
    {
        _features = features;
        _byteRows = byteRows;
        _rows = rows;
        Count = count;
        Features = featureCount;
        Stride = stride;
        _labels = labels;
        Classes = classes;
        _classNames = classNames;
        _targets = targets;
        TargetCount = targets is null ? 0 : targetCount;
        _weights = weights;
    }

    private Dataset(AlignedBuffer features, int count, int featureCount, int[]? labels, int classes, string[]? classNames, float[]? targets, int targetCount, float[]? weights)
        : this(features, RowStride(featureCount), count, featureCount, null, labels, classes, classNames, targets, targetCount, weights)
    {
    }

    /// <summary>The number of rows.</summary>
    public int Count { get; }

    /// <summary>The number of features in each row.</summary>
    public int Features { get; }

    /// <summary>Whether rows carry int class labels (otherwise float targets).</summary>
    public bool HasLabels => _labels is not null;

    /// <summary>The number of classes (labels run from 0 to <see cref="Classes"/> − 1); 0 for a regression dataset.</summary>
    public int Classes { get; }

    /// <summary>
    /// The number of target values each row carries: 1 for a regression on one target, k for a multi-output regression
    /// (a model of k outputs trains on it), 0 for a classification dataset.
    /// </summary>
    public int TargetCount { get; }

    /// <summary>The name of each class, if the data named them (a CSV with string labels, say); otherwise empty.</summary>
    public IReadOnlyList<string> ClassNames => _classNames ?? [];

    /// <summary>The name of each feature, if the data named them (a CSV file's header); otherwise empty.</summary>
    public IReadOnlyList<string> FeatureNames => _featureNames ?? [];

    /// <summary>The name of the label column, if the data named one (a CSV file's header); otherwise null — and null when several target columns are named (see <see cref="LabelNames"/>).</summary>
    public string? LabelName => _labelNames is [string one] ? one : null;

    /// <summary>The names of the label columns, if the data named them: one for a label, <see cref="TargetCount"/> for a multi-output regression; otherwise empty.</summary>
    public IReadOnlyList<string> LabelNames => _labelNames ?? [];

    /// <summary>The class label of each row (empty for a regression dataset).</summary>
    public ReadOnlySpan<int> Labels => _rows is null || _labels is null ? _labels : _viewLabels ??= Gather(_labels);

    /// <summary>
    /// The targets of each row, row after row: <see cref="Count"/> × <see cref="TargetCount"/> floats (one per row for a
    /// regression on one target); empty for a classification dataset.
    /// </summary>
    public ReadOnlySpan<float> Targets => _rows is null || _targets is null ? _targets : _viewTargets ??= Gather(_targets, TargetCount);

    /// <summary>The weight of each row, or empty when every row weighs 1.</summary>
    public ReadOnlySpan<float> SampleWeights => _rows is null || _weights is null ? _weights : _viewWeights ??= Gather(_weights);

    /// <summary>The distance between stored rows, in floats (<see cref="RowStride"/>).</summary>
    internal int Stride { get; }

    /// <summary>The first feature of the first stored row.</summary>
    internal ref readonly float Origin => ref _features.Origin;

    /// <summary>The stored rows this dataset is a view of, in its order; empty when it holds its stored rows in order.</summary>
    internal ReadOnlySpan<int> StoredRows => _rows;

    /// <summary>The sample weights indexed by stored row (what a batch over stored rows reads), or empty.</summary>
    internal ReadOnlySpan<float> StoredWeights => _weights;

    /// <summary>The number of rows the storage holds (more than <see cref="Count"/> for a view of some of them).</summary>
    internal int StoredCount => _byteRows is null ? _features.Length / Stride : _features.Length * sizeof(float) / Stride;

    /// <summary>
    /// The floats between stored rows for rows of <paramref name="featureCount"/> features: the next power of two up to
    /// 16 (a narrow row within one cache line, never across two), else a whole number of cache lines (16 floats).
    /// </summary>
    internal static int RowStride(int featureCount) =>
        featureCount <= AlignedBuffer.FloatsPerLine ? (int)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)Math.Max(1, featureCount)) : AlignedBuffer.Pad(featureCount);

    /// <summary>The stored row of row <paramref name="index"/> (already checked to be a row of this dataset).</summary>
    internal int Source(int index) => _rows is null ? index : _rows[index];

    /// <summary>The label of row <paramref name="index"/>, without gathering a view's labels.</summary>
    internal int LabelAt(int index) => _labels![Source(index)];

    /// <summary>The features of row <paramref name="index"/> (of a dataset that <see cref="StoresBytes"/>, widened into a new array).</summary>
    public ReadOnlySpan<float> Row(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Count);
        return _byteRows is null ? _features.Span.Slice(Source(index) * Stride, Features) : Row(index, new float[Features]);
    }

    /// <summary>
    /// A classification dataset: <paramref name="features"/> holds <paramref name="labels"/>.Length rows of
    /// <paramref name="featureCount"/> floats, row-major. The data are copied.
    /// </summary>
    /// <param name="features">The rows, row-major.</param>
    /// <param name="featureCount">The number of features in a row.</param>
    /// <param name="labels">The class of each row, from 0 to <paramref name="classes"/> − 1.</param>
    /// <param name="classes">The number of classes; by default one more than the largest label, and at least 2.</param>
    /// <param name="classNames">A name for each class, or null.</param>
    /// <param name="sampleWeights">A non-negative weight for each row, or empty for weight 1.</param>
    /// <exception cref="ArgumentException">Lengths disagree; a feature or weight is not finite; a label is out of range.</exception>
    public static Dataset FromLabels(ReadOnlySpan<float> features, int featureCount, ReadOnlySpan<int> labels, int? classes = null, IReadOnlyList<string>? classNames = null, ReadOnlySpan<float> sampleWeights = default)
    {
        AlignedBuffer storage = CopyFeatures(features, featureCount, labels.Length, nameof(labels), sampleWeights);
        int largest = -1;
        for (int i = 0; i < labels.Length; i++)
        {
            if (labels[i] < 0)
            {
                throw new ArgumentException($"The label of row {i} is {labels[i]}; labels are class numbers from 0.", nameof(labels));
            }

            largest = Math.Max(largest, labels[i]);
        }

        int classCount = classes ?? Math.Max(2, largest + 1);
        if (classCount < 2)
        {
            throw new ArgumentOutOfRangeException(nameof(classes), classCount, "A classification dataset needs at least 2 classes.");
        }

        if (largest >= classCount)
        {
            throw new ArgumentException($"The label of row {labels.IndexOf(largest)} is {largest}, but there are only {classCount} classes (0 to {classCount - 1}).", nameof(labels));
        }

        string[]? names = null;
        if (classNames is not null && classNames.Count > 0)
        {
            if (classNames.Count != classCount)
            {
                throw new ArgumentException($"Expected {classCount} class names, got {classNames.Count}.", nameof(classNames));
            }

            for (int c = 0; c < classNames.Count; c++)
            {
                if (string.IsNullOrEmpty(classNames[c]))
                {
                    throw new ArgumentException($"Class {c} has no name (null or empty); every class needs a name a prediction can print, or give no class names.", nameof(classNames));
                }
            }

            names = [.. classNames];
        }

        return new Dataset(storage, labels.Length, featureCount, labels.ToArray(), classCount, names, null, 0, WeightsOrNull(sampleWeights));
    }

    /// <summary>
    /// A regression dataset: <paramref name="features"/> holds <paramref name="targets"/>.Length rows of
    /// <paramref name="featureCount"/> floats, row-major. The data are copied.
    /// </summary>
    /// <param name="features">The rows, row-major.</param>
    /// <param name="featureCount">The number of features in a row.</param>
    /// <param name="targets">The value each row should predict.</param>
    /// <param name="sampleWeights">A non-negative weight for each row, or empty for weight 1.</param>
    /// <exception cref="ArgumentException">Lengths disagree, or a feature, target or weight is not finite.</exception>
    public static Dataset FromTargets(ReadOnlySpan<float> features, int featureCount, ReadOnlySpan<float> targets, ReadOnlySpan<float> sampleWeights = default) =>
        FromTargets(features, featureCount, targets, targetCount: 1, sampleWeights);

    /// <summary>
    /// A multi-output regression dataset: <paramref name="features"/> holds n rows of <paramref name="featureCount"/>
    /// floats and <paramref name="targets"/> n rows of <paramref name="targetCount"/> values, both row-major — what a model of
    /// <paramref name="targetCount"/> outputs trains on. The data are copied.
    /// </summary>
    /// <param name="features">The rows, row-major.</param>
    /// <param name="featureCount">The number of features in a row.</param>
    /// <param name="targets">The values each row should predict, row after row: <paramref name="targetCount"/> a row.</param>
    /// <param name="targetCount">The number of targets in a row, at least 1.</param>
    /// <param name="sampleWeights">A non-negative weight for each row, or empty for weight 1.</param>
    /// <exception cref="ArgumentException">Lengths disagree, or a feature, target or weight is not finite.</exception>
    public static Dataset FromTargets(ReadOnlySpan<float> features, int featureCount, ReadOnlySpan<float> targets, int targetCount, ReadOnlySpan<float> sampleWeights = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(targetCount, 1);
        if (targets.Length % targetCount != 0)
        {
            throw new ArgumentException($"targets holds {targets.Length} values, not a whole number of rows of {targetCount} targets.", nameof(targets));
        }

        int count = targets.Length / targetCount;
        if (targetCount > 1 && featureCount > 0 && (long)featureCount * count != features.Length)
        {
            throw new ArgumentException($"targets holds {count} rows of {targetCount} targets, but features holds {features.Length} floats, not {count} rows of {featureCount} features.", nameof(targets));
        }

        AlignedBuffer storage = CopyFeatures(features, featureCount, count, nameof(targets), sampleWeights);
        for (int i = 0; i < targets.Length; i++)
        {
            if (!float.IsFinite(targets[i]))
            {
                throw new ArgumentException(targetCount == 1
                    ? $"Target {i} is {targets[i]}; targets must be finite."
                    : $"Target {i % targetCount} of row {i / targetCount} is {targets[i]}; targets must be finite.", nameof(targets));
            }
        }

        return new Dataset(storage, count, featureCount, null, 0, null, targets.ToArray(), targetCount, WeightsOrNull(sampleWeights));
    }

    /// <summary>
    /// Asks the processor to start loading the rows named into its caches, so a batch that reads them next
    /// does not wait for memory: rows in a shuffled order defeat the hardware's own prefetching at the
    /// start of each row. A hint only; nothing happens where the instruction does not exist.
    /// </summary>
    /// <remarks>
    /// Into the second-level cache, not the first: a batch of 64 MNIST rows is 200 KB, which fits a 1 MB L2 but
    /// would evict the 32 KB L1's weights and activations while the current batch still needs them. Measured on
    /// an AMD EPYC Zen 4, softmax regression 784→10, 10,000 rows, batches of 64, best of 10 epochs: 5.6 ms with
    /// <c>prefetcht1</c>, 6.8–7.5 ms with <c>prefetcht0</c>, 6.9–7.4 ms with none or <c>prefetchnta</c>; the
    /// 784-128-10 perceptron's 62 ms did not move.
    /// </remarks>
    internal unsafe void Prefetch(ReadOnlySpan<int> rows)
    {
        if (!Sse.IsSupported)
        {
            return;
        }

        // The storage is a pinned array, so its address is stable.
        byte* origin = (byte*)Unsafe.AsPointer(ref Unsafe.AsRef(in Origin));
        int elementBytes = _byteRows is null ? sizeof(float) : sizeof(byte);
        nint rowBytes = (nint)Stride * elementBytes;
        nint usedBytes = (nint)Features * elementBytes;
        foreach (int row in rows)
        {
            byte* start = origin + (row * rowBytes);
            for (nint offset = 0; offset < usedBytes; offset += AlignedBuffer.Alignment)
            {
                Sse.Prefetch1(start + offset);
            }
        }
    }

    /// <summary>
    /// The stored rows <paramref name="rows"/> names (each already checked to be one), read in place, with
    /// <paramref name="weights"/> (indexed by stored row) as their sample weights, or none. For a dataset that is not
    /// a view, stored rows are its rows.
    /// </summary>
    internal Batch Batch(ReadOnlySpan<int> rows, ReadOnlySpan<float> weights) =>
        new(new Rows(in Origin, RowWords, rows), Features, _labels, _targets, TargetCount, weights, HasLabels, _byteRows);

    /// <summary>Every row, in order, with <paramref name="weights"/> (indexed by stored row) as their sample weights, or none.</summary>
    internal Batch Batch(ReadOnlySpan<float> weights) =>
        new(_rows is null ? new Rows(in Origin, RowWords, Count) : new Rows(in Origin, RowWords, _rows), Features, _labels, _targets, TargetCount, weights, HasLabels, _byteRows);

    private static AlignedBuffer CopyFeatures(ReadOnlySpan<float> features, int featureCount, int count, string countName, ReadOnlySpan<float> sampleWeights)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(featureCount, 1);
        if ((long)featureCount * count != features.Length)
        {
            // The two disagree; which is wrong cannot be known, so the message names both.
            string rows = features.Length % featureCount == 0 ? $"{features.Length / featureCount} rows of {featureCount} features" : $"not a whole number of rows of {featureCount} features";
            throw new ArgumentException($"{countName} has {count} entries, one per row, but features holds {features.Length} floats: {rows}.", countName);
        }

        if (!sampleWeights.IsEmpty && sampleWeights.Length != count)
        {
            throw new ArgumentException($"Expected one sample weight per row ({count}), got {sampleWeights.Length}.", nameof(sampleWeights));
        }

        Numerics.Batch.CheckWeights(sampleWeights);
        int stride = RowStride(featureCount);
        var storage = new AlignedBuffer(checked(count * stride));
        Span<float> destination = storage.Span;
        for (int i = 0; i < count; i++)
        {
            ReadOnlySpan<float> row = features.Slice(i * featureCount, featureCount);
            int bad = row.IndexOfAnyExceptInRange(float.MinValue, float.MaxValue);
            if (bad >= 0)
            {
                throw new ArgumentException($"Feature {bad} of row {i} is {row[bad]}; features must be finite.", nameof(features));
            }

            row.CopyTo(destination.Slice(i * stride));
        }

        return storage;
    }

    private static float[]? WeightsOrNull(ReadOnlySpan<float> weights) => weights.IsEmpty ? null : weights.ToArray();
}
