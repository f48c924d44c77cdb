using System.Numerics;
using System.Runtime.InteropServices;
using Native.Numerics.Kernels;
using Native.Numerics.Streaming;

namespace Native.Numerics;

// Views of a row source (splits, standardized rows) and its rows read back in order.
public sealed partial class RowSource
{
    /// <summary>
    /// Splits the rows at random, fixed by <paramref name="seed"/>, into a training side and a test side of
    /// round(<paramref name="testFraction"/> × <see cref="Count"/>) rows — with <paramref name="stratify"/>, round(fraction ×
    /// n_c) of each class c's rows. Both sides share the cache and cost a bit per cache row.
    /// </summary>
    /// <remarks>
    /// Each row is chosen by selection sampling in row order (Knuth's algorithm S: the next row of a group goes to the test
    /// side with probability (quota left) / (rows of the group left)), so the test side holds exactly its quota, every
    /// subset of that size equally likely, in one pass over the labels and no memory beyond the two bitmaps.
    /// </remarks>
    /// <exception cref="ArgumentException">The fraction is not strictly between 0 and 1 or leaves a side empty, or a regression is stratified.</exception>
    public (RowSource Training, RowSource Test) Split(double testFraction, int seed, bool stratify = false)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (!(testFraction > 0 && testFraction < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(testFraction), testFraction, "The test fraction must be strictly between 0 and 1.");
        }

        if (stratify && !HasLabels)
        {
            throw new ArgumentException("Only rows with class labels can be stratified: regression rows have no classes.", nameof(stratify));
        }

        long[] sizes = stratify ? ClassCountsOfView() : [Count];
        long[] quota = new long[sizes.Length];
        long testCount = 0;
        for (int g = 0; g < sizes.Length; g++)
        {
            quota[g] = (long)Math.Round(testFraction * sizes[g], MidpointRounding.AwayFromZero);
            testCount += quota[g];
        }

        if (testCount == 0 || testCount == Count)
        {
            string side = testCount == 0 ? "test" : "training";
            throw new ArgumentException($"A test fraction of {testFraction} of {Count} rows{(stratify ? ", class by class," : string.Empty)} leaves the {side} set empty.", nameof(testFraction));
        }

        long words = (Layout.Rows + 63) / 64;
        ulong[] training = new ulong[words], test = new ulong[words];
        long[] left = (long[])sizes.Clone();
        var random = new SeededRandom(seed);
        var gather = new RowGather(this);
        ReadOnlySpan<ulong> included = _included;
        for (int b = 0; b < Layout.Blocks.Length; b++)
        {
            long first = (long)b * Layout.BlockRows;
            BlockEntry entry = Layout.Blocks[b];
            if (stratify)
            {
                Cache.Verify(b);
            }

            for (int r = 0; r < entry.Rows; r++)
            {
                long row = first + r;
                if (!RowGather.Includes(included, row))
                {
                    continue;
                }

                int g = stratify ? gather.Class(ref Cache.Block(b), entry, r) : 0;
                bool toTest = quota[g] > 0 && random.NextDouble() * left[g] < quota[g];
                left[g]--;
                if (toTest)
                {
                    quota[g]--;
                }

                (toTest ? test : training)[row >> 6] |= 1UL << (int)(row & 63);
            }
        }

