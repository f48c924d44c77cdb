using System;
using System.Collections.Generic;
using Native.Generators.Model;
using Native.Numerics;
using Native.Numerics.Serialization;

namespace Native.Generators;

// The names a model file saves beside its model (label and feature columns), read as ModelFile.Load reads them, and the
// names a pipeline's encoded features take.
public sealed partial class ModelGenerator
{
    /// <summary>The label and feature column names an ONNX file's metadata_props hold (the library writes them under its prefix), read as ModelFile.Load reads them; none when absent.</summary>
    private static FileNames OnnxNames(ModelDescription onnx, string name)
    {
        string[] labels = [], features = [];
        int inputs = onnx.LayerSizes[0], outputs = onnx.LayerSizes[onnx.LayerSizes.Length - 1];
        bool targets = onnx.Kind is Native.Numerics.Serialization.ModelKind.LinearRegression or Native.Numerics.Serialization.ModelKind.MultilayerPerceptronRegressor && outputs > 1;
        foreach (KeyValuePair<string, string> property in onnx.Properties)
        {
            string? problem = null;
            if (property.Key == ModelFileKeys.LabelNameKey)
            {
                labels = [property.Value];
            }
            else if (property.Key == ModelFileKeys.LabelNamesKey)
            {
                labels = ModelFileFormat.ParseNames(property.Value, targets ? outputs : -1, "label column", "label columns", out problem) ?? [];
            }
            else if (property.Key == ModelFileKeys.FeatureNamesKey)
            {
                features = ModelFileFormat.ParseFeatureNames(property.Value, inputs, out problem) ?? [];
            }

            if (problem is not null)
            {
                throw FileFormatException.InFile(name, "metadata_props has " + property.Key + ", but " + problem + ".");
            }
        }

        return new FileNames(labels, features);
    }

    /// <summary>
    /// The names of the features a pipeline writes, as FeaturePipeline.FeatureNames gives them: a number column's name (and
    /// "name (missing)" for its indicator); for a category column "name=value" per kept value, then "name (other)" and
    /// "name (missing)" for those slots. The tests hold them to the library's.
    /// </summary>
    private static IEnumerable<string> EncodedFeatureNames(EquatableArray<RowColumnSpec> columns)
    {
        foreach (RowColumnSpec column in columns)
        {
            if (!column.IsCategory)
            {
                yield return column.Name;
                if (column.Indicator)
                {
                    yield return column.Name + " (missing)";
                }

                continue;
            }

            foreach (string value in column.Categories)
            {
                yield return column.Name + "=" + value;
            }

            if (column.Other)
            {
                yield return column.Name + " (other)";
            }

            if (column.MissingSlot)
            {
                yield return column.Name + " (missing)";
            }
        }
    }

    /// <summary>The label and feature column names a file saves beside its model (either may be empty).</summary>
    private readonly record struct FileNames(string[] Labels, string[] Features);
}
