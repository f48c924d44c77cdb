using Native.Numerics;
using Native.Numerics.CompilerServices;
using Native.Numerics.Kernels;
using Native.Tests.Support;

namespace Native.Tests.Data.Tables;

/// <summary>
/// A model that travels with its pipeline predicts from a <see cref="TableRow"/> exactly — to the bit — what its model
/// predicts from the row <see cref="FeaturePipeline.Transform"/> writes, on every vector path, allocating nothing.
/// </summary>
public sealed class PipelinePredictionTests
{
    private static readonly string[][] Records =
    [
        ["7", "48000", "B", "car", "36"],
        ["8", "", "A", "", ""],
        ["9", "NA", "Z", "plane", "60"],
        ["10", "1e6", "C", "boat", "12"],
    ];

    public static TheoryData<string> AllWidths => Widths.All;

    [Theory]
    [MemberData(nameof(AllWidths))]
    public void ATableRowPredictsAsTheTransformedRowThroughTheModel(string width)
    {
        TableData table = TableTestData.Read(TableTestData.Loans, new TableOptions { MissingTokens = ["NA"], MissingIndicators = true });
        foreach (IModel model in new IModel[] { new SoftmaxRegression(table.Pipeline.Features, 2), new LogisticRegression(table.Pipeline.Features), MultilayerPerceptron(table.Pipeline.Features) })
        {
            ((IModelRuntimeOwner)model).Runtime.Width = Widths.Parse(width);
            new Trainer(model, new Adam(0.05f), new TrainerOptions { Epochs = 20, BatchSize = 3, Seed = 5 }).Fit(table.StandardizedData);
            var trained = new TrainedModel(model, table.Metadata);
            TableRow row = trained.CreateRow();
            float[] features = new float[table.Pipeline.Features];
            foreach (string[] record in Records)
            {
                Set(row, record);
                table.Pipeline.Transform(row, features);
                float[] expected = new float[2], actual = new float[2];
                var classifier = (IClassifier)model;
                classifier.PredictProbabilities(features, expected);
                trained.PredictProbabilities(row, actual);
                Assert.Equal(Bits(expected), Bits(actual));
                Assert.Equal(classifier.PredictClass(features), trained.PredictClass(row));
                Assert.True(trained.TryPredictClass(row, out int predicted));
                Assert.Equal(trained.PredictClass(row), predicted);
                Assert.Equal(trained.ClassNames[predicted], trained.PredictClassName(row));
            }
        }
    }

    [Fact]
    public void ARegressionPredictsValuesFromTableRows()
    {
        TableData table = TableTestData.Read("size,zone,price\n50,a,100.5\n,b,200.25\n70,a,150.75\n90,c,300.5\n", new TableOptions { Labels = CsvLabels.Regression });
        var model = new LinearRegression(table.Pipeline.Features);
        new Trainer(model, new Adam(0.1f), new TrainerOptions { Epochs = 50, BatchSize = 4 }).Fit(table.StandardizedData);
        var trained = new TrainedModel(model, table.Metadata);
        TableRow row = trained.CreateRow();
        row.SetText("size", "");
        row.SetText("zone", "unseen");
        float[] features = new float[table.Pipeline.Features];
        table.Pipeline.Transform(row, features);
        Assert.Equal(model.PredictValue(features), trained.PredictValue(row));
        Assert.True(trained.TryPredictValue(row, out float value));
        Assert.Equal(model.PredictValue(features), value);
        float[] values = new float[1];
        trained.PredictValues(row, values);
        Assert.Equal(value, values[0]);
        Assert.Throws<NotSupportedException>(() => trained.PredictClass(row));
    }

    [Fact]
    public void PredictingFromATableRowAllocatesNothing()
    {
        TableData table = TableTestData.Read(TableTestData.Loans);
        var trained = new TrainedModel(new SoftmaxRegression(table.Pipeline.Features, 2), table.Metadata);
        TableRow row = trained.CreateRow();
        float[] probabilities = new float[2];
        int grade = row.ColumnOf("grade"), income = row.ColumnOf("income"), purpose = row.ColumnOf("purpose");
        long allocated = Allocations.Measure(() =>
        {
            row.SetText(income, "51000.5");
            row.SetCategory(grade, "B");
            row.SetText(purpose, "never seen");
            row.SetNumber(income, float.NaN);
            trained.PredictProbabilities(row, probabilities);
            _ = trained.PredictClass(row);
            _ = trained.PredictClassName(row);
            row.Clear();
        });
        Assert.Equal(0, allocated);
    }

