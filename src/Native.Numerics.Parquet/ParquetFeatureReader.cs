using Native.Numerics.Parquet;

namespace Native.Numerics;

/// <summary>
/// Reads the rows a model predicts from Parquet files, one row at a time (or a span of rows at a time), a row group at
/// a time underneath: the schema first, then, for each row, the features in the model's order. The Parquet twin of
/// <see cref="CsvFeatureReader"/>, with the same calls.
/// </summary>
/// <remarks>
/// <para>
/// After opening, choose the columns: <see cref="SelectByName"/> matches a model's feature names (any order; the label
/// column skipped; any other column an error, as for CSV), <see cref="SelectByCount"/> takes every column, or every
/// column but a label. Then <see cref="ReadRow"/> fills a row at a time, or <see cref="ReadRows"/> many;
/// <see cref="File"/>, <see cref="RowGroup"/> and <see cref="Row"/> say where the row last read stands, for a caller's
/// own messages.
/// </para>
/// <para>
/// Values are read as <see cref="ParquetFile.Read(string, ParquetOptions?)"/> reads features: every number type as a
/// float, a null or a value that is not a finite float an error naming the row. Memory is one row group's chosen
/// columns as stored, and a window of rows (about 1 MiB of floats) as floats; reading a row allocates nothing (opening
/// the next row group allocates its column readers, a few objects a column).
/// </para>
/// </remarks>
public sealed class ParquetFeatureReader : IDisposable
{
    private readonly ParquetSource _first;
    private readonly IReadOnlyList<string>? _paths;
    private readonly ParquetOptions _options;
    private readonly string[] _header;
    private RowBatches? _batches;
    private int[] _columns = [];
    private float[] _window = [];
    private int _windowRows;
    private int _next;
    private string? _file;
    private int _rowGroup;
    private long _windowFirstRow;

    /// <summary>Reads the schema of Parquet content in <paramref name="stream"/> (readable and seekable), which is left open.</summary>
    /// <param name="stream">The stream, positioned at the file's first byte.</param>
    /// <param name="name">What to call the stream in error messages, or null.</param>
    /// <param name="options">The limit on row groups' expansion (the column options are not used); null for the defaults.</param>
    /// <exception cref="FileFormatException">The content is not a Parquet file, or its footer is damaged.</exception>
    public ParquetFeatureReader(Stream stream, string? name = null, ParquetOptions? options = null)
        : this(Source(stream, name), null, options)
    {
    }

    private ParquetFeatureReader(ParquetSource first, IReadOnlyList<string>? paths, ParquetOptions? options)
    {
        _first = first;
        _paths = paths;
        _options = options ?? ParquetOptions.Default;
        try
        {
            _options.Validate();
        }
        catch
        {
            first.Dispose();
            throw;
        }

        _header = [.. first.Columns.Select(c => c.Name)];
        _file = first.Name;
    }

    /// <summary>Opens the Parquet file at <paramref name="path"/> — or a directory's <c>*.parquet</c> files, or a glob's — and reads the (first) file's schema; dispose the reader to close it.</summary>
    /// <exception cref="FileNotFoundException">No file is there.</exception>
    /// <exception cref="FileFormatException">The file is not a Parquet file, or its footer is damaged.</exception>
    public static ParquetFeatureReader Open(string path, ParquetOptions? options = null)
    {
        IReadOnlyList<string> files = ParquetFile.Files(path);
        return new ParquetFeatureReader(ParquetSource.Open(files[0]), files, options);
    }

    /// <summary>The column names, in the schema's order (a field of a group by its dotted path).</summary>
    public IReadOnlyList<string> Header => _header;

    /// <summary>The columns as the (first) file's schema declares them.</summary>
    public IReadOnlyList<ParquetColumn> Schema => _first.Columns;

    /// <summary>The number of features each row gives: the columns chosen.</summary>
    public int Features => _columns.Length;

    /// <summary>The <see cref="Header"/> column of each feature, in feature order.</summary>
    public IReadOnlyList<int> Columns => _columns;

    /// <summary>The file of the row last read (its path, or the stream's name).</summary>
    public string? File => _file;

    /// <summary>The row group of the row last read, from 0.</summary>
    public int RowGroup => _rowGroup;

    /// <summary>The index in its file of the row last read, from 0 (−1 before the first).</summary>
    public long Row => _windowFirstRow + _next - 1;

    /// <summary>
    /// Takes the columns named <paramref name="featureNames"/>, in that order, whatever their order in the file; a
    /// column named <paramref name="labelColumn"/> is skipped. Any other column, a feature with no column, and a
    /// feature column that does not hold numbers are errors: a model never silently reads the wrong column.
    /// </summary>
    /// <exception cref="FileFormatException">The schema does not hold exactly the features (and perhaps the label), or a feature is not numbers.</exception>
    public void SelectByName(IReadOnlyList<string> featureNames, string? labelColumn = null)
    {
        ArgumentNullException.ThrowIfNull(featureNames);
        var position = new Dictionary<string, int>(_header.Length, StringComparer.Ordinal);
        for (int j = 0; j < _header.Length; j++)
        {
            if (!position.TryAdd(_header[j], j))
            {
                throw FileFormatException.InFile(_first.Name, $"two columns are named {Messages.Quote(_header[j])}; the model's features are matched by name, so each must be named once.");
            }
        }

        int[] columns = new int[featureNames.Count];
        var used = new bool[_header.Length];
        for (int f = 0; f < columns.Length; f++)
        {
            if (!position.TryGetValue(featureNames[f], out columns[f]))
            {
                throw FileFormatException.InFile(_first.Name, ParquetSource.Invariant($"no column is named {Messages.Quote(featureNames[f])}, the model's feature {f}; the columns are {Messages.Quote(string.Join(", ", _header))}."));
            }

            used[columns[f]] = true;
        }

        // A label named as one of the features: the message below would blame another column (as the CSV reader's did).
        int feature = labelColumn is null ? -1 : featureNames.ToList().IndexOf(labelColumn);
        if (feature >= 0)
        {
            throw FileFormatException.InFile(_first.Name, ParquetSource.Invariant($"the label column {Messages.Quote(labelColumn!)} is one of the model's {columns.Length} features (feature {feature}), so it cannot be skipped as the label; name the column that holds the label, or none."));
        }

        for (int j = 0; j < _header.Length; j++)
        {
            if (!used[j] && !string.Equals(_header[j], labelColumn, StringComparison.Ordinal))
            {
                string label = labelColumn is null ? "" : $" nor its label column {Messages.Quote(labelColumn)}";
                throw FileFormatException.InFile(_first.Name, ParquetSource.Invariant($"the column {Messages.Quote(_header[j])} is not one of the model's {columns.Length} features{label}; leave it out of the file, or check that this is the model's data."));
            }
        }

        Select(columns);
    }

