using System.Globalization;
using System.Text;
using Native.Numerics.Kernels;

namespace Native.Numerics;

// The reading itself: records to features, labels and names, checked as they come (the public surface is in Csv.cs).
public static partial class Csv
{
    /// <summary>Reads the records and gathers features and labels.</summary>
    private sealed class Builder(CsvRecordReader records, string? name, CsvOptions options, long? textBytes, CsvLabelColumn? sharedLabels = null)
    {
        private readonly List<string> _columns = [];
        private CsvLabelColumn _labels = null!;
        private CsvRows _features = null!;
        private int _rows;
        private int _labelColumn;
        private int _headerLine;
        private int _headerLabelColumn;

        public Dataset Read()
        {
            ReadHeader();
            int featureCount = _columns.Count - 1;
            _features = new CsvRows(featureCount, textBytes);
            while (records.Next(expectedFields: _columns.Count))
            {
                ReadRow(featureCount);
            }

            if (_rows == 0)
            {
                throw FileFormatException.AtLine(name, _headerLine, 1, "the file has a header but no data rows; expected at least one row after it.");
            }

            AlignedBuffer features = _features.Finish();
            Dataset data = _labels.Build(features, _rows, featureCount, _headerLine, _headerLabelColumn);
            return data.WithFeatureNames([.. _columns.Where((_, j) => j != _labelColumn)], _columns[_labelColumn]);
        }

        /// <summary>The features per row (once the header is read).</summary>
        public int FeatureCount => _columns.Count - 1;

        /// <summary>The feature columns' names, in order (once the header is read).</summary>
        public string[] FeatureNames => [.. _columns.Where((_, j) => j != _labelColumn)];

        /// <summary>The label column's name (once the header is read).</summary>
        public string LabelName => _columns[_labelColumn];

        /// <summary>The header's line (once it is read).</summary>
        public int HeaderLine => _headerLine;

        /// <summary>The label's column in the header's line (once it is read).</summary>
        public int HeaderLabelColumn => _headerLabelColumn;

        /// <summary>The label column's reading (once the header is read); another file's when it was given one to share.</summary>
        public CsvLabelColumn Labels => _labels;

        /// <summary>Reads the header, for reading the rows a block at a time (<see cref="ReadRows"/>).</summary>
        public void Start() => ReadHeader();

        /// <summary>
        /// Reads up to <paramref name="count"/> rows into <paramref name="rows"/> (<paramref name="stride"/> floats apart),
        /// each label as an id (<paramref name="ids"/>) or, for a regression, a target; nothing is kept per row.
        /// </summary>
        public int ReadRows(Span<float> rows, int stride, int count, Span<int> ids, Span<float> targets)
        {
            int featureCount = FeatureCount, read = 0;
            while (read < count && records.Next(expectedFields: _columns.Count))
            {
                CheckFieldCount();
                ReadOnlySpan<char> label = ReadFeatures(rows.Slice(read * stride, featureCount));
                if (options.Labels == CsvLabels.Regression)
                {
                    targets[read] = _labels.Target(label, records.LineOf(_labelColumn), records.ColumnOf(_labelColumn));
                }
                else
                {
                    ids[read] = _labels.Id(label, records.LineOf(_labelColumn), records.ColumnOf(_labelColumn));
                }

                read++;
                _rows++;
            }

            return read;
        }

        private void ReadHeader()
        {
            if (!records.Next())
            {
                throw FileFormatException.AtLine(name, 1, 1, "the file is empty; expected a header row naming the columns, then data rows.");
            }

            _headerLine = records.Line;
            bool numbers = true;
            for (int j = 0; j < records.FieldCount; j++)
            {
                ReadOnlySpan<char> text = records.Text(j);
                _columns.Add(text.ToString());
                numbers &= TryParseNumber(text, out _);
            }

            if (numbers)
            {
                throw FileFormatException.AtLine(name, _headerLine, 1, $"the first row holds only numbers ({Quote(string.Join(options.Separator, _columns))}); expected a header row naming the columns.");
            }

            if (_columns.Count < 2)
            {
                throw FileFormatException.AtLine(name, _headerLine, 1, $"the header has 1 column ({Quote(_columns[0])}); expected at least 2: features and a label (is the separator '{options.Separator}' right?).");
            }

            if (options.LabelColumn is string label)
            {
                int first = _columns.IndexOf(label);
                if (first < 0)
                {
                    throw FileFormatException.AtLine(name, _headerLine, 1, $"no column is named {Quote(label)}, the label{TableHeader.Suggestion(_columns, label)}; the header names {TableHeader.NameList(_columns)}.");
                }

                if (_columns.LastIndexOf(label) != first)
                {
                    throw FileFormatException.AtLine(name, _headerLine, records.ColumnOf(_columns.LastIndexOf(label)), $"two columns are named {Quote(label)}; which is the label?");
                }

                _labelColumn = first;
            }
            else if (options.LabelIndex is int index)
            {
                if (index >= _columns.Count)
                {
                    throw FileFormatException.AtLine(name, _headerLine, 1, string.Create(CultureInfo.InvariantCulture, $"the label column index is {index}, but the header has {_columns.Count} columns (0 to {_columns.Count - 1})."));
                }

                _labelColumn = index;
            }
            else
            {
                _labelColumn = _columns.Count - 1;
            }

            _headerLabelColumn = records.ColumnOf(_labelColumn);
            _labels = sharedLabels ?? new CsvLabelColumn(name, _columns[_labelColumn], options.Labels, thousands: options.ThousandsSeparator ?? '\0');
        }

