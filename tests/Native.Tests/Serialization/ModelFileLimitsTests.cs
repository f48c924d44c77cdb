using System.Diagnostics;
using System.Text;
using Native.Numerics;
using static Native.Tests.Serialization.ModelFileHostileTests;

namespace Native.Tests.Serialization;

/// <summary>
/// Model files that are well formed but hostile: weights or a standardizer that cannot give finite outputs, more
/// layers, tensors or metadata entries than any model needs, and the memory and time a load may take.
/// </summary>
public sealed class ModelFileLimitsTests : IDisposable
{
    private const string Weight = "\"layers.0.weight\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[0,24]}";
    private const string Bias = "\"layers.0.bias\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[24,32]}";

    private readonly string _directory = Path.Combine(Path.GetTempPath(), "native-limits-" + Guid.NewGuid().ToString("N"));

    public ModelFileLimitsTests() => Directory.CreateDirectory(_directory);

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void WeightsThatOverflowOnUnitInputsAreRefusedAtLoadAndAtSave()
    {
        // Finite weights of 2e38: three of them already sum past the float range on inputs of 1.
        float[] values = [2e38f, 2e38f, 2e38f, 0f, 0f, 0f, 0f, 0f];
        FileFormatException error = Assert.Throws<FileFormatException>(() => ModelFile.Load(new MemoryStream(File(Header(Metadata(), Weight, Bias), values)), ModelFormat.Safetensors, "big.safetensors"));
        Assert.StartsWith("'big.safetensors', byte ", error.Message, StringComparison.Ordinal);
        Assert.Contains("unit 0 of layer 0 can reach 6E+38 with every feature within ±1, beyond the float range", error.Message, StringComparison.Ordinal);
        Assert.Contains("would answer NaN to every input", error.Message, StringComparison.Ordinal);

        var model = new SoftmaxRegression(3, 2);
        values.CopyTo(model.Parameters);
        ArgumentException refused = Assert.Throws<ArgumentException>(() => ModelFile.Save(model, Path.Combine(_directory, "big.safetensors")));
        Assert.Contains("cannot give finite outputs", refused.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(_directory));
    }

