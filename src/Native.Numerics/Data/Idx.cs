using System.Buffers.Binary;
using System.Globalization;
using System.IO.Compression;

namespace Native.Numerics;

/// <summary>
/// Reads the IDX files MNIST is distributed in — <c>*-images-idx3-ubyte</c> and <c>*-labels-idx1-ubyte</c>,
/// raw or gzip-compressed — and checks every field before trusting it.
/// </summary>
/// <remarks>
/// <para>
/// An IDX file is a 4-byte magic number (two zero bytes, an element type, a dimension count), one
/// big-endian 32-bit size per dimension, then the elements, row-major. Only element type 0x08 (unsigned
/// byte) is read; images have 3 dimensions (count, rows, columns) and labels 1 (count).
/// </para>
/// <para>
/// Compression is detected from the content — a gzip stream starts with 0x1F 0x8B, which no IDX file can,
/// since its first byte is 0 — never from the file name.
/// </para>
/// <para>
/// Every problem is a <see cref="FileFormatException"/> that names the file and the byte offset (for a
/// gzip file, the offset in the decompressed content) and says what was expected and what was found:
/// a wrong magic number, an unsupported element type, a wrong dimension count, a dimension of 0, sizes
/// whose product overflows or exceeds what an array can hold, data shorter (truncated) or longer
/// (trailing bytes) than declared, a corrupt gzip stream, image and label counts that disagree, a label
/// outside the classes. A file that does not exist is a <see cref="FileNotFoundException"/>.
/// </para>
/// <para>
/// A header is never trusted with memory: for a raw file, the declared size is compared with the file's
/// length before anything is allocated; for a gzip stream, whose decompressed length is unknown until it
/// ends, the buffer starts small and doubles only as data actually arrives, up to the declared size, and
/// one more byte is then read to detect trailing data. A tiny file that declares gigabytes costs nothing.
/// </para>
/// </remarks>
public static class Idx
{
    /// <summary>The number of MNIST classes, the digits 0 to 9: the default for <c>classes</c>.</summary>
    public const int MnistClasses = 10;

    /// <summary>The IDX element type of unsigned bytes, the only one read.</summary>
    private const byte UnsignedByte = 0x08;

    /// <summary>A gzip stream's first two bytes (RFC 1952).</summary>
    private const byte GzipMagic0 = 0x1F, GzipMagic1 = 0x8B;

    /// <summary>The first buffer for data of unknown length; it doubles from here as data arrives.</summary>
    private const int InitialBufferLength = 64 * 1024;

    private const string ImagesSuffix = "-images-idx3-ubyte";
    private const string LabelsSuffix = "-labels-idx1-ubyte";
    private const string GzipExtension = ".gz";

    /// <summary>Reads the images of an IDX3 file of unsigned bytes, raw or gzip-compressed.</summary>
    /// <param name="path">The file.</param>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="FileFormatException">The file is not a valid IDX3 file of unsigned bytes.</exception>
    public static IdxImages ReadImages(string path)
    {
        using FileStream file = File.OpenRead(path);
        return ReadImages(file, path);
    }

    /// <summary>
    /// Reads the images of an IDX3 stream of unsigned bytes, raw or gzip-compressed, from its current
    /// position to its end. The stream is left open.
    /// </summary>
    /// <param name="stream">The stream; it need not be seekable.</param>
    /// <param name="name">What to call the stream in error messages (its file name, say), or null.</param>
    /// <exception cref="FileFormatException">The content is not a valid IDX3 file of unsigned bytes.</exception>
    public static IdxImages ReadImages(Stream stream, string? name = null)
    {
        (uint[] sizes, byte[] pixels) = Read(stream, name, Kind.Images);
        return new IdxImages(pixels, (int)sizes[0], (int)sizes[1], (int)sizes[2]);
    }

    /// <summary>Reads the labels of an IDX1 file of unsigned bytes, raw or gzip-compressed: one byte per label.</summary>
    /// <param name="path">The file.</param>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="FileFormatException">The file is not a valid IDX1 file of unsigned bytes.</exception>
    public static byte[] ReadLabels(string path)
    {
        using FileStream file = File.OpenRead(path);
        return ReadLabels(file, path);
    }

