using System.Buffers.Binary;
using System.IO.Compression;
using Native.Numerics;
using Native.Tests.Support;

namespace Native.Tests.Data;

/// <summary>
/// IDX files that are valid gzip but hostile: a bomb that declares (and holds) more data than its size could
/// honestly compress to, bytes after the gzip stream, a trailer cut off or corrupt, several streams.
/// </summary>
public sealed class IdxLimitsTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("native-idx-limits-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    /// <summary>An IDX3 file of <paramref name="count"/> blank 28 × 28 images, gzip-compressed: about 1,000 to 1.</summary>
    private static byte[] BlankImages(int count)
    {
        using var compressed = new MemoryStream();
        using (var gzip = new GZipStream(compressed, CompressionLevel.SmallestSize, leaveOpen: true))
        {
            byte[] header = new byte[16];
            header[2] = 8;
            header[3] = 3;
            BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(4), (uint)count);
            BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(8), 28);
            BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(12), 28);
            gzip.Write(header);
            byte[] image = new byte[784 * 1000];
            for (int written = 0; written < count; written += 1000)
            {
                gzip.Write(image, 0, 784 * Math.Min(1000, count - written));
            }
        }

        return compressed.ToArray();
    }

    private string Write(string name, byte[] content)
    {
        string path = Path.Combine(_directory, name);
        File.WriteAllBytes(path, content);
        return path;
    }

    [Fact]
    public void AGzipBombIsRefusedBeforeAnythingIsAllocated()
    {
        // 200,000 blank images: 157 MB of content in about 150 KB. The 1 MB file declaring 1.37 million
        // images trained for 40 s at 12 GB.
        byte[] bomb = BlankImages(200_000);
        string path = Write("bomb-images-idx3-ubyte.gz", bomb);
        Assert.Throws<FileFormatException>(() => Idx.ReadImages(path)); // warm up

        long before = GC.GetAllocatedBytesForCurrentThread();
        FileFormatException error = Assert.Throws<FileFormatException>(() => Idx.ReadImages(path));
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(4, error.Offset);
        Assert.Contains($"declares 200000 images × 28 rows × 28 columns = 156800000 bytes of data, but the gzip file is {bomb.Length} bytes: more than 100 times its size", error.Message, StringComparison.Ordinal);
        Assert.Contains("raise IdxOptions.MaxCompressionRatio (native: --max-compression-ratio)", error.Message, StringComparison.Ordinal);
        Assert.True(allocated < 1 << 20, $"allocated {allocated:N0} bytes");
    }

    [Fact]
    public void AGzipBombInAStreamIsStoppedAsItExpands()
    {
        // A stream cannot say its length, so the check runs as the content arrives: it stops past 64 MiB (the least
        // any file may expand to), with the buffer no larger than twice that.
        byte[] bomb = BlankImages(120_000);
        long before = GC.GetAllocatedBytesForCurrentThread();
        FileFormatException error = Assert.Throws<FileFormatException>(() => Idx.ReadImages(new ForwardOnlyStream(bomb), "stdin"));
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Contains("compressed bytes expand to", error.Message, StringComparison.Ordinal);
        Assert.Contains("beyond 100 times", error.Message, StringComparison.Ordinal);
        Assert.InRange(error.Offset!.Value, IdxOptions.MinimumAllowance, IdxOptions.MinimumAllowance + (1 << 20));
        Assert.True(allocated < 2.2 * IdxOptions.MinimumAllowance, $"allocated {allocated:N0} bytes");
    }

    [Fact]
    public void RaisingTheLimitReadsAGenuineFileThatCompressesThatWell()
    {
        byte[] blank = BlankImages(100_000);
        string path = Write("blank-images-idx3-ubyte.gz", blank);
        IdxImages images = Idx.ReadImages(path, new IdxOptions { MaxCompressionRatio = 2000 });
        Assert.Equal(100_000, images.Count);
        Assert.Throws<ArgumentOutOfRangeException>(() => Idx.ReadImages(path, new IdxOptions { MaxCompressionRatio = 0 }));

        // Small files of blank images read whatever their ratio: anything may expand to 64 MiB.
        Assert.Equal(1000, Idx.ReadImages(Write("small.gz", BlankImages(1000))).Count);
    }

    public static TheoryData<string> DamagedNames => [.. Damaged.Keys];

    private static readonly Dictionary<string, (Func<byte[], byte[]> Damage, string Says)> Damaged = new()
    {
        // The runtime's decompressor reads all of these as valid (the first four) or calls them "an unsupported compression method".
        ["garbage after the stream"] = (file => [.. file, .. "not gzip"u8.ToArray()], "the file does not end with the trailer of a gzip stream of 7856 bytes"),
        ["zeros after the stream"] = (file => [.. file, .. new byte[100]], "the file does not end with the trailer of a gzip stream"),
        ["a megabyte after the stream"] = (file => [.. file, .. new byte[1 << 20]], "more than 65536 bytes follow the gzip stream, which ends after 7856 decompressed bytes"),
        ["the length field cut off"] = (file => file[..^4], "the file does not end with the trailer of a gzip stream"),
        ["two gzip streams"] = (file => [.. file, .. Gzip([1, 2, 3])], "trailing bytes"),
        ["a corrupt checksum"] = (file => Flip(file, file.Length - 6), "the gzip stream is corrupt after about"),
    };

    [Theory]
    [MemberData(nameof(DamagedNames))]
    public void AGzipStreamMustEndTheFileIntact(string name)
    {
        (Func<byte[], byte[]> damage, string says) = Damaged[name];
        byte[] original = Gzip([.. ImagesHeader(10), .. Enumerable.Range(0, 7840).Select(i => (byte)(i * 31))]);
        Assert.Equal(10, Idx.ReadImages(new MemoryStream(original)).Count);

        foreach (Stream stream in new Stream[] { new MemoryStream(damage(original)), new ForwardOnlyStream(damage(original)) })
        {
            FileFormatException error = Assert.Throws<FileFormatException>(() => Idx.ReadImages(stream, "images.gz"));
            Assert.Contains(says, error.Message, StringComparison.Ordinal);
            Assert.DoesNotContain("unsupported compression method", error.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void TheShapeIsReadFromTheHeaderAlone()
    {
        string path = Path.Combine(Mnist.DataDirectory(), "t10k-images-idx3-ubyte.gz");
        Idx.ReadImageShape(path); // warm up

        long before = GC.GetAllocatedBytesForCurrentThread();
        (int count, int rows, int columns) = Idx.ReadImageShape(path);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal((10_000, 28, 28), (count, rows, columns));
        Assert.True(allocated < 256 * 1024, $"allocated {allocated:N0} bytes: the 7.8 MB of pixels were decompressed");
    }

    [Fact]
    public void LoadingADatasetDecompressesOnceAndKeepsOneCopy()
    {
        // The floats (31 MB) plus the bytes read once (7.8 MB, in a buffer that doubled): not two decompressions.
        Mnist.All(); // warm up
        long before = GC.GetAllocatedBytesForCurrentThread();
        Dataset data = Idx.LoadDirectory(Mnist.DataDirectory());
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        long floats = 4L * data.Count * 784, bytes = data.Count * 784L;
        Assert.True(allocated < floats + (2 * bytes) + (1 << 20), $"allocated {allocated:N0} bytes");
    }

    private static byte[] ImagesHeader(uint count)
    {
        byte[] header = new byte[16];
        header[2] = 8;
        header[3] = 3;
        BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(4), count);
        BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(8), 28);
        BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(12), 28);
        return header;
    }

    private static byte[] Gzip(byte[] content)
    {
        using var compressed = new MemoryStream();
        using (var gzip = new GZipStream(compressed, CompressionLevel.Optimal, leaveOpen: true))
        {
            gzip.Write(content);
        }

        return compressed.ToArray();
    }

    private static byte[] Flip(byte[] file, int at)
    {
        byte[] copy = [.. file];
        copy[at] ^= 0xFF;
        return copy;
    }
}
