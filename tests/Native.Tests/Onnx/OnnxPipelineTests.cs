using System.Globalization;
using Microsoft.ML.OnnxRuntime;
using Native.Numerics;
using Native.Tests.Support;

namespace Native.Tests.Onnx;

/// <summary>
/// Models with a feature pipeline saved as ONNX: ONNX Runtime, fed the raw columns of tests/data/loans (blanks, categories
/// never seen in training, missing tokens), gives the probabilities <see cref="TrainedModel"/> gives on the same records.
/// </summary>
public sealed class OnnxPipelineTests
{
    private static readonly string Loans = Path.Combine(Mnist.RepositoryRoot(), "tests", "data", "loans");

    /// <summary>Pipelines of every shape the loans table can take: indicators, an other slot, missing tokens, median fills, no standardizer.</summary>
    public static TheoryData<string> Variants => ["plain", "indicators-other-tokens", "median-unstandardized"];

    [Theory]
    [MemberData(nameof(Variants))]
    public void OnnxRuntimeGivesTheLogisticRegressionsProbabilitiesOnRawRows(string variant)
    {
        TableData training = Table.Read(Path.Combine(Loans, "loans-train.csv"), Options(variant));
        var model = new LogisticRegression(training.Pipeline.Features);
        new Trainer(model, new Adam(0.01f), new TrainerOptions { Epochs = 3, BatchSize = 64, Seed = 1 }).Fit(training.StandardizedData);

        AssertOnnxRuntimeAgrees(new TrainedModel(model, training.Metadata), "probability");
    }

    [Fact]
    public void OnnxRuntimeGivesThePerceptronsProbabilitiesOnRawRows()
    {
        TableData training = Table.Read(Path.Combine(Loans, "loans-train.csv"), Options("indicators-other-tokens"));
        var model = new MultilayerPerceptron([training.Pipeline.Features, 16, 2], Activation.Relu, seed: 1);
        new Trainer(model, new Adam(1e-3f), new TrainerOptions { Epochs = 2, BatchSize = 200, Seed = 1 }).Fit(training.StandardizedData);

        AssertOnnxRuntimeAgrees(new TrainedModel(model, training.Metadata), "probabilities");
    }

    [Theory]
    [MemberData(nameof(Variants))]
    public void ReadBackThePipelineIsTheSameAndPredictsBitEqualOnRawRows(string variant)
    {
        TableData training = Table.Read(Path.Combine(Loans, "loans-train.csv"), Options(variant));
        var model = new MultilayerPerceptron([training.Pipeline.Features, 8, 2], Activation.Tanh, seed: 2);
        new Trainer(model, new Adam(1e-3f), new TrainerOptions { Epochs = 1, BatchSize = 200, Seed = 1 }).Fit(training.StandardizedData);
        var trained = new TrainedModel(model, training.Metadata);
        using var file = new MemoryStream();
        ModelFile.Save(trained.Model, file, ModelFormat.Onnx, trained.Metadata);
        file.Position = 0;

        TrainedModel loaded = ModelFile.Load(file, ModelFormat.Onnx);

        AssertSamePipeline(trained.Pipeline!, loaded.Pipeline!);
        List<string[]> records = RawRecords(trained.Pipeline!, out string[] header);
        float[][] ours = NativeProbabilities(trained, header, records), theirs = NativeProbabilities(loaded, header, records);
        for (int r = 0; r < ours.Length; r++)
        {
            Assert.Equal(ours[r].Select(BitConverter.SingleToInt32Bits), theirs[r].Select(BitConverter.SingleToInt32Bits));
        }
    }

    [Fact]
    public void SafetensorsToOnnxToSafetensorsKeepsWhatPredicts()
    {
        TableData training = Table.Read(Path.Combine(Loans, "loans-train.csv"), Options("indicators-other-tokens"));
        var model = new LogisticRegression(training.Pipeline.Features);
        Numerics.ModelMetadata metadata = training.Metadata;
        using var onnx = new MemoryStream();
        ModelFile.Save(model, onnx, ModelFormat.Onnx, metadata);
        onnx.Position = 0;
        TrainedModel loaded = ModelFile.Load(onnx, ModelFormat.Onnx);
        using var safetensors = new MemoryStream();
        ModelFile.Save(loaded.Model, safetensors, ModelFormat.Safetensors, loaded.Metadata);
        safetensors.Position = 0;

        TrainedModel again = ModelFile.Load(safetensors, ModelFormat.Safetensors);

        AssertSamePipeline(training.Pipeline, again.Pipeline!);
        Assert.Equal(training.Pipeline.FeatureNames, again.Pipeline!.FeatureNames);
        Assert.Equal(["NA", "?"], again.Pipeline.MissingTokens);
    }

