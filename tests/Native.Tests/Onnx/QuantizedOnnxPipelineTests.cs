using Native.Numerics;
using Native.Numerics.Serialization;
using Native.Numerics.Serialization.Onnx;
using Native.Tests.Quantization;
using Native.Tests.Support;
using Xunit.Abstractions;

namespace Native.Tests.Onnx;

/// <summary>
/// An int8 model that keeps a table's pipeline, saved as ONNX: the pipeline's graph (per-column inputs, imputation, one-hot)
/// then the QDQ layers, as the float pipeline export and the int8 export each write theirs. ONNX Runtime, fed the raw columns
/// of tests/data/loans, gives what the int8 model gives on the same records; the file reads back into the same model.
/// </summary>
public sealed class QuantizedOnnxPipelineTests(ITestOutputHelper output)
{
    private static readonly string Loans = Path.Combine(Mnist.RepositoryRoot(), "tests", "data", "loans");

    public static TheoryData<string, string> Cases => new()
    {
        { "logistic", "plain" },
        { "logistic", "indicators-other-tokens" },
        { "perceptron", "indicators-other-tokens" },
        { "perceptron", "median-unstandardized" },
    };

    /// <summary>A model trained a little on the loans table read as <paramref name="variant"/>, quantized on that table.</summary>
    private static (TrainedModel Float, TrainedModel Int8) Quantized(string kind, string variant)
    {
        TableData training = Table.Read(Path.Combine(Loans, "loans-train.csv"), OnnxPipelineTests.Options(variant));
        IModel model = kind == "logistic" ? new LogisticRegression(training.Pipeline.Features) : new MultilayerPerceptron([training.Pipeline.Features, 16, 2], Activation.Relu, seed: 1);
        new Trainer(model, new Adam(kind == "logistic" ? 0.01f : 1e-3f), new TrainerOptions { Epochs = 2, BatchSize = 200, Seed = 1 }).Fit(training.StandardizedData);
        var trained = new TrainedModel(model, training.Metadata);
        return (trained, trained.Quantize(training));
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void OnnxRuntimeRunsThePipelineAndTheQdqLayersOnRawRecords(string kind, string variant)
    {
        (_, TrainedModel quantized) = Quantized(kind, variant);
        byte[] file = QuantizedOnnxTests.Bytes(quantized, ModelFormat.Onnx);
        List<string[]> records = OnnxPipelineTests.RawRecords(quantized.Pipeline!, out string[] header);
        string name = kind == "logistic" ? "probability" : "probabilities";

        float[][] ours = OnnxPipelineTests.NativeProbabilities(quantized, header, records);
        float[][] theirs = OnnxPipelineTests.RuntimeProbabilities(file, quantized.Pipeline!, header, records, name);

        // As for int8 graphs without a pipeline: the graph standardizes, then quantizes, where the engine folds both, so a level
        // can round the other way — an answer moves by about one step of a layer's input. Nine records in ten within 2 %, and
        // the same class for nearly all (one probability side of one half).
        int close = 0, sameClass = 0;
        double worst = 0;
        for (int r = 0; r < records.Count; r++)
        {
            Assert.Equal(ours[r].Length, theirs[r].Length);
            Assert.All(ours[r], p => Assert.True(float.IsFinite(p)));
            double difference = ours[r].Zip(theirs[r]).Max(p => Math.Abs(p.First - p.Second));
            worst = Math.Max(worst, difference);
            close += difference <= 0.02 ? 1 : 0;
            sameClass += Class(ours[r]) == Class(theirs[r]) ? 1 : 0;
        }

        output.WriteLine($"{kind} {variant}: {close} of {records.Count} records within 2 %, {sameClass} the same class, largest difference {worst:G3}");
        Assert.True(close >= records.Count * 9 / 10, $"{close} of {records.Count} records within 2 %");
        Assert.True(sameClass >= records.Count * 98 / 100, $"{sameClass} of {records.Count} records of the same class");
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void ReadBackTheFileIsTheSameModelAndPredictsBitEqualOnRawRecords(string kind, string variant)
    {
        (_, TrainedModel quantized) = Quantized(kind, variant);
        byte[] file = QuantizedOnnxTests.Bytes(quantized, ModelFormat.Onnx);

        TrainedModel loaded = ModelFile.Load(new MemoryStream(file), ModelFormat.Onnx, "q.onnx");

        Assert.True(loaded.IsQuantized);
        OnnxPipelineTests.AssertSamePipeline(quantized.Pipeline!, loaded.Pipeline!);
        QuantizedOnnxTests.AssertSameIntegers(quantized.QuantizedParameters!, loaded.QuantizedParameters!);
        List<string[]> records = OnnxPipelineTests.RawRecords(quantized.Pipeline!, out string[] header);
        float[][] ours = OnnxPipelineTests.NativeProbabilities(quantized, header, records), back = OnnxPipelineTests.NativeProbabilities(loaded, header, records);
        for (int r = 0; r < ours.Length; r++)
        {
            Assert.Equal(ours[r].Select(BitConverter.SingleToInt32Bits), back[r].Select(BitConverter.SingleToInt32Bits));
        }
    }

    [Fact]
    public void TheGeneratorsReaderSeesThePipelineAndTheIntegerLayers()
    {
        (_, TrainedModel quantized) = Quantized("perceptron", "plain");
        byte[] file = QuantizedOnnxTests.Bytes(quantized, ModelFormat.Onnx);
        ModelDescription description = OnnxGraphReader.Read(file, "q.onnx", quantizedAllowed: true);
        Assert.NotNull(description.Pipeline);
        Assert.NotNull(description.Quantization);
    }

    private static int Class(float[] probabilities) => probabilities.Length == 1 ? (probabilities[0] >= 0.5f ? 1 : 0) : Array.IndexOf(probabilities, probabilities.Max());
}
