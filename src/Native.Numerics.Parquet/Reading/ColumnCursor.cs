using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using ParquetSharp;

namespace Native.Numerics.Parquet;

/// <summary>Receives a text column's values one at a time, while their bytes are valid (until the next read).</summary>
internal interface ITextSink
{
    /// <summary>The value of row <paramref name="row"/> (of the file, from 0), as UTF-8.</summary>
    void Take(ReadOnlySpan<byte> utf8, long row);
}

/// <summary>
/// One column of one row group, read a batch of rows at a time in order: numbers as floats, integers exactly, text
/// through a sink. A null, a value that is not a finite float, and a column shorter than its row group are errors naming
/// the file, the row group, the column and the row.
/// </summary>
/// <remarks>
/// The reader below returns at most one data page per call, so each read loops until it has its rows or the column
/// ends. Values arrive in typed scratch buffers the cursor keeps (a batch long); nothing is allocated per batch.
/// </remarks>
internal sealed unsafe class ColumnCursor : IDisposable
{
    private readonly ColumnReader _reader;
    private readonly ParquetColumn _column;
    private readonly string? _file;
    private readonly int _rowGroup;
    private readonly long _rowGroupRows;
    private readonly long _firstRow;
    private readonly Conversion _conversion;
    private readonly int _scale;
    private readonly int _typeLength;
    private readonly short _maxDefinition;
    private short[] _levels = [];
    private Array _values = Array.Empty<byte>();
    private long _rowsRead;

    public ColumnCursor(RowGroupReader group, ParquetColumn column, string? file, int rowGroup, long firstRow)
    {
        _column = column;
        _file = file;
        _rowGroup = rowGroup;
        _firstRow = firstRow;
        try
        {
            _rowGroupRows = group.MetaData.NumRows;
            _reader = group.Column(column.Index);
            ColumnDescriptor descriptor = _reader.ColumnDescriptor;
            using LogicalType logical = descriptor.LogicalType;
            (_conversion, _scale) = ColumnTypes.Convert(descriptor.PhysicalType, logical, descriptor.TypeLength);
            _typeLength = descriptor.TypeLength;
            _maxDefinition = descriptor.MaxDefinitionLevel;
        }
        catch (Exception e) when (ParquetSource.IsReaderFailure(e))
        {
            throw Error("its metadata is damaged", e);
        }
    }

    /// <summary>The column.</summary>
    public ParquetColumn Column => _column;

    /// <summary>Whether the column's values are integers (or booleans), which labels keep exactly.</summary>
    public bool HoldsIntegers => _conversion is Conversion.Boolean or Conversion.Int32 or Conversion.UInt32 or Conversion.Int64 or Conversion.UInt64;

    /// <summary>Whether the column's values are booleans.</summary>
    public bool HoldsBooleans => _conversion == Conversion.Boolean;

