using System.Globalization;
using System.Text;
using Native.Numerics.Kernels;

namespace Native.Numerics;

/// <summary>
/// Reads a CSV file into a <see cref="Dataset"/>: a header row naming the columns, then one row per sample;
/// one column is the label (by default the last), every other column a feature.
/// </summary>
/// <remarks>
/// <para>
/// <b>Text.</b> UTF-8 (a byte-order mark is skipped; UTF-16 with its mark is read too), strictly: a byte that
/// is not valid UTF-8, and a NUL character, are errors at their line and column, never replaced. Fields separated
/// by commas (or <see cref="CsvOptions.Separator"/>), quoted as RFC 4180 says when they hold separators, quotes
/// or line breaks; lines ending in <c>\n</c> or <c>\r\n</c>; blank lines, and a trailing newline, ignored.
/// </para>
/// <para>
/// <b>Limits</b>, checked as the text streams (<see cref="CsvOptions"/>): a field of at most 65,536 characters
/// (<see cref="CsvOptions.MaxFieldLength"/>), a record of at most 16 Mi (<see cref="CsvOptions.MaxLineLength"/>),
/// at most 1 Mi fields (<see cref="CsvOptions.MaxColumns"/>); raise them in the options.
/// </para>
/// <para>
/// <b>Numbers</b> are read in the invariant culture — an optional sign, digits, a '.' before decimals, an
/// optional exponent (<c>1.5e-3</c>), surrounding spaces allowed — and must be finite floats: NaN, infinity
/// and values beyond ±3.4e38 are refused. An empty feature is refused too (there is no missing-value
/// imputation).
/// </para>
/// <para>
/// <b>Labels</b> (see <see cref="CsvLabels"/>): integers become classes in numeric order (labels −1, 3, 7
/// become classes 0, 1, 2), text becomes classes in ordinal order; either way the dataset's
/// <see cref="Dataset.ClassNames"/> keep the labels as written (integers in canonical form), so a model
/// file saved with them can say which class is which. Surrounding spaces are trimmed. Regression targets
/// are finite floats. By default the kind is inferred: all integers → classes; all numbers → targets;
/// otherwise classes named by the text.
/// </para>
/// <para>
/// <b>Errors</b> are <see cref="FileFormatException"/>s naming the file, the line and the column (in
/// characters, both 1-based) and what was found: an empty file; no header (a first row of numbers only);
/// fewer than two columns; no data rows; a row with more or fewer fields than the header (ragged); a
/// feature that is empty, not a number, or not finite; a missing (empty) label; only one class; an
/// unterminated quoted field; the label column not found.
/// </para>
/// <para>
/// <b>Memory.</b> Rows are read one at a time from the stream; what is kept is the features (as floats,
/// in a buffer that doubles as it fills), one label per row, and each distinct label once. The dataset keeps
/// the header's names: <see cref="Dataset.FeatureNames"/> and <see cref="Dataset.LabelName"/>.
/// </para>
/// </remarks>
public static partial class Csv
{
    /// <summary>The longest piece of a field quoted in an error message.</summary>
    private const int QuoteLimit = 40;

