using System;
using System.Collections.Generic;
using System.Text;
using System.Text.Json;

namespace Native.Numerics.Serialization;

// The JSON values inside a model file's metadata strings, read for ModelFileFormat.Decode.
internal static partial class ModelFileFormat
{
    /// <summary>Reads the JSON values inside metadata strings, each error naming its key and the key's place in the header.</summary>
    private sealed class Decoder(Safetensors.Contents contents, Dictionary<string, string> metadata)
    {
        public FileFormatException Error(string key, string message, Exception? inner = null) =>
            FileFormatException.AtOffset(contents.Name, contents.MetadataKeyOffsets.GetValueOrDefault(key, contents.MetadataOffset), message, inner);

        public string Required(string key) => metadata.TryGetValue(key, out string? value)
            ? value
            : throw FileFormatException.AtOffset(contents.Name, contents.MetadataOffset, $"the metadata have no '{key}'; a model file states its format version, kind, layer sizes, activations and leaky ReLU slope.");

        public int[] Integers(string key) => Array(key, "a JSON array of positive integers", static (ref Utf8JsonReader json, out int value) =>
        {
            value = 0;
            return json.TokenType == JsonTokenType.Number && json.TryGetInt32(out value) && value >= 1;
        });

        public float[] Floats(string key) => Array(key, "a JSON array of finite numbers", static (ref Utf8JsonReader json, out float value) =>
        {
            value = 0f;
            return json.TokenType == JsonTokenType.Number && json.TryGetSingle(out value) && IsFinite(value);
        });

        public string[] Strings(string key) => Array(key, "a JSON array of strings", static (ref Utf8JsonReader json, out string value) =>
        {
            value = json.TokenType == JsonTokenType.String ? json.GetString()! : string.Empty;
            return json.TokenType == JsonTokenType.String;
        });

        public Activation[] Activations(string key) => Array(key, "a JSON array of activations (relu, leaky_relu, sigmoid, tanh)", static (ref Utf8JsonReader json, out Activation value) =>
        {
            Activation? parsed = json.TokenType == JsonTokenType.String ? ParseActivation(json.GetString()!) : null;
            value = parsed.GetValueOrDefault();
            return parsed.HasValue;
        });

        public float Float(string key)
        {
            string text = Required(key);
            var json = new Utf8JsonReader(Encoding.UTF8.GetBytes(text));
            try
            {
                if (json.Read() && json.TokenType == JsonTokenType.Number && json.TryGetSingle(out float value) && IsFinite(value) && !json.Read())
                {
                    return value;
                }
            }
            catch (JsonException e)
            {
                throw Error(key, $"{key} is '{Safetensors.Quote(text)}'; expected a finite number.", e);
            }

            throw Error(key, $"{key} is '{Safetensors.Quote(text)}'; expected a finite number.");
        }

        /// <summary>Reads one array element at the reader's current token; false if it is not what the array holds.</summary>
        private delegate bool Element<T>(ref Utf8JsonReader json, out T value);

        private T[] Array<T>(string key, string expected, Element<T> element)
        {
            string text = Required(key);
            var json = new Utf8JsonReader(Encoding.UTF8.GetBytes(text), new JsonReaderOptions { MaxDepth = 4 });
            var values = new List<T>();
            try
            {
                if (!json.Read() || json.TokenType != JsonTokenType.StartArray)
                {
                    throw Error(key, $"{key} is '{Safetensors.Quote(text)}'; expected {expected}.");
                }

                while (json.Read() && json.TokenType != JsonTokenType.EndArray)
                {
                    if (!element(ref json, out T value))
                    {
                        throw Error(key, Safetensors.Invariant($"{key} is '{Safetensors.Quote(text)}'; element {values.Count} is not valid: expected {expected}."));
                    }

                    values.Add(value);
                }

                if (json.TokenType != JsonTokenType.EndArray || json.Read())
                {
                    throw Error(key, $"{key} is '{Safetensors.Quote(text)}'; expected {expected} and nothing after it.");
                }
            }
            catch (JsonException e)
            {
                throw Error(key, $"{key} is not valid JSON ('{Safetensors.Quote(text)}'); expected {expected}.", e);
            }
            catch (InvalidOperationException e)
            {
                // GetString on a string escaping a lone surrogate.
                throw Error(key, $"{key} holds a string that is not valid Unicode text; expected {expected}.", e);
            }

            return [.. values];
        }
    }
}
