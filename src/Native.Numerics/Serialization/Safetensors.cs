using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Native.Numerics.Serialization;

/// <summary>Writing the safetensors container; reading it (shared with the source generator) is in Reading/Safetensors.Reading.cs.</summary>
internal static partial class Safetensors
{
    /// <summary>
    /// Writes a safetensors file: <paramref name="metadata"/> (keys sorted, so equal inputs give equal bytes),
    /// then each of <paramref name="tensors"/> in order, described as F32 with its shape and taking its floats
    /// from <paramref name="data"/>, which the tensors must cover exactly, in order.
    /// </summary>
    public static void Write(Stream stream, IReadOnlyList<TensorLayout> tensors, IReadOnlyDictionary<string, string> metadata, ReadOnlySpan<float> data)
    {
        byte[] header = Header(tensors, metadata, data.Length * (long)sizeof(float));
        Span<byte> length = stackalloc byte[LengthFieldSize];
        BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)header.Length);
        stream.Write(length);
        stream.Write(header);
        if (BitConverter.IsLittleEndian)
        {
            stream.Write(MemoryMarshal.AsBytes(data));
        }
        else
        {
            byte[] chunk = new byte[4096];
            for (int start = 0; start < data.Length; start += chunk.Length / sizeof(float))
            {
                ReadOnlySpan<float> part = data.Slice(start, Math.Min(chunk.Length / sizeof(float), data.Length - start));
                for (int i = 0; i < part.Length; i++)
                {
                    BinaryPrimitives.WriteSingleLittleEndian(chunk.AsSpan(i * sizeof(float)), part[i]);
                }

                stream.Write(chunk, 0, part.Length * sizeof(float));
            }
        }
    }

    /// <summary>
    /// Writes a safetensors file whose tensors may be of any dtype this library reads (<see cref="TensorLayout.Type"/>): their
    /// bytes, already little-endian, from <paramref name="data"/>, which they must cover exactly, in order.
    /// </summary>
    public static void WriteBytes(Stream stream, IReadOnlyList<TensorLayout> tensors, IReadOnlyDictionary<string, string> metadata, ReadOnlySpan<byte> data)
    {
        byte[] header = Header(tensors, metadata, data.Length);
        Span<byte> length = stackalloc byte[LengthFieldSize];
        BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)header.Length);
        stream.Write(length);
        stream.Write(header);
        stream.Write(data);
    }

    /// <summary>The JSON header, padded with spaces to a multiple of 8 bytes so the data section starts 8-byte aligned.</summary>
    private static byte[] Header(IReadOnlyList<TensorLayout> tensors, IReadOnlyDictionary<string, string> metadata, long dataBytes)
    {
        var buffer = new ArrayBufferWriter<byte>();
        // Text in any script stays readable in the header (it is a file, never HTML).
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartObject();
            if (metadata.Count > 0)
            {
                json.WriteStartObject(MetadataKey);
                foreach (string key in metadata.Keys.Order(StringComparer.Ordinal))
                {
                    json.WriteString(key, metadata[key]);
                }

                json.WriteEndObject();
            }

            long offset = 0;
            foreach (TensorLayout tensor in tensors)
            {
                long end = offset + (tensor.Length * ElementSize(tensor.Type));
                json.WriteStartObject(tensor.Name);
                json.WriteString("dtype", tensor.Type);
                json.WriteStartArray("shape");
                foreach (int size in tensor.Shape)
                {
                    json.WriteNumberValue(size);
                }

                json.WriteEndArray();
                json.WriteStartArray("data_offsets");
                json.WriteNumberValue(offset);
                json.WriteNumberValue(end);
                json.WriteEndArray();
                json.WriteEndObject();
                offset = end;
            }

            if (offset != dataBytes)
            {
                throw new ArgumentException($"The tensors cover {offset} bytes, but the data are {dataBytes} bytes.", nameof(tensors));
            }

            json.WriteEndObject();
        }

        int padded = (buffer.WrittenCount + 7) & ~7;
        if (padded > MaxHeaderLength)
        {
            throw new ArgumentException($"The header would be {padded:N0} bytes, above the safetensors limit of {MaxHeaderLength:N0}; the metadata are too large.", nameof(metadata));
        }

        byte[] header = new byte[padded];
        buffer.WrittenSpan.CopyTo(header);
        header.AsSpan(buffer.WrittenCount).Fill((byte)' ');
        return header;
    }

    /// <summary>A tensor to write: its name, its shape, its dtype, and its element count (the shape's product).</summary>
    public sealed record TensorLayout(string Name, int[] Shape, string Type = Float32)
    {
        /// <summary>The number of elements: the product of the shape.</summary>
        public long Length => Shape.Aggregate(1L, (product, size) => product * size);
    }

}