        private void ReadRow(int featureCount)
        {
            CheckFieldCount();
            if (!Dataset.Fits(_rows + 1L, featureCount))
            {
                throw FileFormatException.AtLine(name, records.Line, 1, string.Create(CultureInfo.InvariantCulture, $"too many rows: {_rows + 1} rows of {featureCount} features are more than one dataset can hold."));
            }

            ReadOnlySpan<char> label = ReadFeatures(_features.Next(records.ConsumedBytes));
            _labels.Add(label, records.LineOf(_labelColumn), records.ColumnOf(_labelColumn));
            _rows++;
        }

        /// <summary>A record with as many fields as the header, or an error where it differs.</summary>
        private void CheckFieldCount()
        {
            int count = records.FieldCount;
            if (count != _columns.Count)
            {
                int at = Math.Min(count, _columns.Count) - (count > _columns.Count ? 0 : 1);
                throw FileFormatException.AtLine(name, records.LineOf(at), records.ColumnOf(at), string.Create(CultureInfo.InvariantCulture, $"expected {_columns.Count} fields, as in the header; found {(count > _columns.Count ? $"more than {_columns.Count}" : count.ToString(CultureInfo.InvariantCulture))}."));
            }
        }

        /// <summary>The record's features (those before the label column, then those after it) into <paramref name="row"/>; its label's text, trimmed, not empty.</summary>
        private ReadOnlySpan<char> ReadFeatures(Span<float> row)
        {
            ReadOnlySpan<CsvRecordReader.FieldSpan> fields = records.Fields;
            ReadFeatures(fields[.._labelColumn], row[.._labelColumn], 0);
            ReadFeatures(fields[(_labelColumn + 1)..], row[_labelColumn..], _labelColumn + 1);

            ReadOnlySpan<char> label = records.Text(_labelColumn).Trim();
            if (label.IsEmpty)
            {
                throw Error(_labelColumn, "the label is missing (empty).");
            }

            return label;
        }

        /// <summary>
        /// Reads the features of <paramref name="fields"/> (the record's fields from <paramref name="firstField"/> on) into
        /// <paramref name="destination"/>: by the fast path, and each field it leaves by the full parser.
        /// </summary>
        private void ReadFeatures(ReadOnlySpan<CsvRecordReader.FieldSpan> fields, Span<float> destination, int firstField)
        {
            ReadOnlySpan<char> text = records.RecordText;
            for (int j = CsvNumber.TryParseFields(text, fields, destination); j < fields.Length; j += 1 + CsvNumber.TryParseFields(text, fields[(j + 1)..], destination[(j + 1)..]))
            {
                destination[j] = Number(firstField + j, "feature");
            }
        }

        /// <summary>The finite float in field <paramref name="j"/>, or an error saying what is there instead.</summary>
        private float Number(int j, string what)
        {
            ReadOnlySpan<char> text = records.Text(j);
            if (text.IsWhiteSpace())
            {
                throw Error(j, $"the {what} is empty; expected a number.");
            }

            if (!TryParseNumber(text, out float value) && !Grouped(j, text, what, out value))
            {
                throw Error(j, $"the {what} is {Quote(text)}, which is not a number (invariant culture: digits, '.' for decimals, an optional exponent{(options.ThousandsSeparator is char t ? $", {Quote([t])} between groups of three" : "")}).");
            }

            if (!float.IsFinite(value))
            {
                throw Error(j, CsvLabelColumn.NonFinite(text, what));
            }

            return value;
        }

        /// <summary>
        /// Reads a number with the options' thousands separator ("1,037.5"), when they have one; false for text that is
        /// not such a number. One whose groups are not of three digits ("1,03") is an error at its place.
        /// </summary>
        private bool Grouped(int j, ReadOnlySpan<char> text, string what, out float value)
        {
            value = 0f;
            return options.ThousandsSeparator is char thousands && CsvNumber.TryParseGrouped(text, thousands, decimalComma: false, out value) switch
            {
                GroupedNumber.Number => true,
                GroupedNumber.Malformed => throw Error(j, $"the {what} is {Quote(text)}, not a number with thousands separators: {TableText.GroupingRule(thousands, decimalComma: false)}."),
                _ => false,
            };
        }

        private FileFormatException Error(int j, string message)
        {
            return FileFormatException.AtLine(name, records.LineOf(j), records.ColumnOf(j), $"column {Quote(_columns[j])}: {message}");
        }
    }
}
