using System.Globalization;
using System.Text;
using FsCheck;
using FsCheck.Fluent;
using Native.Numerics;
using Native.Tests.Support;

namespace Native.Tests.Data.Tables;

/// <summary>
/// A column read with its small integers tracked by value ("0" to "9999", canonical) and its inline paths (known small
/// integers, texts and numbers) gives what the dictionary of texts alone gives — ids, texts, counts, numbers, limits — for any mix of canonical and other integer texts, words and blanks;
/// and a column that meets a word late still has every earlier text exactly.
/// </summary>
public sealed class ColumnReadingTests
{
    /// <summary>Texts that read as integers but are not canonical: each its own category, never its value's.</summary>
    private static readonly string[] OtherIntegers = ["07", "007", "00", "7.0", "+7", "-7", "-0", "1e3", "2e2", "10000", "99999", " 7", "7 ", "0.0", "1E1"];

    private static readonly string[] Words = ["A", "b", "seven", "NA", "x7", "٧"];

    /// <summary>One field: a canonical integer (few distinct, or many), a decimal, another integer text, a word, a blank or a token.</summary>
    private static Gen<string> Field(int range, int words) =>
        Gen.Frequency(
            (12, Gen.Choose(0, range).Select(value => value.ToString(CultureInfo.InvariantCulture))),
            (4, Gen.Choose(0, range).Select(value => (value / 100.0).ToString("0.0#", CultureInfo.InvariantCulture))),
            (3, Gen.Elements(OtherIntegers)),
            (words, Gen.Elements(Words)),
            (1, Gen.Elements("", "  ")));

    /// <summary>Two columns sharing one budget: their fields, row by row, the limits, the tokens and the kinds told.</summary>
    private sealed record Case(string[][] Rows, int MaxValues, long MaxCharacters, string[] Tokens, ColumnKind?[] Told)
    {
        public override string ToString() =>
            string.Create(CultureInfo.InvariantCulture, $"{Rows.Length} rows, budget {MaxValues} values / {MaxCharacters} characters, tokens [{string.Join(",", Tokens)}], told [{string.Join(",", Told)}]; first rows: {string.Join(" | ", Rows.Take(12).Select(row => string.Join(",", row)))}");
    }

    /// <summary>Any mix; one case in three a pair of long number columns of many distinct values (measurements, maybe a late word).</summary>
    private static Gen<Case> Cases =>
        from wide in Gen.Elements(false, false, true)
        from range in wide ? Gen.Constant(12_000) : Gen.Elements(9, 300, 9999, 12_000)
        from words in wide ? Gen.Constant(0) : Gen.Elements(0, 0, 1, 4)
        from length in wide ? Gen.Constant(12_000) : Gen.Elements(1, 40, 600, 12_000)
        from first in Gen.ArrayOf(Field(range, words), length)
        from second in Gen.ArrayOf(Field(range, words), length)
        from lateWord in Gen.Elements(false, true)
        from maxValues in wide ? Gen.Elements(9000, 1 << 20) : Gen.Elements(3, 50, 5000, 1 << 20)
        from maxCharacters in wide ? Gen.Constant(1L << 25) : Gen.Elements(10L, 400L, 1L << 25)
        from tokens in Gen.Elements<string[]>([], ["NA"], ["7", "NA"])
        from told in Gen.ArrayOf(wide ? Gen.Constant<ColumnKind?>(null) : Gen.Elements<ColumnKind?>(null, null, ColumnKind.Category), 2)
        select new Case(
            [.. first.Zip(second, (a, b) => new[] { a, b }).Concat(lateWord ? [["late word", "9"]] : [])],
            maxValues,
            maxCharacters,
            tokens,
            told);

