#if NETSTANDARD2_0
using System;
using System.Buffers;
using System.Collections.Generic;
using System.Globalization;
using System.IO;

// What the model file readers take from the library and from the BCL of .NET 10, for a netstandard2.0 project (the source generator) that links the
// readers' files; the library compiles this file empty. The types live in the reader's own namespace, internal, so
// that a project referencing both the generator and the library (the generator's tests) sees no second
// Native.Numerics.ModelKind. A test in Native.Tests holds the enums' members equal to the library's.
namespace Native.Numerics.Serialization
{
    /// <summary>The library's <c>ModelKind</c> (src/Native.Numerics/Models/ModelKind.cs), member for member.</summary>
    internal enum ModelKind
    {
        LinearRegression,
        LogisticRegression,
        SoftmaxRegression,
        MultilayerPerceptron,
        MultilayerPerceptronRegressor,
    }

    /// <summary>The library's <c>Activation</c> (src/Native.Numerics/Models/Activation.cs), member for member.</summary>
    internal enum Activation
    {
        Relu,
        LeakyRelu,
        Sigmoid,
        Tanh,
    }

    /// <summary>The library's <c>ColumnKind</c> (src/Native.Numerics/Data/Tables/ColumnKind.cs), member for member.</summary>
    internal enum ColumnKind
    {
        Number,
        Category,
        Ignored,
    }

    /// <summary>The library's <c>Imputation</c> (src/Native.Numerics/Data/Tables/ColumnKind.cs), member for member.</summary>
    internal enum Imputation
    {
        Mean,
        Median,
    }

    /// <summary>The library's <c>UnknownCategories</c> (src/Native.Numerics/Data/Tables/ColumnKind.cs), member for member.</summary>
    internal enum UnknownCategories
    {
        Ignore,
        Error,
    }

    /// <summary>
    /// The library's <c>FileFormatException</c> (src/Native.Numerics/Data/FileFormatException.cs), as far as the reader
    /// uses it: the same factory methods and the same message layout.
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

    /// <summary>The members of .NET 10's Stream and Dictionary the readers call, over what netstandard2.0 has.</summary>
    internal static class NetStandardExtensions
    {
        public static int Read(this Stream stream, Span<byte> buffer)
        {
            byte[] rented = ArrayPool<byte>.Shared.Rent(buffer.Length);
            try
            {
                int read = stream.Read(rented, 0, buffer.Length);
                rented.AsSpan(0, read).CopyTo(buffer);
                return read;
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }

        public static int ReadAtLeast(this Stream stream, Span<byte> buffer, int minimumBytes, bool throwOnEndOfStream = true)
        {
            int total = 0;
            while (total < minimumBytes)
            {
                int read = stream.Read(buffer.Slice(total));
                if (read == 0)
                {
                    return throwOnEndOfStream ? throw new EndOfStreamException() : total;
                }

                total += read;
            }

            return total;
        }

        public static bool TryAdd<TKey, TValue>(this Dictionary<TKey, TValue> dictionary, TKey key, TValue value)
            where TKey : notnull
        {
            if (dictionary.ContainsKey(key))
            {
                return false;
            }

            dictionary.Add(key, value);
            return true;
        }

        public static TValue? GetValueOrDefault<TKey, TValue>(this Dictionary<TKey, TValue> dictionary, TKey key, TValue? fallback = default)
            where TKey : notnull =>
            dictionary.TryGetValue(key, out TValue? value) ? value : fallback;
    }
}
#endif