    /// <summary>Reads the CSV file at <paramref name="path"/> into a dataset.</summary>
    /// <param name="path">The file.</param>
    /// <param name="options">Which column is the label and what the labels are; null for the defaults (the last column, inferred).</param>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="FileFormatException">The file is not a valid CSV dataset; the message says where and why.</exception>
    /// <exception cref="ArgumentException">The options contradict themselves (a label column named and indexed, a negative index, a quote or line break as separator).</exception>
    public static Dataset Read(string path, CsvOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        CheckOptions(options);
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 64 * 1024, FileOptions.SequentialScan);
        return Read(file, options, path);
    }

    /// <summary>Reads CSV text from <paramref name="stream"/> (from its current position to its end) into a dataset. The stream is left open.</summary>
    /// <param name="stream">The stream; it need not be seekable.</param>
    /// <param name="options">Which column is the label and what the labels are; null for the defaults.</param>
    /// <param name="name">What to call the stream in error messages (its file name, say), or null.</param>
    /// <exception cref="FileFormatException">The content is not a valid CSV dataset.</exception>
    /// <exception cref="ArgumentException">The options contradict themselves.</exception>
    public static Dataset Read(Stream stream, CsvOptions? options = null, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        CheckOptions(options);
        return new Builder(new CsvRecordReader(stream, name, options ?? Default), name, options ?? Default, Remaining(stream)).Read();
    }

    /// <summary>The bytes left in <paramref name="stream"/>, if it can say (to size a dataset's storage once), else null.</summary>
    private static long? Remaining(Stream stream)
    {
        try
        {
            return stream.CanSeek ? Math.Max(0, stream.Length - stream.Position) : null;
        }
        catch (Exception e) when (e is NotSupportedException or IOException)
        {
            return null;
        }
    }

    private static readonly CsvOptions Default = new();

    private static void CheckOptions(CsvOptions? options)
    {
        if (options is null)
        {
            return;
        }

        if (options.LabelColumn is not null && options.LabelIndex is not null)
        {
            throw new ArgumentException("Name the label column or give its index, not both.", nameof(options));
        }

        if (options.LabelIndex is < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.LabelIndex, "The label column index must be 0 or more.");
        }

        if (!Enum.IsDefined(options.Labels))
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.Labels, "Unknown kind of labels.");
        }

        CheckLimits(options);
    }

    /// <summary>Refuses limits that would refuse every file, and a separator that cannot separate.</summary>
    internal static void CheckLimits(CsvOptions options)
    {
        if (options.Separator is '"' or '\r' or '\n')
        {
            throw new ArgumentException($"The separator cannot be a quote or a line break (got U+{(int)options.Separator:X4}).", nameof(options));
        }

        if (options.MaxFieldLength < 1 || options.MaxLineLength < 1 || options.MaxColumns < 2)
        {
            throw new ArgumentOutOfRangeException(nameof(options), "The limits must allow a field of at least 1 character, a line of at least 1 and at least 2 columns.");
        }
    }

    /// <summary>
    /// Reads a number in the invariant culture: an optional sign, digits, a '.' before decimals, an optional
    /// exponent, surrounding white space. Unlike <see cref="float.TryParse(ReadOnlySpan{char}, NumberStyles, IFormatProvider?, out float)"/>
    /// alone, refuses trailing NUL characters ("1\0" is not 1).
    /// </summary>
    internal static bool TryParseNumber(ReadOnlySpan<char> text, out float value)
    {
        value = 0f;
        return !text.Contains('\0') && float.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value);
    }

    /// <summary>A field for a message: at most <see cref="QuoteLimit"/> characters, control characters escaped.</summary>
    internal static string Quote(ReadOnlySpan<char> text)
    {
        var quoted = new StringBuilder("'");
        foreach (char c in text.Length > QuoteLimit ? text[..QuoteLimit] : text)
        {
            if (char.IsControl(c) || char.IsSurrogate(c))
            {
                quoted.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:X4}");
            }
            else
            {
                quoted.Append(c);
            }
        }

        return quoted.Append(text.Length > QuoteLimit ? "…'" : "'").ToString();
    }

    /// <summary>Reads the records and gathers features and labels.</summary>
    private sealed class Builder(CsvRecordReader records, string? name, CsvOptions options, long? textBytes)
    {
        private readonly List<string> _columns = [];
        private readonly List<int> _labelIds = [];
        private readonly List<float> _targets = [];
        private readonly Dictionary<string, int> _distinct = new(StringComparer.Ordinal);
        private readonly List<Label> _labels = [];
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
            Dataset data = options.Labels == CsvLabels.Regression ? Dataset.FromStorage(features, _rows, featureCount, null, 0, null, [.. _targets]) : Labelled(features, featureCount);
            return data.WithFeatureNames([.. _columns.Where((_, j) => j != _labelColumn)], _columns[_labelColumn]);
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
                    throw FileFormatException.AtLine(name, _headerLine, 1, $"no column is named {Quote(label)}; the header names {Quote(string.Join(", ", _columns))}.");
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
        }

        private void ReadRow(int featureCount)
        {
            int count = records.FieldCount;
            if (count != _columns.Count)
            {
                int at = Math.Min(count, _columns.Count) - (count > _columns.Count ? 0 : 1);
                throw FileFormatException.AtLine(name, records.LineOf(at), records.ColumnOf(at), string.Create(CultureInfo.InvariantCulture, $"expected {_columns.Count} fields, as in the header; found {(count > _columns.Count ? $"more than {_columns.Count}" : count.ToString(CultureInfo.InvariantCulture))}."));
            }

            if (!Dataset.Fits(_rows + 1L, featureCount))
            {
                throw FileFormatException.AtLine(name, records.Line, 1, string.Create(CultureInfo.InvariantCulture, $"too many rows: {_rows + 1} rows of {featureCount} features are more than one dataset can hold."));
            }

            // The features before the label column, then those after it.
            Span<float> row = _features.Next(records.ConsumedBytes);
            ReadOnlySpan<CsvRecordReader.FieldSpan> fields = records.Fields;
            ReadFeatures(fields[.._labelColumn], row[.._labelColumn], 0);
            ReadFeatures(fields[(_labelColumn + 1)..], row[_labelColumn..], _labelColumn + 1);

            ReadOnlySpan<char> label = records.Text(_labelColumn).Trim();
            if (label.IsEmpty)
            {
                throw Error(_labelColumn, "the label is missing (empty).");
            }

            if (options.Labels == CsvLabels.Regression)
            {
                _targets.Add(Number(_labelColumn, "label"));
            }
            else
            {
                _labelIds.Add(LabelId(label));
            }

            _rows++;
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

            if (!TryParseNumber(text, out float value))
            {
                throw Error(j, $"the {what} is {Quote(text)}, which is not a number (invariant culture: digits, '.' for decimals, an optional exponent).");
            }

            if (!float.IsFinite(value))
            {
                throw Error(j, NonFinite(text, what));
            }

            return value;
        }

        private static string NonFinite(ReadOnlySpan<char> text, string what) => text.IndexOfAnyInRange('0', '9') >= 0
            ? $"the {what} is {Quote(text)}, beyond the range of a float (±3.4028235E+38)."
            : $"the {what} is {Quote(text)}; values must be finite numbers.";

        private int LabelId(ReadOnlySpan<char> label)
        {
            Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> lookup = _distinct.GetAlternateLookup<ReadOnlySpan<char>>();
            if (!lookup.TryGetValue(label, out int id))
            {
                id = _labels.Count;
                string text = label.ToString();
                _distinct.Add(text, id);
                _labels.Add(new Label(text, records.LineOf(_labelColumn), records.ColumnOf(_labelColumn)));
            }

            return id;
        }

        /// <summary>The dataset of a classification, or of a regression inferred from labels that are all numbers.</summary>
        private Dataset Labelled(AlignedBuffer features, int featureCount)
        {
            bool integers = true, numbers = true;
            foreach (Label label in _labels)
            {
                integers &= label.IsInteger;
                numbers &= label.IsNumber;
            }

            if (options.Labels == CsvLabels.Infer && !integers && numbers)
            {
                return Dataset.FromStorage(features, _rows, featureCount, null, 0, null, Targets());
            }

            // Classes in numeric order for integer labels ("01" and "1" are one class), else ordinal order.
            int[] order = Enumerable.Range(0, _labels.Count).ToArray();
            Array.Sort(order, (a, b) => integers ? _labels[a].Integer.CompareTo(_labels[b].Integer) : string.CompareOrdinal(_labels[a].Text, _labels[b].Text));
            int[] classOf = new int[_labels.Count];
            var names = new List<string>();
            for (int i = 0; i < order.Length; i++)
            {
                Label label = _labels[order[i]];
                string classText = integers ? label.Integer.ToString(CultureInfo.InvariantCulture) : label.Text;
                if (names.Count == 0 || names[^1] != classText)
                {
                    names.Add(classText);
                }

                classOf[order[i]] = names.Count - 1;
            }

            if (names.Count < 2)
            {
                throw FileFormatException.AtLine(name, _headerLine, _headerLabelColumn, string.Create(CultureInfo.InvariantCulture, $"the label column {Quote(_columns[_labelColumn])} holds only one class ({Quote(names[0])}) in {_rows} rows; classification needs at least 2 classes."));
            }

            int[] labels = new int[_rows];
            for (int i = 0; i < labels.Length; i++)
            {
                labels[i] = classOf[_labelIds[i]];
            }

            return Dataset.FromStorage(features, _rows, featureCount, labels, names.Count, names, null);
        }

        /// <summary>The targets of a regression inferred from number labels, each checked finite.</summary>
        private float[] Targets()
        {
            float[] values = new float[_labels.Count];
            for (int id = 0; id < values.Length; id++)
            {
                Label label = _labels[id];
                values[id] = float.Parse(label.Text, NumberStyles.Float, CultureInfo.InvariantCulture);
                if (!float.IsFinite(values[id]))
                {
                    throw FileFormatException.AtLine(name, label.Line, label.Column, NonFinite(label.Text, "label"));
                }
            }

            float[] targets = new float[_rows];
            for (int i = 0; i < targets.Length; i++)
            {
                targets[i] = values[_labelIds[i]];
            }

            return targets;
        }

        private FileFormatException Error(int j, string message)
        {
            return FileFormatException.AtLine(name, records.LineOf(j), records.ColumnOf(j), $"column {Quote(_columns[j])}: {message}");
        }
    }

    /// <summary>A distinct label: its text (trimmed), where it first appears, and what it reads as.</summary>
    private sealed class Label
    {
        public Label(string text, int line, int column)
        {
            Text = text;
            Line = line;
            Column = column;
            IsInteger = long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long integer) && !text.Contains('\0');
            Integer = integer;
            IsNumber = TryParseNumber(text, out _);
        }

        public string Text { get; }

        public int Line { get; }

        public int Column { get; }

        public bool IsInteger { get; }

        public long Integer { get; }

        /// <summary>Whether the label reads as a float (perhaps not a finite one: that is checked if it becomes a target).</summary>
        public bool IsNumber { get; }
    }
}
