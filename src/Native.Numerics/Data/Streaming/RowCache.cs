using System.IO.MemoryMappedFiles;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Native.Numerics.Streaming;

/// <summary>
/// A row cache opened for reading: its layout checked (<see cref="RowCacheLayout"/>) and its bytes mapped into memory — a
/// file's pages, read at storage speed and shared with every process reading the same file — or, for rows that never
/// touched a disk (<see cref="RowSource.FromDataset"/>), a block of native memory in the same layout.
/// </summary>
/// <remarks>
/// A block's checksum is checked before its rows are first used (<see cref="Verify"/>): the producer of a streamed epoch
/// checks each block it copies; rows read in place are checked once, when training starts. A block that fails is a
/// <see cref="FileFormatException"/> naming the file, the block and its bytes.
/// </remarks>
internal sealed unsafe class RowCache : IDisposable
{
    private readonly MemoryMappedFile? _file;
    private readonly MemoryMappedViewAccessor? _view;
    private readonly FileStream? _stream;
    private readonly byte* _base;
    private readonly nuint _nativeLength;
    private readonly bool[] _verified;
    private int _disposed;

    private RowCache(RowCacheLayout layout, string? path, MemoryMappedFile? file, MemoryMappedViewAccessor? view, FileStream? stream, byte* origin, nuint nativeLength)
    {
        Layout = layout;
        Path = path;
        _file = file;
        _view = view;
        _stream = stream;
        _base = origin;
        _nativeLength = nativeLength;
        _verified = new bool[layout.Blocks.Length];
    }

    /// <summary>The layout: counts, names, labels, statistics and the block table.</summary>
    public RowCacheLayout Layout { get; }

    /// <summary>The file, or null for rows in memory.</summary>
    public string? Path { get; }

    /// <summary>The name of the rows in messages.</summary>
    public string Name => Path ?? "the rows in memory";

    /// <summary>Opens and checks the cache at <paramref name="path"/>, whose file <paramref name="handle"/> may already hold open (the one just written).</summary>
    /// <exception cref="FileFormatException">The file is not a row cache of this version, or is damaged or truncated.</exception>
    public static RowCache Open(string path, FileStream? handle = null)
    {
        FileStream stream = handle ?? new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, bufferSize: 1);
        try
        {
            long length = stream.Length;
            byte[] header = new byte[RowCacheLayout.HeaderLength];
            stream.Position = 0;
            int got = stream.ReadAtLeast(header, header.Length, throwOnEndOfStream: false);
            RowCacheLayout layout = RowCacheLayout.ReadHeader(header.AsSpan(0, got), length, path);
            byte[] trailer = new byte[layout.TrailerLength];
            stream.Position = layout.TrailerOffset;
            stream.ReadExactly(trailer);
            layout.ReadTrailer(trailer, path);

            // The stream stays open beside the mapping (leaveOpen), for ReadBlock's positioned reads; Dispose closes both.
            var file = MemoryMappedFile.CreateFromFile(stream, mapName: null, 0, MemoryMappedFileAccess.Read, HandleInheritability.None, leaveOpen: true);
            MemoryMappedViewAccessor? view = null;
            try
            {
                view = file.CreateViewAccessor(0, 0, MemoryMappedFileAccess.Read);
                byte* origin = null;
                view.SafeMemoryMappedViewHandle.AcquirePointer(ref origin);
                return new RowCache(layout, path, file, view, stream, origin + view.PointerOffset, 0);
            }
            catch
            {
                view?.Dispose();
                file.Dispose();
                throw;
            }
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }

    /// <summary>A cache of <paramref name="bytes"/> (a whole cache file's content) held in native memory.</summary>
    public static RowCache InMemory(ReadOnlySpan<byte> bytes)
    {
        RowCacheLayout layout = RowCacheLayout.ReadHeader(bytes, bytes.Length, "the rows in memory");
        layout.ReadTrailer(bytes.Slice((int)layout.TrailerOffset, (int)layout.TrailerLength), "the rows in memory");
        nuint length = (nuint)bytes.Length;
        byte* memory = (byte*)NativeMemory.AlignedAlloc(length, 4096);
        bytes.CopyTo(new Span<byte>(memory, bytes.Length));
        GC.AddMemoryPressure(bytes.Length);
        var cache = new RowCache(layout, null, null, null, null, memory, length);
        cache._verified.AsSpan().Fill(true); // just written from memory, never on a disk
        return cache;
    }