    [Fact]
    public void ByValueAndByDictionaryGiveTheSameColumn()
    {
        int categories = 0, measurements = 0, overflows = 0;
        Properties.ForAll(Cases, c =>
        {
            ColumnReading[] byValue = Read(c, smallIntegersByValue: true);
            ColumnReading[] byText = Read(c, smallIntegersByValue: false);
            for (int j = 0; j < 2; j++)
            {
                AssertSame(byText[j], byValue[j]);
                categories += byValue[j].AllNumbers ? 0 : 1;
                measurements += byValue[j].AllNumbers && byValue[j].Ids is null && byValue[j].Told is null ? 1 : 0;
                overflows += byValue[j].Overflowed ? 1 : 0;
            }
        });

        // The cases reach the paths that matter: columns that became categories, measurements, and limits met.
        Assert.True(categories > 20 && measurements > 5 && overflows > 5, $"categories {categories}, measurements {measurements}, overflows {overflows}");
    }

    [Fact]
    public void TextIdsFindWhatADictionaryFinds()
    {
        // Texts of every length around the hash's 4-character steps, near misses among them, many enough to grow the table.
        Gen<string> texts = Gen.Frequency(
            (3, Gen.Elements(Words.Concat(OtherIntegers).Concat(["", "abcd", "abcde", "abcdefgh", "abcdefghi", "abcd\0", "ABCD"]).ToArray())),
            (2, Gen.Choose(0, 3000).Select(value => value.ToString("x", CultureInfo.InvariantCulture))),
            (1, from length in Gen.Choose(0, 20) from chars in Gen.ArrayOf(Gen.Elements('a', 'b', 'é', '\0', '\uD83D', '\uDE00'), length) select new string(chars)));
        Gen<string[]> lists = from count in Gen.Choose(1, 3000) from all in Gen.ArrayOf(texts, count) select all;
        Properties.ForAll(lists, all =>
        {
            var table = new TextIds();
            var expected = new Dictionary<string, int>(StringComparer.Ordinal);
            foreach (string text in all)
            {
                bool found = table.TryGetValue(text.AsSpan(), out int id);
                Assert.Equal(expected.TryGetValue(text, out int expectedId), found);

                // The same text with characters after it (a field in its record, the reader's slack): the same answer.
                string field = text + "x\0é,abcdefgh"[..(text.Length % 12)];
                Assert.Equal(found, table.TryGetValue(field.AsSpan(), text.Length, out int slackId));
                Assert.Equal(found ? id : -1, slackId);
                if (found)
                {
                    Assert.Equal(expectedId, id);
                }
                else
                {
                    expected.Add(text, expected.Count);
                    table.Add(text, expected.Count - 1);
                }
            }

            Assert.Equal(expected.Count, table.Count);
            Assert.Equal(expected.OrderBy(pair => pair.Value).Select(pair => (pair.Key, pair.Value)), table.Pairs().OrderBy(pair => pair.Id));
        });
    }

    [Fact]
    public void SmallIntegerIsTheCanonicalTextOfItsValue()
    {
        Properties.ForAll(Gen.Choose(-20, 12_000), value =>
        {
            string text = value.ToString(CultureInfo.InvariantCulture);
            bool small = ColumnReading.SmallInteger(text, out int read);
            Assert.Equal(value is >= 0 and <= ColumnReading.SmallIntegerLimit, small);
            Assert.Equal(small ? value : 0, read);
        });

        foreach (string text in OtherIntegers.Concat(["", "0x1", "1.", ".5", "12345", "١٢"]))
        {
            Assert.False(ColumnReading.SmallInteger(text, out _), text);
        }
    }

    [Fact]
    public void AWordAfterTenThousandNumbersKeepsEveryEarlierTextExactly()
    {
        // 10,000 rows of integer texts, canonical and not, 300 or so distinct (under the undecided limit), then a word.
        var random = new Random(22);
        string[] texts = [.. Enumerable.Range(0, 10_000).Select(_ => random.Next(5) switch
        {
            0 => OtherIntegers[random.Next(OtherIntegers.Length)],
            1 => random.Next(10).ToString(CultureInfo.InvariantCulture),
            _ => random.Next(250, 550).ToString(CultureInfo.InvariantCulture),
        }), "word", "7", "07"];
        var csv = new StringBuilder("code,label\n");
        for (int i = 0; i < texts.Length; i++)
        {
            csv.Append(TablePropertyTests.Quote(texts[i], ',')).Append(',').Append(i % 2 == 0 ? "yes" : "no").Append('\n');
        }

        TableData table = TableTestData.Read(csv.ToString(), new TableOptions { MaxCategories = 1000, Standardize = false });
        PipelineColumn code = Assert.Single(table.Pipeline.Columns);
        Assert.Equal(ColumnKind.Category, code.Kind);
        Assert.False(code.HasOther);
        string[] distinct = [.. texts.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];
        Assert.Equal(distinct, code.Categories);
        float[] row = new float[table.Pipeline.Features];
        for (int i = 0; i < texts.Length; i++)
        {
            table.Data.Row(i).CopyTo(row);
            int slot = Array.IndexOf(distinct, texts[i]);
            Assert.Equal(1f, row[slot]);
            Assert.Equal(1f, row.Sum());
        }
    }

