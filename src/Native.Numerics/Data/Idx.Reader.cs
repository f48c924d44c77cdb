using System.Buffers.Binary;
using System.IO.Compression;

namespace Native.Numerics;

public static partial class Idx
{
    /// <summary>
    /// Reads and checks an IDX file of unsigned bytes: its dimension sizes and, unless <paramref name="headerOnly"/>,
    /// its data, exactly as long as they declare. One pass over the content, one decompression.
    /// </summary>
    private static (uint[] Sizes, byte[] Data) Read(Stream stream, string? name, Kind kind, IdxOptions? options, bool headerOnly = false)
    {
        ArgumentNullException.ThrowIfNull(stream);
        if (!stream.CanRead)
        {
            throw new ArgumentException("The stream cannot be read.", nameof(stream));
        }

        options ??= IdxOptions.Default;
        options.Validate();

        // Peek at two bytes for the gzip magic number, then put them back: by seeking, or, when the
        // stream cannot seek, by reading them again ahead of it.
        byte[] start = new byte[2];
        int peeked = stream.ReadAtLeast(start, start.Length, throwOnEndOfStream: false);
        bool gzip = peeked == 2 && start[0] == GzipMagic0 && start[1] == GzipMagic1;
        Stream input = stream;
        long? length = null;
        if (stream.CanSeek)
        {
            stream.Seek(-peeked, SeekOrigin.Current);
            length = stream.Length - stream.Position;
        }
        else
        {
            input = new PrefixedStream(start.AsSpan(0, peeked).ToArray(), stream);
        }

        if (!gzip)
        {
            return new Reader(input, name, kind, null, length, options).Read(headerOnly);
        }

        using var compressed = new CompressedInput(input);
        using var decompressed = new GZipStream(compressed, CompressionMode.Decompress, leaveOpen: true);
        return new Reader(decompressed, name, kind, compressed, length, options).Read(headerOnly);
    }

    /// <summary>
    /// Reads one IDX file, counting bytes so every error can say where it is. For a gzip file it reads the
    /// decompressed content and watches the compressed bytes behind it: the content may not grow past
    /// <see cref="IdxOptions.MaxCompressionRatio"/> times them, and must end exactly where the gzip stream does.
    /// </summary>
    private sealed class Reader(Stream input, string? name, Kind kind, CompressedInput? compressed, long? length, IdxOptions options)
    {
        /// <summary>The offset of the next byte in the (decompressed) content.</summary>
        private long _position;

        private bool Gzip => compressed is not null;

        public (uint[] Sizes, byte[] Data) Read(bool headerOnly)
        {
            // The magic number: 0, 0, element type, dimension count.
            Span<byte> header = stackalloc byte[Kind.Images.HeaderLength];
            int got = Fill(header[..4]);
            if (got < 4)
            {
                throw Error(got, Invariant($"the content ends after {got} bytes; expected at least the {kind.HeaderLength}-byte header of an IDX {kind.Name} file."));
            }

            if (header[0] != 0 || header[1] != 0)
            {
                throw Error(header[0] != 0 ? 0 : 1, Invariant($"expected an IDX magic number, which starts with two zero bytes; found 0x{header[0]:X2} 0x{header[1]:X2}. This is not an IDX file."));
            }

            if (header[2] != UnsignedByte)
            {
                throw Error(2, Invariant($"expected element type 0x08 (unsigned byte); found 0x{header[2]:X2} ({ElementTypeName(header[2])}), which is not supported."));
            }

            if (header[3] != kind.Dimensions)
            {
                throw Error(3, Invariant($"expected {kind.Dimensions} {(kind.Dimensions == 1 ? "dimension" : "dimensions")} ({kind.Shape}) for an IDX {kind.Name} file; found {header[3]}."));
            }

            // One big-endian size per dimension, each at least 1, with a product that fits.
            got = Fill(header[4..kind.HeaderLength]);
            if (got < kind.HeaderLength - 4)
            {
                throw Error(4 + got, Invariant($"the content ends after {4 + got} bytes, inside the {kind.HeaderLength}-byte header; expected {kind.Dimensions} dimension sizes."));
            }

            uint[] sizes = new uint[kind.Dimensions];
            ulong declared = 1;
            for (int d = 0; d < sizes.Length; d++)
            {
                sizes[d] = BinaryPrimitives.ReadUInt32BigEndian(header.Slice(4 + (4 * d)));
                if (sizes[d] == 0)
                {
                    throw Error(4 + (4 * d), d == 0
                        ? $"declares 0 {kind.Name}; expected at least one (an empty file is an error, not an empty dataset)."
                        : $"declares 0 {kind.SizeNames[d]}; expected every dimension to be at least 1.");
                }

                if (declared > ulong.MaxValue / sizes[d])
                {
                    throw Error(4 + (4 * d), Invariant($"declares {Describe(sizes)}, a product that overflows 64 bits."));
                }

                declared *= sizes[d];
            }

            if (headerOnly)
            {
                return (sizes, []);
            }

            // A file's length is known when it can seek: compare before allocating anything. A raw file holds its
            // data; a gzip file may expand only so far.
            if (length is long known)
            {
                if (!Gzip)
                {
                    long remaining = known - kind.HeaderLength;
                    if ((ulong)remaining < declared)
                    {
                        throw Error(kind.HeaderLength + remaining, Invariant($"the file is truncated: the header declares {Describe(sizes)} = {declared} bytes of data; found {remaining}."));
                    }

                    if ((ulong)remaining > declared)
                    {
                        throw Error(kind.HeaderLength + (long)declared, Invariant($"{(ulong)remaining - declared} trailing bytes: the header declares {Describe(sizes)} = {declared} bytes of data; found {remaining}."));
                    }
                }
                else if ((ulong)kind.HeaderLength + declared > (ulong)options.Allowance(known))
                {
                    throw Error(4, Invariant($"declares {Describe(sizes)} = {declared} bytes of data, but the gzip file is {known} bytes: more than {options.MaxCompressionRatio} times its size, which no image data compresses to (a gzip bomb?). {RaiseTheLimit}"));
                }
            }

            if (declared > (ulong)Array.MaxLength)
            {
                throw Error(4, Invariant($"declares {Describe(sizes)} = {declared} bytes of data, more than one array can hold ({Array.MaxLength})."));
            }

            // A raw file's length proved the data are there, so they are read into one buffer of their size; a gzip
            // file's buffer grows as data arrive (the ratio limit bounds it, but a small file may still claim 64 MiB).
            byte[] data = ReadData((int)declared, sizes, exact: length is not null && !Gzip);
            if (compressed is not null)
            {
                CheckGzipEnd(compressed, declared);
            }

            return (sizes, data);
        }