    /// <summary>
    /// Reads the next <paramref name="destination"/>.Length rows as finite floats (for messages, each a
    /// <paramref name="role"/>: "feature", "label", "target").
    /// </summary>
    public void ReadFloats(Span<float> destination, string role)
    {
        int rows = destination.Length;
        switch (_conversion)
        {
            case Conversion.Boolean:
                {
                    ReadOnlySpan<bool> values = Read<bool>(rows, role);
                    for (int i = 0; i < rows; i++)
                    {
                        destination[i] = values[i] ? 1f : 0f;
                    }

                    break;
                }

            // Integer to float conversions round to nearest, one vector at a time (as the cast does one value at a time).
            case Conversion.Int32:
                TensorPrimitives.ConvertTruncating<int, float>(Read<int>(rows, role), destination);
                break;
            case Conversion.UInt32:
                TensorPrimitives.ConvertTruncating<uint, float>(MemoryMarshal.Cast<int, uint>(Read<int>(rows, role)), destination);
                break;

            case Conversion.Int64:
                {
                    ReadOnlySpan<long> values = Read<long>(rows, role);
                    for (int i = 0; i < rows; i++)
                    {
                        destination[i] = values[i];
                    }

                    break;
                }

            case Conversion.UInt64:
                {
                    ReadOnlySpan<long> values = Read<long>(rows, role);
                    for (int i = 0; i < rows; i++)
                    {
                        destination[i] = Decimals.ToSingle((ulong)values[i]);
                    }

                    break;
                }

            case Conversion.Float:
                Read<float>(rows, role).CopyTo(destination);
                break;
            case Conversion.Double:
                TensorPrimitives.ConvertTruncating<double, float>(Read<double>(rows, role), destination);
                break;

            case Conversion.Decimal32:
                {
                    ReadOnlySpan<int> values = Read<int>(rows, role);
                    for (int i = 0; i < rows; i++)
                    {
                        destination[i] = Decimals.ToSingle(values[i], _scale);
                    }

                    break;
                }

            case Conversion.Decimal64:
                {
                    ReadOnlySpan<long> values = Read<long>(rows, role);
                    for (int i = 0; i < rows; i++)
                    {
                        destination[i] = Decimals.ToSingle(values[i], _scale);
                    }

                    break;
                }

            case Conversion.Float16:
            case Conversion.DecimalFixed:
                {
                    ReadOnlySpan<FixedLenByteArray> values = Read<FixedLenByteArray>(rows, role);
                    for (int i = 0; i < rows; i++)
                    {
                        var bytes = new ReadOnlySpan<byte>((void*)values[i].Pointer, _typeLength);
                        destination[i] = _conversion == Conversion.Float16
                            ? (float)BitConverter.UInt16BitsToHalf(System.Buffers.Binary.BinaryPrimitives.ReadUInt16LittleEndian(bytes))
                            : Decimals.ToSingle(Decimals.FromBigEndian(bytes), _scale);
                    }

                    break;
                }

            case Conversion.DecimalBytes:
                {
                    ReadOnlySpan<ByteArray> values = Read<ByteArray>(rows, role);
                    for (int i = 0; i < rows; i++)
                    {
                        if ((uint)values[i].Length > Decimals.MaxBytes)
                        {
                            throw Error(_rowsRead - rows + i, ParquetSource.Invariant($"the {role} is a decimal of {values[i].Length} bytes; at most {Decimals.MaxBytes} are read (precision 38)."));
                        }

                        destination[i] = Decimals.ToSingle(Decimals.FromBigEndian(new ReadOnlySpan<byte>((void*)values[i].Pointer, values[i].Length)), _scale);
                    }

                    break;
                }

            default:
                throw new InvalidOperationException($"Column '{_column.Name}' ({_column.Type}) does not hold numbers.");
        }

        int bad = destination.IndexOfAnyExceptInRange(float.MinValue, float.MaxValue);
        if (bad >= 0)
        {
            float value = destination[bad];
            string reason = float.IsNaN(value) || _conversion is Conversion.Float or Conversion.Float16 || (_conversion == Conversion.Double && !double.IsFinite(((double[])_values)[bad]))
                ? $"the {role} is {Format(value)}; values must be finite numbers."
                : $"the {role} is beyond the range of a float (±3.4028235E+38).";
            throw Error(_rowsRead - rows + bad, reason);
        }
    }

    /// <summary>Reads the next <paramref name="destination"/>.Length rows of an integer or boolean column exactly (booleans as 0 and 1).</summary>
    public void ReadIntegers(Span<long> destination, out bool unsignedOverflow, string role)
    {
        int rows = destination.Length;
        unsignedOverflow = false;
        switch (_conversion)
        {
            case Conversion.Boolean:
                {
                    ReadOnlySpan<bool> values = Read<bool>(rows, role);
                    for (int i = 0; i < rows; i++)
                    {
                        destination[i] = values[i] ? 1 : 0;
                    }

                    break;
                }

            case Conversion.Int32:
            case Conversion.UInt32:
                {
                    ReadOnlySpan<int> values = Read<int>(rows, role);
                    for (int i = 0; i < rows; i++)
                    {
                        destination[i] = _conversion == Conversion.Int32 ? values[i] : (uint)values[i];
                    }

                    break;
                }

            case Conversion.Int64:
            case Conversion.UInt64:
                {
                    ReadOnlySpan<long> values = Read<long>(rows, role);
                    values.CopyTo(destination);
                    if (_conversion == Conversion.UInt64)
                    {
                        unsignedOverflow = values.IndexOfAnyInRange(long.MinValue, -1) >= 0;
                    }

                    break;
                }

            default:
                throw new InvalidOperationException($"Column '{_column.Name}' ({_column.Type}) does not hold integers.");
        }
    }

