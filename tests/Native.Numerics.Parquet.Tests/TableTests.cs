using System.Globalization;
using System.Text;
using ParquetSharp;

namespace Native.Numerics.Parquet.Tests;

/// <summary>
/// A Parquet table — text, nulls, an identifier, booleans, decimals, a date — read by <see cref="ParquetTable"/> exactly as
/// its CSV export is read by <see cref="Table"/>: the same pipeline, the same rows bit for bit, the same rows through the
/// pipeline for held-out data, and its errors at the file and row.
/// </summary>
public sealed class TableTests : IDisposable
{
    private static readonly string[] Grades = ["A", "B", "C", "D", "E"];
    private static readonly string[] Purposes = ["car", "home, repairs", "say \"hello\"", "two\nlines", "education"];
    private readonly string _directory = Directory.CreateTempSubdirectory("parquet-table-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Theory]
    [InlineData(7, 500, 200)]
    [InlineData(11, 64, 1000)] // a row group smaller than a batch, and one larger
    public void ATableReadsAsItsCsvExport(int seed, int groupRows, int rows)
    {
        Loans loans = Loans.Make(new Random(seed), rows);
        string parquet = Path.Combine(_directory, "loans.parquet"), csv = Path.Combine(_directory, "loans.csv");
        loans.WriteParquet(parquet, groupRows);
        loans.WriteCsv(csv);
        var options = new TableOptions { MissingTokens = ["NA"], MissingIndicators = true };
        TableData expected = Table.Read(csv, WithDateIgnored(options));
        TableData actual = ParquetTable.Read(parquet, options);

        Assert.Equal(expected.Pipeline.Describe(), actual.Pipeline.Describe());
        Assert.Equal(expected.Pipeline.FeatureNames, actual.Pipeline.FeatureNames);
        Fixture.AssertSame(expected.Data, actual.Data);
        Fixture.AssertSame(expected.StandardizedData, actual.StandardizedData);
        Assert.Equal(ColumnKind.Ignored, actual.Pipeline.Columns[actual.Pipeline.IndexOf("loan_id")].Kind); // distinct integers named like an identifier
        Assert.Equal(ColumnKind.Ignored, actual.Pipeline.Columns[actual.Pipeline.IndexOf("opened")].Kind); // a date: neither numbers nor text
        Assert.Equal(ColumnKind.Category, actual.Pipeline.Columns[actual.Pipeline.IndexOf("grade")].Kind);
        Assert.Equal(ColumnKind.Category, actual.Pipeline.Columns[actual.Pipeline.IndexOf("verified")].Kind);
        Assert.Equal(ColumnKind.Number, actual.Pipeline.Columns[actual.Pipeline.IndexOf("income")].Kind);
        Assert.True(actual.Pipeline.Columns[actual.Pipeline.IndexOf("income")].Missing > 0); // nulls became blanks, imputed

        // Held-out rows through the fitted pipeline, with values training never saw.
        Loans heldOut = Loans.Make(new Random(seed + 1), 150, unseen: true);
        heldOut.WriteParquet(parquet, groupRows);
        heldOut.WriteCsv(csv);
        Fixture.AssertSame(Table.Read(csv, expected.Pipeline).Data, ParquetTable.Read(parquet, actual.Pipeline).Data);
    }

    [Fact]
    public void FloatsWholeAndSignedReadToTheirOwnBits()
    {
        // Whole floats below 2^24 are written as integers, the rest in full: every one reads back to its own bits, -0 too.
        float[] values = [-0f, 0f, 16_777_215f, 16_777_216f, 33_554_432f, -3f, 1e20f, 0.1f, -2.5f, float.Epsilon, 3.4028235e38f, 1e-7f];
        string parquet = Path.Combine(_directory, "floats.parquet");
        using (var writer = new ParquetFileWriter(parquet, [new Column<float>("x"), new Column<string>("label")]))
        {
            using RowGroupWriter group = writer.AppendRowGroup();
            using (LogicalColumnWriter<float> x = group.NextColumn().LogicalWriter<float>())
            {
                x.WriteBatch(values);
            }

            using (LogicalColumnWriter<string> label = group.NextColumn().LogicalWriter<string>())
            {
                label.WriteBatch([.. values.Select((_, i) => i % 2 == 0 ? "a" : "b")]);
            }

            writer.Close();
        }

        TableData table = ParquetTable.Read(parquet, new TableOptions { Standardize = false });
        Assert.Equal(values.Select(BitConverter.SingleToInt32Bits), Enumerable.Range(0, values.Length).Select(i => BitConverter.SingleToInt32Bits(table.Data.Row(i)[0])));
    }

    [Fact]
    public void ADirectoryOfPartsReadsAsOneTable()
    {
        Loans loans = Loans.Make(new Random(3), 300);
        string parts = Directory.CreateDirectory(Path.Combine(_directory, "parts")).FullName;
        loans.Slice(0, 120).WriteParquet(Path.Combine(parts, "part-0.parquet"), 50);
        loans.Slice(120, 180).WriteParquet(Path.Combine(parts, "part-1.parquet"), 64);
        string csv = Path.Combine(_directory, "all.csv");
        loans.WriteCsv(csv);
        Fixture.AssertSame(Table.Read(csv, WithDateIgnored(new TableOptions())).Data, ParquetTable.Read(parts).Data);
    }

    [Fact]
    public void AnErrorNamesTheFileAndRowNotALineOfText()
    {
        // Row 1 holds a line break (its record takes two lines of the text); row 5 of the second file is not a number.
        Loans loans = Loans.Make(new Random(5), 25);
        loans.Purpose[1] = "first\nsecond";
        loans.Term[20] = "x";
        string parts = Directory.CreateDirectory(Path.Combine(_directory, "bad")).FullName;
        loans.Slice(0, 15).WriteParquet(Path.Combine(parts, "part-0.parquet"), 8);
        loans.Slice(15, 10).WriteParquet(Path.Combine(parts, "part-1.parquet"), 8);
        var options = new TableOptions { ColumnKinds = new Dictionary<string, ColumnKind> { ["term"] = ColumnKind.Number } };
        var e = Assert.Throws<FileFormatException>(() => ParquetTable.Read(parts, options));
        Assert.StartsWith($"'{Path.Combine(parts, "part-1.parquet")}': row 5: column 'term': 'x' is not a number", e.Message, StringComparison.Ordinal);
        Assert.Equal(Path.Combine(parts, "part-1.parquet"), e.Path);

        loans.Term[20] = "36";
        loans.Term[3] = "?";
        loans.Slice(0, 20).WriteParquet(Path.Combine(_directory, "one.parquet"), 8);
        e = Assert.Throws<FileFormatException>(() => ParquetTable.Read(Path.Combine(_directory, "one.parquet"), options));
        Assert.StartsWith($"'{Path.Combine(_directory, "one.parquet")}': row 3: column 'term': '?' is not a number", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void OptionsThatDescribeTextAndAKindToldForADateAreRefused()
    {
        string parquet = Path.Combine(_directory, "loans.parquet");
        Loans.Make(new Random(1), 30).WriteParquet(parquet, 30);
        Assert.Throws<ArgumentException>(() => ParquetTable.Read(parquet, new TableOptions { Delimiter = ';' }));
        Assert.Throws<ArgumentException>(() => ParquetTable.Read(parquet, new TableOptions { DecimalComma = true, Delimiter = ';' }));
        var e = Assert.Throws<FileFormatException>(() => ParquetTable.Read(parquet, new TableOptions { ColumnKinds = new Dictionary<string, ColumnKind> { ["opened"] = ColumnKind.Category } }));
        Assert.Contains("column 'opened' is INT32 (Date): neither numbers nor text", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void EveryTableOptionReachesTheTextsReader()
    {
        // ParquetTable copies the options property by property: a property added to TableOptions and not copied fails here.
        var options = new TableOptions
        {
            ThousandsSeparator = '_', MissingTokens = ["NA"], LabelColumns = ["label"], LabelIndex = null, Labels = CsvLabels.Classification,
            ColumnKinds = new Dictionary<string, ColumnKind> { ["grade"] = ColumnKind.Category }, MaxCategories = 7, Imputation = Imputation.Median,
            MissingIndicators = true, UnknownCategories = UnknownCategories.Error, Standardize = false, MaxDistinctValues = 99, MaxDistinctCharacters = 999,
            MaxFieldLength = 77, MaxLineLength = 7777, MaxColumns = 55,
        };
        TableOptions copied = ParquetTable.ForText(options, [], "f.parquet");
        foreach (var property in typeof(TableOptions).GetProperties())
        {
            object? want = property.GetValue(options), got = property.GetValue(copied);
            if (property.Name == nameof(TableOptions.Delimiter))
            {
                Assert.Equal(',', got);
            }
            else if (want is System.Collections.IEnumerable sequence and not string)
            {
                Assert.Equal(sequence.Cast<object>(), ((System.Collections.IEnumerable)got!).Cast<object>());
            }
            else
            {
                Assert.Equal(want, got);
            }
        }
    }

    private static TableOptions WithDateIgnored(TableOptions options) => new()
    {
        MissingTokens = options.MissingTokens,
        MissingIndicators = options.MissingIndicators,
        ColumnKinds = new Dictionary<string, ColumnKind>(options.ColumnKinds) { ["opened"] = ColumnKind.Ignored },
    };

    /// <summary>Loan records, column by column, as Parquet holds them and as a CSV export writes them.</summary>
    private sealed class Loans
    {
        public long[] Id = [];
        public double?[] Income = [];
        public string?[] Grade = [];
        public string?[] Purpose = [];
        public bool?[] Verified = [];
        public Date[] Opened = [];
        public decimal?[] Amount = [];
        public float?[] Rate = [];
        public string?[] Term = [];
        public string[] Label = [];

        public static Loans Make(Random random, int rows, bool unseen = false)
        {
            var loans = new Loans
            {
                Id = [.. Enumerable.Range(0, rows).Select(i => 9000L + i)],
                Income = [.. Enumerable.Range(0, rows).Select(_ => random.Next(10) == 0 ? (double?)null : Math.Round(20000 + (random.NextDouble() * 90000), 2))],
                Grade = [.. Enumerable.Range(0, rows).Select(_ => random.Next(12) switch { 0 => null, 1 => "", 2 => "NA", 3 when unseen => "Z", _ => Grades[random.Next(Grades.Length)] })],
                Purpose = [.. Enumerable.Range(0, rows).Select(_ => random.Next(15) == 0 ? null : Purposes[random.Next(Purposes.Length)])],
                Verified = [.. Enumerable.Range(0, rows).Select(_ => random.Next(9) == 0 ? (bool?)null : random.Next(2) == 0)],
                Opened = [.. Enumerable.Range(0, rows).Select(i => new Date(2020, 1 + (i % 12), 1 + (i % 28)))],
                Amount = [.. Enumerable.Range(0, rows).Select(_ => random.Next(8) == 0 ? (decimal?)null : Math.Round((decimal)(random.NextDouble() * 50000), 2))],
                Rate = [.. Enumerable.Range(0, rows).Select(_ => random.Next(7) == 0 ? (float?)null : (float)(random.NextDouble() * 30))],
                Term = [.. Enumerable.Range(0, rows).Select(_ => random.Next(10) == 0 ? null : random.Next(2) == 0 ? "36" : "60")],
                Label = [.. Enumerable.Range(0, rows).Select(_ => random.Next(3) == 0 ? "bad" : "good")],
            };
            return loans;
        }

        public Loans Slice(int start, int count) => new()
        {
            Id = Id[start..(start + count)], Income = Income[start..(start + count)], Grade = Grade[start..(start + count)],
            Purpose = Purpose[start..(start + count)], Verified = Verified[start..(start + count)], Opened = Opened[start..(start + count)],
            Amount = Amount[start..(start + count)], Rate = Rate[start..(start + count)], Term = Term[start..(start + count)], Label = Label[start..(start + count)],
        };

        public void WriteParquet(string path, int groupRows)
        {
            Column[] columns =
            [
                new Column<long>("loan_id"), new Column<double?>("income"), new Column<string>("grade"), new Column<string>("purpose"),
                new Column<bool?>("verified"), new Column<Date>("opened"), new Column<decimal?>("amount", LogicalType.Decimal(18, 2)),
                new Column<float?>("rate"), new Column<string>("term"), new Column<string>("label"),
            ];
            using var writer = new ParquetFileWriter(path, columns);
            for (int start = 0; start < Id.Length; start += groupRows)
            {
                int n = Math.Min(groupRows, Id.Length - start);
                using RowGroupWriter group = writer.AppendRowGroup();
                Write(group, Id.AsSpan(start, n));
                Write(group, Income.AsSpan(start, n));
                Write(group, Grade.AsSpan(start, n));
                Write(group, Purpose.AsSpan(start, n));
                Write(group, Verified.AsSpan(start, n));
                Write(group, Opened.AsSpan(start, n));
                Write(group, Amount.AsSpan(start, n));
                Write(group, Rate.AsSpan(start, n));
                Write(group, Term.AsSpan(start, n));
                Write(group, Label.AsSpan(start, n));
            }

            writer.Close();
        }

        public void WriteCsv(string path)
        {
            var text = new StringBuilder("loan_id,income,grade,purpose,verified,opened,amount,rate,term,label\n");
            for (int i = 0; i < Id.Length; i++)
            {
                string[] fields =
                [
                    Id[i].ToString(CultureInfo.InvariantCulture), Income[i]?.ToString("R", CultureInfo.InvariantCulture) ?? "", Quoted(Grade[i]), Quoted(Purpose[i]),
                    Verified[i] is bool b ? (b ? "true" : "false") : "", "", Amount[i]?.ToString(CultureInfo.InvariantCulture) ?? "",
                    Rate[i]?.ToString("R", CultureInfo.InvariantCulture) ?? "", Quoted(Term[i]), Quoted(Label[i]),
                ];
                text.Append(string.Join(',', fields)).Append('\n');
            }

            File.WriteAllText(path, text.ToString());
        }

        private static string Quoted(string? text) => text is null ? "" : "\"" + text.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

        private static void Write<T>(RowGroupWriter group, ReadOnlySpan<T> values)
        {
            using LogicalColumnWriter<T> column = group.NextColumn().LogicalWriter<T>();
            column.WriteBatch(values);
        }
    }
}