    [Fact]
    public void ADeviationSoSmallThatEveryInputOverflowsIsRefused()
    {
        // 1e-45 (a subnormal): an input 1 from its mean standardizes to 7e44, and the probabilities read 1.0000001.
        string metadata = Metadata(("native.standardizer.means", "[0,0,0]"), ("native.standardizer.standard_deviations", "[1,1e-45,1]"));
        FileFormatException error = Assert.Throws<FileFormatException>(() => ModelFile.Load(new MemoryStream(File(Header(metadata, Weight, Bias))), ModelFormat.Safetensors));
        Assert.Contains("the standardizer's deviation for feature 1 is 1E-45: an input 1 from its mean would standardize to 7.14E+44, beyond the float range", error.Message, StringComparison.Ordinal);

        // A small deviation with large weights: the product overflows, so the weights are blamed.
        metadata = Metadata(("native.standardizer.means", "[0,0,0]"), ("native.standardizer.standard_deviations", "[1,1e-30,1]"));
        float[] values = [0f, 1e10f, 0f, 0f, 0f, 0f, 0f, 0f];
        error = Assert.Throws<FileFormatException>(() => ModelFile.Load(new MemoryStream(File(Header(metadata, Weight, Bias), values)), ModelFormat.Safetensors));
        Assert.Contains("unit 0 of layer 0 can reach 1E+40 with every feature within ±1 of its mean", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void LargeButUsableWeightsStillLoad()
    {
        // 1e37 on inputs of ±1 sums to 3e37: large, finite, and a model may legitimately hold it.
        float[] values = [1e37f, -1e37f, 1e37f, 0f, 0f, 0f, 0f, 0f];
        TrainedModel loaded = ModelFile.Load(new MemoryStream(File(Header(Metadata(), Weight, Bias), values)), ModelFormat.Safetensors);
        Assert.Equal(values, loaded.Model.Parameters.ToArray());
    }

    [Fact]
    public void AModelHasAtMost1024Layers()
    {
        int[] sizes = [.. Enumerable.Repeat(2, ModelShape.MaxLayerCount + 2)];
        ArgumentException error = Assert.Throws<ArgumentException>(() => ModelShape.MultilayerPerceptron(sizes, [Activation.Relu]));
        Assert.Contains("at most 1024 dense layers", error.Message, StringComparison.Ordinal);

        string metadata = Metadata(("native.kind", "multilayer_perceptron"), ("native.layer_sizes", "[" + string.Join(",", sizes) + "]"), ("native.activations", "[" + string.Join(",", Enumerable.Repeat("\"relu\"", sizes.Length - 2)) + "]"));
        FileFormatException refused = Assert.Throws<FileFormatException>(() => ModelFile.Load(new MemoryStream(File(Header(metadata, Weight, Bias))), ModelFormat.Safetensors));
        Assert.Contains("1025 dense layers, more than the 1024 a model may have", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TheDeepestModelLoadsInLinearTime()
    {
        // 1,024 layers (the limit; the 100,000-layer file took 38 s): the offsets are computed once.
        int[] sizes = [.. Enumerable.Repeat(3, ModelShape.MaxLayerCount + 1)];
        var model = new MultilayerPerceptron(ModelShape.MultilayerPerceptron(sizes, [Activation.Tanh]), seed: 1);
        string path = Path.Combine(_directory, "deep.safetensors");
        ModelFile.Save(model, path);

        var clock = Stopwatch.StartNew();
        TrainedModel loaded = ModelFile.Load(path);
        clock.Stop();

        Assert.Equal(model.Parameters.ToArray(), loaded.Model.Parameters.ToArray());
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(2), $"took {clock.Elapsed}");
        int offset = 0;
        for (int l = 0; l < loaded.Shape.LayerCount; l++)
        {
            Assert.Equal(offset, loaded.Shape.WeightOffset(l));
            Assert.Equal(offset + 9, loaded.Shape.BiasOffset(l));
            offset += 12;
        }
    }

    [Fact]
    public void AHeaderListingMoreTensorsThanAnyModelIsRefused()
    {
        var entries = new List<string> { Metadata() };
        for (int t = 0; t < 4097; t++)
        {
            entries.Add($"\"t{t}\":{{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[0,0]}}");
        }

        FileFormatException error = Assert.Throws<FileFormatException>(() => ModelFile.Load(new MemoryStream(File(Header([.. entries]), [])), ModelFormat.Safetensors));
        Assert.Contains("more than 4096 tensors", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MillionsOfMetadataEntriesAreRefusedWithoutHoldingThem()
    {
        // The 4M keys in 63 MB took 937 MB to load. One million tiny keys here (15 MB): refused after
        // 65,536, with no more memory than a few times the header's own bytes.
        var header = new StringBuilder("{\"__metadata__\":{");
        for (int k = 0; k < 1_000_000; k++)
        {
            header.Append(k == 0 ? "" : ",").Append('"').Append(k).Append("\":\"\"");
        }

        header.Append("},").Append(Weight).Append(',').Append(Bias).Append('}');
        string path = Path.Combine(_directory, "keys.safetensors");
        System.IO.File.WriteAllBytes(path, File(header.ToString()));
        long size = new FileInfo(path).Length;
        Assert.Throws<FileFormatException>(() => ModelFile.Load(new MemoryStream(File(Header(Metadata(("native.format", "2")), Weight, Bias))), ModelFormat.Safetensors)); // warm up

        long before = GC.GetAllocatedBytesForCurrentThread();
        FileFormatException error = Assert.Throws<FileFormatException>(() => ModelFile.Load(path));
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Contains("more than 65536 metadata entries", error.Message, StringComparison.Ordinal);
        Assert.True(allocated < 3 * size, $"allocated {allocated:N0} bytes for a {size:N0}-byte file");
    }

    [Fact]
    public void ALoadAllocatesTheModelOnceNotFourTimes()
    {
        // The 448 MB sparse model took 1.9 GB to load: a buffer that doubled, a copy, then the model.
        var model = new SoftmaxRegression(100_000, 40); // 4,000,040 parameters, 16 MB
        string path = Path.Combine(_directory, "wide.safetensors");
        ModelFile.Save(model, path);
        ModelFile.Load(path); // warm up

        long before = GC.GetAllocatedBytesForCurrentThread();
        TrainedModel loaded = ModelFile.Load(path);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        long parameterBytes = 4L * loaded.Shape.ParameterCount;
        Assert.True(allocated < parameterBytes + (parameterBytes / 8), $"allocated {allocated:N0} bytes for {parameterBytes:N0} bytes of parameters");
    }
}
