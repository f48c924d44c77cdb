using System.Collections;
using System.Reflection;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Native.Generators.Tests;

/// <summary>
/// The pipeline caches: after an edit that does not touch a model, every step of ours reports its outputs Cached or
/// Unchanged (so the emitter does not run again), and no step's output holds a Roslyn symbol, syntax node,
/// location, semantic model or compilation (which would keep old compilations alive and defeat caching). The
/// diagnostics the source output reports are Roslyn's own objects, made from plain values at the end.
/// </summary>
public class IncrementalTests
{
    private const string Models = """
        using Native.Numerics;
        namespace Demo;
        [GeneratedSoftmaxRegression(features: 784, classes: 10)] public sealed partial class DigitModel;
        [GeneratedLogisticRegression(features: 30)] public sealed partial class TumorModel;
        [GeneratedLinearRegression(features: 10)] public sealed partial class DoseModel;
        [GeneratedMultilayerPerceptron(784, 128, 10, HiddenActivation = Activation.Relu)] public sealed partial class DigitNet;
        [GeneratedLinearRegression(features: 0)] public sealed partial class Broken;
        public static class Helpers
        {
            public static int Twice(int x) => 2 * x;
        }
        """;

    public static TheoryData<string> Edits => new() { "another file", "an unrelated method" };

    [Theory]
    [MemberData(nameof(Edits))]
    public void AnUnrelatedEditLeavesEveryStepCachedOrUnchanged(string edit)
    {
        CSharpCompilation compilation = GeneratorHarness.Compile(Models);
        GeneratorDriver driver = GeneratorHarness.CreateDriver().RunGenerators(compilation);
        Assert.Equal(5, driver.GetRunResult().Results.Single().GeneratedSources.Length + driver.GetRunResult().Diagnostics.Length);

        CSharpCompilation edited = edit == "another file"
            ? compilation.AddSyntaxTrees(CSharpSyntaxTree.ParseText("namespace Demo; public static class More { public static int Three() => 3; }", GeneratorHarness.ParseOptions, path: "More.cs"))
            : compilation.ReplaceSyntaxTree(
                compilation.SyntaxTrees.Single(),
                CSharpSyntaxTree.ParseText(Models.Replace("2 * x", "x + x", StringComparison.Ordinal), GeneratorHarness.ParseOptions, path: "Source0.cs"));
        GeneratorRunResult second = driver.RunGenerators(edited).GetRunResult().Results.Single();

        foreach (string name in ModelGenerator.TrackingNames)
        {
            IncrementalGeneratorRunStep[] steps = second.TrackedSteps[name].ToArray();
            Assert.NotEmpty(steps);
            foreach (var (value, reason) in steps.SelectMany(s => s.Outputs))
            {
                Assert.True(reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, $"{name} after {edit}: an output is {reason}: {value}");
            }
        }

        foreach (var (value, reason) in second.TrackedOutputSteps.SelectMany(s => s.Value).SelectMany(s => s.Outputs))
        {
            Assert.True(reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, $"source output after {edit}: {reason}: {value}");
        }
    }

    [Fact]
    public void EditingAModelRunsItsStepAgain()
    {
        CSharpCompilation compilation = GeneratorHarness.Compile(Models);
        GeneratorDriver driver = GeneratorHarness.CreateDriver().RunGenerators(compilation);
        CSharpCompilation edited = compilation.ReplaceSyntaxTree(
            compilation.SyntaxTrees.Single(),
            CSharpSyntaxTree.ParseText(Models.Replace("features: 30", "features: 31", StringComparison.Ordinal), GeneratorHarness.ParseOptions, path: "Source0.cs"));
        GeneratorRunResult second = driver.RunGenerators(edited).GetRunResult().Results.Single();
        Assert.Contains(second.TrackedSteps["GeneratedLogisticRegression"].SelectMany(s => s.Outputs), o => o.Reason == IncrementalStepRunReason.Modified);
        Assert.Contains("Features = 31", second.GeneratedSources.Single(s => s.HintName == "Demo.TumorModel.g.cs").SourceText.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void NoStepOutputHoldsARoslynObject()
    {
        GeneratorDriver driver = GeneratorHarness.CreateDriver().RunGenerators(GeneratorHarness.Compile(Models));
        GeneratorRunResult result = driver.GetRunResult().Results.Single();
        var outputs = ModelGenerator.TrackingNames.SelectMany(name => result.TrackedSteps[name])
            .SelectMany(step => step.Outputs)
            .Select(o => o.Value)
            .ToList();
        Assert.NotEmpty(outputs);
        foreach (object value in outputs)
        {
            Walk(value, "output", new HashSet<object>(ReferenceEqualityComparer.Instance));
        }
    }

    private static readonly Type[] Forbidden = [typeof(ISymbol), typeof(SyntaxNode), typeof(Location), typeof(Compilation), typeof(SemanticModel), typeof(SyntaxTree)];

    // Every field, property and element reachable from the value, recursively.
    private static void Walk(object? value, string path, HashSet<object> seen)
    {
        if (value is null || value is string || value.GetType().IsPrimitive || value.GetType().IsEnum || value is decimal)
        {
            return;
        }

        Type type = value.GetType();
        Assert.False(Forbidden.Any(f => f.IsAssignableFrom(type)), $"{path} is a {type.Name}, a Roslyn object a pipeline value must not hold");
        if (!type.IsValueType && !seen.Add(value))
        {
            return;
        }

        if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(System.Collections.Immutable.ImmutableArray<>)
            && (bool)type.GetProperty("IsDefault")!.GetValue(value)!)
        {
            return;
        }

        if (value is IEnumerable items)
        {
            int i = 0;
            foreach (object? item in items)
            {
                Walk(item, $"{path}[{i++}]", seen);
            }
        }

        if (type.FullName?.StartsWith("Microsoft.CodeAnalysis.DiagnosticDescriptor", StringComparison.Ordinal) == true)
        {
            return; // A static descriptor: strings, an enum and a LocalizableString of the same; shared by every run.
        }

        for (Type? t = type; t is not null && t != typeof(object) && t != typeof(ValueType); t = t.BaseType)
        {
            foreach (FieldInfo field in t.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
            {
                Walk(field.GetValue(value), path + "." + field.Name, seen);
            }
        }
    }
}
