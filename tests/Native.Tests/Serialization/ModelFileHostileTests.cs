using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using Native.Numerics;
using Native.Tests.Support;

namespace Native.Tests.Serialization;

/// <summary>
/// Every check of a model file, by a hand-made file that breaks exactly that rule: each must be refused
/// with a <see cref="FileFormatException"/> whose message names the problem (and the offset, where there is one).
/// </summary>
/// <remarks>
/// The files describe a softmax regression with 3 features and 2 classes: <c>layers.0.weight</c> [2, 3] at
/// data offsets [0, 24] and <c>layers.0.bias</c> [2] at [24, 32].
/// </remarks>
public sealed class ModelFileHostileTests
{
    private const string Weight = "\"layers.0.weight\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[0,24]}";
    private const string Bias = "\"layers.0.bias\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[24,32]}";

    private static readonly float[] Values = [0.5f, -1f, 2f, 0.25f, 3f, -0.75f, 0.1f, -0.2f];

    private static readonly Dictionary<string, string> ValidMetadata = new()
    {
        ["native.format"] = "1",
        ["native.kind"] = "softmax_regression",
        ["native.layer_sizes"] = "[3,2]",
        ["native.activations"] = "[]",
        ["native.leaky_relu_slope"] = "0",
    };

    /// <summary>The valid file the cases start from: it loads.</summary>
    [Fact]
    public void TheBaseFileLoads()
    {
        TrainedModel loaded = ModelFile.Load(new MemoryStream(File(Header(Metadata(), Weight, Bias))), ModelFormat.Safetensors);
        Assert.Equal(ModelShape.SoftmaxRegression(3, 2), loaded.Shape);
        Assert.Equal(Values, loaded.Model.Parameters.ToArray());

        // Tensors in any order, without padding, with whitespace: still a valid safetensors file.
        loaded = ModelFile.Load(new MemoryStream(File("{" + Bias + ",\n " + Weight + ", " + Metadata() + "}\n", pad: false)), ModelFormat.Safetensors);
        Assert.Equal(Values, loaded.Model.Parameters.ToArray());
    }

    public static TheoryData<string> CaseNames => [.. Cases.Keys];

