using System.Text;
using System.Text.Json;
using Native.Numerics;
using Native.Tests.Serialization;
using static Native.Tests.Serialization.ModelFileHostileTests;

namespace Native.Tests.Data.Tables;

/// <summary>The pipeline in the model file: written, read back the same, and every field of native.pipeline checked.</summary>
public sealed class PipelineFileTests
{
    private const string Weight = "\"layers.0.weight\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[0,24]}";
    private const string Bias = "\"layers.0.bias\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[24,32]}";

    /// <summary>A valid pipeline for the base file's 3 features: a number, then a category of two values, and an ignored column.</summary>
    internal const string ValidPipeline =
        "{\"version\":1,\"missing_tokens\":[\"NA\"],\"decimal_comma\":false,\"imputation\":\"mean\",\"columns\":[" +
        "{\"name\":\"id\",\"kind\":\"ignored\",\"inferred\":true,\"count\":5,\"missing\":0,\"note\":\"an identifier\"}," +
        "{\"name\":\"a\",\"kind\":\"number\",\"inferred\":true,\"offset\":0,\"width\":1,\"fill\":2.5,\"indicator\":false,\"count\":4,\"missing\":1}," +
        "{\"name\":\"c\",\"kind\":\"category\",\"inferred\":false,\"offset\":1,\"width\":2,\"categories\":[\"x\",\"y\"],\"other\":false,\"missing_slot\":false,\"unknown\":\"error\",\"count\":5,\"missing\":0}]}";

    [Fact]
    public void AHandWrittenPipelineLoads()
    {
        TrainedModel loaded = Load(ValidPipeline);
        FeaturePipeline pipeline = loaded.Pipeline!;
        Assert.Equal(["id", "a", "c"], pipeline.Columns.Select(column => column.Name));
        Assert.Equal(["a", "c=x", "c=y"], pipeline.FeatureNames);
        Assert.Equal(["a", "c=x", "c=y"], loaded.FeatureNames);
        Assert.Equal(2.5f, pipeline.Columns[1].Fill);
        Assert.Equal(UnknownCategories.Error, pipeline.Columns[2].Unknown);
        Assert.False(pipeline.Columns[2].KindInferred);
        Assert.Equal("an identifier", pipeline.Columns[0].Note);
        Assert.Equal(["NA"], pipeline.MissingTokens);

        TableRow row = loaded.CreateRow();
        row.SetText("a", "NA");
        row.SetText("c", "y");
        float[] features = new float[3];
        pipeline.Transform(row, features);
        Assert.Equal([2.5f, 0, 1], features);
        Assert.Throws<ArgumentException>(() => row.SetText("c", "z"));
    }

    public static TheoryData<string> CaseNames => [.. Cases.Keys];