    [Fact]
    public void AWideModelEncodesIntoTheThreadsBufferAndAllocatesNothingAfterTheFirstRow()
    {
        // 300 categories: 300 features, past what is written on the stack.
        var text = new System.Text.StringBuilder("code,y\n");
        for (int i = 0; i < 600; i++)
        {
            text.Append(System.Globalization.CultureInfo.InvariantCulture, $"c{i % 300},{i % 2}\n");
        }

        TableData table = TableTestData.Read(text.ToString(), new TableOptions { MaxCategories = 1000 });
        Assert.Equal(300, table.Pipeline.Features);
        var model = new SoftmaxRegression(300, 2);
        new Trainer(model, new GradientDescent(0.5f), new TrainerOptions { Epochs = 3, BatchSize = 64 }).Fit(table.StandardizedData);
        var trained = new TrainedModel(model, table.Metadata);
        TableRow row = trained.CreateRow();
        row.SetCategory(0, "c123");
        float[] features = new float[300], expected = new float[2], actual = new float[2];
        table.Pipeline.Transform(row, features);
        model.PredictProbabilities(features, expected);
        trained.PredictProbabilities(row, actual);
        Assert.Equal(Bits(expected), Bits(actual));
        Assert.Equal(0, Allocations.Measure(() => trained.PredictProbabilities(row, actual)));
    }

    [Fact]
    public void AllNumericPipelinesKeepTheFloatSpanCallsWithNaNForMissing()
    {
        // A column of identifiers is ignored: the float row has one value per number column (2), not per column (3).
        var text = new System.Text.StringBuilder("id,a,b,y\n");
        for (int i = 0; i < 40; i++)
        {
            string a = i % 5 == 0 ? "" : (i * 0.5).ToString(System.Globalization.CultureInfo.InvariantCulture);
            text.Append(System.Globalization.CultureInfo.InvariantCulture, $"{i},{a},{i % 7},{(i % 3 == 0 ? 1 : 0)}\n");
        }

        TableData table = TableTestData.Read(text.ToString(), new TableOptions { MissingIndicators = true });
        Assert.Equal(ColumnKind.Ignored, table.Pipeline.Columns[0].Kind);
        Assert.Equal(3, table.Pipeline.Features); // a, a (missing), b
        var model = new LogisticRegression(3);
        new Trainer(model, new Adam(0.05f), new TrainerOptions { Epochs = 20, BatchSize = 8 }).Fit(table.StandardizedData);
        var trained = new TrainedModel(model, table.Metadata);
        Assert.Equal(2, trained.Features);

        float[] rows = [float.NaN, 3f, 4.5f, 1f];
        TableRow row = trained.CreateRow();
        int[] classes = new int[2];
        float[] probabilities = new float[4];
        trained.PredictClasses(rows, classes);
        trained.PredictProbabilities(rows, probabilities);
        for (int i = 0; i < 2; i++)
        {
            row.SetNumber("a", rows[2 * i]);
            row.SetNumber("b", rows[(2 * i) + 1]);
            float[] expected = new float[2];
            trained.PredictProbabilities(row, expected);
            Assert.Equal(Bits(expected), Bits(probabilities.AsSpan(2 * i, 2)));
            Assert.Equal(trained.PredictClass(row), classes[i]);
            Assert.Equal(trained.PredictClass(row), trained.PredictClass(rows.AsSpan(2 * i, 2)));
        }

        Assert.Throws<ArgumentException>(() => trained.PredictClass([1f, 2f, 3f]));
        Assert.Equal(0, Allocations.Measure(() => trained.PredictClasses(rows, classes)));

        // With a category, the float calls are refused, naming CreateRow.
        TableData mixed = TableTestData.Read(TableTestData.Loans);
        var withCategories = new TrainedModel(new LogisticRegression(mixed.Pipeline.Features), mixed.Metadata);
        Assert.Equal(mixed.Pipeline.Features, withCategories.Features);
        NotSupportedException refused = Assert.Throws<NotSupportedException>(() => withCategories.PredictClass(new float[mixed.Pipeline.Features]));
        Assert.Contains("CreateRow", refused.Message);
    }

    /// <summary>
    /// A program that evaluates a table model on held-out rows tries the float-span calls first (ClassificationReport
    /// on the table it read): the refusal says how to score a whole table, and that way gives each record's own answer.
    /// </summary>
    [Fact]
    public void TheRefusalOfFloatRowsSaysHowToScoreAWholeTable()
    {
        TableData table = TableTestData.Read(TableTestData.Loans);
        var model = new LogisticRegression(table.Pipeline.Features);
        new Trainer(model, new Adam(0.05f), new TrainerOptions { Epochs = 20, BatchSize = 3, Seed = 5 }).Fit(table.StandardizedData);
        var trained = new TrainedModel(model, table.Metadata);
        TableData heldOut = TableTestData.Read("loan_id,income,grade,purpose,term,default\n7,48000,B,car,36,0\n8,,A,,,1\n9,90000,Z,plane,60,0\n", trained.Pipeline!);

        NotSupportedException refused = Assert.Throws<NotSupportedException>(() => ClassificationReport.Evaluate(trained, heldOut.Data));
        Assert.Contains("Table.Read(path, Pipeline)", refused.Message);
        Assert.Contains("ClassificationReport.Evaluate((IClassifier)Model, data.StandardizedData)", refused.Message);

        // The advice: each held-out row's class is the one its record gets through the model's own calls.
        ClassificationReport report = ClassificationReport.Evaluate((IClassifier)trained.Model, heldOut.StandardizedData);
        Assert.Equal(3, report.Count);
        string[][] records = [["7", "48000", "B", "car", "36"], ["8", "", "A", "", ""], ["9", "90000", "Z", "plane", "60"]];
        TableRow row = trained.CreateRow();
        for (int i = 0; i < records.Length; i++)
        {
            Set(row, records[i]);
            Assert.Equal(trained.PredictClass(row), ((IClassifier)trained.Model).PredictClass(heldOut.StandardizedData.Row(i)));
        }
    }