    /// <summary>Each case: the file, the byte offset the error must name (null: no offset), and words the message must hold.</summary>
    private static readonly Dictionary<string, (byte[] Content, long? Offset, string[] Says)> Cases = new()
    {
        // The length field and the header's frame.
        ["empty file"] = ([], 0, ["0 bytes long", "shorter than the 8-byte"]),
        ["five bytes"] = ([1, 2, 3, 4, 5], 5, ["5 bytes long"]),
        ["header length beyond the file"] = (WithLength(File(Header(Metadata(), Weight, Bias)), 5000), 0, ["5000 bytes", "beyond the end of the file"]),
        ["header length of 2^64 - 1"] = (WithLength(File(Header(Metadata(), Weight, Bias)), ulong.MaxValue), 0, ["18446744073709551615", "beyond the end of the file"]),
        ["header length 0"] = (WithLength(File(Header(Metadata(), Weight, Bias)), 0), 0, ["says 0 bytes", "at least 2"]),
        ["header not an object"] = (File("[1, 2, 3]"), 8, ["does not start with '{'", "found '['"]),
        ["header of binary"] = (File("\0\0\0\0"), 8, ["does not start with '{'", "found 0x00"]),
        ["malformed JSON"] = (File("{\"layers.0.weight\":{\"dtype\":\"F32\",]}"), 8 + 34, ["not valid JSON", "']' is an invalid start of a property name"]),
        ["unclosed JSON"] = (File("{\"a\":{"), null, ["not valid JSON"]),
        ["JSON after the object"] = (File("{} {}"), null, ["not valid JSON"]),
        ["invalid UTF-8"] = (Concat(LengthOf(8), [(byte)'{', (byte)'"', 0xFF, 0xFE, (byte)'"', (byte)':', (byte)'1', (byte)'}']), 9, ["not valid UTF-8"]),
        ["lone surrogate escape"] = (File("{\"\\ud800\":1}   "), 9, ["not valid UTF-8"]),
        ["deeply nested arrays"] = (File("{\"a\":" + new string('[', 100) + new string(']', 100) + "}"), 13, ["tensor 'a' is an array; expected an object"]),

        // Tensor entries.
        ["duplicate tensor"] = (File(Header(Metadata(), Weight, Bias, Bias)), null, ["duplicate tensor 'layers.0.bias'"]),
        ["duplicate metadata"] = (File(Header(Metadata(), Metadata(), Weight, Bias)), null, ["duplicate entry '__metadata__'"]),
        ["duplicate metadata key"] = (File(Header("\"__metadata__\":{\"native.format\":\"1\",\"native.format\":\"1\"}", Weight, Bias)), null, ["duplicate metadata entry 'native.format'"]),
        ["metadata value not a string"] = (File(Header("\"__metadata__\":{\"native.format\":1}", Weight, Bias)), null, ["metadata entry 'native.format' is a number", "values are strings"]),
        ["metadata not an object"] = (File(Header("\"__metadata__\":[]", Weight, Bias)), null, ["'__metadata__' entry is an array; expected an object"]),
        ["tensor not an object"] = (File(Header(Metadata(), "\"layers.0.weight\":5", Bias)), null, ["tensor 'layers.0.weight' is a number; expected an object"]),
        ["tensor without dtype"] = (File(Header(Metadata(), "\"layers.0.weight\":{\"shape\":[2,3],\"data_offsets\":[0,24]}", Bias)), null, ["tensor 'layers.0.weight' has no dtype"]),
        ["tensor without shape"] = (File(Header(Metadata(), "\"layers.0.weight\":{\"dtype\":\"F32\",\"data_offsets\":[0,24]}", Bias)), null, ["has no shape"]),
        ["tensor without offsets"] = (File(Header(Metadata(), "\"layers.0.weight\":{\"dtype\":\"F32\",\"shape\":[2,3]}", Bias)), null, ["has no data_offsets"]),
        ["tensor with a field twice"] = (File(Header(Metadata(), "\"layers.0.weight\":{\"dtype\":\"F32\",\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[0,24]}", Bias)), null, ["has 'dtype' twice"]),
        ["tensor with an unknown field"] = (File(Header(Metadata(), "\"layers.0.weight\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[0,24],\"stride\":[3,1]}", Bias)), null, ["unexpected field 'stride'"]),
        ["three offsets"] = (File(Header(Metadata(), Weight.Replace("[0,24]", "[0,12,24]", StringComparison.Ordinal), Bias)), null, ["3 data_offsets; expected 2"]),
        ["negative size"] = (File(Header(Metadata(), Weight.Replace("[2,3]", "[2,-3]", StringComparison.Ordinal), Bias)), null, ["shape of tensor 'layers.0.weight' holds '-3'", "non-negative integers"]),
        ["fractional offset"] = (File(Header(Metadata(), Weight.Replace("[0,24]", "[0,24.0]", StringComparison.Ordinal), Bias)), null, ["data_offsets of tensor 'layers.0.weight' holds '24.0'"]),
        ["size beyond 64 bits"] = (File(Header(Metadata(), Weight.Replace("[2,3]", "[2,18446744073709551616]", StringComparison.Ordinal), Bias)), null, ["holds '18446744073709551616'"]),
        ["shape a string"] = (File(Header(Metadata(), Weight.Replace("[2,3]", "\"2x3\"", StringComparison.Ordinal), Bias)), null, ["the shape of tensor 'layers.0.weight' is a string; expected an array"]),

        // Element types.
        ["unsupported dtype"] = (File(Header(Metadata(), Weight.Replace("F32", "F64", StringComparison.Ordinal), Bias)), null, ["dtype F64, which is not supported", "only F32"]),
        ["half precision"] = (File(Header(Metadata(), Weight, Bias.Replace("F32", "BF16", StringComparison.Ordinal))), null, ["tensor 'layers.0.bias' has dtype BF16, which is not supported"]),
        ["unknown dtype"] = (File(Header(Metadata(), Weight.Replace("F32", "float32", StringComparison.Ordinal), Bias)), null, ["dtype 'float32', which is not a safetensors dtype"]),

        // Shapes and offsets.
        ["shape product overflow"] = (File(Header(Metadata(), Weight.Replace("[2,3]", "[4294967296,4294967296,2]", StringComparison.Ordinal), Bias)), null, ["shape [4294967296, 4294967296, 2], whose product overflows 64 bits"]),
        ["byte size overflow"] = (File(Header(Metadata(), Weight.Replace("[2,3]", "[4611686018427387904]", StringComparison.Ordinal), Bias)), null, ["whose size in bytes overflows 64 bits"]),
        ["reversed offsets"] = (File(Header(Metadata(), Weight.Replace("[0,24]", "[24,0]", StringComparison.Ordinal), Bias)), null, ["reversed data_offsets [24, 0]"]),
        ["offsets out of range"] = (File(Header(Metadata(), Weight, Bias.Replace("[24,32]", "[24,40]", StringComparison.Ordinal))), null, ["data_offsets [24, 40], out of range", "only 32 bytes"]),
        ["offsets out of range by 2^64"] = (File(Header(Metadata(), Weight, Bias.Replace("[24,32]", "[18446744073709551608,18446744073709551615]", StringComparison.Ordinal))), null, ["out of range"]),
        ["offsets disagree with shape"] = (File(Header(Metadata(), Weight.Replace("[0,24]", "[0,20]", StringComparison.Ordinal), Bias.Replace("[24,32]", "[20,32]", StringComparison.Ordinal))), null, ["shape [2, 3] of F32, 24 bytes, but its data_offsets [0, 20] span 20 bytes"]),
        ["overlapping tensors"] = (File(Header(Metadata(), Weight, Bias.Replace("[24,32]", "[16,24]", StringComparison.Ordinal)), [.. Values[..6]]), null, ["tensor 'layers.0.bias' (data_offsets [16, 24]) overlaps tensor 'layers.0.weight' (data_offsets [0, 24])"]),
        ["gap between tensors"] = (File(Header(Metadata(), Weight, Bias.Replace("[24,32]", "[28,36]", StringComparison.Ordinal)), [.. Values, 9f]), null, ["a gap of 4 bytes", "before tensor 'layers.0.bias'"]),
        ["gap at the start"] = (File(Header(Metadata(), Weight.Replace("[0,24]", "[4,28]", StringComparison.Ordinal), Bias.Replace("[24,32]", "[28,36]", StringComparison.Ordinal)), [9f, .. Values]), null, ["a gap of 4 bytes", "before tensor 'layers.0.weight'"]),
        ["trailing bytes"] = (Concat(File(Header(Metadata(), Weight, Bias)), [1, 2, 3]), null, ["3 trailing bytes after the last tensor", "cover 32 bytes of the 35-byte data section"]),

        // The model the metadata describe.
        ["no metadata"] = (File(Header(Weight, Bias)), 8, ["no '__metadata__'", "does not say what model"]),
        ["no format"] = (File(Header(Metadata(("native.format", null)), Weight, Bias)), null, ["no 'native.format'"]),
        ["format 2 without a pipeline"] = (File(Header(Metadata(("native.format", "2")), Weight, Bias)), null, ["native.format is '2', but the file has no native.pipeline"]),
        ["format 3 without quantization"] = (File(Header(Metadata(("native.format", "3")), Weight, Bias)), null, ["native.format is '3', but the file has no native.quantization"]),
        ["format 4"] = (File(Header(Metadata(("native.format", "4")), Weight, Bias)), null, ["native.format is '4'", "reads format versions 1, 2 and 3"]),
        ["no kind"] = (File(Header(Metadata(("native.kind", null)), Weight, Bias)), null, ["no 'native.kind'"]),
        ["unknown kind"] = (File(Header(Metadata(("native.kind", "decision_tree")), Weight, Bias)), null, ["native.kind is 'decision_tree', which is not a model kind"]),
        ["unknown reserved key"] = (File(Header(Metadata(("native.optimizer", "adam")), Weight, Bias)), null, ["unknown metadata entry 'native.optimizer'", "reserved"]),
        ["no layer sizes"] = (File(Header(Metadata(("native.layer_sizes", null)), Weight, Bias)), null, ["no 'native.layer_sizes'"]),
        ["layer sizes not JSON"] = (File(Header(Metadata(("native.layer_sizes", "3x2")), Weight, Bias)), null, ["native.layer_sizes is not valid JSON ('3x2')"]),
        ["layer sizes not an array"] = (File(Header(Metadata(("native.layer_sizes", "{}")), Weight, Bias)), null, ["native.layer_sizes is '{}'; expected a JSON array of positive integers"]),
        ["layer size zero"] = (File(Header(Metadata(("native.layer_sizes", "[0,2]")), Weight, Bias)), null, ["element 0 is not valid", "positive integers"]),
        ["layer size beyond int"] = (File(Header(Metadata(("native.layer_sizes", "[3,2147483648]")), Weight, Bias)), null, ["element 1 is not valid"]),
        ["layer sizes with trailing text"] = (File(Header(Metadata(("native.layer_sizes", "[3,2] [1]")), Weight, Bias)), null, ["native.layer_sizes"]),
        ["softmax with 3 layer sizes"] = (File(Header(Metadata(("native.layer_sizes", "[3,4,2]")), Weight, Bias)), null, ["native.layer_sizes is [3, 4, 2]; a softmax_regression has exactly 2"]),
        ["softmax with 1 class"] = (File(Header(Metadata(("native.layer_sizes", "[3,1]")), Weight, Bias)), null, ["a softmax_regression needs at least 2 classes"]),
        ["logistic with 2 outputs"] = (File(Header(Metadata(("native.kind", "logistic_regression")), Weight, Bias)), null, ["a logistic_regression has exactly 1 output"]),
        ["regressor without hidden layers"] = (File(Header(Metadata(("native.kind", "multilayer_perceptron_regressor")), Weight, Bias)), null, ["a multilayer_perceptron_regressor needs at least 3 (features, hidden layers, outputs)"]),
        ["label names for a classifier"] = (File(Header(Metadata(("native.label_names", "[\"a\",\"b\"]")), Weight, Bias)), null, ["native.label_names names 2 label columns, but a softmax_regression has one label"]),
        ["label names not one per output"] = (File(Header(Metadata(("native.kind", "linear_regression"), ("native.label_names", "[\"a\",\"b\",\"c\"]")), Weight, Bias)), null, ["native.label_names names 3 label columns, but the linear_regression has 2 outputs"]),
        ["label names twice"] = (File(Header(Metadata(("native.kind", "linear_regression"), ("native.label_names", "[\"a\",\"a\"]")), Weight, Bias)), null, ["names the column 'a' twice"]),
        ["label names beside a label name"] = (File(Header(Metadata(("native.kind", "linear_regression"), ("native.label_names", "[\"a\",\"b\"]"), ("native.label_name", "a")), Weight, Bias)), null, ["native.label_names is present beside native.label_name"]),
        ["perceptron without hidden layers"] = (File(Header(Metadata(("native.kind", "multilayer_perceptron")), Weight, Bias)), null, ["a multilayer_perceptron needs at least 3"]),
        ["activation for a regression"] = (File(Header(Metadata(("native.activations", "[\"relu\"]")), Weight, Bias)), null, ["lists 1 activations, but a softmax_regression has no hidden layers"]),
        ["unknown activation"] = (File(Header(Metadata(("native.kind", "multilayer_perceptron"), ("native.layer_sizes", "[3,4,2]"), ("native.activations", "[\"swish\"]")), Weight, Bias)), null, ["native.activations is '[\"swish\"]'; element 0 is not valid", "relu, leaky_relu, sigmoid, tanh"]),
        ["activations count"] = (File(Header(Metadata(("native.kind", "multilayer_perceptron"), ("native.layer_sizes", "[3,4,4,2]"), ("native.activations", "[\"relu\"]")), Weight, Bias)), null, ["lists 1 activations, but layer sizes [3, 4, 4, 2] have 2 hidden layers"]),
        ["slope not a number"] = (File(Header(Metadata(("native.leaky_relu_slope", "steep")), Weight, Bias)), null, ["native.leaky_relu_slope is 'steep'; expected a finite number"]),
        ["slope infinite"] = (File(Header(Metadata(("native.leaky_relu_slope", "1e39")), Weight, Bias)), null, ["native.leaky_relu_slope is '1e39'; expected a finite number"]),
        ["slope for a regression"] = (File(Header(Metadata(("native.leaky_relu_slope", "0.5")), Weight, Bias)), null, ["native.leaky_relu_slope is 0.5, but a softmax_regression has no leaky ReLU"]),

        // Tensors against the model.
        ["missing tensor"] = (File(Header(Metadata(), Weight), [.. Values[..6]]), null, ["missing tensor 'layers.0.bias'", "needs it, shape [2] [outputs]"]),
        ["missing second layer"] = (File(Header(Metadata(("native.kind", "multilayer_perceptron"), ("native.layer_sizes", "[3,2,2]"), ("native.activations", "[\"relu\"]")), Weight, Bias)), null, ["missing tensor 'layers.1.weight'"]),
        ["unexpected tensor"] = (File(Header(Metadata(), Weight, Bias, "\"layers.1.weight\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[32,36]}"), [.. Values, 1f]), null, ["unexpected tensor 'layers.1.weight'", "has only layers.0.weight to layers.0.bias"]),
        ["weight transposed"] = (File(Header(Metadata(), Weight.Replace("[2,3]", "[3,2]", StringComparison.Ordinal), Bias)), null, ["tensor 'layers.0.weight' has shape [3, 2], but a softmax_regression with layer sizes [3, 2] needs [2, 3] [outputs, inputs]"]),
        ["weight flattened"] = (File(Header(Metadata(), Weight.Replace("[2,3]", "[6]", StringComparison.Ordinal), Bias)), null, ["has shape [6]", "needs [2, 3]"]),

        // Class names and the standardizer.
        ["class names count"] = (File(Header(Metadata(("native.class_names", "[\"a\",\"b\",\"c\"]")), Weight, Bias)), null, ["native.class_names names 3 classes, but the model has 2"]),
        ["class names twice"] = (File(Header(Metadata(("native.class_names", "[\"a\",\"a\"]")), Weight, Bias)), null, ["names the class 'a' twice"]),
        ["class names not strings"] = (File(Header(Metadata(("native.class_names", "[0,1]")), Weight, Bias)), null, ["element 0 is not valid: expected a JSON array of strings"]),
        ["class names for a regression"] = (File(Header(Metadata(("native.kind", "linear_regression"), ("native.layer_sizes", "[3,1]"), ("native.class_names", "[\"a\",\"b\"]")), Weight.Replace("[2,3]", "[1,3]", StringComparison.Ordinal).Replace("[0,24]", "[0,12]", StringComparison.Ordinal), Bias.Replace("[2]", "[1]", StringComparison.Ordinal).Replace("[24,32]", "[12,16]", StringComparison.Ordinal)), [.. Values[..4]]), null, ["names 2 classes, but a linear_regression has none"]),
        ["means without deviations"] = (File(Header(Metadata(("native.standardizer.means", "[0,0,0]")), Weight, Bias)), null, ["native.standardizer.means is present without native.standardizer.standard_deviations"]),
        ["standardizer too short"] = (File(Header(Metadata(("native.standardizer.means", "[0,0]"), ("native.standardizer.standard_deviations", "[1,1]")), Weight, Bias)), null, ["native.standardizer.means holds 2 values, but the model takes 3 features"]),
        ["deviation zero"] = (File(Header(Metadata(("native.standardizer.means", "[0,0,0]"), ("native.standardizer.standard_deviations", "[1,0,1]")), Weight, Bias)), null, ["holds 0 for feature 1", "must be positive"]),
        ["deviation negative"] = (File(Header(Metadata(("native.standardizer.means", "[0,0,0]"), ("native.standardizer.standard_deviations", "[1,1,-2]")), Weight, Bias)), null, ["holds -2 for feature 2"]),
        ["mean infinite"] = (File(Header(Metadata(("native.standardizer.means", "[0,1e39,0]"), ("native.standardizer.standard_deviations", "[1,1,1]")), Weight, Bias)), null, ["element 1 is not valid: expected a JSON array of finite numbers"]),
        ["mean NaN"] = (File(Header(Metadata(("native.standardizer.means", "[0,NaN,0]"), ("native.standardizer.standard_deviations", "[1,1,1]")), Weight, Bias)), null, ["native.standardizer.means is not valid JSON"]),

        // The weights.
        ["NaN weight"] = (File(Header(Metadata(), Weight, Bias), [0.5f, -1f, 2f, 0.25f, float.NaN, -0.75f, 0.1f, -0.2f]), null, ["tensor 'layers.0.weight' holds NaN at element 4 (row 1, column 1); weights must be finite"]),
        ["infinite bias"] = (File(Header(Metadata(), Weight, Bias), [0.5f, -1f, 2f, 0.25f, 3f, -0.75f, 0.1f, float.NegativeInfinity]), null, ["tensor 'layers.0.bias' holds -Infinity at element 1"]),
    };

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void EachBrokenRuleIsAFileFormatErrorThatNamesIt(string name)
    {
        (byte[] content, long? offset, string[] says) = Cases[name];

        FileFormatException error = Assert.Throws<FileFormatException>(() => ModelFile.Load(new MemoryStream(content), ModelFormat.Safetensors, "hostile.safetensors"));

        Assert.Equal("hostile.safetensors", error.Path);
        if (offset is long expected)
        {
            Assert.Equal(expected, error.Offset);
        }

        Assert.StartsWith(error.Offset is long at ? $"'hostile.safetensors', byte {at}: " : "'hostile.safetensors'", error.Message, StringComparison.Ordinal);
        foreach (string words in says)
        {
            Assert.Contains(words, error.Message, StringComparison.Ordinal);
        }

        // The same from a stream that cannot seek, and from a file.
        Assert.Throws<FileFormatException>(() => ModelFile.Load(new ForwardOnlyStream(content), ModelFormat.Safetensors));
        Assert.Throws<FileFormatException>(() => ModelFile.LoadInto(new SoftmaxRegression(3, 2), new MemoryStream(content), ModelFormat.Safetensors));
    }

