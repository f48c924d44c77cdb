using System.Collections.Concurrent;
using System.Globalization;
using System.Text;

namespace Native.Cli.Output;

/// <summary>
/// Writes the command's pictures as the library writes model files: to a temporary file beside the target
/// (<c>.{name}.{process id}.{random}.tmp</c>), then renamed over it, so a full disk or a signal leaves the old file or
/// none, never a truncated one; the temporary file is removed on failure and at process exit.
/// </summary>
internal static class AtomicFile
{
    private static readonly ConcurrentDictionary<string, byte> InProgress = new(StringComparer.Ordinal);

    static AtomicFile() => AppDomain.CurrentDomain.ProcessExit += (_, _) =>
    {
        foreach (string temporary in InProgress.Keys)
        {
            TryDelete(temporary);
        }
    };

    /// <summary>Writes <paramref name="path"/> through <paramref name="write"/>, all or nothing.</summary>
    public static void Write(string path, Action<Stream> write)
    {
        string directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        string temporary = Path.Combine(directory, string.Create(CultureInfo.InvariantCulture, $".{Path.GetFileName(path)}.{Environment.ProcessId}.{Path.GetFileNameWithoutExtension(Path.GetRandomFileName())}.tmp"));
        InProgress[temporary] = 0;
        try
        {
            using (var file = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 64 * 1024))
            {
                write(file);
            }

            // No flush to the disk: a picture is cheap to draw again, and the rename alone keeps a reader from a half-written one.
            File.Move(temporary, path, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The error names the file the user asked for, never the temporary one.
            TryDelete(temporary);
            string message = $"Cannot write '{path}': {e.Message.Replace($" : '{temporary}'", "", StringComparison.Ordinal).Replace(temporary, path, StringComparison.Ordinal)}";
            throw e is UnauthorizedAccessException ? new UnauthorizedAccessException(message, e) : new IOException(message, e);
        }
        catch
        {
            TryDelete(temporary);
            throw;
        }
        finally
        {
            InProgress.TryRemove(temporary, out _);
        }
    }

    /// <summary>Writes <paramref name="text"/> as UTF-8 to <paramref name="path"/>, all or nothing.</summary>
    public static void WriteText(string path, string text) => Write(path, stream => stream.Write(Encoding.UTF8.GetBytes(text)));

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The write has failed already; its error is the one to report.
        }
    }
}
