using System.Globalization;
using System.Text;

namespace Native.Numerics.Parquet;

/// <summary>
/// The labels of a dataset as they are read: a class id per row (each distinct value numbered as it first appears) or a
/// target per row; at the end, the classes in the order CSV gives them (integers numerically, text ordinally) and their names.
/// </summary>
internal abstract class Labels : LabelReader
{
    /// <summary>Whether every row's id (or target) is kept (a dataset's labels), or only each batch's (a first pass's).</summary>
    private readonly bool _keep;
    private int[] _batchIds = [];

    protected Labels(bool keep) => _keep = keep;

    /// <summary>The rows read.</summary>
    public abstract int Count { get; }

    /// <summary>The ids of the labels of the batch read last (classes: a number for each distinct value, from 0 in order of first appearance).</summary>
    public ReadOnlySpan<int> BatchIds => _batchIds.AsSpan(0, BatchCount);

    /// <summary>The targets of the batch read last (targets).</summary>
    public virtual ReadOnlySpan<float> BatchTargets => throw new InvalidOperationException("These labels are classes.");

    /// <summary>The rows of the batch read last.</summary>
    protected int BatchCount { get; set; }

    /// <summary>The labels for <see cref="ParquetLabels"/> <paramref name="kind"/> of column <paramref name="column"/>; every row's kept when <paramref name="keep"/>.</summary>
    public static Labels For(LabelKind kind, ParquetColumn column, string? file, bool keep = true) => kind switch
    {
        LabelKind.Targets => new Targets(keep),
        LabelKind.Text => new TextClasses(keep),
        _ => new IntegerClasses(kind == LabelKind.Booleans, column.Conversion == Conversion.UInt64, keep),
    };

    /// <summary>The class of each distinct label id and the classes' names (in the order <see cref="Classes"/> numbers them); fewer than 2 classes is an error.</summary>
    public abstract (int[] ClassOf, string[] Names) ClassesOfIds(string? file, string column);

    /// <summary>Starts a batch of <paramref name="rows"/> rows.</summary>
    protected void StartBatch(int rows)
    {
        if (_batchIds.Length < rows)
        {
            _batchIds = new int[rows];
        }

        BatchCount = 0;
    }

    /// <summary>Notes the next row's label id: in the batch's ids, and in <paramref name="kept"/> when every row's is kept.</summary>
    protected void Note(int id, List<int> kept)
    {
        _batchIds[BatchCount++] = id;
        if (_keep)
        {
            kept.Add(id);
        }
    }

    /// <summary>Whether every row's label is kept.</summary>
    protected bool Keep => _keep;

    /// <summary>The targets, for a regression.</summary>
    public virtual float[] TargetValues() => throw new InvalidOperationException("These labels are classes.");

    /// <summary>The class of each row, the number of classes and their names; fewer than 2 classes is an error.</summary>
    public abstract (int[] Labels, string[] Names) Classes(string? file, string column);

    protected static (int[] Labels, string[] Names) Number(List<int> ids, int distinct, Comparison<int> order, Func<int, string> name, string? file, string column)
    {
        (int[] classOf, string[] names) = Order(ids.Count, distinct, order, name, file, column);
        int[] labels = new int[ids.Count];
        for (int i = 0; i < labels.Length; i++)
        {
            labels[i] = classOf[ids[i]];
        }

        return (labels, names);
    }

