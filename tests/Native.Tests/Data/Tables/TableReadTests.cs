using System.Globalization;
using Native.Numerics;
using static Native.Tests.Data.Tables.TableTestData;

namespace Native.Tests.Data.Tables;

public sealed class TableReadTests
{
    [Fact]
    public void AMixedTableIsReadIntoNumbersCategoriesAndAnIgnoredColumn()
    {
        TableData table = Read(Loans, new TableOptions { Standardize = false });
        FeaturePipeline pipeline = table.Pipeline;

        Assert.Equal(["loan_id", "income", "grade", "purpose", "term"], pipeline.Columns.Select(column => column.Name));
        Assert.Equal([ColumnKind.Number, ColumnKind.Number, ColumnKind.Category, ColumnKind.Category, ColumnKind.Number], pipeline.Columns.Select(column => column.Kind));

        // loan_id: six distinct integers, but fewer than 20 rows: kept as a number.
        PipelineColumn income = pipeline.Columns[1];
        Assert.Equal((5L, 1L), (income.Count, income.Missing));
        Assert.Equal((52000f + 61000 + 38000 + 45000 + 70000) / 5, income.Fill);

        PipelineColumn grade = pipeline.Columns[2];
        Assert.Equal(["A", "B", "C"], grade.Categories);
        Assert.False(grade.HasOther);
        Assert.False(grade.HasMissingSlot);

        PipelineColumn purpose = pipeline.Columns[3];
        Assert.Equal(["boat", "car", "house"], purpose.Categories); // ordinal order
        Assert.True(purpose.HasMissingSlot);
        Assert.Equal(3, purpose.MissingSlot);

        Assert.Equal(
            ["loan_id", "income", "grade=A", "grade=B", "grade=C", "purpose=boat", "purpose=car", "purpose=house", "purpose (missing)", "term"],
            pipeline.FeatureNames);
        Assert.Equal(10, pipeline.Features);
        Assert.Equal(pipeline.FeatureNames, table.Data.FeatureNames);
        Assert.Equal("default", table.Data.LabelName);
        Assert.Equal([0, 1, 0, 1, 0, 0], table.Data.Labels.ToArray());

        float termFill = (36f + 60 + 36 + 36 + 36) / 5;
        Assert.Equal([2f, income.Fill, 0, 1, 0, 0, 0, 1, 0, 60], table.Data.Row(1).ToArray());
        Assert.Equal([4f, 38000, 0, 0, 1, 0, 0, 0, 1, 36], table.Data.Row(3).ToArray());
        Assert.Equal([5f, 45000, 0, 1, 0, 0, 1, 0, 0, termFill], table.Data.Row(4).ToArray());
    }

    [Fact]
    public void TheStandardizerScalesNumbersAndLeavesOneHotFeaturesAsTheyAre()
    {
        TableData table = Read(Loans);
        Standardizer standardizer = table.Pipeline.Standardizer!;
        Assert.Equal(table.Pipeline.Features, standardizer.Features);
        for (int f = 2; f <= 8; f++)
        {
            Assert.Equal((0f, 1f), (standardizer.Means[f], standardizer.StandardDeviations[f]));
        }

        Standardizer numbers = Standardizer.Fit(table.Data);
        foreach (int f in new[] { 0, 1, 9 })
        {
            Assert.Equal((numbers.Means[f], numbers.StandardDeviations[f]), (standardizer.Means[f], standardizer.StandardDeviations[f]));
        }

        Dataset standardized = table.StandardizedData;
        Assert.Equal(1f, standardized.Row(1)[3]);
        Assert.Equal(0f, standardized.Row(1)[2]);
    }

    [Fact]
    public void AnIdentifierIsIgnoredWithANote()
    {
        // 30 rows: an integer column named like an identifier with distinct values, and a text column of distinct values.
        var text = new System.Text.StringBuilder("customerId,note,x,y\n");
        for (int i = 0; i < 30; i++)
        {
            text.Append(FormattableString.Invariant($"{1000 + (i * 7)},free text {i},{i % 5},{i % 2}\n"));
        }

        FeaturePipeline pipeline = Read(text.ToString()).Pipeline;
        Assert.Equal([ColumnKind.Ignored, ColumnKind.Ignored, ColumnKind.Number], pipeline.Columns.Select(column => column.Kind));
        Assert.Contains("named like an identifier", pipeline.Columns[0].Note);
        Assert.Contains("all 30 values distinct", pipeline.Columns[1].Note);
        Assert.Equal(["x"], pipeline.FeatureNames);

        // Told otherwise, they are kept.
        FeaturePipeline told = Read(text.ToString(), new TableOptions { ColumnKinds = new Dictionary<string, ColumnKind> { ["customerId"] = ColumnKind.Number, ["note"] = ColumnKind.Category } }).Pipeline;
        Assert.Equal([ColumnKind.Number, ColumnKind.Category, ColumnKind.Number], told.Columns.Select(column => column.Kind));
        Assert.False(told.Columns[0].KindInferred);
        Assert.Equal(30, told.Columns[1].Categories.Count);
    }

