using System.Globalization;

namespace Native.Numerics;

/// <summary>A table's header row: the column names, each once, where each stands, and which is the label.</summary>
internal sealed class TableHeader
{
    private readonly Dictionary<string, int> _index = new(StringComparer.Ordinal);

    private TableHeader(string[] names, int[] columns, int line, string? file)
    {
        Names = names;
        Columns = columns;
        Line = line;
        File = file;
    }

    /// <summary>The column names, in file order.</summary>
    public string[] Names { get; }

    /// <summary>The character column where each name starts (for messages).</summary>
    public int[] Columns { get; }

    /// <summary>The header's line.</summary>
    public int Line { get; }

    public string? File { get; }

    /// <summary>
    /// Reads the header: chooses the separator first when <paramref name="options"/> does not give it, then refuses an empty
    /// text, a first row of numbers only (no header), a decimal comma beside a comma separator, and a name given twice.
    /// </summary>
    public static TableHeader Read(CsvRecordReader records, string? file, TableOptions options, bool decimalComma)
    {
        if (options.Delimiter is null)
        {
            records.DetectSeparator();
        }

        if (!records.Next())
        {
            throw FileFormatException.AtLine(file, 1, 1, "the file is empty; expected a header row naming the columns, then data rows.");
        }

        string[] names = new string[records.FieldCount];
        int[] columns = new int[names.Length];
        bool numbers = true;
        for (int j = 0; j < names.Length; j++)
        {
            names[j] = records.Text(j).ToString();
            columns[j] = records.ColumnOf(j);
            numbers &= Csv.TryParseNumber(records.Text(j), out _);
        }

        var header = new TableHeader(names, columns, records.Line, file);
        if (numbers)
        {
            throw header.Error(0, $"the first row holds only numbers ({Csv.Quote(string.Join(records.Separator, names))}); expected a header row naming the columns.");
        }

        if (decimalComma && records.Separator == ',')
        {
            throw header.Error(0, "numbers are read with a decimal comma, but the fields are separated by commas; give another delimiter (';' or tab), or leave out the decimal comma.");
        }

        for (int j = 0; j < names.Length; j++)
        {
            if (!header._index.TryAdd(names[j], j))
            {
                throw header.Error(j, string.Create(CultureInfo.InvariantCulture, $"two columns are named {Csv.Quote(names[j])} (columns {header._index[names[j]] + 1} and {j + 1}); each column must be named once, since columns are matched by name."));
            }
        }

        return header;
    }

    /// <summary>The index of the column named <paramref name="name"/>, or −1.</summary>
    public int IndexOf(string name) => _index.TryGetValue(name, out int j) ? j : -1;

    /// <summary>
    /// The label columns: the one <see cref="Label"/> finds, or for several named (a multi-output regression's targets)
    /// each by name, in the order named.
    /// </summary>
    public int[] Labels(TableOptions options)
    {
        if (options.LabelColumns.Count < 2)
        {
            return [Label(options)];
        }

        int[] labels = new int[options.LabelColumns.Count];
        for (int k = 0; k < labels.Length; k++)
        {
            string label = options.LabelColumns[k];
            labels[k] = IndexOf(label) is int j and >= 0 ? j : throw Error(0, $"no column is named {Csv.Quote(label)}, a label{Suggestion(Names, label)}; the header names {NameList()}.");
        }

        return labels;
    }

    /// <summary>The label column the options name (by name or index), else the last.</summary>
    public int Label(TableOptions options)
    {
        if (options.LabelColumns.Count > 0)
        {
            string label = options.LabelColumns[0];
            int j = IndexOf(label);
            return j >= 0 ? j : throw Error(0, $"no column is named {Csv.Quote(label)}, the label{Suggestion(Names, label)}; the header names {NameList()}.");
        }

        if (options.LabelIndex is int index)
        {
            return index < Names.Length
                ? index
                : throw Error(0, string.Create(CultureInfo.InvariantCulture, $"the label column index is {index}, but the header has {Names.Length} columns (0 to {Names.Length - 1})."));
        }

        // A header ending in a delimiter (as spreadsheets export a trailing empty column) would make the label a column
        // with no name and, on every row, no value: say so at the header, not as a missing label on line 2.
        return string.IsNullOrWhiteSpace(Names[^1]) && Names.Length > 1
            ? throw Error(Names.Length - 1, $"the last column, taken as the label, has no name (does every line end with a delimiter, as spreadsheets export an empty column?); name the label column (native: --label {Csv.Quote(Names[^2])}, TableOptions.LabelColumns).")
            : Names.Length - 1;
    }

    /// <summary>An error at the header's column <paramref name="j"/>.</summary>
    public FileFormatException Error(int j, string message) => FileFormatException.AtLine(File, Line, Columns[j], message);

    /// <summary>The names for a message: escaped, at most ten.</summary>
    public string NameList() => NameList(Names);

    /// <summary>
    /// Column names for a message, escaped: all of up to ten; of more, the first eight and the last two, and how many in
    /// all — the last column is where a label usually is, so a message about a label name not found shows it.
    /// </summary>
    internal static string NameList(IReadOnlyList<string> names) => names.Count <= 10
        ? string.Join(", ", names.Select(name => Csv.Quote(name)))
        : string.Join(", ", names.Take(8).Select(name => Csv.Quote(name))) + ", …, " + string.Join(", ", names.Skip(names.Count - 2).Select(name => Csv.Quote(name)))
            + string.Create(CultureInfo.InvariantCulture, $" ({names.Count} in all)");

    /// <summary>
    /// For a message about <paramref name="wanted"/> not found among <paramref name="names"/>: " (did you mean 'label'?)"
    /// when exactly one name differs from it only in case or surrounding white space (<c>--label Label</c>, <c>Default</c>),
    /// else nothing.
    /// </summary>
    internal static string Suggestion(IReadOnlyList<string> names, string wanted)
    {
        string[] near = [.. names.Where(name => string.Equals(name.Trim(), wanted.Trim(), StringComparison.OrdinalIgnoreCase)).Distinct(StringComparer.Ordinal)];
        return near.Length == 1 ? $" (did you mean {Csv.Quote(near[0])}?)" : "";
    }
}
