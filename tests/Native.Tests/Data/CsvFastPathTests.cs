using System.Globalization;
using System.Text;
using Native.Numerics;
using Native.Tests.Support;

namespace Native.Tests.Data;

/// <summary>
/// The CSV reader's fast paths held to the slow ones they stand for: the number fast path to
/// <see cref="float.TryParse(string?, NumberStyles, IFormatProvider?, out float)"/>, the block scan at every width to
/// its naive reference, and the record reader to itself whatever the stream's reads and buffer boundaries.
/// </summary>
public sealed class CsvFastPathTests
{
    [Theory]
    [InlineData("0", 0f)]
    [InlineData("255", 255f)]
    [InlineData("9999999", 9999999f)]
    [InlineData("0.5058824", 0.5058824f)]
    [InlineData("-1.5e-3", -0.0015f)]
    [InlineData("+7", 7f)]
    [InlineData("1E+05", 100000f)]
    [InlineData(".5", 0.5f)]
    [InlineData("1234567890123456", 1234567890123456f)]
    public void TheFastPathTakesThePlainForms(string text, float expected)
    {
        Assert.True(CsvNumber.TryParse(text, out float value));
        Assert.Equal(expected, value);
    }

    [Theory]
    [InlineData("")]
    [InlineData(" 1")]
    [InlineData("1 ")]
    [InlineData(".")]
    [InlineData("-")]
    [InlineData("1e")]
    [InlineData("NaN")]
    [InlineData("Infinity")]
    [InlineData("1e40")]
    [InlineData("1,5")]
    [InlineData("0x10")]
    [InlineData("12345678901234567890")]
    [InlineData("16777217")] // 2^24 + 1: exactly halfway between two floats, as a double too
    public void TheFastPathLeavesTheRestToTheFullParser(string text) => Assert.False(CsvNumber.TryParse(text, out _));

    [Fact]
    public void WhatTheFastPathReadsIsWhatFloatTryParseReads()
    {
        // Random text in the forms the fast path takes, and near them; every value it decides must be float.TryParse's, bit for bit.
        var random = new Random(15);
        int decided = 0;
        for (int i = 0; i < 300_000; i++)
        {
            string text = RandomNumber(random);
            if (!CsvNumber.TryParse(text, out float fast))
            {
                continue;
            }

            decided++;
            Assert.True(float.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out float full), $"'{text}': the fast path read {fast}, float.TryParse refuses it");
            Assert.True(BitConverter.SingleToInt32Bits(full) == BitConverter.SingleToInt32Bits(fast), $"'{text}': fast {fast:R}, float.TryParse {full:R}");
        }

