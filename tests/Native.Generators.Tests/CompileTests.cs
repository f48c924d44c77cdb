using Microsoft.CodeAnalysis;

namespace Native.Generators.Tests;

/// <summary>The emitted code compiles with no warnings under warnings-as-errors, documentation checked, in every shape of declaration.</summary>
public class CompileTests
{
    public static TheoryData<string> Declarations => new()
    {
        // The four kinds, as the users write them.
        """
        using Native.Numerics;
        namespace Demo;
        /// <summary>Digits.</summary>
        [GeneratedSoftmaxRegression(features: 784, classes: 10)]
        public sealed partial class DigitModel;
        """,
        """
        using Native.Numerics;
        namespace Demo;
        [GeneratedLogisticRegression(features: 30)]
        public sealed partial class TumorModel;
        """,
        """
        using Native.Numerics;
        namespace Demo;
        [GeneratedLinearRegression(features: 10)]
        public sealed partial class DoseModel;
        """,
        """
        using Native.Numerics;
        namespace Demo;
        [GeneratedMultilayerPerceptron(784, 128, 10, HiddenActivation = Activation.Relu)]
        public sealed partial class DigitNet;
        """,
    };

    [Theory]
    [MemberData(nameof(Declarations))]
    public void EmittedCodeCompilesWithoutWarnings(string source)
    {
        var (result, output) = GeneratorHarness.Run(source);
        Assert.Empty(result.Diagnostics);
        Assert.NotEmpty(GeneratorHarness.Sources(result));
        var problems = GeneratorHarness.Problems(output);
        Assert.True(problems.IsEmpty, string.Join("\n", problems.Take(30).Select(d => d.ToString())));
    }
}

/// <summary>Models in every kind of declaration the generator supports compile, warning-free.</summary>
public class DeclarationTests
{
    public static TheoryData<string> Declarations => new()
    {
        // A struct without a constructor (the generator adds one), and one with its own.
        "namespace A; [GeneratedSoftmaxRegression(5, 3)] public partial struct S;",
        "namespace A; [GeneratedLinearRegression(5)] public partial struct S { /// <summary>Mine.</summary>\n public S(int unused) { _ = unused; } }",
        "namespace A; [GeneratedLinearRegression(5)] public readonly partial struct S;",
        // Records, a class with its own constructor, internal and abstract classes.
        "namespace A; [GeneratedLogisticRegression(5)] public partial record R;",
        "namespace A; [GeneratedLogisticRegression(5)] public partial record struct R;",
        "namespace A; [GeneratedLogisticRegression(5)] public sealed partial class C { /// <summary>Mine.</summary>\n public C(string name) => Name = name; /// <summary>A name.</summary>\n public string Name { get; } }",
        "namespace A; [GeneratedMultilayerPerceptron(5, 4, 3)] internal partial class C;",
        "namespace A; [GeneratedMultilayerPerceptron(5, 4, 3, HiddenActivation = Activation.LeakyRelu, LeakyReluSlope = 1e-5f)] public abstract partial class C;",
        // The global namespace, block namespaces, and nesting in classes, structs, records and interfaces.
        "[GeneratedSoftmaxRegression(5, 3)] public partial class InGlobal;",
        "namespace A.B { namespace C { [GeneratedSoftmaxRegression(5, 3)] public partial class M; } }",
        "namespace A; /// <summary>A class.</summary>\n public partial class Outer { /// <summary>A struct.</summary>\n public partial struct Middle { [GeneratedSoftmaxRegression(5, 3)] private partial class M; } }",
        "namespace A; /// <summary>A record.</summary>\n public partial record Outer { [GeneratedLinearRegression(5)] public partial class M; }",
        "namespace A; /// <summary>An interface.</summary>\n public partial interface IOuter { [GeneratedLinearRegression(5)] public partial class M; }",
        // Two models in one file, and members of the user's own beside the generated ones.
        "namespace A; [GeneratedLinearRegression(5)] public partial class M1; [GeneratedLinearRegression(5)] public partial class M2 { /// <summary>Mine.</summary>\n public int Mine() => Features; }",
    };

    [Theory]
    [MemberData(nameof(Declarations))]
    public void CompilesWithoutWarnings(string declaration)
    {
        var (result, output) = GeneratorHarness.Run("using Native.Numerics;\n" + declaration + "\n");
        Assert.Empty(result.Diagnostics);
        Assert.NotEmpty(GeneratorHarness.Sources(result));
        var problems = GeneratorHarness.Problems(output);
        Assert.True(problems.IsEmpty, string.Join("\n", problems.Take(20).Select(d => d.ToString())));
    }
}
