namespace Native.Generators.Tests;

/// <summary>The emitted source of each model kind at its headline shape, compared to its committed baseline.</summary>
public class SnapshotTests
{
    [Theory]
    [InlineData("SoftmaxRegression784x10", "[GeneratedSoftmaxRegression(features: 784, classes: 10)] public sealed partial class DigitModel;")]
    [InlineData("LogisticRegression30", "[GeneratedLogisticRegression(features: 30)] public sealed partial class TumorModel;")]
    [InlineData("LinearRegression10", "[GeneratedLinearRegression(features: 10)] public sealed partial class DoseModel;")]
    [InlineData("MultilayerPerceptron784x128x10", "[GeneratedMultilayerPerceptron(784, 128, 10, HiddenActivation = Activation.Relu)] public sealed partial class DigitNet;")]
    public void EmittedSourceMatchesItsBaseline(string name, string declaration)
    {
        var (result, _) = GeneratorHarness.Run("using Native.Numerics;\nnamespace Demo;\n" + declaration + "\n");
        Assert.Empty(result.Diagnostics);
        string source = Assert.Single(GeneratorHarness.Sources(result).Values);
        Snapshot.Verify(name, source);
    }
}
