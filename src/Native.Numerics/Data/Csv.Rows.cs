using System.Globalization;

namespace Native.Numerics;

// CSV files' rows read once, a block at a time, for a row cache's first pass: the same reading as Read (the same
// header rules, numbers, labels and errors), with nothing kept per row.
public static partial class Csv
{
    /// <summary>
    /// Opens the CSV file at <paramref name="path"/> to be read once, a block of rows at a time, by a
    /// <see cref="RowSource"/>'s first pass: the same rules, numbers, labels and errors as <see cref="Read(string, CsvOptions?)"/>,
    /// but nothing is kept per row (each label's id is given, not kept), so a file of any size can be read. The header is
    /// read here.
    /// </summary>
    /// <param name="path">The file.</param>
    /// <param name="options">Which column is the label and what the labels are; null for the defaults.</param>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="FileFormatException">The header is not valid.</exception>
    /// <exception cref="ArgumentException">The options contradict themselves.</exception>
    public static RowReader OpenRows(string path, CsvOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        return OpenRows([path], options);
    }

    /// <summary>
    /// Opens CSV files to be read once, one after another, as one table (<see cref="OpenRows(string, CsvOptions?)"/>): every
    /// file's header names the same columns in the same order; a label's class is the same whichever file it is in. The
    /// first file's header is read here, each other's when it is reached.
    /// </summary>
    /// <param name="paths">The files, in the order their rows are read.</param>
    /// <param name="options">Which column is the label and what the labels are; null for the defaults.</param>
    /// <exception cref="FileNotFoundException">The first file does not exist.</exception>
    /// <exception cref="FileFormatException">The first file's header is not valid.</exception>
    /// <exception cref="ArgumentException">No file is named, or the options contradict themselves.</exception>
    public static RowReader OpenRows(IReadOnlyList<string> paths, CsvOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(paths);
        if (paths.Count == 0)
        {
            throw new ArgumentException("No CSV file is named.", nameof(paths));
        }

        foreach (string path in paths)
        {
            ArgumentException.ThrowIfNullOrEmpty(path, nameof(paths));
        }

        CheckOptions(options);
        return new CsvRowReader([.. paths], options ?? Default);
    }

    /// <summary>CSV files' rows for a first pass (<see cref="OpenRows(IReadOnlyList{string}, CsvOptions?)"/>), a file at a time.</summary>
    private sealed class CsvRowReader : RowReader
    {
        private readonly string[] _paths;
        private readonly CsvOptions _options;
        private readonly string[] _featureNames;
        private readonly string _labelName;
        private CsvLabelColumn? _labels;
        private FileStream _file = null!;
        private Builder _builder = null!;
        private int _current;
        private int _firstHeaderLine;
        private int _firstHeaderLabelColumn;
        private long _rows;

        public CsvRowReader(string[] paths, CsvOptions options)
        {
            _paths = paths;
            _options = options;
            OpenFile(0);
            _featureNames = _builder.FeatureNames;
            _labelName = _builder.LabelName;
            _firstHeaderLine = _builder.HeaderLine;
            _firstHeaderLabelColumn = _builder.HeaderLabelColumn;
        }

        public override int Features => _featureNames.Length;

        public override RowLabelKind Labels => _options.Labels == CsvLabels.Regression ? RowLabelKind.Targets : RowLabelKind.Ids;

        public override IReadOnlyList<string> FeatureNames => _featureNames;

        public override string? LabelName => _labelName;

        public override IReadOnlyList<string> Files => _paths;

        /// <summary>The options that change what is read: the label column, the kind of labels, the separator (the limits only refuse).</summary>
        public override string Description => string.Create(CultureInfo.InvariantCulture, $"csv; label {_labelName}; labels {_options.Labels}; separator U+{(int)_options.Separator:X4}{(_options.ThousandsSeparator is char thousands ? $"; thousands U+{(int)thousands:X4}" : "")}");

        public override int Read(Span<float> rows, int stride, int count, Span<int> labelIds, Span<float> targets)
        {
            int read = 0;
            while (read < count)
            {
                int got = _builder.ReadRows(rows[(read * stride)..], stride, count - read, labelIds[read..], targets[read..]);
                read += got;
                _rows += got;
                if (read < count)
                {
                    if (_current + 1 >= _paths.Length)
                    {
                        break;
                    }

                    _file.Dispose();
                    OpenFile(_current + 1);
                }
            }

            return read;
        }

        public override RowLabels Finish()
        {
            if (_rows == 0)
            {
                throw FileFormatException.AtLine(_paths[0], _firstHeaderLine, 1, _paths.Length == 1
                    ? "the file has a header but no data rows; expected at least one row after it."
                    : "the files have headers but no data rows; expected at least one row after them.");
            }

            _labels!.File = _paths[0];
            return _labels.Finish((int)Math.Min(_rows, int.MaxValue), _firstHeaderLine, _firstHeaderLabelColumn);
        }

        /// <summary>Opens file <paramref name="index"/> and reads its header, which must name the first file's columns.</summary>
        private void OpenFile(int index)
        {
            string path = _paths[index];
            var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 64 * 1024, FileOptions.SequentialScan);
            try
            {
                var builder = new Builder(new CsvRecordReader(file, path, _options), path, _options, file.Length, _labels);
                builder.Start();
                if (index > 0 && (!builder.FeatureNames.AsSpan().SequenceEqual(_featureNames) || builder.LabelName != _labelName))
                {
                    throw FileFormatException.AtLine(path, builder.HeaderLine, 1, $"the header names other columns than the first file's ('{_paths[0]}'): expected {Quote(string.Join(_options.Separator, _featureNames))} and the label {Quote(_labelName)}.");
                }

                _labels = builder.Labels;
                _labels.File = path;
                _file = file;
                _builder = builder;
                _current = index;
            }
            catch
            {
                file.Dispose();
                throw;
            }
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _file.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
