using System.Collections.Immutable;
using System.Reflection;
using System.Runtime.Loader;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;
using Native.Generators;

namespace Native.Generators.Tests;

/// <summary>
/// Runs the generator over a consumer whose project holds model files as AdditionalFiles, as a build does: the files on
/// disk in a project directory, the directory passed as <c>build_property.ProjectDir</c>.
/// </summary>
internal sealed class FileModelHarness : IDisposable
{
    public FileModelHarness()
    {
        ProjectDirectory = Path.Combine(Path.GetTempPath(), "native-generator-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(ProjectDirectory);
    }

    /// <summary>The consumer project's directory.</summary>
    public string ProjectDirectory { get; }

    /// <summary>The full path of <paramref name="relative"/> in the project, its directories created.</summary>
    public string PathOf(string relative)
    {
        string path = Path.Combine(ProjectDirectory, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        return path;
    }

    /// <summary>The project-relative file <paramref name="relative"/> as an AdditionalFile, read when the generator asks.</summary>
    public AdditionalText Text(string relative) => new FileText(Path.Combine(ProjectDirectory, relative));

    /// <summary>A driver over <paramref name="additionalFiles"/> (project-relative), passing the project's directory unless told not to.</summary>
    public GeneratorDriver CreateDriver(IEnumerable<string> additionalFiles, bool passProjectDirectory = true) =>
        CreateDriver(additionalFiles.Select(Text), passProjectDirectory);

    /// <summary>A driver over <paramref name="additionalTexts"/>, passing the project's directory unless told not to.</summary>
    public GeneratorDriver CreateDriver(IEnumerable<AdditionalText> additionalTexts, bool passProjectDirectory = true) => CSharpGeneratorDriver.Create(
        [new ModelGenerator().AsSourceGenerator()],
        additionalTexts: [.. additionalTexts],
        parseOptions: GeneratorHarness.ParseOptions,
        optionsProvider: new Options(passProjectDirectory ? ProjectDirectory + Path.DirectorySeparatorChar : null),
        driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));

    /// <summary>Runs the generator on <paramref name="source"/>: its result, and the compilation with the generated files.</summary>
    public (GeneratorDriverRunResult Result, Compilation Output) Run(string source, params string[] additionalFiles)
    {
        GeneratorDriver driver = CreateDriver(additionalFiles).RunGeneratorsAndUpdateCompilation(GeneratorHarness.Compile(source), out Compilation output, out _);
        return (driver.GetRunResult(), output);
    }

    /// <summary>The compilation emitted and loaded into a collectible context: its types, for calling by reflection.</summary>
    public static Assembly Load(Compilation compilation)
    {
        using var stream = new MemoryStream();
        var emit = compilation.Emit(stream);
        Assert.True(emit.Success, string.Join("\n", emit.Diagnostics.Take(20)));
        stream.Position = 0;
        return new AssemblyLoadContext("consumer", isCollectible: true).LoadFromStream(stream);
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(ProjectDirectory, recursive: true);
        }
        catch (IOException)
        {
            // A file the test left open; the temporary directory is the system's to clean.
        }
    }

    /// <summary>
    /// An AdditionalFile on disk, as the compiler gives one: its text only. For a binary file (a model file) the compiler
    /// fails the build with CS2015 when a generator asks for that text, so here asking fails the test.
    /// </summary>
    private sealed class FileText(string path) : AdditionalText
    {
        public override string Path { get; } = path;

        public override SourceText? GetText(CancellationToken cancellationToken = default) =>
            throw new InvalidOperationException($"error CS2015: '{Path}' is a binary file instead of a text file (the generator asked for a model file's text).");
    }

    private sealed class Options(string? projectDirectory) : AnalyzerConfigOptionsProvider
    {
        public override AnalyzerConfigOptions GlobalOptions { get; } = new Values(projectDirectory);

        public override AnalyzerConfigOptions GetOptions(SyntaxTree tree) => new Values(null);

        public override AnalyzerConfigOptions GetOptions(AdditionalText textFile) => new Values(null);

        private sealed class Values(string? projectDirectory) : AnalyzerConfigOptions
        {
            public override bool TryGetValue(string key, out string value)
            {
                value = projectDirectory ?? string.Empty;
                return key == "build_property.ProjectDir" && projectDirectory is not null;
            }
        }
    }
}
