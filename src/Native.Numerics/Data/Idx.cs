using System.Globalization;

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
/// length before anything is allocated. A gzip file may expand at most <see cref="IdxOptions.MaxCompressionRatio"/>
/// times (100 by default; or to 64 MiB, whichever is more): for a file, the declared size is checked against that
/// before anything is allocated; for a stream that cannot say its length, the decompressed bytes are checked
/// against the compressed ones as they arrive, in a buffer that grows only as data do. Either way the content is
/// decompressed once, and the gzip stream must end the file with a trailer that matches it (the runtime's
/// decompressor ignores what follows a gzip stream). A tiny file that declares gigabytes costs nothing.
/// </para>
/// </remarks>
public static partial class Idx
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
    /// <param name="options">The limits of the read; null for the defaults.</param>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="FileFormatException">The file is not a valid IDX3 file of unsigned bytes.</exception>
    public static IdxImages ReadImages(string path, IdxOptions? options = null)
    {
        using FileStream file = File.OpenRead(path);
        return ReadImages(file, path, options);
    }

    /// <summary>
    /// The shape an IDX3 images file declares — images, rows and columns — from its header alone (for a gzip file,
    /// its first 16 decompressed bytes): the data are not read.
    /// </summary>
    /// <param name="path">The file.</param>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="FileFormatException">The header is not a valid IDX3 header of unsigned bytes.</exception>
    public static (int Count, int Rows, int Columns) ReadImageShape(string path)
    {
        using FileStream file = File.OpenRead(path);
        uint[] sizes = Read(file, path, Kind.Images, null, headerOnly: true).Sizes;
        return ((int)Math.Min(sizes[0], int.MaxValue), (int)Math.Min(sizes[1], int.MaxValue), (int)Math.Min(sizes[2], int.MaxValue));
    }

    /// <summary>
    /// Reads the images of an IDX3 stream of unsigned bytes, raw or gzip-compressed, from its current
    /// position to its end. The stream is left open.
    /// </summary>
    /// <param name="stream">The stream; it need not be seekable.</param>
    /// <param name="name">What to call the stream in error messages (its file name, say), or null.</param>
    /// <param name="options">The limits of the read; null for the defaults.</param>
    /// <exception cref="FileFormatException">The content is not a valid IDX3 file of unsigned bytes.</exception>
    public static IdxImages ReadImages(Stream stream, string? name = null, IdxOptions? options = null)
    {
        (uint[] sizes, byte[] pixels) = Read(stream, name, Kind.Images, options);
        return new IdxImages(pixels, (int)sizes[0], (int)sizes[1], (int)sizes[2]);
    }

    /// <summary>Reads the labels of an IDX1 file of unsigned bytes, raw or gzip-compressed: one byte per label.</summary>
    /// <param name="path">The file.</param>
    /// <param name="options">The limits of the read; null for the defaults.</param>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="FileFormatException">The file is not a valid IDX1 file of unsigned bytes.</exception>
    public static byte[] ReadLabels(string path, IdxOptions? options = null)
    {
        using FileStream file = File.OpenRead(path);
        return ReadLabels(file, path, options);
    }

    /// <summary>
    /// Reads the labels of an IDX1 stream of unsigned bytes, raw or gzip-compressed, from its current
    /// position to its end: one byte per label. The stream is left open.
    /// </summary>
    /// <param name="stream">The stream; it need not be seekable.</param>
    /// <param name="name">What to call the stream in error messages (its file name, say), or null.</param>
    /// <param name="options">The limits of the read; null for the defaults.</param>
    /// <exception cref="FileFormatException">The content is not a valid IDX1 file of unsigned bytes.</exception>
    public static byte[] ReadLabels(Stream stream, string? name = null, IdxOptions? options = null) => Read(stream, name, Kind.Labels, options).Data;

    /// <summary>
    /// A classification dataset from an images file and a labels file: one row per image, its pixels
    /// row-major divided by 255 (so in [0, 1]); its label from the labels file.
    /// </summary>
    /// <remarks>
    /// The pixels are kept as the file's bytes (<see cref="Dataset.StoresBytes"/>: a quarter of the memory of floats,
    /// 47 MB for MNIST's 60,000 images rather than 188 MB) and divided by 255 as they are widened — by
    /// <see cref="Dataset.Row(int)"/> and, in registers, by training — so every row reads and trains as the floats
    /// pixel / 255 to the bit, and a model trained on them takes rows in those units, as before.
    /// </remarks>
    /// <param name="imagesPath">The IDX3 images file, raw or gzip-compressed.</param>
    /// <param name="labelsPath">The IDX1 labels file, raw or gzip-compressed.</param>
    /// <param name="classes">
    /// The number of classes; every label must be below it. MNIST's digits are <see cref="MnistClasses"/>;
    /// other IDX datasets (EMNIST, say) have more. The class count is fixed, not inferred from the largest
    /// label, so a subset that happens to lack the 9s still has 10 classes.
    /// </param>
    /// <exception cref="FileNotFoundException">A file does not exist.</exception>
    /// <exception cref="FileFormatException">A file is not valid, the counts of images and labels differ, or a label is not below <paramref name="classes"/>.</exception>
    /// <param name="options">The limits of the reads; null for the defaults.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="classes"/> is below 2.</exception>
    public static Dataset LoadDataset(string imagesPath, string labelsPath, int classes = MnistClasses, IdxOptions? options = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(classes, 2);
        IdxImages images = ReadImages(imagesPath, options);
        byte[] labels = ReadLabels(labelsPath, options);
        return ToDataset(images, labels, classes, imagesPath, labelsPath);
    }

    /// <summary>
    /// A classification dataset from an images stream and a labels stream, as
    /// <see cref="LoadDataset(string, string, int, IdxOptions?)"/> reads from files. The streams are left open.
    /// </summary>
    /// <param name="images">The IDX3 images, raw or gzip-compressed.</param>
    /// <param name="labels">The IDX1 labels, raw or gzip-compressed.</param>
    /// <param name="classes">The number of classes; every label must be below it.</param>
    /// <param name="imagesName">What to call the images stream in error messages, or null.</param>
    /// <param name="labelsName">What to call the labels stream in error messages, or null.</param>
    /// <exception cref="FileFormatException">A stream is not valid, the counts of images and labels differ, or a label is not below <paramref name="classes"/>.</exception>
    /// <param name="options">The limits of the reads; null for the defaults.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="classes"/> is below 2.</exception>
    public static Dataset LoadDataset(Stream images, Stream labels, int classes = MnistClasses, string? imagesName = null, string? labelsName = null, IdxOptions? options = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(classes, 2);
        IdxImages imageData = ReadImages(images, imagesName, options);
        byte[] labelData = ReadLabels(labels, labelsName, options);
        return ToDataset(imageData, labelData, classes, imagesName, labelsName);
    }

    /// <summary>
    /// The dataset of the images and labels files in <paramref name="directory"/>: see
    /// <see cref="FindFiles"/> for how they are found, and <see cref="LoadDataset(string, string, int, IdxOptions?)"/>
    /// for how they are read.
    /// </summary>
    /// <param name="directory">The directory holding the files.</param>
    /// <param name="prefix">The part of the file names before <c>-images</c> and <c>-labels</c> (<c>"train"</c> or <c>"t10k"</c> for MNIST), or null for whichever is there.</param>
    /// <param name="classes">The number of classes; every label must be below it.</param>
    /// <exception cref="DirectoryNotFoundException">The directory does not exist.</exception>
    /// <exception cref="FileNotFoundException">There is no images file, or no labels file to go with it.</exception>
    /// <exception cref="ArgumentException">Several files match (two prefixes, or a raw file beside its .gz), so the choice would be a guess.</exception>
    /// <param name="options">The limits of the reads; null for the defaults.</param>
    /// <exception cref="FileFormatException">A file is not valid, or the files disagree.</exception>
    public static Dataset LoadDirectory(string directory, string? prefix = null, int classes = MnistClasses, IdxOptions? options = null)
    {
        (string images, string labels) = FindFiles(directory, prefix);
        return LoadDataset(images, labels, classes, options);
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

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    private static string Quote(string? name) => name is null ? "(unnamed stream)" : $"'{name}'";
}
