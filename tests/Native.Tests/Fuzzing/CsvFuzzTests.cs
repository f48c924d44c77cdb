using System.Text;
using Native.Numerics;
using Xunit.Abstractions;

namespace Native.Tests.Fuzzing;

/// <summary>
/// Mutants of valid CSV files: byte-level damage anywhere (including invalid UTF-8 and binary garbage), and
/// damage that knows the format — separators, quotes, line breaks, non-finite and overflowing numbers,
/// byte-order marks, NUL characters and long fields inserted or substituted; lines deleted, duplicated or
/// swapped.
/// </summary>
public sealed class CsvFuzzTests(ITestOutputHelper output)
{
    private static readonly string[] Tokens =
    [
        ",", ";", "\t", "\"", "\"\"", "\n", "\r\n", "\r", "NaN", "Infinity", "-inf", "∞", "1e40", "-1e39", "1e-50", "abc", "\uFEFF", "\0", " ",
        "0x10", "1,5", "", "species", "setosa", "label", "3", "-0", "+7", "1.2.3", "€", "\ud800", "9999999999999999999999", "1e", ".",
        new string('7', 300), new string('x', 5000), "\"a\nb\"", "\",\"",
    ];

    private static readonly (string Text, CsvOptions? Options)[] Seeds =
    [
        ("sepal_length,sepal_width,petal_length,species\n5.1,3.5,1.4,setosa\n4.9,3.0,1.4,setosa\n7.0,3.2,4.7,versicolor\n6.4,3.2,4.5,versicolor\n6.3,3.3,6.0,virginica\n5.8,2.7,5.1,virginica\n", null),
        ("\uFEFFa,b,c,digit\r\n0,0.5,1,7\r\n1,0.25,0,3\r\n0,0.125,1,7\r\n1,1e-3,0,10\r\n", null),
        ("\"x, first\",\"y \"\"second\"\"\",target\n1.5,-2.25e1,0.5\n\"3\",4,1.25\n-5,6E2,-3.5\n", null),
        ("label;f1;f2\nyes;1.5;2\nno;3;4\nyes;5;-6\n", new CsvOptions { Separator = ';', LabelColumn = "label" }),
        ("y,a,b\n1,2,3\n4,5,6\n7,8,9\n", new CsvOptions { LabelIndex = 0, Labels = CsvLabels.Regression }),
        ("a,b,class\n1,2,0\n3,4,1\n", new CsvOptions { Labels = CsvLabels.Classification }),
    ];

    /// <summary>
    /// A dataset pads each row to a 64-byte cache line, and a CSV row can be 4 bytes ("1,0\n"): with the
    /// features buffer, the labels and the per-row class ids, a file of tiny rows needs about 25 bytes per byte
    /// of text. Memory stays proportional to the data; the factor is this format's.
    /// </summary>
    private const long AllocationFactor = 40;

    [Fact]
    public void EveryMutantLoadsOrIsRefusedWithFileFormatException() =>
        Fuzzer.Run("CSV", output, Mutate, Load, Verify, AllocationFactor);

    [Fact]
    public void TheSeedsLoad()
    {
        foreach ((string text, CsvOptions? options) in Seeds)
        {
            Assert.True(Csv.Read(new MemoryStream(Encoding.UTF8.GetBytes(text)), options).Count >= 2);
        }
    }

    private static Dataset Load(Mutant mutant)
    {
        using Stream stream = mutant.Open();
        return Csv.Read(stream, Seeds[mutant.Tag].Options, "mutant.csv");
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
            Assert.Equal(data.Classes, data.ClassNames.Count);
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
        string text = Seeds[seed].Text;
        var steps = new List<string> { $"seed {seed}" };
        if (random.Next(100) == 0)
        {
            // Pure binary garbage.
            byte[] garbage = new byte[random.Next(4096)];
            random.NextBytes(garbage);
            return new Mutant(garbage, $"{garbage.Length} random bytes", random.Next(4) != 0, garbage.Length, seed);
        }

        for (int rounds = 1 + random.Next(3); rounds > 0; rounds--)
        {
            string step;
            string[] lines = text.Split('\n');
            switch (random.Next(6))
            {
                case 0:
                case 1:
                case 2:
                    text = Mutations.InsertToken(text, random, Tokens[random.Next(Tokens.Length)], out step);
                    break;
                case 3:
                    {
                        int line = random.Next(lines.Length);
                        step = $"line {line + 1} deleted";
                        text = string.Join('\n', lines.Where((_, i) => i != line));
                        break;
                    }

                case 4:
                    {
                        int line = random.Next(lines.Length), to = random.Next(lines.Length);
                        step = $"line {line + 1} copied before line {to + 1}";
                        var list = lines.ToList();
                        list.Insert(to, lines[line]);
                        text = string.Join('\n', list);
                        break;
                    }

                default:
                    {
                        int a = random.Next(lines.Length), b = random.Next(lines.Length);
                        step = $"lines {a + 1} and {b + 1} swapped";
                        (lines[a], lines[b]) = (lines[b], lines[a]);
                        text = string.Join('\n', lines);
                        break;
                    }
            }

            steps.Add(step);
        }

        byte[] bytes = Encoding.UTF8.GetBytes(text);
        for (int rounds = random.Next(10) < 6 ? 0 : 1 + random.Next(2); rounds > 0; rounds--)
        {
            (bytes, string step) = Mutations.Any(random, bytes);
            steps.Add(step);
        }

        return new Mutant(bytes, string.Join("; ", steps), random.Next(4) != 0, bytes.Length, seed);
    }
}
