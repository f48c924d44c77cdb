using Microsoft.CodeAnalysis;

namespace Native.Generators;

/// <summary>The generator's diagnostics, NATIVE001 and up. Each is reported at the model attribute.</summary>
internal static class DiagnosticDescriptors
{
    /// <summary>The most parameters a generated model may have.</summary>
    /// <remarks>
    /// Past this (256 MB of floats) a model spends its time streaming parameters from memory, and literal
    /// sizes buy nothing; the run-time-shaped models serve such shapes.
    /// </remarks>
    public const long MaximumParameters = 1 << 26;

    /// <summary>The most dense layers a generated perceptron may have (each layer gets its own kernels).</summary>
    public const int MaximumLayers = 8;

    private const string Category = "Native.Generators";

    public static readonly DiagnosticDescriptor TypeNotPartial = new(
        id: "NATIVE001",
        title: "A generated model's type must be partial",
        messageFormat: "The type '{0}' must be declared partial: [{1}] writes the rest of it",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor ContainingTypeNotPartial = new(
        id: "NATIVE002",
        title: "The types containing a generated model must be partial",
        messageFormat: "The type '{0}', which contains '{1}', must be declared partial so [{2}] can add to the nested type",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor SizeBelowOne = new(
        id: "NATIVE003",
        title: "A generated model's sizes must be at least 1",
        messageFormat: "[{0}] on '{1}': {2} is {3}; it must be at least 1",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor TooFewClasses = new(
        id: "NATIVE004",
        title: "A generated classifier needs at least 2 classes",
        messageFormat: "[{0}] on '{1}': the class count is {2}; a classifier needs at least 2 classes",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor TooManyParameters = new(
        id: "NATIVE005",
        title: "A generated model has more parameters than the generator supports",
        messageFormat: "[{0}] on '{1}' would have {2} parameters; generated models support at most 67,108,864 (2^26, 256 MB of floats): use the run-time-shaped model for larger shapes",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor GenericType = new(
        id: "NATIVE006",
        title: "A generated model cannot be generic",
        messageFormat: "[{0}] cannot generate '{1}': {2} has type parameters, and a generated model's shape and storage cannot depend on them",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor SeveralModelAttributes = new(
        id: "NATIVE007",
        title: "A type can be only one generated model",
        messageFormat: "'{0}' is already a model by [{1}]; remove [{2}] or move it to another type",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor LayerCount = new(
        id: "NATIVE008",
        title: "A generated perceptron needs 3 to 9 layer sizes",
        messageFormat: "[{0}] on '{1}' lists {2} layer sizes; a perceptron needs the features, 1 to 7 hidden widths, and the classes (3 to 9 sizes)",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor InvalidOption = new(
        id: "NATIVE009",
        title: "A generated perceptron's option is invalid",
        messageFormat: "[{0}] on '{1}': {2}",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor UnsupportedType = new(
        id: "NATIVE010",
        title: "A generated model must be an instance class or struct",
        messageFormat: "[{0}] cannot generate '{1}': a {2} cannot implement the model interfaces",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true);

    /// <summary>The most parameters a model compiled from a file may have: 4 MB of floats, written into the source as literals.</summary>
    public const int MaximumEmbeddedParameters = 1 << 20;

    public static readonly DiagnosticDescriptor NotStaticPartialClass = new(
        id: "NATIVE011",
        title: "A model compiled from a file goes in a static partial class",
        messageFormat: "[GeneratedModel] cannot generate '{0}': it is {1}; declare it 'static partial class {0}'",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor FileNotAdditional = new(
        id: "NATIVE012",
        title: "The model file is not among the project's AdditionalFiles",
        messageFormat: "[GeneratedModel] on '{0}': '{1}' is not among the project's AdditionalFiles; add <AdditionalFiles Include=\"{1}\" /> to the project file (the path is relative to the project's directory)",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor FileUnreadable = new(
        id: "NATIVE013",
        title: "The model file cannot be read",
        messageFormat: "[GeneratedModel] on '{0}': '{1}' cannot be read: {2}",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor InvalidModelFile = new(
        id: "NATIVE014",
        title: "The model file is not a valid model",
        messageFormat: "[GeneratedModel] on '{0}': {1}",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor ModelTooLarge = new(
        id: "NATIVE015",
        title: "The model is too large to compile into a program",
        messageFormat: "[GeneratedModel] on '{0}': '{1}' holds {2}; a model compiled into a program has at most 1,048,576 parameters (4 MB of floats) and 8 layers: load it at run time with ModelFile.Load",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor EmptyPath = new(
        id: "NATIVE016",
        title: "The model file's path is empty",
        messageFormat: "[GeneratedModel] on '{0}': the path is empty; name the model file, relative to the project's directory",
        category: Category,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true);
}
