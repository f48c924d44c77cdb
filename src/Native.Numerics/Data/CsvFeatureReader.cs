using System.Globalization;

namespace Native.Numerics;

/// <summary>
/// Reads the rows a model predicts from CSV text, one row at a time as the text arrives (a file, or standard
/// input a line at a time): the header first, then, for each row, the features in the model's order.
/// </summary>
/// <remarks>
/// <para>
/// After the header is read, choose the columns: <see cref="SelectByName"/> matches a model's feature names
/// (any order; the label column skipped; any other column an error), <see cref="SelectByCount"/> takes every
/// column, or every column but a label. Then <see cref="ReadRow"/> fills a row at a time; <see cref="Line"/>
/// and <see cref="ColumnOf"/> say where a feature of the last row stands, for a caller's own messages, and
/// <see cref="Label"/> gives the skipped label column's text (to evaluate a model as the rows stream by).
/// </para>
/// <para>
/// The text is read as <see cref="Csv.Read(Stream, CsvOptions?, string?)"/> reads it — strict UTF-8, the limits of
/// <see cref="CsvOptions"/> — and every feature must be a finite number. Errors are
/// <see cref="FileFormatException"/>s naming the line and column.
/// </para>
/// </remarks>
public sealed class CsvFeatureReader : IDisposable
{
    private readonly Stream? _owned;
    private readonly CsvRecordReader _records;
    private readonly string? _name;
    private readonly string[] _header;
    private readonly int[] _headerColumns;
    private int[] _columns = [];
    private int _label = -1;

    /// <summary>Reads the header of CSV text from <paramref name="stream"/>, which is left open.</summary>
    /// <param name="stream">The text; it need not be seekable.</param>
    /// <param name="name">What to call the stream in error messages, or null.</param>
    /// <param name="options">The separator and limits (the label options are not used); null for the defaults.</param>
    /// <exception cref="FileFormatException">The text is empty, or its first row holds only numbers (no header).</exception>
    public CsvFeatureReader(Stream stream, string? name = null, CsvOptions? options = null)
        : this(stream, name, options, owned: null)
    {
    }

    private CsvFeatureReader(Stream stream, string? name, CsvOptions? options, Stream? owned)
    {
        ArgumentNullException.ThrowIfNull(stream);
        _owned = owned;
        _name = name;
        options ??= new CsvOptions();
        Csv.CheckLimits(options);
        _records = new CsvRecordReader(stream, name, options);
        if (!_records.Next())
        {
            throw FileFormatException.AtLine(name, 1, 1, "the file is empty; expected a header row naming the columns, then rows of features.");
        }

        HeaderLine = _records.Line;
        _header = new string[_records.FieldCount];
        _headerColumns = new int[_header.Length];
        bool numbers = true;
        for (int j = 0; j < _header.Length; j++)
        {
            _header[j] = _records.Text(j).ToString();
            _headerColumns[j] = _records.ColumnOf(j);
            numbers &= Csv.TryParseNumber(_records.Text(j), out _);
        }

        if (numbers)
        {
            // Taken as a header, a first row of numbers would silently lose a row.
            throw FileFormatException.AtLine(name, HeaderLine, 1, $"the first row holds only numbers ({Csv.Quote(string.Join(",", _header))}); expected a header row naming the columns.");
        }
    }

