using Microsoft.CodeAnalysis;

namespace Native.Generators.Tests;

/// <summary>
/// Every diagnostic, triggered and checked: its id, where it points (the attribute, by line and column), and its
/// message. A bad attribute never breaks the rest of the compilation: the other models are still generated, and
/// nothing but the diagnostic is reported.
/// </summary>
public class DiagnosticTests
{
    // Each case: the declaration (on line 3 of the source, after the using and namespace lines), the expected id,
    // the expected 1-based column of the attribute, and the expected message.
    public static TheoryData<string, string, int, string> Cases => new()
    {
        {
            "[GeneratedSoftmaxRegression(4, 3)] public sealed class Plain;",
            "NATIVE001", 2,
            "The type 'Plain' must be declared partial: [GeneratedSoftmaxRegression] writes the rest of it"
        },
        {
            "public class Outer { [GeneratedLinearRegression(3)] public partial class Inner; }",
            "NATIVE002", 23,
            "The type 'Outer', which contains 'Inner', must be declared partial so [GeneratedLinearRegression] can add to the nested type"
        },
        {
            "[GeneratedLogisticRegression(features: 0)] public partial class NoFeatures;",
            "NATIVE003", 2,
            "[GeneratedLogisticRegression] on 'NoFeatures': the feature count is 0; it must be at least 1"
        },
        {
            "[GeneratedMultilayerPerceptron(4, 8, -2, 3)] public partial class NegativeWidth;",
            "NATIVE003", 2,
            "[GeneratedMultilayerPerceptron] on 'NegativeWidth': hidden layer 2's width is -2; it must be at least 1"
        },
        {
            "[GeneratedSoftmaxRegression(features: 4, classes: 1)] public partial class OneClass;",
            "NATIVE004", 2,
            "[GeneratedSoftmaxRegression] on 'OneClass': the class count is 1; a classifier needs at least 2 classes"
        },
        {
            "[GeneratedMultilayerPerceptron(4, 8, 1)] public partial class OneClassNet;",
            "NATIVE004", 2,
            "[GeneratedMultilayerPerceptron] on 'OneClassNet': the class count is 1; a classifier needs at least 2 classes"
        },
        {
            "[GeneratedSoftmaxRegression(features: 100000, classes: 1000)] public partial class Huge;",
            "NATIVE005", 2,
            "[GeneratedSoftmaxRegression] on 'Huge' would have 100,001,000 parameters; generated models support at most 67,108,864 (2^26, 256 MB of floats): use the run-time-shaped model for larger shapes"
        },
        {
            "[GeneratedLinearRegression(3)] public partial class Generic<T>;",
            "NATIVE006", 2,
            "[GeneratedLinearRegression] cannot generate 'Generic': it has type parameters, and a generated model's shape and storage cannot depend on them"
        },
        {
            "public partial class Box<T> { [GeneratedLinearRegression(3)] public partial class Inside; }",
            "NATIVE006", 32,
            "[GeneratedLinearRegression] cannot generate 'Inside': its containing type 'Box' has type parameters, and a generated model's shape and storage cannot depend on them"
        },
        {
            "[GeneratedLinearRegression(3)] [GeneratedLogisticRegression(3)] public partial class Both;",
            "NATIVE007", 33,
            "'Both' is already a model by [GeneratedLinearRegression]; remove [GeneratedLogisticRegression] or move it to another type"
        },
        {
            "[GeneratedMultilayerPerceptron(4, 3)] public partial class NoHiddenLayer;",
            "NATIVE008", 2,
            "[GeneratedMultilayerPerceptron] on 'NoHiddenLayer' lists 2 layer sizes; a perceptron needs the features, 1 to 7 hidden widths, and the classes (3 to 9 sizes)"
        },
        {
            "[GeneratedMultilayerPerceptron(4, 4, 4, 4, 4, 4, 4, 4, 4, 3)] public partial class TooDeep;",
            "NATIVE008", 2,
            "[GeneratedMultilayerPerceptron] on 'TooDeep' lists 10 layer sizes; a perceptron needs the features, 1 to 7 hidden widths, and the classes (3 to 9 sizes)"
        },
        {
            "[GeneratedMultilayerPerceptron(4, 8, 3, HiddenActivation = (Activation)7)] public partial class Unknown;",
            "NATIVE009", 2,
            "[GeneratedMultilayerPerceptron] on 'Unknown': HiddenActivation is 7, which is not an Activation"
        },
        {
            "[GeneratedMultilayerPerceptron(4, 8, 3, HiddenActivation = Activation.LeakyRelu, LeakyReluSlope = float.NaN)] public partial class NotFinite;",
            "NATIVE009", 2,
            "[GeneratedMultilayerPerceptron] on 'NotFinite': LeakyReluSlope is NaN; it must be finite"
        },
        {
            "[GeneratedLinearRegression(3)] public static partial class Static;",
            "NATIVE010", 2,
            "[GeneratedLinearRegression] cannot generate 'Static': a static class cannot implement the model interfaces"
        },
        {
            "[GeneratedLinearRegression(3)] public ref partial struct Stack;",
            "NATIVE010", 2,
            "[GeneratedLinearRegression] cannot generate 'Stack': a ref struct cannot implement the model interfaces"
        },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void EachProblemIsReportedAtTheAttribute(string declaration, string id, int column, string message)
    {
        // A good model beside the bad one: it must still be generated, and compile.
        string source = "using Native.Numerics;\nnamespace Demo;\n" + declaration + "\n[GeneratedLinearRegression(2)] public sealed partial class Fine;\n";
        var (result, output) = GeneratorHarness.Run(source);

        Diagnostic diagnostic = Assert.Single(result.Diagnostics);
        Assert.Equal(id, diagnostic.Id);
        Assert.Equal(DiagnosticSeverity.Error, diagnostic.Severity);
        Assert.Equal(message, diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture));
        FileLinePositionSpan span = diagnostic.Location.GetLineSpan();
        Assert.Equal("Source0.cs", span.Path);
        Assert.Equal((3, column), (span.StartLinePosition.Line + 1, span.StartLinePosition.Character + 1));

        Assert.All(result.Results, r => Assert.Null(r.Exception));
        Assert.Contains("Demo.Fine.g.cs", GeneratorHarness.Sources(result).Keys);
        Assert.DoesNotContain(GeneratorHarness.Problems(output), d => d.Severity == DiagnosticSeverity.Error && d.Id != "CS1591" && !IsExpectedCompilerError(d, declaration));
    }

