using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Native.Numerics.Serialization;

/// <summary>
/// The safetensors container (https://github.com/huggingface/safetensors): an 8-byte little-endian header
/// length n; n bytes of UTF-8 JSON mapping each tensor name to <c>{"dtype", "shape", "data_offsets"}</c>, with
/// an optional <c>"__metadata__"</c> map of strings to strings; then the data section, whose tensors lie
/// contiguously, raw, little-endian, row-major, at offsets counted from the byte after the header.
/// </summary>
/// <remarks>
/// <para>
/// This layer knows the container, not models: <see cref="Write"/> lays out float32 tensors, and
/// <see cref="ReadHeader"/> and <see cref="Contents.ReadData(Stream, Span{byte}, Func{TensorEntry, int})"/> check every rule of the format (the same rules as the reference Rust
/// implementation, plus a few it leaves to callers) before trusting a byte of it. <see cref="ModelFile"/>
/// puts models on top.
/// </para>
/// <para>
/// A header never buys memory it does not pay for: the header length is checked against the content's
/// length (when the stream knows it) and against <see cref="MaxHeaderLength"/> before the header buffer
/// is allocated, the tensors' extent is checked against the data section before anything of its size is
/// allocated, and the data are then read straight into the caller's memory. When the stream cannot say its
/// length, buffers start small and grow only as bytes actually arrive. A header lists at most
/// <see cref="MaxTensors"/> tensors and <see cref="MaxMetadataEntries"/> metadata entries.
/// </para>
/// </remarks>
internal static class Safetensors
{
    /// <summary>The largest header read: 100 MB, the reference implementation's limit.</summary>
    public const long MaxHeaderLength = 100_000_000;

    /// <summary>The name of the header entry holding the string-to-string metadata.</summary>
    public const string MetadataKey = "__metadata__";

    /// <summary>The only element type read and written: 32-bit IEEE floats.</summary>
    public const string Float32 = "F32";

    /// <summary>The length field before the header.</summary>
    public const int LengthFieldSize = 8;

    /// <summary>
    /// The most tensors a header may list: two per dense layer of the deepest model (<see cref="ModelShape.MaxLayerCount"/>).
    /// A header of the 100 MB limit could otherwise list over a million, each costing more to hold than its text.
    /// </summary>
    public const int MaxTensors = 2 * ModelShape.MaxLayerCount;

    /// <summary>
    /// The most <c>__metadata__</c> entries a header may hold: 65,536, far more than a model's settings and
    /// metrics need; four million tiny entries in a 63 MB header once took 937 MB to hold.
    /// </summary>
    public const int MaxMetadataEntries = 65_536;

    /// <summary>The first buffer for content of unknown length; it doubles from here as bytes arrive.</summary>
    private const int InitialBufferLength = 64 * 1024;

    /// <summary>The longest piece of a file quoted in an error message.</summary>
    private const int QuoteLimit = 40;

    /// <summary>Every element type the safetensors format defines, so an error can tell "unsupported" from "unknown".</summary>
    private static readonly string[] KnownTypes =
    [
        "BOOL", "U8", "I8", "F8_E5M2", "F8_E4M3", "F8_E8M0", "F4", "F6_E2M3", "F6_E3M2",
        "I16", "U16", "F16", "BF16", "I32", "U32", "F32", "F64", "I64", "U64", "C64",
    ];

