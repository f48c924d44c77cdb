using System.Globalization;
using Native.Numerics.Kernels;

namespace Native.Numerics;

/// <summary>
/// The label column of a CSV file as its records come: class labels kept as ids of their distinct texts, or regression
/// targets; at the end, the dataset's labels (classes in numeric or ordinal order) or targets. <see cref="Csv"/> and
/// <see cref="Table"/> share it, so a table's labels are read exactly as a CSV file's are (with a decimal comma, when the
/// table's numbers have one).
/// </summary>
internal sealed class CsvLabelColumn(string? name, string columnName, CsvLabels kind, bool decimalComma = false, char thousands = '\0')
{
    /// <summary>The file its errors name: the one being read (several files can share one label column).</summary>
    public string? File { get; set; } = name;

    private readonly ChunkedList<int> _ids = new();
    private readonly List<float> _targets = [];

    /// <summary>The distinct labels' ids, looked up by a label's characters (ordinal), with no call through an interface.</summary>
    private readonly TextIds _distinct = new();
    private readonly List<Label> _labels = [];

    /// <summary>The regression targets read so far (for a table of several target columns, which interleaves them).</summary>
    public List<float> TargetValues => _targets;

    /// <summary>The labels read so far.</summary>
    public int Count => kind == CsvLabels.Regression ? _targets.Count : _ids.Count;

    /// <summary>
    /// Adds one row's label, <paramref name="label"/> already trimmed and not empty, found at <paramref name="line"/> and
    /// <paramref name="column"/>; a regression target must be a finite number.
    /// </summary>
    public void Add(ReadOnlySpan<char> label, int line, int column)
    {
        if (kind == CsvLabels.Regression)
        {
            _targets.Add(Target(label, line, column));
            return;
        }

        _ids.Add(Id(label, line, column));
    }

    /// <summary>One row's regression target (<see cref="CsvLabels.Regression"/>), a finite number; nothing is kept.</summary>
    public float Target(ReadOnlySpan<char> label, int line, int column)
    {
        if (!TryParse(label, out float value))
        {
            throw Error(line, column, $"the label is {Csv.Quote(label)}, which is not a number ({(decimalComma || thousands != '\0' ? TableText.NumberForm(decimalComma, thousands) : "invariant culture: digits, '.' for decimals, an optional exponent")}).");
        }

        if (!float.IsFinite(value))
        {
            throw Error(line, column, NonFinite(label, "label"));
        }

        return value;
    }

    /// <summary>The id of one row's class label (its distinct text's, from 0 in order of first appearance); only the distinct labels are kept.</summary>
    public int Id(ReadOnlySpan<char> label, int line, int column)
    {
        if (!_distinct.TryGetValue(label, out int id))
        {
            id = _labels.Count;
            string text = label.ToString();
            _distinct.Add(text, id);
            _labels.Add(new Label(text, line, column, TryParse(text, out _), thousands));
        }

        return id;
    }

    /// <summary>
    /// What the ids given by <see cref="Id"/> (or the targets of <see cref="Target"/>) for <paramref name="rows"/> rows stand
    /// for: classes, or targets inferred from labels that are all numbers, as <see cref="Build"/> decides.
    /// </summary>
    public RowLabels Finish(int rows, int headerLine, int headerColumn)
    {
        if (kind == CsvLabels.Regression)
        {
            return RowLabels.Targets;
        }

        if (AreTargets())
        {
            return RowLabels.FromValues(Values());
        }

        (int[] classOf, List<string> names) = Classes(rows, headerLine, headerColumn);
        return RowLabels.FromClasses(classOf, names);
    }

    /// <summary>
    /// The dataset of <paramref name="rows"/> rows of <paramref name="featureCount"/> features in <paramref name="features"/>
    /// (aligned storage, as <see cref="Dataset.FromStorage"/> takes it) with these labels: classes, or targets when asked or
    /// inferred from labels that are all numbers. <paramref name="headerLine"/> and <paramref name="headerColumn"/> place the
    /// error of a column with one class.
    /// </summary>
    public Dataset Build(AlignedBuffer features, int rows, int featureCount, int headerLine, int headerColumn)
    {
        if (kind == CsvLabels.Regression)
        {
            return Dataset.FromStorage(features, rows, featureCount, null, 0, null, [.. _targets]);
        }

        if (AreTargets())
        {
            return Dataset.FromStorage(features, rows, featureCount, null, 0, null, Targets(rows));
        }

        (int[] classOf, List<string> names) = Classes(rows, headerLine, headerColumn);
        int[] labels = new int[rows];
        for (int i = 0; i < labels.Length; i++)
        {
            labels[i] = classOf[_ids[i]];
        }

        return Dataset.FromStorage(features, rows, featureCount, labels, names.Count, names, null);
    }

