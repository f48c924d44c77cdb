using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Native.Generators.Model;

namespace Native.Generators;

/// <summary>
/// Generates models whose kernels are specialized to their exact shape, for types marked
/// <c>[GeneratedSoftmaxRegression]</c>, <c>[GeneratedLogisticRegression]</c>, <c>[GeneratedLinearRegression]</c>
/// or <c>[GeneratedMultilayerPerceptron]</c>.
/// </summary>
/// <remarks>
/// The pipeline only: <c>ModelGenerator.Parser.cs</c> turns an attribute into a <see cref="ModelSpec"/> or
/// diagnostics, <c>ModelGenerator.Emitter*.cs</c> turns a spec into source.
/// </remarks>
[Generator(LanguageNames.CSharp)]
public sealed partial class ModelGenerator : IIncrementalGenerator
{
    /// <summary>The attributes' namespace.</summary>
    internal const string AttributeNamespace = "Native.Numerics";

    /// <summary>The step names the incremental-caching tests look for, one per attribute.</summary>
    internal static readonly string[] TrackingNames =
    [
        "GeneratedSoftmaxRegression",
        "GeneratedLogisticRegression",
        "GeneratedLinearRegression",
        "GeneratedMultilayerPerceptron",
    ];

    /// <inheritdoc/>
    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        Register(context, ModelKind.SoftmaxRegression);
        Register(context, ModelKind.LogisticRegression);
        Register(context, ModelKind.LinearRegression);
        Register(context, ModelKind.MultilayerPerceptron);
    }

    private static void Register(IncrementalGeneratorInitializationContext context, ModelKind kind)
    {
        // Stage 1: the compiler's attribute index finds the marked type declarations; only they reach the
        // transform, which re-runs only when that declaration (or what its symbol depends on) changes.
        // The transform reads the few facts the emitter needs into a ModelResult made of strings, ints and
        // equatable arrays, so an edit elsewhere produces an equal value and the stages below are skipped.
        IncrementalValuesProvider<ModelResult> results = context.SyntaxProvider
            .ForAttributeWithMetadataName(
                AttributeNamespace + "." + AttributeName(kind) + "Attribute",
                static (node, _) => node is TypeDeclarationSyntax,
                (attributeContext, cancellationToken) => Parse(attributeContext, kind, cancellationToken))
            .WithTrackingName(AttributeName(kind));

        // Stage 2: report diagnostics and emit source. The emitter is a pure function of the spec, so it runs
        // only for a spec that differs from the last run's (the driver compares ModelResult values).
        context.RegisterSourceOutput(results, static (output, result) =>
        {
            foreach (DiagnosticInfo diagnostic in result.Diagnostics)
            {
                output.ReportDiagnostic(diagnostic.ToDiagnostic());
            }

            if (result.Spec is { } spec)
            {
                output.AddSource(HintName(spec), Emit(spec));
            }
        });
    }

    /// <summary>The attribute's name without its suffix, as users write it.</summary>
    internal static string AttributeName(ModelKind kind) => TrackingNames[kind switch
    {
        ModelKind.SoftmaxRegression => 0,
        ModelKind.LogisticRegression => 1,
        ModelKind.LinearRegression => 2,
        _ => 3,
    }];

    /// <summary>A file name unique to the type: its full name, with nesting marked by '+'.</summary>
    internal static string HintName(ModelSpec spec)
    {
        string name = spec.Type.Name;
        for (int i = spec.ContainingTypes.Count - 1; i >= 0; i--)
        {
            name = spec.ContainingTypes[i].Name + "+" + name;
        }

        return (spec.Namespace.Length == 0 ? name : spec.Namespace + "." + name) + ".g.cs";
    }
}