    [Theory]
    [InlineData("increasing", true)]
    [InlineData("increasing, blanks among them", true)]
    [InlineData("decreasing", true)]
    [InlineData("shuffled", true)]
    [InlineData("increasing, the last repeating one", false)]
    [InlineData("shuffled, one repeated", false)]
    public void AnIdentifiersValuesAreDistinctInAnyOrder(string order, bool ignored)
    {
        // 40 distinct integers (seen at once when they only increase, else from a sorted copy), or one of them repeated.
        int[] ids = [.. Enumerable.Range(0, 40).Select(i => 10_000 + (i * 3))];
        if (order.StartsWith("decreasing", StringComparison.Ordinal))
        {
            Array.Reverse(ids);
        }
        else if (order.StartsWith("shuffled", StringComparison.Ordinal))
        {
            new Random(7).Shuffle(ids);
        }

        if (order.EndsWith("repeating one", StringComparison.Ordinal))
        {
            ids[^1] = ids[5];
        }
        else if (order.EndsWith("one repeated", StringComparison.Ordinal))
        {
            ids[17] = ids[3];
        }

        var text = new System.Text.StringBuilder("loan_id,x,y\n");
        for (int i = 0; i < ids.Length; i++)
        {
            string id = order.Contains("blanks", StringComparison.Ordinal) && i % 9 == 4 ? "" : ids[i].ToString(CultureInfo.InvariantCulture);
            text.Append(CultureInfo.InvariantCulture, $"{id},{i % 5},{i % 2}\n");
        }

        PipelineColumn column = Read(text.ToString()).Pipeline.Columns[0];
        Assert.Equal(ignored ? ColumnKind.Ignored : ColumnKind.Number, column.Kind);
        Assert.Equal(ignored, column.Note?.Contains("named like an identifier", StringComparison.Ordinal) ?? false);
    }

    [Theory]
    [InlineData("id", true)]
    [InlineData("ID", true)]
    [InlineData("loan_id", true)]
    [InlineData("LOAN_ID", true)]
    [InlineData("customer-id", true)]
    [InlineData("customerId", true)]
    [InlineData("customerID", true)]
    [InlineData("paid", false)]
    [InlineData("Idaho", false)]
    [InlineData("valid", false)]
    [InlineData("AID", false)]
    [InlineData("", true)]
    [InlineData("Unnamed: 0", true)]
    [InlineData("index", true)]
    [InlineData("Unnamed", false)]
    [InlineData("Unnamed: x", false)]
    [InlineData("reindex", false)]
    public void IdentifierNames(string name, bool identifier) => Assert.Equal(identifier, Table.LooksLikeIdentifier(name));

    /// <summary>
    /// A spreadsheet's export whose lines all end in a delimiter: the last column, the label by default, has no name and
    /// no values. The header says so and names the label to give, rather than line 2 saying its label is missing; told the
    /// label, the empty column is ignored.
    /// </summary>
    [Fact]
    public void ATrailingEmptyColumnIsNotTakenForTheLabel()
    {
        const string Csv = "a,b,label,\r\n1,2,x,\r\n3,4,y,\r\n5,6,x,\r\n";
        FileFormatException error = Refused(Csv);
        Assert.Contains("line 1, column 11: the last column, taken as the label, has no name (does every line end with a delimiter", error.Message);
        Assert.Contains("(native: --label 'label', TableOptions.LabelColumns)", error.Message);

        TableData told = Read(Csv, new TableOptions { LabelColumns = ["label"] });
        Assert.Equal(["x", "y"], told.Data.ClassNames);
        Assert.Equal(ColumnKind.Ignored, told.Pipeline.Columns[^1].Kind);
    }

