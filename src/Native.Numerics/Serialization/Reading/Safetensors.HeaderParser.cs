using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Native.Numerics.Serialization;

// The safetensors header's JSON, entry by entry: the parser behind Safetensors.ReadHeader.
internal static partial class Safetensors
{
    /// <summary>Parses the JSON header into a <see cref="Contents"/>, checking each entry's form.</summary>
    private ref struct HeaderParser(byte[] header, Contents contents)
    {
        private Utf8JsonReader _json = new(header, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Disallow, MaxDepth = 8 });

        public void Parse()
        {
            try
            {
                Next(); // the opening brace: the first byte is '{', checked before.
                while (Next() == JsonTokenType.PropertyName)
                {
                    long entry = Offset;
                    string key = String();
                    if (key == MetadataKey)
                    {
                        if (contents.Metadata is not null)
                        {
                            throw Error(entry, $"duplicate entry '{MetadataKey}' in the header.");
                        }

                        contents.MetadataOffset = entry;
                        contents.Metadata = ReadMetadata();
                    }
                    else if (!contents.Add(ReadTensor(key, entry)))
                    {
                        throw Error(entry, $"duplicate tensor '{Quote(key)}' in the header.");
                    }
                }

                // Only the padding (whitespace) may follow the object; Read throws on anything else.
                if (_json.Read())
                {
                    throw Error(Offset, "unexpected content after the header's JSON object.");
                }
            }
            catch (JsonException e)
            {
                throw FileFormatException.AtOffset(contents.Name, LengthFieldSize + OffsetOf(e), $"the header is not valid JSON: {e.Message}", e);
            }
        }

        /// <summary>The file offset of the current token.</summary>
        private readonly long Offset => LengthFieldSize + _json.TokenStartIndex;

        private Dictionary<string, string> ReadMetadata()
        {
            Expect(JsonTokenType.StartObject, $"the '{MetadataKey}' entry");
            var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
            while (Next() == JsonTokenType.PropertyName)
            {
                long at = Offset;
                string key = String();
                JsonTokenType type = Next();
                if (type != JsonTokenType.String)
                {
                    throw Error(Offset, $"metadata entry '{Quote(key)}' is {Describe(type)}; safetensors metadata values are strings.");
                }

                if (metadata.Count == MaxMetadataEntries)
                {
                    throw Error(at, Invariant($"more than {MaxMetadataEntries} metadata entries, the most a model file may hold."));
                }

                if (!metadata.TryAdd(key, String()))
                {
                    throw Error(at, $"duplicate metadata entry '{Quote(key)}'.");
                }

                if (key.StartsWith(ModelFileKeys.ReservedPrefix, StringComparison.Ordinal))
                {
                    contents.MetadataKeyOffsets[key] = at;
                }
            }

            return metadata;
        }

        private TensorEntry ReadTensor(string name, long entry)
        {
            Expect(JsonTokenType.StartObject, $"tensor '{Quote(name)}'");
            string? type = null;
            ulong[]? shape = null;
            ulong[]? offsets = null;
            while (Next() == JsonTokenType.PropertyName)
            {
                long at = Offset;
                string field = String();
                switch (field)
                {
                    case "dtype" when type is null:
                        Expect(JsonTokenType.String, $"the dtype of tensor '{Quote(name)}'");
                        type = String();
                        break;
                    case "shape" when shape is null:
                        shape = ReadIntegers(name, "shape");
                        break;
                    case "data_offsets" when offsets is null:
                        offsets = ReadIntegers(name, "data_offsets");
                        if (offsets.Length != 2)
                        {
                            throw Error(at, Invariant($"tensor '{Quote(name)}' has {offsets.Length} data_offsets; expected 2, [begin, end]."));
                        }

                        break;
                    case "dtype" or "shape" or "data_offsets":
                        throw Error(at, $"tensor '{Quote(name)}' has '{field}' twice.");
                    default:
                        throw Error(at, $"tensor '{Quote(name)}' has an unexpected field '{Quote(field)}'; expected dtype, shape and data_offsets.");
                }
            }

            string? missing = type is null ? "dtype" : shape is null ? "shape" : offsets is null ? "data_offsets" : null;
            if (missing is not null)
            {
                throw Error(entry, $"tensor '{Quote(name)}' has no {missing}; expected dtype, shape and data_offsets.");
            }

            return new TensorEntry(name, type!, shape!, offsets![0], offsets[1], entry);
        }

        private ulong[] ReadIntegers(string name, string field)
        {
            Expect(JsonTokenType.StartArray, $"the {field} of tensor '{Quote(name)}'");
            var values = new List<ulong>();
            while (Next() != JsonTokenType.EndArray)
            {
                if (_json.TokenType != JsonTokenType.Number || !_json.TryGetUInt64(out ulong value))
                {
                    throw Error(Offset, $"the {field} of tensor '{Quote(name)}' holds {Token()}; expected non-negative integers.");
                }

                values.Add(value);
            }

            return [.. values];
        }

        private JsonTokenType Next()
        {
            if (!_json.Read())
            {
                // Unreachable for a final block that started with '{': Read throws on an unclosed object.
                throw Error(LengthFieldSize + header.Length, "the header's JSON object is not closed.");
            }

            return _json.TokenType;
        }

        private void Expect(JsonTokenType type, string what)
        {
            if (Next() != type)
            {
                throw Error(Offset, $"{what} is {Describe(_json.TokenType)}; expected {Describe(type)}.");
            }
        }

        /// <summary>The current string token, or a format error if it is not valid UTF-8 (or escapes a lone surrogate).</summary>
        private readonly string String()
        {
            try
            {
                return _json.GetString()!;
            }
            catch (InvalidOperationException e)
            {
                throw FileFormatException.AtOffset(contents.Name, Offset, $"the header holds a string that is not valid UTF-8 text: {e.Message}", e);
            }
        }

        /// <summary>The current token as written, shortened, for a message.</summary>
        private readonly string Token() => _json.TokenType switch
        {
            JsonTokenType.Number => "'" + Quote(Encoding.UTF8.GetString(_json.ValueSpan.ToArray())) + "'",
            JsonTokenType.String => "a string",
            _ => Describe(_json.TokenType),
        };

        private readonly FileFormatException Error(long offset, string message) => contents.Error(offset, message);

        /// <summary>The header offset a reader error names: its line and its byte in that line.</summary>
        private readonly long OffsetOf(JsonException e)
        {
            long line = e.LineNumber ?? 0, column = e.BytePositionInLine ?? 0, start = 0;
            for (long l = 0; l < line && start < header.Length; l++)
            {
                int next = header.AsSpan((int)start).IndexOf((byte)'\n');
                start = next < 0 ? header.Length : start + next + 1;
            }

            return Math.Min(start + column, header.Length);
        }

        private static string Describe(JsonTokenType type) => type switch
        {
            JsonTokenType.StartObject => "an object",
            JsonTokenType.StartArray => "an array",
            JsonTokenType.String => "a string",
            JsonTokenType.Number => "a number",
            JsonTokenType.True or JsonTokenType.False => "a boolean",
            JsonTokenType.Null => "null",
            _ => type.ToString(),
        };
    }
}