        /// <summary>
        /// Reads exactly <paramref name="declared"/> bytes of data, then checks that nothing follows. When the file's
        /// length proved the data are there (<paramref name="exact"/>), the buffer is allocated once at that size;
        /// otherwise it grows (doubling, capped at <paramref name="declared"/>) only as data arrive.
        /// </summary>
        private byte[] ReadData(int declared, uint[] sizes, bool exact)
        {
            byte[] data = GC.AllocateUninitializedArray<byte>(exact ? declared : Math.Min(declared, InitialBufferLength));
            int filled = 0;
            while (true)
            {
                filled += Fill(data.AsSpan(filled));
                if (filled < data.Length || filled == declared)
                {
                    break;
                }

                Array.Resize(ref data, (int)Math.Min(2L * data.Length, declared));
            }

            if (filled < declared)
            {
                throw Error(_position, Invariant($"the {(Gzip ? "data" : "file")} is truncated: the header declares {Describe(sizes)} = {declared} bytes of data; found {filled}."));
            }

            Span<byte> probe = stackalloc byte[1];
            if (Fill(probe) > 0)
            {
                throw Error(kind.HeaderLength + (long)declared, Invariant($"trailing bytes: the header declares {Describe(sizes)} = {declared} bytes of data; found more."));
            }

            return data;
        }

        /// <summary>
        /// After the content: the gzip stream must end the file, with a trailer whose length field (ISIZE, the
        /// content's length modulo 2³²) matches. The runtime's decompressor ignores bytes after a gzip stream and
        /// does not notice a missing trailer; this does. (Several gzip streams one after another are refused too:
        /// write the file as one.)
        /// </summary>
        private void CheckGzipEnd(CompressedInput gzip, ulong declared)
        {
            long content = kind.HeaderLength + (long)declared;
            if (!gzip.Drain(TrailingLimit))
            {
                throw FileFormatException.AtOffset(name, gzip.Consumed, Invariant($"more than {TrailingLimit} bytes follow the gzip stream, which ends after {content} decompressed bytes; expected the file to end with it."));
            }

            if (gzip.Consumed < 18 || gzip.LastLength != (uint)content)
            {
                throw FileFormatException.AtOffset(name, gzip.Consumed, Invariant($"the file does not end with the trailer of a gzip stream of {content} bytes (its last 4 bytes read {gzip.LastLength}): bytes follow the gzip stream, the trailer is cut off, or the file is several gzip streams; expected one gzip stream and nothing after it."));
            }
        }

