using System.Collections.Generic;
using System.Globalization;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Native.Generators.Model;
using Native.Numerics;

namespace Native.Generators;

public sealed partial class ModelGenerator
{
    /// <summary>
    /// Reads one model attribute into a spec, or into the diagnostics that explain why there is none. Never
    /// throws: an attribute the compiler already rejects (a missing or mistyped argument) yields an empty result.
    /// </summary>
    private static ModelResult Parse(GeneratorAttributeSyntaxContext context, ModelKind kind, CancellationToken cancellationToken)
    {
        if (context.TargetSymbol is not INamedTypeSymbol type
            || context.TargetNode is not TypeDeclarationSyntax declaration
            || context.Attributes.IsDefaultOrEmpty
            || type.TypeKind is not (TypeKind.Class or TypeKind.Struct))
        {
            // An interface, say: the attribute's usage forbids it, and the compiler says so.
            return default;
        }

        AttributeData attribute = context.Attributes[0];
        Location? location = attribute.ApplicationSyntaxReference?.GetSyntax(cancellationToken).GetLocation();
        string attributeName = AttributeName(kind);
        string typeName = type.Name;
        var diagnostics = new List<DiagnosticInfo>();

        // One model per type: the first model attribute wins, each later one is an error.
        string? first = FirstModelAttribute(type);
        if (first is not null && first != attributeName)
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.SeveralModelAttributes, location, typeName, first, attributeName));
            return Result(null, diagnostics);
        }

        // The type: partial, not generic, able to implement interfaces.
        if (type.IsStatic || type.IsRefLikeType)
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnsupportedType, location, attributeName, typeName, type.IsStatic ? "static class" : "ref struct"));
        }

        if (!declaration.Modifiers.Any(SyntaxKind.PartialKeyword))
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.TypeNotPartial, location, typeName, attributeName));
        }

        if (type.TypeParameters.Length > 0)
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.GenericType, location, attributeName, typeName, "it"));
        }

        // The containing types, outermost first: each must be partial and not generic.
        var containing = new List<TypeDeclaration>();
        for (SyntaxNode? parent = declaration.Parent; parent is TypeDeclarationSyntax outer; parent = parent.Parent)
        {
            string outerName = outer.Identifier.ValueText;
            if (!outer.Modifiers.Any(SyntaxKind.PartialKeyword))
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.ContainingTypeNotPartial, location, outerName, typeName, attributeName));
            }

            if (outer.TypeParameterList is { Parameters.Count: > 0 })
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.GenericType, location, attributeName, typeName, "its containing type '" + outerName + "'"));
            }

            containing.Insert(0, new TypeDeclaration(Keyword(outer), outerName));
        }

        // The sizes and options; a constant the compiler could not evaluate means it has reported an error already.
        if (!TryReadSizes(attribute, kind, out int[] sizes)
            || !TryReadNamed(attribute, "HiddenActivation", (int)HiddenActivation.Relu, out int activation)
            || !TryReadNamed(attribute, "LeakyReluSlope", 0.01f, out float slope))
        {
            return Result(null, diagnostics);
        }

        CheckSizes(kind, sizes, attributeName, typeName, location, diagnostics);
        if (kind == ModelKind.MultilayerPerceptron)
        {
            if (activation is < (int)HiddenActivation.Relu or > (int)HiddenActivation.Tanh)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidOption, location, attributeName, typeName, "HiddenActivation is " + Invariant(activation) + ", which is not an Activation"));
            }

            if (float.IsNaN(slope) || float.IsInfinity(slope))
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidOption, location, attributeName, typeName, "LeakyReluSlope is " + slope.ToString(CultureInfo.InvariantCulture) + "; it must be finite"));
            }
        }

        if (diagnostics.Count > 0)
        {
            return Result(null, diagnostics);
        }

        var spec = new ModelSpec(
            type.ContainingNamespace is { IsGlobalNamespace: false } ns ? ns.ToDisplayString() : string.Empty,
            new EquatableArray<TypeDeclaration>([.. containing]),
            new TypeDeclaration(Keyword(declaration), typeName),
            NeedsConstructor: type.TypeKind == TypeKind.Struct && !HasInstanceConstructor(type),
            kind,
            new EquatableArray<int>(sizes),
            (HiddenActivation)activation,
            slope);
        return Result(spec, diagnostics);
    }

    private static ModelResult Result(ModelSpec? spec, List<DiagnosticInfo> diagnostics) =>
        new(spec, new EquatableArray<DiagnosticInfo>([.. diagnostics]));

    /// <summary>The layer sizes the attribute states: features then outputs (1 for the regressions), or the perceptron's list.</summary>
    private static bool TryReadSizes(AttributeData attribute, ModelKind kind, out int[] sizes)
    {
        sizes = [];
        var arguments = attribute.ConstructorArguments;
        switch (kind)
        {
            case ModelKind.SoftmaxRegression:
                if (arguments.Length == 2 && arguments[0].Value is int features && arguments[1].Value is int classes)
                {
                    sizes = [features, classes];
                    return true;
                }

                return false;
            case ModelKind.MultilayerPerceptron:
                if (arguments.Length != 1 || arguments[0].Kind != TypedConstantKind.Array || arguments[0].IsNull)
                {
                    return false;
                }

                var values = arguments[0].Values;
                sizes = new int[values.Length];
                for (int i = 0; i < values.Length; i++)
                {
                    if (values[i].Value is not int size)
                    {
                        return false;
                    }

                    sizes[i] = size;
                }

                return true;
            default:
                if (arguments.Length == 1 && arguments[0].Value is int inputs)
                {
                    sizes = [inputs, 1];
                    return true;
                }

                return false;
        }
    }

    private static bool TryReadNamed<T>(AttributeData attribute, string name, T defaultValue, out T value)
    {
        value = defaultValue;
        foreach (KeyValuePair<string, TypedConstant> argument in attribute.NamedArguments)
        {
            if (argument.Key == name)
            {
                if (argument.Value.Value is not T given)
                {
                    return false;
                }

                value = given;
            }
        }

        return true;
    }

    private static void CheckSizes(ModelKind kind, int[] sizes, string attributeName, string typeName, Location? location, List<DiagnosticInfo> diagnostics)
    {
        if (kind == ModelKind.MultilayerPerceptron && (sizes.Length < 3 || sizes.Length > DiagnosticDescriptors.MaximumLayers + 1))
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.LayerCount, location, attributeName, typeName, Invariant(sizes.Length)));
            return;
        }

        bool classifier = kind is ModelKind.SoftmaxRegression or ModelKind.MultilayerPerceptron;
        for (int i = 0; i < sizes.Length; i++)
        {
            bool last = i == sizes.Length - 1;
            if (last && classifier)
            {
                if (sizes[i] < 2)
                {
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.TooFewClasses, location, attributeName, typeName, Invariant(sizes[i])));
                }
            }
            else if (sizes[i] < 1)
            {
                string what = i == 0 ? "the feature count" : "hidden layer " + Invariant(i) + "'s width";
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.SizeBelowOne, location, attributeName, typeName, what, Invariant(sizes[i])));
            }
        }

        if (diagnostics.Count > 0)
        {
            return;
        }

        // Parameters: each dense layer's weights and biases, counted in 64 bits (exact below 2^62, where the count stops).
        long count = new ParameterLayout(sizes).ParameterTotal;
        if (count > DiagnosticDescriptors.MaximumParameters)
        {
            string stated = count < long.MaxValue / 2 ? count.ToString("N0", CultureInfo.InvariantCulture) : "more than 67,108,864";
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.TooManyParameters, location, attributeName, typeName, stated));
        }
    }

    /// <summary>The name of the first model attribute on <paramref name="type"/> (in declaration order), if any.</summary>
    private static string? FirstModelAttribute(INamedTypeSymbol type)
    {
        foreach (AttributeData attribute in type.GetAttributes())
        {
            if (attribute.AttributeClass is { } attributeClass
                && attributeClass.ContainingNamespace?.ToDisplayString() == AttributeNamespace)
            {
                foreach (string name in TrackingNames)
                {
                    if (attributeClass.Name == name + "Attribute")
                    {
                        return name;
                    }
                }
            }
        }

        return null;
    }

    private static bool HasInstanceConstructor(INamedTypeSymbol type)
    {
        foreach (IMethodSymbol constructor in type.InstanceConstructors)
        {
            if (!constructor.IsImplicitlyDeclared)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The keyword that declares <paramref name="declaration"/>, as the generated part must repeat it.</summary>
    private static string Keyword(TypeDeclarationSyntax declaration) => declaration switch
    {
        RecordDeclarationSyntax record => record.ClassOrStructKeyword.IsKind(SyntaxKind.StructKeyword) ? "record struct" : "record",
        _ => declaration.Keyword.ValueText,
    };

    private static string Invariant(int value) => value.ToString(CultureInfo.InvariantCulture);
}