    /// <summary>Each distinct id's class, the classes sorted by <paramref name="order"/>, and their names; at least 2.</summary>
    protected static (int[] ClassOf, string[] Names) Order(int rows, int distinct, Comparison<int> order, Func<int, string> name, string? file, string column)
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
            throw FileFormatException.InFile(file, ParquetSource.Invariant($"the label column {Messages.Quote(column)} holds only one class ({Messages.Quote(names.Length == 0 ? "" : names[0])}) in {rows} rows; classification needs at least 2 classes."));
        }

        return (classOf, names);
    }

    private sealed class Targets(bool keep) : Labels(keep)
    {
        private readonly List<float> _values = [];
        private float[] _batch = [];
        private int _count;

        public override int Count => _count;

        public override ReadOnlySpan<float> BatchTargets => _batch.AsSpan(0, BatchCount);

        public override void Read(ColumnCursor cursor, int rows)
        {
            if (_batch.Length < rows)
            {
                _batch = new float[rows];
            }

            cursor.ReadFloats(_batch.AsSpan(0, rows), "label");
            BatchCount = rows;
            _count += rows;
            if (Keep)
            {
                _values.AddRange(_batch.AsSpan(0, rows));
            }
        }

        public override float[] TargetValues() => [.. _values];

        public override (int[] Labels, string[] Names) Classes(string? file, string column) => throw new InvalidOperationException("These labels are targets.");

        public override (int[] ClassOf, string[] Names) ClassesOfIds(string? file, string column) => throw new InvalidOperationException("These labels are targets.");
    }

    /// <summary>Integer (or boolean) classes, kept exactly as 64-bit integers.</summary>
    private sealed class IntegerClasses(bool booleans, bool unsigned, bool keep) : Labels(keep)
    {
        private readonly Dictionary<long, int> _ids = [];
        private readonly List<long> _values = [];
        private readonly List<int> _rows = [];
        private long[] _batch = [];
        private int _count;

        public override int Count => _count;

        public override void Read(ColumnCursor cursor, int rows)
        {
            if (_batch.Length < rows)
            {
                _batch = new long[rows];
            }

            Span<long> batch = _batch.AsSpan(0, rows);
            cursor.ReadIntegers(batch, out _, "label");
            StartBatch(rows);
            foreach (long value in batch)
            {
                if (!_ids.TryGetValue(value, out int id))
                {
                    id = _values.Count;
                    _ids.Add(value, id);
                    _values.Add(value);
                }

                Note(id, _rows);
            }

            _count += rows;
        }

        public override (int[] Labels, string[] Names) Classes(string? file, string column) => Number(_rows, _values.Count, Compare, Name, file, column);

        public override (int[] ClassOf, string[] Names) ClassesOfIds(string? file, string column) => Order(_count, _values.Count, Compare, Name, file, column);

        private int Compare(int a, int b) => unsigned ? ((ulong)_values[a]).CompareTo((ulong)_values[b]) : _values[a].CompareTo(_values[b]);

        private string Name(int id) => booleans ? (_values[id] != 0 ? "true" : "false") : unsigned ? ((ulong)_values[id]).ToString(CultureInfo.InvariantCulture) : _values[id].ToString(CultureInfo.InvariantCulture);
    }

    /// <summary>Text classes: strict UTF-8, never empty.</summary>
    private sealed class TextClasses(bool keep) : Labels(keep), ITextSink
    {
        private static readonly UTF8Encoding Strict = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
        private readonly Dictionary<string, int> _ids = new(StringComparer.Ordinal);
        private readonly List<string> _names = [];
        private readonly List<int> _rows = [];
        private char[] _chars = new char[256];
        private ColumnCursor? _cursor;

        private int _count;

        public override int Count => _count;

        public override void Read(ColumnCursor cursor, int rows)
        {
            _cursor = cursor;
            StartBatch(rows);
            cursor.ReadText(rows, this, "label");
            _count += rows;
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

            Note(id, _rows);
        }

        public override (int[] Labels, string[] Names) Classes(string? file, string column) =>
            Number(_rows, _names.Count, (a, b) => string.CompareOrdinal(_names[a], _names[b]), id => _names[id], file, column);

        public override (int[] ClassOf, string[] Names) ClassesOfIds(string? file, string column) =>
            Order(_count, _names.Count, (a, b) => string.CompareOrdinal(_names[a], _names[b]), id => _names[id], file, column);

        private FileFormatException Error(long row, string message) => _cursor!.ErrorAtRow(row, message);
    }
}
