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

    [Fact]
    public void AModelCompiledFromAFileMatchesItsBaseline()
    {
        // Fisher's iris shape with a standardizer and class names; parameters that print short.
        using var harness = new FileModelHarness();
        var model = new Native.Numerics.SoftmaxRegression(4, 3);
        for (int i = 0; i < model.Parameters.Length; i++)
        {
            model.Parameters[i] = (i % 7) - 3.25f;
        }

        var metadata = new Native.Numerics.ModelMetadata
        {
            ClassNames = ["setosa", "versicolor", "virginica"],
            Standardizer = Native.Numerics.Standardizer.FromStatistics([5.8f, 3.05f, 3.75f, 1.2f], [0.825f, 0.4375f, 1.75f, 0.75f]),
        };
        Native.Numerics.ModelFile.Save(model, harness.PathOf("models/iris.onnx"), metadata);
        var (result, _) = harness.Run("using Native.Numerics;\nnamespace Demo;\n[GeneratedModel(\"models/iris.onnx\")] public static partial class Iris;\n", "models/iris.onnx");
        Assert.Empty(result.Diagnostics);
        Snapshot.Verify("FileModelIris", Assert.Single(GeneratorHarness.Sources(result).Values));
    }
}
