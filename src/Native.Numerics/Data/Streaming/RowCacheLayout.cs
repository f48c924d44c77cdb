using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;

namespace Native.Numerics.Streaming;

/// <summary>One block of a row cache as its table describes it.</summary>
/// <param name="Offset">The file offset of its first row (a multiple of 64).</param>
/// <param name="Rows">Its rows.</param>
/// <param name="Type">How its features are stored.</param>
/// <param name="Divisor">A byte block's divisor (1 or 255); 1 otherwise.</param>
/// <param name="Checksum">The CRC-32C of its bytes: the rows, their padding, then the labels.</param>
internal readonly record struct BlockEntry(long Offset, int Rows, BlockType Type, float Divisor, uint Checksum);

/// <summary>What a row cache's label slots hold.</summary>
internal enum CachedLabels
{
    /// <summary>A label id per row; the class of each id in <see cref="RowCacheLayout.LabelMap"/>.</summary>
    Classes = 0,

    /// <summary>A label id per row; the target value of each id in <see cref="RowCacheLayout.LabelMap"/> (labels read as text that all proved numbers).</summary>
    IdValues = 1,

    /// <summary>The target itself per row (a float).</summary>
    Targets = 2,
}

/// <summary>A file a cache was made from, as it was then.</summary>
internal readonly record struct SourceFile(string Path, long Length, long ModifiedTicks)
{
    /// <summary>The file as it is now (length −1 when it is gone).</summary>
    public static SourceFile Now(string path)
    {
        var info = new FileInfo(path);
        string full = System.IO.Path.GetFullPath(path);
        return info.Exists ? new SourceFile(full, info.Length, info.LastWriteTimeUtc.Ticks) : new SourceFile(full, -1, 0);
    }
}

/// <summary>
/// The layout of a row cache file (version 1), written by <see cref="RowCacheWriter"/> and read, every field checked, by
/// <see cref="RowCache"/>; docs/row-cache.md describes it for other readers. Little-endian throughout.
/// </summary>
/// <remarks>
/// <code>
/// 0      header, 128 bytes: magic "NATVROWS", version, its own length, the file's length, rows, features, rows per
///        block, blocks, what the labels are, label ids, classes, the storage asked for, where the trailer is, its length
///        and CRC-32C, and (last 4 bytes) the CRC-32C of the 124 bytes before it
/// 4096   the blocks, each at a multiple of 64: its rows (each padded to a multiple of 64 bytes), then a 4-byte label per
///        row (an int id, or a float target), padded to 64
/// ...    the trailer: the source's description and files (path, length, modification time), the label and feature
///        names, the class names, each label id's class or value, the rows per class, the features' statistics (mean,
///        squared deviations, least, greatest), and the block table (offset, rows, type, divisor, CRC-32C of each)
/// </code>
/// </remarks>
internal sealed partial class RowCacheLayout
{
    /// <summary>The first 8 bytes of every row cache.</summary>
    public static ReadOnlySpan<byte> Magic => "NATVROWS"u8;

    /// <summary>The version this library writes and reads.</summary>
    public const int Version = 1;

    /// <summary>The header's length.</summary>
    public const int HeaderLength = 128;

    /// <summary>Where the first block starts (a page, so the blocks map page-aligned).</summary>
    public const long FirstBlock = 4096;

    public long FileLength { get; set; }

    public long Rows { get; set; }

    public int Features { get; set; }

    public int BlockRows { get; set; }

    public CachedLabels Labels { get; set; }

    public RowStorage Storage { get; set; }

    public long TrailerOffset { get; set; }

    public long TrailerLength { get; set; }

    public uint TrailerChecksum { get; set; }

    public string Description { get; set; } = "";

    public SourceFile[] Files { get; set; } = [];

    public string? LabelName { get; set; }

    public string[] FeatureNames { get; set; } = [];

    /// <summary>The number of classes (0 for targets).</summary>
    public int Classes { get; set; }

    /// <summary>The classes' names, or empty when the data named none.</summary>
    public string[] ClassNames { get; set; } = [];

    /// <summary>Each label id's class (as an int) or value (a float's bits), by <see cref="Labels"/>.</summary>
    public int[] LabelMap { get; set; } = [];

    public long[] ClassCounts { get; set; } = [];

