using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Native.Numerics.Serialization;

// The feature pipeline of a model file (native.pipeline): a versioned JSON object, read with every field checked.
//
//   {"version":1,"missing_tokens":["NA"],"decimal_comma":false,"imputation":"mean","columns":[
//     {"name":"loan_id","kind":"ignored","inferred":true,"count":9000,"missing":0,"note":"…"},
//     {"name":"income","kind":"number","inferred":true,"offset":0,"width":1,"fill":52000.5,"indicator":false,"count":8700,"missing":300},
//     {"name":"grade","kind":"category","inferred":true,"offset":1,"width":8,"categories":["A","B"],"other":true,"missing_slot":false,"unknown":"ignore","count":9000,"missing":0}]}
//
// Plain C# over the BCL and System.Text.Json: the source generator compiles this file too.
internal static partial class ModelFileFormat
{
    /// <summary>The deepest the pipeline's JSON nests: the object, its columns, a column, its categories.</summary>
    private const int PipelineDepth = 4;

    /// <summary>
    /// The pipeline of a <c>native.pipeline</c> entry, every field checked against the rest and against the model's
    /// <paramref name="features"/>: the encoded widths must sum to them.
    /// </summary>
    /// <exception cref="FileFormatException">The entry is not valid JSON, or a field is missing, of the wrong type, unknown or inconsistent.</exception>
    private static PipelineDescription DecodePipeline(Decoder decoder, int features)
    {
        string key = ModelFileKeys.PipelineKey;
        string text = decoder.Required(key);
        var json = new Utf8JsonReader(Encoding.UTF8.GetBytes(text), new JsonReaderOptions { MaxDepth = PipelineDepth });
        try
        {
            return ReadPipeline(ref json, decoder, features);
        }
        catch (JsonException e)
        {
            throw decoder.Error(key, $"{key} is not valid JSON: {e.Message}", e);
        }
        catch (InvalidOperationException e)
        {
            // GetString on a string escaping a lone surrogate.
            throw decoder.Error(key, $"{key} holds a string that is not valid Unicode text.", e);
        }
    }

    private static PipelineDescription ReadPipeline(ref Utf8JsonReader json, Decoder decoder, int features)
    {
        string key = ModelFileKeys.PipelineKey;
        Expect(ref json, decoder, JsonTokenType.StartObject, "the pipeline object");
        int? version = null;
        string[]? tokens = null;
        bool? decimalComma = null;
        char? thousands = null;
        Imputation? imputation = null;
        List<PipelineColumnDescription>? columns = null;
        while (Next(ref json, decoder) != JsonTokenType.EndObject)
        {
            string field = PropertyName(ref json, decoder);
            switch (field)
            {
                case "version":
                    version = Integer(ref json, decoder, field);
                    if (version != ModelFileKeys.PipelineVersion)
                    {
                        throw decoder.Error(key, Safetensors.Invariant($"{key}'s version is {version}; this library reads version {ModelFileKeys.PipelineVersion}."));
                    }

                    break;
                case "missing_tokens":
                    tokens = StringArray(ref json, decoder, field);
                    foreach (string token in tokens)
                    {
                        if (token.Trim().Length == 0 || token.Trim() != token)
                        {
                            throw decoder.Error(key, $"{key}'s missing token '{Safetensors.Quote(token)}' is blank or has surrounding white space.");
                        }
                    }

                    break;
                case "decimal_comma":
                    decimalComma = Boolean(ref json, decoder, field);
                    break;
                case "thousands_separator":
                    // Optional (absent: none), so files written before it read as they did.
                    string separator = String(ref json, decoder, field);
                    thousands = separator.Length == 1 && IsThousandsSeparator(separator[0])
                        ? separator[0]
                        : throw decoder.Error(key, $"{key}'s thousands_separator is '{Safetensors.Quote(separator)}'; expected one of , . ' _ a space or a no-break space, not the decimal mark.");
                    break;
                case "imputation":
                    string imputationText = String(ref json, decoder, field);
                    imputation = imputationText switch
                    {
                        "mean" => Imputation.Mean,
                        "median" => Imputation.Median,
                        _ => throw decoder.Error(key, $"{key}'s imputation is '{Safetensors.Quote(imputationText)}'; expected mean or median."),
                    };
                    break;
                case "columns":
                    columns = Columns(ref json, decoder);
                    break;
                default:
                    throw decoder.Error(key, $"{key} has an unknown field '{Safetensors.Quote(field)}'; pipeline version {ModelFileKeys.PipelineVersion} has version, missing_tokens, decimal_comma, imputation and columns (and optionally thousands_separator).");
            }
        }

        if (json.Read())
        {
            throw decoder.Error(key, $"{key} has more after its object.");
        }

        if (version is null || tokens is null || decimalComma is null || imputation is null || columns is null)
        {
            throw decoder.Error(key, $"{key} lacks a field; a pipeline states version, missing_tokens, decimal_comma, imputation and columns.");
        }

        if (thousands == (decimalComma.Value ? ',' : '.'))
        {
            throw decoder.Error(key, $"{key}'s thousands_separator '{thousands}' is its decimal mark.");
        }

        CheckColumns(decoder, columns, features);
        return new PipelineDescription(columns.ToArray(), tokens, decimalComma.Value, imputation.Value, thousands);
    }