    /// <summary>Each case: the native.pipeline text (or a change to the metadata) and words the refusal must hold.</summary>
    internal static readonly Dictionary<string, (string Metadata, string[] Says)> Cases = new()
    {
        ["not JSON"] = (With("{\"version\":1,"), ["native.pipeline is not valid JSON"]),
        ["an array"] = (With("[]"), ["expected the pipeline object"]),
        ["version 2"] = (With(ValidPipeline.Replace("\"version\":1", "\"version\":2", StringComparison.Ordinal)), ["version is 2", "reads version 1"]),
        ["no columns"] = (With("{\"version\":1,\"missing_tokens\":[],\"decimal_comma\":false,\"imputation\":\"mean\"}"), ["lacks a field"]),
        ["unknown field"] = (With(ValidPipeline.Replace("\"decimal_comma\"", "\"colour\":1,\"decimal_comma\"", StringComparison.Ordinal)), ["unknown field 'colour'"]),
        ["unknown imputation"] = (With(ValidPipeline.Replace("\"mean\"", "\"mode\"", StringComparison.Ordinal)), ["imputation is 'mode'"]),
        ["blank missing token"] = (With(ValidPipeline.Replace("[\"NA\"]", "[\" \"]", StringComparison.Ordinal)), ["missing token ' ' is blank"]),
        ["unknown kind"] = (With(ValidPipeline.Replace("\"kind\":\"number\"", "\"kind\":\"date\"", StringComparison.Ordinal)), ["kind 'date'"]),
        ["a number without its fill"] = (With(ValidPipeline.Replace("\"fill\":2.5,", "", StringComparison.Ordinal)), ["number column 'a' lacks 'fill'"]),
        ["a fill that is not finite"] = (With(ValidPipeline.Replace("\"fill\":2.5", "\"fill\":1e39", StringComparison.Ordinal)), ["fill that is not a finite number"]),
        ["a field of another kind"] = (With(ValidPipeline.Replace("\"indicator\":false,", "\"indicator\":false,\"other\":true,", StringComparison.Ordinal)), ["'other', which only another kind"]),
        ["a field twice"] = (With(ValidPipeline.Replace("\"width\":1,", "\"width\":1,\"width\":1,", StringComparison.Ordinal)), ["gives 'width' twice"]),
        ["a width that disagrees"] = (With(ValidPipeline.Replace("\"width\":2", "\"width\":3", StringComparison.Ordinal)), ["has width 3", "make 2"]),
        ["an offset that disagrees"] = (With(ValidPipeline.Replace("\"offset\":1", "\"offset\":2", StringComparison.Ordinal)), ["starts at feature 2; expected 1"]),
        ["widths beyond the model"] = (With(ValidPipeline.Replace("[\"x\",\"y\"]", "[\"x\",\"y\",\"z\"]", StringComparison.Ordinal).Replace("\"width\":2", "\"width\":3", StringComparison.Ordinal)), ["write 4", "the model takes 3"]),
        ["a category twice"] = (With(ValidPipeline.Replace("[\"x\",\"y\"]", "[\"x\",\"x\"]", StringComparison.Ordinal)), ["keeps the category 'x' twice"]),
        ["a column named twice"] = (With(ValidPipeline.Replace("\"name\":\"id\"", "\"name\":\"a\"", StringComparison.Ordinal)), ["names the column 'a' twice"]),
        ["an empty category column"] = (With(ValidPipeline.Replace("\"offset\":1,\"width\":2,\"categories\":[\"x\",\"y\"]", "\"offset\":1,\"width\":0,\"categories\":[]", StringComparison.Ordinal)), ["writes at least 1"]),
        ["a negative count"] = (With(ValidPipeline.Replace("\"count\":4", "\"count\":-4", StringComparison.Ordinal)), ["'count' is not an integer of 0 or more"]),
        ["a lone surrogate"] = (With(ValidPipeline.Replace("\"x\"", "\"\\ud800\"", StringComparison.Ordinal)), ["not valid Unicode"]),
        ["nested too deep"] = (With(ValidPipeline.Replace("[\"x\",\"y\"]", "[[\"x\"],\"y\"]", StringComparison.Ordinal)), ["not valid JSON", "depth"]),
        ["not strings"] = (With(ValidPipeline.Replace("[\"NA\"]", "[[\"NA\"]]", StringComparison.Ordinal)), ["'missing_tokens' is not an array of strings"]),
        ["format 1 with a pipeline"] = (Metadata(("native.pipeline", ValidPipeline)), ["native.format is '1'", "format version 2"]),
        ["feature names beside a pipeline"] = (Metadata(("native.format", "2"), ("native.pipeline", ValidPipeline), ("native.feature_names", "[\"a\",\"b\",\"c\"]")), ["the pipeline names the features"]),
    };

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void EveryBrokenRuleIsRefused(string name)
    {
        (string metadata, string[] says) = Cases[name];
        FileFormatException error = Assert.Throws<FileFormatException>(() => ModelFile.Load(new MemoryStream(File(Header(metadata, Weight, Bias))), ModelFormat.Safetensors, "m.safetensors"));
        Assert.NotNull(error.Offset);
        foreach (string words in says)
        {
            Assert.Contains(words, error.Message);
        }
    }

