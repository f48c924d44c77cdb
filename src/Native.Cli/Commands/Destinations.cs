using Native.Cli.Platform;

namespace Native.Cli.Commands;

/// <summary>
/// What a command reads and what it writes, checked before any work so that no output can destroy an input: every
/// command that reads and writes files states both here and calls <see cref="Check"/>. A destination may not be one
/// of the inputs, nor another destination, after following links (on Linux by device and inode: a symbolic or hard
/// link, <c>./d.csv</c> and <c>d.csv</c> are one file); and standard output, when it is a file, may be neither an
/// input (<c>native predict --input rows.csv &gt;&gt; rows.csv</c> would read its own output forever) nor a destination.
/// </summary>
internal sealed class Destinations
{
    private readonly List<Place> _reads = [];
    private readonly List<Place> _writes = [];
    private readonly List<(string What, string Directory, Func<string, bool> Names)> _directories = [];

    /// <summary>A file or place a command reads or writes: the option that named it, the path given, its identity.</summary>
    private sealed record Place(string What, string Path, string Identity);

    /// <summary>The command reads <paramref name="path"/> (named by the option <paramref name="what"/>); a path where nothing is, is left to the reader to report.</summary>
    public Destinations Reads(string what, string path)
    {
        FileStatus status = FileStatus.Of(path);
        if (status.Kind != FileKind.Missing)
        {
            _reads.Add(new Place(what, path, status.Identity));
        }

        return this;
    }

    /// <summary>The command reads standard input.</summary>
    public Destinations ReadsStandardInput()
    {
        if (FileStatus.OfDescriptor(0) is { Kind: FileKind.RegularFile } status)
        {
            _reads.Add(new Place("standard input", "-", status.Identity));
        }

        return this;
    }

    /// <summary>The command writes (replaces or creates) the file <paramref name="path"/>, following a symbolic link to where it leads.</summary>
    public Destinations Writes(string what, string path)
    {
        _writes.Add(new Place(what, path, FileStatus.TargetIdentity(path)));
        return this;
    }

    /// <summary>The command writes files named as <paramref name="names"/> accepts into <paramref name="directory"/>.</summary>
    public Destinations WritesInto(string what, string directory, Func<string, bool> names)
    {
        _directories.Add((what, directory, names));
        _writes.Add(new Place(what, directory, FileStatus.TargetIdentity(directory)));
        return this;
    }

    /// <summary>Throws a <see cref="UsageException"/> naming both paths if a destination is an input, another destination, or standard output.</summary>
    public void Check()
    {
        List<Place> writes = [.. _writes];
        foreach (var (what, directory, names) in _directories)
        {
            // The files already there that would be replaced; one not there yet is a name in the directory.
            if (Directory.Exists(directory))
            {
                foreach (string file in Directory.EnumerateFileSystemEntries(directory))
                {
                    if (names(Path.GetFileName(file)))
                    {
                        writes.Add(new Place(what, file, FileStatus.TargetIdentity(file)));
                    }
                }
            }

            string inside = FileStatus.TargetIdentity(directory);
            foreach (Place write in _writes)
            {
                if (write.What != what && write.Identity.StartsWith(inside + "/", StringComparison.Ordinal) && names(write.Identity[(inside.Length + 1)..]))
                {
                    throw Clash(write, new Place(what, Path.Combine(directory, write.Identity[(inside.Length + 1)..]), write.Identity), "writes", "one would overwrite the other");
                }
            }
        }

        foreach (Place write in writes)
        {
            if (_reads.FirstOrDefault(read => read.Identity == write.Identity) is { } input)
            {
                throw Clash(write, input, "reads", "writing it would destroy what is read");
            }
        }

        for (int i = 0; i < writes.Count; i++)
        {
            for (int j = i + 1; j < writes.Count; j++)
            {
                if (writes[i].Identity == writes[j].Identity && writes[i].What != writes[j].What)
                {
                    throw Clash(writes[j], writes[i], "writes", "one would overwrite the other");
                }
            }
        }

        if (FileStatus.OfDescriptor(1) is { Kind: FileKind.RegularFile } output)
        {
            if (_reads.FirstOrDefault(read => read.Identity == output.Identity) is { } input)
            {
                throw new UsageException($"standard output is {Name(input, "reads")}: the command would read what it writes. Redirect the output to another file.");
            }

            if (writes.FirstOrDefault(write => write.Identity == output.Identity) is { } written)
            {
                throw new UsageException($"standard output is {Name(written, "writes")}: that file would replace what is printed. Redirect the output to another file.");
            }
        }
    }

    private static UsageException Clash(Place write, Place other, string verb, string why) =>
        new($"{write.What} '{Output.Printable.Text(write.Path)}' is {Name(other, verb, write.Path)}; {why}. Name another file.");

    /// <summary>"the file --data reads ('d.csv')", the path left out where the message has just given it.</summary>
    private static string Name(Place place, string verb, string? given = null) =>
        place.Path == "-" ? place.What : place.Path == given ? $"the file {place.What} {verb}" : $"the file {place.What} {verb} ('{Output.Printable.Text(place.Path)}')";
}