    /// <summary>
    /// Whether <paramref name="separator"/> may group a number's digits: a comma, a point, an apostrophe, an underscore, a
    /// space, a no-break or narrow no-break space (and it must not be the decimal mark, which the caller checks).
    /// </summary>
    internal static bool IsThousandsSeparator(char separator) =>
        separator is ',' or '.' or '\'' or '_' or ' ' or '\u00A0' or '\u202F';

    private static List<PipelineColumnDescription> Columns(ref Utf8JsonReader json, Decoder decoder)
    {
        Expect(ref json, decoder, JsonTokenType.StartArray, "an array of columns");
        var columns = new List<PipelineColumnDescription>();
        while (Next(ref json, decoder) != JsonTokenType.EndArray)
        {
            columns.Add(Column(ref json, decoder, columns.Count));
        }

        return columns;
    }

    private static PipelineColumnDescription Column(ref Utf8JsonReader json, Decoder decoder, int index)
    {
        string key = ModelFileKeys.PipelineKey;
        if (json.TokenType != JsonTokenType.StartObject)
        {
            throw decoder.Error(key, Safetensors.Invariant($"{key}'s column {index} is not an object."));
        }

        string? name = null, note = null;
        ColumnKind? kind = null;
        bool inferred = true, indicator = false, other = false, missingSlot = false;
        int offset = 0, width = 0;
        float fill = 0f;
        long count = 0, missing = 0;
        string[] categories = [];
        UnknownCategories unknown = UnknownCategories.Ignore;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        while (Next(ref json, decoder) != JsonTokenType.EndObject)
        {
            string field = PropertyName(ref json, decoder);
            if (!seen.Add(field))
            {
                throw decoder.Error(key, Safetensors.Invariant($"{key}'s column {index} gives '{Safetensors.Quote(field)}' twice."));
            }

            switch (field)
            {
                case "name":
                    name = String(ref json, decoder, field);
                    break;
                case "kind":
                    string kindText = String(ref json, decoder, field);
                    kind = kindText switch
                    {
                        "number" => ColumnKind.Number,
                        "category" => ColumnKind.Category,
                        "ignored" => ColumnKind.Ignored,
                        _ => throw decoder.Error(key, Safetensors.Invariant($"{key}'s column {index} has kind '{Safetensors.Quote(kindText)}'; expected number, category or ignored.")),
                    };
                    break;
                case "inferred":
                    inferred = Boolean(ref json, decoder, field);
                    break;
                case "offset":
                    offset = Integer(ref json, decoder, field);
                    break;
                case "width":
                    width = Integer(ref json, decoder, field);
                    break;
                case "fill":
                    Next(ref json, decoder);
                    if (json.TokenType != JsonTokenType.Number || !json.TryGetSingle(out fill) || !IsFinite(fill))
                    {
                        throw decoder.Error(key, Safetensors.Invariant($"{key}'s column {index} has a fill that is not a finite number."));
                    }

                    break;
                case "indicator":
                    indicator = Boolean(ref json, decoder, field);
                    break;
                case "categories":
                    categories = StringArray(ref json, decoder, field);
                    break;
                case "other":
                    other = Boolean(ref json, decoder, field);
                    break;
                case "missing_slot":
                    missingSlot = Boolean(ref json, decoder, field);
                    break;
                case "unknown":
                    string unknownText = String(ref json, decoder, field);
                    unknown = unknownText switch
                    {
                        "ignore" => UnknownCategories.Ignore,
                        "error" => UnknownCategories.Error,
                        _ => throw decoder.Error(key, Safetensors.Invariant($"{key}'s column {index} has unknown '{Safetensors.Quote(unknownText)}'; expected ignore or error.")),
                    };
                    break;
                case "count":
                    count = Count(ref json, decoder, field);
                    break;
                case "missing":
                    missing = Count(ref json, decoder, field);
                    break;
                case "note":
                    note = String(ref json, decoder, field);
                    break;
                default:
                    throw decoder.Error(key, Safetensors.Invariant($"{key}'s column {index} has an unknown field '{Safetensors.Quote(field)}'."));
            }
        }

        if (name is null || kind is null)
        {
            throw decoder.Error(key, Safetensors.Invariant($"{key}'s column {index} lacks its name or kind."));
        }

        // The fields a kind uses must be given; the others must not be.
        string[] needed = kind switch
        {
            ColumnKind.Number => ["offset", "width", "fill", "indicator"],
            ColumnKind.Category => ["offset", "width", "categories", "other", "missing_slot", "unknown"],
            _ => [],
        };
        string[] foreign = kind switch
        {
            ColumnKind.Number => ["categories", "other", "missing_slot", "unknown"],
            ColumnKind.Category => ["fill", "indicator"],
            _ => ["offset", "width", "fill", "indicator", "categories", "other", "missing_slot", "unknown"],
        };
        foreach (string field in needed)
        {
            if (!seen.Contains(field))
            {
                throw decoder.Error(key, $"{key}'s {KindText(kind.Value)} column '{Safetensors.Quote(name)}' lacks '{field}'.");
            }
        }

        foreach (string field in foreign)
        {
            if (seen.Contains(field))
            {
                throw decoder.Error(key, $"{key}'s {KindText(kind.Value)} column '{Safetensors.Quote(name)}' has '{field}', which only another kind of column has.");
            }
        }

        return new PipelineColumnDescription(name, kind.Value, inferred, offset, width, fill, indicator, categories, other, missingSlot, unknown, count, missing, note);
    }

