using Native.Numerics;
using Native.Tests.Quantization;

namespace Native.Tests.Onnx;

/// <summary>
/// A calibrated quantized model exported as QDQ ONNX (QuantizeLinear / DequantizeLinear around Gemm): ONNX Runtime runs it,
/// to the int8 engine's answers within the rounding of its float steps.
/// </summary>
public class QuantizedOnnxTests
{
    [Theory]
    [InlineData("linear")]
    [InlineData("logistic")]
    [InlineData("softmax")]
    [InlineData("relu")]
    [InlineData("relu-tanh")]
    public void OnnxRuntimeRunsTheQdqGraphToTheEnginesAnswers(string kind)
    {
        (TrainedModel trained, float[] rows) = QuantizedTrainedModelTests.Trained(kind);
        TrainedModel quantized = trained.Quantize(rows);
        using var file = new MemoryStream();
        ModelFile.Save(quantized, file, ModelFormat.Onnx);
        int features = trained.Features, n = rows.Length / features;
        float[][] split = [.. Enumerable.Range(0, n).Select(i => rows[(i * features)..((i + 1) * features)])];
        string output = trained.Shape.Kind switch
        {
            ModelKind.LinearRegression => "value",
            ModelKind.LogisticRegression => "probability",
            _ => "probabilities",
        };

        float[][] runtime = OnnxRuntime.Run(file.ToArray(), split, [features], output);
        int agree = 0;
        for (int i = 0; i < n; i++)
        {
            float[] native = new float[runtime[i].Length];
            if (trained.Task == ModelTask.Regression || trained.Shape.Kind == ModelKind.LogisticRegression)
            {
                native[0] = quantized.PredictValue(split[i]);
            }
            else
            {
                quantized.PredictProbabilities(split[i], native);
            }

            // A level rounded the other way (the graph standardizes, then quantizes; the engine folds both) moves an
            // answer by about one step of a layer's input: close, not equal.
            double scale = Math.Max(1.0, native.Max(v => Math.Abs((double)v)));
            agree += native.Zip(runtime[i]).All(p => Math.Abs(p.First - p.Second) <= 0.02 * scale) ? 1 : 0;
        }

        Assert.True(agree >= n * 9 / 10, $"{kind}: {agree} of {n} rows within 2 %");
    }

    [Fact]
    public void PerRowScalesAreNotExportedAndTheFileIsNotReadBackYet()
    {
        (TrainedModel trained, float[] rows) = QuantizedTrainedModelTests.Trained("softmax");
        Assert.Throws<NotSupportedException>(() => ModelFile.Save(trained.Quantize(), new MemoryStream(), ModelFormat.Onnx));

        using var file = new MemoryStream();
        ModelFile.Save(trained.Quantize(rows), file, ModelFormat.Onnx);
        string message = Assert.Throws<FileFormatException>(() => ModelFile.Load(new MemoryStream(file.ToArray()), ModelFormat.Onnx, "q.onnx")).Message;
        Assert.Contains("q.onnx", message);
        Assert.DoesNotContain('\n', message);
    }
}