        /// <summary>Reads until <paramref name="destination"/> is full or the content ends; returns the bytes read.</summary>
        private int Fill(Span<byte> destination)
        {
            int total = 0;
            while (total < destination.Length)
            {
                int read;
                try
                {
                    read = input.Read(destination[total..]);
                }
                catch (InvalidDataException e) when (Gzip)
                {
                    // The runtime calls every such failure "an unsupported compression method"; it is corrupt data.
                    throw Error(_position, $"the gzip stream is corrupt after about {_position} decompressed bytes: a bad deflate block, or a CRC-32 that does not match the data.", e);
                }

                if (read == 0)
                {
                    break;
                }

                total += read;
                _position += read;
                if (compressed is not null && _position > options.Allowance(compressed.Consumed))
                {
                    throw Error(_position, Invariant($"{compressed.Consumed} compressed bytes expand to {_position} and more: beyond {options.MaxCompressionRatio} times, which no image data compresses to (a gzip bomb?). {RaiseTheLimit}"));
                }
            }

            return total;
        }

        private FileFormatException Error(long offset, string message, Exception? inner = null) =>
            FileFormatException.AtOffset(name, offset, Gzip ? $"{message} (gzip-compressed: the offset counts decompressed bytes.)" : message, inner);

        private string Describe(uint[] sizes) =>
            string.Join(" × ", sizes.Select((size, d) => Invariant($"{size} {kind.SizeNames[d]}")));

        private static string ElementTypeName(byte type) => type switch
        {
            0x09 => "signed byte",
            0x0B => "16-bit integer",
            0x0C => "32-bit integer",
            0x0D => "32-bit float",
            0x0E => "64-bit float",
            _ => "not an IDX element type",
        };
    }

    /// <summary>How to raise the compression limit, for the messages that enforce it.</summary>
    private const string RaiseTheLimit = "If the file is genuine, raise IdxOptions.MaxCompressionRatio (native: --max-compression-ratio).";

    /// <summary>The most bytes read after a gzip stream's end looking for the end of the file.</summary>
    private const int TrailingLimit = 64 * 1024;

    /// <summary>What an IDX file holds: the dimension count and names.</summary>
    private sealed class Kind
    {
        public static readonly Kind Images = new("images", ["images", "rows", "columns"], "count, rows, columns");
        public static readonly Kind Labels = new("labels", ["labels"], "count");

        private Kind(string name, string[] sizeNames, string shape)
        {
            Name = name;
            SizeNames = sizeNames;
            Shape = shape;
        }

        public string Name { get; }

        public string[] SizeNames { get; }

        public string Shape { get; }

        public int Dimensions => SizeNames.Length;

        /// <summary>The magic number and one 4-byte size per dimension.</summary>
        public int HeaderLength => 4 + (4 * Dimensions);
    }

    /// <summary>A read-only stream over another that cannot seek or write; only reading is supported.</summary>
    private abstract class ReadOnlyStream : Stream
    {
        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count)
        {
            ValidateBufferArguments(buffer, offset, count);
            return Read(buffer.AsSpan(offset, count));
        }

        public abstract override int Read(Span<byte> buffer);

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    /// <summary>A read-only stream that gives back bytes already read from a stream that cannot seek, then the rest of that stream.</summary>
    private sealed class PrefixedStream(byte[] prefix, Stream inner) : ReadOnlyStream
    {
        private int _used;

        public override int Read(Span<byte> buffer)
        {
            if (_used < prefix.Length)
            {
                int count = Math.Min(buffer.Length, prefix.Length - _used);
                prefix.AsSpan(_used, count).CopyTo(buffer);
                _used += count;
                return count;
            }

            return inner.Read(buffer);
        }
    }

    /// <summary>
    /// The compressed bytes under a gzip stream: counts them (the ratio limit), and keeps the last four (a gzip
    /// stream ends with the content's length modulo 2³²).
    /// </summary>
    private sealed class CompressedInput(Stream inner) : ReadOnlyStream
    {
        private uint _last;

        /// <summary>The compressed bytes read so far.</summary>
        public long Consumed { get; private set; }

        /// <summary>The last four bytes read, as a little-endian number: a gzip stream's ISIZE, when it ends the input.</summary>
        public uint LastLength => _last;

        public override int Read(Span<byte> buffer)
        {
            int read = inner.Read(buffer);
            for (int i = Math.Max(0, read - 4); i < read; i++)
            {
                _last = (_last >> 8) | ((uint)buffer[i] << 24);
            }

            Consumed += read;
            return read;
        }

        /// <summary>Reads to the end of the input, up to <paramref name="limit"/> bytes more; false if it goes on past them.</summary>
        public bool Drain(int limit)
        {
            Span<byte> scratch = stackalloc byte[4096];
            long end = Consumed + limit;
            while (Consumed <= end)
            {
                if (Read(scratch) == 0)
                {
                    return true;
                }
            }

            return false;
        }
    }
}
