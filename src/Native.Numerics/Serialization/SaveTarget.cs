using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;

namespace Native.Numerics.Serialization;

/// <summary>
/// Where <see cref="ModelFile.Save(IModel, string, ModelMetadata?, CancellationToken)"/> may write, and the temporary file it
/// writes first: symbolic links are followed to the file they name; only a regular file (or a new path) is
/// replaced, never a directory, device, FIFO or socket; a file the caller may not write is refused; the
/// replacement keeps the mode of the file it replaces; temporary files are removed on every failure path
/// that runs code — including at process exit — and, after a crash, by the next save beside them; and a save
/// cancelled, or overtaken by the process's exit, before its final rename leaves the old file as it was.
/// </summary>
internal static class SaveTarget
{
    private const string TemporarySuffix = ".tmp";

    /// <summary>The temporary files of saves in progress in this process, removed if the process exits first.</summary>
    private static readonly ConcurrentDictionary<string, byte> InProgress = new(StringComparer.Ordinal);

    /// <summary>
    /// Held while a temporary file is created and while one replaces its target, and by the process-exit cleanup: so
    /// an exit either comes after a rename (the new file stays) or before it (the rename never happens, and the
    /// temporary file is removed), never between, whichever thread gets there first.
    /// </summary>
    private static readonly Lock Gate = new();

    /// <summary>Set, under <see cref="Gate"/>, once the process has begun to exit: no save starts or renames after it.</summary>
    private static bool _exiting;

    static SaveTarget() => AppDomain.CurrentDomain.ProcessExit += (_, _) =>
    {
        lock (Gate)
        {
            _exiting = true;
            RemoveInProgress();
        }
    };

    /// <summary>
    /// Removes the temporary files of the saves in progress: at process exit (a second Ctrl+C, SIGTERM,
    /// <see cref="Environment.Exit"/>) all of them; a test, which shares the process with other tests' saves, only
    /// those in its own <paramref name="directory"/>.
    /// </summary>
    internal static void RemoveInProgress(string? directory = null)
    {
        lock (Gate)
        {
            foreach (string temporary in InProgress.Keys)
            {
                if (directory is null || string.Equals(Path.GetDirectoryName(temporary), Path.GetFullPath(directory).TrimEnd(Path.DirectorySeparatorChar), StringComparison.Ordinal))
                {
                    TryDelete(temporary);
                }
            }
        }
    }

    /// <summary>
    /// The file a save to <paramref name="path"/> replaces or creates: the path itself, or, for a symbolic link,
    /// the file at the end of its chain (which may not exist yet). Refuses what a model file must not replace.
    /// </summary>
    /// <exception cref="IOException">The path names a directory, device, FIFO or socket, or its directory does not exist.</exception>
    /// <exception cref="UnauthorizedAccessException">The file exists and may not be written.</exception>
    public static string Resolve(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        string target = Path.GetFullPath(path);
        if (new FileInfo(target).LinkTarget is not null && File.ResolveLinkTarget(target, returnFinalTarget: true) is { } linked)
        {
            target = linked.FullName;
        }

        if (Directory.Exists(target))
        {
            throw new IOException($"'{path}' is a directory; a model is saved to a file (name one inside it, like '{Path.Combine(path, "model.safetensors")}').");
        }

        string directory = Path.GetDirectoryName(target) ?? throw new IOException($"'{path}' names no file.");
        if (!Directory.Exists(directory))
        {
            throw new DirectoryNotFoundException($"Cannot save to '{path}': the directory '{directory}' does not exist.");
        }

        if (File.Exists(target))
        {
            if (FileType(target) is string type)
            {
                throw new IOException($"'{path}' is {type}, not a regular file; a model is saved only to a regular file or a new path.");
            }

            try
            {
                // Opening for writing (without truncating) is the one portable test of permission: a mode of 0444,
                // an ACL, a read-only file system. Nothing is written.
                using var probe = new FileStream(target, FileMode.Open, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete);
            }
            catch (UnauthorizedAccessException e)
            {
                throw new UnauthorizedAccessException($"'{path}' may not be written (it is read-only, or not yours); the model was not saved over it.", e);
            }
            catch (IOException e)
            {
                throw new IOException($"'{path}' cannot be written: {Mention(e, target, path)}", e);
            }
        }

        return target;
    }