    /// <summary>Reads the next <paramref name="rows"/> rows of a text column, handing each value to <paramref name="sink"/>.</summary>
    public void ReadText(int rows, ITextSink sink, string role)
    {
        var reader = (ColumnReader<ByteArray>)_reader;
        EnsureCapacity<ByteArray>(Math.Min(rows, 4096));
        ByteArray[] values = (ByteArray[])_values;
        for (int done = 0; done < rows;)
        {
            int batch = Math.Min(rows - done, values.Length);
            ReadBatch(reader, batch, values, role, out int read);
            for (int i = 0; i < read; i++)
            {
                sink.Take(new ReadOnlySpan<byte>((void*)values[i].Pointer, values[i].Length), _firstRow + _rowsRead - read + i);
            }

            done += read;
        }
    }

    /// <summary>After the row group's rows: refuses a column that holds more values than the row group declares rows.</summary>
    public void CheckEnd()
    {
        bool more;
        try
        {
            more = _reader.HasNext;
        }
        catch (Exception e) when (ParquetSource.IsReaderFailure(e))
        {
            throw Error("its data pages are damaged", e);
        }

        if (more)
        {
            throw Error(ParquetSource.Invariant($"the column holds more values than the row group's {_rowGroupRows} rows."));
        }
    }

    public void Dispose() => _reader.Dispose();

    /// <summary>An error at row <paramref name="row"/> of the file (a row of this column's row group).</summary>
    public FileFormatException ErrorAtRow(long row, string message) => Error(row - _firstRow, message);

    /// <summary>An error at row <paramref name="rowInGroup"/> of this column's row group.</summary>
    public FileFormatException Error(long rowInGroup, string message, Exception? inner = null) =>
        FileFormatException.InFile(_file, ParquetSource.Invariant($"row group {_rowGroup}, column {Messages.Quote(_column.Name)}, row {_firstRow + rowInGroup}: {message}"), inner);

    /// <summary>An error in this column's row group, at no one row.</summary>
    public FileFormatException ColumnError(string message) => Error(message);

    private FileFormatException Error(string message, Exception? inner = null)
    {
        string reason = inner is null ? message : $"{message}: {(inner is OutOfMemoryException ? "it declares a size the reader could not allocate" : ParquetSource.ReaderMessage(inner.Message))}.";
        return FileFormatException.InFile(_file, ParquetSource.Invariant($"row group {_rowGroup}, column {Messages.Quote(_column.Name)}: {reason}"), inner);
    }

    private static string Format(float value) => value.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The next <paramref name="rows"/> values of the column as they are stored, every one present.</summary>
    private ReadOnlySpan<T> Read<T>(int rows, string role)
        where T : unmanaged
    {
        EnsureCapacity<T>(rows);
        T[] values = (T[])_values;
        var reader = (ColumnReader<T>)_reader;
        int done = 0;
        while (done < rows)
        {
            ReadBatch(reader, rows - done, values.AsSpan(done), role, out int read);
            done += read;
        }

        return values.AsSpan(0, rows);
    }

