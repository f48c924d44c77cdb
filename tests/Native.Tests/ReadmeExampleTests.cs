using Native.Numerics;
using Native.Tests.Support;
using Xunit.Abstractions;

namespace Native.Tests;

/// <summary>The README's example runs, and the README shows exactly the code that runs here.</summary>
public class ReadmeExampleTests(ITestOutputHelper output)
{
    [Fact]
    public void TrainAndPredictDigits()
    {
        string mnistDirectory = Mnist.DataDirectory();
        using var console = new StringWriter();
        TextWriter original = Console.Out;
        Console.SetOut(console);
        try
        {
            // example:start
            // MNIST's digits: 784 pixels scaled to [0, 1], labels 0–9, from the IDX files (raw or gzip).
            Dataset digits = Idx.LoadDirectory(mnistDirectory);
            var (training, test) = digits.Split(testFraction: 0.2, seed: 1);

            var model = new SoftmaxRegression(features: 784, classes: 10);
            var trainer = new Trainer(model, new GradientDescent(learningRate: 0.1f),
                new TrainerOptions { Epochs = 10, BatchSize = 64, Seed = 1 });
            TrainingResult result = trainer.Fit(training, validation: test);

            int digit = model.PredictClass(test.Row(0)); // no allocation; safe from many threads at once
            Console.WriteLine($"test accuracy {result.ValidationAccuracy:P1}; the first test row is a {digit}");
            // example:end

            Assert.True(result.ValidationAccuracy > 0.88f, $"accuracy {result.ValidationAccuracy}");
            Assert.Equal(digit, model.PredictClass(test.Row(0)));
        }
        finally
        {
            Console.SetOut(original);
        }

        output.WriteLine(console.ToString());
        Assert.StartsWith("test accuracy", console.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void TheReadmeShowsTheCodeThisTestRuns()
    {
        string? shown = ReadmeBlocks.Shown(ReadmeBlocks.Read("README.md"), nameof(ReadmeExampleTests));
        Assert.True(shown is not null, "README.md has no example block after its ReadmeExampleTests comment.");
        Assert.Equal(ReadmeBlocks.Run(ReadmeBlocks.Read("tests/Native.Tests/ReadmeExampleTests.cs")), shown);
    }
}