    [Fact]
    public void TheFirstOfTwoModelAttributesIsStillGenerated()
    {
        var (result, output) = GeneratorHarness.Run("using Native.Numerics;\n[GeneratedLinearRegression(3)] [GeneratedLogisticRegression(3)] public partial class Both;\n");
        Assert.Equal("NATIVE007", Assert.Single(result.Diagnostics).Id);
        Assert.Contains("Both.g.cs", GeneratorHarness.Sources(result).Keys);
        Assert.Contains(output.GetTypeByMetadataName("Both")!.AllInterfaces, i => i.Name == "IRegressor");
    }

    [Theory]
    [InlineData("[GeneratedSoftmaxRegression(\"784\", 10)] public partial class Mistyped;")]
    [InlineData("[GeneratedSoftmaxRegression(784)] public partial class MissingArgument;")]
    [InlineData("[GeneratedMultilayerPerceptron(null)] public partial class NullSizes;")]
    [InlineData("[GeneratedMultilayerPerceptron(4, 8, 3, LeakyReluSlope = \"steep\")] public partial class MistypedOption;")]
    [InlineData("[GeneratedLinearRegression(3)] public partial interface IModelInterface;")]
    public void AnAttributeTheCompilerRejectsGeneratesNothingAndThrowsNothing(string declaration)
    {
        var (result, output) = GeneratorHarness.Run("using Native.Numerics;\nnamespace Demo;\n" + declaration + "\n");
        Assert.All(result.Results, r => Assert.Null(r.Exception));
        Assert.Empty(result.Diagnostics);
        Assert.Empty(GeneratorHarness.Sources(result));
        Assert.Contains(output.GetDiagnostics(), d => d.Severity == DiagnosticSeverity.Error);
    }

    // The compiler's own errors for declarations that are invalid C# as well as invalid models. (CS1591, a missing
    // documentation comment on the test's own undocumented types, is not the generator's concern here.)
    private static bool IsExpectedCompilerError(Diagnostic diagnostic, string declaration) =>
        declaration.Contains("ref partial struct", StringComparison.Ordinal) && diagnostic.Id == "CS0579";
}
