using System;
using System.Buffers;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
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
/// This layer knows the container, not models: <c>Write</c> (Safetensors.cs, the library only) lays out float32 tensors, and
/// <see cref="ReadHeader"/> and <see cref="Contents.ReadData(Stream, Span{byte}, Func{TensorEntry, int})"/> check every rule of the format (the same rules as the reference Rust
/// implementation, plus a few it leaves to callers) before trusting a byte of it. <c>ModelFile</c>
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
internal static partial class Safetensors
{
    /// <summary>The largest header read: 100 MB, the reference implementation's limit.</summary>
    public const long MaxHeaderLength = 100_000_000;

    /// <summary>The name of the header entry holding the string-to-string metadata.</summary>
    public const string MetadataKey = "__metadata__";

    /// <summary>The element type of float tensors: 32-bit IEEE floats.</summary>
    public const string Float32 = "F32";

    /// <summary>The element type of a quantized model's weights: signed bytes.</summary>
    public const string Int8 = "I8";

    /// <summary>The length field before the header.</summary>
    public const int LengthFieldSize = 8;

    /// <summary>
    /// The most tensors a header may list: four per dense layer (a quantized file's) of the deepest model (<see cref="ModelFileKeys.MaxLayerCount"/>).
    /// A header of the 100 MB limit could otherwise list over a million, each costing more to hold than its text.
    /// </summary>
    public const int MaxTensors = ModelFileKeys.MaxTensorsPerLayer * ModelFileKeys.MaxLayerCount;

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
            throw FileFormatException.AtOffset(name, 0, Invariant($"the header length field says {declared} bytes, beyond the end of the file: only {length - LengthFieldSize} bytes follow it.{TextHint(lengthField)}"));
        }

        if (declared > MaxHeaderLength)
        {
            throw FileFormatException.AtOffset(name, 0, Invariant($"the header length field says {declared} bytes, above the limit of {MaxHeaderLength} bytes (100 MB); this is not a safetensors file, or not one this library reads.{TextHint(lengthField)}"));
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

    /// <summary>
    /// When the eight bytes where the header length belongs are text (a CSV or JSON file named as the model), what they
    /// say, so the error tells a wrong file from a damaged one; empty otherwise. Eight bytes of text read as a length are
    /// above 6 × 10¹⁷, past every limit, so no readable file is described as text.
    /// </summary>
    private static string TextHint(ReadOnlySpan<byte> lengthField)
    {
        string text = "";
        foreach (byte b in lengthField)
        {
            string? piece = b switch
            {
                >= 0x20 and < 0x7F => ((char)b).ToString(),
                (byte)'\t' => "\\t",
                (byte)'\r' => "\\r",
                (byte)'\n' => "\\n",
                _ => null,
            };
            if (piece is null)
            {
                return "";
            }

            text += piece;
        }

        return $" The file starts with text ('{text}…'), not a model: is it a data file named in place of the model file?";
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

        /// <summary>The file offset of each metadata key the format reserves (<see cref="ModelFileKeys.ReservedPrefix"/>), for error messages.</summary>
        public Dictionary<string, long> MetadataKeyOffsets { get; } = new(StringComparer.Ordinal);

        /// <summary>The tensors in the order of their data (by offset), once <see cref="CheckLayout"/> has run.</summary>
        public IReadOnlyList<TensorEntry> DataOrder { get; private set; } = [];

        /// <summary>The tensor named <paramref name="tensorName"/>, or null.</summary>
        public TensorEntry? Find(string tensorName) => _tensors.GetValueOrDefault(tensorName);

        internal bool Add(TensorEntry tensor)
        {
            if (_order.Count == MaxTensors)
            {
                throw Error(tensor.HeaderOffset, Invariant($"more than {MaxTensors} tensors, the most a model file holds (at most {ModelFileKeys.MaxTensorsPerLayer} per dense layer, at most {ModelFileKeys.MaxLayerCount} layers)."));
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
                if (tensor.Type != Float32 && tensor.Type != Int8)
                {
                    throw Error(tensor.HeaderOffset, Array.IndexOf(KnownTypes, tensor.Type) >= 0
                        ? $"tensor '{Quote(tensor.Name)}' has dtype {tensor.Type}, which is not supported: only {Float32} (32-bit float) and {Int8} (a quantized model's weights) are read."
                        : $"tensor '{Quote(tensor.Name)}' has dtype '{Quote(tensor.Type)}', which is not a safetensors dtype; only {Float32} (32-bit float) and {Int8} (a quantized model's weights) are read.");
                }

                uint elementSize = ElementSize(tensor.Type);

                ulong elements = 1;
                foreach (ulong size in tensor.Shape)
                {
                    if (size != 0 && elements > ulong.MaxValue / size)
                    {
                        throw Error(tensor.HeaderOffset, $"tensor '{Quote(tensor.Name)}' has shape {tensor.ShapeText}, whose product overflows 64 bits.");
                    }

                    elements *= size;
                }

                if (elements > ulong.MaxValue / elementSize)
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

                ulong bytes = elements * elementSize;
                if (tensor.End - tensor.Begin != bytes)
                {
                    throw Error(tensor.HeaderOffset, Invariant($"tensor '{Quote(tensor.Name)}' has shape {tensor.ShapeText} of {tensor.Type}, {bytes} bytes, but its data_offsets [{tensor.Begin}, {tensor.End}] span {tensor.End - tensor.Begin} bytes."));
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

    /// <summary>The bytes of one element of a dtype read: 4 for <see cref="Float32"/>, 1 for <see cref="Int8"/>.</summary>
    public static uint ElementSize(string type) => type == Int8 ? 1u : sizeof(float);

    /// <summary>
    /// Reads up to <paramref name="length"/> bytes. When <paramref name="known"/> (the length was checked against the
    /// bytes the stream holds), into one buffer of that length; otherwise into a buffer grown by doubling from
    /// <see cref="InitialBufferLength"/> only as bytes arrive: a short stream costs what it holds, not what it claims.
    /// </summary>
    private static byte[] ReadUpTo(Stream stream, int length, bool known, out int filled)
    {
        #if NETSTANDARD2_0
        byte[] buffer = new byte[known ? length : Math.Min(length, InitialBufferLength)];
#else
        byte[] buffer = GC.AllocateUninitializedArray<byte>(known ? length : Math.Min(length, InitialBufferLength));
#endif
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
        foreach (char c in text.Length > QuoteLimit ? text.Substring(0, QuoteLimit) : text)
        {
            if (char.IsControl(c) || char.IsSurrogate(c))
            {
                quoted.Append("\\u").Append(((int)c).ToString("X4", CultureInfo.InvariantCulture));
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
