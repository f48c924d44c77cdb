using Native.Numerics.Kernels;

namespace Native.Numerics;

// Fitting a pipeline to a table, its last steps: the rows encoded from the columns, and the standardizer fitted to them.
public static partial class Table
{
    private sealed partial class Fitting
    {
        /// <summary>
        /// The rows, encoded into aligned storage a block of <see cref="EncodeBlock"/> rows at a time: each column writes its
        /// part of the block's rows, which stay in cache until the last column has written (a column at a time over every
        /// row would bring each row's cache line in once per column).
        /// </summary>
        private AlignedBuffer Encode(List<ColumnPlan> plans, int features)
        {
            int stride = Dataset.RowStride(features);
            var storage = new AlignedBuffer(checked(_rows * stride));
            Span<float> rows = storage.Span;
            for (int start = 0; start < _rows; start += EncodeBlock)
            {
                int count = Math.Min(EncodeBlock, _rows - start);
                int chunk = start / ChunkedList<float>.ChunkLength, within = start % ChunkedList<float>.ChunkLength;
                Span<float> block = rows.Slice(start * stride, count * stride);
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
        /// The standardizer of the number features: their own mean and deviation, from the columns as they were read (the
        /// missing values as imputed), with <see cref="Standardizer.Fit(Dataset)"/>'s arithmetic to the bit; 0 and 1 for the
        /// 0/1 features.
        /// </summary>
        private Standardizer FitStandardizer(List<ColumnPlan> plans, int features)
        {
            float[] means = new float[features];
            float[] deviations = new float[features];
            Array.Fill(deviations, 1f);
            foreach (ColumnPlan plan in plans)
            {
                if (plan.Values is ChunkedList<float> values)
                {
                    int j = plan.Column.Offset;
                    (means[j], deviations[j]) = Statistics(values, plan.Column.Fill, _rows);
                }
            }

            return Standardizer.FromStatistics(means, deviations);
        }

        /// <summary>
        /// One feature's mean and deviation as <see cref="Standardizer.Fit(Dataset)"/> computes them over the rows: a pass for
        /// the sum (in double, in row order) and the smallest and largest value, then one for the squared deviations from the
        /// mean; a constant feature's mean is its value and its deviation 1, as is a deviation that is 0 or not finite, or
        /// whose reciprocal is not.
        /// </summary>
        internal static (float Mean, float Deviation) Statistics(ChunkedList<float> values, float fill, int count)
        {
            double sum = 0;
            float first = values[0];
            float smallest = float.IsNaN(first) ? fill : first, largest = smallest;
            for (int chunk = 0; chunk < values.Chunks; chunk++)
            {
                foreach (float read in values.Chunk(chunk))
                {
                    float value = float.IsNaN(read) ? fill : read;
                    sum += value;
                    smallest = Math.Min(smallest, value);
                    largest = Math.Max(largest, value);
                }
            }

            double mean = smallest == largest ? smallest : sum / count;
            double squares = 0;
            for (int chunk = 0; chunk < values.Chunks; chunk++)
            {
                foreach (float read in values.Chunk(chunk))
                {
                    double centered = (float.IsNaN(read) ? fill : read) - mean;
                    squares += centered * centered;
                }
            }

            float deviation = (float)Math.Sqrt(squares / count);
            return ((float)mean, smallest == largest || !(deviation > 0f) || !float.IsFinite(deviation) || !float.IsFinite(1f / deviation) ? 1f : deviation);
        }
    }
}