    [Fact]
    public void RowsOfAnotherPipelineAndModelsWithoutOneAreRefused()
    {
        TableData a = TableTestData.Read(TableTestData.Loans), b = TableTestData.Read(TableTestData.Loans);
        var trained = new TrainedModel(new LogisticRegression(a.Pipeline.Features), a.Metadata);
        Assert.Throws<ArgumentException>(() => trained.PredictClass(b.Pipeline.CreateRow()));
        var plain = new TrainedModel(new LogisticRegression(3));
        Assert.Throws<NotSupportedException>(() => plain.CreateRow());
        Assert.Throws<NotSupportedException>(() => plain.PredictClass(a.Pipeline.CreateRow()));
    }

    [Fact]
    public void TheSettersRefuseWhatIsNotTheirs()
    {
        FeaturePipeline pipeline = TableTestData.Read(TableTestData.Loans, new TableOptions { UnknownCategories = UnknownCategories.Error }).Pipeline;
        TableRow row = pipeline.CreateRow();
        Assert.Contains("holds categories", Assert.Throws<ArgumentException>(() => row.SetNumber("grade", 1f)).Message);
        Assert.Contains("holds numbers", Assert.Throws<ArgumentException>(() => row.SetCategory("income", "x")).Message);
        Assert.Contains("not a finite number", Assert.Throws<ArgumentException>(() => row.SetNumber("income", float.PositiveInfinity)).Message);
        Assert.Contains("'abc' is not a number", Assert.Throws<ArgumentException>(() => row.SetText("income", "abc")).Message);
        Assert.Contains("'1e999' is not a finite number", Assert.Throws<ArgumentException>(() => row.SetText("income", "1e999")).Message);
        Assert.Contains("'Z' is not one of the 3 categories", Assert.Throws<ArgumentException>(() => row.SetCategory("grade", "Z")).Message);
        Assert.Contains("no column 'nope'", Assert.Throws<ArgumentException>(() => row.ColumnOf("nope")).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => row.SetMissing(99));
        Assert.True(row.TryGetColumn("term".AsSpan(), out int term));
        Assert.Equal(4, term);
        Assert.False(row.TryGetColumn("nope".AsSpan(), out _));

        // A blank category in a column that had none in training is all zeros, never an error.
        row.SetText("grade", " ");
        float[] features = new float[pipeline.Features];
        pipeline.Transform(row, features);
        Assert.Equal([0f, 0f, 0f], features.AsSpan(2, 3).ToArray());
    }

    [Fact]
    public void ATableReadThroughAPipelineEncodesUnseenValuesAndBlanks()
    {
        TableData training = TableTestData.Read(TableTestData.Loans);
        TableData held = TableTestData.Read("default;term;purpose;grade;income;loan_id;extra\n1;;plane;Z;;100;x\n0;60;car;A;41000;101;y\n", training.Pipeline, new TableOptions { LabelColumns = ["default"] });
        Assert.Same(training.Pipeline, held.Pipeline);
        Assert.Equal([1, 0], held.Data.Labels.ToArray());
        float fill = training.Pipeline.Columns[1].Fill, termFill = training.Pipeline.Columns[4].Fill;
        Assert.Equal([100f, fill, 0, 0, 0, 0, 0, 0, 0, termFill], held.Data.Row(0).ToArray());
        Assert.Equal([101f, 41000, 1, 0, 0, 0, 1, 0, 0, 60], held.Data.Row(1).ToArray());

        // A column the pipeline reads, missing from the file: an error naming it.
        FileFormatException missing = Assert.Throws<FileFormatException>(() => TableTestData.Read("income,grade,purpose,term,default\n1,A,car,36,0\n", training.Pipeline));
        Assert.Contains("no column is named 'loan_id'", missing.Message);

        // A value the pipeline refuses: at its line and column.
        FileFormatException bad = Assert.Throws<FileFormatException>(() => TableTestData.Read("loan_id,income,grade,purpose,term,default\n1,2,A,car,36,0\n2,lots,A,car,36,1\n", training.Pipeline));
        Assert.Equal((3, 3), (bad.Line, bad.Column));
        Assert.Contains("'lots' is not a number", bad.Message);
    }

    private static MultilayerPerceptron MultilayerPerceptron(int features)
    {
        return new MultilayerPerceptron([features, 5, 2], Activation.Relu, seed: 2);
    }

    private static void Set(TableRow row, string[] record)
    {
        for (int c = 0; c < record.Length; c++)
        {
            row.SetText(c, record[c]);
        }
    }

    private static int[] Bits(ReadOnlySpan<float> values) => [.. values.ToArray().Select(BitConverter.SingleToInt32Bits)];
}
