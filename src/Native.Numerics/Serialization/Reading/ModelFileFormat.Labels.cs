using System;
using System.Collections.Generic;

namespace Native.Numerics.Serialization;

// The label columns of a multi-output regression, decoded and checked (compiled into the source generator too).
internal static partial class ModelFileFormat
{
    /// <summary>
    /// A multi-output regression's label columns (<c>native.label_names</c>): one distinct name per output, for a regression
    /// of at least 2 outputs, and never beside <c>native.label_name</c>; empty when the file has none.
    /// </summary>
    private static string[] DecodeLabelNames(Decoder decoder, Dictionary<string, string> metadata, ModelKind kind, int[] sizes)
    {
        if (!metadata.ContainsKey(ModelFileKeys.LabelNamesKey))
        {
            return [];
        }

        string key = ModelFileKeys.LabelNamesKey;
        if (metadata.ContainsKey(ModelFileKeys.LabelNameKey))
        {
            throw decoder.Error(key, $"{key} is present beside {ModelFileKeys.LabelNameKey}; a file names one label column, or one per output of a multi-output regression, not both.");
        }

        string[] names = decoder.Strings(key);
        int outputs = sizes[sizes.Length - 1];
        bool regression = kind is ModelKind.LinearRegression or ModelKind.MultilayerPerceptronRegressor;
        if (!regression || outputs < 2 || names.Length != outputs)
        {
            throw decoder.Error(key, regression
                ? Safetensors.Invariant($"{key} names {names.Length} label columns, but the {KindName(kind)} has {outputs} {(outputs == 1 ? "output" : "outputs")}; it names one per output of a regression of several (one is {ModelFileKeys.LabelNameKey}).")
                : Safetensors.Invariant($"{key} names {names.Length} label columns, but a {KindName(kind)} has one label; it names one per output of a regression of several."));
        }

        var distinct = new HashSet<string>(StringComparer.Ordinal);
        foreach (string name in names)
        {
            if (!distinct.Add(name))
            {
                throw decoder.Error(key, $"{key} names the column '{Safetensors.Quote(name)}' twice; label names must be distinct.");
            }
        }

        return names;
    }
}