    /// <summary>
    /// A held-out file whose header spells a column in another case, and a kind told for a column so misspelt: the error
    /// names the column it probably means, as a misspelt label's does.
    /// </summary>
    [Fact]
    public void AColumnNamedInAnotherCaseIsSuggested()
    {
        FeaturePipeline pipeline = Read(TableTestData.Loans).Pipeline;
        FileFormatException held = Assert.Throws<FileFormatException>(() => Read("loan_id,income,Grade,purpose,term,default\n7,48000,B,car,36,0\n", pipeline));
        Assert.Contains("line 1, column 1: no column is named 'grade', a category column of the model's pipeline (did you mean 'Grade'?); the header names", held.Message);

        FileFormatException told = Refused(TableTestData.Loans, new TableOptions { ColumnKinds = new Dictionary<string, ColumnKind> { ["Term"] = ColumnKind.Category } });
        Assert.Contains("no column is named 'Term', whose kind was told (did you mean 'term'?)", told.Message);
    }

    /// <summary>
    /// pandas' <c>to_csv</c> writes the row index as a first column with no name (or <c>Unnamed: 0</c>, read and written
    /// again): training on it learns the rows' order, so it is ignored as an identifier is, its note saying what it is.
    /// </summary>
    [Theory]
    [InlineData("")]
    [InlineData("Unnamed: 0")]
    [InlineData("index")]
    public void APandasRowIndexIsIgnored(string name)
    {
        var text = new System.Text.StringBuilder($"{name},size,label\n");
        for (int i = 0; i < 30; i++)
        {
            text.Append(CultureInfo.InvariantCulture, $"{i},{i % 4 * 0.5},{i % 2}\n");
        }

        FeaturePipeline pipeline = Read(text.ToString()).Pipeline;
        Assert.Equal(ColumnKind.Ignored, pipeline.Columns[0].Kind);
        Assert.Equal("30 distinct integers, a row index as pandas writes one (to_csv without index=False): ignored (native: --numeric or --categorical to use it)", pipeline.Columns[0].Note);
        Assert.Equal(["size"], pipeline.FeatureNames);
    }

