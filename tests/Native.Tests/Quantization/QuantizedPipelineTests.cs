using System.Globalization;
using System.Text;
using FsCheck;
using FsCheck.Fluent;
using Native.Numerics;
using Native.Numerics.Quantization;
using Native.Tests.Data.Tables;
using Native.Tests.Kernels;
using Native.Tests.Onnx;
using Native.Tests.Support;

namespace Native.Tests.Quantization;

/// <summary>
/// A model that keeps a table's feature pipeline quantizes: calibrated on the pipeline's encoded rows (from its table, or from
/// records), the pipeline kept in floats before the integer layers, so a raw record — blanks, categories never seen — predicts
/// exactly what the integer layers predict from the row the pipeline encodes; saved and loaded bit for bit.
/// </summary>
public sealed class QuantizedPipelineTests
{
    private static readonly string[] Kinds = ["linear", "logistic", "softmax", "relu", "relu-tanh", "regressor"];

    private static readonly string[] Grades = ["A", "B", "C", "D", "", "NA"];

    private static readonly string[] Purposes = ["car", "house", "boat", "", "plane", "never seen"];

    /// <summary>A random table: income (numbers, blanks, NA), grade and purpose (categories, some blank), term (small numbers), a 0/1 label.</summary>
    private static string TableText(int rows, int seed)
    {
        var random = new Random(seed);
        var text = new StringBuilder("income,grade,purpose,term,default\r\n");
        for (int r = 0; r < rows; r++)
        {
            string income = random.Next(6) switch
            {
                0 => "",
                1 => "NA",
                _ => (20000 + (random.NextDouble() * 80000)).ToString("F1", CultureInfo.InvariantCulture),
            };
            string grade = random.Next(10) == 0 ? "" : Grades[random.Next(4)];
            string purpose = Purposes[random.Next(random.Next(12) == 0 ? 4 : 3)];
            string term = random.Next(8) == 0 ? "" : (random.Next(2) == 0 ? "36" : "60");
            text.Append(CultureInfo.InvariantCulture, $"{income},{grade},{purpose},{term},{random.Next(2)}\r\n");
        }

        return text.ToString();
    }

    /// <summary>A model of <paramref name="kind"/> with random parameters, keeping <paramref name="table"/>'s pipeline.</summary>
    private static TrainedModel Model(string kind, TableData table, int seed)
    {
        IModel model = QuantizedModelTests.Shape(kind, table.Pipeline.Features).CreateModel();
        DenseKernelTests.Random(model.Parameters.Length, seed, scale: 0.5f).CopyTo(model.Parameters);
        return new TrainedModel(model, new ModelMetadata { Pipeline = table.Pipeline });
    }

    /// <summary>The table's records, as <see cref="TableRowReader"/> reads them through the pipeline, each in a row of its own.</summary>
    private static List<TableRow> Records(string text, FeaturePipeline pipeline)
    {
        using var reader = new TableRowReader(new MemoryStream(Encoding.UTF8.GetBytes(text)), pipeline, "table.csv");
        var rows = new List<TableRow>();
        TableRow row = pipeline.CreateRow();
        while (reader.ReadRow(row))
        {
            rows.Add(row);
            row = pipeline.CreateRow();
        }

        return rows;
    }

    /// <summary>A record set value by value: an income (or blank), a grade and purpose from lists that hold values never seen, a term.</summary>
    private static void Set(TableRow row, int income, int grade, int purpose, int term)
    {
        row.SetText("income", income < 0 ? "" : income.ToString(CultureInfo.InvariantCulture));
        row.SetText("grade", grade < Grades.Length ? Grades[grade] : "Z");
        row.SetText("purpose", Purposes[purpose % Purposes.Length]);
        row.SetText("term", term < 0 ? " " : term.ToString(CultureInfo.InvariantCulture));
    }

