using System.Globalization;
using ParquetSharp;

namespace Native.Numerics.Parquet;

/// <summary>
/// One open Parquet file: its schema as <see cref="ParquetColumn"/>s, its row groups, and the one place where what the
/// underlying reader (ParquetSharp, over Apache Arrow's C++ reader) throws becomes a <see cref="FileFormatException"/>.
/// </summary>
internal sealed class ParquetSource : IDisposable
{
    /// <summary>The four bytes a Parquet file starts and ends with.</summary>
    private static ReadOnlySpan<byte> Magic => "PAR1"u8;

    /// <summary>The end of an encrypted file's footer, which this reader does not decrypt.</summary>
    private static ReadOnlySpan<byte> EncryptedMagic => "PARE"u8;

    private readonly ParquetFileReader _reader;
    private readonly Stream? _owned;

    private ParquetSource(ParquetFileReader reader, string? name, Stream? owned)
    {
        _reader = reader;
        _owned = owned;
        Name = name;
        try
        {
            using FileMetaData metadata = reader.FileMetaData;
            RowGroups = metadata.NumRowGroups;
            Rows = metadata.NumRows;
            Columns = Describe(metadata.Schema);
        }
        catch (Exception e) when (IsReaderFailure(e))
        {
            throw Failure(name, "the footer (the file's schema and row groups) is damaged", e);
        }

        if (RowGroups < 0 || Rows < 0)
        {
            throw FileFormatException.InFile(name, Invariant($"the footer declares {RowGroups} row groups and {Rows} rows; neither can be negative."));
        }
    }

    /// <summary>The file's name in messages (its path), or null for an unnamed stream.</summary>
    public string? Name { get; }

    /// <summary>Every leaf column of the schema, in the file's order.</summary>
    public ParquetColumn[] Columns { get; }

    /// <summary>The number of row groups.</summary>
    public int RowGroups { get; }

    /// <summary>The number of rows the footer declares.</summary>
    public long Rows { get; }

