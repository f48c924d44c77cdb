using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Native.Generators.Model;

namespace Native.Generators;

/// <summary>
/// Generates models whose kernels are specialized to their exact shape, for types marked
/// <c>[GeneratedSoftmaxRegression]</c>, <c>[GeneratedLogisticRegression]</c>, <c>[GeneratedLinearRegression]</c>
/// or <c>[GeneratedMultilayerPerceptron]</c>; and trained models compiled into a program, for static classes marked
/// <c>[GeneratedModel("file")]</c>.
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

    /// <summary>The step names of <c>[GeneratedModel]</c>'s pipeline, for the caching tests.</summary>
    internal const string FileModelTrackingName = "GeneratedModel";

    /// <summary>The step that reads a <c>[GeneratedModel]</c>'s file.</summary>
    internal const string FileModelReadTrackingName = "GeneratedModelFile";

    /// <inheritdoc/>
    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        Register(context, ModelKind.SoftmaxRegression);
        Register(context, ModelKind.LogisticRegression);
        Register(context, ModelKind.LinearRegression);
        Register(context, ModelKind.MultilayerPerceptron);
        RegisterFileModels(context);
    }

    private static void RegisterFileModels(IncrementalGeneratorInitializationContext context)
    {
        // Stage 1: the marked classes, read into targets of plain values (the class, the path as written).
        IncrementalValuesProvider<FileModelTarget> targets = context.SyntaxProvider
            .ForAttributeWithMetadataName(
                AttributeNamespace + ".GeneratedModelAttribute",
                static (node, _) => node is TypeDeclarationSyntax,
                static (attributeContext, cancellationToken) => ParseFileModel(attributeContext, cancellationToken))
            .WithTrackingName(FileModelTrackingName);

        // Stage 2: the AdditionalFiles, each as its path, size and write time, and the project's directory
        // (the build passes it as build_property.ProjectDir; Native.Numerics.props makes it visible to the compiler).
        IncrementalValueProvider<ImmutableArray<AdditionalFile>> files = context.AdditionalTextsProvider
            .Select(static (text, cancellationToken) => Describe(text, cancellationToken))
            .Collect();
        IncrementalValueProvider<string> projectDirectory = context.AnalyzerConfigOptionsProvider
            .Select(static (options, _) => options.GlobalOptions.TryGetValue("build_property.ProjectDir", out string? directory) ? directory : string.Empty);

        // Stage 3: each target paired with the one file it names; then the file read into a spec. The read re-runs only
        // when that pair changes — the target, or the named file's size or write time — not for an edit elsewhere.
        IncrementalValuesProvider<FileModelResult> results = targets
            .Combine(files.Combine(projectDirectory))
            .Select(static (pair, _) => (Target: pair.Left, File: Match(pair.Left, pair.Right.Left, pair.Right.Right)))
            .Select(static (pair, cancellationToken) => ReadFileModel(pair.Target, pair.File, cancellationToken))
            .WithTrackingName(FileModelReadTrackingName);

        // Stage 4: diagnostics and source; the emitter is a pure function of the spec.
        context.RegisterSourceOutput(results, static (output, result) =>
        {
            foreach (DiagnosticInfo diagnostic in result.Diagnostics)
            {
                output.ReportDiagnostic(diagnostic.ToDiagnostic());
            }

            if (result.Spec is { } spec)
            {
                output.AddSource(spec.FullName + ".g.cs", EmitFileModel(spec));
            }
        });
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
