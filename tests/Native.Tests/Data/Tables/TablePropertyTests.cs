using System.Globalization;
using System.Text;
using FsCheck;
using FsCheck.Fluent;
using Native.Numerics;
using Native.Tests.Support;

namespace Native.Tests.Data.Tables;

/// <summary>
/// Properties of every table: a table read back encodes each of its rows exactly as the pipeline encodes that row's
/// record set value by value, and no row — blanks, unseen categories, missing tokens — ever encodes to NaN.
/// </summary>
public sealed class TablePropertyTests
{
    private static readonly string[] Words = ["A", "B", "b", " B", "7", "007", "x,y", "say \"hi\"", "é", "NA", "?", "line\nbreak", "\u0007bell"];

    /// <summary>A random table: its text, its fields (as a writer meant them), and the options to read it with.</summary>
    internal sealed record TableCase(string Text, string[][] Records, TableOptions Options, char Delimiter)
    {
        public override string ToString() => $"{Records.Length} rows, delimiter U+{(int)Delimiter:X4}, options max {Options.MaxCategories}, tokens [{string.Join(",", Options.MissingTokens)}]:\n{Text}";
    }

    private static readonly float[] Scales = [1f, 0.01f, 1000f, 1e-5f];

    private static readonly string[] MissingTexts = ["NA", "?", "never seen", "\u001b[2J", "", "   "];

    /// <summary>
    /// Field <paramref name="r"/> of a column of <paramref name="kind"/>: numbers with blanks and tokens (0), words from a
    /// small set, some that look like numbers (1), digits with the odd word (2), or small integers with the odd malformed
    /// or long one (3).
    /// </summary>
    /// <summary>Integers as they come, well formed or not: the small-integer reader's cases (quoted when they hold the delimiter or a quote).</summary>
    private static readonly string[] Integers = ["0", "7", "12", "255", "9999", "10000", "07", "00", "-3", "+3", " 12", "12 ", "12\"", "1,5", "3e2", "1.0", "٣", "１２", new string('9', 40), "1" + new string('0', 300)];

    private static string Field(int kind, int r, bool decimalComma) => kind switch
    {
        3 => r % 5 == 0 ? Integers[r % Integers.Length] : (r % 256).ToString(CultureInfo.InvariantCulture),
        0 => (r % 9) switch
        {
            0 => "",
            1 => "NA",
            2 => "  ",
            _ => FormatNumber((r % 200_001 - 100_000) * Scales[r % Scales.Length], decimalComma),
        },
        1 => r % 9 == 0 ? "" : Words[r % Words.Length],
        _ => (r % 7) switch
        {
            0 => "",
            1 => "A",
            2 => "B",
            _ => ((r % 3) + 1).ToString(CultureInfo.InvariantCulture),
        },
    };

    private static string FormatNumber(float value, bool decimalComma)
    {
        string text = value.ToString("R", CultureInfo.InvariantCulture);
        return decimalComma ? text.Replace('.', ',') : text;
    }

    internal static Gen<TableCase> Tables =>
        from decimalComma in Gen.Elements(false, false, true)
        from delimiter in decimalComma ? Gen.Elements(';', '\t') : Gen.Elements(',', ';', '\t', '|')
        from columns in Gen.Choose(1, 5)
        from kinds in Gen.ArrayOf(Gen.Choose(0, 3), columns)
        from rows in Gen.Choose(2, 40)
        from draws in Gen.ArrayOf(Gen.ArrayOf(Gen.Choose(0, int.MaxValue), columns), rows)
        let records = draws.Select(draw => draw.Select((r, c) => Field(kinds[c], r, decimalComma)).ToArray()).ToArray()
        from labels in Gen.ArrayOf(Gen.Elements("yes", "no"), rows)
        from maxCategories in Gen.Choose(1, 6)
        from tokens in Gen.Elements<string[]>([], ["NA"], ["NA", "?"])
        from indicators in Gen.Elements(false, true)
        from median in Gen.Elements(false, true)
        from standardize in Gen.Elements(false, true)
        from unknown in Gen.Elements(UnknownCategories.Ignore, UnknownCategories.Error)
        from crlf in Gen.Elements(false, true)
        select Make(records, labels, delimiter, crlf, new TableOptions
        {
            Delimiter = delimiter,
            DecimalComma = decimalComma,
            MissingTokens = tokens,
            MaxCategories = maxCategories,
            MissingIndicators = indicators,
            Imputation = median ? Imputation.Median : Imputation.Mean,
            Standardize = standardize,
            UnknownCategories = unknown,
            Labels = CsvLabels.Classification,
        });