    public FeatureStatistics Statistics { get; set; } = null!;

    public BlockEntry[] Blocks { get; set; } = [];

    /// <summary>The bytes of block <paramref name="block"/>'s rows (padded), before its labels.</summary>
    public long RowBytes(int block) => (long)Blocks[block].Rows * BlockCodec.RowBytes(Blocks[block].Type, Features);

    /// <summary>The bytes block <paramref name="block"/> takes: its rows, then its labels, each padded to 64.</summary>
    public long BlockLength(int block) => BlockCodec.Align(RowBytes(block)) + BlockCodec.Align(Blocks[block].Rows * 4L);

    /// <summary>The rows per block for rows of <paramref name="features"/> features: about 512 KiB of them as floats, a power of two from 16 to 65,536.</summary>
    public static int BlockRowsFor(int features)
    {
        long rows = (512L * 1024) / (4L * Math.Max(1, features));
        return Math.Clamp(1 << BitOperations.Log2((ulong)Math.Max(1, rows)), 16, 65536);
    }

    /// <summary>The CRC-32C of <paramref name="bytes"/>, continuing <paramref name="crc"/> (no pre- or post-inversion).</summary>
    /// <remarks>
    /// The crc32 instruction takes 8 bytes a step but waits 3 cycles for the step before, so a long buffer is taken as three
    /// thirds, three independent chains interleaved, then joined: the CRC of A then B is the CRC of A shifted past B's
    /// bytes (multiplied by x^(8·|B|) modulo the polynomial) xor B's own CRC from 0 — the method of Mark Adler's crc32c.c.
    /// The result is the one-chain <see cref="ChecksumInOneChain"/>'s, which the tests hold it to.
    /// </remarks>
    public static uint Checksum(ReadOnlySpan<byte> bytes, uint crc = 0)
    {
        ref byte origin = ref MemoryMarshal.GetReference(bytes);
        nint done = 0;
        nint third = bytes.Length / 3 / 8 * 8;
        if (third >= InterleavedMinimum)
        {
            uint a = crc, b = 0, c = 0;
            for (nint i = 0; i < third; i += 8)
            {
                a = BitOperations.Crc32C(a, Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref origin, i)));
                b = BitOperations.Crc32C(b, Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref origin, third + i)));
                c = BitOperations.Crc32C(c, Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref origin, (2 * third) + i)));
            }

            uint shift = ShiftBytes(third);
            crc = MultiplyModP(shift, MultiplyModP(shift, a) ^ b) ^ c;
            done = 3 * third;
        }

        return ChecksumInOneChain(bytes[(int)done..], crc);
    }

    /// <summary>The CRC-32C of <paramref name="bytes"/>, continuing <paramref name="crc"/>: one chain of crc32 steps.</summary>
    internal static uint ChecksumInOneChain(ReadOnlySpan<byte> bytes, uint crc = 0)
    {
        int i = 0;
        for (; i <= bytes.Length - 8; i += 8)
        {
            crc = BitOperations.Crc32C(crc, BinaryPrimitives.ReadUInt64LittleEndian(bytes[i..]));
        }

        for (; i < bytes.Length; i++)
        {
            crc = BitOperations.Crc32C(crc, bytes[i]);
        }

        return crc;
    }

    /// <summary>The bytes of a third below which one chain is as fast (the joining costs about two hundred cycles).</summary>
    private const int InterleavedMinimum = 512;

    /// <summary>CRC-32C's polynomial, bit-reflected (bit 31 is x⁰).</summary>
    private const uint Polynomial = 0x82F63B78;

    /// <summary>a·b modulo the polynomial, both bit-reflected.</summary>
    private static uint MultiplyModP(uint a, uint b)
    {
        uint m = 1u << 31, product = 0;
        while (true)
        {
            if ((a & m) != 0)
            {
                product ^= b;
                if ((a & (m - 1)) == 0)
                {
                    return product;
                }
            }

            m >>= 1;
            b = (b & 1) != 0 ? (b >> 1) ^ Polynomial : b >> 1;
        }
    }

    /// <summary>x^(2^k) modulo the polynomial, bit-reflected, for k from 0: each the square of the one before, x¹ first.</summary>
    private static readonly uint[] PowersOfTwo = Powers();

    private static uint[] Powers()
    {
        uint[] powers = new uint[64];
        powers[0] = 1u << 30;
        for (int k = 1; k < powers.Length; k++)
        {
            powers[k] = MultiplyModP(powers[k - 1], powers[k - 1]);
        }

        return powers;
    }

    /// <summary>x^(8·<paramref name="bytes"/>) modulo the polynomial, bit-reflected: the product of x^(2^k) for each bit k of 8·bytes.</summary>
    private static uint ShiftBytes(nint bytes)
    {
        uint result = 1u << 31; // x⁰
        int k = 0;
        for (ulong n = (ulong)bytes * 8; n != 0; n >>= 1, k++)
        {
            if ((n & 1) != 0)
            {
                result = MultiplyModP(PowersOfTwo[k], result);
            }
        }

        return result;
    }

    /// <summary>The header, its checksum in its last 4 bytes.</summary>
    public byte[] WriteHeader()
    {
        byte[] header = new byte[HeaderLength];
        Span<byte> h = header;
        Magic.CopyTo(h);
        BinaryPrimitives.WriteInt32LittleEndian(h[8..], Version);
        BinaryPrimitives.WriteInt32LittleEndian(h[12..], HeaderLength);
        BinaryPrimitives.WriteInt64LittleEndian(h[16..], FileLength);
        BinaryPrimitives.WriteInt64LittleEndian(h[24..], Rows);
        BinaryPrimitives.WriteInt32LittleEndian(h[32..], Features);
        BinaryPrimitives.WriteInt32LittleEndian(h[36..], BlockRows);
        BinaryPrimitives.WriteInt32LittleEndian(h[40..], Blocks.Length);
        BinaryPrimitives.WriteInt32LittleEndian(h[44..], (int)Labels);
        BinaryPrimitives.WriteInt32LittleEndian(h[48..], LabelMap.Length);
        BinaryPrimitives.WriteInt32LittleEndian(h[52..], Classes);
        BinaryPrimitives.WriteInt32LittleEndian(h[56..], (int)Storage);
        BinaryPrimitives.WriteInt64LittleEndian(h[64..], TrailerOffset);
        BinaryPrimitives.WriteInt64LittleEndian(h[72..], TrailerLength);
        BinaryPrimitives.WriteUInt32LittleEndian(h[80..], TrailerChecksum);
        BinaryPrimitives.WriteUInt32LittleEndian(h[124..], Checksum(h[..124]));
        return header;
    }

    /// <summary>The trailer: names, label map, counts, statistics and the block table.</summary>
    public byte[] WriteTrailer()
    {
        using var stream = new MemoryStream();
        using (var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true))
        {
            WriteString(writer, Description);
            writer.Write(Files.Length);
            foreach (SourceFile file in Files)
            {
                WriteString(writer, file.Path);
                writer.Write(file.Length);
                writer.Write(file.ModifiedTicks);
            }

            writer.Write(LabelName is not null);
            WriteString(writer, LabelName ?? "");
            writer.Write(FeatureNames.Length);
            foreach (string name in FeatureNames)
            {
                WriteString(writer, name);
            }

            writer.Write(ClassNames.Length);
            foreach (string name in ClassNames)
            {
                WriteString(writer, name);
            }

            foreach (int entry in LabelMap)
            {
                writer.Write(entry);
            }

            foreach (long count in ClassCounts)
            {
                writer.Write(count);
            }

            writer.Write(Statistics.Count);
            foreach (double value in Statistics.Means)
            {
                writer.Write(value);
            }

            foreach (double value in Statistics.Squares)
            {
                writer.Write(value);
            }

            foreach (float value in Statistics.Smallest)
            {
                writer.Write(value);
            }

            foreach (float value in Statistics.Largest)
            {
                writer.Write(value);
            }

            foreach (BlockEntry block in Blocks)
            {
                writer.Write(block.Offset);
                writer.Write(block.Rows);
                writer.Write((int)block.Type);
                writer.Write(block.Divisor);
                writer.Write(block.Checksum);
            }
        }

        return stream.ToArray();
    }

    private static void WriteString(BinaryWriter writer, string text)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(text);
        writer.Write(bytes.Length);
        writer.Write(bytes);
    }
}
