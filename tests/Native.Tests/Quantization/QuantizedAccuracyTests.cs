using Native.Numerics;
using Native.Numerics.Quantization;
using Native.Tests.Support;

namespace Native.Tests.Quantization;

/// <summary>
/// What int8 costs on real digits: MNIST-10k (tests/data/mnist/README.md) and scikit-learn's digits, split the same way
/// (row i is a test row when i % 5 == 0), a softmax regression and a perceptron trained in the test, quantized with
/// calibrated scales (on 2,000 training rows) and with per-row scales: each loses at most half a point of test accuracy.
/// </summary>
public class QuantizedAccuracyTests
{
    private const double Budget = 0.005;

    [Fact]
    public void SoftmaxRegressionOnMnistLosesAtMostHalfAPoint()
    {
        var (training, test) = Mnist.TenK();
        var model = new SoftmaxRegression(784, 10);
        new Trainer(model, new GradientDescent(0.1f), new TrainerOptions { Epochs = 30, BatchSize = 64, Seed = 1 }).Fit(training);
        AssertWithinBudget(model, training, test, minimum: 0.90);
    }

    [Fact]
    public void PerceptronOnMnistLosesAtMostHalfAPoint()
    {
        var (training, test) = Mnist.TenK();
        var model = new MultilayerPerceptron([784, 128, 10], Activation.Relu, seed: 1);
        var options = new TrainerOptions { Epochs = 15, BatchSize = 64, Seed = 1, Schedule = LearningRateSchedule.Cosine(15) };
        new Trainer(model, new Momentum(0.1f, 0.9f) { WeightDecay = 5e-4f }, options).Fit(training);
        AssertWithinBudget(model, training, test, minimum: 0.94);
    }

    [Fact]
    public void BothOnScikitLearnsDigitsLoseAtMostHalfAPoint()
    {
        Dataset raw = Csv.Read(Path.Combine(Mnist.RepositoryRoot(), "tests", "data", "digits", "digits.csv"), new CsvOptions { LabelColumn = "label" });
        float[] pixels = new float[raw.Count * 64];
        for (int i = 0; i < raw.Count; i++)
        {
            for (int j = 0; j < 64; j++)
            {
                pixels[(i * 64) + j] = raw.Row(i)[j] / 16f;
            }
        }

        Dataset all = Dataset.FromLabels(pixels, 64, raw.Labels, 10);
        Dataset training = all.Select(Enumerable.Range(0, all.Count).Where(i => i % 5 != 0).ToArray());
        Dataset test = all.Select(Enumerable.Range(0, all.Count).Where(i => i % 5 == 0).ToArray());
        var softmax = new SoftmaxRegression(64, 10);
        new Trainer(softmax, new Adam(0.02f), new TrainerOptions { Epochs = 60, BatchSize = 64, Seed = 1 }).Fit(training);
        AssertWithinBudget(softmax, training, test, minimum: 0.93);
        var perceptron = new MultilayerPerceptron([64, 128, 10], Activation.Relu, seed: 1);
        new Trainer(perceptron, new Momentum(0.05f, 0.9f), new TrainerOptions { Epochs = 40, BatchSize = 64, Seed = 1 }).Fit(training);
        AssertWithinBudget(perceptron, training, test, minimum: 0.96);
    }

    private static void AssertWithinBudget<TModel>(TModel model, Dataset training, Dataset test, double minimum)
        where TModel : IModel, IClassifier
    {
        double accuracy = ClassificationReport.Evaluate(model, test).Accuracy;
        Assert.True(accuracy >= minimum, $"float accuracy {accuracy}");
        float[] calibration = Rows(training, Math.Min(training.Count, 2000));
        float[] rows = Rows(test, test.Count);
        foreach (ActivationScaling scaling in Enum.GetValues<ActivationScaling>())
        {
            QuantizedModel quantized = QuantizedModel.Create(Quantizer.Quantize(model.Shape, model.Parameters, null, calibration, scaling));
            int[] classes = new int[test.Count];
            quantized.PredictClasses(rows, classes);
            double quantizedAccuracy = Metrics.Accuracy(test.Labels, classes);
            Assert.True(quantizedAccuracy >= accuracy - Budget, $"{model.Shape}, {scaling}: int8 {quantizedAccuracy:P2}, float {accuracy:P2}");
        }
    }

    private static float[] Rows(Dataset data, int count)
    {
        float[] rows = new float[count * data.Features];
        for (int i = 0; i < count; i++)
        {
            data.Row(i).CopyTo(rows.AsSpan(i * data.Features));
        }

        return rows;
    }
}
