using System.Globalization;
using System.Text;
using Native.Numerics;

namespace Native.Tests.Streaming;

/// <summary>Several CSV files read as one table (<see cref="Csv.OpenRows(IReadOnlyList{string}, CsvOptions?)"/>).</summary>
public sealed class CsvFilesTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("native-csv-files-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void PartsReadAsTheWholeFile()
    {
        string[] lines = Lines(rows: 600, seed: 1);

        // Sorted by label, so the first part holds one class only and the classes are known only at the end.
        string[] rows = [.. lines.Skip(1).OrderBy(line => line[(line.LastIndexOf(',') + 1)..], StringComparer.Ordinal)];
        string whole = Write("whole.csv", [lines[0], .. rows]);
        string first = Write("a.csv", [lines[0], .. rows[..50]]), empty = Write("b.csv", [lines[0]]), last = Write("c.csv", [lines[0], .. rows[50..]]);
        Dataset expected = Csv.Read(whole);
        using RowSource parts = RowSource.Open(Csv.OpenRows([first, empty, last]), new RowSourceOptions { CacheDirectory = _directory });
        Assert.Equal(expected.ClassNames, parts.ClassNames);
        Assert.Equal(expected.FeatureNames, parts.FeatureNames);
        RowCacheTests.AssertSameRows(expected, parts);
    }

    [Fact]
    public void AnotherHeaderIsAnErrorNamingTheFile()
    {
        string[] lines = Lines(rows: 20, seed: 2);
        string first = Write("a.csv", lines);
        string other = Write("b.csv", ["p0,p1,p2,label", "1,2,3,4"]);
        FileFormatException error = Assert.Throws<FileFormatException>(() => RowSource.Open(Csv.OpenRows([first, other]), new RowSourceOptions { CacheDirectory = _directory }));
        Assert.Contains("b.csv", error.Message, StringComparison.Ordinal);
        Assert.Contains("other columns than the first file's", error.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(_directory, "*" + RowSource.CacheExtension));
    }

    [Fact]
    public void AnErrorInALaterFileNamesThatFileAndLine()
    {
        string first = Write("a.csv", Lines(rows: 20, seed: 3));
        string second = Write("b.csv", ["p0,p1,p2,digit", "1,2,3,4", "1,x,3,4"]);
        FileFormatException error = Assert.Throws<FileFormatException>(() => RowSource.Open(Csv.OpenRows([first, second]), new RowSourceOptions { CacheDirectory = _directory }));
        Assert.Contains("b.csv", error.Message, StringComparison.Ordinal);
        Assert.Contains("line 3", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void NoFileIsAnArgumentError() => Assert.Throws<ArgumentException>(() => Csv.OpenRows(Array.Empty<string>()));

    private static string[] Lines(int rows, int seed)
    {
        var random = new Random(seed);
        var lines = new List<string> { "p0,p1,p2,digit" };
        for (int i = 0; i < rows; i++)
        {
            lines.Add(string.Create(CultureInfo.InvariantCulture, $"{random.Next(256)},{random.Next(256)},{random.NextDouble():R},{random.Next(10)}"));
        }

        return [.. lines];
    }

    private string Write(string name, string[] lines)
    {
        string path = Path.Combine(_directory, name);
        File.WriteAllLines(path, lines, new UTF8Encoding(false));
        return path;
    }
}
