using System.Globalization;
using System.Reflection;
using Microsoft.CodeAnalysis;
using Native.Generators;
using Native.Numerics;

namespace Native.Generators.Tests;

/// <summary>
/// <c>[GeneratedModel("file")]</c> on a model whose file keeps a feature pipeline: the typed <c>Row</c> and the predictions
/// on it, held to the bits of <see cref="ModelFile.Load(string)"/>'s model on a <see cref="TableRow"/> set from the same
/// raw records of tests/data/loans (blanks, unseen categories and missing tokens included); no allocation; the emitted
/// source's baseline; the property names.
/// </summary>
public partial class TypedRowTests
{
    private const string File = "models/loans.safetensors";

    private static readonly string Loans = Path.Combine(RepositoryRoot(), "tests", "data", "loans");

    public static TheoryData<string, string> Models
    {
        get
        {
            var data = new TheoryData<string, string>();
            foreach (string kind in new[] { "logistic", "softmax", "perceptron", "linear", "perceptron regressor", "targets" })
            {
                data.Add(kind, "defaults");
            }

            foreach (string options in new[] { "indicators", "other", "error", "unstandardized" })
            {
                data.Add("logistic", options);
            }

            data.Add("perceptron", "indicators");
            data.Add("targets", "indicators");

            // The same models quantized to int8: the pipeline compiled in floats, the layers the library's integer engine.
            foreach (string kind in new[] { "logistic", "softmax", "perceptron", "perceptron regressor", "targets" })
            {
                data.Add(kind, "defaults int8");
            }

            data.Add("logistic", "error int8");
            data.Add("perceptron", "indicators int8");
            return data;
        }
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void TheTypedRowPredictsTheLoadedModelsBitsOnRawRecords(string kind, string options)
    {
        using var harness = new FileModelHarness();
        (Type driver, TrainedModel loaded) = Compile(harness, kind, options);
        string[] header = ReadRecords("loans-test.csv", out string[][] records);
        records = WithMissingTokens(records, options);
        FeaturePipeline pipeline = loaded.Pipeline!;
        TableRow tableRow = loaded.CreateRow();
        int[] fieldOf = [.. pipeline.Columns.Select(column => Array.IndexOf(header, column.Name))];
        var encode = driver.GetMethod("Encode")!.CreateDelegate<Action<string[], float[]>>();
        var predict = driver.GetMethod("Predict")!.CreateDelegate<Func<string[], float[]>>();
        float[] encoded = new float[pipeline.Features], transformed = new float[pipeline.Features];
        int refused = 0, compared = 0;
        foreach (string[] record in records)
        {
            tableRow.Clear();
            ArgumentException? expectedError = null;
            try
            {
                for (int c = 0; c < fieldOf.Length; c++)
                {
                    tableRow.SetText(c, record[fieldOf[c]]);
                }
            }
            catch (ArgumentException error)
            {
                expectedError = error;
            }

            if (expectedError is not null)
            {
                // A category the model refuses: refused by the compiled row too, naming the column.
                refused++;
                var thrown = Assert.Throws<ArgumentException>(() => predict(record));
                Assert.Contains(expectedError.Message.Split(':')[0]["column ".Length..], thrown.Message, StringComparison.Ordinal);
                continue;
            }

            // The encoding, standardized, is the pipeline's Transform, bit for bit.
            encode(record, encoded);
            pipeline.Standardizer?.Transform(encoded, encoded);
            pipeline.Transform(tableRow, transformed);
            for (int f = 0; f < encoded.Length; f++)
            {
                Same(transformed[f], encoded[f], $"{kind}/{options}: record {record[0]}, feature {pipeline.FeatureNames[f]}");
            }

            float[] ours = predict(record);
            if (kind == "targets")
            {
                float[] theirs = new float[loaded.Outputs];
                loaded.PredictValues(tableRow, theirs);
                Assert.Equal(2, ours.Length);
                for (int o = 0; o < theirs.Length; o++)
                {
                    Same(theirs[o], ours[o], $"{kind}/{options}: record {record[0]}, target {o}");
                }
            }
            else if (loaded.Task == ModelTask.Regression)
            {
                Same(loaded.PredictValue(tableRow), ours[0], $"{kind}/{options}: record {record[0]}");
                Assert.True(loaded.TryPredictValue(tableRow, out float value));
                Same(value, ours[1], $"{kind}/{options}: record {record[0]}, TryPredictValue");
                float[] values = new float[1];
                loaded.PredictValues(tableRow, values);
                Same(values[0], ours[2], $"{kind}/{options}: record {record[0]}, PredictValues");
            }
            else
            {
                float[] theirs = new float[loaded.Classes];
                loaded.PredictProbabilities(tableRow, theirs);
                for (int c = 0; c < theirs.Length; c++)
                {
                    Same(theirs[c], ours[c], $"{kind}/{options}: record {record[0]}, class {c}");
                }

                Assert.Equal(loaded.PredictClass(tableRow), (int)ours[^1]);
            }

            compared++;
        }

        // The records hold what training never saw: refused where the model says so, answered everywhere else.
        Assert.Equal(Base(options) == "error" ? records.Length - compared : 0, refused);
        Assert.True(Base(options) == "error" ? refused > 0 && compared > 1000 : compared == records.Length, $"{compared} compared, {refused} refused");
    }

    [Theory]
    [InlineData("logistic")]
    [InlineData("perceptron")]
    [InlineData("linear")]
    [InlineData("perceptron regressor")]
    [InlineData("targets")]
    public void PredictingFromATypedRowAllocatesNothing(string kind)
    {
        foreach (string options in new[] { "indicators", "indicators" + Int8 })
        {
            using var harness = new FileModelHarness();
            (Type driver, _) = Compile(harness, kind, options);
            ReadRecords("loans-test.csv", out string[][] records);
            long allocated = (long)driver.GetMethod("Allocated")!.Invoke(null, [records.Take(300).ToArray()])!;
            Assert.Equal(0, allocated);
        }
    }

    [Theory]
    [InlineData("logistic")]
    [InlineData("targets")]
    public void TheCompiledInt8ModelIsQuantizedAndCarriesTheLoadedModelsNames(string kind)
    {
        using var harness = new FileModelHarness();
        (Type driver, TrainedModel loaded) = Compile(harness, kind, "defaults" + Int8);
        var compiled = (TrainedModel)driver.Assembly.GetType("Demo.Loans")!.GetProperty("Model")!.GetValue(null)!;
        Assert.True(compiled.IsQuantized);
        Assert.Null(compiled.Pipeline);
        Assert.Equal(loaded.Pipeline!.FeatureNames, compiled.FeatureNames);
        Assert.Equal(loaded.LabelNames, compiled.LabelNames);
        Assert.Equal(loaded.ClassNames, compiled.ClassNames);
    }

    [Theory]
    [InlineData("logistic")]
    [InlineData("softmax")]
    [InlineData("linear")]
    [InlineData("targets")]
    public void TheCompiledModelCarriesTheNamesTheLoadedModelHas(string kind)
    {
        // Model: the compiled class as a TrainedModel on encoded rows; its class, label and feature names are the file's, so
        // PredictClassName answers on it as on ModelFile.Load's model.
        using var harness = new FileModelHarness();
        (Type driver, TrainedModel loaded) = Compile(harness, kind, "defaults");
        var compiled = (TrainedModel)driver.Assembly.GetType("Demo.Loans")!.GetProperty("Model")!.GetValue(null)!;
        Assert.Equal(loaded.ClassNames, compiled.ClassNames);
        Assert.Equal(loaded.LabelNames, compiled.LabelNames);
        Assert.Equal(loaded.LabelName, compiled.LabelName);
        Assert.Equal(loaded.Pipeline!.FeatureNames, compiled.FeatureNames);
        Assert.Null(compiled.Pipeline);
        Assert.NotEmpty(compiled.LabelNames);
        if (loaded.Task == ModelTask.Regression)
        {
            return;
        }

        Assert.Equal(["0", "1"], compiled.ClassNames);
        string[] header = ReadRecords("loans-test.csv", out string[][] records);
        var encode = driver.GetMethod("Encode")!.CreateDelegate<Action<string[], float[]>>();
        TableRow row = loaded.CreateRow();
        float[] encoded = new float[loaded.Pipeline.Features];
        foreach (string[] record in records.Take(200))
        {
            row.Clear();
            for (int c = 0; c < loaded.Pipeline.Columns.Count; c++)
            {
                row.SetText(c, record[Array.IndexOf(header, loaded.Pipeline.Columns[c].Name)]);
            }

            encode(record, encoded);
            Assert.Equal(loaded.PredictClassName(row), compiled.PredictClassName(encoded));
        }
    }

    [Fact]
    public void TheCompiledModelOfAnOnnxFileCarriesItsNames()
    {
        // The loans model with its pipeline exported to ONNX (names in metadata_props): Model carries what Load's has.
        TableData training = Table.Read(Path.Combine(Loans, "loans-train.csv"), new TableOptions { LabelColumns = ["default"] });
        var model = new LogisticRegression(training.Pipeline.Features);
        model.Parameters.Fill(0.01f);
        using var harness = new FileModelHarness();
        string path = harness.PathOf("models/loans.onnx");
        ModelFile.Save(model, path, training.Metadata);
        var (result, output) = harness.Run("using Native.Numerics;\nnamespace Demo;\n[GeneratedModel(\"models/loans.onnx\")] public static partial class LoansOnnx;\n", "models/loans.onnx");
        Assert.Empty(result.Diagnostics);
        var compiled = (TrainedModel)FileModelHarness.Load(output).GetType("Demo.LoansOnnx")!.GetProperty("Model")!.GetValue(null)!;
        TrainedModel loaded = ModelFile.Load(path);
        Assert.Equal(["default"], loaded.LabelNames);
        Assert.Equal(loaded.LabelNames, compiled.LabelNames);
        Assert.Equal(loaded.ClassNames, compiled.ClassNames);
        Assert.Equal(loaded.Pipeline!.FeatureNames, compiled.FeatureNames);
    }

    [Fact]
    public void AnInfiniteNumberIsRefusedNamingItsColumn()
    {
        using var harness = new FileModelHarness();
        (Type driver, _) = Compile(harness, "logistic", "defaults");
        ReadRecords("loans-test.csv", out string[][] records);
        string[] record = [.. records[0]];
        record[3] = "1e39";
        var predict = driver.GetMethod("Predict")!.CreateDelegate<Func<string[], float[]>>();
        var error = Assert.Throws<ArgumentException>(() => predict(record));
        Assert.Equal("Column 'interest_rate': Infinity is not a finite number (null or NaN means missing). (Parameter 'row')", error.Message);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void AModelCompiledWithItsPipelineMatchesItsBaseline(bool quantized)
    {
        // A small table whose column names test the naming: spaces, a keyword, the row type's own name, a name with no
        // letter, one starting with a digit, two that differ by case; blanks, a missing token and a rare category.
        const string table = "annual income,grade,class,Row,€,2nd choice,Size,size,y\n"
            + "52000,A,x,1,2,p,3,4,0\n"
            + ",B,y,2,3,q,4,5,1\n"
            + "61000,,x,3,4,p,5,6,1\n"
            + "NA,A,z,4,5,q,6,7,0\n"
            + "47000,B,x,5,6,r,7,8,1\n"
            + "58000,A,y,6,7,p,8,9,0\n";
        using var stream = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(table));
        TableData data = Table.Read(stream, new TableOptions { MissingTokens = ["NA"], MissingIndicators = true, MaxCategories = 2, LabelColumns = ["y"] }, "small.csv");
        var model = new LogisticRegression(data.Pipeline.Features);
        for (int i = 0; i < model.Parameters.Length; i++)
        {
            model.Parameters[i] = (i % 5) - 2.5f;
        }

        using var harness = new FileModelHarness();
        if (quantized)
        {
            // Quantized on its table: the same row type and encoding, the integer engine behind them.
            ModelFile.Save(new TrainedModel(model, data.Metadata).Quantize(data), harness.PathOf("models/small.safetensors"));
        }
        else
        {
            ModelFile.Save(model, harness.PathOf("models/small.safetensors"), data.Metadata);
        }

        var (result, output) = harness.Run("using Native.Numerics;\nnamespace Demo;\n[GeneratedModel(\"models/small.safetensors\")] public static partial class Small;\n", "models/small.safetensors");
        Assert.Empty(result.Diagnostics);
        var problems = GeneratorHarness.Problems(output);
        Assert.True(problems.IsEmpty, string.Join("\n", problems.Take(20)));
        Snapshot.Verify(quantized ? "FileModelInt8WithRow" : "FileModelWithRow", Assert.Single(GeneratorHarness.Sources(result).Values));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void CategoriesMatchExactlyAsThePipelineMatchesThem(bool hashed)
    {
        // Values of one length that differ at each position, prefixes, case, padding, quotes, backslashes, accents and a
        // surrogate pair; then values never seen, blanks and the missing token, padded or not. Their keys (length; first,
        // middle and last character) are distinct, so the column is hashed; with "abcde" and "axcde", whose keys are one,
        // it is a switch.
        string[] kept = ["ab", "ba", "aa", "abc", "abd", "bbd", "B", " B", "b", "it's", "a\\b", "é", "e\u0301", "😀", "x,y", "Ab", "abcde", .. hashed ? Array.Empty<string>() : ["axcde"]];
        var table = new System.Text.StringBuilder("code,x,y\n");
        for (int i = 0; i < 4 * kept.Length; i++)
        {
            string value = kept[i % kept.Length];
            table.Append(value.Contains(',', StringComparison.Ordinal) ? "\"" + value + "\"" : value).Append(',').Append(i % 7).Append(',').Append(i % 2).Append('\n');
        }

        table.Append("NA,1,0\n,2,1\n");
        using var stream = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(table.ToString()));
        TableData data = Table.Read(stream, new TableOptions { MissingTokens = ["NA"], LabelColumns = ["y"], ColumnKinds = new Dictionary<string, ColumnKind> { ["code"] = ColumnKind.Category } }, "codes.csv");
        var model = new SoftmaxRegression(data.Pipeline.Features, 2);
        var random = new Random(5);
        for (int i = 0; i < model.Parameters.Length; i++)
        {
            model.Parameters[i] = (random.NextSingle() * 4) - 2;
        }

        using var harness = new FileModelHarness();
        string path = harness.PathOf("models/codes.safetensors");
        ModelFile.Save(model, path, data.Metadata);
        const string consumer = """
            using Native.Numerics;
            namespace Demo;
            [GeneratedModel("models/codes.safetensors")]
            internal static partial class Codes;
            internal static class Driver
            {
                public static void Predict(string? code, float[] probabilities) => Codes.PredictProbabilities(new Codes.Row { Code = code, X = 3 }, probabilities);
            }
            """;
        var (result, output) = harness.Run(consumer, "models/codes.safetensors");
        Assert.Empty(result.Diagnostics);
        string generated = Assert.Single(GeneratorHarness.Sources(result).Values);
        Assert.Equal(hashed, generated.Contains("ulong key = KeyOf(value);", StringComparison.Ordinal));
        Assert.Equal(!hashed, generated.Contains("switch (value.Length)", StringComparison.Ordinal));
        var predict = FileModelHarness.Load(output).GetType("Demo.Driver")!.GetMethod("Predict")!.CreateDelegate<Action<string?, float[]>>();
        TrainedModel loaded = ModelFile.Load(path);
        Assert.Equal(kept.Length, loaded.Pipeline!.Columns[0].Categories.Count);
        TableRow row = loaded.CreateRow();
        row.SetNumber("x", 3);
        string?[] values = [.. kept, "B ", "c", "abe", "bb", "a", "abcd", "axcde", "abxde", "", " ", "NA", " NA ", "na", "e", "😁", new string('B', 65537), "ab" + new string('\0', 65534), null];
        float[] ours = new float[2], theirs = new float[2];
        foreach (string? value in values)
        {
            if (value is null)
            {
                row.SetMissing("code");
            }
            else
            {
                row.SetText("code", value);
            }

            loaded.PredictProbabilities(row, theirs);
            predict(value, ours);
            Same(theirs[0], ours[0], $"'{value}'");
            Same(theirs[1], ours[1], $"'{value}'");
        }

        // The values give different answers, so a wrong slot would show.
        Assert.True(values.Select(value => { predict(value, ours); return ours[0]; }).Distinct().Count() > kept.Length);
    }

    public static TheoryData<string[], string[]> Names => new()
    {
        { ["loan_amount", "home ownership", "debt-to-income", "prénom", "Income"], ["LoanAmount", "HomeOwnership", "DebtToIncome", "Prénom", "Income"] },
        { ["a b", "a_b", "A B", "AB"], ["AB", "AB2", "AB3", "AB4"] },
        { ["Row", "ToString", "Equals", "class", "int"], ["Row2", "ToString2", "Equals2", "Class", "Int"] },
        { ["€", "", "  ", "2nd", "3"], ["Column1", "Column2", "Column3", "Column2nd", "Column32"] },
        { ["Column2", "?"], ["Column2", "Column22"] },
    };

    [Theory]
    [MemberData(nameof(Names))]
    public void ColumnNamesBecomeDistinctIdentifiersInFileOrder(string[] columns, string[] expected)
    {
        string[] names = RowNames.Of([.. columns.Select((name, i) => (name, i + 1))]);
        Assert.Equal(expected, names);
        Assert.All(names, name => Assert.True(Microsoft.CodeAnalysis.CSharp.SyntaxFacts.IsValidIdentifier(name), name));
    }
}
