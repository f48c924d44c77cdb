using System.Buffers.Binary;
using System.Text;
using System.Text.Json.Nodes;
using Native.Numerics;
using Native.Tests.Quantization;

namespace Native.Tests.Serialization;

/// <summary>
/// The int8 model file (format version 3): a quantized TrainedModel saved and loaded predicts the same bits with the same
/// metadata; the reader refuses hostile files — scales of 0, NaN or 1e38, weights of −128, a wrong zero point, int8 tensors
/// of the wrong length, a file that says int8 and holds floats — with one line naming the tensor and byte offset.
/// </summary>
public class QuantizedModelFileTests
{
    [Theory]
    [InlineData("linear", true)]
    [InlineData("logistic", false)]
    [InlineData("softmax", true)]
    [InlineData("relu", true)]
    [InlineData("relu-tanh", false)]
    public void SavedAndLoadedPredictsTheSameBits(string kind, bool calibrated)
    {
        (TrainedModel trained, float[] rows) = QuantizedTrainedModelTests.Trained(kind);
        TrainedModel quantized = calibrated ? trained.Quantize(rows) : trained.Quantize();
        TrainedModel loaded = ModelFile.Load(new MemoryStream(Bytes(quantized)), ModelFormat.Safetensors);
        Assert.True(loaded.IsQuantized);
        Assert.Equal(quantized.Shape, loaded.Shape);
        Assert.Equal(quantized.ClassNames, loaded.ClassNames);
        Assert.Equal("test", loaded.Properties["source"]);
        Assert.Equal(quantized.Standardizer!.Means.ToArray(), loaded.Standardizer!.Means.ToArray());
        Assert.Equal(quantized.Model.Parameters.ToArray(), loaded.Model.Parameters.ToArray());
        int n = rows.Length / trained.Features;
        if (trained.Task == ModelTask.Regression)
        {
            float[] expected = new float[n], actual = new float[n];
            quantized.PredictValues(rows, expected);
            loaded.PredictValues(rows, actual);
            Assert.Equal(expected, actual);
        }
        else
        {
            float[] expected = new float[n * trained.Classes], actual = new float[n * trained.Classes];
            quantized.PredictProbabilities(rows, expected);
            loaded.PredictProbabilities(rows, actual);
            Assert.Equal(expected, actual);
        }

        // Saved again, the same bytes.
        Assert.Equal(Bytes(quantized), Bytes(loaded));
    }

    [Fact]
    public void TheFileSaysInt8()
    {
        (TrainedModel trained, float[] rows) = QuantizedTrainedModelTests.Trained("relu");
        JsonObject header = Header(Bytes(trained.Quantize(rows)));
        Assert.Equal("3", (string?)header["__metadata__"]!["native.format"]);
        Assert.Equal("int8_calibrated", (string?)header["__metadata__"]!["native.quantization"]);
        Assert.Equal("I8", (string?)header["layers.0.weight"]!["dtype"]);
        Assert.Equal("F32", (string?)header["layers.0.weight_scale"]!["dtype"]);
        Assert.Equal("int8_per_row", (string?)Header(Bytes(trained.Quantize()))["__metadata__"]!["native.quantization"]);

        // A float model saved through the same call is the float file it always was.
        Assert.Equal("1", (string?)Header(Bytes(trained))["__metadata__"]!["native.format"]);
    }

