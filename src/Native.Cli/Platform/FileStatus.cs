namespace Native.Cli.Platform;

/// <summary>What kind of thing a path names, after following symbolic links.</summary>
internal enum FileKind
{
    Missing,
    RegularFile,
    Directory,
    CharacterDevice,
    BlockDevice,
    Fifo,
    Socket,
    Other,
}

/// <summary>
/// A file's kind and identity. Two paths name the same file when their <see cref="Identity"/> is equal: on Linux the
/// device and inode (<c>statx</c>, links followed), so a hard link, a symbolic link, <c>./</c>, <c>..</c> and a
/// bind mount are all seen through; elsewhere the full path with its links resolved.
/// </summary>
internal readonly record struct FileStatus(FileKind Kind, string Identity)
{
    private const int CurrentDirectory = -100, EmptyPath = 0x1000, TypeAndInode = 0x1 | 0x100;
    private const int ModeOffset = 28, InodeOffset = 32, DeviceMajorOffset = 136, DeviceMinorOffset = 140;

    /// <summary>The kind in words, for a message: "a directory", "a character device", ….</summary>
    public string Description => Kind switch
    {
        FileKind.RegularFile => "a regular file",
        FileKind.Directory => "a directory",
        FileKind.CharacterDevice => "a character device",
        FileKind.BlockDevice => "a block device",
        FileKind.Fifo => "a FIFO (named pipe)",
        FileKind.Socket => "a socket",
        FileKind.Missing => "missing",
        _ => "not a regular file",
    };

    /// <summary>The status of <paramref name="path"/> (links followed); <see cref="FileKind.Missing"/> where nothing is, or where it cannot be seen.</summary>
    public static FileStatus Of(string path)
    {
        if (OperatingSystem.IsLinux() && Statx(path, descriptor: -1) is { } status)
        {
            return status;
        }

        string full = Resolved(path);
        FileKind kind = Directory.Exists(full) ? FileKind.Directory : File.Exists(full) ? FileKind.RegularFile : FileKind.Missing;
        return new FileStatus(kind, OperatingSystem.IsWindows() ? full.ToUpperInvariant() : full);
    }

    /// <summary>The status of an open descriptor (0, 1 or 2), or null where it cannot be told (not Linux, or closed).</summary>
    public static FileStatus? OfDescriptor(int descriptor) => OperatingSystem.IsLinux() ? Statx(string.Empty, descriptor) : null;

    /// <summary>
    /// The identity of the file a write to <paramref name="path"/> reaches: the existing file's, links followed; for a
    /// path where nothing is yet, its directory's identity and its name, so that two names for one new file agree.
    /// </summary>
    public static string TargetIdentity(string path)
    {
        FileStatus status = Of(path);
        if (status.Kind != FileKind.Missing)
        {
            return status.Identity;
        }

        // A link to a file not yet made names that file; otherwise the path itself.
        string full = Path.GetFullPath(path);
        try
        {
            if (File.ResolveLinkTarget(full, returnFinalTarget: true) is { } linked)
            {
                full = linked.FullName;
            }
        }
        catch (IOException)
        {
            // A chain of links that does not end: the path itself stands for the file.
        }

        string directory = Path.GetDirectoryName(full) ?? full;
        FileStatus parent = Of(directory);
        return (parent.Kind == FileKind.Missing ? directory : parent.Identity) + "/" + Path.GetFileName(full);
    }

    private static unsafe FileStatus? Statx(string path, int descriptor)
    {
        byte* buffer = stackalloc byte[256];
        byte[] name = System.Text.Encoding.UTF8.GetBytes(path + "\0");
        int result;
        try
        {
            fixed (byte* pathname = name)
            {
                result = descriptor >= 0
                    ? Posix.Statx(descriptor, pathname, EmptyPath, TypeAndInode, buffer)
                    : Posix.Statx(CurrentDirectory, pathname, 0, TypeAndInode, buffer);
            }
        }
        catch (EntryPointNotFoundException)
        {
            return null; // a C library without statx (before glibc 2.28): the caller falls back to paths
        }

        if (result != 0)
        {
            return descriptor >= 0 ? null : new FileStatus(FileKind.Missing, Path.GetFullPath(path));
        }

        FileKind kind = (*(ushort*)(buffer + ModeOffset) & 0xF000) switch
        {
            0x8000 => FileKind.RegularFile,
            0x4000 => FileKind.Directory,
            0x2000 => FileKind.CharacterDevice,
            0x6000 => FileKind.BlockDevice,
            0x1000 => FileKind.Fifo,
            0xC000 => FileKind.Socket,
            _ => FileKind.Other,
        };
        uint major = *(uint*)(buffer + DeviceMajorOffset), minor = *(uint*)(buffer + DeviceMinorOffset);
        ulong inode = *(ulong*)(buffer + InodeOffset);
        return new FileStatus(kind, FormattableString.Invariant($"{major}:{minor}:{inode}"));
    }

    /// <summary>The full path with symbolic links resolved, component by component where they exist.</summary>
    private static string Resolved(string path)
    {
        string full = Path.GetFullPath(path);
        try
        {
            return File.ResolveLinkTarget(full, returnFinalTarget: true)?.FullName ?? full;
        }
        catch (IOException)
        {
            return full;
        }
    }
}
