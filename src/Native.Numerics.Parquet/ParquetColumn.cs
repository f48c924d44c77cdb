namespace Native.Numerics;

/// <summary>One column of a Parquet file, as its schema declares it: what a caller needs to choose features.</summary>
public sealed class ParquetColumn
{
    internal ParquetColumn(int index, string name, ParquetColumnKind kind, string type, bool isNullable, bool isTopLevel, Parquet.Conversion conversion = Parquet.Conversion.None)
    {
        Conversion = conversion;
        Index = index;
        Name = name;
        Kind = kind;
        Type = type;
        IsNullable = isNullable;
        IsTopLevel = isTopLevel;
    }

    /// <summary>The column's position among the file's leaf columns, from 0.</summary>
    public int Index { get; }

    /// <summary>The column's name; for a field of a nested group, its dotted path (<c>address.zip</c>).</summary>
    public string Name { get; }

    /// <summary>What the column holds, as far as a model is concerned.</summary>
    public ParquetColumnKind Kind { get; }

    /// <summary>The physical type and its annotation, as Parquet names them: <c>INT32 (Int(8, signed))</c>, <c>BYTE_ARRAY (String)</c>.</summary>
    public string Type { get; }

    /// <summary>Whether the schema lets the column hold nulls (an optional column); a null feature or label is still an error.</summary>
    public bool IsNullable { get; }

    /// <summary>Whether the column stands at the top of the schema (not inside a group, list or map).</summary>
    internal bool IsTopLevel { get; }

    /// <summary>How the column's values become floats (<see cref="Parquet.Conversion.None"/> for a column that does not hold numbers).</summary>
    internal Parquet.Conversion Conversion { get; }

    /// <inheritdoc />
    public override string ToString() => $"{Name}: {Type}";
}

/// <summary>What a Parquet column holds, as far as a model is concerned.</summary>
public enum ParquetColumnKind
{
    /// <summary>Numbers a feature can be: booleans, integers of any width and sign, floats, doubles, 16-bit floats, decimals.</summary>
    Number,

    /// <summary>Text (UTF-8 strings and enums): a label's class names; categories for features come with a feature pipeline.</summary>
    Text,

    /// <summary>Anything else: dates, times, timestamps, raw bytes, lists, maps and fields of groups.</summary>
    Other,
}
