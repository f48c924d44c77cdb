using System.Buffers.Binary;

namespace Native.Numerics.Parquet.Tests;

/// <summary>
/// Files that are not what they claim: each refused with a one-line <see cref="FileFormatException"/> naming the file and
/// what is wrong, quickly and without memory beyond what the file justifies. The four hand-made footers are the ones
/// that hang Parquet.Net 6.1.0, overflow its stack or make it allocate 2 to 4 GB (README.md of the package).
/// </summary>
public sealed class HostileFileTests
{
    private static readonly byte[] Mixed = Fixture.Bytes("mixed.parquet");

    public static TheoryData<string, byte[], string> Files() => new()
    {
        { "empty", [], "byte 0: the file is 0 bytes long; a Parquet file has at least 12" },
        { "CSV text", Fixture.Bytes("small.csv"), "byte 0: expected the Parquet magic 'PAR1', found 'a,b,': this is not a Parquet file." },
        { "truncated", Mixed[..(Mixed.Length / 2)], "expected the Parquet magic 'PAR1' at the end of the file, found 0x" },
        { "wrong magic", [.. "PAR2"u8, .. Mixed[4..]], "byte 0: expected the Parquet magic 'PAR1', found 'PAR2'" },
        { "encrypted footer", [.. Mixed[..^4], .. "PARE"u8], "the footer is encrypted ('PARE'); this reader does not decrypt Parquet files." },
        { "footer longer than the file", WithFooterLength(Mixed, Mixed.Length), "the footer length is" },
        { "negative footer length", WithFooterLength(Mixed, -5), "the footer length is -5 bytes" },
        { "footer cut short", WithFooterLength(Mixed, 40), "the footer (the file's schema and row groups) is damaged: Couldn't deserialize thrift" },
        { "footer ending inside a number", Footers.File([0x15]), "the footer (the file's schema and row groups) is damaged: Couldn't deserialize thrift: No more data to read." },
        { "a list of 500 million schema elements", Footers.File([0x29, 0xFC, .. Footers.Varint(500_000_000), .. new byte[16]]), "Couldn't deserialize thrift: TProtocolException: Exceeded size limit." },
        { "a 2 GB string", Footers.File([0x59, 0x1C, 0x18, .. Footers.Varint(2_000_000_000), .. "abc"u8]), "Couldn't deserialize thrift: TProtocolException: Exceeded size limit." },
        { "lists nested 200,000 deep", Footers.File([0x09, .. Footers.Varint(200), .. Enumerable.Repeat((byte)0x19, 200_000), 0x05, 0x00]), "Couldn't deserialize thrift: TProtocolException: Exceeded depth limit." },
        { "a data page overwritten", Overwrite(Mixed, 1000, 100, 0x33), "row group 0, column 'i8', row 0: its data pages are damaged" },
        { "a row group declaring a trillion rows", Footers.ReplaceI64(Fixture.Bytes("integers.parquet"), 300, 1_000_000_000_000), "row group 0 declares 1000000000000 rows: 3 columns of them are" },
        { "a row group declaring more rows than its pages hold", Footers.ReplaceI64(Fixture.Bytes("integers.parquet"), 300, 100_000), "the column ends after 300 values, but the row group declares 100000 rows." },
    };

    [Theory]
    [MemberData(nameof(Files))]
    public void IsRefusedWithOneLineNamingTheFile(string what, byte[] bytes, string expected)
    {
        long before = GC.GetAllocatedBytesForCurrentThread();
        var watch = System.Diagnostics.Stopwatch.StartNew();
        FileFormatException e = Assert.Throws<FileFormatException>(() => ParquetFile.Read(new MemoryStream(bytes), name: what));
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.StartsWith($"'{what}'", e.Message, StringComparison.Ordinal);
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', e.Message);
        Assert.True(allocated < (4L * bytes.Length) + (4 << 20), $"{what}: allocated {allocated:N0} bytes for a {bytes.Length:N0}-byte file.");
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"{what}: took {watch.Elapsed.TotalSeconds:F1} s.");
    }

    [Fact]
    public void TheExpansionLimitCanBeRaisedForAGenuineFile()
    {
        // The trillion-row declaration passes a limit raised far enough, and then fails on what the pages hold.
        byte[] bytes = Footers.ReplaceI64(Fixture.Bytes("integers.parquet"), 300, 20_000_000);
        FileFormatException refused = Assert.Throws<FileFormatException>(() => ParquetFile.Read(new MemoryStream(bytes), new ParquetOptions { MaxExpansion = 1 }, "inflated"));
        Assert.Contains("more than 1 times as much", refused.Message, StringComparison.Ordinal);
        Assert.Contains("raise ParquetOptions.MaxExpansion", refused.Message, StringComparison.Ordinal);
        FileFormatException read = Assert.Throws<FileFormatException>(() => ParquetFile.Read(new MemoryStream(bytes), new ParquetOptions { MaxExpansion = 1_000_000 }, "inflated"));
        Assert.Contains("the column ends after 300 values, but the row group declares 20000000 rows.", read.Message, StringComparison.Ordinal);
    }

    private static byte[] WithFooterLength(byte[] file, int length)
    {
        byte[] copy = [.. file];
        BinaryPrimitives.WriteInt32LittleEndian(copy.AsSpan(copy.Length - 8), length);
        return copy;
    }

    private static byte[] Overwrite(byte[] file, int start, int count, byte value)
    {
        byte[] copy = [.. file];
        copy.AsSpan(start, count).Fill(value);
        return copy;
    }
}
