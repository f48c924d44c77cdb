using System.Runtime.InteropServices;
using Native.Numerics.Kernels;

namespace Native.Numerics.Streaming;

/// <summary>
/// A row cache's first pass: reads every row of a <see cref="RowReader"/> once, a block at a time, and writes each block in
/// its most compact exact form (<see cref="BlockCodec"/>) with its labels and checksum, gathering as it goes what training
/// needs before its first step — the label ids' counts, the classes, the features' statistics; then the trailer and the
/// header. Nothing is held but one block.
/// </summary>
internal static class RowCacheWriter
{
    /// <summary>Writes the cache of <paramref name="reader"/>'s rows to <paramref name="destination"/> (seekable, empty).</summary>
    /// <exception cref="FileFormatException">The rows are not valid (the reader's message), there are none, or a value does not fit the storage asked for.</exception>
    public static void Write(RowReader reader, Stream destination, RowStorage storage, CancellationToken cancellationToken)
    {
        int features = reader.Features;
        int stride = Dataset.RowStride(features);
        int blockRows = RowCacheLayout.BlockRowsFor(features);
        var rows = new AlignedBuffer(checked(blockRows * stride));
        int[] ids = new int[blockRows];
        float[] targets = new float[blockRows];
        byte[] encoded = GC.AllocateUninitializedArray<byte>(checked((int)(BlockCodec.Align((long)blockRows * BlockCodec.RowBytes(BlockType.Float32, features)) + BlockCodec.Align(blockRows * 4L))));
        var statistics = new FeatureStatistics(features);
        var blocks = new List<BlockEntry>();
        var idCounts = new List<long>();
        bool byIds = reader.Labels == RowLabelKind.Ids;

        destination.Write(new byte[RowCacheLayout.FirstBlock]);
        long offset = RowCacheLayout.FirstBlock, total = 0;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            int count = Fill(reader, rows.Span, stride, blockRows, ids, targets);
            if (count == 0)
            {
                break;
            }

            statistics.Add(rows.Span, stride, count);
            (BlockType type, float divisor) = Choose(rows.Span, stride, count, features, storage);
            int rowBytes = count * BlockCodec.RowBytes(type, features);
            (int badRow, int badFeature) = BlockCodec.Encode(rows.Span, stride, count, features, type, divisor, encoded);
            if (badRow >= 0)
            {
                string name = reader.FeatureNames.Count > 0 ? $"'{reader.FeatureNames[badFeature]}'" : $"{badFeature}";
                throw FileFormatException.InFile(reader.Files.Count > 0 ? reader.Files[0] : null, RowCacheLayout.Invariant($"row {total + badRow}, feature {name}: {rows.Span[(badRow * stride) + badFeature]} is beyond float16's range (±65,504); store these rows as bfloat16 or float32."));
            }

            // The labels after the rows: ids (as ints) or targets (as floats), each 4 bytes.
            int labelsAt = (int)BlockCodec.Align(rowBytes);
            encoded.AsSpan(rowBytes, labelsAt - rowBytes).Clear();
            Span<byte> labels = encoded.AsSpan(labelsAt, count * 4);
            if (byIds)
            {
                MemoryMarshal.AsBytes(ids.AsSpan(0, count)).CopyTo(labels);
                Count(ids.AsSpan(0, count), idCounts);
            }
            else
            {
                MemoryMarshal.AsBytes(targets.AsSpan(0, count)).CopyTo(labels);
            }

            int length = labelsAt + (int)BlockCodec.Align(count * 4L);
            encoded.AsSpan(labelsAt + (count * 4), length - labelsAt - (count * 4)).Clear();
            ReadOnlySpan<byte> block = encoded.AsSpan(0, length);
            destination.Write(block);
            blocks.Add(new BlockEntry(offset, count, type, divisor, RowCacheLayout.Checksum(block)));
            offset += length;
            total += count;
            if (count < blockRows)
            {
                break;
            }
        }