    /// <summary>
    /// Takes every column as a feature when the schema has <paramref name="features"/> columns; with one column more,
    /// skips the label: the column named <paramref name="labelColumn"/>, else the last. For models that do not know
    /// their feature names.
    /// </summary>
    /// <exception cref="FileFormatException">The schema has another number of columns, no column is named <paramref name="labelColumn"/>, or a feature is not numbers.</exception>
    public void SelectByCount(int features, string? labelColumn = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(features, 1);
        int skip = -1;
        if (_header.Length == features + 1)
        {
            skip = labelColumn is null ? _header.Length - 1 : Array.IndexOf(_header, labelColumn);
            if (skip < 0)
            {
                throw FileFormatException.InFile(_first.Name, ParquetSource.Invariant($"the file has {_header.Length} columns, one more than the model's {features} features, but none is named {Messages.Quote(labelColumn)}; the columns are {Messages.Quote(string.Join(", ", _header))}."));
            }
        }
        else if (_header.Length != features)
        {
            throw FileFormatException.InFile(_first.Name, ParquetSource.Invariant($"the file has {_header.Length} columns; expected {features} (the model's features), or {features + 1} with a label column to skip."));
        }

        Select([.. Enumerable.Range(0, _header.Length).Where(j => j != skip)]);
    }

    /// <summary>
    /// Reads the next row's features into <paramref name="features"/> (<see cref="Features"/> floats, in feature
    /// order); false after the last row of the last file.
    /// </summary>
    /// <exception cref="InvalidOperationException">No columns were chosen.</exception>
    /// <exception cref="FileFormatException">A feature is null, not a finite float, or the file is damaged.</exception>
    public bool ReadRow(Span<float> features)
    {
        int count = _columns.Length;
        if (features.Length != count || count == 0)
        {
            throw count == 0
                ? new InvalidOperationException("Choose the columns first: SelectByName or SelectByCount.")
                : new ArgumentException(ParquetSource.Invariant($"features has length {features.Length}; each row gives {count}."), nameof(features));
        }

        if (_next == _windowRows && !Fill())
        {
            return false;
        }

        _window.AsSpan(_next * count, count).CopyTo(features);
        _next++;
        return true;
    }

    /// <summary>
    /// Reads as many whole rows as <paramref name="rows"/> holds (row-major, <see cref="Features"/> floats a row) and
    /// returns how many it read: fewer only at the end of the last file, 0 after it.
    /// </summary>
    /// <exception cref="InvalidOperationException">No columns were chosen.</exception>
    /// <exception cref="FileFormatException">A feature is null, not a finite float, or the file is damaged.</exception>
    public int ReadRows(Span<float> rows)
    {
        int count = _columns.Length;
        if (count == 0)
        {
            throw new InvalidOperationException("Choose the columns first: SelectByName or SelectByCount.");
        }

        int wanted = rows.Length / count, read = 0;
        while (read < wanted && (_next < _windowRows || Fill()))
        {
            int take = Math.Min(wanted - read, _windowRows - _next);
            _window.AsSpan(_next * count, take * count).CopyTo(rows[(read * count)..]);
            _next += take;
            read += take;
        }

        return read;
    }

    /// <summary>Closes the files.</summary>
    public void Dispose()
    {
        if (_batches is null)
        {
            _first.Dispose();
        }

        _batches?.Dispose();
    }

    private static ParquetSource Source(Stream stream, string? name)
    {
        ArgumentNullException.ThrowIfNull(stream);
        return ParquetSource.Open(stream, name, owned: false);
    }

    private void Select(int[] columns)
    {
        if (_batches is not null)
        {
            throw new InvalidOperationException("The columns are chosen once, before the first row is read.");
        }

        var selection = Selection.ForFeatures(_first, [.. columns.Select(j => _header[j])]);
        _batches = new RowBatches(_first, _paths, selection, _options);
        _columns = columns;
        _window = new float[RowBatches.BatchRows(columns.Length) * columns.Length];
    }

    private bool Fill()
    {
        RowBatches batches = _batches!;
        int rows = batches.Read(_window, _window.Length / _columns.Length, null);
        if (rows == 0)
        {
            _windowFirstRow += _windowRows;
            _windowRows = _next = 0;
            return false;
        }

        _file = batches.File;
        _rowGroup = batches.RowGroup;
        _windowFirstRow = batches.NextRow - rows;
        _windowRows = rows;
        _next = 0;
        return true;
    }
}
