using System.Buffers;
using System.Text;
using System.Text.Json;

namespace Native.Cli.Output;

/// <summary>
/// One JSON object per line, written with <see cref="Utf8JsonWriter"/> (no reflection, so NativeAOT-safe).
/// NaN and infinities, which JSON cannot hold, are written as null.
/// </summary>
internal static class JsonLines
{
    /// <summary>Writes the object <paramref name="body"/> fills as one line of <paramref name="output"/>.</summary>
    public static void Write(TextWriter output, Action<Utf8JsonWriter> body)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            body(writer);
            writer.WriteEndObject();
        }

        output.WriteLine(Encoding.UTF8.GetString(buffer.WrittenSpan));
    }

    /// <summary>Writes a float in its shortest round-trip form, or null when it is NaN or infinite.</summary>
    public static void Number(this Utf8JsonWriter writer, string name, float value)
    {
        if (float.IsFinite(value))
        {
            writer.WriteNumber(name, value);
        }
        else
        {
            writer.WriteNull(name);
        }
    }

    /// <summary>Writes a number, or null when it is NaN or infinite.</summary>
    public static void Number(this Utf8JsonWriter writer, string name, double value)
    {
        if (double.IsFinite(value))
        {
            writer.WriteNumber(name, value);
        }
        else
        {
            writer.WriteNull(name);
        }
    }
}
