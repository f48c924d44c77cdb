using System.Globalization;
using System.Text.Json.Serialization;

namespace Native.Cli.Commands;

/// <summary>Class labels as text, made once: a model without class names answers "0", "1", … without a string per answer.</summary>
internal static class ClassLabels
{
    private static readonly string[] s_small = [.. Enumerable.Range(0, 256).Select(i => i.ToString(CultureInfo.InvariantCulture))];

    public static string Of(int label) => label < s_small.Length ? s_small[label] : label.ToString(CultureInfo.InvariantCulture);
}

/// <summary>One model, as GET /models describes it; <paramref name="Precision"/> is "float32" or "int8" (a quantized model); <paramref name="Columns"/> are a pipeline model's record columns (null without a pipeline).</summary>
internal sealed record ModelDescription(string Name, string Kind, string Precision, int Features, IReadOnlyList<string> FeatureNames, ColumnDescription[]? Columns, int? Classes, string[]? ClassNames, string Version, DateTimeOffset LoadedAt, string File);

/// <summary>A column of a pipeline model's records: its name, and whether it takes a number, a category or is ignored.</summary>
internal sealed record ColumnDescription(string Name, string Kind);

/// <summary>GET /models: every model served.</summary>
internal sealed record ModelList(ModelDescription[] Models);

/// <summary>GET /health: healthy or not, why not, and the versions serving.</summary>
internal sealed record HealthAnswer(string Status, string[] Reasons, Dictionary<string, string> Versions);

/// <summary>Every refusal's body.</summary>
internal sealed record ErrorAnswer(string Error);

/// <summary>The serve command's JSON, generated when it compiles (no reflection, NativeAOT-safe); snake_case names, as the command's --json output has (<see cref="ServeEndpoints"/>'s options).</summary>
[JsonSerializable(typeof(ModelList))]
[JsonSerializable(typeof(HealthAnswer))]
[JsonSerializable(typeof(ErrorAnswer))]
internal sealed partial class ServeJson : JsonSerializerContext;