    /// <summary>
    /// Writes a safetensors file: <paramref name="metadata"/> (keys sorted, so equal inputs give equal bytes),
    /// then each of <paramref name="tensors"/> in order, described as F32 with its shape and taking its floats
    /// from <paramref name="data"/>, which the tensors must cover exactly, in order.
    /// </summary>
    public static void Write(Stream stream, IReadOnlyList<TensorLayout> tensors, IReadOnlyDictionary<string, string> metadata, ReadOnlySpan<float> data)
    {
        byte[] header = Header(tensors, metadata, data.Length);
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

    /// <summary>The JSON header, padded with spaces to a multiple of 8 bytes so the data section starts 8-byte aligned.</summary>
    private static byte[] Header(IReadOnlyList<TensorLayout> tensors, IReadOnlyDictionary<string, string> metadata, int floats)
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
                long end = offset + (tensor.Length * (long)sizeof(float));
                json.WriteStartObject(tensor.Name);
                json.WriteString("dtype", Float32);
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

            if (offset != floats * (long)sizeof(float))
            {
                throw new ArgumentException($"The tensors cover {offset} bytes, but the data are {floats * (long)sizeof(float)} bytes.", nameof(tensors));
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

    /// <summary>
    /// Reads and checks a safetensors file's header from <paramref name="stream"/>'s current position, and
    /// checks that its tensors cover the data section exactly; the data section is read by
    /// <see cref="Contents.ReadData(Stream, Span{byte}, Func{TensorEntry, int})"/>.
    /// </summary>
    /// <exception cref="FileFormatException">The content breaks a rule of the format.</exception>
    public static Contents ReadHeader(Stream stream, string? name)
    {
        long? remaining = stream.CanSeek ? Math.Max(0, stream.Length - stream.Position) : null;

        Span<byte> lengthField = stackalloc byte[LengthFieldSize];
        int got = stream.ReadAtLeast(lengthField, LengthFieldSize, throwOnEndOfStream: false);
        if (got < LengthFieldSize)
        {
            throw FileFormatException.AtOffset(name, got, Invariant($"the file is {got} bytes long, shorter than the 8-byte little-endian header length that starts a safetensors file."));
        }

        ulong declared = BinaryPrimitives.ReadUInt64LittleEndian(lengthField);
        if (remaining is long length && declared > (ulong)(length - LengthFieldSize))
        {
            throw FileFormatException.AtOffset(name, 0, Invariant($"the header length field says {declared} bytes, beyond the end of the file: only {length - LengthFieldSize} bytes follow it."));
        }

        if (declared > MaxHeaderLength)
        {
            throw FileFormatException.AtOffset(name, 0, Invariant($"the header length field says {declared} bytes, above the limit of {MaxHeaderLength} bytes (100 MB); this is not a safetensors file, or not one this library reads."));
        }

        if (declared < 2)
        {
            throw FileFormatException.AtOffset(name, 0, Invariant($"the header length field says {declared} bytes; a JSON header needs at least 2 ('{{}}')."));
        }

        int headerLength = (int)declared;
        byte[] header = ReadUpTo(stream, headerLength, remaining is not null, out int filled);
        if (filled < headerLength)
        {
            throw FileFormatException.AtOffset(name, LengthFieldSize + filled, Invariant($"the file ends {filled} bytes into the header, whose length field says {headerLength} bytes."));
        }

        if (header[0] != (byte)'{')
        {
            throw FileFormatException.AtOffset(name, LengthFieldSize, Invariant($"the header does not start with '{{' (found {DescribeByte(header[0])}); a safetensors header is a JSON object."));
        }

        var contents = new Contents(name, headerLength, remaining is long total ? total - LengthFieldSize - headerLength : null);
        new HeaderParser(header, contents).Parse();
        contents.CheckLayout();
        return contents;
    }

    /// <summary>A tensor to write: its name, its shape, and its element count (the shape's product).</summary>
    public sealed record TensorLayout(string Name, int[] Shape)
    {
        /// <summary>The number of elements: the product of the shape.</summary>
        public long Length => Shape.Aggregate(1L, (product, size) => product * size);
    }

    /// <summary>One tensor as the header describes it.</summary>
    /// <param name="Name">The tensor's name.</param>
    /// <param name="Type">Its element type, as written.</param>
    /// <param name="Shape">Its dimensions.</param>
    /// <param name="Begin">The offset of its first byte in the data section.</param>
    /// <param name="End">The offset after its last byte in the data section.</param>
    /// <param name="HeaderOffset">The file offset of its entry in the header, for error messages.</param>
    public sealed record TensorEntry(string Name, string Type, ulong[] Shape, ulong Begin, ulong End, long HeaderOffset)
    {
        /// <summary>The shape as written, "[3, 4]".</summary>
        public string ShapeText => "[" + string.Join(", ", Shape.Select(size => size.ToString(CultureInfo.InvariantCulture))) + "]";
    }

    /// <summary>A safetensors file whose header has been read and checked.</summary>
    public sealed class Contents
    {
        private readonly Dictionary<string, TensorEntry> _tensors = new(StringComparer.Ordinal);
        private readonly List<TensorEntry> _order = [];
        private readonly long? _dataLength;

        internal Contents(string? name, int headerLength, long? dataLength)
        {
            Name = name;
            HeaderLength = headerLength;
            _dataLength = dataLength;
        }

        /// <summary>The file's name in messages.</summary>
        public string? Name { get; }

        /// <summary>The header's length in bytes (n).</summary>
        public int HeaderLength { get; }

        /// <summary>The file offset of the data section: 8 + n.</summary>
        public long DataStart => LengthFieldSize + HeaderLength;

        /// <summary>The data section's length: the end of the last tensor.</summary>
        public long DataLength { get; private set; }

        /// <summary>The tensors, in header order.</summary>
        public IReadOnlyList<TensorEntry> Tensors => _order;

        /// <summary>The metadata, or null when the header has no <c>__metadata__</c>.</summary>
        public Dictionary<string, string>? Metadata { get; internal set; }

        /// <summary>The file offset of the <c>__metadata__</c> entry (or of the header, when there is none).</summary>
        public long MetadataOffset { get; internal set; } = LengthFieldSize;

        /// <summary>The file offset of each metadata key the format reserves (<see cref="ModelFile.ReservedPrefix"/>), for error messages.</summary>
        public Dictionary<string, long> MetadataKeyOffsets { get; } = new(StringComparer.Ordinal);

        /// <summary>The tensors in the order of their data (by offset), once <see cref="CheckLayout"/> has run.</summary>
        public IReadOnlyList<TensorEntry> DataOrder { get; private set; } = [];

        /// <summary>The tensor named <paramref name="tensorName"/>, or null.</summary>
        public TensorEntry? Find(string tensorName) => _tensors.GetValueOrDefault(tensorName);

        internal bool Add(TensorEntry tensor)
        {
            if (_order.Count == MaxTensors)
            {
                throw Error(tensor.HeaderOffset, Invariant($"more than {MaxTensors} tensors, the most a model file holds (two per dense layer, at most {ModelShape.MaxLayerCount} layers)."));
            }

            if (!_tensors.TryAdd(tensor.Name, tensor))
            {
                return false;
            }

            _order.Add(tensor);
            return true;
        }

        /// <summary>Whether the stream said its length, so the data section was checked against the bytes it holds.</summary>
        public bool LengthKnown => _dataLength is not null;

        /// <summary>
        /// Reads the data section — exactly <see cref="DataLength"/> bytes, then checks nothing follows — from
        /// <paramref name="stream"/>, positioned just after the header, into a buffer that grows only as bytes
        /// arrive (for a stream that cannot say its length, whose header has promised what it may not hold).
        /// </summary>
        public byte[] ReadDataBuffered(Stream stream)
        {
            byte[] data = ReadUpTo(stream, (int)DataLength, known: false, out int filled);
            if (filled < DataLength)
            {
                throw FileFormatException.AtOffset(Name, DataStart + filled, Invariant($"the file ends {filled} bytes into the data section; the tensors need {DataLength} bytes."));
            }

            CheckEnd(stream);
            return data;
        }

        /// <summary>
        /// Reads the data section from <paramref name="stream"/>, positioned just after the header, straight into
        /// the caller's memory: each tensor, in data order, into <paramref name="destination"/> at the byte offset
        /// <paramref name="placeOf"/> gives for it; then checks that nothing follows. No buffer of the data's size
        /// is allocated.
        /// </summary>
        public void ReadData(Stream stream, Span<byte> destination, Func<TensorEntry, int> placeOf)
        {
            long read = 0;
            foreach (TensorEntry tensor in DataOrder)
            {
                Span<byte> bytes = destination.Slice(placeOf(tensor), (int)(tensor.End - tensor.Begin));
                int filled = stream.ReadAtLeast(bytes, bytes.Length, throwOnEndOfStream: false);
                read += filled;
                if (filled < bytes.Length)
                {
                    throw FileFormatException.AtOffset(Name, DataStart + read, Invariant($"the file ends {read} bytes into the data section; the tensors need {DataLength} bytes."));
                }
            }

            CheckEnd(stream);
        }

        private void CheckEnd(Stream stream)
        {
            Span<byte> probe = stackalloc byte[1];
            if (stream.Read(probe) > 0)
            {
                throw Error(DataStart + DataLength, Invariant($"trailing bytes after the last tensor: the tensors end at data offset {DataLength}, but the file goes on."));
            }
        }

        /// <summary>A format error at <paramref name="offset"/> of this file.</summary>
        public FileFormatException Error(long offset, string message) => FileFormatException.AtOffset(Name, offset, message);

        /// <summary>
        /// Checks each tensor's type, shape and offsets, and that the tensors, in offset order, tile the data
        /// section from its first byte to its last with no gap and no overlap.
        /// </summary>
        internal void CheckLayout()
        {
            foreach (TensorEntry tensor in _order)
            {
                if (tensor.Type != Float32)
                {
                    throw Error(tensor.HeaderOffset, Array.IndexOf(KnownTypes, tensor.Type) >= 0
                        ? $"tensor '{Quote(tensor.Name)}' has dtype {tensor.Type}, which is not supported: only {Float32} (32-bit float) is read."
                        : $"tensor '{Quote(tensor.Name)}' has dtype '{Quote(tensor.Type)}', which is not a safetensors dtype; only {Float32} (32-bit float) is read.");
                }

                ulong elements = 1;
                foreach (ulong size in tensor.Shape)
                {
                    if (size != 0 && elements > ulong.MaxValue / size)
                    {
                        throw Error(tensor.HeaderOffset, $"tensor '{Quote(tensor.Name)}' has shape {tensor.ShapeText}, whose product overflows 64 bits.");
                    }

                    elements *= size;
                }

                if (elements > ulong.MaxValue / sizeof(float))
                {
                    throw Error(tensor.HeaderOffset, $"tensor '{Quote(tensor.Name)}' has shape {tensor.ShapeText}, whose size in bytes overflows 64 bits.");
                }

                if (tensor.Begin > tensor.End)
                {
                    throw Error(tensor.HeaderOffset, Invariant($"tensor '{Quote(tensor.Name)}' has reversed data_offsets [{tensor.Begin}, {tensor.End}]: the end is before the beginning."));
                }

                if (_dataLength is long available && tensor.End > (ulong)available)
                {
                    throw Error(tensor.HeaderOffset, Invariant($"tensor '{Quote(tensor.Name)}' has data_offsets [{tensor.Begin}, {tensor.End}], out of range: the data section holds only {available} bytes."));
                }

                ulong bytes = elements * sizeof(float);
                if (tensor.End - tensor.Begin != bytes)
                {
                    throw Error(tensor.HeaderOffset, Invariant($"tensor '{Quote(tensor.Name)}' has shape {tensor.ShapeText} of {Float32}, {bytes} bytes, but its data_offsets [{tensor.Begin}, {tensor.End}] span {tensor.End - tensor.Begin} bytes."));
                }
            }

            // In offset order, each tensor starts where the one before ended: no gap, no overlap.
            ulong expected = 0;
            TensorEntry? previous = null;
            foreach (TensorEntry tensor in _order.OrderBy(t => t.Begin).ThenBy(t => t.End))
            {
                if (tensor.Begin < expected)
                {
                    throw Error(tensor.HeaderOffset, Invariant($"tensor '{Quote(tensor.Name)}' (data_offsets [{tensor.Begin}, {tensor.End}]) overlaps tensor '{Quote(previous!.Name)}' (data_offsets [{previous.Begin}, {previous.End}])."));
                }

                if (tensor.Begin > expected)
                {
                    throw Error(tensor.HeaderOffset, Invariant($"a gap of {tensor.Begin - expected} bytes in the data section before tensor '{Quote(tensor.Name)}' (data_offsets [{tensor.Begin}, {tensor.End}]): the tensors must lie contiguously from offset 0."));
                }

                expected = tensor.End;
                previous = tensor;
            }

            DataOrder = [.. _order.OrderBy(t => t.Begin).ThenBy(t => t.End)];

            if (expected > int.MaxValue)
            {
                throw Error(DataStart, Invariant($"the tensors take {expected} bytes, more than this library reads into memory at once ({int.MaxValue})."));
            }

            if (_dataLength is long length && (ulong)length > expected)
            {
                throw Error(DataStart + (long)expected, Invariant($"{(ulong)length - expected} trailing bytes after the last tensor: the tensors cover {expected} bytes of the {length}-byte data section."));
            }

            DataLength = (long)expected;
        }
    }

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

                if (key.StartsWith(ModelFile.ReservedPrefix, StringComparison.Ordinal))
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
            JsonTokenType.Number => "'" + Quote(System.Text.Encoding.UTF8.GetString(_json.ValueSpan)) + "'",
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

    /// <summary>
    /// Reads up to <paramref name="length"/> bytes. When <paramref name="known"/> (the length was checked against the
    /// bytes the stream holds), into one buffer of that length; otherwise into a buffer grown by doubling from
    /// <see cref="InitialBufferLength"/> only as bytes arrive: a short stream costs what it holds, not what it claims.
    /// </summary>
    private static byte[] ReadUpTo(Stream stream, int length, bool known, out int filled)
    {
        byte[] buffer = GC.AllocateUninitializedArray<byte>(known ? length : Math.Min(length, InitialBufferLength));
        filled = 0;
        while (true)
        {
            filled += stream.ReadAtLeast(buffer.AsSpan(filled), buffer.Length - filled, throwOnEndOfStream: false);
            if (filled < buffer.Length || filled == length)
            {
                return buffer;
            }

            Array.Resize(ref buffer, (int)Math.Min(2L * buffer.Length, length));
        }
    }

    /// <summary>A piece of a file for a message: at most <see cref="QuoteLimit"/> characters, control characters escaped.</summary>
    internal static string Quote(string text)
    {
        var quoted = new System.Text.StringBuilder();
        foreach (char c in text.Length > QuoteLimit ? text[..QuoteLimit] : text)
        {
            if (char.IsControl(c) || char.IsSurrogate(c))
            {
                quoted.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:X4}");
            }
            else
            {
                quoted.Append(c);
            }
        }

        return text.Length > QuoteLimit ? quoted.Append('…').ToString() : quoted.ToString();
    }

    private static string DescribeByte(byte value) =>
        value is >= 0x20 and < 0x7F ? Invariant($"'{(char)value}' (0x{value:X2})") : Invariant($"0x{value:X2}");

    internal static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