    [Theory]
    [InlineData("a;b;c;y\n1,5;2;x;0\n3;4;y;1\n", ';', 4)]
    [InlineData("a\tb\ty\n1\t2\t0\n", '\t', 3)]
    [InlineData("a|b|y\n1|2|0\n", '|', 3)]
    [InlineData("a,b;c,y;z\n1,2;3,4;0\n", ',', 3)] // a tie: the comma
    [InlineData("\"a;b;c\",d,y\n1,2,0\n", ',', 3)] // separators inside quotes do not count
    [InlineData("\n\r\na;b\n1;0\n", ';', 2)] // blank lines before the header
    [InlineData("abc\n1\n", ',', 1)] // none at all: the comma
    public void TheDelimiterIsDetectedFromTheHeader(string text, char expected, int fields)
    {
        var records = new CsvRecordReader(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(text)), "t.csv", new CsvOptions());
        Assert.Equal(expected, records.DetectSeparator());
        Assert.True(records.Next());
        Assert.Equal(fields, records.FieldCount);
    }

    [Fact]
    public void ASemicolonFileWithDecimalCommasReadsAsNumbers()
    {
        TableData table = Read("alcohol;acidity;quality\n12,5;0,7;5\n9,8;;6\n11;1,25;5\n", new TableOptions { DecimalComma = true, Standardize = false });
        Assert.Equal([12.5f, 0.7f], table.Data.Row(0).ToArray());
        Assert.Equal([9.8f, (0.7f + 1.25f) / 2], table.Data.Row(1).ToArray());

        // Without the decimal comma, "12,5" is text: the column is a category.
        Assert.Equal(ColumnKind.Category, Read("alcohol;quality\n12,5;5\n9,8;6\n").Pipeline.Columns[0].Kind);

        // A point is not a decimal separator then.
        Assert.Equal(ColumnKind.Category, Read("a;y\n1.5;0\n2;1\n", new TableOptions { DecimalComma = true }).Pipeline.Columns[0].Kind);
    }

    [Fact]
    public void ADecimalCommaBesideACommaDelimiterIsRefused()
    {
        Assert.Throws<ArgumentException>(() => Read("a,y\n1,0\n", new TableOptions { Delimiter = ',', DecimalComma = true }));
        FileFormatException error = Refused("a,b,y\n1,2,0\n", new TableOptions { DecimalComma = true });
        Assert.Contains("decimal comma", error.Message);
        Assert.Equal(1, error.Line);
    }

    [Fact]
    public void MissingTokensAreBlanks()
    {
        TableData table = Read("x,c,y\n1,a,0\nNA,?,1\n 3 ,b,0\n? ,NA,1\n", new TableOptions { MissingTokens = ["NA", "?"], Standardize = false });
        PipelineColumn x = table.Pipeline.Columns[0], c = table.Pipeline.Columns[1];
        Assert.Equal((ColumnKind.Number, 2L, 2L), (x.Kind, x.Count, x.Missing));
        Assert.Equal(2f, x.Fill);
        Assert.Equal((ColumnKind.Category, 2L, 2L), (c.Kind, c.Count, c.Missing));
        Assert.Equal(["a", "b"], c.Categories);
        Assert.True(c.HasMissingSlot);
    }

    [Fact]
    public void ALabelThatIsAMissingTokenIsMissingNotAClass()
    {
        // It was a class of its own: "?" said to mean missing, and a third class '?' learned beside 'yes' and 'no'.
        var options = new TableOptions { MissingTokens = ["NA", "?"], Standardize = false };
        FileFormatException error = Refused("x,c,y\n1,a,yes\n2,b,no\n3,a, ? \n", options);
        Assert.Equal((4, 5), (error.Line, error.Column));
        Assert.Contains("column 'y': the label is missing ('?', one of the missing tokens", error.Message, StringComparison.Ordinal);

        // Read through the fitted pipeline (evaluation), the same.
        TableData fitted = Read("x,c,y\n1,a,yes\n2,b,no\n", options);
        FileFormatException again = Assert.Throws<FileFormatException>(() => Read("x,c,y\n1,a,NA\n", fitted.Pipeline, new TableOptions()));
        Assert.Equal((2, 5), (again.Line, again.Column));
        Assert.Contains("the label is missing ('NA', one of the missing tokens", again.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AColumnOfNumbersAndOneWordSaysTheWordMayMeanMissing()
    {
        FeaturePipeline pipeline = Read("x,y\n1,0\nNA,1\n3,0\nNA,1\n").Pipeline;
        PipelineColumn x = pipeline.Columns[0];
        Assert.Equal(ColumnKind.Category, x.Kind);
        Assert.Equal(["1", "3", "NA"], x.Categories);
        Assert.Contains("every value but 'NA' (2 times) is a number", x.Note);
        Assert.Contains("--missing 'NA'", x.Note);
    }

    /// <summary>
    /// A European export read without --decimal-comma: its number columns are text to the invariant reader, so they become
    /// categories (few values) or are ignored as all distinct (many): either way the column's note names the option; told,
    /// they read as numbers. A text column of words, or a comma-delimited file, gets no such note.
    /// </summary>
    [Fact]
    public void NumbersWithDecimalCommasNameTheOption()
    {
        var few = new System.Text.StringBuilder("price;grade;word;y\n");
        var many = new System.Text.StringBuilder("price;grade;y\n");
        for (int i = 0; i < 30; i++)
        {
            few.Append(i % 3 == 0 ? "1,5" : i % 3 == 1 ? "2" : "3,25").Append(';').Append(i % 2 == 0 ? "A" : "B").Append(';').Append(i % 2 == 0 ? "yes" : "no").Append(';').Append(i % 2).Append('\n');
            many.Append(i).Append(',').Append(i % 7).Append(';').Append(i % 3 == 0 ? "A" : "B").Append(';').Append(i % 2).Append('\n');
        }

        FeaturePipeline categories = Read(few.ToString()).Pipeline;
        Assert.Equal(ColumnKind.Category, categories.Columns[0].Kind);
        Assert.Contains("every value is a number written with a decimal comma: --decimal-comma", categories.Columns[0].Note);
        Assert.Null(categories.Columns[1].Note);
        Assert.Null(categories.Columns[2].Note);

        PipelineColumn ignored = Read(many.ToString()).Pipeline.Columns[0];
        Assert.Equal(ColumnKind.Ignored, ignored.Kind);
        Assert.Contains("all 30 values distinct", ignored.Note);
        Assert.Contains("--decimal-comma", ignored.Note);

        PipelineColumn told = Read(many.ToString(), new TableOptions { DecimalComma = true }).Pipeline.Columns[0];
        Assert.Equal((ColumnKind.Number, null), (told.Kind, told.Note));

        PipelineColumn quoted = Read(few.ToString().Replace(';', ',').Replace("1,5", "\"1,5\"").Replace("3,25", "\"3,25\""), new TableOptions { Delimiter = ',' }).Pipeline.Columns[0];
        Assert.Equal(ColumnKind.Category, quoted.Kind);
        Assert.Null(quoted.Note);
    }

    [Fact]
    public void TheMostFrequentCategoriesAreKeptAndTheRestAreOther()
    {
        // d appears 3 times, b and c twice (b first), a and e once.
        TableData table = Read("c,y\na,0\nb,1\nd,0\nc,1\nd,0\nb,1\nc,0\nd,1\ne,0\n", new TableOptions { MaxCategories = 2, Standardize = false });
        PipelineColumn column = table.Pipeline.Columns[0];
        Assert.Equal(["b", "d"], column.Categories);
        Assert.True(column.HasOther);
        Assert.Equal(["c=b", "c=d", "c (other)"], table.Pipeline.FeatureNames);
        Assert.Equal([0f, 0, 1], table.Data.Row(0).ToArray()); // a → other
        Assert.Equal([0f, 1, 0], table.Data.Row(2).ToArray());

        // At prediction, a value not kept — rare in training or never seen — is other too.
        TableRow row = table.Pipeline.CreateRow();
        float[] features = new float[3];
        row.SetCategory(0, "zebra");
        table.Pipeline.Transform(row, features);
        Assert.Equal([0f, 0, 1], features);
    }

    [Fact]
    public void CategoriesMatchExactly()
    {
        FeaturePipeline pipeline = Read("c,y\nB,0\n B,1\n\"B\",0\nb,1\n", new TableOptions { Standardize = false }).Pipeline;
        Assert.Equal([" B", "B", "b"], pipeline.Columns[0].Categories); // quotes removed; space and case kept
        Assert.Equal(1, pipeline.Columns[0].SlotOf("B"));
        Assert.Equal(-1, pipeline.Columns[0].SlotOf("B "));
    }

    [Fact]
    public void ACategoryThatLooksLikeANumberKeepsItsText()
    {
        var told = new TableOptions { ColumnKinds = new Dictionary<string, ColumnKind> { ["zip"] = ColumnKind.Category }, Standardize = false };
        FeaturePipeline pipeline = Read("zip,y\n007,0\n7,1\n7.0,0\n", told).Pipeline;
        Assert.Equal(["007", "7", "7.0"], pipeline.Columns[0].Categories);

        // Inferred: a code with a letter after 600 rows of digits still has each earlier value's text.
        var text = new System.Text.StringBuilder("code,y\n");
        for (int i = 0; i < 600; i++)
        {
            text.Append(FormattableString.Invariant($"{(i % 3 == 0 ? "01" : i % 3 == 1 ? "1" : "2")},{i % 2}\n"));
        }

        text.Append("A7,1\n");
        PipelineColumn code = Read(text.ToString()).Pipeline.Columns[0];
        Assert.Equal(ColumnKind.Category, code.Kind);
        Assert.Equal(["01", "1", "2", "A7"], code.Categories);
        Assert.False(code.HasOther);
    }

    [Fact]
    public void ControlCharactersAreCategoriesAndEscapedInMessages()
    {
        FeaturePipeline pipeline = Read("c,y\n\"a\u001b[31m\",0\nb\u0007,1\n", new TableOptions { UnknownCategories = UnknownCategories.Error }).Pipeline;
        Assert.Equal(["a\u001b[31m", "b\u0007"], pipeline.Columns[0].Categories);
        Assert.DoesNotContain('\u001b', pipeline.Describe());
        Assert.Contains("\\u001B", pipeline.Describe());

        TableRow row = pipeline.CreateRow();
        ArgumentException error = Assert.Throws<ArgumentException>(() => row.SetCategory(0, "z\u001b"));
        Assert.Contains("'z\\u001B'", error.Message);
        Assert.DoesNotContain('\u001b', error.Message);
    }

    [Fact]
    public void TwoColumnsOfOneNameAreRefused()
    {
        FileFormatException error = Refused("a,b,a,y\n1,2,3,0\n");
        Assert.Equal((1, 5), (error.Line, error.Column));
        Assert.Contains("two columns are named 'a'", error.Message);
    }

    [Fact]
    public void ANumberThatIsNotFiniteIsAnErrorAtItsPlace()
    {
        FileFormatException error = Refused("x,y\n1,0\nNaN,1\n2,0\n");
        Assert.Equal((3, 1), (error.Line, error.Column));
        Assert.Contains("'NaN' is not a finite number", error.Message);
        Assert.Contains("--missing 'NaN'", error.Message);

        Assert.Equal(0f, Read("x,y\n1,0\nNaN,1\n", new TableOptions { MissingTokens = ["NaN"], Standardize = false }).Data.Row(1)[0] - 1f);
    }

    [Fact]
    public void AColumnToldNumericRefusesText()
    {
        FileFormatException error = Refused("x,y\n1,0\nabc,1\n", new TableOptions { ColumnKinds = new Dictionary<string, ColumnKind> { ["x"] = ColumnKind.Number } });
        Assert.Equal((3, 1), (error.Line, error.Column));
        Assert.Contains("'abc' is not a number", error.Message);
    }

    [Fact]
    public void ALongCategoryIsBoundedByTheFieldLimit()
    {
        string huge = new('x', 1_000_000);
        FileFormatException error = Refused($"c,y\na,0\n{huge},1\n");
        Assert.Equal((3, 1), (error.Line, error.Column));
        Assert.Contains("MaxFieldLength", error.Message);
    }

    [Fact]
    public void BadOptionsAreRefused()
    {
        Assert.Throws<ArgumentException>(() => Read(Loans, new TableOptions { LabelColumns = ["a", "b"], Labels = CsvLabels.Classification }));
        Assert.Throws<ArgumentException>(() => Read(Loans, new TableOptions { LabelColumns = ["income", "income"] }));
        Assert.Throws<ArgumentException>(() => Read(Loans, new TableOptions { MissingTokens = [" NA"] }));
        Assert.Throws<ArgumentOutOfRangeException>(() => Read(Loans, new TableOptions { MaxCategories = 0 }));
        Assert.Contains("no column is named 'nope'", Refused(Loans, new TableOptions { ColumnKinds = new Dictionary<string, ColumnKind> { ["nope"] = ColumnKind.Number } }).Message);
        Assert.Contains("is the label column", Refused(Loans, new TableOptions { ColumnKinds = new Dictionary<string, ColumnKind> { ["default"] = ColumnKind.Number } }).Message);
        Assert.Contains("no column is named 'target'", Refused(Loans, new TableOptions { LabelColumns = ["target"] }).Message);
    }

    [Fact]
    public void AnAllMissingColumnIsIgnoredAndATableWithNothingLeftIsRefused()
    {
        FeaturePipeline pipeline = Read("x,blank,y\n1,,0\n2,,1\n").Pipeline;
        Assert.Equal(ColumnKind.Ignored, pipeline.Columns[1].Kind);
        Assert.Contains("every value is missing", pipeline.Columns[1].Note);

        Assert.Contains("no column is left to learn from", Refused("blank,y\n,0\n,1\n").Message);
    }

    [Fact]
    public void MedianImputationAndMissingIndicators()
    {
        TableData table = Read("x,y\n1,0\n,1\n10,0\n2,1\n", new TableOptions { Imputation = Imputation.Median, MissingIndicators = true, Standardize = false });
        Assert.Equal(2f, table.Pipeline.Columns[0].Fill);
        Assert.Equal(["x", "x (missing)"], table.Pipeline.FeatureNames);
        Assert.Equal([2f, 1f], table.Data.Row(1).ToArray());
        Assert.Equal([10f, 0f], table.Data.Row(2).ToArray());

        // Even counts take the mean of the two middle values; a column without blanks gets no indicator.
        TableData even = Read("x,z,y\n1,1,0\n,2,1\n4,3,0\n", new TableOptions { Imputation = Imputation.Median, MissingIndicators = true, Standardize = false });
        Assert.Equal(2.5f, even.Pipeline.Columns[0].Fill);
        Assert.Equal(["x", "x (missing)", "z"], even.Pipeline.FeatureNames);
    }

    [Fact]
    public void DescribeSaysWhatWasDone()
    {
        string report = Read(Loans).Pipeline.Describe();
        Assert.Contains("income", report);
        Assert.Contains("missing → mean 53200", report);
        Assert.Contains("3 kept (boat, car, house)", report);
        Assert.Contains("missing → its own", report);
        Assert.Contains("10 features; numbers standardized", report);
    }
}
