using System.Globalization;
using System.IO.Compression;
using System.Text;
using Native.Numerics;

namespace Native.Cli.Tests;

/// <summary>
/// predict and evaluate on hostile input: rows the model cannot answer, model files that cannot answer anything,
/// columns in the wrong place, labels that are not UTF-8, class names that would drive a terminal, bombs.
/// </summary>
public class PredictionPolicyCliTests
{
    private static (string Directory, string Model, string Data) Trained(params string[] extra)
    {
        string directory = Cli.TemporaryDirectory();
        string data = ArgumentAndDestinationTests.BlobsCsv(directory);
        string model = Path.Combine(directory, "m.safetensors");
        Cli.Result train = Cli.Run(["train", "--data", data, "--epochs", "10", "--out", model, "--quiet", .. extra]);
        Assert.True(train.ExitCode == 0, train.ToString());
        return (directory, model, data);
    }

    private static string Write(string directory, string name, string text)
    {
        string path = Path.Combine(directory, name);
        File.WriteAllText(path, text);
        return path;
    }

    [Theory]
    [InlineData("softmax")]
    [InlineData("perceptron")]
    [InlineData("linear")]
    public void ARowWhoseOutputsOverflowIsAnErrorAtItsLineAndColumn(string kind)
    {
        // The issue: 3e38 in every column gave class 0 with probabilities of 0, or "Infinity", and exit 0. Weights
        // of 2 make the overflow certain: 2 × 3e38 is past the float range.
        string directory = Cli.TemporaryDirectory();
        IModel model = kind switch
        {
            "softmax" => new SoftmaxRegression(2, 3),
            "perceptron" => new MultilayerPerceptron([2, 4, 2]),
            _ => new LinearRegression(2),
        };
        model.Parameters.Fill(2f);
        string path = Path.Combine(directory, "m.safetensors");
        ModelFile.Save(model, path, new ModelMetadata { FeatureNames = ["x", "y"] });
        string input = Write(directory, "rows.csv", "x,y\n1,2\n3e38,-3.2e38\n4,5\n");

        foreach (string[] json in new[] { Array.Empty<string>(), ["--json"] })
        {
            Cli.Result result = Cli.Run(["predict", "--model", path, "--input", input, .. json]);
            Assert.Equal(1, result.ExitCode);
            Assert.Equal($"native: '{input}', line 3, column 6: no prediction for this row: the model's outputs overflow the float range; its largest feature, 'y', is -3.2E+38.", result.Error.Trim());
            Assert.Equal(json.Length == 0 ? 2 : 1, result.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length); // the row before (after the text's header), printed as it was read
            Assert.DoesNotContain("Infinity", result.Output, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void TheGeneratedDigitModelFollowsThePolicyInTheCommand()
    {
        // 784 × 10 runs on the generated kernel; a row of 784 values of 3e38 gave class 0 and all-zero probabilities.
        string directory = Cli.TemporaryDirectory();
        var model = new SoftmaxRegression(784, 10);
        var random = new Random(1);
        for (int i = 0; i < model.Parameters.Length; i++)
        {
            model.Parameters[i] = 0.005f + ((float)random.NextDouble() * 0.01f); // 784 × 0.01 × 3e38 is past the float range
        }

        string path = Path.Combine(directory, "digits.safetensors");
        ModelFile.Save(model, path);
        string header = string.Join(',', Enumerable.Range(0, 784).Select(j => $"p{j}"));
        string input = Write(directory, "rows.csv", header + "\n" + string.Join(',', Enumerable.Repeat("3e38", 784)) + "\n");

        Cli.Result result = Cli.Run("predict", "--model", path, "--input", input, "--json");

        Assert.Equal(1, result.ExitCode);
        Assert.StartsWith($"native: '{input}', line 2, column 1: no prediction for this row: the model's outputs overflow the float range; its largest feature, 'p0', is 3E+38.", result.Error, StringComparison.Ordinal);
        Assert.Empty(result.Output);
    }

    [Fact]
    public void AModelFileThatCannotGiveFiniteOutputsIsRefusedAtLoad()
    {
        string directory = Cli.TemporaryDirectory();
        var model = new SoftmaxRegression(2, 2);
        model.Parameters.Clear();
        using (var stream = new MemoryStream())
        {
            // Written as the file format allows, but with weights of 1e38 × 3 past the float range: patched in after saving.
            ModelFile.Save(model, stream, ModelFormat.Safetensors);
            byte[] bytes = stream.ToArray();
            for (int i = 0; i < 4; i++)
            {
                BitConverter.TryWriteBytes(bytes.AsSpan(bytes.Length - 24 + (4 * i)), 3e38f);
            }

            File.WriteAllBytes(Path.Combine(directory, "big.safetensors"), bytes);
        }

        string input = Write(directory, "rows.csv", "a,b\n1,1\n");
        Cli.Result result = Cli.Run("predict", "--model", Path.Combine(directory, "big.safetensors"), "--input", input);
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("can reach 6E+38 with every feature within ±1, beyond the float range (±3.4E+38): the weights cannot give finite outputs", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void ColumnsAreMatchedByNameNotPosition()
    {
        // The issue: trained with --label 0, predict on the same file without --label fed the label in as a feature.
        string directory = Cli.TemporaryDirectory();
        var text = new StringBuilder("kind,x,y,z\n");
        var random = new Random(2);
        for (int i = 0; i < 300; i++)
        {
            int k = i % 3;
            text.Append(CultureInfo.InvariantCulture, $"{k},{k + random.NextDouble():F3},{(2 - k) + random.NextDouble():F3},{random.NextDouble():F3}\n");
        }

        string data = Write(directory, "labelled.csv", text.ToString());
        string model = Path.Combine(directory, "m.safetensors");
        Assert.Equal(0, Cli.Run("train", "--data", data, "--label", "0", "--epochs", "20", "--out", model, "--quiet").ExitCode);

        string expected = Cli.Run("predict", "--model", model, "--input", data, "--label", "kind").Output;
        Cli.Result plain = Cli.Run("predict", "--model", model, "--input", data);
        Assert.True(plain.ExitCode == 0, plain.ToString());
        Assert.Equal(expected, plain.Output);

        // The same columns in another order give the same predictions; a stray column or a missing one is an error.
        string[] lines = text.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        string reordered = Write(directory, "reordered.csv", string.Join('\n', lines.Select(l => { string[] f = l.Split(','); return $"{f[3]},{f[1]},{f[0]},{f[2]}"; })) + "\n");
        Assert.Equal(expected, Cli.Run("predict", "--model", model, "--input", reordered).Output);
        string stray = Write(directory, "stray.csv", "x,y,z,id\n1,2,3,4\n");
        Cli.Result strayResult = Cli.Run("predict", "--model", model, "--input", stray);
        Assert.Equal(1, strayResult.ExitCode);
        Assert.Contains("line 1, column 7: the column 'id' is not one of the model's 3 features nor its label column 'kind'", strayResult.Error, StringComparison.Ordinal);
        string missing = Write(directory, "missing.csv", "x,z\n1,3\n");
        Assert.Contains("no column is named 'y', the model's feature 1", Cli.Run("predict", "--model", model, "--input", missing).Error, StringComparison.Ordinal);

        // evaluate matches columns by name too: the reordered file scores as the original.
        double Accuracy(string file) => Cli.Run("evaluate", "--model", model, "--data", file, "--json").JsonLines()[0].GetProperty("accuracy").GetDouble();
        Assert.Equal(Accuracy(data), Accuracy(reordered));
        Assert.Equal(1, Cli.Run("evaluate", "--model", model, "--data", stray).ExitCode);
    }

    [Fact]
    public void ANamedModelOnUnnamedLabelsNeedsToBeToldHowTheyMap()
    {
        // The issue: a model with class names evaluated on IDX data reported accuracy 0.1009, exit 0.
        string directory = Cli.TemporaryDirectory();
        string csv = Path.Combine(directory, "digits.csv");
        string[] names = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"];
        Dataset mnist = Idx.LoadDirectory(Cli.MnistDirectory());
        var text = new StringBuilder(string.Join(',', Enumerable.Range(0, 784).Select(j => $"p{j}")) + ",digit\n");
        for (int i = 0; i < 2000; i++)
        {
            text.AppendJoin(',', mnist.Row(i).ToArray().Select(v => v.ToString("0.###", CultureInfo.InvariantCulture))).Append(',').Append(names[mnist.Labels[i]]).Append('\n');
        }

        File.WriteAllText(csv, text.ToString());
        string model = Path.Combine(directory, "named.safetensors");
        Assert.Equal(0, Cli.Run("train", "--data", csv, "--epochs", "3", "--out", model, "--quiet").ExitCode);

        Cli.Result refused = Cli.Run("evaluate", "--model", model, "--data", Cli.MnistDirectory());
        Assert.Equal(1, refused.ExitCode);
        Assert.Contains("label 0: the class '7' is not one the model knows; its classes are eight, five, four, nine, one, seven, six, three, two, zero. The data's labels are numbers and the model's classes have names: pass --match-classes index", refused.Error, StringComparison.Ordinal);

        // Said how: label k is class k — here wrong on purpose (the names sort alphabetically), and reported as such.
        Cli.Result byIndex = Cli.Run("evaluate", "--model", model, "--data", Cli.MnistDirectory(), "--match-classes", "index", "--json");
        Assert.True(byIndex.ExitCode == 0, byIndex.ToString());
        Assert.True(byIndex.JsonLines()[0].GetProperty("accuracy").GetDouble() < 0.5);
    }

    [Fact]
    public void LabelsThatAreNotUtf8AreRefusedNotMerged()
    {
        // "café" in UTF-8 and "cafè" in Latin-1 became one class (U+FFFD) without a word.
        string directory = Cli.TemporaryDirectory();
        string data = Path.Combine(directory, "latin1.csv");
        File.WriteAllBytes(data, [.. "x,label\n1,café\n"u8.ToArray(), .. "2,caf"u8.ToArray(), 0xE8, (byte)'\n']);
        Cli.Result result = Cli.Run("train", "--data", data, "--quiet");
        Assert.Equal(1, result.ExitCode);
        Assert.Contains($"'{data}', line 3, column 6: the byte 0xE8", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void ClassNamesAreEscapedOnOutput()
    {
        // A label holding an ANSI escape and a line break must not recolor the terminal or fake an extra row.
        string directory = Cli.TemporaryDirectory();
        var text = new StringBuilder("x,label\n");
        for (int i = 0; i < 60; i++)
        {
            text.Append(CultureInfo.InvariantCulture, $"{i % 2},{(i % 2 == 0 ? "\"\u001b[31mred\"" : "\"two\nlines\"")}\n");
        }

        string data = Write(directory, "names.csv", text.ToString());
        string model = Path.Combine(directory, "m.safetensors");
        Cli.Result train = Cli.Run("train", "--data", data, "--epochs", "5", "--out", model);
        Assert.True(train.ExitCode == 0, train.ToString());
        Assert.DoesNotContain('\u001b', train.Output);
        Assert.Contains("\\u001B[31mred", train.Output, StringComparison.Ordinal);

        Cli.Result predict = Cli.Run("predict", "--model", model, "--input", Write(directory, "rows.csv", "x\n0\n1\n"));
        string[] lines = predict.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, lines.Length);
        Assert.Equal("class \\u001B[31mred two\\u000Alines", lines[0]); // the header names the classes, escaped too
        Assert.StartsWith("\\u001B[31mred ", lines[1], StringComparison.Ordinal);
        Assert.StartsWith("two\\u000Alines ", lines[2], StringComparison.Ordinal);
    }

    [Fact]
    public void PredictWritesEachRowBeforeReadingTheNext()
    {
        // The issue: predict --input - held every row (memory growing 110 MB/s) and printed nothing until the end.
        var (_, model, _) = Trained();
        using var output = new StringWriter();
        using var error = new StringWriter();
        int reads = 0;
        var input = new CallbackStream(() =>
        {
            reads++;
            return reads switch
            {
                1 => "x,y\n0,0\n"u8.ToArray(),
                2 => Before(output, 2, "6,0\n"u8.ToArray()), // the header and the first row's line are out before the second row is read
                _ => [],
            };
        });
        var context = new CliContext(output, error, false, CancellationToken.None) { OpenInput = () => input };
        Assert.Equal(0, CommandLine.Run(["predict", "--model", model, "--input", "-"], context));
        Assert.Equal(3, output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);

        static byte[] Before(StringWriter output, int lines, byte[] next)
        {
            Assert.Equal(lines, output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
            return next;
        }
    }

    [Fact]
    public void ManyClassesTrainAndReportWithoutASquareTable()
    {
        // 20,000 distinct labels: the dense confusion matrix would be 400 million cells (the issue's 50,000 crashed).
        string directory = Cli.TemporaryDirectory();
        var text = new StringBuilder("x,label\n");
        for (int i = 0; i < 20_000; i++)
        {
            text.Append(CultureInfo.InvariantCulture, $"{i % 10},c{i}\n");
        }

        string data = Write(directory, "many.csv", text.ToString());
        long before = GC.GetAllocatedBytesForCurrentThread();
        Cli.Result result = Cli.Run("train", "--data", data, "--epochs", "1", "--validation", "0", "--json");
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.True(allocated < 400L << 20, $"allocated {allocated:N0} bytes (a dense table alone is 1.6 GB)");

        Cli.Result text2 = Cli.Run("train", "--data", data, "--epochs", "1", "--validation", "0", "--quiet");
        Assert.Contains("20,000 classes: the per-class table is left out", text2.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void AGzipBombIsRefusedBeforeTraining()
    {
        string directory = Cli.TemporaryDirectory();
        WriteGzip(Path.Combine(directory, "bomb-images-idx3-ubyte.gz"), [0, 0, 8, 3, 0, 3, 0x0D, 0x40, 0, 0, 0, 28, 0, 0, 0, 28], 200_000 * 784);
        WriteGzip(Path.Combine(directory, "bomb-labels-idx1-ubyte.gz"), [0, 0, 8, 1, 0, 3, 0x0D, 0x40], 200_000);
        Cli.Result result = Cli.Run("train", "--data", directory, "--quiet");
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("which no image data compresses to (a gzip bomb?)", result.Error, StringComparison.Ordinal);
        Assert.Contains("--max-compression-ratio", result.Error, StringComparison.Ordinal);
    }

    private static void WriteGzip(string path, byte[] header, int zeros)
    {
        using var gzip = new GZipStream(File.Create(path), CompressionLevel.SmallestSize);
        gzip.Write(header);
        byte[] block = new byte[1 << 20];
        for (int left = zeros; left > 0; left -= block.Length)
        {
            gzip.Write(block, 0, Math.Min(left, block.Length));
        }
    }

    /// <summary>A stream whose every read returns the next bytes <paramref name="next"/> gives (empty for the end).</summary>
    private sealed class CallbackStream(Func<byte[]> next) : Stream
    {
        private byte[] _pending = [];
        private int _used;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count)
        {
            if (_used == _pending.Length)
            {
                _pending = next();
                _used = 0;
            }

            int n = Math.Min(count, _pending.Length - _used);
            _pending.AsSpan(_used, n).CopyTo(buffer.AsSpan(offset));
            _used += n;
            return n;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
