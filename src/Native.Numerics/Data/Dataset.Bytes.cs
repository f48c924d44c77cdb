using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using Native.Numerics.Kernels;

namespace Native.Numerics;

public sealed partial class Dataset
{
    /// <summary>
    /// Whether the rows are stored as bytes (<see cref="Compact"/>): a quarter of the memory of float rows, widened to
    /// floats in registers as training reads them, with the same results to the bit.
    /// </summary>
    public bool StoresBytes => _byteRows is not null;

    /// <summary>Whether byte rows carry a standardizer the kernels apply as they widen them (after their divisor, if any).</summary>
    internal bool HasByteStandardizer => _byteRows?.Standardizer is not null;

    /// <summary>How byte rows are widened, or null for float rows.</summary>
    internal ByteRowFormat? ByteRows => _byteRows;

    /// <summary>The distance between stored rows in 4-byte words: <see cref="Stride"/> for float rows, a quarter of it for byte rows.</summary>
    internal int RowWords => _byteRows is null ? Stride : Stride / sizeof(float);

    /// <summary>
    /// This dataset with its rows stored as bytes when every feature is an integer from 0 to 255 (pixels, counts, one-hot
    /// columns): a quarter of the memory, and training on it gives the same parameters, to the bit, as on float rows.
    /// Otherwise (or when the rows are bytes already) this dataset. Labels, targets, weights and names are kept.
    /// </summary>
    /// <remarks>
    /// A row of a byte dataset read through <see cref="Row(int)"/> is widened into a new array; training and evaluation widen
    /// rows in registers without allocating. <see cref="Standardizer.Transform(Dataset)"/> keeps the rows as bytes and
    /// standardizes them as they are widened.
    /// </remarks>
    public Dataset Compact()
    {
        if (_byteRows is not null)
        {
            return this;
        }

        for (int i = 0; i < Count; i++)
        {
            if (!ByteRowKernel.AreBytes(Row(i)))
            {
                return this;
            }
        }

        int stride = ByteStride(Features);
        var storage = new AlignedBuffer(checked((int)((long)Count * stride / sizeof(float))));
        Span<byte> bytes = MemoryMarshal.AsBytes(storage.Span);
        for (int i = 0; i < Count; i++)
        {
            ByteRowKernel.Narrow(Row(i), bytes.Slice(i * stride, Features));
        }

        // A view's rows become rows of their own, in its order, as WithFeatures makes them.
        return new Dataset(
            storage,
            stride,
            Count,
            Features,
            null,
            _labels is null ? null : _rows is null ? _labels : Gather(_labels),
            Classes,
            _classNames,
            _targets is null ? null : _rows is null ? _targets : Gather(_targets, TargetCount),
            TargetCount,
            _weights is null ? null : _rows is null ? _weights : Gather(_weights),
            ByteRowFormat.Plain).WithNamesOf(this);
    }

    /// <summary>
    /// The features of row <paramref name="index"/> (already checked to be a row of this dataset): float rows in place,
    /// byte rows widened (and standardized, with a byte standardizer) into <paramref name="scratch"/>, which must then hold
    /// <see cref="Features"/> floats.
    /// </summary>
    internal ReadOnlySpan<float> Row(int index, Span<float> scratch)
    {
        if (_byteRows is null)
        {
            return _features.Span.Slice(Source(index) * Stride, Features);
        }

        ref readonly byte source = ref MemoryMarshal.AsBytes(_features.Span)[Source(index) * Stride];
        ref float destination = ref MemoryMarshal.GetReference(scratch[..Features]);
        if (Vector512.IsHardwareAccelerated)
        {
            ByteRowKernel.WidenRow<Simd512, Vector512<float>>(in source, _byteRows!, ref destination, Features);
        }
        else if (Vector256.IsHardwareAccelerated)
        {
            ByteRowKernel.WidenRow<Simd256, Vector256<float>>(in source, _byteRows!, ref destination, Features);
        }
        else
        {
            ByteRowKernel.WidenRow<SimdScalar, float>(in source, _byteRows!, ref destination, Features);
        }

        return scratch[..Features];
    }

    /// <summary>This byte dataset, sharing its rows, standardized by <paramref name="standardizer"/> as the rows are widened.</summary>
    internal Dataset WithByteStandardizer(Standardizer standardizer) =>
        new Dataset(_features, Stride, Count, Features, _rows, _labels, Classes, _classNames, _targets, TargetCount, _weights, _byteRows!.WithStandardizer(standardizer)).WithNamesOf(this);

    /// <summary>The bytes between stored byte rows: as many as <see cref="RowStride"/> has floats, and at least a word.</summary>
    internal static int ByteStride(int featureCount) => Math.Max(sizeof(float), RowStride(featureCount));
}

/// <summary>
/// How a dataset's byte rows become float rows: widened, divided by <see cref="Divisor"/> unless it is 1 (IDX pixels are
/// bytes / 255: the rows' units stay those of the floats the dataset would otherwise hold), then standardized by
/// <see cref="Standardizer"/> if it is not null.
/// </summary>
internal sealed class ByteRowFormat(Standardizer? standardizer, float divisor = 1f)
{
    /// <summary>Bytes widened as they are.</summary>
    public static ByteRowFormat Plain { get; } = new(null);

    /// <summary>The standardizer applied as the rows are widened, or null.</summary>
    public Standardizer? Standardizer { get; } = standardizer;

    /// <summary>What each byte is divided by (exactly: the float quotient, as <c>b / divisor</c> rounds it), 1 for none.</summary>
    public float Divisor { get; } = divisor;

    /// <summary>Whether the bytes are the values themselves (no divisor).</summary>
    public bool IsWhole => Divisor == 1f;

    /// <summary>Bytes divided by <paramref name="divisor"/> (255 for pixels).</summary>
    /// <exception cref="ArgumentException">For some byte the widening's quotient (<see cref="ByteRowKernel.Quotient"/>, from the
    /// reciprocal with one correction) would not be the division's: every byte is checked, once.</exception>
    public static ByteRowFormat Divided(float divisor)
    {
        float reciprocal = 1f / divisor;
        for (int b = 0; b < 256; b++)
        {
            if (BitConverter.SingleToInt32Bits(ByteRowKernel.Quotient((float)b, divisor, reciprocal)) != BitConverter.SingleToInt32Bits(b / divisor))
            {
                throw new ArgumentException($"Bytes divided by {divisor} would not widen exactly ({b} / {divisor}).", nameof(divisor));
            }
        }

        return new(null, divisor);
    }

    /// <summary>This format, then <paramref name="standardizer"/>.</summary>
    public ByteRowFormat WithStandardizer(Standardizer standardizer) => new(standardizer, Divisor);
}