    /// <summary>
    /// For random tables, model kinds and parameters, and records with blanks and values never seen: the int8 pipeline model's
    /// every prediction on the record equals, bit for bit, the integer layers' (a quantized model of the same integers without
    /// a pipeline) on the row the pipeline encodes; and calibrating on the table or on its records gives the same integers.
    /// </summary>
    [Fact]
    public void ARecordPredictsAsTheIntegerLayersOnItsEncodedRow()
    {
        Gen<(int Seed, int Kind, int[] Record)> cases =
            from seed in Gen.Choose(1, 100_000)
            from kind in Gen.Choose(0, Kinds.Length - 1)
            from record in Gen.ArrayOf(Gen.Choose(-1, 90_000), 4)
            select (seed, kind, record);
        Properties.ForAll(cases, c =>
        {
            string text = TableText(30 + (c.Seed % 50), c.Seed);
            TableData table = TableTestData.Read(text, new TableOptions { MissingTokens = ["NA"], MissingIndicators = c.Seed % 2 == 0, LabelColumns = ["default"] });
            FeaturePipeline pipeline = table.Pipeline;
            TrainedModel trained = Model(Kinds[c.Kind], table, c.Seed);
            TrainedModel quantized = trained.Quantize(table);
            TrainedModel fromRecords = trained.Quantize(Records(text, pipeline));
            QuantizedOnnxTests.AssertSameIntegers(quantized.QuantizedParameters!, fromRecords.QuantizedParameters!);
            Assert.Same(pipeline, quantized.Pipeline);
            Assert.True(quantized.IsQuantized);

            // The integer layers alone, on an engine of their own: they take the encoded (not standardized) row.
            var layers = new TrainedModel(quantized.QuantizedParameters!, new ModelMetadata { Standardizer = pipeline.Standardizer }, libraryVersion: null);
            TableRow row = quantized.CreateRow();
            Set(row, c.Record[0] % 3 == 0 ? -1 : c.Record[0], Math.Abs(c.Record[1]) % (Grades.Length + 1), Math.Abs(c.Record[2]), c.Record[3] % 4 == 0 ? -1 : c.Record[3] % 100);
            float[] encoded = new float[pipeline.Features];
            pipeline.Encode(row, encoded);
            AssertSamePredictions(quantized, row, layers, encoded);

            // With per-row scales (no calibration), likewise.
            TrainedModel perRow = trained.Quantize();
            Assert.Same(pipeline, perRow.Pipeline);
            AssertSamePredictions(perRow, row, new TrainedModel(perRow.QuantizedParameters!, new ModelMetadata { Standardizer = pipeline.Standardizer }, libraryVersion: null), encoded);
        });
    }

    [Fact]
    public void TheFileKeepsThePipelineAndPredictsTheSameBits()
    {
        string text = TableText(60, 7);
        TableData table = TableTestData.Read(text, new TableOptions { MissingTokens = ["NA"], MissingIndicators = true, LabelColumns = ["default"] });
        foreach (string kind in Kinds)
        {
            TrainedModel quantized = Model(kind, table, 11).Quantize(table);
            using var stream = new MemoryStream();
            ModelFile.Save(quantized, stream, ModelFormat.Safetensors);
            stream.Position = 0;
            TrainedModel loaded = ModelFile.Load(stream, ModelFormat.Safetensors, "q.safetensors");
            Assert.True(loaded.IsQuantized);
            Assert.NotNull(loaded.Pipeline);
            Assert.Equal(table.Pipeline.FeatureNames, loaded.FeatureNames);
            Assert.Equal(table.Pipeline.Columns.Select(column => column.Name), loaded.Pipeline!.Columns.Select(column => column.Name));
            QuantizedOnnxTests.AssertSameIntegers(quantized.QuantizedParameters!, loaded.QuantizedParameters!);

            // The file says int8 (format 3) and keeps the pipeline's entry.
            Dictionary<string, string> metadata = PipelineFileTests.MetadataOf(stream.ToArray());
            Assert.Equal("3", metadata["native.format"]);
            Assert.Equal("int8_calibrated", metadata["native.quantization"]);
            Assert.True(metadata.ContainsKey("native.pipeline"));

            // Saved again, the same bytes; its records predict the same bits as the model saved.
            using var again = new MemoryStream();
            ModelFile.Save(loaded, again, ModelFormat.Safetensors);
            Assert.Equal(stream.ToArray(), again.ToArray());
            List<TableRow> before = Records(text, table.Pipeline), after = Records(text, loaded.Pipeline);
            for (int i = 0; i < before.Count; i++)
            {
                AssertSamePredictions(loaded, after[i], quantized, before[i]);
            }
        }
    }

