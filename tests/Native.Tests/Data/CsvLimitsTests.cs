using System.Text;
using Native.Numerics;
using Native.Tests.Support;

namespace Native.Tests.Data;

/// <summary>
/// CSV input that is hostile rather than malformed: fields and lines without end, binary bytes, text that is not
/// UTF-8; and the column names a dataset keeps, and the streaming reader predictions use.
/// </summary>
public sealed class CsvLimitsTests
{
    private static Dataset Read(string text, CsvOptions? options = null) => Csv.Read(new MemoryStream(Encoding.UTF8.GetBytes(text)), options, "data.csv");

    private static FileFormatException Refused(Stream stream, CsvOptions? options = null) =>
        Assert.Throws<FileFormatException>(() => Csv.Read(stream, options, "data.csv"));

    [Fact]
    public void AFieldWithoutEndIsRefusedAtItsLimitWithoutHoldingIt()
    {
        // The 1.1-billion-character header field took 6.2 GB and crashed; an endless one is stopped at
        // 65,536 characters, having held no more than that.
        using var endless = new EndlessStream("x,"u8.ToArray(), "a"u8.ToArray());
        long before = GC.GetAllocatedBytesForCurrentThread();
        FileFormatException error = Refused(endless);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal("'data.csv', line 1, column 3: a field longer than 65536 characters (CsvOptions.MaxFieldLength; native: --max-field-length); is this a CSV file?", error.Message);
        Assert.True(allocated < 1 << 20, $"allocated {allocated:N0} bytes");
    }

    [Fact]
    public void AHugeLabelIsRefusedAtItsLineAndColumn()
    {
        string text = "a,label\n1,x\n2," + new string('y', 70_000) + "\n";
        FileFormatException error = Assert.Throws<FileFormatException>(() => Read(text));
        Assert.StartsWith("'data.csv', line 3, column 3: a field longer than 65536 characters", error.Message, StringComparison.Ordinal);
        Assert.Equal(2, Read(text, new CsvOptions { MaxFieldLength = 100_000 }).Classes);
    }

    [Fact]
    public void ALineWithoutEndIsRefusedAtItsLimit()
    {
        // Short fields, endlessly: the field limit never trips; the line limit does (here lowered to 1,000).
        using var endless = new EndlessStream([], "1,"u8.ToArray());
        FileFormatException error = Refused(endless, new CsvOptions { MaxLineLength = 1000, MaxColumns = 10_000 });
        Assert.Equal("'data.csv', line 1, column 1: a record longer than 1000 characters (CsvOptions.MaxLineLength; native: --max-line-length); is this a CSV file?", error.Message);

        // With the defaults the column limit comes first for the header; a data row stops at its first extra field.
        using var wide = new EndlessStream([], "1,"u8.ToArray());
        Assert.Contains("more than 1048576 fields in one record (CsvOptions.MaxColumns; native: --max-columns)", Refused(wide).Message, StringComparison.Ordinal);
        using var ragged = new EndlessStream("a,b\n"u8.ToArray(), "1,"u8.ToArray());
        Assert.Equal("'data.csv', line 2, column 5: expected 2 fields, as in the header; found more than 2.", Refused(ragged).Message);
    }

    [Fact]
    public void BinaryDataIsRefusedAtItsFirstNul()
    {
        // --data /dev/zero read 2.2 billion characters (8.2 GB) before failing.
        using var zeros = new EndlessStream([], [0]);
        Assert.Equal("'data.csv', line 1, column 1: a NUL character (U+0000): this is binary data, not CSV text (a UTF-16 file needs its byte-order mark).", Refused(zeros).Message);

        // "1\0" read as 1.
        FileFormatException error = Assert.Throws<FileFormatException>(() => Read("a,b\n1\0,2\n"));
        Assert.StartsWith("'data.csv', line 2, column 2: a NUL character", error.Message, StringComparison.Ordinal);
        Assert.False(Csv.TryParseNumber("1\0", out _));
    }

