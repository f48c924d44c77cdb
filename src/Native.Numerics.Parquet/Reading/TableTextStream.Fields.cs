using System.Globalization;
using ParquetSharp;

namespace Native.Numerics.Parquet;

// A column's values as fields of the text: each type written as the table reader is to read it, a null left empty.
internal sealed partial class TableTextStream
{
    /// <summary>The next <paramref name="rows"/> values of a column as fields: their bytes in <paramref name="bytes"/>, where each ends in <paramref name="ends"/>.</summary>
    private static void ReadFields(ColumnCursor cursor, int rows, List<byte> bytes, List<int> ends)
    {
        (Conversion conversion, int scale, int typeLength) = cursor.Number;
        for (int done = 0; done < rows;)
        {
            int read;
            switch (conversion)
            {
                case Conversion.Boolean:
                    read = Page<bool>(cursor, rows - done, bytes, ends, static (v, _, b, _) => b.AddRange(v ? "true"u8 : "false"u8), scale, typeLength);
                    break;
                case Conversion.Int32:
                    read = Page<int>(cursor, rows - done, bytes, ends, static (v, _, b, _) => Write(b, v), scale, typeLength);
                    break;
                case Conversion.UInt32:
                    read = Page<int>(cursor, rows - done, bytes, ends, static (v, _, b, _) => Write(b, (uint)v), scale, typeLength);
                    break;
                case Conversion.Int64:
                    read = Page<long>(cursor, rows - done, bytes, ends, static (v, _, b, _) => Write(b, v), scale, typeLength);
                    break;
                case Conversion.UInt64:
                    read = Page<long>(cursor, rows - done, bytes, ends, static (v, _, b, _) => Write(b, (ulong)v), scale, typeLength);
                    break;
                case Conversion.Float:
                    read = Page<float>(cursor, rows - done, bytes, ends, static (v, _, b, _) => Write(b, v), scale, typeLength);
                    break;
                case Conversion.Double:
                    // The float the numeric reader gives; a double beyond the float range as itself, for the reader to refuse.
                    read = Page<double>(cursor, rows - done, bytes, ends, static (v, _, b, _) =>
                    {
                        if (float.IsFinite((float)v) || !double.IsFinite(v))
                        {
                            Write(b, (float)v);
                        }
                        else
                        {
                            Write(b, v);
                        }
                    }, scale, typeLength);
                    break;
                case Conversion.Decimal32:
                    read = Page<int>(cursor, rows - done, bytes, ends, static (v, s, b, _) => Write(b, Decimals.ToSingle(v, s)), scale, typeLength);
                    break;
                case Conversion.Decimal64:
                    read = Page<long>(cursor, rows - done, bytes, ends, static (v, s, b, _) => Write(b, Decimals.ToSingle(v, s)), scale, typeLength);
                    break;
                case Conversion.Float16:
                case Conversion.DecimalFixed:
                    read = Page(cursor, rows - done, bytes, ends, conversion == Conversion.Float16
                        ? (Writer<FixedLenByteArray>)(static (v, _, b, length) => Write(b, (float)BitConverter.UInt16BitsToHalf(System.Buffers.Binary.BinaryPrimitives.ReadUInt16LittleEndian(Bytes(v.Pointer, length)))))
                        : static (v, s, b, length) => Write(b, Decimals.ToSingle(Decimals.FromBigEndian(Bytes(v.Pointer, length)), s)), scale, typeLength);
                    break;
                case Conversion.DecimalBytes:
                    read = Page<ByteArray>(cursor, rows - done, bytes, ends, (v, s, b, _) =>
                    {
                        if ((uint)v.Length > Decimals.MaxBytes)
                        {
                            throw cursor.ColumnError(ParquetSource.Invariant($"a decimal of {v.Length} bytes; at most {Decimals.MaxBytes} are read (precision 38)."));
                        }

                        Write(b, Decimals.ToSingle(Decimals.FromBigEndian(Bytes(v.Pointer, v.Length)), s));
                    }, scale, typeLength);
                    break;
                default:
                    read = Page<ByteArray>(cursor, rows - done, bytes, ends, static (v, _, b, _) => Quoted(b, Bytes(v.Pointer, v.Length)), scale, typeLength);
                    break;
            }

            done += read;
        }
    }

    private delegate void Writer<T>(T value, int scale, List<byte> bytes, int typeLength);

    /// <summary>One page's rows: each value written by <paramref name="write"/>, a null left empty.</summary>
    private static int Page<T>(ColumnCursor cursor, int rows, List<byte> bytes, List<int> ends, Writer<T> write, int scale, int typeLength)
        where T : unmanaged
    {
        int read = cursor.ReadPage(rows, out ReadOnlySpan<T> values, out ReadOnlySpan<short> definitions);
        int k = 0;
        for (int i = 0; i < read; i++)
        {
            if (cursor.IsPresent(definitions, i))
            {
                write(values[k++], scale, bytes, typeLength);
            }

            ends.Add(bytes.Count);
        }

        return read;
    }

    private static unsafe ReadOnlySpan<byte> Bytes(IntPtr pointer, int length) => new((void*)pointer, length);

    private static void Write<T>(List<byte> bytes, T value)
        where T : IUtf8SpanFormattable
    {
        Span<byte> text = stackalloc byte[64];
        int written;
        if (value is float f && f == MathF.Truncate(f) && MathF.Abs(f) < 16_777_216f && !(f == 0 && float.IsNegative(f)))
        {
            // A whole float below 2^24 as an integer (the reader parses it to the same float), several times faster than "R".
            ((int)f).TryFormat(text, out written, default, CultureInfo.InvariantCulture);
        }
        else
        {
            value.TryFormat(text, out written, value is float or double ? "R" : default, CultureInfo.InvariantCulture);
        }

        bytes.AddRange(text[..written]);
    }

    /// <summary>Text between quotes, each quote doubled (RFC 4180): the reader takes it back exactly.</summary>
    private static void Quoted(List<byte> bytes, ReadOnlySpan<byte> text)
    {
        bytes.Add((byte)'"');
        foreach (byte b in text)
        {
            bytes.Add(b);
            if (b == (byte)'"')
            {
                bytes.Add(b);
            }
        }

        bytes.Add((byte)'"');
    }
}