    /// <summary>The first byte of block <paramref name="block"/>'s rows.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ref byte Block(int block) => ref *(_base + Layout.Blocks[block].Offset);

    /// <summary>Block <paramref name="block"/>'s bytes: its rows (padded), then its labels (padded).</summary>
    public ReadOnlySpan<byte> BlockBytes(int block) => new(_base + Layout.Blocks[block].Offset, checked((int)Layout.BlockLength(block)));

    /// <summary>
    /// Copies block <paramref name="block"/>'s bytes into <paramref name="destination"/> (at least <see cref="RowCacheLayout.BlockLength"/>
    /// long) and checks them against the block's checksum: from a file by positioned reads, a block in a few large requests,
    /// not through the mapping, whose page faults read it a few pages at a time — under a memory limit that evicts the
    /// mapping's pages as fast as they come, 4× slower (docs/scale.md).
    /// </summary>
    /// <exception cref="FileFormatException">The block's bytes are not those written, or the file ends early.</exception>
    public void ReadBlock(int block, Span<byte> destination)
    {
        int length = checked((int)Layout.BlockLength(block));
        Span<byte> copy = destination[..length];
        if (_stream is null)
        {
            BlockBytes(block).CopyTo(copy);
        }
        else
        {
            long offset = Layout.Blocks[block].Offset;
            int done = 0;
            while (done < length)
            {
                int got = RandomAccess.Read(_stream.SafeFileHandle, copy[done..], offset + done);
                if (got == 0)
                {
                    throw FileFormatException.AtOffset(Path, offset + done, RowCacheLayout.Invariant($"the row cache ends inside block {block} ({length} bytes from byte {offset}): it was truncated while in use."));
                }

                done += got;
            }
        }

        Check(block, copy);
    }

    /// <summary>Checks block <paramref name="block"/>'s checksum, once.</summary>
    /// <exception cref="FileFormatException">The block's bytes are not those written.</exception>
    public void Verify(int block)
    {
        if (!_verified[block])
        {
            Check(block, BlockBytes(block));
            _verified[block] = true;
        }
    }

    /// <summary>Checks <paramref name="bytes"/> (block <paramref name="block"/>, perhaps a copy of it) against the block's checksum.</summary>
    public void Check(int block, ReadOnlySpan<byte> bytes)
    {
        if (RowCacheLayout.Checksum(bytes) != Layout.Blocks[block].Checksum)
        {
            BlockEntry entry = Layout.Blocks[block];
            throw FileFormatException.AtOffset(Path, entry.Offset, RowCacheLayout.Invariant($"block {block} of the row cache ({bytes.Length} bytes, rows {(long)block * Layout.BlockRows} to {((long)block * Layout.BlockRows) + entry.Rows - 1}) fails its checksum: the cache is damaged. Delete it; it is made again from the data."));
        }
    }

    /// <summary>Whether the cache was made from <paramref name="files"/> as they are now, read as <paramref name="description"/> says.</summary>
    public bool Matches(string description, IReadOnlyList<string> files, out string reason)
    {
        reason = "";
        if (!string.Equals(Layout.Description, description, StringComparison.Ordinal))
        {
            reason = "it was made with other reading options";
            return false;
        }

        if (Layout.Files.Length != files.Count)
        {
            reason = "it was made from other files";
            return false;
        }

        for (int f = 0; f < files.Count; f++)
        {
            SourceFile now = SourceFile.Now(files[f]);
            if (now != Layout.Files[f])
            {
                reason = now.Path != Layout.Files[f].Path ? "it was made from other files" : $"'{files[f]}' has changed since (its size or modification time)";
                return false;
            }
        }

        return true;
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        if (_view is not null)
        {
            _view.SafeMemoryMappedViewHandle.ReleasePointer();
            _view.Dispose();
            _file!.Dispose();
            _stream?.Dispose();
        }
        else
        {
            NativeMemory.AlignedFree(_base);
            GC.RemoveMemoryPressure((long)_nativeLength);
        }
    }
}
