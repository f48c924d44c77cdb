using System.Runtime.InteropServices;

namespace Native.Cli.Platform;

/// <summary>
/// The few C library calls the command makes itself, where .NET's own wrappers do something else: <c>write</c>
/// (the console streams swallow a broken pipe, and a <see cref="FileStream"/> writes at its own offset, not the
/// descriptor's), <c>dup</c> and <c>close</c> (to tell a closed standard descriptor), and <c>statx</c> (a file's
/// device and inode, and its kind; its layout is the same on every Linux architecture). Only non-variadic
/// functions: a variadic one (<c>fcntl</c>, <c>open</c>) cannot be declared portably.
/// </summary>
internal static partial class Posix
{
    private const string C = "libc";

    /// <summary>errno values, the same on Linux and macOS.</summary>
    public const int InterruptedCall = 4, BadDescriptor = 9, TryAgain = 11, BrokenPipe = 32;

    /// <summary>Whether the C library's calls may be made here.</summary>
    public static bool Available => OperatingSystem.IsLinux() || OperatingSystem.IsMacOS() || OperatingSystem.IsFreeBSD();

    /// <summary>Whether <paramref name="descriptor"/> is open: <c>dup</c> fails with EBADF on a closed one.</summary>
    public static bool IsOpen(int descriptor)
    {
        int copy = Dup(descriptor);
        if (copy >= 0)
        {
            Close(copy);
            return true;
        }

        return Marshal.GetLastPInvokeError() != BadDescriptor;
    }

    /// <summary>Writes all of <paramref name="bytes"/> to <paramref name="descriptor"/>; the errno of a failure, or 0.</summary>
    public static unsafe int WriteAll(int descriptor, ReadOnlySpan<byte> bytes)
    {
        fixed (byte* start = bytes)
        {
            int written = 0;
            while (written < bytes.Length)
            {
                nint result = Write(descriptor, start + written, bytes.Length - written);
                if (result >= 0)
                {
                    written += (int)result;
                    continue;
                }

                int error = Marshal.GetLastPInvokeError();
                if (error == InterruptedCall)
                {
                    continue;
                }

                if (error == TryAgain)
                {
                    // A descriptor another program made non-blocking: wait for room, as the console streams do.
                    Thread.Sleep(1);
                    continue;
                }

                return error;
            }
        }

        return 0;
    }

    [LibraryImport(C, EntryPoint = "dup", SetLastError = true)]
    private static partial int Dup(int descriptor);

    [LibraryImport(C, EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int descriptor);

    [LibraryImport(C, EntryPoint = "write", SetLastError = true)]
    private static unsafe partial nint Write(int descriptor, byte* buffer, nint count);

    [LibraryImport(C, EntryPoint = "statx", SetLastError = true)]
    internal static unsafe partial int Statx(int directory, byte* path, int flags, uint mask, byte* buffer);
}