    [Fact]
    public void PathSaveIsAtomicAndPerRowOnnxIsRefused()
    {
        (TrainedModel trained, float[] rows) = QuantizedTrainedModelTests.Trained("softmax");
        TrainedModel quantized = trained.Quantize(rows);
        string directory = Directory.CreateTempSubdirectory().FullName;
        try
        {
            string path = Path.Combine(directory, "model.safetensors");
            ModelFile.Save(quantized, path);
            Assert.True(ModelFile.Load(path).IsQuantized);
            Assert.Single(Directory.GetFiles(directory));
            // Per-row scales have no ONNX form: refused, nothing written (a calibrated model is QDQ ONNX: QuantizedOnnxTests).
            Assert.Contains("per-row", Assert.Throws<NotSupportedException>(() => ModelFile.Save(trained.Quantize(), Path.Combine(directory, "model.onnx"))).Message);
            Assert.Single(Directory.GetFiles(directory));

            // A typed load cannot take bytes.
            string message = Assert.Throws<FileFormatException>(() => ModelFile.LoadInto(trained.Model.Shape.CreateModel(), path)).Message;
            Assert.Contains("quantized model", message);
            Assert.DoesNotContain('\n', message);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    public static TheoryData<string, string> Hostile => new()
    {
        { "input scale 0", "input scale is positive" },
        { "input scale NaN", "must be finite" },
        { "input scale 1e38", "calibrated range" },
        { "input scale 1e-40", "finite inverse" },
        { "weight scale 1e38", "NaN to every input" },
        { "weight scale -1", "0 or more" },
        { "weight scale 0", "row of zeros" },
        { "weight -128", "holds -128" },
        { "zero point 3.5", "zero point is a whole number" },
        { "zero point 128", "zero point is a whole number" },
        { "bias NaN", "must be finite" },
        { "int8 weights of the wrong length", "data_offsets" },
        { "int8 weights of the wrong shape", "needs [40, 9]" },
        { "says int8, holds floats", "has dtype F32, but native.quantization is int8_calibrated" },
        { "int8 weights without native.quantization", "the file is not quantized" },
        { "format 3 without native.quantization", "no native.quantization" },
        { "native.quantization in format 1", "a quantized file is format version 3" },
        { "unknown quantization", "expected int8_calibrated or int8_per_row" },
        { "a weight scale missing", "a gap of" },
        { "standardizer mean 1e30", "maps through the first layer's input scale" },
    };

    [Theory]
    [MemberData(nameof(Hostile))]
    public void HostileFilesAreRefusedInOneLine(string damage, string expected)
    {
        (TrainedModel trained, float[] rows) = QuantizedTrainedModelTests.Trained("relu");
        byte[] file = Bytes(trained.Quantize(rows));
        byte[] damaged = damage switch
        {
            "input scale 0" => SetFloat(file, "layers.0.input_quantization", 0, 0f),
            "input scale NaN" => SetFloat(file, "layers.1.input_quantization", 0, float.NaN),
            "input scale 1e38" => SetFloat(file, "layers.1.input_quantization", 0, 1e38f),
            "input scale 1e-40" => SetFloat(file, "layers.0.input_quantization", 0, 1e-40f),
            "weight scale 1e38" => SetFloat(file, "layers.0.weight_scale", 3, 1e38f),
            "weight scale -1" => SetFloat(file, "layers.0.weight_scale", 3, -1f),
            "weight scale 0" => SetFloat(file, "layers.0.weight_scale", 3, 0f),
            "weight -128" => SetByte(file, "layers.1.weight", 7, 0x80),
            "zero point 3.5" => SetFloat(file, "layers.0.input_quantization", 1, 3.5f),
            "zero point 128" => SetFloat(file, "layers.0.input_quantization", 1, 128f),
            "bias NaN" => SetFloat(file, "layers.0.bias", 0, float.NaN),
            "int8 weights of the wrong length" => Rewrite(file, h => h["layers.1.weight"]!["data_offsets"]![1] = (long)h["layers.1.weight"]!["data_offsets"]![1]! - 1),
            "int8 weights of the wrong shape" => Rewrite(file, h => h["layers.0.weight"]!["shape"] = new JsonArray(9, 40)),
            "says int8, holds floats" => Rewrite(Bytes(trained), h =>
            {
                h["__metadata__"]!["native.format"] = "3";
                h["__metadata__"]!["native.quantization"] = "int8_calibrated";
            }),
            "int8 weights without native.quantization" => Rewrite(file, h =>
            {
                h["__metadata__"]!["native.format"] = "1";
                h["__metadata__"]!.AsObject().Remove("native.quantization");
            }),
            "format 3 without native.quantization" => Rewrite(file, h => h["__metadata__"]!.AsObject().Remove("native.quantization")),
            "native.quantization in format 1" => Rewrite(file, h => h["__metadata__"]!["native.format"] = "1"),
            "unknown quantization" => Rewrite(file, h => h["__metadata__"]!["native.quantization"] = "int4"),
            "standardizer mean 1e30" => Rewrite(file, h =>
            {
                // 1e30 standard deviations of the input step from 0: no byte level at the mean, so no answer there.
                JsonArray means = JsonNode.Parse((string)h["__metadata__"]!["native.standardizer.means"]!)!.AsArray();
                means[2] = (double)1e30f;
                h["__metadata__"]!["native.standardizer.means"] = means.ToJsonString();
            }),
            _ => Rewrite(file, h => h["layers.1.weight_scale"]!["dtype"] = "F32X"),
        };
        if (damage == "a weight scale missing")
        {
            damaged = Rewrite(file, h => h.Remove("layers.1.weight_scale"));
        }

        foreach (bool seekable in new[] { true, false })
        {
            Stream stream = seekable ? new MemoryStream(damaged) : new Support.ForwardOnlyStream(damaged);
            string message = Assert.Throws<FileFormatException>(() => ModelFile.Load(stream, ModelFormat.Safetensors, "model.safetensors")).Message;
            Assert.Contains(expected, message);
            Assert.Contains("model.safetensors", message);
            Assert.DoesNotContain('\n', message);
        }
    }

    private static byte[] Bytes(TrainedModel model)
    {
        using var stream = new MemoryStream();
        ModelFile.Save(model, stream, ModelFormat.Safetensors);
        return stream.ToArray();
    }

    private static JsonObject Header(byte[] file) =>
        JsonNode.Parse(Encoding.UTF8.GetString(file, 8, (int)BinaryPrimitives.ReadUInt64LittleEndian(file)))!.AsObject();

    private static int DataOffset(byte[] file, string tensor) =>
        8 + (int)BinaryPrimitives.ReadUInt64LittleEndian(file) + (int)(long)Header(file)[tensor]!["data_offsets"]![0]!;

    private static byte[] SetFloat(byte[] file, string tensor, int element, float value)
    {
        byte[] copy = [.. file];
        BinaryPrimitives.WriteSingleLittleEndian(copy.AsSpan(DataOffset(file, tensor) + (4 * element)), value);
        return copy;
    }

    private static byte[] SetByte(byte[] file, string tensor, int element, byte value)
    {
        byte[] copy = [.. file];
        copy[DataOffset(file, tensor) + element] = value;
        return copy;
    }

    /// <summary>The file with its header changed by <paramref name="change"/>, the data section as it was.</summary>
    private static byte[] Rewrite(byte[] file, Action<JsonObject> change)
    {
        int n = (int)BinaryPrimitives.ReadUInt64LittleEndian(file);
        JsonObject header = Header(file);
        change(header);
        byte[] json = Encoding.UTF8.GetBytes(header.ToJsonString());
        byte[] result = new byte[8 + json.Length + (file.Length - 8 - n)];
        BinaryPrimitives.WriteUInt64LittleEndian(result, (ulong)json.Length);
        json.CopyTo(result, 8);
        file.AsSpan(8 + n).CopyTo(result.AsSpan(8 + json.Length));
        return result;
    }
}
