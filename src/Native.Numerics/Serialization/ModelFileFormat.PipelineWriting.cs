using System.Text.Json;

namespace Native.Numerics.Serialization;

// The feature pipeline written as native.pipeline (read back by Reading/ModelFileFormat.Pipeline.cs), and built back from what was read.
internal static partial class ModelFileFormat
{
    /// <summary>The <c>native.pipeline</c> entry of <paramref name="pipeline"/>: its versioned JSON object.</summary>
    public static string PipelineJson(FeaturePipeline pipeline) => Json(json =>
    {
        json.WriteStartObject();
        json.WriteNumber("version", ModelFileKeys.PipelineVersion);
        json.WriteStartArray("missing_tokens");
        foreach (string token in pipeline.MissingTokens)
        {
            CheckText(token, "A missing token");
            json.WriteStringValue(token);
        }

        json.WriteEndArray();
        json.WriteBoolean("decimal_comma", pipeline.DecimalComma);
        if (pipeline.ThousandsSeparator is char thousands)
        {
            // Written only when there is one, so a pipeline without it is the same bytes as before it existed.
            json.WriteString("thousands_separator", thousands.ToString());
        }

        json.WriteString("imputation", pipeline.Imputation == Imputation.Median ? "median" : "mean");
        json.WriteStartArray("columns");
        foreach (PipelineColumn column in pipeline.Columns)
        {
            WriteColumn(json, column);
        }

        json.WriteEndArray();
        json.WriteEndObject();
    });

    private static void WriteColumn(Utf8JsonWriter json, PipelineColumn column)
    {
        CheckText(column.Name, "A column name");
        json.WriteStartObject();
        json.WriteString("name", column.Name);
        json.WriteString("kind", KindText(column.Kind));
        json.WriteBoolean("inferred", column.KindInferred);
        if (column.Kind != ColumnKind.Ignored)
        {
            json.WriteNumber("offset", column.Offset);
            json.WriteNumber("width", column.Width);
        }

        if (column.Kind == ColumnKind.Number)
        {
            json.WriteNumber("fill", column.Fill);
            json.WriteBoolean("indicator", column.HasIndicator);
        }
        else if (column.Kind == ColumnKind.Category)
        {
            json.WriteStartArray("categories");
            foreach (string category in column.Categories)
            {
                CheckText(category, $"A category of column '{column.Name}'");
                json.WriteStringValue(category);
            }

            json.WriteEndArray();
            json.WriteBoolean("other", column.HasOther);
            json.WriteBoolean("missing_slot", column.HasMissingSlot);
            json.WriteString("unknown", column.Unknown == UnknownCategories.Error ? "error" : "ignore");
        }

        json.WriteNumber("count", column.Count);
        json.WriteNumber("missing", column.Missing);
        if (column.Note is string note)
        {
            CheckText(note, "A column's note");
            json.WriteString("note", note);
        }

        json.WriteEndObject();
    }

    /// <summary>The library's pipeline for a description read from a file, with the file's standardizer.</summary>
    public static FeaturePipeline ToPipeline(PipelineDescription description, Standardizer? standardizer)
    {
        var columns = new PipelineColumn[description.Columns.Length];
        for (int c = 0; c < columns.Length; c++)
        {
            PipelineColumnDescription column = description.Columns[c];
            columns[c] = new PipelineColumn(
                column.Name,
                column.Kind,
                column.Inferred,
                column.Offset,
                column.Fill,
                column.Indicator,
                column.Categories,
                column.Other,
                column.MissingSlot,
                column.Unknown,
                column.Count,
                column.Missing,
                column.Note);
        }

        return new FeaturePipeline(columns, standardizer, description.MissingTokens, description.DecimalComma, description.Imputation, description.ThousandsSeparator);
    }
}
