using System.Buffers.Binary;
using System.IO.Compression;
using Native.Numerics;
using Native.Tests.Support;

namespace Native.Tests.Data;

public sealed class IdxTests : IDisposable
{
    /// <summary>How many digits of each class the MNIST test set holds (the published counts).</summary>
    private static readonly int[] MnistTestClassCounts = [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009];

    private readonly string _directory = Directory.CreateTempSubdirectory("native-idx-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void TheRealMnistTestSetLoads()
    {
        Dataset all = Mnist.All();

        Assert.Equal(10_000, all.Count);
        Assert.Equal(784, all.Features);
        Assert.Equal(10, all.Classes);
        Assert.Equal(7, all.Labels[0]); // the famous first test digit
        Assert.Equal(2, all.Labels[1]);
        Assert.Equal(1, all.Labels[2]);

        float smallest = float.MaxValue, largest = float.MinValue;
        for (int i = 0; i < all.Count; i++)
        {
            foreach (float pixel in all.Row(i))
            {
                smallest = Math.Min(smallest, pixel);
                largest = Math.Max(largest, pixel);
            }
        }

        Assert.Equal(0f, smallest);
        Assert.Equal(1f, largest);

        int[] counts = new int[10];
        foreach (int label in all.Labels)
        {
            counts[label]++;
        }

        Assert.Equal(10_000, counts.Sum());
        Assert.Equal(MnistTestClassCounts, counts);
    }

    [Fact]
    public void TheRealImagesFileHasMnistShape()
    {
        (string images, _) = Idx.FindFiles(Mnist.DataDirectory(), "t10k");
        IdxImages read = Idx.ReadImages(images);

        Assert.Equal((10_000, 28, 28), (read.Count, read.Rows, read.Columns));
        Assert.Equal(10_000 * 784, read.Pixels.Length);

        // Pixels become features as value / 255, in order.
        Dataset all = Mnist.All();
        ReadOnlySpan<byte> image = read.Image(9_999);
        ReadOnlySpan<float> row = all.Row(9_999);
        for (int j = 0; j < 784; j++)
        {
            Assert.Equal(image[j] / 255f, row[j]);
        }
    }

    [Fact]
    public void TheTenKProtocolTakesEveryFifthRowForTesting()
    {
        (Dataset training, Dataset test) = Mnist.TenK();
        Dataset all = Mnist.All();

        Assert.Equal(8_000, training.Count);
        Assert.Equal(2_000, test.Count);
        Assert.Same(training, Mnist.TenK().Training); // loaded once
        for (int k = 0; k < test.Count; k += 97)
        {
            Assert.Equal(all.Labels[5 * k], test.Labels[k]);
            Assert.True(all.Row(5 * k).SequenceEqual(test.Row(k)));
        }

        Assert.True(all.Row(1).SequenceEqual(training.Row(0)));
        Assert.True(all.Row(9_999).SequenceEqual(training.Row(7_999)));
    }

    [Fact]
    public void RawAndGzipFilesGiveIdenticalDatasets()
    {
        (string imagesGz, string labelsGz) = Idx.FindFiles(Mnist.DataDirectory(), "t10k");
        string images = Path.Combine(_directory, "t10k-images-idx3-ubyte");
        string labels = Path.Combine(_directory, "t10k-labels-idx1-ubyte");
        Decompress(imagesGz, images);
        Decompress(labelsGz, labels);

        Dataset raw = Idx.LoadDirectory(_directory);
        Dataset gzip = Mnist.All();

        Assert.Equal(gzip.Count, raw.Count);
        Assert.True(gzip.Labels.SequenceEqual(raw.Labels));
        for (int i = 0; i < raw.Count; i++)
        {
            Assert.True(gzip.Row(i).SequenceEqual(raw.Row(i)), $"row {i} differs");
        }
    }

    [Fact]
    public void ASmallFileReadsExactly()
    {
        byte[] pixels = [0, 51, 255, 1, 2, 3, 10, 20, 30, 40, 50, 60];
        string images = Write("small-images-idx3-ubyte", Images(2, 2, 3, pixels));
        string labels = Write("small-labels-idx1-ubyte.gz", Gzip(Labels(4, 9)));

        IdxImages read = Idx.ReadImages(images);
        Assert.Equal((2, 2, 3), (read.Count, read.Rows, read.Columns));
        Assert.Equal<byte>([10, 20, 30, 40, 50, 60], read.Image(1).ToArray());
        Assert.Equal<byte>([4, 9], Idx.ReadLabels(labels));

        Dataset data = Idx.LoadDirectory(_directory);
        Assert.Equal((2, 6, 10), (data.Count, data.Features, data.Classes));
        Assert.Equal<int>([4, 9], data.Labels.ToArray());
        Assert.Equal<float>([0f, 0.2f, 1f, 1 / 255f, 2 / 255f, 3 / 255f], data.Row(0).ToArray());
    }

    [Fact]
    public void StreamsThatCannotSeekAreReadToo()
    {
        byte[] content = Images(2, 2, 2, [1, 2, 3, 4, 5, 6, 7, 8]);
        foreach (byte[] bytes in new[] { content, Gzip(content) })
        {
            using var stream = new ForwardOnlyStream(bytes);
            IdxImages read = Idx.ReadImages(stream, "forward-only");
            Assert.Equal<byte>([1, 2, 3, 4, 5, 6, 7, 8], read.Pixels.ToArray());
        }

        using var images = new ForwardOnlyStream(Gzip(content));
        using var labels = new ForwardOnlyStream(Labels(0, 1));
        Dataset data = Idx.LoadDataset(images, labels);
        Assert.Equal<int>([0, 1], data.Labels.ToArray());
    }

    /// <summary>Every check of the header and the data, each with its byte offset and the words the message must hold.</summary>
    public static TheoryData<string> BadFileNames => [.. BadFiles.Keys];

    private static readonly Dictionary<string, (bool IsImages, byte[] Content, long Offset, string[] Says)> BadFiles = new()
    {
        ["empty"] = (true, [], 0, ["ends after 0 bytes", "16-byte header"]),
        ["magic cut short"] = (true, [0, 0, 8], 3, ["ends after 3 bytes"]),
        ["first magic byte"] = (true, Header(1, 0, 8, 3, 1, 1, 1, 1), 0, ["two zero bytes", "found 0x01 0x00", "not an IDX file"]),
        ["second magic byte"] = (true, Header(0, 7, 8, 3, 1, 1, 1, 1), 1, ["two zero bytes", "found 0x00 0x07"]),
        ["float elements"] = (true, Header(0, 0, 0x0D, 3, 1, 1, 1), 2, ["expected element type 0x08 (unsigned byte)", "found 0x0D (32-bit float)", "not supported"]),
        ["signed byte elements"] = (true, Header(0, 0, 0x09, 3, 1, 1, 1), 2, ["found 0x09 (signed byte)", "not supported"]),
        ["unknown elements"] = (true, Header(0, 0, 0x05, 3, 1, 1, 1), 2, ["found 0x05 (not an IDX element type)"]),
        ["images with 1 dimension"] = (true, Header(0, 0, 8, 1, 1, 0), 3, ["expected 3 dimensions", "found 1"]),
        ["labels with 3 dimensions"] = (false, Header(0, 0, 8, 3, 1, 1, 1, 0), 3, ["expected 1 dimension", "found 3"]),
        ["header cut short"] = (true, [0, 0, 8, 3, 0, 0, 0, 1, 0, 0], 10, ["ends after 10 bytes", "inside the 16-byte header"]),
        ["no images"] = (true, Header(0, 0, 8, 3, 0, 28, 28), 4, ["declares 0 images", "at least one"]),
        ["no rows"] = (true, Header(0, 0, 8, 3, 1, 0, 28), 8, ["declares 0 rows"]),
        ["no columns"] = (true, Header(0, 0, 8, 3, 1, 28, 0), 12, ["declares 0 columns"]),
        ["no labels"] = (false, Header(0, 0, 8, 1, 0), 4, ["declares 0 labels"]),
        ["sizes overflow"] = (true, Header(0, 0, 8, 3, uint.MaxValue, uint.MaxValue, uint.MaxValue), 12, ["4294967295 images × 4294967295 rows × 4294967295 columns", "overflows"]),
        ["images truncated"] = (true, Images(2, 2, 2, new byte[7]), 23, ["truncated", "2 images × 2 rows × 2 columns = 8 bytes", "found 7"]),
        ["images with trailing bytes"] = (true, Images(2, 2, 2, new byte[9]), 24, ["trailing bytes", "= 8 bytes", "found"]),
        ["labels truncated"] = (false, [.. Header(0, 0, 8, 1, 3), 1, 2], 10, ["truncated", "3 labels = 3 bytes", "found 2"]),
        ["labels with trailing bytes"] = (false, [.. Header(0, 0, 8, 1, 3), 1, 2, 3, 4], 11, ["trailing bytes", "3 labels = 3 bytes"]),
    };

    [Theory]
    [MemberData(nameof(BadFileNames))]
    public void ABadRawFileIsRefusedWithItsPathAndOffset(string name) => AssertRefused(name, gzip: false);

    [Theory]
    [MemberData(nameof(BadFileNames))]
    public void ABadGzipFileIsRefusedWithItsPathAndDecompressedOffset(string name) => AssertRefused(name, gzip: true);

    private void AssertRefused(string name, bool gzip)
    {
        (bool isImages, byte[] content, long offset, string[] says) = BadFiles[name];
        string path = Write(gzip ? "bad.gz" : "bad", gzip ? Gzip(content) : content);

        FileFormatException error = Assert.Throws<FileFormatException>(() =>
        {
            if (isImages)
            {
                Idx.ReadImages(path);
            }
            else
            {
                Idx.ReadLabels(path);
            }
        });

        Assert.Equal(path, error.Path);
        Assert.Equal(offset, error.Offset);
        Assert.StartsWith($"'{path}', byte {offset}: ", error.Message, StringComparison.Ordinal);
        foreach (string words in says)
        {
            Assert.Contains(words, error.Message, StringComparison.Ordinal);
        }

        Assert.Equal(gzip, error.Message.Contains("decompressed", StringComparison.Ordinal));

        // The same through a stream that can neither seek nor say its length.
        byte[] bytes = gzip ? Gzip(content) : content;
        FileFormatException streamed = Assert.Throws<FileFormatException>(() =>
        {
            if (isImages)
            {
                Idx.ReadImages(new ForwardOnlyStream(bytes), "stream");
            }
            else
            {
                Idx.ReadLabels(new ForwardOnlyStream(bytes), "stream");
            }
        });
        Assert.All(says.Where(words => !words.Contains("found", StringComparison.Ordinal)), words => Assert.Contains(words, streamed.Message, StringComparison.Ordinal));
    }

    [Fact]
    public void AStreamDeclaringMoreThanAnArrayCanHoldIsRefusedBeforeReading()
    {
        byte[] content = [.. Header(0, 0, 8, 1, uint.MaxValue), 1, 2, 3];
        FileFormatException error = Assert.Throws<FileFormatException>(() => Idx.ReadLabels(new ForwardOnlyStream(content), "stream"));
        Assert.Equal(4, error.Offset);
        Assert.Contains("4294967295 labels = 4294967295 bytes of data, more than one array can hold", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ACorruptGzipStreamIsAFileFormatErrorWithThePath()
    {
        // A valid gzip header, then a deflate block of the reserved type 3 (0xFF: final block, type 11).
        string path = Write("corrupt.gz", [0x1F, 0x8B, 8, 0, 0, 0, 0, 0, 0, 3, 0xFF, 0xFF, 0xFF, 0xFF]);

        FileFormatException error = Assert.Throws<FileFormatException>(() => Idx.ReadImages(path));

        Assert.Equal(path, error.Path);
        Assert.IsType<InvalidDataException>(error.InnerException);
        Assert.Contains("gzip stream is corrupt", error.Message, StringComparison.Ordinal);
        Assert.Contains(path, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AGzipFileCutShortIsAFileFormatError()
    {
        byte[] whole = Gzip(Images(3, 28, 28, Enumerable.Range(0, 3 * 784).Select(i => (byte)(i * 7)).ToArray()));
        string path = Write("cut.gz", whole[..(whole.Length / 2)]);

        FileFormatException error = Assert.Throws<FileFormatException>(() => Idx.ReadImages(path));

        Assert.Equal(path, error.Path);
        Assert.NotNull(error.Offset);
    }

    [Fact]
    public void ImagesAndLabelsMustAgreeInNumber()
    {
        string images = Write("a-images-idx3-ubyte", Images(3, 1, 1, [1, 2, 3]));
        string labels = Write("a-labels-idx1-ubyte", Labels(1, 2));

        FileFormatException error = Assert.Throws<FileFormatException>(() => Idx.LoadDataset(images, labels));

        Assert.Equal(labels, error.Path);
        Assert.Equal(4, error.Offset);
        Assert.Contains("declares 2 labels", error.Message, StringComparison.Ordinal);
        Assert.Contains($"'{images}' declares 3 images", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void LabelsMustBeBelowTheClassCount()
    {
        string images = Write("b-images-idx3-ubyte", Images(3, 1, 1, [1, 2, 3]));
        string labels = Write("b-labels-idx1-ubyte", Labels(1, 10, 3));

        FileFormatException error = Assert.Throws<FileFormatException>(() => Idx.LoadDataset(images, labels));
        Assert.Equal(labels, error.Path);
        Assert.Equal(9, error.Offset);
        Assert.Contains("label 1 is 10; expected a class from 0 to 9", error.Message, StringComparison.Ordinal);

        // With more classes declared (EMNIST, say), the same file is fine.
        Assert.Equal(26, Idx.LoadDataset(images, labels, classes: 26).Classes);
        Assert.Throws<ArgumentOutOfRangeException>(() => Idx.LoadDataset(images, labels, classes: 1));
    }

    [Theory]
    [InlineData(2_147_483_648u, false)] // 2^31 images: beyond any array
    [InlineData(2_147_483_648u, true)]
    [InlineData(2_000_000u, false)] // 1.568 GB: an array could hold it; only the data's length gives it away
    [InlineData(2_000_000u, true)]
    public void AFileDeclaringGigabytesFailsFastAndAllocatesLittle(uint images, bool gzip)
    {
        byte[] content = [.. Header(0, 0, 8, 3, images, 28, 28), .. new byte[10]];
        string path = Write("huge", gzip ? Gzip(content) : content);
        Assert.Throws<FileFormatException>(() => Idx.ReadImages(path)); // warm up: JIT and type loading

        long before = GC.GetAllocatedBytesForCurrentThread();
        FileFormatException error = Assert.Throws<FileFormatException>(() => Idx.ReadImages(path));
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.True(allocated < 1 << 20, $"allocated {allocated:N0} bytes");
        Assert.Equal(path, error.Path);
        Assert.Contains($"{images} images × 28 rows × 28 columns", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AMissingFileIsFileNotFound()
    {
        Assert.Throws<FileNotFoundException>(() => Idx.ReadImages(Path.Combine(_directory, "nothing-images-idx3-ubyte")));
        Assert.Throws<FileNotFoundException>(() => Idx.ReadLabels(Path.Combine(_directory, "nothing-labels-idx1-ubyte.gz")));
    }

    [Fact]
    public void FindingFilesInADirectoryRefusesToGuess()
    {
        Assert.Throws<DirectoryNotFoundException>(() => Idx.FindFiles(Path.Combine(_directory, "absent")));
        FileNotFoundException none = Assert.Throws<FileNotFoundException>(() => Idx.FindFiles(_directory));
        Assert.Contains("'*-images-idx3-ubyte' or '*-images-idx3-ubyte.gz'", none.Message, StringComparison.Ordinal);

        Write("train-images-idx3-ubyte.gz", []);
        Assert.Throws<FileNotFoundException>(() => Idx.FindFiles(_directory)); // no labels to go with them
        Write("train-labels-idx1-ubyte", []);
        Assert.Equal(
            (Path.Combine(_directory, "train-images-idx3-ubyte.gz"), Path.Combine(_directory, "train-labels-idx1-ubyte")),
            Idx.FindFiles(_directory));

        Write("t10k-images-idx3-ubyte", []);
        Write("t10k-labels-idx1-ubyte", []);
        ArgumentException two = Assert.Throws<ArgumentException>(() => Idx.FindFiles(_directory));
        Assert.Contains("t10k-images-idx3-ubyte, train-images-idx3-ubyte.gz", two.Message, StringComparison.Ordinal);
        Assert.Equal(Path.Combine(_directory, "t10k-labels-idx1-ubyte"), Idx.FindFiles(_directory, "t10k").Labels);
        Assert.Throws<FileNotFoundException>(() => Idx.FindFiles(_directory, "t10"));

        Write("t10k-labels-idx1-ubyte.gz", []); // the same labels twice: which one?
        Assert.Throws<ArgumentException>(() => Idx.FindFiles(_directory, "t10k"));
    }

    private string Write(string name, byte[] content)
    {
        string path = Path.Combine(_directory, name);
        File.WriteAllBytes(path, content);
        return path;
    }

    private static void Decompress(string gzipPath, string rawPath)
    {
        using var source = new GZipStream(File.OpenRead(gzipPath), CompressionMode.Decompress);
        using FileStream destination = File.Create(rawPath);
        source.CopyTo(destination);
    }

    /// <summary>An IDX magic number (four bytes as given) and big-endian dimension sizes.</summary>
    private static byte[] Header(byte zero0, byte zero1, byte type, byte dimensions, params uint[] sizes)
    {
        byte[] header = new byte[4 + (4 * sizes.Length)];
        (header[0], header[1], header[2], header[3]) = (zero0, zero1, type, dimensions);
        for (int d = 0; d < sizes.Length; d++)
        {
            BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(4 + (4 * d)), sizes[d]);
        }

        return header;
    }

    private static byte[] Images(uint count, uint rows, uint columns, byte[] pixels) => [.. Header(0, 0, 8, 3, count, rows, columns), .. pixels];

    private static byte[] Labels(params byte[] labels) => [.. Header(0, 0, 8, 1, (uint)labels.Length), .. labels];

    private static byte[] Gzip(byte[] content)
    {
        if (content.Length == 0)
        {
            // GZipStream writes nothing at all when given nothing; this is gzip's encoding of no bytes
            // (header, an empty final fixed-Huffman block, CRC-32 0, length 0).
            return [0x1F, 0x8B, 8, 0, 0, 0, 0, 0, 0, 0xFF, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0];
        }

        using var compressed = new MemoryStream();
        using (var gzip = new GZipStream(compressed, CompressionLevel.Optimal, leaveOpen: true))
        {
            gzip.Write(content);
        }

        return compressed.ToArray();
    }
}
