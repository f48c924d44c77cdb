using System.Globalization;

namespace Native.Numerics;

// A CSV file's rows read once, a block at a time, for a row cache's first pass: the same reading as Read (the same
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
        CheckOptions(options);
        options ??= Default;
        var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 64 * 1024, FileOptions.SequentialScan);
        try
        {
            var builder = new Builder(new CsvRecordReader(file, path, options), path, options, file.Length);
            builder.Start();
            return new CsvRowReader(file, builder, path, options);
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    /// <summary>A CSV file's rows for a first pass (<see cref="OpenRows"/>).</summary>
    private sealed class CsvRowReader(FileStream file, Builder builder, string path, CsvOptions options) : RowReader
    {
        private readonly string[] _featureNames = builder.FeatureNames;

        public override int Features => builder.FeatureCount;

        public override RowLabelKind Labels => options.Labels == CsvLabels.Regression ? RowLabelKind.Targets : RowLabelKind.Ids;

        public override IReadOnlyList<string> FeatureNames => _featureNames;

        public override string? LabelName => builder.LabelName;

        public override IReadOnlyList<string> Files => [path];

        /// <summary>The options that change what is read: the label column, the kind of labels, the separator (the limits only refuse).</summary>
        public override string Description => string.Create(CultureInfo.InvariantCulture, $"csv; label {builder.LabelName}; labels {options.Labels}; separator U+{(int)options.Separator:X4}");

        public override int Read(Span<float> rows, int stride, int count, Span<int> labelIds, Span<float> targets) =>
            builder.ReadRows(rows, stride, count, labelIds, targets);

        public override RowLabels Finish() => builder.FinishRows();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                file.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