    [Fact]
    public void EveryOffsetOfATensorEntryPointsAtItsName()
    {
        byte[] content = File(Header(Metadata(), Weight.Replace("F32", "F64", StringComparison.Ordinal), Bias));
        FileFormatException error = Assert.Throws<FileFormatException>(() => ModelFile.Load(new MemoryStream(content), ModelFormat.Safetensors));
        Assert.Equal((byte)'"', content[error.Offset!.Value]);
        Assert.Equal("\"layers.0.weight\"", Encoding.UTF8.GetString(content, (int)error.Offset.Value, 17));
    }

    [Fact]
    public void AHeaderLengthAbove100MegabytesIsRefusedBeforeAllocating()
    {
        // A stream that cannot say its length: the header length cannot be checked against it, only the limit.
        byte[] content = WithLength(File(Header(Metadata(), Weight, Bias)), 100_000_001);
        ModelFile.Load(new MemoryStream(File(Header(Metadata(), Weight, Bias))), ModelFormat.Safetensors); // warm up

        long before = GC.GetAllocatedBytesForCurrentThread();
        FileFormatException error = Assert.Throws<FileFormatException>(() => ModelFile.Load(new ForwardOnlyStream(content), ModelFormat.Safetensors));
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Contains("100000001 bytes, above the limit of 100000000 bytes (100 MB)", error.Message, StringComparison.Ordinal);
        Assert.True(allocated < 64 * 1024, $"allocated {allocated:N0} bytes");
    }

