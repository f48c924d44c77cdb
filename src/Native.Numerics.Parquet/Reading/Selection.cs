namespace Native.Numerics.Parquet;

/// <summary>What a label column's values are, by its type (and the options).</summary>
internal enum LabelKind
{
    /// <summary>Integers: classes in numeric order, named by their canonical text.</summary>
    Integers,

    /// <summary>Booleans: classes false and true.</summary>
    Booleans,

    /// <summary>Text: classes in ordinal order, named by the text.</summary>
    Text,

    /// <summary>Numbers of any type: regression targets.</summary>
    Targets,
}

/// <summary>
/// The columns a read takes: the features by name, in order, and perhaps a label; chosen from the first file and held to
/// every later one (a directory of part files must agree).
/// </summary>
internal sealed class Selection
{
    private readonly string[]? _defaultNumbers;

    private Selection(string[] features, ParquetColumn? label, LabelKind labelKind, string[]? defaultNumbers)
    {
        Features = features;
        Label = label?.Name;
        LabelKind = labelKind;
        _defaultNumbers = defaultNumbers;
    }

    /// <summary>The feature columns' names, in feature order.</summary>
    public string[] Features { get; }

    /// <summary>The label column's name, or null.</summary>
    public string? Label { get; }

    /// <summary>What the labels are (when there is a label).</summary>
    public LabelKind LabelKind { get; }

    /// <summary>The columns for training: the label (the named one, else the last column) and the features (the named ones, else every number column but the label).</summary>
    public static Selection ForTraining(ParquetSource source, ParquetOptions options)
    {
        ParquetColumn[] columns = source.Columns;
        if (columns.Length < 2)
        {
            throw FileFormatException.InFile(source.Name, ParquetSource.Invariant($"the file has {columns.Length} column{(columns.Length == 1 ? "" : "s")}; expected at least 2: features and a label."));
        }

        ParquetColumn label = options.LabelColumn is string name
            ? source.Find(name) ?? throw NoSuchColumn(source, name, "label")
            : columns[^1];
        LabelKind kind = KindOfLabel(source, label, options.Labels);
        string[]? defaults = null;
        string[] features;
        if (options.FeatureColumns is { } named)
        {
            features = [.. named];
            CheckFeatures(source, features, label.Name);
        }
        else
        {
            features = defaults = [.. columns.Where(c => c.Kind == ParquetColumnKind.Number && c != label).Select(c => c.Name)];
            if (features.Length == 0)
            {
                throw FileFormatException.InFile(source.Name, $"no column but the label {Messages.Quote(label.Name)} holds numbers, so there are no features; the columns are {Describe(columns)}.");
            }
        }

        if (options.TargetColumns?.FirstOrDefault(name => !features.Contains(name, StringComparer.Ordinal)) is string target)
        {
            throw new ArgumentException($"The target column '{target}' is not among the columns read beside the label ({Messages.Quote(string.Join(", ", features))}); the targets after the label are read with the features.", nameof(options));
        }

        return new Selection(features, label, kind, defaults);
    }

    /// <summary>The columns for prediction: the features named, in that order.</summary>
    public static Selection ForFeatures(ParquetSource source, string[] features)
    {
        CheckFeatures(source, features, label: null);
        return new Selection(features, null, default, null);
    }

    /// <summary>Holds a later file to the first's choice: the same columns, of the same kinds.</summary>
    public void Verify(ParquetSource source, ParquetOptions options)
    {
        CheckFeatures(source, Features, Label);
        if (Label is not null)
        {
            ParquetColumn label = source.Find(Label) ?? throw NoSuchColumn(source, Label, "label");
            LabelKind kind = KindOfLabel(source, label, options.Labels);
            if (kind != LabelKind)
            {
                throw FileFormatException.InFile(source.Name, $"the label column {Messages.Quote(Label)} is {label.Type} here ({Name(kind)}), but {Name(LabelKind)} in the first file; the files must agree.");
            }
        }

        if (_defaultNumbers is not null)
        {
            string[] numbers = [.. source.Columns.Where(c => c.Kind == ParquetColumnKind.Number && c.Name != Label).Select(c => c.Name)];
            if (!numbers.SequenceEqual(_defaultNumbers, StringComparer.Ordinal))
            {
                throw FileFormatException.InFile(source.Name, $"the number columns are {Messages.Quote(string.Join(", ", numbers))}, but the first file's features are {Messages.Quote(string.Join(", ", _defaultNumbers))}; the files must agree (or name the features in ParquetOptions.FeatureColumns).");
            }
        }
    }