    /// <summary>Checks that a file can be created beside <paramref name="target"/>: creates a temporary file there and removes it.</summary>
    /// <exception cref="IOException">The directory cannot be written (a read-only file system, a full disk).</exception>
    /// <exception cref="UnauthorizedAccessException">The directory may not be written.</exception>
    public static void ProbeDirectory(string target, string path)
    {
        string temporary = TemporaryPath(target);
        try
        {
            using (new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw Failure(e, temporary, path, "the model");
        }
        finally
        {
            TryDelete(temporary);
        }
    }

    /// <summary>
    /// Writes a new file through <paramref name="write"/> under a temporary name beside <paramref name="target"/>,
    /// flushes it to the disk, gives it the mode of the file it replaces, and moves it over
    /// <paramref name="target"/>. On any failure the temporary file is removed and the error names
    /// <paramref name="path"/>, the caller's name for the file. A cancellation requested before the rename — at
    /// any moment until then — keeps the old file and throws <see cref="OperationCanceledException"/>; one
    /// requested after it changes nothing.
    /// </summary>
    public static void Replace(string target, string path, Action<Stream> write, Action<string>? beforeReplace, CancellationToken cancellationToken = default) =>
        Replace(target, path, write, beforeReplace, flushToDisk: true, "the model", cancellationToken);

    /// <summary>As <see cref="Replace(string, string, Action{Stream}, Action{string}?, CancellationToken)"/>, for a file that is not a model, perhaps not flushed to the disk.</summary>
    /// <param name="target">The file replaced or created (<see cref="Resolve"/>'s answer).</param>
    /// <param name="path">The caller's name for it, in messages.</param>
    /// <param name="write">Writes the content to the temporary file's stream (seekable).</param>
    /// <param name="beforeReplace">Called with the temporary file's path just before the rename, or null.</param>
    /// <param name="cancellationToken">A cancellation before the rename keeps the old file.</param>
    /// <param name="flushToDisk">Whether the content reaches the disk before the rename (a model, a checkpoint); a row cache checks its blocks' checksums instead.</param>
    /// <param name="what">What is saved, in messages ("the model").</param>
    public static void Replace(string target, string path, Action<Stream> write, Action<string>? beforeReplace, bool flushToDisk, string what, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        RemoveStale(target);
        string temporary = TemporaryPath(target);
        try
        {
            FileStream file;
            lock (Gate)
            {
                Stop(cancellationToken);
                InProgress[temporary] = 0;
                file = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 64 * 1024);
            }

            using (file)
            {
                write(file);
                file.Flush(flushToDisk);
            }

            if (!OperatingSystem.IsWindows() && File.Exists(target))
            {
                File.SetUnixFileMode(temporary, File.GetUnixFileMode(target));
            }

            beforeReplace?.Invoke(temporary);
            lock (Gate)
            {
                // The last moment a cancellation, or the process's exit, can keep the old file.
                Stop(cancellationToken);
                File.Move(temporary, target, overwrite: true);
            }
        }
        catch (Exception e)
        {
            TryDelete(temporary);
            if (e is IOException or UnauthorizedAccessException)
            {
                throw Failure(e, temporary, path, what);
            }

            throw;
        }
        finally
        {
            InProgress.TryRemove(temporary, out _);
        }
    }

    /// <summary>Throws when the save must not go on: cancelled, or the process exiting (its cleanup has run or is running).</summary>
    private static void Stop(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (_exiting)
        {
            throw new OperationCanceledException("The process is exiting; the model was not saved.");
        }
    }

    /// <summary>
    /// A temporary name beside <paramref name="target"/>: <c>.{name}.{process id}.{random}.tmp</c>. The process id
    /// tells a later save whether the file's writer is still alive.
    /// </summary>
    private static string TemporaryPath(string target) => Path.Combine(
        Path.GetDirectoryName(target)!,
        string.Create(CultureInfo.InvariantCulture, $".{Path.GetFileName(target)}.{Environment.ProcessId}.{Path.GetFileNameWithoutExtension(Path.GetRandomFileName())}{TemporarySuffix}"));

