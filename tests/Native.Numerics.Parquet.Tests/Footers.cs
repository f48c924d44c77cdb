using System.Buffers.Binary;

namespace Native.Numerics.Parquet.Tests;

/// <summary>
/// Hand-made Parquet footers for hostile files: Thrift's compact encoding (the footer's) written byte by byte, and
/// footers of real files edited, their length field kept right.
/// </summary>
internal static class Footers
{
    /// <summary>A file of 'PAR1', <paramref name="body"/>, <paramref name="footer"/>, the footer's length, 'PAR1'.</summary>
    public static byte[] File(byte[] footer, byte[]? body = null)
    {
        byte[] length = new byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(length, footer.Length);
        return [.. "PAR1"u8, .. body ?? [], .. footer, .. length, .. "PAR1"u8];
    }

    /// <summary>An unsigned varint, as Thrift's compact encoding writes lengths and (zigzagged) integers.</summary>
    public static byte[] Varint(ulong value)
    {
        var bytes = new List<byte>();
        do
        {
            byte b = (byte)(value & 0x7F);
            value >>= 7;
            bytes.Add(value == 0 ? b : (byte)(b | 0x80));
        }
        while (value != 0);
        return [.. bytes];
    }

    /// <summary>The zigzag varint of a signed 64-bit integer.</summary>
    public static byte[] ZigzagVarint(long value) => Varint((ulong)((value << 1) ^ (value >> 63)));

    /// <summary>
    /// <paramref name="file"/> with every i64 field of its footer that follows its previous field (header byte 0x16) and
    /// holds <paramref name="old"/> set to <paramref name="replacement"/>: for a file of N rows, the footer's row count, each
    /// row group's and each column chunk's value count.
    /// </summary>
    public static byte[] ReplaceI64(byte[] file, long old, long replacement)
    {
        int footerLength = BinaryPrimitives.ReadInt32LittleEndian(file.AsSpan(file.Length - 8));
        int start = file.Length - 8 - footerLength;
        byte[] footer = file[start..(file.Length - 8)];
        byte[] from = [0x16, .. ZigzagVarint(old)], to = [0x16, .. ZigzagVarint(replacement)];
        var edited = new List<byte>();
        int replaced = 0;
        for (int i = 0; i < footer.Length;)
        {
            if (footer.AsSpan(i).StartsWith(from))
            {
                edited.AddRange(to);
                i += from.Length;
                replaced++;
            }
            else
            {
                edited.Add(footer[i++]);
            }
        }

        Assert.True(replaced >= 2, $"Expected the row count {old} in the footer at least twice; found it {replaced} times.");
        return File([.. edited], file[4..start]);
    }
}