    /// <summary>Whether class labels are regression targets after all: inferred, and all numbers but not all integers.</summary>
    private bool AreTargets()
    {
        bool integers = true, numbers = true;
        foreach (Label label in _labels)
        {
            integers &= label.IsInteger;
            numbers &= label.IsNumber;
        }

        return kind == CsvLabels.Infer && !integers && numbers;
    }

    /// <summary>Each distinct label's class and the classes' names: integers in numeric order ("01" and "1" one class), else ordinal order; at least 2.</summary>
    private (int[] ClassOf, List<string> Names) Classes(int rows, int headerLine, int headerColumn)
    {
        bool integers = _labels.TrueForAll(label => label.IsInteger);
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
            throw FileFormatException.AtLine(File, headerLine, headerColumn, string.Create(CultureInfo.InvariantCulture, $"the label column {Csv.Quote(columnName)} holds only one class ({Csv.Quote(names.Count == 0 ? "" : names[0])}) in {rows} rows; classification needs at least 2 classes."));
        }

        return (classOf, names);
    }

    /// <summary>An error in the label column at <paramref name="line"/> and <paramref name="column"/>.</summary>
    private FileFormatException Error(int line, int column, string message) =>
        FileFormatException.AtLine(File, line, column, $"column {Csv.Quote(columnName)}: {message}");

    /// <summary>The message of a number that is not finite: beyond the float range, or NaN and infinity themselves.</summary>
    public static string NonFinite(ReadOnlySpan<char> text, string what) => text.IndexOfAnyInRange('0', '9') >= 0
        ? $"the {what} is {Csv.Quote(text)}, beyond the range of a float (±3.4028235E+38)."
        : $"the {what} is {Csv.Quote(text)}; values must be finite numbers.";

    /// <summary>The targets of a regression inferred from number labels, each checked finite.</summary>
    private float[] Targets(int rows)
    {
        float[] values = Values();
        float[] targets = new float[rows];
        for (int i = 0; i < targets.Length; i++)
        {
            targets[i] = values[_ids[i]];
        }

        return targets;
    }

    /// <summary>The value of each distinct label, each checked finite.</summary>
    private float[] Values()
    {
        float[] values = new float[_labels.Count];
        for (int id = 0; id < values.Length; id++)
        {
            Label label = _labels[id];
            if (!TryParse(label.Text, out values[id]) || !float.IsFinite(values[id]))
            {
                throw FileFormatException.AtLine(File, label.Line, label.Column, NonFinite(label.Text, "label"));
            }
        }

        return values;
    }

    /// <summary>Reads a label as a number, in the invariant culture or with a decimal comma, and with the thousands separator if any.</summary>
    private bool TryParse(ReadOnlySpan<char> text, out float value) =>
        (decimalComma ? CsvNumber.TryParseDecimalComma(text, out value) : Csv.TryParseNumber(text, out value))
        || (thousands != '\0' && CsvNumber.TryParseGrouped(text, thousands, decimalComma, out value) == GroupedNumber.Number);

    /// <summary>A distinct label: its text (trimmed), where it first appears, and what it reads as.</summary>
    private sealed class Label
    {
        public Label(string text, int line, int column, bool isNumber, char thousands)
        {
            Text = text;
            Line = line;
            Column = column;
            // "1,000" is the integer 1000 when ',' separates thousands (and the label read as a number).
            string digits = isNumber && thousands != '\0' ? text.Replace(thousands.ToString(), "", StringComparison.Ordinal) : text;
            IsInteger = long.TryParse(digits, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long integer) && !text.Contains('\0');
            Integer = integer;
            IsNumber = isNumber;
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
