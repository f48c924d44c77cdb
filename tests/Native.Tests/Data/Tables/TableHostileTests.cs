using System.Globalization;
using System.Text;
using Native.Numerics;
using Xunit.Abstractions;

namespace Native.Tests.Data.Tables;

/// <summary>Tables that try to cost more than they are worth: the distinct values a reading holds are bounded.</summary>
public sealed class TableHostileTests(ITestOutputHelper output)
{
    [Fact]
    public void TenMillionDistinctCategoriesCostBoundedMemory()
    {
        const int Rows = 10_000_000;
        using var stream = new GeneratedTable(Rows);
        long before = GC.GetAllocatedBytesForCurrentThread();
        TableData table = Table.Read(stream, name: "ten-million.csv");
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{stream.Position / 1e6:F0} MB of text, {Rows:N0} rows: {allocated / 1e6:F0} MB allocated in all"));

        PipelineColumn code = table.Pipeline.Columns[0];
        Assert.Equal(ColumnKind.Ignored, code.Kind);
        Assert.Contains("more distinct values than the reading holds", code.Note);
        Assert.Equal(Rows, table.Data.Count);
        Assert.Equal(["x"], table.Pipeline.FeatureNames);

        // What the rows need as they are read — the code's id, the number and its text's id (kept while the column might
        // prove to be codes), the label's id, about 16 bytes a row — then the labels and the dataset's one float a row (8),
        // and the bounded vocabulary: 1 Mi values of about 7 characters with their dictionary, some 100 MB. Ten million
        // strings and a dictionary of them would take a gigabyte more.
        Assert.True(allocated < (30L * Rows) + 150_000_000, $"allocated {allocated:N0} bytes");
    }

    [Theory]
    [InlineData("1", "2")]
    [InlineData("x", "y")]
    public void AWideTableOfFewRowsCostsWhatItHolds(string first, string second)
    {
        // Each column's reading took a 64 KB chunk at its first value: 80,000 number columns of 2 rows (1 MB of text) took
        // 5.4 GB, 200,000 category columns 13 GB.
        const int Columns = 20_000;
        var text = new StringBuilder();
        text.AppendJoin(',', Enumerable.Range(0, Columns).Select(j => $"c{j}")).Append(",label\n");
        text.AppendJoin(',', Enumerable.Repeat(first, Columns)).Append(",a\n");
        text.AppendJoin(',', Enumerable.Repeat(second, Columns)).Append(",b\n");
        byte[] bytes = Encoding.UTF8.GetBytes(text.ToString());
        long before = GC.GetAllocatedBytesForCurrentThread();
        TableData table = Table.Read(new MemoryStream(bytes), name: "wide.csv");
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{bytes.Length / 1e3:F0} KB of text, {Columns:N0} columns of 2 rows: {allocated / 1e6:F1} MB allocated"));

        Assert.Equal(2, table.Data.Count);
        Assert.Equal(first == "1" ? Columns : 2 * Columns, table.Data.Features);
        // A column's reading, vocabulary, pipeline column, name and statistics take some 2 KB (a 64 KB chunk before).
        Assert.True(allocated < 4096L * Columns, $"allocated {allocated:N0} bytes for {Columns:N0} columns");
    }

    [Fact]
    public void ValuesPastTheBoundCountAsOtherInAColumnToldToBeACategory()
    {
        var text = new StringBuilder("code,y\n");
        for (int i = 0; i < 500; i++)
        {
            text.Append(CultureInfo.InvariantCulture, $"v{i % 50},{i % 2}\n");
        }

        var options = new TableOptions { MaxDistinctValues = 20, ColumnKinds = new Dictionary<string, ColumnKind> { ["code"] = ColumnKind.Category }, Standardize = false };
        TableData table = TableTestData.Read(text.ToString(), options);
        PipelineColumn code = table.Pipeline.Columns[0];
        Assert.Equal(20, code.Categories.Count);
        Assert.True(code.HasOther);
        Assert.Contains("300 values past what the reading holds", code.Note);
        Assert.Equal(1f, table.Data.Row(499)[code.OtherSlot]); // v49: past the bound

        // Inferred, the same column is taken for an identifier and left out; the characters bound works the same way.
        Assert.Contains("no column is left", Assert.Throws<FileFormatException>(() => TableTestData.Read(text.ToString(), new TableOptions { MaxDistinctValues = 20 })).Message);
        TableData byCharacters = TableTestData.Read(text.ToString(), new TableOptions { MaxDistinctCharacters = 30, ColumnKinds = options.ColumnKinds });
        Assert.Equal(13, byCharacters.Pipeline.Columns[0].Categories.Count); // v0…v9 (2 characters each), then v10, v11, v12 (3): 10 × 2 + 3 × 3 = 29
    }

    /// <summary>A table of distinct codes, a number and a label, written as it is read: <c>code,x,y</c> then <c>c{i},{i % 7},{i % 2}</c>.</summary>
    private sealed class GeneratedTable(int rows) : Stream
    {
        private readonly byte[] _line = new byte[64];
        private int _row = -1;
        private int _lineLength;
        private int _lineAt;
        private long _position;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => _position; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count)
        {
            int written = 0;
            while (written < count)
            {
                if (_lineAt == _lineLength && !NextLine())
                {
                    break;
                }

                int take = Math.Min(count - written, _lineLength - _lineAt);
                Array.Copy(_line, _lineAt, buffer, offset + written, take);
                _lineAt += take;
                written += take;
            }

            _position += written;
            return written;
        }

        private bool NextLine()
        {
            if (_row == rows)
            {
                return false;
            }

            // Written as bytes, no string per row: the test measures what the reading allocates on this thread.
            if (_row < 0)
            {
                _lineLength = Encoding.ASCII.GetBytes("code,x,y\n", _line);
            }
            else
            {
                Span<byte> line = _line;
                line[0] = (byte)'c';
                _row.TryFormat(line[1..], out int digits, provider: CultureInfo.InvariantCulture);
                int at = 1 + digits;
                line[at] = (byte)',';
                line[at + 1] = (byte)('0' + (_row % 7));
                line[at + 2] = (byte)',';
                line[at + 3] = (byte)('0' + (_row % 2));
                line[at + 4] = (byte)'\n';
                _lineLength = at + 5;
            }
            _lineAt = 0;
            _row++;
            return true;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