    /// <summary>Distinct names and categories, widths as the kinds say, each column where the last ended, and the widths summing to the model's features.</summary>
    private static void CheckColumns(Decoder decoder, List<PipelineColumnDescription> columns, int features)
    {
        string key = ModelFileKeys.PipelineKey;
        var names = new HashSet<string>(StringComparer.Ordinal);
        long offset = 0;
        foreach (PipelineColumnDescription column in columns)
        {
            string name = Safetensors.Quote(column.Name);
            if (!names.Add(column.Name))
            {
                throw decoder.Error(key, $"{key} names the column '{name}' twice; column names must be distinct.");
            }

            if (column.Kind == ColumnKind.Ignored)
            {
                continue;
            }

            long width = column.Kind == ColumnKind.Number
                ? (column.Indicator ? 2 : 1)
                : (long)column.Categories.Length + (column.Other ? 1 : 0) + (column.MissingSlot ? 1 : 0);
            if (width == 0 || column.Width != width)
            {
                throw decoder.Error(key, Safetensors.Invariant($"{key}'s column '{name}' has width {column.Width}; its {KindText(column.Kind)} fields make {width}{(width == 0 ? ", and a column that is not ignored writes at least 1" : "")}."));
            }

            if (column.Offset != offset)
            {
                throw decoder.Error(key, Safetensors.Invariant($"{key}'s column '{name}' starts at feature {column.Offset}; expected {offset}, where the column before it ends."));
            }

            var categories = new HashSet<string>(StringComparer.Ordinal);
            foreach (string category in column.Categories)
            {
                if (!categories.Add(category))
                {
                    throw decoder.Error(key, $"{key}'s column '{name}' keeps the category '{Safetensors.Quote(category)}' twice; categories must be distinct.");
                }
            }

            offset += width;
            if (offset > features)
            {
                break;
            }
        }

        if (offset != features)
        {
            throw decoder.Error(key, Safetensors.Invariant($"{key}'s columns write {offset}{(offset > features ? " or more" : "")} features, but the model takes {features}."));
        }
    }