    [Fact]
    public void APipelineOfNumbersOnlyCalibratesOnItsFloatRows()
    {
        // One value per number column, NaN for missing: the float-span rule of such a model, for calibration and prediction.
        var text = new StringBuilder("a,b,y\n");
        for (int i = 0; i < 40; i++)
        {
            text.Append(CultureInfo.InvariantCulture, $"{(i % 5 == 0 ? "" : (i * 0.75).ToString(CultureInfo.InvariantCulture))},{i % 7},{i % 2}\n");
        }

        TableData table = TableTestData.Read(text.ToString(), new TableOptions { MissingIndicators = true });
        Assert.Equal(3, table.Pipeline.Features);
        TrainedModel trained = Model("logistic", table, 3);
        Assert.Equal(2, trained.Features);
        float[] rows = [float.NaN, 3f, 4.5f, 1f, 20f, 6f, 0.75f, float.NaN];
        TrainedModel quantized = trained.Quantize(rows);
        float[] encoded = new float[3 * 4];
        for (int i = 0; i < 4; i++)
        {
            table.Pipeline.EncodeNumbers(rows.AsSpan(2 * i, 2), encoded.AsSpan(3 * i, 3));
        }

        QuantizedOnnxTests.AssertSameIntegers(Quantizer.Quantize(trained.Shape, trained.Model.Parameters, table.Pipeline.Standardizer, encoded, ActivationScaling.Calibrated), quantized.QuantizedParameters!);
        int[] classes = new int[4];
        float[] probabilities = new float[8];
        quantized.PredictClasses(rows, classes);
        quantized.PredictProbabilities(rows, probabilities);
        TableRow row = quantized.CreateRow();
        for (int i = 0; i < 4; i++)
        {
            row.SetNumber("a", rows[2 * i]);
            row.SetNumber("b", rows[(2 * i) + 1]);
            float[] expected = new float[2];
            quantized.PredictProbabilities(row, expected);
            Assert.Equal(Bits(expected), Bits(probabilities.AsSpan(2 * i, 2)));
            Assert.Equal(quantized.PredictClass(row), classes[i]);
            Assert.Equal(classes[i], quantized.PredictClass(rows.AsSpan(2 * i, 2)));
        }

        Assert.Contains("Calibration row 0, value 0 is", Assert.Throws<ArgumentException>(() => trained.Quantize([float.PositiveInfinity, 1f])).Message);
        Assert.Contains("not a whole number", Assert.Throws<ArgumentException>(() => trained.Quantize([1f, 2f, 3f])).Message);
    }

    [Fact]
    public void PredictingARecordAllocatesNothing()
    {
        TableData table = TableTestData.Read(TableTestData.Loans);
        TrainedModel quantized = Model("relu", table, 5).Quantize(table);
        TableRow row = quantized.CreateRow();
        float[] probabilities = new float[10];
        long allocated = Allocations.Measure(() =>
        {
            row.SetText("income", "51000.5");
            row.SetCategory("grade", "B");
            row.SetText("purpose", "never seen");
            quantized.PredictProbabilities(row, probabilities);
            _ = quantized.PredictClass(row);
            _ = quantized.PredictClassName(row);
            row.Clear();
        });
        Assert.Equal(0, allocated);
    }

