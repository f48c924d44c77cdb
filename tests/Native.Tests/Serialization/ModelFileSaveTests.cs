using System.Diagnostics;
using System.Net.Sockets;
using System.Runtime.Versioning;
using Native.Numerics;
using Native.Numerics.Serialization;

namespace Native.Tests.Serialization;

/// <summary>
/// Where a save may write: symbolic links followed, only regular files replaced (never a device, FIFO, socket or
/// directory), the mode kept, read-only files refused, errors naming the caller's path, and no temporary file
/// left behind — not even by a process killed during its save, once the next save runs.
/// </summary>
[UnsupportedOSPlatform("windows")]
public sealed class ModelFileSaveTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "native-save-" + Guid.NewGuid().ToString("N"));

    public ModelFileSaveTests() => Directory.CreateDirectory(_directory);

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static SoftmaxRegression Model(float value)
    {
        var model = new SoftmaxRegression(3, 2);
        model.Parameters.Fill(value);
        return model;
    }

    private string[] Files() => [.. Directory.GetFileSystemEntries(_directory).Select(Path.GetFileName).Order(StringComparer.Ordinal)!];

    [Fact]
    public void ASymbolicLinkIsFollowedAndStaysALink()
    {
        // current -> v1.safetensors: saving to current updates v1; the link is not replaced by a file.
        string v1 = Path.Combine(_directory, "v1.safetensors"), current = Path.Combine(_directory, "current");
        ModelFile.Save(Model(1f), v1);
        File.CreateSymbolicLink(current, "v1.safetensors");

        ModelFile.Save(Model(2f), current);

        Assert.Equal("v1.safetensors", new FileInfo(current).LinkTarget);
        Assert.All(ModelFile.Load(v1).Model.Parameters.ToArray(), p => Assert.Equal(2f, p));
        Assert.Equal(["current", "v1.safetensors"], Files());
    }

    [Fact]
    public void ADanglingLinkCreatesTheFileItNames()
    {
        string link = Path.Combine(_directory, "next");
        File.CreateSymbolicLink(link, "v2.safetensors");

        ModelFile.Save(Model(3f), link);

        Assert.True(File.Exists(Path.Combine(_directory, "v2.safetensors")));
        Assert.Equal("v2.safetensors", new FileInfo(link).LinkTarget);
    }

    [Fact]
    public void ADirectoryIsRefusedAndKept()
    {
        string directory = Path.Combine(_directory, "models");
        Directory.CreateDirectory(directory);
        File.WriteAllText(Path.Combine(directory, "keep.txt"), "mine");

        IOException error = Assert.Throws<IOException>(() => ModelFile.Save(Model(1f), directory));

        Assert.Equal($"'{directory}' is a directory; a model is saved to a file (name one inside it, like '{Path.Combine(directory, "model.safetensors")}').", error.Message);
        Assert.Equal("mine", File.ReadAllText(Path.Combine(directory, "keep.txt")));
        Assert.Throws<IOException>(() => ModelFile.CheckSavePath(directory));
    }

    [Fact]
    public void AFifoIsRefusedAndStaysAFifo()
    {
        string fifo = Path.Combine(_directory, "pipe");
        Run("mkfifo", fifo);

        IOException error = Assert.Throws<IOException>(() => ModelFile.Save(Model(1f), fifo));

        Assert.Equal($"'{fifo}' is a FIFO (named pipe), not a regular file; a model is saved only to a regular file or a new path.", error.Message);
        Assert.Equal("a FIFO (named pipe)", SaveTarget.FileType(fifo));
        Assert.Equal(["pipe"], Files());
    }

    [Fact]
    public void ASocketIsRefused()
    {
        string path = Path.Combine(_directory, "socket");
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        socket.Bind(new UnixDomainSocketEndPoint(path));

        IOException error = Assert.Throws<IOException>(() => ModelFile.Save(Model(1f), path));

        Assert.Contains("is a socket, not a regular file", error.Message, StringComparison.Ordinal);
        Assert.Equal("a socket", SaveTarget.FileType(path));
    }

    [Fact]
    public void DevicesAreRefused()
    {
        // /dev/null is only looked at: the check refuses it before anything is written anywhere.
        Assert.Equal("a character device", SaveTarget.FileType("/dev/null"));
        IOException error = Assert.Throws<IOException>(() => ModelFile.CheckSavePath("/dev/null"));
        Assert.Equal("'/dev/null' is a character device, not a regular file; a model is saved only to a regular file or a new path.", error.Message);

        // The save itself, on a device node of our own (root can make one; /dev/null itself is never risked).
        string device = Path.Combine(_directory, "null");
        if (TryRun("mknod", device, "c", "1", "3"))
        {
            Assert.Throws<IOException>(() => ModelFile.Save(Model(1f), device));
            Assert.Equal("a character device", SaveTarget.FileType(device));
        }

        Assert.Null(SaveTarget.FileType(typeof(ModelFileSaveTests).Assembly.Location));
    }

    [Fact]
    public void TheReplacedFileKeepsItsMode()
    {
        string path = Path.Combine(_directory, "shared.safetensors");
        ModelFile.Save(Model(1f), path);
        UnixFileMode mode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead;
        File.SetUnixFileMode(path, mode);

        ModelFile.Save(Model(2f), path);

        Assert.Equal(mode, File.GetUnixFileMode(path));
        Assert.All(ModelFile.Load(path).Model.Parameters.ToArray(), p => Assert.Equal(2f, p));
    }

    [Fact]
    public void AReadOnlyFileIsRefusedUnlessTheCallerMayWriteIt()
    {
        // Mode 0444 protects a file from its owner; root may still write it (as cp does), and then the mode is kept.
        string path = Path.Combine(_directory, "frozen.safetensors");
        ModelFile.Save(Model(1f), path);
        UnixFileMode readOnly = UnixFileMode.UserRead | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
        File.SetUnixFileMode(path, readOnly);
        byte[] before = File.ReadAllBytes(path);

        if (Environment.UserName == "root")
        {
            ModelFile.Save(Model(2f), path);
            Assert.Equal(readOnly, File.GetUnixFileMode(path));
            Assert.NotEqual(before, File.ReadAllBytes(path));
        }
        else
        {
            UnauthorizedAccessException error = Assert.Throws<UnauthorizedAccessException>(() => ModelFile.Save(Model(2f), path));
            Assert.StartsWith($"'{path}' may not be written", error.Message, StringComparison.Ordinal);
            Assert.Equal(before, File.ReadAllBytes(path));
        }

        Assert.Equal(["frozen.safetensors"], Files());
    }

    [Fact]
    public void ErrorsNameTheCallersPathNotTheTemporaryFile()
    {
        string path = Path.Combine(_directory, "m.safetensors");
        string? temporary = null;
        IOException error = Assert.Throws<IOException>(() => ModelFile.Save(Model(1f), path, ModelFormat.Safetensors, null, beforeReplace: written =>
        {
            temporary = written;
            throw new IOException($"No space left on device : '{written}'");
        }));

        Assert.Equal($"Cannot save the model to '{path}': No space left on device : '{path}'", error.Message);
        Assert.DoesNotContain(".tmp", error.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(temporary));
        Assert.Empty(Files());

        string missing = Path.Combine(_directory, "no", "such", "m.safetensors");
        DirectoryNotFoundException notFound = Assert.Throws<DirectoryNotFoundException>(() => ModelFile.Save(Model(1f), missing));
        Assert.StartsWith($"Cannot save to '{missing}': the directory", notFound.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TheTemporaryFileOfAKilledSaveIsRemovedByTheNextSave()
    {
        // A save killed outright (kill -9) leaves .{name}.{pid}.{random}.tmp; its pid no longer runs, so the next
        // save to that path removes it. A temporary file whose writer still runs (this process) is left alone.
        string path = Path.Combine(_directory, "m.safetensors");
        int dead = DeadProcessId();
        string stale = Path.Combine(_directory, $".m.safetensors.{dead}.abcd1234.tmp");
        string live = Path.Combine(_directory, $".m.safetensors.{Environment.ProcessId}.efgh5678.tmp");
        string other = Path.Combine(_directory, $".other.safetensors.{dead}.abcd1234.tmp");
        File.WriteAllBytes(stale, new byte[1000]);
        File.WriteAllBytes(live, new byte[10]);
        File.WriteAllBytes(other, new byte[10]);

        ModelFile.Save(Model(1f), path);

        Assert.Equal([$".m.safetensors.{Environment.ProcessId}.efgh5678.tmp", $".other.safetensors.{dead}.abcd1234.tmp", "m.safetensors"], Files());
    }

    [Fact]
    public void AtProcessExitTheTemporaryFileOfASaveInProgressIsRemoved()
    {
        // What the process-exit handler does, run while a save is in progress (between writing and replacing).
        string path = Path.Combine(_directory, "m.safetensors");
        ModelFile.Save(Model(1f), path);
        byte[] before = File.ReadAllBytes(path);
        string? temporary = null;
        Assert.Throws<IOException>(() => ModelFile.Save(Model(2f), path, ModelFormat.Safetensors, null, beforeReplace: written =>
        {
            temporary = written;
            Assert.True(File.Exists(written));
            SaveTarget.RemoveInProgress(_directory); // this test's saves only: other tests save in parallel
        }));

        Assert.False(File.Exists(temporary));
        Assert.Equal(before, File.ReadAllBytes(path));
        Assert.Equal(["m.safetensors"], Files());
    }

    [Fact]
    public void CheckSavePathWritesNothing()
    {
        string path = Path.Combine(_directory, "future.safetensors");
        ModelFile.CheckSavePath(path);
        Assert.Empty(Files());

        ModelFile.Save(Model(1f), path);
        byte[] before = File.ReadAllBytes(path);
        ModelFile.CheckSavePath(path);
        Assert.Equal(before, File.ReadAllBytes(path));
        Assert.Equal(["future.safetensors"], Files());
    }

    private static int DeadProcessId()
    {
        using Process process = Process.Start(new ProcessStartInfo("true") { UseShellExecute = false })!;
        process.WaitForExit();
        return process.Id;
    }

    private static void Run(string program, params string[] arguments) => Assert.True(TryRun(program, arguments), $"{program} failed");

    private static bool TryRun(string program, params string[] arguments)
    {
        var start = new ProcessStartInfo(program) { UseShellExecute = false, RedirectStandardError = true };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using Process process = Process.Start(start)!;
        process.StandardError.ReadToEnd();
        process.WaitForExit();
        return process.ExitCode == 0;
    }
}