    [Fact]
    public void TextThatIsNotUtf8IsRefusedNotMerged()
    {
        // "café" in UTF-8 and "cafè" in Latin-1 (0xE8): replaced by U+FFFD, the second became a class of its own
        // name... or merged with any other Latin-1 label.
        byte[] bytes = [.. "x,label\n1,café\n2,caf"u8.ToArray(), 0xE8, .. "\n"u8.ToArray()];
        FileFormatException error = Refused(new MemoryStream(bytes));
        Assert.Equal($"'data.csv', line 3, column 6: the byte 0xE8 (byte {bytes.Length - 2} of the file) is not valid UTF-8; a CSV file must be UTF-8 (or UTF-16 with a byte-order mark). Convert it, with iconv -f LATIN1 -t UTF-8 for one.", error.Message);

        // Split across reads, a valid character still decodes.
        Dataset data = Csv.Read(new TrickleStream(Encoding.UTF8.GetBytes("x,label\n1,café\n2,naïve\n"), chunk: 1));
        Assert.Equal(["café", "naïve"], data.ClassNames);

        // UTF-16 with its mark reads; a lone surrogate in it does not.
        byte[] utf16 = [.. Encoding.Unicode.GetPreamble(), .. Encoding.Unicode.GetBytes("x,label\n1,a\n2,b\n")];
        Assert.Equal(2, Csv.Read(new MemoryStream(utf16)).Count);
        byte[] lone = [.. Encoding.Unicode.GetPreamble(), .. Encoding.Unicode.GetBytes("x,label\n1,a\n2,"), 0x00, 0xDC];
        Assert.Contains("is not valid UTF-16", Refused(new MemoryStream(lone)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ADatasetKeepsItsColumnNamesThroughSplitsAndStandardization()
    {
        Dataset data = Read("label,width,height\na,1,2\nb,3,4\na,5,6\nb,7,8\n", new CsvOptions { LabelIndex = 0 });
        Assert.Equal(["width", "height"], data.FeatureNames);
        Assert.Equal("label", data.LabelName);

        var (training, test) = data.Split(0.5, seed: 1);
        Dataset scaled = Standardizer.Fit(training).Transform(training);
        foreach (Dataset part in new[] { training, test, scaled, data.Shuffle(2), data.WithSampleWeights([1f, 1f, 1f, 1f]) })
        {
            Assert.Equal(["width", "height"], part.FeatureNames);
            Assert.Equal("label", part.LabelName);
        }

        Assert.Throws<ArgumentException>(() => data.WithFeatureNames(["only one"]));
    }

    [Fact]
    public void TheFeatureReaderMatchesColumnsByName()
    {
        // The model's features are (height, width); the file has them the other way round, and its label first.
        using var reader = new CsvFeatureReader(new MemoryStream("label,width,height\na,1,2\nb,3,4\n"u8.ToArray()), "rows.csv");
        reader.SelectByName(["height", "width"], labelColumn: "label");
        float[] row = new float[2];
        Assert.True(reader.ReadRow(row));
        Assert.Equal([2f, 1f], row);
        Assert.Equal((2, 5), (reader.Line, reader.ColumnOf(0)));
        Assert.True(reader.ReadRow(row));
        Assert.Equal([4f, 3f], row);
        Assert.False(reader.ReadRow(row));
    }

    [Theory]
    [InlineData("label,width,depth\n", "line 1, column 1: no column is named 'height', the model's feature 0")]
    [InlineData("label,width,height,id\n", "line 1, column 20: the column 'id' is not one of the model's 2 features nor its label column 'label'")]
    [InlineData("width,height,width\n", "line 1, column 14: two columns are named 'width'")]
    public void TheFeatureReaderRefusesColumnsThatDoNotMatch(string header, string says)
    {
        using var reader = new CsvFeatureReader(new MemoryStream(Encoding.UTF8.GetBytes(header + "1,2,3\n")), "rows.csv");
        FileFormatException error = Assert.Throws<FileFormatException>(() => reader.SelectByName(["height", "width"], labelColumn: "label"));
        Assert.StartsWith("'rows.csv', " + says, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ALabelColumnThatIsAFeatureIsNamedAsOne()
    {
        // predict --label width: it said "the column 'label' is not one of the model's 2 features nor its label column 'width'".
        using var reader = new CsvFeatureReader(new MemoryStream("label,width,height\na,1,2\n"u8.ToArray()), "rows.csv");
        FileFormatException error = Assert.Throws<FileFormatException>(() => reader.SelectByName(["height", "width"], labelColumn: "width"));
        Assert.Equal("'rows.csv', line 1, column 7: the label column 'width' is one of the model's 2 features (feature 1), so it cannot be skipped as the label; name the column that holds the label, or none.", error.Message);
    }

    [Fact]
    public void TheFeatureReaderGivesEachRowAsItArrives()
    {
        // Standard input: the first row is there, the second is not typed yet. Reading the first must not wait.
        using var input = new TrickleStream("a,b\n1,2\n"u8.ToArray(), chunk: 1 << 20, thenBlock: true);
        using var reader = new CsvFeatureReader(input);
        reader.SelectByCount(2);
        float[] row = new float[2];
        Assert.True(reader.ReadRow(row));
        Assert.Equal([1f, 2f], row);
        Assert.Throws<TimeoutException>(() => reader.ReadRow(row)); // now it reads again, and the input "blocks"
    }

    /// <summary>A stream of <paramref name="start"/>, then <paramref name="unit"/> repeated forever.</summary>
    private sealed class EndlessStream(byte[] start, byte[] unit) : ForwardStream
    {
        private long _position;

        public override int Read(byte[] buffer, int offset, int count)
        {
            for (int i = 0; i < count; i++, _position++)
            {
                buffer[offset + i] = _position < start.Length ? start[_position] : unit[(_position - start.Length) % unit.Length];
            }

            return count;
        }
    }

    /// <summary>A stream that gives <paramref name="content"/> <paramref name="chunk"/> bytes per read; then ends, or "blocks" (throws).</summary>
    private sealed class TrickleStream(byte[] content, int chunk, bool thenBlock = false) : ForwardStream
    {
        private int _position;

        public override int Read(byte[] buffer, int offset, int count)
        {
            if (_position == content.Length && thenBlock)
            {
                throw new TimeoutException("the input has nothing more yet");
            }

            int n = Math.Min(Math.Min(count, chunk), content.Length - _position);
            content.AsSpan(_position, n).CopyTo(buffer.AsSpan(offset));
            _position += n;
            return n;
        }
    }

    private abstract class ForwardStream : Stream
    {
        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
