using System.Globalization;
using System.Text;

namespace Native.Numerics.Parquet;

/// <summary>
/// The labels of a dataset as they are read: a class id per row (each distinct value numbered as it first appears) or a
/// target per row; at the end, the classes in the order CSV gives them (integers numerically, text ordinally) and their names.
/// </summary>
internal abstract class Labels : LabelReader
{
    /// <summary>The rows read.</summary>
    public abstract int Count { get; }

    /// <summary>The labels for <see cref="ParquetLabels"/> <paramref name="kind"/> of column <paramref name="column"/>.</summary>
    public static Labels For(LabelKind kind, ParquetColumn column, string? file) => kind switch
    {
        LabelKind.Targets => new Targets(),
        LabelKind.Text => new TextClasses(),
        _ => new IntegerClasses(kind == LabelKind.Booleans, column.Conversion == Conversion.UInt64),
    };

    /// <summary>The targets, for a regression.</summary>
    public virtual float[] TargetValues() => throw new InvalidOperationException("These labels are classes.");

    /// <summary>The class of each row, the number of classes and their names; fewer than 2 classes is an error.</summary>
    public abstract (int[] Labels, string[] Names) Classes(string? file, string column);

    protected static (int[] Labels, string[] Names) Number(List<int> ids, int distinct, Comparison<int> order, Func<int, string> name, string? file, string column)
    {
        int[] sorted = [.. Enumerable.Range(0, distinct)];
        Array.Sort(sorted, order);
        int[] classOf = new int[distinct];
        string[] names = new string[distinct];
        for (int k = 0; k < sorted.Length; k++)
        {
            classOf[sorted[k]] = k;
            names[k] = name(sorted[k]);
        }

        if (names.Length < 2)
        {
            throw FileFormatException.InFile(file, ParquetSource.Invariant($"the label column {Messages.Quote(column)} holds only one class ({Messages.Quote(names.Length == 0 ? "" : names[0])}) in {ids.Count} rows; classification needs at least 2 classes."));
        }

        int[] labels = new int[ids.Count];
        for (int i = 0; i < labels.Length; i++)
        {
            labels[i] = classOf[ids[i]];
        }

        return (labels, names);
    }

    private sealed class Targets : Labels
    {
        private readonly List<float> _values = [];
        private float[] _batch = [];

        public override int Count => _values.Count;

        public override void Read(ColumnCursor cursor, int rows)
        {
            if (_batch.Length < rows)
            {
                _batch = new float[rows];
            }

            cursor.ReadFloats(_batch.AsSpan(0, rows), "label");
            _values.AddRange(_batch.AsSpan(0, rows));
        }

        public override float[] TargetValues() => [.. _values];

        public override (int[] Labels, string[] Names) Classes(string? file, string column) => throw new InvalidOperationException("These labels are targets.");
    }

    /// <summary>Integer (or boolean) classes, kept exactly as 64-bit integers.</summary>
    private sealed class IntegerClasses(bool booleans, bool unsigned) : Labels
    {
        private readonly Dictionary<long, int> _ids = [];
        private readonly List<long> _values = [];
        private readonly List<int> _rows = [];
        private long[] _batch = [];

        public override int Count => _rows.Count;

        public override void Read(ColumnCursor cursor, int rows)
        {
            if (_batch.Length < rows)
            {
                _batch = new long[rows];
            }

            Span<long> batch = _batch.AsSpan(0, rows);
            cursor.ReadIntegers(batch, out _, "label");
            foreach (long value in batch)
            {
                if (!_ids.TryGetValue(value, out int id))
                {
                    id = _values.Count;
                    _ids.Add(value, id);
                    _values.Add(value);
                }

                _rows.Add(id);
            }
        }

        public override (int[] Labels, string[] Names) Classes(string? file, string column) => Number(
            _rows,
            _values.Count,
            (a, b) => unsigned ? ((ulong)_values[a]).CompareTo((ulong)_values[b]) : _values[a].CompareTo(_values[b]),
            id => booleans ? (_values[id] != 0 ? "true" : "false") : unsigned ? ((ulong)_values[id]).ToString(CultureInfo.InvariantCulture) : _values[id].ToString(CultureInfo.InvariantCulture),
            file,
            column);
    }

    /// <summary>Text classes: strict UTF-8, never empty.</summary>
    private sealed class TextClasses : Labels, ITextSink
    {
        private static readonly UTF8Encoding Strict = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
        private readonly Dictionary<string, int> _ids = new(StringComparer.Ordinal);
        private readonly List<string> _names = [];
        private readonly List<int> _rows = [];
        private char[] _chars = new char[256];
        private ColumnCursor? _cursor;

        public override int Count => _rows.Count;

        public override void Read(ColumnCursor cursor, int rows)
        {
            _cursor = cursor;
            cursor.ReadText(rows, this, "label");
        }

        public void Take(ReadOnlySpan<byte> utf8, long row)
        {
            if (utf8.IsEmpty)
            {
                throw Error(row, "the label is empty; a class needs a name.");
            }

            if (_chars.Length < utf8.Length)
            {
                _chars = new char[Math.Max(utf8.Length, 2 * _chars.Length)];
            }

            int length;
            try
            {
                length = Strict.GetChars(utf8, _chars);
            }
            catch (DecoderFallbackException)
            {
                throw Error(row, "the label is not valid UTF-8.");
            }

            ReadOnlySpan<char> text = _chars.AsSpan(0, length);
            Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> lookup = _ids.GetAlternateLookup<ReadOnlySpan<char>>();
            if (!lookup.TryGetValue(text, out int id))
            {
                id = _names.Count;
                string name = text.ToString();
                _ids.Add(name, id);
                _names.Add(name);
            }

            _rows.Add(id);
        }

        public override (int[] Labels, string[] Names) Classes(string? file, string column) =>
            Number(_rows, _names.Count, (a, b) => string.CompareOrdinal(_names[a], _names[b]), id => _names[id], file, column);

        private FileFormatException Error(long row, string message) => _cursor!.ErrorAtRow(row, message);
    }
}