    private static TableCase Make(string[][] records, string[] labels, char delimiter, bool crlf, TableOptions options)
    {
        labels[0] = "yes";
        labels[^1] = "no";
        string newline = crlf ? "\r\n" : "\n";
        var text = new StringBuilder();
        int columns = records[0].Length;
        text.AppendJoin(delimiter, Enumerable.Range(0, columns).Select(c => $"c{c}").Append("label")).Append(newline);
        foreach ((string[] record, string label) in records.Zip(labels))
        {
            text.AppendJoin(delimiter, record.Select(field => Quote(field, delimiter)).Append(label)).Append(newline);
        }

        return new TableCase(text.ToString(), records, options, delimiter);
    }

    /// <summary>A field as a CSV writer writes it: quoted when it holds the delimiter, a quote or a line break.</summary>
    internal static string Quote(string field, char delimiter) =>
        field.IndexOfAny([delimiter, '"', '\n', '\r']) >= 0 ? "\"" + field.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : field;

    [Fact]
    public void EveryRowReadEncodesAsItsRecordSetValueByValue()
    {
        int read = 0, refused = 0, others = 0, missingSlots = 0, numbers = 0;
        Properties.ForAll(Tables, table =>
        {
            TableData data;
            try
            {
                data = TableTestData.Read(table.Text, table.Options);
            }
            catch (FileFormatException e) when (e.Message.Contains("no column is left to learn from", StringComparison.Ordinal))
            {
                refused++;
                return; // every column blank, or all distinct words: refused, as it must be
            }

            FeaturePipeline pipeline = data.Pipeline;
            read++;
            others += pipeline.Columns.Count(column => column.HasOther);
            missingSlots += pipeline.Columns.Count(column => column.HasMissingSlot);
            numbers += pipeline.Columns.Count(column => column.Kind == ColumnKind.Number);
            TableRow row = pipeline.CreateRow();
            float[] encoded = new float[pipeline.Features];
            float[] transformed = new float[pipeline.Features];
            for (int i = 0; i < table.Records.Length; i++)
            {
                row.Clear();
                for (int c = 0; c < table.Records[i].Length; c++)
                {
                    row.SetText(c, table.Records[i][c]);
                }

                pipeline.Encode(row, encoded);
                Assert.Equal(Bits(data.Data.Row(i)), Bits(encoded));
                pipeline.Transform(row, transformed);
                Assert.All(transformed, value => Assert.True(float.IsFinite(value)));
            }
        }, tests: 200);

        // The cases reach what the property is about: other and missing slots, number columns, few refusals.
        Assert.True(read > 150 && others > 20 && missingSlots > 20 && numbers > 20, $"read {read}, refused {refused}, other slots {others}, missing slots {missingSlots}, number columns {numbers}");
    }

    [Fact]
    public void RowsOfBlanksAndUnseenValuesNeverEncodeToNaN()
    {
        Properties.ForAll(Tables, table =>
        {
            FeaturePipeline pipeline;
            try
            {
                pipeline = TableTestData.Read(table.Text, Ignoring(table.Options)).Pipeline;
            }
            catch (FileFormatException)
            {
                return;
            }

            TableRow row = pipeline.CreateRow();
            float[] features = new float[pipeline.Features];
            foreach (string text in MissingTexts)
            {
                for (int c = 0; c < pipeline.Columns.Count; c++)
                {
                    if (pipeline.Columns[c].Kind == ColumnKind.Category || text.Trim().Length == 0 || pipeline.MissingTokens.Contains(text))
                    {
                        row.SetText(c, text);
                    }
                    else
                    {
                        row.SetMissing(c);
                    }
                }

                pipeline.Transform(row, features);
                Assert.All(features, value => Assert.True(float.IsFinite(value)));
            }
        });
    }

    private static TableOptions Ignoring(TableOptions o) => new()
    {
        Delimiter = o.Delimiter,
        DecimalComma = o.DecimalComma,
        MissingTokens = o.MissingTokens,
        MaxCategories = o.MaxCategories,
        MissingIndicators = o.MissingIndicators,
        Imputation = o.Imputation,
        Standardize = o.Standardize,
        Labels = o.Labels,
        UnknownCategories = UnknownCategories.Ignore,
    };

    private static int[] Bits(ReadOnlySpan<float> values) => [.. values.ToArray().Select(BitConverter.SingleToInt32Bits)];
}
