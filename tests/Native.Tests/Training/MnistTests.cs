using Native.Numerics;
using Native.Tests.Support;

namespace Native.Tests.Training;

/// <summary>
/// Real digits (MNIST-10k: 8,000 training rows, 2,000 test rows; tests/data/mnist/README.md), trained inside
/// the test. The peers on the same protocol: PyTorch 0.898–0.907 (softmax regression) and 0.950–0.954
/// (784-128-10); scikit-learn 0.905 and 0.943.
/// </summary>
public class MnistTests
{
    [Fact]
    public void SoftmaxRegressionReachesNinetyPercent()
    {
        var (training, test) = Mnist.TenK();
        var model = new SoftmaxRegression(784, 10);
        TrainingResult result = new Trainer(model, new GradientDescent(0.1f), new TrainerOptions { Epochs = 30, BatchSize = 64, Seed = 1 })
            .Fit(training, test);

        Assert.True(result.ValidationAccuracy >= 0.90f, $"test accuracy {result.ValidationAccuracy}");

        // The trainer's accuracy is the evaluation's.
        ClassificationReport report = ClassificationReport.Evaluate(model, test);
        Assert.Equal(result.ValidationAccuracy, report.Accuracy, 1e-6);
    }

    [Fact]
    public void PerceptronReachesNinetyFivePercent()
    {
        var (training, test) = Mnist.TenK();
        var model = new MultilayerPerceptron([784, 128, 10], Activation.Relu, seed: 1);
        var optimizer = new Momentum(0.1f, 0.9f) { WeightDecay = 5e-4f };
        var options = new TrainerOptions { Epochs = 30, BatchSize = 64, Seed = 1, Schedule = LearningRateSchedule.Cosine(30) };
        TrainingResult result = new Trainer(model, optimizer, options).Fit(training, test);

        Assert.True(result.ValidationAccuracy >= 0.95f, $"test accuracy {result.ValidationAccuracy}");
        Assert.Equal(result.ValidationAccuracy, ClassificationReport.Evaluate(model, test).Accuracy, 1e-6);
    }
}
