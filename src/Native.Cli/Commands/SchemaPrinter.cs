using Native.Cli.Output;
using Native.Numerics;

namespace Native.Cli.Commands;

/// <summary>Prints the schema a table was read with — each column's kind, values, blanks and what is done — before training.</summary>
internal static class SchemaPrinter
{
    /// <summary>Writes <paramref name="pipeline"/>'s report as text, or as one JSON object (<c>{"schema": {...}}</c>) with <paramref name="json"/>.</summary>
    public static void Write(TextWriter output, FeaturePipeline pipeline, bool json)
    {
        if (!json)
        {
            output.WriteLine(pipeline.Describe());
            output.WriteLine();
            return;
        }

        JsonLines.Write(output, writer =>
        {
            writer.WriteStartObject("schema");
            writer.WriteNumber("features", pipeline.Features);
            writer.WriteBoolean("standardized", pipeline.Standardizer is not null);
            writer.WriteStartArray("missing_tokens");
            foreach (string token in pipeline.MissingTokens)
            {
                writer.WriteStringValue(token);
            }

            writer.WriteEndArray();
            writer.WriteStartArray("columns");
            foreach (PipelineColumn column in pipeline.Columns)
            {
                writer.WriteStartObject();
                writer.WriteString("name", column.Name);
                writer.WriteString("kind", column.Kind.ToString().ToLowerInvariant());
                writer.WriteBoolean("inferred", column.KindInferred);
                writer.WriteNumber("values", column.Count);
                writer.WriteNumber("missing", column.Missing);
                writer.WriteNumber("features", column.Width);
                if (column.Kind == ColumnKind.Number)
                {
                    writer.WriteNumber("fill", column.Fill);
                    writer.WriteBoolean("indicator", column.HasIndicator);
                }
                else if (column.Kind == ColumnKind.Category)
                {
                    writer.WriteStartArray("categories");
                    foreach (string category in column.Categories)
                    {
                        writer.WriteStringValue(category);
                    }

                    writer.WriteEndArray();
                    writer.WriteBoolean("other", column.HasOther);
                    writer.WriteBoolean("missing_slot", column.HasMissingSlot);
                }

                if (column.Note is string note)
                {
                    writer.WriteString("note", note);
                }

                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        });
    }
}
