using Native.Numerics;
using Native.Numerics.Kernels.Quantized;
using Native.Numerics.Quantization;
using Native.Numerics.Serialization.Onnx;
using Native.Tests.Kernels;
using Native.Tests.Quantization;

namespace Native.Tests.Onnx;

/// <summary>
/// A calibrated quantized model exported as QDQ ONNX (QuantizeLinear / DequantizeLinear around Gemm) and read back: the same
/// integers, so the same bits on every integer path; ONNX Runtime runs the file to the read-back model's answers within the
/// rounding of its float steps; what the file cannot hold, or a reader cannot take, is refused in one line.
/// </summary>
public class QuantizedOnnxTests
{
    /// <summary>Every kind the engine quantizes: the regressions, softmax, and perceptrons of each activation.</summary>
    public static TheoryData<string> Kinds => new(QuantizedModelTests.Kinds);

    [Theory]
    [MemberData(nameof(Kinds))]
    public void SavedAsOnnxAndLoadedPredictsTheSameBitsOnEveryPath(string kind)
    {
        (TrainedModel trained, float[] rows) = QuantizedTrainedModelTests.Trained(kind);
        TrainedModel quantized = trained.Quantize(rows);
        byte[] onnx = Bytes(quantized, ModelFormat.Onnx);

        TrainedModel loaded = ModelFile.Load(new MemoryStream(onnx), ModelFormat.Onnx, "q.onnx");

        Assert.True(loaded.IsQuantized);
        Assert.Equal(quantized.Shape, loaded.Shape);
        Assert.Equal(quantized.ClassNames, loaded.ClassNames);
        Assert.Equal("test", loaded.Properties["source"]);
        Assert.Equal(Bits(quantized.Standardizer!.Means), Bits(loaded.Standardizer!.Means));
        Assert.Equal(Bits(quantized.Standardizer.StandardDeviations), Bits(loaded.Standardizer.StandardDeviations));
        Assert.Same(loaded.Standardizer, loaded.QuantizedParameters!.Standardizer);
        AssertSameIntegers(quantized.QuantizedParameters!, loaded.QuantizedParameters);
        Assert.Equal(Bits(quantized.Model.Parameters), Bits(loaded.Model.Parameters));

        // Saved again, the same files: the int8 safetensors file the model came to ONNX from, and the ONNX file itself.
        Assert.Equal(Bytes(quantized, ModelFormat.Safetensors), Bytes(loaded, ModelFormat.Safetensors));
        Assert.Equal(onnx, Bytes(loaded, ModelFormat.Onnx));

        // Every integer path, rows at an offset no vector aligns: the logits and every answer, bit for bit.
        int features = trained.Features, n = rows.Length / features, outputs = trained.Shape.Outputs;
        float[] shifted = new float[3 + rows.Length];
        rows.CopyTo(shifted, 3);
        foreach (IntegerPath path in Enum.GetValues<IntegerPath>())
        {
            quantized.QuantizedEngine!.Path = path;
            loaded.QuantizedEngine!.Path = path;
            ReadOnlySpan<float> at = shifted.AsSpan(3);
            float[] expected = new float[n * outputs], actual = new float[n * outputs];
            quantized.QuantizedEngine.Logits(at, expected);
            loaded.QuantizedEngine.Logits(at, actual);
            Assert.Equal(Bits(expected), Bits(actual));
            if (trained.Task == ModelTask.Regression)
            {
                float[] values = new float[n * outputs], loadedValues = new float[n * outputs];
                quantized.PredictValues(at, values);
                loaded.PredictValues(at, loadedValues);
                Assert.Equal(Bits(values), Bits(loadedValues));
                if (outputs == 1)
                {
                    Assert.Equal(BitConverter.SingleToInt32Bits(values[5]), BitConverter.SingleToInt32Bits(loaded.PredictValue(at.Slice(5 * features, features))));
                }
            }
            else
            {
                float[] probabilities = new float[n * trained.Classes], loadedProbabilities = new float[n * trained.Classes];
                quantized.PredictProbabilities(at, probabilities);
                loaded.PredictProbabilities(at, loadedProbabilities);
                Assert.Equal(Bits(probabilities), Bits(loadedProbabilities));
                int[] classes = new int[n], loadedClasses = new int[n];
                quantized.PredictClasses(at, classes);
                loaded.PredictClasses(at, loadedClasses);
                Assert.Equal(classes, loadedClasses);
                Assert.Equal(quantized.PredictClassName(at.Slice(5 * features, features)), loaded.PredictClassName(at.Slice(5 * features, features)));
            }
        }
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void OnnxRuntimeRunsTheQdqGraphToTheReadBackModelsAnswers(string kind)
    {
        (TrainedModel trained, float[] rows) = QuantizedTrainedModelTests.Trained(kind);
        byte[] file = Bytes(trained.Quantize(rows), ModelFormat.Onnx);
        TrainedModel loaded = ModelFile.Load(new MemoryStream(file), ModelFormat.Onnx, "q.onnx");
        int features = trained.Features, n = rows.Length / features;
        float[][] split = [.. Enumerable.Range(0, n).Select(i => rows[(i * features)..((i + 1) * features)])];
        string output = trained.Task == ModelTask.Regression ? "value" : trained.Shape.Kind == ModelKind.LogisticRegression ? "probability" : "probabilities";

        float[][] runtime = OnnxRuntime.Run(file, split, [features], output);
        int agree = 0;
        for (int i = 0; i < n; i++)
        {
            float[] native = new float[runtime[i].Length];
            if (trained.Task == ModelTask.Regression || trained.Shape.Kind == ModelKind.LogisticRegression)
            {
                loaded.PredictValues(split[i], native);
            }
            else
            {
                loaded.PredictProbabilities(split[i], native);
            }

            // A level rounded the other way (the graph standardizes, then quantizes; the engine folds both) moves an
            // answer by about one step of a layer's input: close, not equal.
            double scale = Math.Max(1.0, native.Max(v => Math.Abs((double)v)));
            agree += native.Zip(runtime[i]).All(p => Math.Abs(p.First - p.Second) <= 0.02 * scale) ? 1 : 0;
        }

        Assert.True(agree >= n * 9 / 10, $"{kind}: {agree} of {n} rows within 2 %");
    }

    [Fact]
    public void PerRowScalesAreNotExportedAndACalibratedFileLoadsByItsPath()
    {
        (TrainedModel trained, float[] rows) = QuantizedTrainedModelTests.Trained("softmax");
        string message = Assert.Throws<NotSupportedException>(() => ModelFile.Save(trained.Quantize(), new MemoryStream(), ModelFormat.Onnx)).Message;
        Assert.Contains("per-row", message);
        Assert.DoesNotContain('\n', message);

        string directory = Directory.CreateTempSubdirectory().FullName;
        try
        {
            string path = Path.Combine(directory, "digits-int8.onnx");
            TrainedModel quantized = trained.Quantize(rows);
            ModelFile.Save(quantized, path);
            TrainedModel loaded = ModelFile.Load(path);
            Assert.True(loaded.IsQuantized);
            Assert.Equal(quantized.PredictClass(rows.AsSpan(0, trained.Features)), loaded.PredictClass(rows.AsSpan(0, trained.Features)));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public void ATypedLoadAndTheGeneratorsReaderRefuseTheQdqGraphInOneLine()
    {
        (TrainedModel trained, float[] rows) = QuantizedTrainedModelTests.Trained("relu");
        byte[] file = Bytes(trained.Quantize(rows), ModelFormat.Onnx);

        // LoadInto fills a float model: int8 layers are not its to take.
        string typed = Assert.Throws<FileFormatException>(() => ModelFile.LoadInto(trained.Shape.CreateModel(), new MemoryStream(file), ModelFormat.Onnx, "q.onnx")).Message;
        Assert.StartsWith("'q.onnx', byte ", typed, StringComparison.Ordinal);
        Assert.Contains("quantized model (int8 weights through DequantizeLinear), which only ModelFile.Load reads", typed, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', typed);

        // The source generator reads ONNX with the same reader, as Read(bytes, name): refused alike until it compiles int8.
        string generated = Assert.Throws<FileFormatException>(() => OnnxGraphReader.Read(file, "q.onnx")).Message;
        Assert.Equal(typed, generated);
        Assert.NotNull(OnnxGraphReader.Read(file, "q.onnx", quantizedAllowed: true).Quantization);
    }

    [Fact]
    public void AQdqGraphBehindAFeaturePipelineLoadsWithBoth()
    {
        // A file may put a pipeline before int8 layers (as TrainedModel.Quantize(TableData) writes it): both are read.
        TableData table = Data.Tables.TableTestData.Read(Data.Tables.TableTestData.Loans);
        FeaturePipeline pipeline = table.Pipeline;
        var model = new SoftmaxRegression(pipeline.Features, 2);
        DenseKernelTests.Random(model.Parameters.Length, 3, scale: 0.5f).CopyTo(model.Parameters);
        float[] calibration = [.. Enumerable.Range(0, table.Data.Count).SelectMany(i => table.Data.Row(i).ToArray())];
        QuantizedParameters quantized = Quantizer.Quantize(model.Shape, model.Parameters, pipeline.Standardizer, calibration, ActivationScaling.Calibrated);
        byte[] file = OnnxExport.Write(model, table.Metadata, "test", quantized).Written.ToArray();

        TrainedModel loaded = ModelFile.Load(new MemoryStream(file), ModelFormat.Onnx, "q.onnx");

        Assert.True(loaded.IsQuantized);
        Assert.Equal(pipeline.FeatureNames, loaded.Pipeline!.FeatureNames);
        AssertSameIntegers(quantized, loaded.QuantizedParameters!);
    }

    [Fact]
    public void TheReadersIntegerRangesAreTheEngines()
    {
        Assert.Equal(QuantizedRange.MaximumWeight, OnnxGraphReader.MaximumWeight);
        Assert.Equal(QuantizedRange.MaximumActivation, OnnxGraphReader.MaximumLevel);
        Assert.Equal(QuantizedRange.MaximumInputs, OnnxGraphReader.MaximumInputs);
    }

    internal static byte[] Bytes(TrainedModel model, ModelFormat format)
    {
        using var stream = new MemoryStream();
        ModelFile.Save(model, stream, format);
        return stream.ToArray();
    }

    /// <summary>The same integers, bit for bit: shape, scaling, and each layer's weights, scales, biases, input scale and zero point.</summary>
    internal static void AssertSameIntegers(QuantizedParameters expected, QuantizedParameters actual)
    {
        Assert.Equal(expected.Shape, actual.Shape);
        Assert.Equal(expected.Scaling, actual.Scaling);
        Assert.Equal(expected.Layers.Count, actual.Layers.Count);
        for (int l = 0; l < expected.Layers.Count; l++)
        {
            QuantizedLayer e = expected.Layers[l], a = actual.Layers[l];
            Assert.Equal(e.Weights.ToArray(), a.Weights.ToArray());
            Assert.Equal(Bits(e.WeightScales), Bits(a.WeightScales));
            Assert.Equal(Bits(e.Biases), Bits(a.Biases));
            Assert.Equal(BitConverter.SingleToInt32Bits(e.InputScale), BitConverter.SingleToInt32Bits(a.InputScale));
            Assert.Equal(e.InputZeroPoint, a.InputZeroPoint);
        }
    }

    private static int[] Bits(ReadOnlySpan<float> values)
    {
        int[] bits = new int[values.Length];
        for (int i = 0; i < values.Length; i++)
        {
            bits[i] = BitConverter.SingleToInt32Bits(values[i]);
        }

        return bits;
    }
}