    /// <summary>
    /// Reads the labels of an IDX1 stream of unsigned bytes, raw or gzip-compressed, from its current
    /// position to its end: one byte per label. The stream is left open.
    /// </summary>
    /// <param name="stream">The stream; it need not be seekable.</param>
    /// <param name="name">What to call the stream in error messages (its file name, say), or null.</param>
    /// <exception cref="FileFormatException">The content is not a valid IDX1 file of unsigned bytes.</exception>
    public static byte[] ReadLabels(Stream stream, string? name = null) => Read(stream, name, Kind.Labels).Data;

    /// <summary>
    /// A classification dataset from an images file and a labels file: one row per image, its pixels
    /// row-major divided by 255 (so in [0, 1]); its label from the labels file.
    /// </summary>
    /// <param name="imagesPath">The IDX3 images file, raw or gzip-compressed.</param>
    /// <param name="labelsPath">The IDX1 labels file, raw or gzip-compressed.</param>
    /// <param name="classes">
    /// The number of classes; every label must be below it. MNIST's digits are <see cref="MnistClasses"/>;
    /// other IDX datasets (EMNIST, say) have more. The class count is fixed, not inferred from the largest
    /// label, so a subset that happens to lack the 9s still has 10 classes.
    /// </param>
    /// <exception cref="FileNotFoundException">A file does not exist.</exception>
    /// <exception cref="FileFormatException">A file is not valid, the counts of images and labels differ, or a label is not below <paramref name="classes"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="classes"/> is below 2.</exception>
    public static Dataset LoadDataset(string imagesPath, string labelsPath, int classes = MnistClasses)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(classes, 2);
        IdxImages images = ReadImages(imagesPath);
        byte[] labels = ReadLabels(labelsPath);
        return ToDataset(images, labels, classes, imagesPath, labelsPath);
    }

    /// <summary>
    /// A classification dataset from an images stream and a labels stream, as
    /// <see cref="LoadDataset(string, string, int)"/> reads from files. The streams are left open.
    /// </summary>
    /// <param name="images">The IDX3 images, raw or gzip-compressed.</param>
    /// <param name="labels">The IDX1 labels, raw or gzip-compressed.</param>
    /// <param name="classes">The number of classes; every label must be below it.</param>
    /// <param name="imagesName">What to call the images stream in error messages, or null.</param>
    /// <param name="labelsName">What to call the labels stream in error messages, or null.</param>
    /// <exception cref="FileFormatException">A stream is not valid, the counts of images and labels differ, or a label is not below <paramref name="classes"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="classes"/> is below 2.</exception>
    public static Dataset LoadDataset(Stream images, Stream labels, int classes = MnistClasses, string? imagesName = null, string? labelsName = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(classes, 2);
        IdxImages imageData = ReadImages(images, imagesName);
        byte[] labelData = ReadLabels(labels, labelsName);
        return ToDataset(imageData, labelData, classes, imagesName, labelsName);
    }

    /// <summary>
    /// The dataset of the images and labels files in <paramref name="directory"/>: see
    /// <see cref="FindFiles"/> for how they are found, and <see cref="LoadDataset(string, string, int)"/>
    /// for how they are read.
    /// </summary>
    /// <param name="directory">The directory holding the files.</param>
    /// <param name="prefix">The part of the file names before <c>-images</c> and <c>-labels</c> (<c>"train"</c> or <c>"t10k"</c> for MNIST), or null for whichever is there.</param>
    /// <param name="classes">The number of classes; every label must be below it.</param>
    /// <exception cref="DirectoryNotFoundException">The directory does not exist.</exception>
    /// <exception cref="FileNotFoundException">There is no images file, or no labels file to go with it.</exception>
    /// <exception cref="ArgumentException">Several files match (two prefixes, or a raw file beside its .gz), so the choice would be a guess.</exception>
    /// <exception cref="FileFormatException">A file is not valid, or the files disagree.</exception>
    public static Dataset LoadDirectory(string directory, string? prefix = null, int classes = MnistClasses)
    {
        (string images, string labels) = FindFiles(directory, prefix);
        return LoadDataset(images, labels, classes);
    }

    /// <summary>
    /// Finds the images file <c>{prefix}-images-idx3-ubyte</c> in <paramref name="directory"/> (with or
    /// without <c>.gz</c>; any prefix when <paramref name="prefix"/> is null), then the labels file with the
    /// same prefix, <c>{prefix}-labels-idx1-ubyte</c> (with or without <c>.gz</c>). Exactly one of each must exist.
    /// </summary>
    /// <param name="directory">The directory holding the files.</param>
    /// <param name="prefix">The part of the file names before <c>-images</c> and <c>-labels</c>, or null for whichever is there.</param>
    /// <returns>The full paths of the images file and the labels file.</returns>
    /// <exception cref="DirectoryNotFoundException">The directory does not exist.</exception>
    /// <exception cref="FileNotFoundException">There is no images file, or no labels file to go with it.</exception>
    /// <exception cref="ArgumentException">Several files match, so the choice would be a guess.</exception>
    public static (string Images, string Labels) FindFiles(string directory, string? prefix = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        string[] names = Directory.EnumerateFiles(directory).Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal).ToArray();

        string images = FindOne(names, directory, prefix, ImagesSuffix, "images", nameof(prefix));
        string stem = images.EndsWith(GzipExtension, StringComparison.Ordinal) ? images[..^GzipExtension.Length] : images;
        string labels = FindOne(names, directory, stem[..^ImagesSuffix.Length], LabelsSuffix, "labels", nameof(prefix));
        return (Path.Combine(directory, images), Path.Combine(directory, labels));
    }

    private static string FindOne(string[] names, string directory, string? prefix, string suffix, string what, string parameter)
    {
        string[] found = names.Where(name => Matches(name, prefix, suffix)).ToArray();
        string pattern = $"'{prefix ?? "*"}{suffix}' or '{prefix ?? "*"}{suffix}{GzipExtension}'";
        if (found.Length == 0)
        {
            throw new FileNotFoundException($"No IDX {what} file ({pattern}) in '{directory}'.", Path.Combine(directory, $"{prefix ?? "*"}{suffix}"));
        }

        if (found.Length > 1)
        {
            throw new ArgumentException($"Several IDX {what} files match {pattern} in '{directory}': {string.Join(", ", found)}. Name the one to read (a prefix such as 'train' or 't10k', or the file paths), or remove the duplicates.", parameter);
        }

        return found[0];
    }

    private static bool Matches(string name, string? prefix, string suffix)
    {
        string stem = name.EndsWith(GzipExtension, StringComparison.Ordinal) ? name[..^GzipExtension.Length] : name;
        return prefix is null
            ? stem.Length > suffix.Length && stem.EndsWith(suffix, StringComparison.Ordinal)
            : stem.Length == prefix.Length + suffix.Length && stem.StartsWith(prefix, StringComparison.Ordinal) && stem.EndsWith(suffix, StringComparison.Ordinal);
    }

    private static Dataset ToDataset(IdxImages images, byte[] labels, int classes, string? imagesName, string? labelsName)
    {
        if (labels.Length != images.Count)
        {
            throw FileFormatException.AtOffset(labelsName, 4, Invariant($"declares {labels.Length} labels, but the images file {Quote(imagesName)} declares {images.Count} images; expected one label per image."));
        }

        if (classes <= byte.MaxValue)
        {
            int bad = labels.AsSpan().IndexOfAnyInRange((byte)classes, byte.MaxValue);
            if (bad >= 0)
            {
                throw FileFormatException.AtOffset(labelsName, Kind.Labels.HeaderLength + bad, Invariant($"label {bad} is {labels[bad]}; expected a class from 0 to {classes - 1}."));
            }
        }

        if (!Dataset.Fits(images.Count, images.PixelsPerImage))
        {
            throw FileFormatException.AtOffset(imagesName, 4, Invariant($"declares {images.Count} images of {images.PixelsPerImage} pixels; as floats they are more than one dataset can hold."));
        }

        int[] classOfRow = new int[labels.Length];
        for (int i = 0; i < labels.Length; i++)
        {
            classOfRow[i] = labels[i];
        }

        return Dataset.FromBytes(images.Pixels, images.PixelsPerImage, classOfRow, classes, 255f);
    }

    /// <summary>Reads and checks a whole IDX file of unsigned bytes: its dimension sizes and its data, exactly as long as they declare.</summary>
    private static (uint[] Sizes, byte[] Data) Read(Stream stream, string? name, Kind kind)
    {
        ArgumentNullException.ThrowIfNull(stream);
        if (!stream.CanRead)
        {
            throw new ArgumentException("The stream cannot be read.", nameof(stream));
        }

        // Peek at two bytes for the gzip magic number, then put them back: by seeking, or, when the
        // stream cannot seek, by reading them again ahead of it.
        byte[] start = new byte[2];
        int peeked = stream.ReadAtLeast(start, start.Length, throwOnEndOfStream: false);
        bool gzip = peeked == 2 && start[0] == GzipMagic0 && start[1] == GzipMagic1;
        PrefixedStream? prefixed = null;
        Stream input = stream;
        if (stream.CanSeek)
        {
            stream.Seek(-peeked, SeekOrigin.Current);
        }
        else
        {
            input = prefixed = new PrefixedStream(start.AsSpan(0, peeked).ToArray(), stream);
        }

        try
        {
            if (gzip)
            {
                using var decompressed = new GZipStream(input, CompressionMode.Decompress, leaveOpen: true);
                return new Reader(decompressed, name, gzip: true).Read(kind);
            }

            return new Reader(input, name, gzip: false).Read(kind);
        }
        finally
        {
            prefixed?.Dispose();
        }
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    private static string Quote(string? name) => name is null ? "(unnamed stream)" : $"'{name}'";

    /// <summary>Reads one IDX file, counting bytes so every error can say where it is.</summary>
    private sealed class Reader(Stream input, string? name, bool gzip)
    {
        /// <summary>The offset of the next byte in the (decompressed) content.</summary>
        private long _position;

        public (uint[] Sizes, byte[] Data) Read(Kind kind)
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
                    throw Error(4 + (4 * d), Invariant($"declares {Describe(sizes, kind)}, a product that overflows 64 bits."));
                }

                declared *= sizes[d];
            }

            // A raw seekable file's length is known: compare before allocating anything.
            if (!gzip && input.CanSeek)
            {
                long remaining = input.Length - input.Position;
                if ((ulong)remaining < declared)
                {
                    throw Error(kind.HeaderLength + remaining, Invariant($"the file is truncated: the header declares {Describe(sizes, kind)} = {declared} bytes of data; found {remaining}."));
                }

                if ((ulong)remaining > declared)
                {
                    throw Error(kind.HeaderLength + (long)declared, Invariant($"{(ulong)remaining - declared} trailing bytes: the header declares {Describe(sizes, kind)} = {declared} bytes of data; found {remaining}."));
                }
            }

            if (declared > (ulong)Array.MaxLength)
            {
                throw Error(4, Invariant($"declares {Describe(sizes, kind)} = {declared} bytes of data, more than one array can hold ({Array.MaxLength})."));
            }

            return (sizes, ReadData((int)declared, sizes, kind));
        }

        /// <summary>
        /// Reads exactly <paramref name="declared"/> bytes of data, then checks that nothing follows. The buffer
        /// grows (doubling, capped at <paramref name="declared"/>) only as data arrives.
        /// </summary>
        private byte[] ReadData(int declared, uint[] sizes, Kind kind)
        {
            byte[] data = GC.AllocateUninitializedArray<byte>(Math.Min(declared, InitialBufferLength));
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
                throw Error(_position, Invariant($"the {(gzip ? "data" : "file")} is truncated: the header declares {Describe(sizes, kind)} = {declared} bytes of data; found {filled}."));
            }

            Span<byte> probe = stackalloc byte[1];
            if (Fill(probe) > 0)
            {
                throw Error(kind.HeaderLength + (long)declared, Invariant($"trailing bytes: the header declares {Describe(sizes, kind)} = {declared} bytes of data; found more."));
            }

            return data;
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
                catch (InvalidDataException e) when (gzip)
                {
                    throw Error(_position, $"the gzip stream is corrupt after {_position} decompressed bytes: {e.Message}", e);
                }

                if (read == 0)
                {
                    break;
                }

                total += read;
                _position += read;
            }

            return total;
        }

        private FileFormatException Error(long offset, string message, Exception? inner = null) =>
            FileFormatException.AtOffset(name, offset, gzip ? $"{message} (gzip-compressed: the offset counts decompressed bytes.)" : message, inner);

        private static string Describe(uint[] sizes, Kind kind) =>
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

    /// <summary>A read-only stream that gives back bytes already read from a stream that cannot seek, then the rest of that stream.</summary>
    private sealed class PrefixedStream(byte[] prefix, Stream inner) : Stream
    {
        private int _used;

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

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
