using Native.Numerics;
using Native.Tests.Support;

namespace Native.Tests.Serialization;

/// <summary>
/// What <see cref="ModelFile.Load(string)"/> returns predicts from raw rows: the saved standardizer applied inside, to the
/// bit what the model gives on the rows the standardizer transformed; allocation-free; the same answers from many threads.
/// </summary>
public sealed class TrainedModelTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("native-loaded-").FullName;

    public static TheoryData<string> Formats => new() { "safetensors", "onnx" };

    [Theory]
    [MemberData(nameof(Formats))]
    public void RawRowsGiveWhatTheModelGivesOnTransformedRows(string format)
    {
        var (model, standardizer, raw, transformed) = Trained(features: 12, classes: 5, rows: 40);
        string path = Path.Combine(_directory, "m." + format);
        ModelFile.Save(model, path, new ModelMetadata { Standardizer = standardizer, ClassNames = ["a", "b", "c", "d", "e"] });
        TrainedModel loaded = ModelFile.Load(path);

        float[] expected = new float[40 * 5], actual = new float[40 * 5], one = new float[5], expectedOne = new float[5];
        int[] classes = new int[40];
        model.PredictProbabilities(transformed, expected);
        loaded.PredictProbabilities(raw, actual);
        loaded.PredictClasses(raw, classes);
        Assert.Equal(expected.Select(BitConverter.SingleToInt32Bits), actual.Select(BitConverter.SingleToInt32Bits));
        for (int i = 0; i < 40; i++)
        {
            int predicted = model.PredictClass(transformed.AsSpan(i * 12, 12));
            Assert.Equal(predicted, loaded.PredictClass(raw.AsSpan(i * 12, 12)));
            Assert.Equal(predicted, classes[i]);
            Assert.Equal("abcde"[predicted].ToString(), loaded.PredictClassName(raw.AsSpan(i * 12, 12)));
            // One row runs the one-row kernel, whose sums may round differently from the batch kernel's.
            model.PredictProbabilities(transformed.AsSpan(i * 12, 12), expectedOne);
            loaded.PredictProbabilities(raw.AsSpan(i * 12, 12), one);
            Assert.Equal(expectedOne.Select(BitConverter.SingleToInt32Bits), one.Select(BitConverter.SingleToInt32Bits));
        }
    }

    [Fact]
    public void ARegressionsValueIsTheModelsOnTheTransformedRow()
    {
        var model = new LinearRegression(6);
        var random = new Random(4);
        for (int i = 0; i < model.Parameters.Length; i++)
        {
            model.Parameters[i] = (float)(random.NextDouble() - 0.5);
        }

        var standardizer = Standardizer.FromStatistics([10, 20, 30, 40, 50, 60], [1, 2, 3, 4, 5, 6]);
        string path = Path.Combine(_directory, "linear.safetensors");
        ModelFile.Save(model, path, new ModelMetadata { Standardizer = standardizer });
        TrainedModel loaded = ModelFile.Load(path);
        float[] raw = [11, 18, 33, 41, 45, 70], transformed = new float[6], values = new float[1];
        standardizer.Transform(raw, transformed);
        Assert.Equal(model.PredictValue(transformed), loaded.PredictValue(raw));
        loaded.PredictValues(raw, values);
        Assert.Equal(model.PredictValue(transformed), values[0]);
    }

    [Fact]
    public void PredictingAllocatesNothing()
    {
        var (model, standardizer, raw, _) = Trained(features: 12, classes: 5, rows: 40);
        string path = Path.Combine(_directory, "m.safetensors");
        ModelFile.Save(model, path, new ModelMetadata { Standardizer = standardizer, ClassNames = ["a", "b", "c", "d", "e"] });
        TrainedModel loaded = ModelFile.Load(path);
        float[] probabilities = new float[40 * 5];
        int[] classes = new int[40];
        Assert.Equal(0, Allocations.Measure(() =>
        {
            _ = loaded.PredictClass(raw.AsSpan(0, 12));
            _ = loaded.PredictClassName(raw.AsSpan(12, 12));
            loaded.PredictProbabilities(raw.AsSpan(24, 12), probabilities.AsSpan(0, 5));
            loaded.PredictProbabilities(raw, probabilities);
            loaded.PredictClasses(raw, classes);
        }));
    }

    [Fact]
    public void ManyThreadsGetTheAnswersOneThreadGets()
    {
        var (model, standardizer, raw, _) = Trained(features: 50, classes: 7, rows: 200);
        string path = Path.Combine(_directory, "m.safetensors");
        ModelFile.Save(model, path, new ModelMetadata { Standardizer = standardizer });
        TrainedModel loaded = ModelFile.Load(path);
        float[] expected = new float[200 * 7], expectedRows = new float[200 * 7];
        loaded.PredictProbabilities(raw, expected);
        for (int i = 0; i < 200; i++)
        {
            loaded.PredictProbabilities(raw.AsSpan(i * 50, 50), expectedRows.AsSpan(i * 7, 7));
        }

        // Four threads, each predicting every row one at a time and in batches, many times over, all on one TrainedModel.
        int mismatches = 0;
        Parallel.For(0, 4, new ParallelOptions { MaxDegreeOfParallelism = 4 }, _ =>
        {
            float[] one = new float[7], batch = new float[200 * 7];
            for (int round = 0; round < 20; round++)
            {
                loaded.PredictProbabilities(raw, batch);
                for (int i = 0; i < 200; i++)
                {
                    loaded.PredictProbabilities(raw.AsSpan(i * 50, 50), one);
                    if (!one.AsSpan().SequenceEqual(expectedRows.AsSpan(i * 7, 7)) || !batch.AsSpan(i * 7, 7).SequenceEqual(expected.AsSpan(i * 7, 7)))
                    {
                        Interlocked.Increment(ref mismatches);
                    }
                }
            }
        });
        Assert.Equal(0, mismatches);
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    // A softmax regression with weights from a fixed seed, a standardizer of raw data far from zero, and rows both ways.
    private static (SoftmaxRegression Model, Standardizer Standardizer, float[] Raw, float[] Transformed) Trained(int features, int classes, int rows)
    {
        var random = new Random(features * 7 + classes);
        var model = new SoftmaxRegression(features, classes);
        for (int i = 0; i < model.Parameters.Length; i++)
        {
            model.Parameters[i] = (float)(random.NextDouble() - 0.5);
        }

        float[] raw = new float[rows * features];
        for (int i = 0; i < raw.Length; i++)
        {
            raw[i] = 100f + (float)(random.NextDouble() * 40);
        }

        Standardizer standardizer = Standardizer.Fit(Dataset.FromLabels(raw, features, new int[rows], classes));
        float[] transformed = new float[raw.Length];
        for (int i = 0; i < rows; i++)
        {
            standardizer.Transform(raw.AsSpan(i * features, features), transformed.AsSpan(i * features, features));
        }

        return (model, standardizer, raw, transformed);
    }
}