        string? file = reader.Files.Count > 0 ? reader.Files[0] : null;
        if (total == 0)
        {
            throw FileFormatException.InFile(file, "there are no rows; expected at least one row to learn from.");
        }

        var layout = new RowCacheLayout
        {
            Rows = total,
            Features = features,
            BlockRows = blockRows,
            Storage = storage,
            Description = reader.Description,
            Files = [.. reader.Files.Select(SourceFile.Now)],
            LabelName = reader.LabelName,
            FeatureNames = [.. reader.FeatureNames],
            Statistics = statistics,
            Blocks = [.. blocks],
        };
        SetLabels(layout, reader.Finish(), idCounts, byIds);
        layout.TrailerOffset = offset;
        byte[] trailer = layout.WriteTrailer();
        layout.TrailerLength = trailer.Length;
        layout.TrailerChecksum = RowCacheLayout.Checksum(trailer);
        layout.FileLength = offset + trailer.Length;
        destination.Write(trailer);
        destination.Position = 0;
        destination.Write(layout.WriteHeader());
        destination.Flush();
    }

    /// <summary>Reads rows until the block is full or the reader ends.</summary>
    private static int Fill(RowReader reader, Span<float> rows, int stride, int blockRows, int[] ids, float[] targets)
    {
        int count = 0;
        while (count < blockRows)
        {
            int read = reader.Read(rows[(count * stride)..], stride, blockRows - count, ids.AsSpan(count), targets.AsSpan(count));
            if (read == 0)
            {
                break;
            }

            count += read;
        }

        return count;
    }

    /// <summary>The form a block takes: bytes where its values allow, else the storage asked for.</summary>
    private static (BlockType Type, float Divisor) Choose(ReadOnlySpan<float> rows, int stride, int count, int features, RowStorage storage)
    {
        if (storage != RowStorage.Float32)
        {
            float divisor = BlockCodec.ByteDivisor(rows, stride, count, features);
            if (divisor > 0f)
            {
                return (BlockType.Byte, divisor);
            }
        }

        return storage switch
        {
            RowStorage.Float16 => (BlockType.Float16, 1f),
            RowStorage.BFloat16 => (BlockType.BFloat16, 1f),
            _ => (BlockType.Float32, 1f),
        };
    }

    private static void Count(ReadOnlySpan<int> ids, List<long> counts)
    {
        foreach (int id in ids)
        {
            if (id < 0)
            {
                throw new InvalidOperationException($"A row reader gave the label id {id}; ids start at 0.");
            }

            while (counts.Count <= id)
            {
                counts.Add(0);
            }

            counts[id]++;
        }
    }

    /// <summary>The layout's label kind, label map and class counts, from what the ids turned out to mean.</summary>
    private static void SetLabels(RowCacheLayout layout, RowLabels labels, List<long> idCounts, bool byIds)
    {
        if (!byIds)
        {
            layout.Labels = CachedLabels.Targets;
            return;
        }

        if (labels.AreClasses)
        {
            ReadOnlySpan<int> classOf = labels.ClassOfId;
            if (classOf.Length < idCounts.Count)
            {
                throw new InvalidOperationException($"The row reader gave {idCounts.Count} label ids but classes for {classOf.Length}.");
            }

            layout.Labels = CachedLabels.Classes;
            layout.LabelMap = classOf.ToArray();
            layout.Classes = labels.Classes;
            layout.ClassNames = [.. labels.ClassNames];
            layout.ClassCounts = new long[labels.Classes];
            for (int id = 0; id < idCounts.Count; id++)
            {
                layout.ClassCounts[classOf[id]] += idCounts[id];
            }

            return;
        }

        ReadOnlySpan<float> values = labels.ValueOfId;
        if (values.Length < idCounts.Count)
        {
            throw new InvalidOperationException($"The row reader gave {idCounts.Count} label ids but values for {values.Length}.");
        }

        layout.Labels = CachedLabels.IdValues;
        layout.LabelMap = MemoryMarshal.Cast<float, int>(values).ToArray();
    }
}