    private static void CheckFeatures(ParquetSource source, string[] features, string? label)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (string name in features)
        {
            ParquetColumn column = source.Find(name) ?? throw NoSuchColumn(source, name, "feature");
            if (!seen.Add(name))
            {
                throw new ArgumentException($"The feature column '{name}' is named twice.", nameof(features));
            }

            if (string.Equals(name, label, StringComparison.Ordinal))
            {
                throw new ArgumentException($"The column '{name}' is the label; it cannot be a feature too.", nameof(features));
            }

            if (column.Kind == ParquetColumnKind.Text)
            {
                throw TextFeature(source, column);
            }

            if (column.Kind != ParquetColumnKind.Number)
            {
                throw FileFormatException.InFile(source.Name, $"column {Messages.Quote(name)} is {column.Type}, not numbers; a feature must be a boolean, an integer, a float or a decimal.");
            }
        }
    }

    /// <summary>
    /// A text feature: named with the file, the column, the first row group and its first value, as a CSV reader names a
    /// field that is not a number. Text becomes categories with a feature pipeline; until then it is refused.
    /// </summary>
    private static FileFormatException TextFeature(ParquetSource source, ParquetColumn column)
    {
        string first = "";
        if (source.RowGroups > 0)
        {
            try
            {
                using ParquetSharp.RowGroupReader group = source.RowGroup(0);
                if (group.MetaData.NumRows > 0)
                {
                    using var cursor = new ColumnCursor(group, column, source.Name, 0, 0);
                    var sink = new FirstValue();
                    cursor.ReadText(1, sink, "feature");
                    first = sink.Value is null ? "" : $" ({Messages.Quote(sink.Value)})";
                }
            }
            catch (FileFormatException)
            {
                // The value is only a courtesy: the error is the column's type.
            }
        }

        return FileFormatException.InFile(source.Name, $"row group 0, column {Messages.Quote(column.Name)}: the feature is text{first}, not a number; the numeric reader takes numbers only: leave the column out of the features, or read the file as a table, which reads text as categories (ParquetTable.Read; native train does so).");
    }

    private static LabelKind KindOfLabel(ParquetSource source, ParquetColumn label, ParquetLabels labels)
    {
        Conversion conversion = label.Conversion;
        bool integers = conversion is Conversion.Int32 or Conversion.UInt32 or Conversion.Int64 or Conversion.UInt64;
        bool booleans = conversion == Conversion.Boolean;
        if (label.Kind == ParquetColumnKind.Other)
        {
            throw FileFormatException.InFile(source.Name, $"the label column {Messages.Quote(label.Name)} is {label.Type}; a label must be integers, booleans or text (classes), or numbers (regression targets).");
        }

        return labels switch
        {
            ParquetLabels.Regression when label.Kind == ParquetColumnKind.Text => throw FileFormatException.InFile(source.Name, $"the label column {Messages.Quote(label.Name)} holds text ({label.Type}); regression targets must be numbers."),
            ParquetLabels.Regression => LabelKind.Targets,
            _ when label.Kind == ParquetColumnKind.Text => LabelKind.Text,
            _ when integers => LabelKind.Integers,
            _ when booleans => LabelKind.Booleans,
            ParquetLabels.Classification => throw FileFormatException.InFile(source.Name, $"the label column {Messages.Quote(label.Name)} holds {label.Type} numbers; classes are integers, booleans or text. Read it as regression targets (ParquetLabels.Regression; native: --model linear or mlp-regressor), or store the classes as integers."),
            _ => LabelKind.Targets,
        };
    }

    private static FileFormatException NoSuchColumn(ParquetSource source, string name, string role) =>
        FileFormatException.InFile(source.Name, $"no column is named {Messages.Quote(name)} (the {role}); the columns are {Describe(source.Columns)}.");

    private static string Describe(ParquetColumn[] columns) => Messages.Quote(string.Join(", ", columns.Select(c => c.Name)));

    private static string Name(LabelKind kind) => kind switch
    {
        LabelKind.Integers => "integer classes",
        LabelKind.Booleans => "boolean classes",
        LabelKind.Text => "text classes",
        _ => "regression targets",
    };

    private sealed class FirstValue : ITextSink
    {
        public string? Value { get; private set; }

        public void Take(ReadOnlySpan<byte> utf8, long row) => Value ??= System.Text.Encoding.UTF8.GetString(utf8);
    }
}
