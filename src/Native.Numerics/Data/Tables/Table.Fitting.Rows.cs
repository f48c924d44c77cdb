using Native.Numerics.Kernels;

namespace Native.Numerics;

// Fitting a pipeline to a table, its last steps: the rows encoded from the columns, and the standardizer fitted to them.
public static partial class Table
{
    private sealed partial class Fitting
    {
        /// <summary>
        /// The rows, encoded into aligned storage a block of <see cref="EncodeBlock"/> rows at a time: each column writes its
        /// part of the block's rows, which stay in cache until the last column has written, and the standardizer's first pass has read them (a column at a time over every
        /// row would bring each row's cache line in once per column).
        /// </summary>
        private AlignedBuffer Encode(List<ColumnPlan> plans, int features, RowStatistics? statistics)
        {
            int stride = Dataset.RowStride(features);
            // Not zeroed by the GC: each block is cleared just before its columns write it, so its lines are in cache.
            var storage = AlignedBuffer.Uninitialized(checked(_rows * stride));
            Span<float> rows = storage.Span;
            for (int start = 0; start < _rows; start += EncodeBlock)
            {
                int count = Math.Min(EncodeBlock, _rows - start);
                int chunk = start / ChunkedList<float>.ChunkLength, within = start % ChunkedList<float>.ChunkLength;
                Span<float> block = rows.Slice(start * stride, count * stride);
                block.Clear();
                foreach (ColumnPlan plan in plans)
                {
                    if (plan.Values is ChunkedList<float> values)
                    {
                        EncodeNumbers(plan.Column, values.Chunk(chunk).Slice(within, count), block, stride);
                    }
                    else
                    {
                        EncodeCategories(plan.Column, plan.Ids!.Chunk(chunk).Slice(within, count), plan.SlotOfId!, block, stride);
                    }
                }

                // The standardizer's first pass, while the block is in cache.
                statistics?.AddRows(block, count);
            }

            return storage;
        }

        /// <summary>A number column's values into its place of each row of <paramref name="block"/>: missing ones imputed, the indicator set.</summary>
        private static void EncodeNumbers(PipelineColumn column, ReadOnlySpan<float> values, Span<float> block, int stride)
        {
            float fill = column.Fill;
            int at = column.Offset;
            if (column.HasIndicator)
            {
                foreach (float value in values)
                {
                    bool missing = float.IsNaN(value);
                    block[at] = missing ? fill : value;
                    block[at + 1] = missing ? 1f : 0f;
                    at += stride;
                }

                return;
            }

            foreach (float value in values)
            {
                block[at] = float.IsNaN(value) ? fill : value;
                at += stride;
            }
        }

        /// <summary>A category column's ids as a 1 in each row's slot of <paramref name="block"/> (none for an unknown value without a slot).</summary>
        private static void EncodeCategories(PipelineColumn column, ReadOnlySpan<int> ids, int[] slotOfId, Span<float> block, int stride)
        {
            int offset = column.Offset, missingSlot = column.MissingSlot, otherSlot = column.OtherSlot;
            int row = 0;
            foreach (int id in ids)
            {
                int slot = id >= 0 ? slotOfId[id] : id == ColumnReading.MissingId ? missingSlot : otherSlot;
                if (slot >= 0)
                {
                    block[row + offset + slot] = 1f;
                }

                row += stride;
            }
        }

        /// <summary>
        /// The standardizer of the number features: their own mean and deviation, from the rows as encoded (the missing
        /// values as imputed; the first pass was taken as they were encoded), with <see cref="Standardizer.Fit(Dataset)"/>'s
        /// arithmetic to the bit (<see cref="RowStatistics"/>); 0 and 1 for the 0/1 features.
        /// </summary>
        private Standardizer FitStandardizer(RowStatistics statistics, ReadOnlySpan<float> rows, List<ColumnPlan> plans, int features)
        {
            float[] means = new float[features];
            float[] deviations = new float[features];
            Array.Fill(deviations, 1f);
            statistics.AddSquares(rows, _rows);
            foreach (ColumnPlan plan in plans)
            {
                if (plan.Values is not null)
                {
                    int j = plan.Column.Offset;
                    (means[j], deviations[j]) = statistics.Of(j);
                }
            }

            return Standardizer.FromStatistics(means, deviations);
        }

        /// <summary>The statistics of the number features' offsets, to be gathered as the rows are encoded.</summary>
        private static RowStatistics NumberStatistics(List<ColumnPlan> plans, int features, bool vectorized) =>
            new(Dataset.RowStride(features), [.. plans.Where(plan => plan.Values is not null).Select(plan => plan.Column.Offset).Order()], vectorized);
    }
}