        Assert.True(decided > 100_000, $"the fast path decided only {decided} of 300,000");
    }

    [Fact]
    public void FloatsHalfwayAsDoublesAreLeftToTheFullParser()
    {
        // Between two adjacent floats: the double nearest the midpoint is the midpoint itself, and a float from it would round twice.
        var random = new Random(16);
        for (int i = 0; i < 20_000; i++)
        {
            float below = (float)(random.NextDouble() * 1e6);
            double midpoint = ((double)below + (double)MathF.BitIncrement(below)) / 2;
            string text = midpoint.ToString("R", CultureInfo.InvariantCulture);
            if (CsvNumber.TryParse(text, out float fast))
            {
                Assert.Equal(float.Parse(text, CultureInfo.InvariantCulture), fast);
            }
        }
    }

    [Theory]
    [MemberData(nameof(Widths.All), MemberType = typeof(Widths))]
    public void EveryWidthMarksTheCharactersTheNaiveScanMarks(string width)
    {
        var random = new Random(17);
        char[] alphabet = [',', ';', '\t', '"', '\n', '\r', '\0', '\u000D', '\u000E', 'a', '0', '.', ' ', '\u012C', '\uFF0C', '\u2028', '\u0022', '\uD800'];
        char[] block = new char[CsvSpecials.BlockLength];
        foreach (char separator in new[] { ',', ';', '\t', '|' })
        {
            for (int i = 0; i < 2_000; i++)
            {
                for (int j = 0; j < block.Length; j++)
                {
                    block[j] = random.Next(3) == 0 ? alphabet[random.Next(alphabet.Length)] : (char)random.Next(0x10000);
                }

                Assert.Equal(CsvSpecials.Naive(ref block[0], separator), CsvSpecials.Mask(ref block[0], separator, Widths.Parse(width)));
            }
        }
    }

    [Fact]
    public void RecordsReadTheSameWhateverTheReadsAndBuffers()
    {
        // Quoted fields with separators, doubled quotes and line breaks of each kind; rows longer than the buffer; the
        // same text read whole, a byte at a time and a few bytes at a time, seekable or not, gives one dataset.
        var text = new StringBuilder("a,\"b, quoted\",c,label\r\n");
        var random = new Random(18);
        for (int i = 0; i < 300; i++)
        {
            text.Append(random.Next(100)).Append(',').Append(i % 7 == 0 ? "\"2.5\"" : "0.25").Append(',').Append(-i).Append(',');
            text.Append((i % 4) switch { 0 => "\"x\r\ny\"", 1 => "\"x\"\"y\"", 2 => "plain", _ => "\"x\ry\"" });
            text.Append(i % 3 == 0 ? "\r\n" : i % 3 == 1 ? "\n" : "\r");
        }

        byte[] bytes = Encoding.UTF8.GetBytes(text.ToString());
        Dataset expected = Csv.Read(new MemoryStream(bytes));
        Assert.Equal(["plain", "x\ny", "x\ry", "x\"y"], expected.ClassNames); // ordinal order
        foreach (Stream stream in new Stream[] { new ForwardOnlyStream(bytes), new ChunkedStream(bytes, 1), new ChunkedStream(bytes, 7), new ChunkedStream(bytes, 4093) })
        {
            Dataset data = Csv.Read(stream);
            Assert.Equal(expected.Labels.ToArray(), data.Labels.ToArray());
            for (int i = 0; i < data.Count; i++)
            {
                Assert.Equal(expected.Row(i).ToArray(), data.Row(i).ToArray());
            }
        }

        // Records of 100,000 characters: each one more than the first buffer holds.
        var wide = new StringBuilder(string.Join(',', Enumerable.Range(0, 20_000).Select(j => $"f{j}"))).Append(",y\n");
        for (int i = 0; i < 5; i++)
        {
            wide.Append(string.Join(',', Enumerable.Range(0, 20_000).Select(j => ((i * j) % 1000).ToString(CultureInfo.InvariantCulture)))).Append(',').Append(i % 2).Append('\n');
        }

        byte[] wideBytes = Encoding.UTF8.GetBytes(wide.ToString());
        foreach (Stream stream in new Stream[] { new MemoryStream(wideBytes), new ChunkedStream(wideBytes, 1000) })
        {
            Dataset data = Csv.Read(stream);
            Assert.Equal((5, 20_000), (data.Count, data.Features));
            Assert.Equal(3f * 999 % 1000, data.Row(3)[999]);
        }
    }

    [Fact]
    public void ErrorsNameTheSamePlaceWhateverTheReads()
    {
        // An error far into a file, past several refills of the buffer: the same line and column however the text arrives.
        var text = new StringBuilder("a,b,label\n");
        for (int i = 0; i < 20_000; i++)
        {
            text.Append(i).Append(",\"").Append(i % 10).Append("\",").Append(i % 2).Append('\n');
        }

        foreach (string bad in new[] { "1,x,0\n", "1,\"2\"3,0\n", "1,2\0,0\n", "1,2\n", "1,2,3,4\n" })
        {
            byte[] bytes = Encoding.UTF8.GetBytes(text + bad);
            var whole = Assert.Throws<FileFormatException>(() => Csv.Read(new MemoryStream(bytes), null, "f.csv"));
            var trickled = Assert.Throws<FileFormatException>(() => Csv.Read(new ChunkedStream(bytes, 3), null, "f.csv"));
            Assert.Equal(whole.Message, trickled.Message);
            Assert.Equal(20_002, whole.Line);
        }
    }

    [Fact]
    public void ANulIsRefusedEvenAsTheSeparator()
    {
        var options = new CsvOptions { Separator = '\0' };
        FileFormatException error = Assert.Throws<FileFormatException>(() => Csv.Read(new MemoryStream("a\0b\n1\02\n"u8.ToArray()), options, "f.csv"));
        Assert.StartsWith("'f.csv', line 1, column 2: a NUL character", error.Message, StringComparison.Ordinal);
        error = Assert.Throws<FileFormatException>(() => Csv.Read(new MemoryStream("\"a\"\0b\n"u8.ToArray()), options, "f.csv"));
        Assert.StartsWith("'f.csv', line 1, column 4: a NUL character", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AFileSizedOnceFromItsLengthHoldsOnlyItsRows()
    {
        // The storage guessed from the first rows (as long as the rest here): the dataset's rows are the file's, read
        // seekable or not, and the storage is allocated once, not doubled and copied.
        var text = new StringBuilder("x,y,label\n");
        for (int i = 0; i < 5_000; i++)
        {
            text.Append(1000 + (i % 9000)).Append(',').Append(i % 3 == 0 ? "1234567.5" : "1").Append(',').Append(i % 2).Append('\n');
        }

        byte[] bytes = Encoding.UTF8.GetBytes(text.ToString());
        Csv.Read(new MemoryStream(bytes)); // warm up
        long before = GC.GetAllocatedBytesForCurrentThread();
        Dataset seekable = Csv.Read(new MemoryStream(bytes));
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Dataset forward = Csv.Read(new ForwardOnlyStream(bytes));
        Assert.Equal(5_000, seekable.Count);

        // The storage once (8 bytes a row of two features), the first rows' few small blocks, the labels and the reader's buffers.
        long storage = 5_000L * 8;
        Assert.True(allocated < (storage * 13 / 10) + (200 * 1024), $"allocated {allocated:N0} bytes for {storage:N0} bytes of rows");
        Assert.Equal(seekable.Storage.ToArray(), forward.Storage.ToArray());
        Assert.Equal(5_000 * 2, seekable.Storage.Length);
    }

    private static string RandomNumber(Random random)
    {
        var text = new StringBuilder();
        switch (random.Next(4))
        {
            case 0:
                text.Append('-');
                break;
            case 1:
                text.Append('+');
                break;
        }

        int integerDigits = random.Next(0, 12), decimals = random.Next(-1, 12);
        for (int i = 0; i < integerDigits; i++)
        {
            text.Append((char)('0' + random.Next(10)));
        }

        if (decimals >= 0)
        {
            text.Append('.');
            for (int i = 0; i < decimals; i++)
            {
                text.Append((char)('0' + random.Next(10)));
            }
        }

        if (random.Next(3) == 0)
        {
            text.Append(random.Next(2) == 0 ? 'e' : 'E');
            if (random.Next(2) == 0)
            {
                text.Append(random.Next(2) == 0 ? '-' : '+');
            }

            int exponentDigits = random.Next(0, 4);
            for (int i = 0; i < exponentDigits; i++)
            {
                text.Append((char)('0' + random.Next(10)));
            }
        }

        return text.ToString();
    }

    /// <summary>A stream that gives at most <paramref name="chunk"/> bytes per read and cannot seek.</summary>
    private sealed class ChunkedStream(byte[] content, int chunk) : MemoryStream(content)
    {
        public override bool CanSeek => false;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count) => base.Read(buffer, offset, Math.Min(count, chunk));

        public override int Read(Span<byte> buffer) => base.Read(buffer[..Math.Min(buffer.Length, chunk)]);

        public override long Seek(long offset, SeekOrigin loc) => throw new NotSupportedException();
    }
}