    [Fact]
    public void RefusesCalibrationItCannotUse()
    {
        TableData table = TableTestData.Read(TableTestData.Loans);
        TrainedModel trained = Model("softmax", table, 5);

        // Rows of floats cannot hold categories; a table or records of another pipeline encode other features.
        Assert.Contains("Table.Read(path, model.Pipeline)", Assert.Throws<NotSupportedException>(() => trained.Quantize(new float[trained.Features])).Message);
        TableData other = TableTestData.Read(TableTestData.Loans.Replace("boat", "ship", StringComparison.Ordinal));
        Assert.Contains("another pipeline", Assert.Throws<ArgumentException>(() => trained.Quantize(other)).Message);
        Assert.Throws<ArgumentException>(() => trained.Quantize([other.Pipeline.CreateRow()]));
        Assert.Contains("No calibration records", Assert.Throws<ArgumentException>(() => trained.Quantize(Array.Empty<TableRow>())).Message);

        // The same table read again fits an equal pipeline: accepted, with the same integers.
        TableData again = TableTestData.Read(TableTestData.Loans);
        QuantizedOnnxTests.AssertSameIntegers(trained.Quantize(table).QuantizedParameters!, trained.Quantize(again).QuantizedParameters!);

        // A model without a pipeline takes rows of floats, not tables or records.
        var plain = new TrainedModel(new LogisticRegression(table.Pipeline.Features));
        Assert.Throws<NotSupportedException>(() => plain.Quantize(table));
        Assert.Throws<NotSupportedException>(() => plain.Quantize([table.Pipeline.CreateRow()]));
        Assert.Contains("quantized already", Assert.Throws<NotSupportedException>(() => trained.Quantize(table).Quantize(table)).Message);
    }

    /// <summary>Every prediction call of <paramref name="actual"/> on <paramref name="row"/> gives <paramref name="expected"/>'s on <paramref name="input"/> (a record or an encoded row), bit for bit.</summary>
    private static void AssertSamePredictions(TrainedModel actual, TableRow row, TrainedModel expected, object input)
    {
        if (actual.Task == ModelTask.Regression)
        {
            float[] values = new float[actual.Outputs], wanted = new float[actual.Outputs];
            actual.PredictValues(row, values);
            Predict(expected, input, wanted, values: true);
            Assert.Equal(Bits(wanted), Bits(values));
            if (actual.Outputs == 1)
            {
                Assert.Equal(BitConverter.SingleToInt32Bits(wanted[0]), BitConverter.SingleToInt32Bits(actual.PredictValue(row)));
                Assert.True(actual.TryPredictValue(row, out float value));
                Assert.Equal(BitConverter.SingleToInt32Bits(wanted[0]), BitConverter.SingleToInt32Bits(value));
            }

            return;
        }

        float[] probabilities = new float[actual.Classes], expectedProbabilities = new float[actual.Classes];
        actual.PredictProbabilities(row, probabilities);
        Predict(expected, input, expectedProbabilities, values: false);
        Assert.Equal(Bits(expectedProbabilities), Bits(probabilities));
        int predicted = input is TableRow record ? expected.PredictClass(record) : expected.PredictClass((float[])input);
        Assert.Equal(predicted, actual.PredictClass(row));
        Assert.True(actual.TryPredictClass(row, out int tried));
        Assert.Equal(predicted, tried);
        Assert.Equal(actual.ClassNames.Count > 0 ? actual.ClassNames[predicted] : predicted.ToString(CultureInfo.InvariantCulture), actual.PredictClassName(row));
    }

    private static void Predict(TrainedModel model, object input, float[] outputs, bool values)
    {
        switch (input, values)
        {
            case (TableRow record, true):
                model.PredictValues(record, outputs);
                break;
            case (TableRow record, false):
                model.PredictProbabilities(record, outputs);
                break;
            case (float[] encoded, true):
                model.PredictValues(encoded, outputs);
                break;
            default:
                model.PredictProbabilities((float[])input, outputs);
                break;
        }
    }

    private static int[] Bits(ReadOnlySpan<float> values) => [.. values.ToArray().Select(BitConverter.SingleToInt32Bits)];
}
