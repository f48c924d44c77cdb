using System.Runtime.InteropServices;
using Native.Numerics.Kernels;

namespace Native.Numerics;

public sealed partial class Dataset
{
    /// <summary>
    /// A classification dataset whose features are bytes divided by <paramref name="divisor"/> (pixels / 255 for images),
    /// stored as the bytes — a quarter of the memory of the floats — and divided as they are widened, so every row reads
    /// (<see cref="Row(int)"/>) and trains as the floats value / divisor would, to the bit.
    /// </summary>
    /// <param name="values">The rows, row-major: <paramref name="labels"/>.Length × <paramref name="featureCount"/> bytes.</param>
    /// <param name="featureCount">The number of features in a row.</param>
    /// <param name="labels">The class of each row, already checked to lie in 0 to <paramref name="classes"/> − 1; the dataset keeps this array.</param>
    /// <param name="classes">The number of classes.</param>
    /// <param name="divisor">What each byte is divided by.</param>
    internal static Dataset FromBytes(ReadOnlySpan<byte> values, int featureCount, int[] labels, int classes, float divisor)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(featureCount, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(classes, 2);
        int count = labels.Length;
        if ((long)count * featureCount != values.Length)
        {
            throw new ArgumentException($"Expected {count} rows of {featureCount} bytes, got {values.Length} bytes.", nameof(values));
        }

        // Each row at its stride, the bytes after its features zero, as Compact lays byte rows out.
        int stride = ByteStride(featureCount);
        var storage = new AlignedBuffer(checked((int)((long)count * stride / sizeof(float))));
        Span<byte> destination = MemoryMarshal.AsBytes(storage.Span);
        for (int i = 0; i < count; i++)
        {
            values.Slice(i * featureCount, featureCount).CopyTo(destination.Slice(i * stride, featureCount));
        }

        return new Dataset(storage, stride, count, featureCount, null, labels, classes, null, null, 0, null, ByteRowFormat.Divided(divisor));
    }

    /// <summary>
    /// A dataset over rows a reader wrote straight into aligned storage (CSV): <paramref name="count"/> rows of
    /// <see cref="RowStride"/>(<paramref name="featureCount"/>) floats, every feature finite, padding zero.
    /// Labels (0 to <paramref name="classes"/> − 1) or targets (finite, <paramref name="targetCount"/> a row) are already checked;
    /// the dataset keeps the arrays.
    /// </summary>
    internal static Dataset FromStorage(AlignedBuffer storage, int count, int featureCount, int[]? labels, int classes, IReadOnlyList<string>? classNames, float[]? targets, int targetCount = 1)
    {
        int stride = RowStride(featureCount);
        if ((long)count * stride != storage.Length || (labels is not null ? labels.Length : (long?)targets?.Length / targetCount) != count || targets?.Length % targetCount > 0)
        {
            throw new ArgumentException($"Expected {count} rows of {stride} floats and {count} labels or rows of targets.", nameof(storage));
        }

        return new Dataset(storage, count, featureCount, labels, classes, classNames is null ? null : [.. classNames], targets, targetCount, null);
    }

    /// <summary>
    /// A dataset over the two windows a streamed row source fills (and the rows after them): <paramref name="count"/> rows
    /// <paramref name="stride"/> floats apart, or bytes apart with <paramref name="byteRows"/>; labels or targets indexed by
    /// stored row. The windows' loader keeps every row's padding zero and every label within <paramref name="classes"/>.
    /// </summary>
    internal static Dataset FromWindows(AlignedBuffer storage, int stride, int count, int featureCount, int[]? labels, int classes, float[]? targets, ByteRowFormat? byteRows) =>
        new(storage, stride, count, featureCount, null, labels, classes, null, targets, 1, null, byteRows);

    /// <summary>
    /// This dataset's rows copied to storage <paramref name="stride"/> floats apart (at least <see cref="Features"/>): for
    /// benchmarks that weigh one row layout against another in one process, the kernels reading any stride.
    /// </summary>
    internal Dataset WithStride(int stride)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(stride, Features);
        var storage = new AlignedBuffer(checked(Count * stride));
        float[]? widened = _byteRows is null ? null : new float[Features];
        for (int i = 0; i < Count; i++)
        {
            Row(i, widened).CopyTo(storage.Span.Slice(i * stride));
        }

        return new Dataset(storage, stride, Count, Features, null, _labels is null ? null : [.. Labels], Classes, _classNames, _targets is null ? null : [.. Targets], TargetCount, _weights is null ? null : [.. SampleWeights]);
    }

    /// <summary>Every stored float: <see cref="StoredCount"/> rows of <see cref="Stride"/> floats, each row's padding zero.</summary>
    internal ReadOnlySpan<float> Storage => _byteRows is null ? _features.Span : throw new InvalidOperationException("The dataset stores its rows as bytes.");

    /// <summary>The bytes of a view's list of rows (0 for a dataset that is not a view).</summary>
    internal long ViewBytes => 4L * (_rows?.Length ?? 0);

    /// <summary>The bytes this dataset holds: its rows as stored, its labels or targets, its weights and a view's row list.</summary>
    internal long MemoryBytes => (4L * (_features.Length + (_labels?.Length ?? _targets?.Length ?? 0) + (_weights?.Length ?? 0))) + ViewBytes;

    /// <summary>Whether this dataset and <paramref name="other"/> share their stored rows and labels (a split's two sides).</summary>
    internal bool SharesRowsWith(Dataset other) => ReferenceEquals(_features, other._features);

    /// <summary>Whether <paramref name="count"/> rows of <paramref name="featureCount"/> features fit in one dataset's storage.</summary>
    internal static bool Fits(long count, int featureCount) =>
        count * RowStride(featureCount) <= Array.MaxLength - AlignedBuffer.FloatsPerLine;
}
