using System.Globalization;
using System.Text;
using FsCheck;
using FsCheck.Fluent;
using Native.Numerics;
using Native.Tests.Support;

namespace Native.Tests.Data.Tables;

/// <summary>
/// The fast paths of <see cref="Table.Read(Stream, TableOptions?, string?)"/> against their plain twins: a field's small
/// integer read as one word (SWAR) against the loop over its characters, whatever follows the field; and the
/// standardizer's statistics by vectors across a row's features against the scalar loop and
/// <see cref="Standardizer.Fit(Dataset)"/>, bit for bit, on tables wide enough to take the vectors.
/// </summary>
public sealed class TableReadPathTests
{
    /// <summary>Characters a field holds: digits most, then the characters around them in the code table and beyond.</summary>
    private static readonly char[] Characters = ['0', '1', '5', '9', '0', '7', '/', ':', '.', '-', '+', ' ', 'e', 'A', '\u0660', '\u0667', '\uFF10', '\u0130', '\u00B2', '\0', '\u3030', '\uFFFF'];

    [Fact]
    public void SmallIntegerAsAWordIsSmallIntegerCharacterByCharacter()
    {
        // A field of 0 to 6 characters, then 4 characters of whatever follows it in the record or the reader's slack.
        Gen<char[]> fields = from length in Gen.Choose(0, 6) from chars in Gen.ArrayOf(Gen.Elements(Characters), length + 4) select chars;
        Properties.ForAll(fields, chars =>
        {
            int length = chars.Length - 4;
            bool expected = ColumnReading.SmallInteger(chars.AsSpan(0, length), out int expectedValue);
            bool actual = ColumnReading.SmallIntegerWithSlack(in chars[0], length, out int value);
            Assert.Equal(expected, actual);
            Assert.Equal(expectedValue, value);
        }, tests: 20_000);

        // Every canonical integer 0–9999 and its neighbours with a leading zero, each before a separator.
        for (int n = 0; n <= 10_000; n++)
        {
            foreach (string text in new[] { n.ToString(CultureInfo.InvariantCulture), "0" + n.ToString(CultureInfo.InvariantCulture) })
            {
                char[] chars = (text + ",9999").ToCharArray();
                Assert.Equal(ColumnReading.SmallInteger(text, out int expected), ColumnReading.SmallIntegerWithSlack(in chars[0], text.Length, out int value));
                Assert.Equal(expected, value);
            }
        }
    }

    /// <summary>Wide tables: number columns (some with blanks, some constant, some of decimals) beside category columns, 8 to 70 features.</summary>
    private static Gen<string> WideTables =>
        from numbers in Gen.Choose(6, 40)
        from categories in Gen.Choose(0, 4)
        from rows in Gen.Choose(1, 700)
        from seed in Gen.Choose(0, int.MaxValue)
        select WideTable(numbers, categories, rows, seed);

    private static string WideTable(int numbers, int categories, int rows, int seed)
    {
        var random = new Random(seed);
        var text = new StringBuilder();
        text.AppendJoin(',', Enumerable.Range(0, numbers).Select(j => $"n{j}").Concat(Enumerable.Range(0, categories).Select(j => $"c{j}"))).Append(",label\n");
        for (int i = 0; i < rows; i++)
        {
            for (int j = 0; j < numbers; j++)
            {
                string value = (j % 5) switch
                {
                    0 => random.Next(256).ToString(CultureInfo.InvariantCulture),
                    1 => random.Next(4) == 0 ? "" : (random.NextDouble() * 1000 - 500).ToString("R", CultureInfo.InvariantCulture),
                    2 => "7",
                    3 => random.Next(3) == 0 ? "-0" : "0",
                    _ => (random.Next(-100_000, 100_000) * 1e-3).ToString("R", CultureInfo.InvariantCulture),
                };
                text.Append(value).Append(',');
            }

            for (int j = 0; j < categories; j++)
            {
                text.Append(random.Next(5) == 0 ? "" : ((char)('a' + random.Next(6))).ToString()).Append(',');
            }

            text.Append(random.Next(2) == 0 ? "yes" : "no").Append('\n');
        }

        return text.ToString();
    }

    [Fact]
    public void TheStandardizerByVectorsIsTheScalarOneAndTheRowsOneBitForBit()
    {
        int vectorized = 0;
        Properties.ForAll(WideTables, text =>
        {
            var options = new TableOptions { LabelColumns = ["label"], MaxCategories = 4 };
            TableData byVectors = Table.Read(new MemoryStream(Encoding.UTF8.GetBytes(text)), options, "wide.csv", vectorized: true);
            TableData byScalars = Table.Read(new MemoryStream(Encoding.UTF8.GetBytes(text)), options, "wide.csv", vectorized: false);
            Standardizer rows = Standardizer.Fit(byVectors.Data);
            Standardizer fitted = byVectors.Pipeline.Standardizer!;
            Standardizer scalar = byScalars.Pipeline.Standardizer!;
            vectorized += Dataset.RowStride(byVectors.Pipeline.Features) % System.Numerics.Vector<float>.Count == 0 ? 1 : 0;
            Assert.Equal(Bits(scalar.Means), Bits(fitted.Means));
            Assert.Equal(Bits(scalar.StandardDeviations), Bits(fitted.StandardDeviations));
            foreach (PipelineColumn column in byVectors.Pipeline.Columns.Where(column => column.Kind == ColumnKind.Number))
            {
                Assert.Equal(BitConverter.SingleToInt32Bits(rows.Means[column.Offset]), BitConverter.SingleToInt32Bits(fitted.Means[column.Offset]));
                Assert.Equal(BitConverter.SingleToInt32Bits(rows.StandardDeviations[column.Offset]), BitConverter.SingleToInt32Bits(fitted.StandardDeviations[column.Offset]));
            }
        }, tests: 60);

        // Most of the cases take the vector loop (a stride of whole vectors).
        Assert.True(vectorized > 30, $"vectorized {vectorized} of 60");
    }

    private static int[] Bits(ReadOnlySpan<float> values) => [.. values.ToArray().Select(BitConverter.SingleToInt32Bits)];
}