    /// <summary>Opens the CSV file at <paramref name="path"/> and reads its header; dispose the reader to close it.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="FileFormatException">The file is empty, or has no header.</exception>
    public static CsvFeatureReader Open(string path, CsvOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 64 * 1024, FileOptions.SequentialScan);
        try
        {
            return new CsvFeatureReader(file, path, options, file);
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    /// <summary>The column names, as the header row writes them.</summary>
    public IReadOnlyList<string> Header => _header;

    /// <summary>The line of the header row.</summary>
    public int HeaderLine { get; }

    /// <summary>The number of features each row gives: the columns chosen.</summary>
    public int Features => _columns.Length;

    /// <summary>The header column of each feature, in feature order.</summary>
    public IReadOnlyList<int> Columns => _columns;

    /// <summary>The line on which the row last read starts.</summary>
    public int Line => _records.Line;

    /// <summary>The header column of the label that <see cref="SelectByName"/> or <see cref="SelectByCount"/> skipped, or −1 when none was.</summary>
    public int LabelColumn => _label;

    /// <summary>The label field of the row last read, as its text (a class name or a number); empty when no label column was skipped.</summary>
    public ReadOnlySpan<char> Label => _label < 0 ? default : _records.Text(_label);

    /// <summary>The 1-based character column where the label field of the row last read starts (0 when no label column was skipped).</summary>
    public int ColumnOfLabel() => _label < 0 ? 0 : _records.ColumnOf(_label);

    /// <summary>The line where the label field of the row last read starts (a quoted field may follow a line break).</summary>
    public int LineOfLabel() => _label < 0 ? Line : _records.LineOf(_label);

    /// <summary>
    /// Takes the columns named <paramref name="featureNames"/>, in that order, whatever their order in the file; a
    /// column named <paramref name="labelColumn"/> is skipped. Any other column, a feature with no column, and a
    /// name the header gives twice are errors: a model never silently reads the wrong column.
    /// </summary>
    /// <exception cref="FileFormatException">The header does not hold exactly the features (and perhaps the label).</exception>
    public void SelectByName(IReadOnlyList<string> featureNames, string? labelColumn = null)
    {
        ArgumentNullException.ThrowIfNull(featureNames);
        var position = new Dictionary<string, int>(_header.Length, StringComparer.Ordinal);
        for (int j = 0; j < _header.Length; j++)
        {
            if (!position.TryAdd(_header[j], j))
            {
                throw HeaderError(j, $"two columns are named {Csv.Quote(_header[j])}; the model's features are matched by name, so each must be named once.");
            }
        }

        int[] columns = new int[featureNames.Count];
        var used = new bool[_header.Length];
        for (int f = 0; f < columns.Length; f++)
        {
            if (!position.TryGetValue(featureNames[f], out columns[f]))
            {
                throw HeaderError(0, Invariant($"no column is named {Csv.Quote(featureNames[f])}, the model's feature {f}{TableHeader.Suggestion(_header, featureNames[f])}; the header names {TableHeader.NameList(_header)}."));
            }

            used[columns[f]] = true;
        }

        int feature = -1;
        for (int f = 0; f < columns.Length && feature < 0; f++)
        {
            feature = string.Equals(featureNames[f], labelColumn, StringComparison.Ordinal) ? f : -1;
        }

        if (feature >= 0)
        {
            throw HeaderError(columns[feature], Invariant($"the label column {Csv.Quote(labelColumn)} is one of the model's {columns.Length} features (feature {feature}), so it cannot be skipped as the label; name the column that holds the label, or none."));
        }

        int skipped = -1;
        for (int j = 0; j < _header.Length; j++)
        {
            if (!used[j] && !string.Equals(_header[j], labelColumn, StringComparison.Ordinal))
            {
                string label = labelColumn is null ? "" : $" nor its label column {Csv.Quote(labelColumn)}";
                throw HeaderError(j, $"the column {Csv.Quote(_header[j])} is not one of the model's {columns.Length} features{label}; remove it, or check that this is the model's data.");
            }

            skipped = used[j] ? skipped : j;
        }

        _columns = columns;
        _label = skipped;
    }

    /// <summary>
    /// Takes every column as a feature when the header has <paramref name="features"/> columns; with one column
    /// more, skips the label: the column named <paramref name="labelColumn"/>, else the last. For models that do not
    /// know their feature names (files from before they were kept, or trained on IDX images).
    /// </summary>
    /// <exception cref="FileFormatException">The header has another number of columns, or no column is named <paramref name="labelColumn"/>.</exception>
    public void SelectByCount(int features, string? labelColumn = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(features, 1);
        int skip = -1;
        if (_header.Length == features + 1)
        {
            skip = labelColumn is null ? _header.Length - 1 : Array.IndexOf(_header, labelColumn);
            if (skip < 0)
            {
                throw HeaderError(0, $"the header has {_header.Length} columns, one more than the model's {features} features, but none is named {Csv.Quote(labelColumn)}{TableHeader.Suggestion(_header, labelColumn!)}; the header names {TableHeader.NameList(_header)}.");
            }
        }
        else if (_header.Length != features)
        {
            throw HeaderError(0, Invariant($"the header has {_header.Length} columns; expected {features} (the model's features), or {features + 1} with a label column to skip."));
        }

        _columns = [.. Enumerable.Range(0, _header.Length).Where(j => j != skip)];
        _label = skip;
    }

    /// <summary>
    /// Reads the next row's features into <paramref name="features"/> (<see cref="Features"/> floats, in feature
    /// order); false at the end of the text.
    /// </summary>
    /// <exception cref="InvalidOperationException">No columns were chosen.</exception>
    /// <exception cref="FileFormatException">The row has another number of fields than the header, or a feature is empty, not a number, or not finite.</exception>
    public bool ReadRow(Span<float> features)
    {
        if (_columns.Length == 0)
        {
            throw new InvalidOperationException("Choose the columns first: SelectByName or SelectByCount.");
        }

        if (features.Length != _columns.Length)
        {
            throw new ArgumentException(Invariant($"features has length {features.Length}; each row gives {_columns.Length}."), nameof(features));
        }

        if (!_records.Next(expectedFields: _header.Length))
        {
            return false;
        }

        int count = _records.FieldCount;
        if (count != _header.Length)
        {
            int at = Math.Min(count, _header.Length) - (count > _header.Length ? 0 : 1);
            throw FileFormatException.AtLine(_name, _records.LineOf(at), _records.ColumnOf(at), Invariant($"expected {_header.Length} fields, as in the header; found {(count > _header.Length ? $"more than {_header.Length}" : count.ToString(CultureInfo.InvariantCulture))}."));
        }

        for (int f = 0; f < _columns.Length; f++)
        {
            features[f] = Value(_columns[f]);
        }

        return true;
    }

    /// <summary>The 1-based character column where feature <paramref name="feature"/>'s field starts, in the row last read.</summary>
    public int ColumnOf(int feature) => _records.ColumnOf(_columns[feature]);

    /// <summary>The line where feature <paramref name="feature"/>'s field starts, in the row last read (a quoted field may follow a line break).</summary>
    public int LineOf(int feature) => _records.LineOf(_columns[feature]);

    /// <summary>Closes the file, if this reader opened it.</summary>
    public void Dispose() => _owned?.Dispose();

    // The finite float in field j, or an error saying what is there instead.
    private float Value(int j)
    {
        ReadOnlySpan<char> text = _records.Text(j);
        if (CsvNumber.TryParse(text, out float value))
        {
            return value;
        }

        if (text.IsWhiteSpace())
        {
            throw FileFormatException.AtLine(_name, _records.LineOf(j), _records.ColumnOf(j), $"column {Csv.Quote(_header[j])}: the feature is empty; expected a number.");
        }

        if (!Csv.TryParseNumber(text, out value) || !float.IsFinite(value))
        {
            throw FileFormatException.AtLine(_name, _records.LineOf(j), _records.ColumnOf(j), $"column {Csv.Quote(_header[j])}: the feature is {Csv.Quote(text)}; expected a finite number (invariant culture: digits, '.' for decimals, an optional exponent).");
        }

        return value;
    }

    private FileFormatException HeaderError(int column, string message) =>
        FileFormatException.AtLine(_name, HeaderLine, _headerColumns[column], message);

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
