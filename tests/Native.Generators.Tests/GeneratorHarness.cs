using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Native.Generators;
using Native.Numerics;

namespace Native.Generators.Tests;

/// <summary>Runs the generator over source text through <see cref="CSharpGeneratorDriver"/>, as the compiler would.</summary>
internal static class GeneratorHarness
{
    /// <summary>C# as the consuming projects compile it, with documentation comments checked (so CS1591 is reported).</summary>
    public static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.Latest, DocumentationMode.Diagnose);

    private static readonly Lazy<ImmutableArray<MetadataReference>> References = new(() =>
    {
        // The runtime this test runs on, and the library whose attributes and interfaces the models use.
        string[] platform = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator);
        return [.. platform.Select(path => MetadataReference.CreateFromFile(path)), MetadataReference.CreateFromFile(typeof(IModel).Assembly.Location)];
    });

    /// <summary>A library compilation of <paramref name="sources"/>, warnings as errors, nullable on, no unsafe code.</summary>
    public static CSharpCompilation Compile(params string[] sources) => CSharpCompilation.Create(
        "Consumer",
        sources.Select((text, i) => CSharpSyntaxTree.ParseText(text, ParseOptions, path: "Source" + i + ".cs")),
        References.Value,
        new CSharpCompilationOptions(
            OutputKind.DynamicallyLinkedLibrary,
            nullableContextOptions: NullableContextOptions.Enable,
            generalDiagnosticOption: ReportDiagnostic.Error,
            allowUnsafe: false));

    /// <summary>A driver for the generator that records each step's outputs (for the caching tests).</summary>
    public static GeneratorDriver CreateDriver() => CSharpGeneratorDriver.Create(
        [new ModelGenerator().AsSourceGenerator()],
        parseOptions: ParseOptions,
        driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));

    /// <summary>Runs the generator on <paramref name="sources"/>: its result, and the compilation with the generated files added.</summary>
    public static (GeneratorDriverRunResult Result, Compilation Output) Run(params string[] sources)
    {
        GeneratorDriver driver = CreateDriver().RunGeneratorsAndUpdateCompilation(Compile(sources), out Compilation output, out _);
        return (driver.GetRunResult(), output);
    }

    /// <summary>The generated source files of a run, by hint name.</summary>
    public static IReadOnlyDictionary<string, string> Sources(GeneratorDriverRunResult result) =>
        result.Results.SelectMany(r => r.GeneratedSources).ToDictionary(s => s.HintName, s => s.SourceText.ToString());

    /// <summary>Every diagnostic of <paramref name="compilation"/>, including emit's, of warning severity or worse.</summary>
    public static ImmutableArray<Diagnostic> Problems(Compilation compilation)
    {
        using var stream = new MemoryStream();
        var emit = compilation.Emit(stream);
        return [.. compilation.GetDiagnostics().Concat(emit.Diagnostics)
            .Where(d => d.Severity >= DiagnosticSeverity.Warning || d.IsWarningAsError)
            .Distinct()];
    }
}
