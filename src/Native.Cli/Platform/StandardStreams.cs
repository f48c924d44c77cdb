using System.Runtime.InteropServices;
using System.Text;

namespace Native.Cli.Platform;

/// <summary>
/// Standard output and standard error as the command writes them. On Unix it writes to descriptors 1 and 2 itself,
/// not through <see cref="Console"/>: the console's streams treat a broken pipe as success (so <c>native predict … |
/// head -1</c> would predict forever after <c>head</c> is gone), and registering for Ctrl+C through the console
/// opens standard output, which throws when it is closed (<c>native --help &gt;&amp;-</c>).
/// </summary>
/// <remarks>
/// A standard descriptor the command was started without (closed by the caller: <c>&gt;&amp;-</c>, <c>2&gt;&amp;-</c>)
/// is first opened on <c>/dev/null</c>: what would be written there is dropped, and no file the command opens later
/// can take its number — else standard error, duplicated from whatever then held descriptor 2, could land in
/// standard output among the results.
/// </remarks>
internal static class StandardStreams
{
    /// <summary>The descriptors opened on /dev/null for closed standard ones; kept so their handles are never closed.</summary>
    private static readonly List<Microsoft.Win32.SafeHandles.SafeFileHandle> Placeholders = [];

    /// <summary>
    /// Opens <c>/dev/null</c> on each of descriptors 0, 1 and 2 that is closed. Call first thing, before anything
    /// opens a file: a new descriptor takes the lowest free number, so each open fills the lowest closed one.
    /// </summary>
    public static void OpenClosedOnes()
    {
        if (!Posix.Available)
        {
            return;
        }

        for (int descriptor = 0; descriptor <= 2; descriptor++)
        {
            if (!Posix.IsOpen(descriptor))
            {
                try
                {
                    Placeholders.Add(File.OpenHandle("/dev/null", FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite));
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    return; // no /dev/null (a bare chroot): the writers below drop what a closed descriptor refuses
                }
            }
        }
    }

    /// <summary>Standard output: buffered (flushed when a command asks, and at the end) unless it is a terminal; a broken pipe throws <see cref="BrokenPipeException"/>.</summary>
    public static TextWriter Output(bool terminal) => Posix.Available
        ? new StreamWriter(new DescriptorStream(1, quiet: false), new UTF8Encoding(false), 16 * 1024) { AutoFlush = terminal }
        : Console.Out;

    /// <summary>Standard error: unbuffered; a failure to write it (a closed pipe) is ignored, as there is nowhere left to say so.</summary>
    public static TextWriter Error() => Posix.Available
        ? new StreamWriter(new DescriptorStream(2, quiet: true), new UTF8Encoding(false), 1024) { AutoFlush = true }
        : Console.Error;

    /// <summary>A write-only stream over a descriptor, through <c>write</c> at the descriptor's own offset (so <c>&gt;&gt;</c> and shared files work).</summary>
    private sealed class DescriptorStream(int descriptor, bool quiet) : Stream
    {
        private bool _broken;

        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public override void Write(byte[] buffer, int offset, int count)
        {
            ValidateBufferArguments(buffer, offset, count);
            Write(buffer.AsSpan(offset, count));
        }

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            if (_broken || buffer.IsEmpty)
            {
                return;
            }

            int error = Posix.WriteAll(descriptor, buffer);
            if (error == 0 || quiet)
            {
                return;
            }

            if (error == Posix.BadDescriptor)
            {
                // Not open for writing: a descriptor the caller closed and the runtime reused before the command
                // started (dotnet native.dll opens files of its own). Nothing is reading it: drop the output, as
                // /dev/null would.
                _broken = true;
                return;
            }

            // Once failed, later writes (a flush on the way out) are dropped: the first failure is the one reported.
            _broken = true;
            throw error == Posix.BrokenPipe
                ? new BrokenPipeException()
                : new IOException(FormattableString.Invariant($"Cannot write to standard output: {Marshal.GetPInvokeErrorMessage(error)} (errno {error})."));
        }

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();
    }
}

/// <summary>Standard output's reader has gone (EPIPE): the command stops quietly, as a program ended by SIGPIPE does.</summary>
internal sealed class BrokenPipeException() : IOException("Standard output's reader has gone (broken pipe).");
