using System.Buffers.Binary;
using System.IO.Compression;
using Native.Numerics;
using Xunit.Abstractions;

namespace Native.Tests.Fuzzing;

/// <summary>
/// Mutants of valid IDX images and labels files, raw and gzip-compressed: byte-level damage anywhere
/// (for gzip, in the compressed bytes: corrupt streams), and damage that knows the format — the magic
/// number's element type and dimension count, and the big-endian dimension sizes, overwritten with sizes
/// worth trying (0, 1, off by one, 2^31, 2^32 − 1, MNIST's), in the raw content before compression too.
/// Each mutant is loaded as a dataset with a valid file of the other kind, so counts and labels are checked.
/// </summary>
public sealed class IdxFuzzTests(ITestOutputHelper output)
{
    private const uint Images = 3, Rows = 4, Columns = 5;

    private static readonly byte[] RawImages = MakeImages();

    private static readonly byte[] RawLabels = [0, 0, 8, 1, 0, 0, 0, 3, 7, 0, 9];

    private static readonly byte[][] Seeds = [RawImages, Gzip(RawImages), RawLabels, Gzip(RawLabels)];

    [Fact]
    public void EveryMutantLoadsOrIsRefusedWithFileFormatException() =>
        Fuzzer.Run("IDX", output, Mutate, Load, Verify);

    [Fact]
    public void TheSeedsLoad()
    {
        Dataset data = Idx.LoadDataset(new MemoryStream(Seeds[1]), new MemoryStream(Seeds[3]));
        Assert.Equal((3, 20), (data.Count, data.Features));
        Assert.Equal([7, 0, 9], data.Labels.ToArray());
    }

    /// <summary>Tag: bit 0 says the mutant is the labels file; bit 1, that the other file is gzip.</summary>
    private static Dataset Load(Mutant mutant)
    {
        bool labels = (mutant.Tag & 1) != 0, otherGzip = (mutant.Tag & 2) != 0;
        using Stream mutated = mutant.Open();
        using var other = new MemoryStream(labels ? Seeds[otherGzip ? 1 : 0] : Seeds[otherGzip ? 3 : 2]);
        return labels ? Idx.LoadDataset(other, mutated, imagesName: "images", labelsName: "mutant") : Idx.LoadDataset(mutated, other, imagesName: "mutant", labelsName: "labels");
    }

    private static void Verify(Dataset data)
    {
        Assert.True(data.Count >= 1);
        Assert.Equal(10, data.Classes);
        foreach (int label in data.Labels)
        {
            Assert.InRange(label, 0, 9);
        }

        for (int i = 0; i < data.Count; i++)
        {
            foreach (float pixel in data.Row(i))
            {
                Assert.InRange(pixel, 0f, 1f);
            }
        }
    }

    private static Mutant Mutate(int index)
    {
        Random random = Fuzzer.CaseRandom(index);
        int seed = random.Next(Seeds.Length);
        bool labels = seed >= 2, gzip = seed % 2 == 1;
        var steps = new List<string> { $"seed {seed} ({(labels ? "labels" : "images")}, {(gzip ? "gzip" : "raw")})" };
        byte[] raw = labels ? RawLabels : RawImages;
        byte[] bytes;
        if (random.Next(10) < 6)
        {
            // Damage the content itself (before compression, for a gzip seed).
            raw = Structured(random, raw, labels, out string step);
            steps.Add(step);
            if (random.Next(3) == 0)
            {
                (raw, step) = Mutations.Any(random, raw);
                steps.Add(step);
            }

            bytes = gzip ? Gzip(raw) : raw;
        }
        else
        {
            bytes = Seeds[seed];
        }

        for (int rounds = random.Next(10) < 5 ? 0 : 1 + random.Next(2); rounds > 0; rounds--)
        {
            (bytes, string step) = Mutations.Any(random, bytes);
            steps.Add(step);
        }

        int tag = (labels ? 1 : 0) | (random.Next(2) == 0 ? 2 : 0);
        return new Mutant(bytes, string.Join("; ", steps), random.Next(4) != 0, EffectiveSize(bytes), tag);
    }

    private static byte[] Structured(Random random, byte[] raw, bool labels, out string step)
    {
        byte[] copy = [.. raw];
        int dimensions = labels ? 1 : 3;
        switch (random.Next(4))
        {
            case 0:
                {
                    int at = random.Next(4);
                    copy[at] = (byte)(random.Next(2) == 0 ? random.Next(256) : new[] { 0, 1, 3, 8, 9, 0x0D, 0xFF }[random.Next(7)]);
                    step = $"magic byte {at} set to 0x{copy[at]:X2}";
                    return copy;
                }

            case 1:
            case 2:
                {
                    int d = random.Next(dimensions);
                    uint size = random.Next(3) == 0
                        ? (uint)(BinaryPrimitives.ReadUInt32BigEndian(raw.AsSpan(4 + (4 * d))) + random.Next(-2, 3))
                        : Mutations.InterestingSizes[random.Next(Mutations.InterestingSizes.Length)];
                    BinaryPrimitives.WriteUInt32BigEndian(copy.AsSpan(4 + (4 * d)), size);
                    step = $"dimension {d} set to {size}";
                    return copy;
                }

            default:
                {
                    int change = random.Next(-6, 7);
                    step = $"data resized by {change} bytes";
                    return change < 0 ? copy[..Math.Max(0, copy.Length + change)] : [.. copy, .. new byte[change].Select(_ => (byte)random.Next(256))];
                }
        }
    }

    /// <summary>The input's length, or for gzip the length it decompresses to (as far as it does): what the reader may fairly hold.</summary>
    private static long EffectiveSize(byte[] bytes)
    {
        if (bytes.Length < 2 || bytes[0] != 0x1F || bytes[1] != 0x8B)
        {
            return bytes.Length;
        }

        long total = 0;
        byte[] buffer = new byte[64 * 1024];
        try
        {
            using var gzip = new GZipStream(new MemoryStream(bytes), CompressionMode.Decompress);
            for (int read; (read = gzip.Read(buffer)) > 0;)
            {
                total += read;
            }
        }
        catch (InvalidDataException)
        {
            // Corrupt: what came out before the corruption is what counts.
        }

        return Math.Max(bytes.Length, total);
    }

    private static byte[] MakeImages()
    {
        byte[] file = new byte[16 + (Images * Rows * Columns)];
        file[2] = 8;
        file[3] = 3;
        BinaryPrimitives.WriteUInt32BigEndian(file.AsSpan(4), Images);
        BinaryPrimitives.WriteUInt32BigEndian(file.AsSpan(8), Rows);
        BinaryPrimitives.WriteUInt32BigEndian(file.AsSpan(12), Columns);
        for (int i = 16; i < file.Length; i++)
        {
            file[i] = (byte)(i * 37);
        }

        return file;
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
}
