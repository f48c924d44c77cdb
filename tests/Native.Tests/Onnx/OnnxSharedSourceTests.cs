using System.Text.RegularExpressions;
using Native.Numerics;

namespace Native.Tests.Onnx;

/// <summary>
/// The model file readers (Serialization/Reading, Serialization/Onnx/Reading) compile into the source generator too (netstandard2.0), with internal copies of the
/// library's enums beside them (NetStandardPolyfills.cs): the copies must list the same members in the same order.
/// </summary>
public sealed partial class OnnxSharedSourceTests
{
    [Theory]
    [InlineData(nameof(ModelKind))]
    [InlineData(nameof(Activation))]
    [InlineData(nameof(ColumnKind))]
    [InlineData(nameof(Imputation))]
    [InlineData(nameof(UnknownCategories))]
    public void ThePolyfillEnumsAreTheLibrarys(string name)
    {
        string root = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", ".."));
        string source = File.ReadAllText(Path.Combine(root, "src", "Native.Numerics", "Serialization", "Reading", "NetStandardPolyfills.cs"));
        Match body = Regex.Match(source, $@"internal enum {name}\s*\{{([^}}]*)\}}");
        Assert.True(body.Success, $"NetStandardPolyfills.cs has no enum {name}.");

        string[] members = [.. MemberName().Matches(body.Groups[1].Value).Select(m => m.Groups[1].Value)];
        string[] library = name switch
        {
            nameof(ModelKind) => Enum.GetNames<ModelKind>(),
            nameof(Activation) => Enum.GetNames<Activation>(),
            nameof(ColumnKind) => Enum.GetNames<ColumnKind>(),
            nameof(Imputation) => Enum.GetNames<Imputation>(),
            _ => Enum.GetNames<UnknownCategories>(),
        };

        Assert.Equal(library, members);
    }

    [GeneratedRegex(@"^\s*(\w+),?\s*$", RegexOptions.Multiline)]
    private static partial Regex MemberName();
}