    [Fact]
    public void AStreamThatEndsEarlyCostsWhatItHoldsNotWhatItClaims()
    {
        // 99 MB of header declared, 200 bytes present, and the stream cannot say its length.
        byte[] content = WithLength(File(Header(Metadata(), Weight, Bias)), 99_000_000);
        Assert.Throws<FileFormatException>(() => ModelFile.Load(new ForwardOnlyStream(content), ModelFormat.Safetensors)); // warm up

        long before = GC.GetAllocatedBytesForCurrentThread();
        FileFormatException error = Assert.Throws<FileFormatException>(() => ModelFile.Load(new ForwardOnlyStream(content), ModelFormat.Safetensors));
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Contains("ends", error.Message, StringComparison.Ordinal);
        Assert.Contains("into the header, whose length field says 99000000 bytes", error.Message, StringComparison.Ordinal);
        Assert.True(allocated < 256 * 1024, $"allocated {allocated:N0} bytes");
    }

    [Fact]
    public void DataCutShortInAStreamThatCannotSeekIsRefused()
    {
        byte[] whole = File(Header(Metadata(), Weight, Bias));
        FileFormatException error = Assert.Throws<FileFormatException>(() => ModelFile.Load(new ForwardOnlyStream(whole[..^5]), ModelFormat.Safetensors));
        Assert.Contains("ends 27 bytes into the data section; the tensors need 32 bytes", error.Message, StringComparison.Ordinal);

        error = Assert.Throws<FileFormatException>(() => ModelFile.Load(new ForwardOnlyStream([.. whole, 0]), ModelFormat.Safetensors));
        Assert.Contains("trailing bytes after the last tensor", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AFileFromDiskNamesItsPath()
    {
        string path = Path.Combine(Path.GetTempPath(), $"native-hostile-{Guid.NewGuid():N}.safetensors");
        System.IO.File.WriteAllBytes(path, File(Header(Metadata(("native.kind", "forest")), Weight, Bias)));
        try
        {
            FileFormatException error = Assert.Throws<FileFormatException>(() => ModelFile.Load(path));
            Assert.Equal(path, error.Path);
            Assert.StartsWith($"'{path}', byte ", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            System.IO.File.Delete(path);
        }
    }

    /// <summary>The <c>__metadata__</c> entry of the base file with <paramref name="changes"/> (a null value removes the key).</summary>
    internal static string Metadata(params (string Key, string? Value)[] changes)
    {
        var entries = new Dictionary<string, string>(ValidMetadata);
        foreach ((string key, string? value) in changes)
        {
            if (value is null)
            {
                entries.Remove(key);
            }
            else
            {
                entries[key] = value;
            }
        }

        var buffer = new ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            foreach ((string key, string value) in entries)
            {
                json.WriteString(key, value);
            }

            json.WriteEndObject();
        }

        return "\"__metadata__\":" + Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>A header object holding <paramref name="entries"/>, each already "name":value.</summary>
    internal static string Header(params string[] entries) => "{" + string.Join(",", entries) + "}";

    /// <summary>A file: the length field, the header (padded with spaces to 8 bytes, unless told not), then the data.</summary>
    internal static byte[] File(string header, float[]? data = null, bool pad = true)
    {
        byte[] json = Encoding.UTF8.GetBytes(header);
        if (pad)
        {
            json = [.. json, .. Enumerable.Repeat((byte)' ', (8 - (json.Length % 8)) % 8)];
        }

        byte[] values = new byte[(data ?? Values).Length * 4];
        for (int i = 0; i < (data ?? Values).Length; i++)
        {
            BinaryPrimitives.WriteSingleLittleEndian(values.AsSpan(4 * i), (data ?? Values)[i]);
        }

        return Concat(LengthOf((ulong)json.Length), json, values);
    }

    private static byte[] LengthOf(ulong length)
    {
        byte[] field = new byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(field, length);
        return field;
    }

    private static byte[] WithLength(byte[] file, ulong length)
    {
        byte[] copy = [.. file];
        BinaryPrimitives.WriteUInt64LittleEndian(copy, length);
        return copy;
    }

    private static byte[] Concat(params byte[][] parts) => [.. parts.SelectMany(part => part)];
}
