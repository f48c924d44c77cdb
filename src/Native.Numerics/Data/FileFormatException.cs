using System.Globalization;

namespace Native.Numerics;

/// <summary>
/// A data or model file that is not what it claims to be: the one exception the library throws for a
/// malformed file (IDX, CSV, safetensors), saying what is wrong and where.
/// </summary>
/// <remarks>
/// <para>
/// The message starts with the location — the file, then the byte offset (binary formats) or the line
/// and column (text formats, both 1-based) — and goes on to say what was expected and what was found.
/// The same facts are available as <see cref="Path"/>, <see cref="Offset"/>, <see cref="Line"/> and
/// <see cref="Column"/>.
/// </para>
/// <para>
/// It derives from <see cref="IOException"/> because <see cref="InvalidDataException"/>, the natural
/// base, is sealed; so one <c>catch (IOException)</c> handles a file that is missing, unreadable or
/// malformed. When a lower layer's exception is the cause (a corrupt gzip stream raises
/// <see cref="InvalidDataException"/>), it is the <see cref="Exception.InnerException"/>.
/// </para>
/// </remarks>
public sealed class FileFormatException : IOException
{
    /// <summary>A malformed-file exception with a default message and no location.</summary>
    public FileFormatException()
        : base("The file is not in the expected format.")
    {
    }

    /// <summary>A malformed-file exception with <paramref name="message"/> and no location.</summary>
    /// <param name="message">What is wrong.</param>
    public FileFormatException(string? message)
        : base(message)
    {
    }

    /// <summary>A malformed-file exception with <paramref name="message"/>, caused by <paramref name="innerException"/>, and no location.</summary>
    /// <param name="message">What is wrong.</param>
    /// <param name="innerException">The exception that revealed the problem, or null.</param>
    public FileFormatException(string? message, Exception? innerException)
        : base(message, innerException)
    {
    }

    private FileFormatException(string message, string? path, long? offset, int? line, int? column, Exception? innerException)
        : base(message, innerException)
    {
        Path = path;
        Offset = offset;
        Line = line;
        Column = column;
    }

    /// <summary>The file (or, for a stream, the name the caller gave it), if known.</summary>
    public string? Path { get; }

    /// <summary>The byte offset of the problem from the start of the file's content, if known (binary formats).</summary>
    /// <remarks>For a compressed file, offsets count bytes of the decompressed content, and the message says so.</remarks>
    public long? Offset { get; }

    /// <summary>The 1-based line of the problem, if known (text formats).</summary>
    public int? Line { get; }

    /// <summary>The 1-based column of the problem, if known (text formats).</summary>
    public int? Column { get; }

    /// <summary>
    /// A problem at byte <paramref name="offset"/> of <paramref name="path"/>; the message reads
    /// "<c>{path}, byte {offset}: {message}</c>".
    /// </summary>
    /// <param name="path">The file, or the name of a stream; null if unknown.</param>
    /// <param name="offset">The byte offset of the problem, from 0.</param>
    /// <param name="message">What was expected and what was found.</param>
    /// <param name="innerException">The exception that revealed the problem, or null.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="offset"/> is negative.</exception>
    public static FileFormatException AtOffset(string? path, long offset, string message, Exception? innerException = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentNullException.ThrowIfNull(message);
        string where = string.Create(CultureInfo.InvariantCulture, $"{Name(path)}, byte {offset}");
        return new FileFormatException($"{where}: {message}", path, offset, null, null, innerException);
    }

    /// <summary>
    /// A problem at <paramref name="line"/> and <paramref name="column"/> (both 1-based) of a text file; the
    /// message reads "<c>{path}, line {line}, column {column}: {message}</c>".
    /// </summary>
    /// <param name="path">The file, or the name of a stream; null if unknown.</param>
    /// <param name="line">The line of the problem, from 1.</param>
    /// <param name="column">The column of the problem, from 1.</param>
    /// <param name="message">What was expected and what was found.</param>
    /// <param name="innerException">The exception that revealed the problem, or null.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="line"/> or <paramref name="column"/> is below 1.</exception>
    public static FileFormatException AtLine(string? path, int line, int column, string message, Exception? innerException = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(line, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(column, 1);
        ArgumentNullException.ThrowIfNull(message);
        string where = string.Create(CultureInfo.InvariantCulture, $"{Name(path)}, line {line}, column {column}");
        return new FileFormatException($"{where}: {message}", path, null, line, column, innerException);
    }

    /// <summary>
    /// A problem with <paramref name="path"/> as a whole (two files that disagree, say); the message reads
    /// "<c>{path}: {message}</c>".
    /// </summary>
    /// <param name="path">The file, or the name of a stream; null if unknown.</param>
    /// <param name="message">What was expected and what was found.</param>
    /// <param name="innerException">The exception that revealed the problem, or null.</param>
    public static FileFormatException InFile(string? path, string message, Exception? innerException = null)
    {
        ArgumentNullException.ThrowIfNull(message);
        return new FileFormatException($"{Name(path)}: {message}", path, null, null, null, innerException);
    }

    private static string Name(string? path) => path is null ? "(unnamed stream)" : $"'{path}'";
}
