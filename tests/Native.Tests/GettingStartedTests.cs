using System.Globalization;
using System.Text.RegularExpressions;
using Native.Numerics;
using Native.Tests.Support;
using Xunit.Abstractions;

namespace Native.Tests;

/// <summary>
/// The getting-started program of README.md and of the package's README (src/Native.Numerics/README.md):
/// it runs and gets its answer, and both READMEs show exactly the code that runs here.
/// </summary>
/// <remarks>
/// The program saves its model in the current directory, as a user's program would; so the test runs in a
/// temporary current directory, alone (the collection is not run in parallel with any other).
/// </remarks>
[Collection(nameof(GettingStartedTests))]
[CollectionDefinition(nameof(GettingStartedTests), DisableParallelization = true)]
public class GettingStartedTests(ITestOutputHelper output)
{
    [Fact]
    public void TheProgramTrainsPredictsAndSaves()
    {
        string directory = Directory.CreateTempSubdirectory("native-getting-started-").FullName;
        string originalDirectory = Environment.CurrentDirectory;
        TextWriter originalOut = Console.Out;
        CultureInfo originalCulture = CultureInfo.CurrentCulture;
        using var console = new StringWriter();
        Environment.CurrentDirectory = directory;
        Console.SetOut(console);

        // A machine set to German, where "{p:P0}" alone would print "93 %" and "{loss:F3}" "0,089": the program's
        // output must not depend on the locale (issue 20).
        CultureInfo.CurrentCulture = CultureInfo.GetCultureInfo("de-DE");
        try
        {
            // example:start
            // Twelve irises: petal length and width in cm, and the species of each, 0 to 2.
            float[] petals =
            [
                1.4f, 0.2f,  1.3f, 0.2f,  1.5f, 0.2f,  1.7f, 0.4f,
                4.7f, 1.4f,  4.5f, 1.5f,  4.0f, 1.3f,  3.9f, 1.1f,
                6.0f, 2.5f,  5.1f, 1.9f,  5.9f, 2.1f,  5.6f, 1.8f,
            ];
            int[] species = [0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2];
            Dataset irises = Dataset.FromLabels(petals, featureCount: 2, species, classNames: ["setosa", "versicolor", "virginica"]);

            var model = new SoftmaxRegression(features: 2, classes: 3);
            var trainer = new Trainer(model, new Adam(learningRate: 0.1f), new TrainerOptions { Epochs = 300, BatchSize = 12 });
            TrainingResult result = trainer.Fit(irises);

            float[] flower = [4.2f, 1.3f], probabilities = new float[3];
            model.PredictProbabilities(flower, probabilities);
            int predicted = model.PredictClass(flower); // no allocation; safe from many threads at once
            Console.WriteLine(FormattableString.Invariant($"{irises.ClassNames[predicted]} ({probabilities[predicted]:0%}); training loss {result.TrainingLoss:F3}"));

            ModelFile.Save(model, "irises.safetensors", new ModelMetadata { ClassNames = irises.ClassNames });
            // example:end

            Assert.Equal(1, predicted);
            Assert.True(probabilities[1] > 0.8f, $"P(versicolor) = {probabilities[1]}");
            Assert.True(result.TrainingLoss < 0.3f, $"training loss {result.TrainingLoss}");

            TrainedModel loaded = ModelFile.Load(Path.Combine(directory, "irises.safetensors"));
            Assert.Equal(["setosa", "versicolor", "virginica"], loaded.ClassNames);
            Assert.Equal(predicted, loaded.PredictClass(flower));
        }
        finally
        {
            CultureInfo.CurrentCulture = originalCulture;
            Console.SetOut(originalOut);
            Environment.CurrentDirectory = originalDirectory;
            Directory.Delete(directory, recursive: true);
        }

        output.WriteLine(console.ToString());
        Assert.StartsWith("versicolor (", console.ToString(), StringComparison.Ordinal);

        // README says what it prints, to the character.
        Match said = Regex.Match(ReadmeBlocks.Read("README.md"), "It prints `([^`]+)`");
        Assert.True(said.Success, "README.md does not say what the getting-started program prints.");
        Assert.Equal(said.Groups[1].Value, console.ToString().TrimEnd());
    }

    [Theory]
    [InlineData("README.md")]
    [InlineData("src/Native.Numerics/README.md")]
    public void TheReadmeShowsThisProgram(string readme)
    {
        string? shown = ReadmeBlocks.Shown(ReadmeBlocks.Read(readme), nameof(GettingStartedTests));
        Assert.True(shown is not null, $"{readme} has no C# block after a comment naming GettingStartedTests.");

        // The README shows a whole program: the namespace's using directive, then the code this test runs.
        string run = ReadmeBlocks.Run(ReadmeBlocks.Read("tests/Native.Tests/GettingStartedTests.cs"));
        Assert.Equal("using Native.Numerics;\n" + run, shown);
    }
}