    [Fact]
    public void AGraphWithTextInputsThatIsNotThePipelineIsRefusedInOneLine()
    {
        byte[] file = ExportedLoansModel();
        Replace(file, "pipeline.features", "pipeline.featureX", all: true); // the same graph, but not Native's pipeline by name

        FileFormatException e = Assert.Throws<FileFormatException>(() => ModelFile.Load(new MemoryStream(file), ModelFormat.Onnx));
        Assert.Contains("the graph has 13 inputs", e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void APipelineWhoseFillIsNotAConstantIsRefusedInOneLine()
    {
        byte[] file = ExportedLoansModel();
        Replace(file, "pipeline.1.fill", "pipeline.1.fikl", all: false); // the initializer renamed: the Where's fill is nothing

        FileFormatException e = Assert.Throws<FileFormatException>(() => ModelFile.Load(new MemoryStream(file), ModelFormat.Onnx));
        Assert.Contains("'pipeline.1.fill') is not an initializer or a Constant", e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    private static byte[] ExportedLoansModel()
    {
        TableData training = Table.Read(Path.Combine(Loans, "loans-train.csv"), Options("plain"));
        using var file = new MemoryStream();
        ModelFile.Save(new LogisticRegression(training.Pipeline.Features), file, ModelFormat.Onnx, training.Metadata);
        return file.ToArray();
    }

    /// <summary>Replaces text of the same length in a file's bytes: every occurrence, or the last one.</summary>
    private static void Replace(byte[] file, string from, string to, bool all)
    {
        byte[] find = System.Text.Encoding.UTF8.GetBytes(from), put = System.Text.Encoding.UTF8.GetBytes(to);
        Assert.Equal(find.Length, put.Length);
        int count = 0;
        for (int at = file.Length - find.Length; at >= 0; at--)
        {
            if (file.AsSpan(at, find.Length).SequenceEqual(find))
            {
                put.CopyTo(file, at);
                count++;
                if (!all)
                {
                    break;
                }
            }
        }

        Assert.True(count > 0);
    }

    [Fact]
    public void TheVariantsHaveWhatTheyAreNamedFor()
    {
        FeaturePipeline awkward = Table.Read(Path.Combine(Loans, "loans-train.csv"), Options("indicators-other-tokens")).Pipeline;
        Assert.Contains(awkward.Columns, column => column.HasIndicator);
        Assert.Contains(awkward.Columns, column => column.HasOther);
        Assert.Contains(awkward.Columns, column => column.HasMissingSlot);
        Assert.Contains(awkward.Columns, column => column.Kind == ColumnKind.Category && !column.HasMissingSlot);
        Assert.Null(Table.Read(Path.Combine(Loans, "loans-train.csv"), Options("median-unstandardized")).Pipeline.Standardizer);
    }

    [Fact]
    public void AColumnNamedLikeAValueOfTheGraphIsRefused()
    {
        TableData table = Data.Tables.TableTestData.Read(Data.Tables.TableTestData.Loans.Replace("income", "logits", StringComparison.Ordinal));
        var model = new LogisticRegression(table.Pipeline.Features);
        ArgumentException e = Assert.Throws<ArgumentException>(() => ModelFile.Save(model, new MemoryStream(), ModelFormat.Onnx, table.Metadata));
        Assert.Contains("'logits'", e.Message);
    }

    /// <summary>What predicts is the same: the columns that write features, their fills, slots and categories, the tokens, the standardizer.</summary>
    internal static void AssertSamePipeline(FeaturePipeline expected, FeaturePipeline actual)
    {
        PipelineColumn[] used = [.. expected.Columns.Where(column => column.Kind != ColumnKind.Ignored)];
        Assert.Equal(used.Length, actual.Columns.Count);
        for (int c = 0; c < used.Length; c++)
        {
            PipelineColumn e = used[c], a = actual.Columns[c];
            Assert.Equal((e.Name, e.Kind, e.Offset, e.Width, e.HasIndicator, e.HasOther, e.HasMissingSlot), (a.Name, a.Kind, a.Offset, a.Width, a.HasIndicator, a.HasOther, a.HasMissingSlot));
            Assert.Equal(BitConverter.SingleToInt32Bits(e.Fill), BitConverter.SingleToInt32Bits(a.Fill));
            Assert.Equal(e.Categories, a.Categories);
        }

        Assert.Equal(expected.MissingTokens, actual.MissingTokens);
        Assert.Equal(expected.DecimalComma, actual.DecimalComma);
        Assert.Equal(expected.ThousandsSeparator, actual.ThousandsSeparator);
        Assert.Equal(expected.Standardizer is null, actual.Standardizer is null);
        if (expected.Standardizer is { } standardizer)
        {
            Assert.Equal(standardizer.Means.ToArray().Select(BitConverter.SingleToInt32Bits), actual.Standardizer!.Means.ToArray().Select(BitConverter.SingleToInt32Bits));
            Assert.Equal(standardizer.StandardDeviations.ToArray().Select(BitConverter.SingleToInt32Bits), actual.Standardizer.StandardDeviations.ToArray().Select(BitConverter.SingleToInt32Bits));
        }
    }

    internal static TableOptions Options(string variant) => variant switch
    {
        "plain" => new() { LabelColumns = ["default"] },
        "indicators-other-tokens" => new() { LabelColumns = ["default"], MissingIndicators = true, MaxCategories = 4, MissingTokens = ["NA", "?"] },
        _ => new() { LabelColumns = ["default"], Imputation = Imputation.Median, Standardize = false },
    };

    /// <summary>The test file's records, then records made to be awkward: all blank, unseen values, missing tokens.</summary>
    internal static List<string[]> RawRecords(FeaturePipeline pipeline, out string[] header)
    {
        string[] lines = File.ReadAllLines(Path.Combine(Loans, "loans-test.csv"));
        string[] names = lines[0].Split(',');
        header = names;
        Assert.DoesNotContain(lines, line => line.Contains('"', StringComparison.Ordinal)); // so a split on commas is the CSV reader's
        var records = lines.Skip(1).Take(600).Select(line => line.Split(',')).ToList();
        records.Add([.. names.Select(_ => "")]);
        records.Add(["1", "", "", "", "", "", "", "", "Z", "crypto", "castle", "ZZ", "unknown", "maybe", "0"]);
        records.Add(["2", "1e9", "-5", "0", "0", "-1", "1000", "0", " B", "b", "RENT ", "", "", "yes", "0"]);
        if (pipeline.MissingTokens.Count > 0)
        {
            records.Add(["3", "NA", "?", "NA", "?", "", "NA", "?", "?", "NA", "", "?", "NA", "", "0"]);
        }

        Assert.All(records, record => Assert.Equal(names.Length, record.Length));
        return records;
    }

    /// <summary>Our probabilities on <paramref name="records"/>, through the model's table-row calls (the values set as CSV text).</summary>
    internal static float[][] NativeProbabilities(TrainedModel trained, string[] header, List<string[]> records)
    {
        TableRow row = trained.CreateRow();
        bool logistic = trained.Model.Shape.Kind == ModelKind.LogisticRegression;
        int width = logistic ? 2 : trained.Model.Shape.Outputs;
        var probabilities = new List<float[]>();
        foreach (string[] record in records)
        {
            row.Clear();
            for (int i = 0; i < header.Length; i++)
            {
                if (row.TryGetColumn(header[i], out int column))
                {
                    row.SetText(column, record[i]);
                }
            }

            float[] p = new float[width];
            trained.PredictProbabilities(row, p);
            probabilities.Add(logistic ? [p[1]] : p); // ONNX's logistic output is P(class 1) alone
        }

        return [.. probabilities];
    }

    /// <summary>ONNX Runtime's output on <paramref name="records"/>: a number column as FLOAT (NaN when blank or a missing token), a category as STRING, as given.</summary>
    internal static float[][] RuntimeProbabilities(byte[] file, FeaturePipeline pipeline, string[] header, List<string[]> records, string output)
    {
        using var options = new SessionOptions { IntraOpNumThreads = 1, InterOpNumThreads = 1 };
        using var session = new InferenceSession(file, options);
        var inputs = new List<OrtValue>();
        try
        {
            foreach (string name in session.InputNames)
            {
                int at = Array.IndexOf(header, name);
                PipelineColumn column = pipeline.Columns[pipeline.IndexOf(name)];
                if (column.Kind == ColumnKind.Number)
                {
                    float[] values = [.. records.Select(record => pipeline.MissingTokens.Contains(record[at].Trim()) || record[at].Trim().Length == 0
                        ? float.NaN
                        : float.Parse(record[at], NumberStyles.Float, CultureInfo.InvariantCulture))];
                    inputs.Add(OrtValue.CreateTensorValueFromMemory(values, [records.Count, 1]));
                }
                else
                {
                    OrtValue strings = OrtValue.CreateTensorWithEmptyStrings(OrtAllocator.DefaultInstance, [records.Count, 1]);
                    for (int r = 0; r < records.Count; r++)
                    {
                        strings.StringTensorSetElementAt(records[r][at].AsSpan(), r);
                    }

                    inputs.Add(strings);
                }
            }

            using var runOptions = new RunOptions();
            using IDisposableReadOnlyCollection<OrtValue> results = session.Run(runOptions, session.InputNames, inputs, [output]);
            float[] values2 = results[0].GetTensorDataAsSpan<float>().ToArray();
            int width = values2.Length / records.Count;
            return [.. Enumerable.Range(0, records.Count).Select(i => values2[(i * width)..((i + 1) * width)])];
        }
        finally
        {
            inputs.ForEach(input => input.Dispose());
        }
    }

    private static void AssertOnnxRuntimeAgrees(TrainedModel trained, string output)
    {
        using var file = new MemoryStream();
        ModelFile.Save(trained.Model, file, ModelFormat.Onnx, trained.Metadata);
        List<string[]> records = RawRecords(trained.Pipeline!, out string[] header);

        float[][] ours = NativeProbabilities(trained, header, records);
        float[][] theirs = RuntimeProbabilities(file.ToArray(), trained.Pipeline!, header, records, output);

        Assert.Equal(ours.Length, theirs.Length);
        double[] tolerances = Tolerances(trained, header, records);
        double worst = 0;
        for (int r = 0; r < ours.Length; r++)
        {
            Assert.Equal(ours[r].Length, theirs[r].Length);
            for (int k = 0; k < ours[r].Length; k++)
            {
                Assert.True(float.IsFinite(ours[r][k]), $"record {r}: ours is {ours[r][k]}");
                worst = Math.Max(worst, Math.Abs(ours[r][k] - theirs[r][k]));
                Assert.True(Math.Abs(ours[r][k] - theirs[r][k]) <= tolerances[r], $"tolerance {tolerances[r]:R}, record {r} ({string.Join(",", records[r])}), output {k}: Native {ours[r][k]:R}, ONNX Runtime {theirs[r][k]:R}");
            }
        }
    }

    /// <summary>
    /// How far ONNX Runtime's probability may be from ours per record: 1e-6, as the issue asks, where the pipeline
    /// standardizes (every term of the dot product near 1); for a logistic regression on raw numbers (an income of
    /// 60,000 times a small weight) the two sums, taken in different orders, may each be off by the float32 summation
    /// bound (n + 1)·2⁻²⁴·Σ|wᵢxᵢ|, and a probability moves by at most a quarter of its logit's change.
    /// </summary>
    private static double[] Tolerances(TrainedModel trained, string[] header, List<string[]> records)
    {
        var tolerances = new double[records.Count];
        FeaturePipeline pipeline = trained.Pipeline!;
        bool rawLogistic = pipeline.Standardizer is null && trained.Model.Shape.Kind == ModelKind.LogisticRegression;
        TableRow row = trained.CreateRow();
        float[] encoded = new float[pipeline.Features];
        ReadOnlySpan<float> parameters = trained.Model.Parameters;
        for (int r = 0; r < records.Count; r++)
        {
            tolerances[r] = 1e-6;
            if (!rawLogistic)
            {
                continue;
            }

            row.Clear();
            for (int i = 0; i < header.Length; i++)
            {
                if (row.TryGetColumn(header[i], out int column))
                {
                    row.SetText(column, records[r][i]);
                }
            }

            pipeline.Transform(row, encoded);
            double magnitude = Math.Abs(parameters[encoded.Length]);
            for (int i = 0; i < encoded.Length; i++)
            {
                magnitude += Math.Abs((double)parameters[i] * encoded[i]);
            }

            tolerances[r] = Math.Max(1e-6, 0.25 * 2 * (encoded.Length + 1) * Math.Pow(2, -24) * magnitude);
        }

        return tolerances;
    }
}
