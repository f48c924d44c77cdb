using System.Buffers.Binary;
using Native.Tests.Fuzzing;
using Xunit.Abstractions;

namespace Native.Numerics.Parquet.Tests;

/// <summary>
/// Mutants of valid Parquet files (DuckDB's, several compressions and page versions, integer, boolean and text labels):
/// byte-level damage anywhere; the same damage confined to the footer, its length kept right so the damage reaches the
/// footer's decoder; and Thrift numbers in the footer (counts, sizes, offsets, types) replaced with values worth trying.
/// Every mutant loads or is refused with <see cref="FileFormatException"/>, within the harness's time and memory bounds.
/// </summary>
public sealed class ParquetFuzzTests(ITestOutputHelper output)
{
    /// <summary>
    /// Cases per run unless NATIVE_FUZZ_MUTANTS says otherwise: fewer than the other formats' 50,000, since each case
    /// opens the native reader (about 0.2 ms a case here, against microseconds for CSV).
    /// </summary>
    private const int DefaultMutants = 10_000;

    private static readonly string[] SeedFiles = ["codec-snappy.parquet", "codec-zstd.parquet", "codec-gzip.parquet", "pages-v2.parquet", "integers.parquet", "other-types.parquet", "parts/part-0.parquet"];

    private static readonly byte[][] Seeds = [.. SeedFiles.Select(Fixture.Bytes)];

    /// <summary>Values worth trying in a Thrift integer: the edges, the overflows, the plausible.</summary>
    private static readonly long[] Interesting = [0, 1, -1, 2, 7, 8, 15, 16, 255, 256, 1000, 65_535, 65_536, int.MaxValue, int.MinValue, (long)int.MaxValue + 1, long.MaxValue, long.MinValue, 1L << 40, 2048, 300];

    [Fact]
    public void EveryMutantLoadsOrIsRefusedWithFileFormatException() =>
        Fuzzer.Run("Parquet", output, Mutate, Load, Verify, mutants: Fuzzer.Mutants == Fuzzer.DefaultMutants ? DefaultMutants : Fuzzer.Mutants);

    /// <summary>
    /// The same mutants read as tables (<see cref="ParquetTable"/>: text, nulls, the table reader behind): each fits a
    /// pipeline or is refused with <see cref="FileFormatException"/>. Fewer cases: each also renders and reads the text. The
    /// allocation bound is 96 bytes a byte of the file where the numeric reader's is 16: the seeds are compressed (1,000 rows
    /// in 2.5 KB), and a table's rows are held as read, encoded and standardized (a 2.5 KB seed: 589 KB, of which the table
    /// reader's own start is 374 KB; mutants of them up to 682 KB).
    /// </summary>
    [Fact]
    public void EveryMutantReadsAsATableOrIsRefusedWithFileFormatException() =>
        Fuzzer.Run("Parquet table", output, Mutate, LoadTable, VerifyTable, allocationFactor: 96, mutants: Fuzzer.Mutants == Fuzzer.DefaultMutants ? DefaultMutants / 4 : Fuzzer.Mutants);

    [Fact]
    public void TheSeedsLoad()
    {
        foreach (byte[] seed in Seeds)
        {
            Assert.True(ParquetFile.Read(new MemoryStream(seed)).Count >= 2);
            Assert.True(ParquetTable.Read(new MemoryStream(seed)).Data.Count >= 2);
        }
    }

    private static Dataset Load(Mutant mutant)
    {
        using Stream stream = mutant.Open();
        return ParquetFile.Read(stream, name: "mutant.parquet");
    }

    private static TableData LoadTable(Mutant mutant)
    {
        using Stream stream = mutant.Open();
        return ParquetTable.Read(stream, name: "mutant.parquet");
    }

    private static void VerifyTable(TableData table)
    {
        Assert.Equal(table.Pipeline.Features, table.Data.Features);
        Verify(table.StandardizedData);
    }

    private static void Verify(Dataset data)
    {
        Assert.True(data.Count >= 1);
        for (int i = 0; i < data.Count; i++)
        {
            Assert.Equal(-1, data.Row(i).IndexOfAnyExceptInRange(float.MinValue, float.MaxValue));
        }

        if (data.HasLabels)
        {
            Assert.True(data.Classes >= 2);
            Assert.Equal(data.Classes, data.ClassNames.Distinct(StringComparer.Ordinal).Count());
            foreach (int label in data.Labels)
            {
                Assert.InRange(label, 0, data.Classes - 1);
            }
        }
        else
        {
            Assert.Equal(-1, data.Targets.IndexOfAnyExceptInRange(float.MinValue, float.MaxValue));
        }
    }

    private static Mutant Mutate(int index)
    {
        Random random = Fuzzer.CaseRandom(index);
        int seed = random.Next(Seeds.Length);
        byte[] bytes = Seeds[seed];
        var steps = new List<string> { SeedFiles[seed] };
        for (int rounds = 1 + random.Next(2); rounds > 0; rounds--)
        {
            string step;
            switch (random.Next(3))
            {
                case 0:
                    (bytes, step) = Mutations.Any(random, bytes);
                    break;
                case 1:
                    (bytes, step) = InFooter(bytes, random, (footer, r) => Mutations.Any(r, footer));
                    break;
                default:
                    (bytes, step) = InFooter(bytes, random, ReplaceNumber);
                    break;
            }

            steps.Add(step);
        }

        return new Mutant(bytes, string.Join("; ", steps), Seekable: true, bytes.Length);
    }

    /// <summary>Applies <paramref name="mutate"/> to the footer alone and writes the footer's new length.</summary>
    private static (byte[], string) InFooter(byte[] file, Random random, Func<byte[], Random, (byte[], string)> mutate)
    {
        if (file.Length < 12)
        {
            return (file, "too short for a footer");
        }

        int length = BinaryPrimitives.ReadInt32LittleEndian(file.AsSpan(file.Length - 8));
        if (length <= 0 || length > file.Length - 12)
        {
            return (file, "no footer to mutate");
        }

        int start = file.Length - 8 - length;
        (byte[] footer, string step) = mutate(file[start..(file.Length - 8)], random);
        byte[] size = new byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(size, footer.Length);
        return ([.. file[..start], .. footer, .. size, .. file[^4..]], $"footer: {step}");
    }

    /// <summary>Replaces a Thrift varint of the footer (found by scanning for a field header) with a value worth trying.</summary>
    private static (byte[], string) ReplaceNumber(byte[] footer, Random random)
    {
        // Field headers of the compact protocol's integer types (i16, i32, i64 = 4, 5, 6) with a field-id delta of 1 to 15.
        var positions = new List<int>();
        for (int i = 0; i + 1 < footer.Length; i++)
        {
            int type = footer[i] & 0x0F, delta = footer[i] >> 4;
            if (type is >= 4 and <= 6 && delta is >= 1 and <= 15)
            {
                positions.Add(i + 1);
            }
        }

        if (positions.Count == 0)
        {
            return (footer, "no number to replace");
        }

        int at = positions[random.Next(positions.Count)];
        int end = at;
        while (end < footer.Length && end - at < 10 && (footer[end] & 0x80) != 0)
        {
            end++;
        }

        end = Math.Min(end + 1, footer.Length);
        long value = Interesting[random.Next(Interesting.Length)];
        return ([.. footer[..at], .. Footers.ZigzagVarint(value), .. footer[end..]], $"varint at {at} replaced by {value}");
    }
}