    /// <summary>Opens the Parquet file at <paramref name="path"/>, checking its magic bytes and reading its footer.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="FileFormatException">The file is not a Parquet file, or its footer is damaged.</exception>
    public static ParquetSource Open(string path)
    {
        var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1, FileOptions.RandomAccess);
        try
        {
            return Open(file, path, owned: true);
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    /// <summary>Opens the Parquet content of <paramref name="stream"/> (readable and seekable), which is left open unless <paramref name="owned"/>.</summary>
    public static ParquetSource Open(Stream stream, string? name, bool owned)
    {
        if (!stream.CanRead || !stream.CanSeek)
        {
            throw new ArgumentException("A Parquet file is read from its end (the footer) first: the stream must be readable and seekable.", nameof(stream));
        }

        CheckMagic(stream, name);
        ParquetFileReader reader;
        try
        {
            reader = new ParquetFileReader(stream, leaveOpen: true);
        }
        catch (Exception e) when (IsReaderFailure(e))
        {
            throw Failure(name, "the footer (the file's schema and row groups) is damaged", e);
        }

        try
        {
            return new ParquetSource(reader, name, owned ? stream : null);
        }
        catch
        {
            reader.Dispose();
            throw;
        }
    }

    /// <summary>Row group <paramref name="index"/>; dispose it when done.</summary>
    public RowGroupReader RowGroup(int index)
    {
        try
        {
            return _reader.RowGroup(index);
        }
        catch (Exception e) when (IsReaderFailure(e))
        {
            throw Failure(Name, Invariant($"row group {index}: its metadata is damaged"), e);
        }
    }

    /// <summary>The column named <paramref name="name"/> (ordinal), or null.</summary>
    public ParquetColumn? Find(string name) => Array.Find(Columns, c => string.Equals(c.Name, name, StringComparison.Ordinal));

    public void Dispose()
    {
        _reader.Dispose();
        _owned?.Dispose();
    }

    /// <summary>
    /// Whether <paramref name="e"/> is how the underlying reader says a file is malformed: its own exception (Arrow's
    /// errors), or a native allocation it could not make for a size the file declared.
    /// </summary>
    public static bool IsReaderFailure(Exception e) => e is ParquetException or OutOfMemoryException;

    /// <summary>A one-line error: the file, what was being read, and the reader's own words.</summary>
    public static FileFormatException Failure(string? name, string what, Exception e)
    {
        string reason = e is OutOfMemoryException ? "it declares a size the reader could not allocate" : ReaderMessage(e.Message);
        return FileFormatException.InFile(name, $"{what}: {reason}.", e);
    }

    /// <summary>
    /// The reader's message without its C++ type name (<c>N7parquet16ParquetExceptionE (message: '…')</c>) and on
    /// one line.
    /// </summary>
    internal static string ReaderMessage(string message)
    {
        const string Opening = "(message: '";
        int start = message.IndexOf(Opening, StringComparison.Ordinal);
        if (start >= 0 && message.EndsWith("')", StringComparison.Ordinal))
        {
            message = message[(start + Opening.Length)..^2];
        }

        message = message.ReplaceLineEndings(" ").Trim().TrimEnd('.');
        return message.Length > 300 ? message[..300] + "…" : message;
    }

    internal static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    /// <summary>Checks the leading and trailing magic bytes, so a file that is not Parquet is named as such.</summary>
    private static void CheckMagic(Stream stream, string? name)
    {
        long length = stream.Length - stream.Position;
        long start = stream.Position;
        if (length < 12)
        {
            throw FileFormatException.AtOffset(name, 0, Invariant($"the file is {length} bytes long; a Parquet file has at least 12 (its magic 'PAR1', a footer length, 'PAR1' again)."));
        }

        Span<byte> head = stackalloc byte[4];
        Span<byte> tail = stackalloc byte[8];
        stream.ReadExactly(head);
        stream.Position = start + length - 8;
        stream.ReadExactly(tail);
        stream.Position = start;
        if (!head.SequenceEqual(Magic))
        {
            throw FileFormatException.AtOffset(name, 0, $"expected the Parquet magic 'PAR1', found {Bytes(head)}: this is not a Parquet file.");
        }

        if (tail[4..].SequenceEqual(EncryptedMagic))
        {
            throw FileFormatException.AtOffset(name, length - 4, "the footer is encrypted ('PARE'); this reader does not decrypt Parquet files.");
        }

        if (!tail[4..].SequenceEqual(Magic))
        {
            throw FileFormatException.AtOffset(name, length - 4, $"expected the Parquet magic 'PAR1' at the end of the file, found {Bytes(tail[4..])}: the file is truncated or not a Parquet file.");
        }

        int footer = BitConverter.ToInt32(tail[..4]);
        if (footer <= 0 || footer > length - 12)
        {
            throw FileFormatException.AtOffset(name, length - 8, Invariant($"the footer length is {footer} bytes, but the file has {length - 12} bytes between its magic numbers: the file is truncated or damaged."));
        }
    }

    private static string Bytes(ReadOnlySpan<byte> bytes)
    {
        bool printable = true;
        foreach (byte b in bytes)
        {
            printable &= b is >= 0x20 and < 0x7F;
        }

        return printable ? $"'{System.Text.Encoding.ASCII.GetString(bytes)}'" : "0x" + Convert.ToHexString(bytes);
    }

    private static ParquetColumn[] Describe(SchemaDescriptor schema)
    {
        var columns = new ParquetColumn[schema.NumColumns];
        for (int i = 0; i < columns.Length; i++)
        {
            ColumnDescriptor descriptor = schema.Column(i);
            using ParquetSharp.Schema.ColumnPath path = descriptor.Path;
            string[] parts = path.ToDotVector();
            bool topLevel = parts.Length == 1 && descriptor.MaxRepetitionLevel == 0;
            using LogicalType logical = descriptor.LogicalType;
            PhysicalType physical = descriptor.PhysicalType;
            ParquetColumnKind kind = topLevel ? ColumnTypes.Kind(physical, logical, descriptor.TypeLength) : ParquetColumnKind.Other;
            Conversion conversion = topLevel ? ColumnTypes.Convert(physical, logical, descriptor.TypeLength).Conversion : Conversion.None;
            string type = ColumnTypes.Describe(physical, logical, descriptor.TypeLength) + (descriptor.MaxRepetitionLevel > 0 ? ", repeated (a list)" : parts.Length > 1 ? ", inside a group" : "");
            columns[i] = new ParquetColumn(i, string.Join('.', parts), kind, type, descriptor.MaxDefinitionLevel > 0, topLevel, conversion);
        }

        return columns;
    }
}
