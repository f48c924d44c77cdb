using Native.Numerics;
using static Native.Tests.Serialization.ModelFileHostileTests;

namespace Native.Tests.Serialization;

/// <summary>The feature and label column names a model file keeps, so predictions can match columns by name.</summary>
public sealed class ModelFileColumnsTests
{
    private const string Weight = "\"layers.0.weight\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[0,24]}";
    private const string Bias = "\"layers.0.bias\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[24,32]}";

    [Fact]
    public void FeatureAndLabelNamesRoundTrip()
    {
        using var stream = new MemoryStream();
        ModelFile.Save(new SoftmaxRegression(3, 2), stream, ModelFormat.Safetensors, new ModelMetadata { FeatureNames = ["width", "height", "depth"], LabelName = "kind" });
        stream.Position = 0;

        TrainedModel loaded = ModelFile.Load(stream, ModelFormat.Safetensors);

        Assert.Equal(["width", "height", "depth"], loaded.FeatureNames);
        Assert.Equal("kind", loaded.LabelName);
    }

    [Fact]
    public void FeatureAndLabelNamesSurviveOnnx()
    {
        // Through ONNX's metadata_props, so safetensors → ONNX → safetensors keeps the columns predictions match by.
        using var stream = new MemoryStream();
        ModelFile.Save(new SoftmaxRegression(3, 2), stream, ModelFormat.Onnx, new ModelMetadata { FeatureNames = ["width", "height", "depth"], LabelName = "kind", Properties = new Dictionary<string, string> { ["a"] = "b" } });
        stream.Position = 0;

        TrainedModel loaded = ModelFile.Load(stream, ModelFormat.Onnx);

        Assert.Equal(["width", "height", "depth"], loaded.FeatureNames);
        Assert.Equal("kind", loaded.LabelName);
        Assert.Equal(["a"], loaded.Properties.Keys);
    }

    [Fact]
    public void AFileWithoutNamesStillLoads()
    {
        // Files written before the names were kept: no feature names, no label name.
        TrainedModel loaded = ModelFile.Load(new MemoryStream(File(Header(Metadata(), Weight, Bias))), ModelFormat.Safetensors);
        Assert.Empty(loaded.FeatureNames);
        Assert.Null(loaded.LabelName);
    }

    [Fact]
    public void NamesThatCannotMatchAreRefused()
    {
        var model = new SoftmaxRegression(3, 2);
        using var stream = new MemoryStream();
        Assert.Contains("3 features, but 2 feature names", Assert.Throws<ArgumentException>(() => ModelFile.Save(model, stream, ModelFormat.Safetensors, new ModelMetadata { FeatureNames = ["a", "b"] })).Message, StringComparison.Ordinal);
        Assert.Contains("'a' appears twice", Assert.Throws<ArgumentException>(() => ModelFile.Save(model, stream, ModelFormat.Safetensors, new ModelMetadata { FeatureNames = ["a", "b", "a"] })).Message, StringComparison.Ordinal);

        FileFormatException count = Assert.Throws<FileFormatException>(() => ModelFile.Load(new MemoryStream(File(Header(Metadata(("native.feature_names", "[\"a\",\"b\"]")), Weight, Bias))), ModelFormat.Safetensors));
        Assert.Contains("native.feature_names names 2 features, but the model takes 3", count.Message, StringComparison.Ordinal);
        FileFormatException twice = Assert.Throws<FileFormatException>(() => ModelFile.Load(new MemoryStream(File(Header(Metadata(("native.feature_names", "[\"a\",\"b\",\"a\"]")), Weight, Bias))), ModelFormat.Safetensors));
        Assert.Contains("names the feature 'a' twice", twice.Message, StringComparison.Ordinal);
    }
}