    /// <summary>
    /// Up to <paramref name="rows"/> more rows of the column as they are stored (at least one; at most the rest of a data
    /// page), nulls allowed: the values present, packed, each row's definition level (<see cref="IsPresent"/> says which
    /// rows have a value), and the number of rows read. A text value's bytes are valid until the next read.
    /// </summary>
    public int ReadPage<T>(int rows, out ReadOnlySpan<T> values, out ReadOnlySpan<short> definitions)
        where T : unmanaged
    {
        EnsureCapacity<T>(rows, definitions: true);
        int read = ReadBatch((ColumnReader<T>)_reader, rows, (T[])_values, _levels, "value", nullable: true, out int present);
        values = ((T[])_values).AsSpan(0, present);
        definitions = _maxDefinition > 0 ? _levels.AsSpan(0, read) : default;
        return read;
    }

    /// <summary>Whether row <paramref name="row"/> of a page (<see cref="ReadPage{T}(int, out ReadOnlySpan{T}, out ReadOnlySpan{short})"/>) has a value (every row of a required column has).</summary>
    public bool IsPresent(ReadOnlySpan<short> definitions, int row) => _maxDefinition == 0 || definitions[row] == _maxDefinition;

    /// <summary>Whether the column's values are text (UTF-8 strings or enums).</summary>
    public bool HoldsText => _conversion == Conversion.None && _column.Kind == ParquetColumnKind.Text;

    /// <summary>How the column's values become numbers (<see cref="Conversion.None"/> for text and other types), and the decimal scale.</summary>
    public (Conversion Conversion, int Scale, int TypeLength) Number => (_conversion, _scale, _typeLength);

    /// <summary>
    /// One call to the reader: up to <paramref name="rows"/> rows (at most the rest of a data page), at least one.
    /// </summary>
    private void ReadBatch<T>(ColumnReader<T> reader, int rows, Span<T> values, string role, out int read)
        where T : unmanaged =>
        read = ReadBatch(reader, rows, values, _levels, role, nullable: false, out _);

    /// <summary>
    /// One call to the reader: up to <paramref name="rows"/> rows, at least one; the rows read returned, the values present
    /// in <paramref name="present"/>. A null is an error unless <paramref name="nullable"/>.
    /// </summary>
    private int ReadBatch<T>(ColumnReader<T> reader, int rows, Span<T> values, Span<short> levelsOut, string role, bool nullable, out int present)
        where T : unmanaged
    {
        if (_rowsRead + rows > _rowGroupRows)
        {
            throw new InvalidOperationException("Read past the row group's rows.");
        }

        long levels, valuesRead;
        Span<short> definitions = _maxDefinition > 0 ? levelsOut[..rows] : default;
        try
        {
            levels = reader.ReadBatch(rows, definitions, default, values, out valuesRead);
        }
        catch (Exception e) when (ParquetSource.IsReaderFailure(e))
        {
            throw Error(_rowsRead, $"its data pages are damaged: {(e is OutOfMemoryException ? "they declare a size the reader could not allocate" : ParquetSource.ReaderMessage(e.Message))}.", e);
        }

        if (levels <= 0)
        {
            throw Error(_rowsRead, ParquetSource.Invariant($"the column ends after {_rowsRead} values, but the row group declares {_rowGroupRows} rows."));
        }

        if (valuesRead != levels && !nullable)
        {
            // A null: a definition level below the column's maximum.
            int at = definitions[..(int)levels].IndexOfAnyExcept(_maxDefinition);
            throw Error(_rowsRead + Math.Max(at, 0), role == "target"
                ? "the target is null (missing); a regression needs each of its targets in every row."
                : role == "feature"
                    ? "the feature is null (missing); the numeric reader does not impute: fill or drop the row, or train on the file read as a table, which imputes blanks (ParquetTable.Read; native train: --impute mean)."
                    : $"the {role} is null (missing); fill or drop the row.");
        }

        _rowsRead += levels;
        present = (int)valuesRead;
        return (int)levels;
    }

    private void EnsureCapacity<T>(int rows, bool definitions = false)
        where T : unmanaged
    {
        if (_values is not T[] values || values.Length < rows)
        {
            _values = new T[rows];
        }

        if ((_maxDefinition > 0 || definitions) && _levels.Length < rows)
        {
            _levels = new short[rows];
        }
    }
}
