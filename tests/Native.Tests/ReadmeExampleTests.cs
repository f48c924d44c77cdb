using System.Text.RegularExpressions;
using Native.Numerics;
using Native.Tests.Support;
using Xunit.Abstractions;

namespace Native.Tests;

/// <summary>The README's example runs, and the README shows exactly the code that runs here.</summary>
public partial class ReadmeExampleTests(ITestOutputHelper output)
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

            int digit = model.Predict(test.Row(0)); // no allocation; safe from many threads at once
            Console.WriteLine($"test accuracy {result.ValidationAccuracy:P1}; the first test row is a {digit}");
            // example:end

            Assert.True(result.ValidationAccuracy > 0.88f, $"accuracy {result.ValidationAccuracy}");
            Assert.Equal(digit, model.Predict(test.Row(0)));
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
        string root = Mnist.RepositoryRoot();
        string readme = File.ReadAllText(Path.Combine(root, "README.md"));
        string test = File.ReadAllText(Path.Combine(root, "tests", "Native.Tests", "ReadmeExampleTests.cs"));

        Match shown = ReadmeBlock().Match(readme);
        Assert.True(shown.Success, "README.md has no example block after its ReadmeExampleTests comment.");
        Match run = TestBlock().Match(test);
        Assert.True(run.Success);
        Assert.Equal(Normalize(run.Groups[1].Value), Normalize(shown.Groups[1].Value));
    }

    private static string Normalize(string code) =>
        string.Join('\n', code.Replace("\r", "", StringComparison.Ordinal).Split('\n').Select(line => line.Trim()).Where(line => line.Length > 0));

    [GeneratedRegex(@"ReadmeExampleTests[^\n]*\n```csharp\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex ReadmeBlock();

    [GeneratedRegex(@"// example:start\n(.*?)// example:end", RegexOptions.Singleline)]
    private static partial Regex TestBlock();
}