    [Fact]
    public void TheStandardizerIsTheOneFittedToTheRowsBitForBit()
    {
        Properties.ForAll(TablePropertyTests.Tables, table =>
        {
            TableData data;
            try
            {
                data = TableTestData.Read(table.Text, table.Options);
            }
            catch (FileFormatException)
            {
                return;
            }

            if (data.Pipeline.Standardizer is not Standardizer fitted)
            {
                return;
            }

            Standardizer expected = Standardizer.Fit(data.Data);
            foreach (PipelineColumn column in data.Pipeline.Columns.Where(column => column.Kind == ColumnKind.Number))
            {
                Assert.Equal(BitConverter.SingleToInt32Bits(expected.Means[column.Offset]), BitConverter.SingleToInt32Bits(fitted.Means[column.Offset]));
                Assert.Equal(BitConverter.SingleToInt32Bits(expected.StandardDeviations[column.Offset]), BitConverter.SingleToInt32Bits(fitted.StandardDeviations[column.Offset]));
            }
        });
    }

    private static ColumnReading[] Read(Case c, bool smallIntegersByValue)
    {
        var budget = new TableVocabularyBudget(c.MaxValues, c.MaxCharacters);
        ColumnReading[] columns = [.. Enumerable.Range(0, 2).Select(j => new ColumnReading($"c{j}", j, c.Told[j], budget, c.Tokens, decimalComma: false, smallIntegersByValue: smallIntegersByValue))];
        var records = new CsvRecordReader(new MemoryStream([]), "table.csv", new CsvOptions());
        foreach (string[] row in c.Rows)
        {
            for (int j = 0; j < 2; j++)
            {
                // As the table's reading does: the inline path first, then the whole one.
                if (!columns[j].TryAddKnownSmall(row[j]) && !columns[j].TryAddKnownText(row[j], row[j].Length) && !columns[j].TryAddKnownNumber(row[j], row[j].Length))
                {
                    columns[j].Add(row[j], records, "table.csv");
                }
            }
        }

        return columns;
    }

    private static void AssertSame(ColumnReading expected, ColumnReading actual)
    {
        Assert.Equal(expected.ToString(), actual.ToString());
        Assert.Equal(expected.AllNumbers, actual.AllNumbers);
        Assert.Equal(expected.AllIntegers, actual.AllIntegers);
        Assert.Equal(expected.Present, actual.Present);
        Assert.Equal(expected.Missing, actual.Missing);
        Assert.Equal(expected.Others, actual.Others);
        Assert.Equal(expected.Overflowed, actual.Overflowed);
        Assert.Equal(expected.LoneText, actual.LoneText);
        Assert.Equal(expected.FirstNonFinite, actual.FirstNonFinite);
        Assert.Equal(expected.Distinct, actual.Distinct);
        Assert.Equal(expected.Counts, actual.Counts);
        Assert.Equal(expected.Texts(), actual.Texts());
        Assert.Equal(All(expected.Ids), All(actual.Ids));
        Assert.Equal(All(expected.Values)?.Select(BitConverter.SingleToInt32Bits), All(actual.Values)?.Select(BitConverter.SingleToInt32Bits));
    }

    private static T[]? All<T>(ChunkedList<T>? list)
        where T : unmanaged =>
        list is null ? null : [.. Enumerable.Range(0, list.Count).Select(i => list[i])];
}