    private static string KindText(ColumnKind kind) => kind switch
    {
        ColumnKind.Number => "number",
        ColumnKind.Category => "category",
        _ => "ignored",
    };

    private static JsonTokenType Next(ref Utf8JsonReader json, Decoder decoder)
    {
        if (!json.Read())
        {
            throw decoder.Error(ModelFileKeys.PipelineKey, $"{ModelFileKeys.PipelineKey} ends too soon.");
        }

        return json.TokenType;
    }

    private static void Expect(ref Utf8JsonReader json, Decoder decoder, JsonTokenType type, string what)
    {
        if (Next(ref json, decoder) != type)
        {
            throw decoder.Error(ModelFileKeys.PipelineKey, $"{ModelFileKeys.PipelineKey}: expected {what}.");
        }
    }

    private static string PropertyName(ref Utf8JsonReader json, Decoder decoder) =>
        json.TokenType == JsonTokenType.PropertyName ? json.GetString()! : throw decoder.Error(ModelFileKeys.PipelineKey, $"{ModelFileKeys.PipelineKey}: expected a field name.");

    private static string String(ref Utf8JsonReader json, Decoder decoder, string field) =>
        Next(ref json, decoder) == JsonTokenType.String ? json.GetString()! : throw Wrong(decoder, field, "a string");

    private static bool Boolean(ref Utf8JsonReader json, Decoder decoder, string field) =>
        Next(ref json, decoder) switch
        {
            JsonTokenType.True => true,
            JsonTokenType.False => false,
            _ => throw Wrong(decoder, field, "true or false"),
        };

    private static int Integer(ref Utf8JsonReader json, Decoder decoder, string field) =>
        Next(ref json, decoder) == JsonTokenType.Number && json.TryGetInt32(out int value) && value >= 0 ? value : throw Wrong(decoder, field, "an integer of 0 or more");

    private static long Count(ref Utf8JsonReader json, Decoder decoder, string field) =>
        Next(ref json, decoder) == JsonTokenType.Number && json.TryGetInt64(out long value) && value >= 0 ? value : throw Wrong(decoder, field, "an integer of 0 or more");

    private static string[] StringArray(ref Utf8JsonReader json, Decoder decoder, string field)
    {
        if (Next(ref json, decoder) != JsonTokenType.StartArray)
        {
            throw Wrong(decoder, field, "an array of strings");
        }

        var values = new List<string>();
        while (Next(ref json, decoder) != JsonTokenType.EndArray)
        {
            values.Add(json.TokenType == JsonTokenType.String ? json.GetString()! : throw Wrong(decoder, field, "an array of strings"));
        }

        return values.ToArray();
    }

    private static FileFormatException Wrong(Decoder decoder, string field, string expected) =>
        decoder.Error(ModelFileKeys.PipelineKey, string.Format(CultureInfo.InvariantCulture, "{0}'s '{1}' is not {2}.", ModelFileKeys.PipelineKey, field, expected));
}
