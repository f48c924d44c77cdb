using ParquetSharp;

namespace Native.Numerics.Parquet.Tests;

/// <summary>
/// Files written by Apache Arrow's C++ writer (the one pyarrow uses, here through ParquetSharp's writer): what DuckDB
/// does not write — REQUIRED columns (no definition levels), 16-bit floats, unsigned 32-bit extremes — read as exactly
/// the floats their values round to.
/// </summary>
public sealed class ArrowWriterTests : IDisposable
{
    private readonly string _path = Path.Combine(Path.GetTempPath(), $"arrow-{Guid.NewGuid():N}.parquet");

    public void Dispose() => File.Delete(_path);

    [Fact]
    public void RequiredColumnsHalfFloatsAndUnsignedExtremesReadExactly()
    {
        int rows = 3000;
        int[] a = [.. Enumerable.Range(0, rows).Select(i => (i * 7919) - 1_000_000)];
        uint[] u = [.. Enumerable.Range(0, rows).Select(i => uint.MaxValue - (uint)(i * 1_431_655))];
        Half[] h = [.. Enumerable.Range(0, rows).Select(i => (Half)((i * 0.37f) - 300))];
        long[] label = [.. Enumerable.Range(0, rows).Select(i => (long)(i % 4))];
        Column[] columns = [new Column<int>("a"), new Column<uint>("u"), new Column<Half>("h"), new Column<long>("label")];
        using (var writer = new ParquetFileWriter(_path, columns))
        {
            for (int start = 0; start < rows; start += 1000)
            {
                using RowGroupWriter group = writer.AppendRowGroup();
                Write(group, a.AsSpan(start, 1000));
                Write(group, u.AsSpan(start, 1000));
                Write(group, h.AsSpan(start, 1000));
                Write(group, label.AsSpan(start, 1000));
            }

            writer.Close();
        }

        IReadOnlyList<ParquetColumn> schema = ParquetFile.ReadColumns(_path);
        Assert.All(schema, c => Assert.False(c.IsNullable));
        Assert.Equal("FIXED_LEN_BYTE_ARRAY(2) (Float16)", schema[2].Type);

        Dataset data = ParquetFile.Read(_path);
        Assert.Equal(rows, data.Count);
        Assert.Equal(["0", "1", "2", "3"], data.ClassNames);
        for (int i = 0; i < rows; i++)
        {
            Assert.Equal((float)a[i], data.Row(i)[0]);
            Assert.Equal(float.Parse(u[i].ToString(System.Globalization.CultureInfo.InvariantCulture), System.Globalization.CultureInfo.InvariantCulture), data.Row(i)[1]);
            Assert.Equal((float)h[i], data.Row(i)[2]);
            Assert.Equal((int)label[i], data.Labels[i]);
        }
    }

    private static void Write<T>(RowGroupWriter group, ReadOnlySpan<T> values)
    {
        using LogicalColumnWriter<T> column = group.NextColumn().LogicalWriter<T>();
        column.WriteBatch(values);
    }
}
