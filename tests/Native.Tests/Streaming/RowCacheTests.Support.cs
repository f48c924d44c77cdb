using System.Globalization;
using System.Text;
using Native.Numerics;
using Native.Numerics.Streaming;

namespace Native.Tests.Streaming;

// What the row-cache tests share: rows read back, compared, written as CSV, spoiled; a stream that runs out of disk.
public sealed partial class RowCacheTests : IDisposable
{
    /// <summary>Rows a row source reads back, as a dataset (for comparing).</summary>
    internal static Dataset Materialize(RowSource rows)
    {
        using RowReader reader = rows.ReadRows();
        int n = (int)rows.Count, stride = rows.Features;
        float[] features = new float[n * stride];
        int[] labels = new int[n];
        float[] targets = new float[n];
        int read = 0;
        while (read < n)
        {
            int got = reader.Read(features.AsSpan(read * stride), stride, n - read, labels.AsSpan(read), targets.AsSpan(read));
            Assert.True(got > 0);
            read += got;
        }

        Assert.Equal(0, reader.Read(features, stride, 1, labels, targets));
        return rows.HasLabels ? Dataset.FromLabels(features, stride, labels, rows.Classes) : Dataset.FromTargets(features, stride, targets);
    }

    internal static void AssertSameRows(Dataset expected, RowSource actual)
    {
        Dataset rows = Materialize(actual);
        Assert.Equal(expected.Count, rows.Count);
        for (int i = 0; i < expected.Count; i++)
        {
            Assert.Equal(expected.Row(i).ToArray(), rows.Row(i).ToArray());
        }

        if (expected.HasLabels)
        {
            Assert.Equal(expected.Labels.ToArray(), rows.Labels.ToArray());
        }
        else
        {
            Assert.Equal(expected.Targets.ToArray(), rows.Targets.ToArray());
        }
    }

    private static string Key(Dataset data, int i) => string.Join(',', data.Row(i).ToArray()) + "|" + (data.HasLabels ? data.Labels[i] : data.Targets[i]);

    /// <summary>
    /// A CSV file of three pixel columns (integers 0–255), a fraction column and a label: a digit (0–9), a species (text,
    /// three classes) or a fractional target.
    /// </summary>
    private string WriteCsv(string name, int rows, int seed, string label = "digit")
    {
        var random = new Random(seed);
        var text = new StringBuilder($"p0,p1,p2,ratio,{label}\n");
        string[] species = ["setosa", "versicolor", "virginica"];
        for (int i = 0; i < rows; i++)
        {
            int digit = random.Next(10);
            string value = label switch
            {
                "species" => species[digit % 3],
                "target" => ((digit * 1.5) + random.NextDouble()).ToString("0.###", CultureInfo.InvariantCulture),
                _ => digit.ToString(CultureInfo.InvariantCulture),
            };
            text.Append(CultureInfo.InvariantCulture, $"{random.Next(256)},{random.Next(256)},{(digit * 25) + random.Next(20)},{random.NextDouble():0.####},{value}\n");
        }

        string path = Path.Combine(_root, "data", name);
        File.WriteAllText(path, text.ToString());
        return path;
    }

    private static void Spoil(string path, string damage)
    {
        byte[] bytes = File.ReadAllBytes(path);
        switch (damage)
        {
            case "truncated":
                Array.Resize(ref bytes, bytes.Length - 100);
                break;
            case "header":
                bytes[30] ^= 1;
                break;
            case "trailer":
                bytes[^10] ^= 1;
                break;
            case "version":
                bytes[8] = 2;
                break;
            case "magic":
                bytes[0] = (byte)'X';
                break;
            case "empty":
                bytes = [];
                break;
        }

        File.WriteAllBytes(path, bytes);
    }

    /// <summary>A stream that fails as a full disk does after some bytes (or calls an action on each write).</summary>
    private sealed class FullDiskStream(Stream inner, long failAfter, Action? onWrite = null) : Stream
    {
        private long _written;

        public override bool CanRead => false;

        public override bool CanSeek => true;

        public override bool CanWrite => true;

        public override long Length => inner.Length;

        public override long Position { get => inner.Position; set => inner.Position = value; }

        public override void Flush() => inner.Flush();

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => inner.Seek(offset, origin);

        public override void SetLength(long value) => inner.SetLength(value);

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            onWrite?.Invoke();
            _written += buffer.Length;
            if (_written > failAfter)
            {
                throw new IOException("No space left on device", 28);
            }

            inner.Write(buffer);
        }
    }
}
