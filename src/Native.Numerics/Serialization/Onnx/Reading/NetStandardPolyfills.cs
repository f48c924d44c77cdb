#if NETSTANDARD2_0
using System;
using System.Globalization;

namespace Native.Numerics
{
    /// <summary>
    /// The library's <c>FileFormatException</c> (src/Native.Numerics/Data/FileFormatException.cs), as far as the
    /// ONNX reader uses it, for a netstandard2.0 project (the source generator) that links the reader's files:
    /// the same name, the same factory methods, the same message layout. The library compiles this file empty.
    /// </summary>
    internal sealed class FileFormatException : Exception
    {
        private FileFormatException(string message, string? path, long? offset, Exception? innerException)
            : base(message, innerException)
        {
            Path = path;
            Offset = offset;
        }

        /// <summary>The file, if known.</summary>
        public string? Path { get; }

        /// <summary>The byte offset of the problem, if known.</summary>
        public long? Offset { get; }

        /// <summary>A problem at byte <paramref name="offset"/> of <paramref name="path"/>: "'m.onnx', byte 12: ...".</summary>
        public static FileFormatException AtOffset(string? path, long offset, string message, Exception? innerException = null) =>
            new(string.Format(CultureInfo.InvariantCulture, "{0}, byte {1}: {2}", Name(path), offset, message), path, offset, innerException);

        /// <summary>A problem with <paramref name="path"/> as a whole.</summary>
        public static FileFormatException InFile(string? path, string message, Exception? innerException = null) =>
            new(string.Format(CultureInfo.InvariantCulture, "{0}: {1}", Name(path), message), path, null, innerException);

        private static string Name(string? path) => path is null ? "(unnamed stream)" : "'" + path + "'";
    }
}
#endif