    /// <summary>
    /// Removes the temporary files earlier saves to <paramref name="target"/> left behind when their process was
    /// killed before it could (<c>kill -9</c>, a power cut): those whose process no longer runs.
    /// </summary>
    internal static void RemoveStale(string target)
    {
        string name = Path.GetFileName(target);
        string prefix = "." + name + ".";
        try
        {
            foreach (string file in Directory.EnumerateFiles(Path.GetDirectoryName(target)!, prefix + "*" + TemporarySuffix))
            {
                // .{name}.{pid}.{random}.tmp: the pid is the part after the name.
                string rest = Path.GetFileName(file)[prefix.Length..^TemporarySuffix.Length];
                int dot = rest.IndexOf('.', StringComparison.Ordinal);
                if (dot > 0 && int.TryParse(rest.AsSpan(0, dot), NumberStyles.None, CultureInfo.InvariantCulture, out int pid) && !IsRunning(pid))
                {
                    TryDelete(file);
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Tidying is a courtesy: a directory that cannot be listed fails the save itself, with its own error.
        }
    }

    private static bool IsRunning(int pid)
    {
        if (pid == Environment.ProcessId)
        {
            return true;
        }

        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false; // no such process
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    /// <summary>The error of a failed save, naming the caller's path wherever the temporary file's appeared.</summary>
    private static Exception Failure(Exception e, string temporary, string path, string what)
    {
        string message = $"Cannot save {what} to '{path}': {Mention(e, temporary, path)}";
        return e is UnauthorizedAccessException ? new UnauthorizedAccessException(message, e) : new IOException(message, e);
    }

    private static string Mention(Exception e, string internalPath, string path) => e.Message.Replace(internalPath, path, StringComparison.Ordinal);

    internal static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
            // The save has failed already; that error, not this one, is what the caller needs to see.
        }
        catch (UnauthorizedAccessException)
        {
            // As above.
        }
    }

    /// <summary>
    /// What kind of file <paramref name="path"/> is, when it is not a regular file ("a character device", "a FIFO",
    /// "a socket", …); null for a regular file, or where the kind cannot be told (on Linux it is read with
    /// <c>statx</c>, whose layout is the same on every architecture; elsewhere only directories are told apart).
    /// </summary>
    internal static unsafe string? FileType(string path)
    {
        if (!OperatingSystem.IsLinux() || Statx is null)
        {
            return null;
        }

        // struct statx: stx_mode (16 bits) at byte 28; the type is in its top four bits.
        const int AtCurrentDirectory = -100, StatxType = 0x1, ModeOffset = 28;
        byte* buffer = stackalloc byte[256];
        byte[] name = System.Text.Encoding.UTF8.GetBytes(path + "\0");
        int result;
        fixed (byte* pathname = name)
        {
            result = ((delegate* unmanaged<int, byte*, int, uint, byte*, int>)Statx)(AtCurrentDirectory, pathname, 0, StatxType, buffer);
        }

        if (result != 0)
        {
            return null;
        }

        int type = *(ushort*)(buffer + ModeOffset) & 0xF000;
        return type switch
        {
            0x8000 => null,
            0x4000 => "a directory",
            0x2000 => "a character device",
            0x6000 => "a block device",
            0x1000 => "a FIFO (named pipe)",
            0xC000 => "a socket",
            _ => "not a regular file",
        };
    }

    /// <summary>The C library's <c>statx</c>, or null where there is none (not Linux, or a C library without it).</summary>
    private static readonly nint? Statx = FindStatx();

    private static nint? FindStatx()
    {
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }

        foreach (string library in new[] { "libc.so.6", "libc" })
        {
            if (NativeLibrary.TryLoad(library, out nint handle) && NativeLibrary.TryGetExport(handle, "statx", out nint function))
            {
                return function;
            }
        }

        return null;
    }
}
