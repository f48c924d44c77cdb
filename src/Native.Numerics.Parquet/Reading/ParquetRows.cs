namespace Native.Numerics.Parquet;

/// <summary>
/// Parquet files' rows read once for a row cache's first pass (<see cref="ParquetFile.OpenRows"/>): the same selection,
/// conversions and errors as <see cref="ParquetFile.Read(string, ParquetOptions?)"/>, a row group at a time, each label
/// given as an id (or a target) and only the distinct labels kept.
/// </summary>
internal sealed class ParquetRows : RowReader
{
    private readonly IReadOnlyList<string> _files;
    private readonly Selection _selection;
    private readonly ParquetOptions _options;
    private readonly RowBatches _batches;
    private readonly Labels _labels;
    private readonly string? _firstName;
    private long _rows;

    public ParquetRows(ParquetSource first, IReadOnlyList<string> files, Selection selection, ParquetOptions options)
    {
        _files = files;
        _selection = selection;
        _options = options;
        _firstName = first.Name;
        ParquetColumn label = first.Find(selection.Label!)!;
        _labels = Parquet.Labels.For(selection.LabelKind, label, first.Name, keep: false);
        _batches = new RowBatches(first, files, selection, options);
    }

    public override int Features => _batches.Features;

    public override RowLabelKind Labels => _selection.LabelKind == LabelKind.Targets ? RowLabelKind.Targets : RowLabelKind.Ids;

    public override IReadOnlyList<string> FeatureNames => _selection.Features;

    public override string? LabelName => _selection.Label;

    public override IReadOnlyList<string> Files => _files;

    /// <summary>The options that change what is read: the label column, the kind of labels, the feature columns.</summary>
    public override string Description => $"parquet; label {_selection.Label}; labels {_selection.LabelKind}; features {string.Join(",", _selection.Features)}; expansion {_options.MaxExpansion}";

    public override int Read(Span<float> rows, int stride, int count, Span<int> labelIds, Span<float> targets)
    {
        int read = 0;
        while (read < count)
        {
            int got = _batches.Read(rows[(read * stride)..], count - read, _labels, stride);
            if (got == 0)
            {
                break;
            }

            if (Labels == RowLabelKind.Ids)
            {
                _labels.BatchIds.CopyTo(labelIds[read..]);
            }
            else
            {
                _labels.BatchTargets.CopyTo(targets[read..]);
            }

            read += got;
        }

        _rows += read;
        return read;
    }

    public override RowLabels Finish()
    {
        if (_rows == 0)
        {
            throw FileFormatException.InFile(_firstName, "the file has a schema but no rows; expected at least one row.");
        }

        if (Labels == RowLabelKind.Targets)
        {
            return RowLabels.Targets;
        }

        (int[] classOf, string[] names) = _labels.ClassesOfIds(_firstName, _selection.Label!);
        return RowLabels.FromClasses(classOf, names);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _batches.Dispose();
        }

        base.Dispose(disposing);
    }
}