        return (View(training, Count - testCount), View(test, testCount));
    }

    /// <summary>
    /// These rows read back in order, as floats (standardized, if this row source is): labels as classes (each row's id is
    /// its class) or targets. The reader shares the cache; it allocates nothing per row.
    /// </summary>
    public RowReader ReadRows()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return new SourceReader(this, _standardizer);
    }

    /// <summary>A view of the same rows whose features are standardized by <paramref name="standardizer"/> as they are read.</summary>
    internal RowSource WithStandardizer(Standardizer standardizer)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return new RowSource(_shared, _included, Count, standardizer, _targetStandardizer);
    }

    /// <summary>A view of the same rows whose targets are standardized by <paramref name="targets"/> as they are read.</summary>
    internal RowSource WithTargetStandardizer(TargetStandardizer targets)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return new RowSource(_shared, _included, Count, _standardizer, targets);
    }

    private RowSource View(ulong[] included, long count) => new(_shared, included, count, _standardizer, _targetStandardizer);

    /// <summary>The rows of each class in this view: the cache's counts, or counted from the labels for a view.</summary>
    internal long[] ClassCountsOfView()
    {
        if (_included is null)
        {
            return (long[])Layout.ClassCounts.Clone();
        }

        long[] counts = new long[Classes];
        var gather = new RowGather(this);
        for (int b = 0; b < Layout.Blocks.Length; b++)
        {
            Cache.Verify(b);
            BlockEntry entry = Layout.Blocks[b];
            for (int r = 0; r < entry.Rows; r++)
            {
                if (RowGather.Includes(_included, ((long)b * Layout.BlockRows) + r))
                {
                    counts[gather.Class(ref Cache.Block(b), entry, r)]++;
                }
            }
        }

        return counts;
    }

    /// <summary>The standardizer of a view's rows, in two passes over them as <see cref="Standardizer.Fit(Dataset)"/> takes.</summary>
    private Standardizer FitByPasses()
    {
        var statistics = new FeatureStatistics(Features);
        int stride = Dataset.RowStride(Features), blockRows = Layout.BlockRows;
        var rows = new AlignedBuffer(checked(blockRows * stride));
        using RowReader reader = new SourceReader(this, standardizer: null);
        int[] ids = new int[blockRows];
        float[] targets = new float[blockRows];
        int read;
        while ((read = reader.Read(rows.Span, stride, blockRows, ids, targets)) > 0)
        {
            statistics.Add(rows.Span, stride, read);
        }

        return statistics.ToStandardizer();
    }

    /// <summary>A reader of these rows that can start again (<see cref="SourceReader.Rewind"/>): for measuring each epoch without allocating.</summary>
    internal SourceReader CreateReader() => new(this, _standardizer);

    /// <summary>A row source's rows, in order (<see cref="ReadRows"/>).</summary>
    internal sealed class SourceReader : RowReader
    {
        private readonly RowSource _source;
        private readonly RowGather _gather;
        private int _block;
        private int _row;

        public SourceReader(RowSource source, Standardizer? standardizer)
        {
            // A holder of its own, so the cache outlives the row source it was read from while the reader is open.
            _source = new RowSource(source._shared, source._included, source.Count, standardizer, source._targetStandardizer);
            _gather = new RowGather(_source);
        }

        public override int Features => _source.Features;

        /// <summary>The rows read.</summary>
        public long Count => _source.Count;

        /// <summary>Starts again from the first row.</summary>
        public void Rewind() => (_block, _row) = (0, 0);

        public override RowLabelKind Labels => _source.HasLabels ? RowLabelKind.Ids : RowLabelKind.Targets;

        public override IReadOnlyList<string> FeatureNames => _source.FeatureNames;

        public override string? LabelName => _source.LabelName;

        public override string Description => _source.Layout.Description;

        public override int Read(Span<float> rows, int stride, int count, Span<int> labelIds, Span<float> targets)
        {
            RowCacheLayout layout = _source.Layout;
            ReadOnlySpan<ulong> included = _source._included;
            int features = layout.Features, read = 0;
            while (read < count && _block < layout.Blocks.Length)
            {
                BlockEntry entry = layout.Blocks[_block];
                if (_row == 0)
                {
                    _source.Cache.Verify(_block);
                }

                ref byte block = ref _source.Cache.Block(_block);
                long first = (long)_block * layout.BlockRows;
                for (; _row < entry.Rows && read < count; _row++)
                {
                    if (!RowGather.Includes(included, first + _row))
                    {
                        continue;
                    }

                    _gather.Row(ref block, entry, _row, rows.Slice(read * stride, features));
                    if (_gather.Classes)
                    {
                        labelIds[read] = _gather.Class(ref block, entry, _row);
                    }
                    else
                    {
                        targets[read] = _gather.Target(ref block, entry, _row);
                    }

                    read++;
                }

                if (_row == entry.Rows)
                {
                    _block++;
                    _row = 0;
                }
            }

            return read;
        }

        public override RowLabels Finish() => _source.HasLabels
            ? (_source.ClassNames.Count > 0 ? RowLabels.FromClasses([.. Enumerable.Range(0, _source.Classes)], _source.ClassNames) : RowLabels.Unnamed(_source.Classes))
            : RowLabels.Targets;

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _source.Dispose();
            }

            base.Dispose(disposing);
        }
    }

    /// <summary>A dataset's rows for the first pass of <see cref="FromDataset"/>: labels are their own ids.</summary>
    private sealed class DatasetReader(Dataset data) : RowReader
    {
        private int _next;

        public override int Features => data.Features;

        public override RowLabelKind Labels => data.HasLabels ? RowLabelKind.Ids : RowLabelKind.Targets;

        public override IReadOnlyList<string> FeatureNames => data.FeatureNames;

        public override string? LabelName => data.LabelName;

        public override string Description => "dataset";

        public override int Read(Span<float> rows, int stride, int count, Span<int> labelIds, Span<float> targets)
        {
            int read = Math.Min(count, data.Count - _next);
            for (int i = 0; i < read; i++)
            {
                data.Row(_next + i).CopyTo(rows[(i * stride)..]);
                if (data.HasLabels)
                {
                    labelIds[i] = data.LabelAt(_next + i);
                }
                else
                {
                    targets[i] = data.Targets[_next + i];
                }
            }

            _next += read;
            return read;
        }

        public override RowLabels Finish() => !data.HasLabels
            ? RowLabels.Targets
            : data.ClassNames.Count > 0 ? RowLabels.FromClasses([.. Enumerable.Range(0, data.Classes)], data.ClassNames) : RowLabels.Unnamed(data.Classes);
    }
}
