using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using Native.Numerics;
using Native.Tests.Data.Tables;

namespace Native.Tests.Serialization;

/// <summary>
/// An int8 file that keeps a feature pipeline (format 3 with native.pipeline), written by hand: the valid one loads and
/// predicts from records; every broken pipeline the float files refuse, an int8 file refuses alike, in one line.
/// </summary>
public sealed class QuantizedPipelineFileTests
{
    // A softmax regression 3 → 2 in int8: the floats first (scales, biases, input quantization), then the signed-byte weights.
    private static readonly string[] Tensors =
    [
        "\"layers.0.weight_scale\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}",
        "\"layers.0.bias\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,16]}",
        "\"layers.0.input_quantization\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[16,24]}",
        "\"layers.0.weight\":{\"dtype\":\"I8\",\"shape\":[2,3],\"data_offsets\":[24,30]}",
    ];

    private static readonly float[] Floats = [0.01f, 0.02f, 0.1f, -0.1f, 0.05f, 10f];

    private static readonly sbyte[] Weights = [1, 2, 3, -4, 5, -6];

    public static TheoryData<string> CaseNames => [.. PipelineFileTests.Cases.Keys];

    [Fact]
    public void AHandWrittenInt8FileWithAPipelineLoadsAndPredictsFromRecords()
    {
        TrainedModel loaded = Load(Int8(ModelFileHostileTests.Metadata(("native.format", "2"), ("native.pipeline", PipelineFileTests.ValidPipeline))));
        Assert.True(loaded.IsQuantized);
        Assert.Equal(["a", "c=x", "c=y"], loaded.FeatureNames);

        // A record with a blank number (the fill, 2.5) and category y: the integer layers on the encoded row [2.5, 0, 1].
        TableRow row = loaded.CreateRow();
        row.SetText("a", "");
        row.SetText("c", "y");
        float[] fromRecord = new float[2], fromRow = new float[2];
        loaded.PredictProbabilities(row, fromRecord);
        var layers = new TrainedModel(loaded.QuantizedParameters!, new ModelMetadata(), libraryVersion: null);
        layers.PredictProbabilities([2.5f, 0f, 1f], fromRow);
        Assert.Equal(fromRow.Select(BitConverter.SingleToInt32Bits), fromRecord.Select(BitConverter.SingleToInt32Bits));
        Assert.NotEqual(fromRecord[0], fromRecord[1]);
    }

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void EveryBrokenPipelineIsRefusedInAnInt8FileAsInAFloatOne(string name)
    {
        (string metadata, string[] says) = PipelineFileTests.Cases[name];
        FileFormatException error = Assert.Throws<FileFormatException>(() => Load(Int8(metadata)));
        Assert.NotNull(error.Offset);
        Assert.StartsWith("'m.safetensors', byte ", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);
        foreach (string words in says)
        {
            Assert.Contains(words, error.Message);
        }
    }

    /// <summary>The <c>__metadata__</c> entry made int8's: format 2 becomes 3 (a pipeline's format in an int8 file), and int8_calibrated is added.</summary>
    private static string Int8(string metadata)
    {
        using JsonDocument entries = JsonDocument.Parse("{" + metadata + "}");
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteStartObject("__metadata__");
            foreach (JsonProperty entry in entries.RootElement.GetProperty("__metadata__").EnumerateObject())
            {
                string value = entry.Value.GetString()!;
                json.WriteString(entry.Name, entry.Name == "native.format" && value == "2" ? "3" : value);
            }

            json.WriteString("native.quantization", "int8_calibrated");
            json.WriteEndObject();
            json.WriteEndObject();
        }

        string header = Encoding.UTF8.GetString(buffer.WrittenSpan);
        return header[1..^1];
    }

    private static TrainedModel Load(string metadata)
    {
        byte[] header = Encoding.UTF8.GetBytes(ModelFileHostileTests.Header([metadata, .. Tensors]));
        header = [.. header, .. Enumerable.Repeat((byte)' ', (8 - (header.Length % 8)) % 8)];
        byte[] file = new byte[8 + header.Length + (4 * Floats.Length) + Weights.Length];
        BinaryPrimitives.WriteUInt64LittleEndian(file, (ulong)header.Length);
        header.CopyTo(file, 8);
        int at = 8 + header.Length;
        foreach (float value in Floats)
        {
            BinaryPrimitives.WriteSingleLittleEndian(file.AsSpan(at), value);
            at += 4;
        }

        foreach (sbyte weight in Weights)
        {
            file[at++] = unchecked((byte)weight);
        }

        return ModelFile.Load(new MemoryStream(file), ModelFormat.Safetensors, "m.safetensors");
    }
}
