using System.Collections.Generic;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Native.Generators.Model;

namespace Native.Generators;

public sealed partial class ModelGenerator
{
    /// <summary>
    /// Reads a <c>[GeneratedModel("path")]</c> attribute into the class to complete and the file it names, or the
    /// diagnostics that say why not. The file itself is read later, once matched against the AdditionalFiles.
    /// </summary>
    private static FileModelTarget ParseFileModel(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
    {
        if (context.TargetSymbol is not INamedTypeSymbol type
            || context.TargetNode is not TypeDeclarationSyntax declaration
            || context.Attributes.IsDefaultOrEmpty)
        {
            return default;
        }

        AttributeData attribute = context.Attributes[0];
        Location? location = attribute.ApplicationSyntaxReference?.GetSyntax(cancellationToken).GetLocation();
        string typeName = type.Name;
        var diagnostics = new List<DiagnosticInfo>();

        // A static partial class, not generic, in partial, non-generic containing types.
        string? wrong = type.TypeKind != TypeKind.Class || declaration is RecordDeclarationSyntax ? "not a class"
            : !type.IsStatic ? "not static"
            : !declaration.Modifiers.Any(SyntaxKind.PartialKeyword) ? "not partial"
            : type.TypeParameters.Length > 0 ? "generic"
            : null;
        if (wrong is not null)
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.NotStaticPartialClass, location, typeName, wrong));
        }

        var containing = new List<TypeDeclaration>();
        for (SyntaxNode? parent = declaration.Parent; parent is TypeDeclarationSyntax outer; parent = parent.Parent)
        {
            string outerName = outer.Identifier.ValueText;
            if (!outer.Modifiers.Any(SyntaxKind.PartialKeyword))
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.ContainingTypeNotPartial, location, outerName, typeName, "GeneratedModel"));
            }

            if (outer.TypeParameterList is { Parameters.Count: > 0 })
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.GenericType, location, "GeneratedModel", typeName, "its containing type '" + outerName + "'"));
            }

            containing.Insert(0, new TypeDeclaration(Keyword(outer), outerName));
        }

        // The path: a constant the compiler evaluated (otherwise it has reported the error), not empty.
        if (attribute.ConstructorArguments.Length != 1 || attribute.ConstructorArguments[0].Value is not string path)
        {
            return new FileModelTarget(string.Empty, EquatableArray<TypeDeclaration>.Empty, typeName, string.Empty, null, new EquatableArray<DiagnosticInfo>([.. diagnostics]));
        }

        if (path.Trim().Length == 0)
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.EmptyPath, location, typeName));
        }

        return new FileModelTarget(
            type.ContainingNamespace is { IsGlobalNamespace: false } ns ? ns.ToDisplayString() : string.Empty,
            new EquatableArray<TypeDeclaration>([.. containing]),
            typeName,
            path,
            LocationInfo.From(location),
            new EquatableArray<DiagnosticInfo>([.. diagnostics]));
    }
}