    [Fact]
    public void ATrainedPipelineModelRoundTripsBitForBit()
    {
        TableData table = TableTestData.Read(TableTestData.Loans, new TableOptions { MissingIndicators = true, MissingTokens = ["NA"] });
        var model = new LogisticRegression(table.Pipeline.Features);
        new Trainer(model, new Adam(0.05f), new TrainerOptions { Epochs = 30, BatchSize = 6, Seed = 3 }).Fit(table.StandardizedData);
        var trained = new TrainedModel(model, table.Metadata);

        var stream = new MemoryStream();
        ModelFile.Save(model, stream, ModelFormat.Safetensors, table.Metadata);
        byte[] bytes = stream.ToArray();
        Dictionary<string, string> metadata = MetadataOf(bytes);
        Assert.Equal("2", metadata["native.format"]);
        Assert.False(metadata.ContainsKey("native.feature_names"));
        Assert.Contains("\"categories\":[\"A\",\"B\",\"C\"]", metadata["native.pipeline"]);

        TrainedModel loaded = ModelFile.Load(new MemoryStream(bytes), ModelFormat.Safetensors);
        FeaturePipeline a = table.Pipeline, b = loaded.Pipeline!;
        Assert.Equal(a.FeatureNames, b.FeatureNames);
        Assert.Equal(a.Describe(), b.Describe());
        Assert.Equal(a.Standardizer!.Means.ToArray(), b.Standardizer!.Means.ToArray());
        Assert.Equal(a.Standardizer.StandardDeviations.ToArray(), b.Standardizer.StandardDeviations.ToArray());
        Assert.Same(b.Standardizer, loaded.Standardizer);

        // Saved again from what was loaded: the same bytes.
        var again = new MemoryStream();
        ModelFile.Save(loaded.Model, again, ModelFormat.Safetensors, loaded.Metadata);
        Assert.Equal(bytes, again.ToArray());

        foreach (string[] record in new[] { new[] { "9", "", "B", "car", "36" }, ["10", "NA", "Z", "", ""], ["11", "99000", "C", "plane", "60"] })
        {
            TableRow x = trained.CreateRow(), y = loaded.CreateRow();
            for (int c = 0; c < record.Length; c++)
            {
                x.SetText(c, record[c]);
                y.SetText(c, record[c]);
            }

            float[] p = new float[2], q = new float[2];
            trained.PredictProbabilities(x, p);
            loaded.PredictProbabilities(y, q);
            Assert.Equal(p, q);
            Assert.Equal(trained.PredictClass(x), loaded.PredictClass(y));
        }
    }

    [Fact]
    public void AFileWithoutAPipelineIsStillFormatOne()
    {
        var stream = new MemoryStream();
        ModelFile.Save(new SoftmaxRegression(3, 2), stream, ModelFormat.Safetensors);
        Assert.Equal("1", MetadataOf(stream.ToArray())["native.format"]);
    }

    [Fact]
    public void SavingRefusesWhatDisagreesWithThePipeline()
    {
        TableData table = TableTestData.Read(TableTestData.Loans);
        var model = new LogisticRegression(table.Pipeline.Features);
        var stream = new MemoryStream();
        Assert.Throws<ArgumentException>(() => ModelFile.Save(new LogisticRegression(3), stream, ModelFormat.Safetensors, table.Metadata));
        Assert.Throws<ArgumentException>(() => ModelFile.Save(model, stream, ModelFormat.Safetensors, new ModelMetadata { Pipeline = table.Pipeline, FeatureNames = [.. table.Pipeline.FeatureNames.Reverse()] }));
        Assert.Throws<ArgumentException>(() => ModelFile.Save(model, stream, ModelFormat.Safetensors, new ModelMetadata { Pipeline = table.Pipeline, Standardizer = Standardizer.Fit(table.Data) }));
        Assert.Throws<ArgumentException>(() => new TrainedModel(new LogisticRegression(3), table.Metadata));

        // The pipeline's own standardizer beside it, and its own feature names, are the same thing said twice: accepted.
        ModelFile.Save(model, stream, ModelFormat.Safetensors, new ModelMetadata { Pipeline = table.Pipeline, Standardizer = table.Pipeline.Standardizer, FeatureNames = table.Pipeline.FeatureNames });
    }

    private static string With(string pipeline) => Metadata(("native.format", "2"), ("native.pipeline", pipeline));

    private static TrainedModel Load(string pipeline) =>
        ModelFile.Load(new MemoryStream(File(Header(With(pipeline), Weight, Bias))), ModelFormat.Safetensors, "m.safetensors");

    /// <summary>The <c>__metadata__</c> of a safetensors file.</summary>
    internal static Dictionary<string, string> MetadataOf(byte[] file)
    {
        int length = (int)System.Buffers.Binary.BinaryPrimitives.ReadUInt64LittleEndian(file);
        using JsonDocument header = JsonDocument.Parse(Encoding.UTF8.GetString(file, 8, length));
        return header.RootElement.GetProperty("__metadata__").EnumerateObject().ToDictionary(entry => entry.Name, entry => entry.Value.GetString()!);
    }
}
