using System.Globalization;
using System.Runtime.ExceptionServices;
using System.Text;
using Native.Numerics.Serialization;
using Native.Numerics.Streaming;

namespace Native.Numerics;

/// <summary>
/// Training rows that need not fit in memory: a file's rows (CSV, Parquet, any <see cref="RowReader"/>) parsed once into a
/// row cache on disk, a compact binary copy that later epochs read memory-mapped, at storage speed; a
/// <see cref="Trainer"/> trains on it as on a <see cref="Dataset"/> (<see cref="Trainer.Fit(RowSource, RowSource?, ITrainingCallback?, CancellationToken)"/>),
/// within the memory <see cref="TrainerOptions.MemoryBudget"/> allows.
/// </summary>
/// <remarks>
/// <para>
/// <b>The first pass</b> (<see cref="Open(RowReader, RowSourceOptions?, CancellationToken)"/>) reads every row once and
/// writes the cache while it gathers what training needs before its first step: the classes (numbered as
/// <see cref="Csv.Read(string, CsvOptions?)"/> numbers them), the rows of each class, and each feature's statistics (the
/// standardizer, <see cref="FitStandardizer"/>). A cache made from the same files — same size and modification time —
/// read the same way is used again without reading the data; a stale, damaged or truncated one, or one written by
/// another version, is made again. The cache is written to a temporary name and renamed, so a cache never exists half
/// written, and trainings that share a cache directory cannot corrupt each other's.
/// </para>
/// <para>
/// <b>Compact rows</b> (<see cref="RowStorage"/>): rows are stored in blocks of a few hundred, each block as bytes when all
/// its values are integers from 0 to 255 (or such integers over 255: pixels scaled to [0, 1]), else as floats (or, when
/// asked, 16-bit floats); the cache of MNIST's pixels is a quarter of its floats. Rows are widened back to floats as a
/// batch is gathered.
/// </para>
/// <para>
/// <b>Views</b>: <see cref="Split"/> divides the rows (stratified by class, if asked) into two row sources that share the
/// cache and cost a bit a row; <see cref="Standardizer.Transform(RowSource)"/> gives one whose rows are standardized as they
/// are read. Dispose every row source when done; the cache stays mapped while any of them is open.
/// </para>
/// </remarks>
public sealed partial class RowSource : IDisposable
{
    /// <summary>The extension of a row cache file.</summary>
    public const string CacheExtension = ".native-rows";

    private readonly Shared _shared;
    private readonly ulong[]? _included;
    private readonly Standardizer? _standardizer;
    private readonly TargetStandardizer? _targetStandardizer;
    private bool _disposed;

    private RowSource(Shared shared, ulong[]? included, long count, Standardizer? standardizer, TargetStandardizer? targetStandardizer = null)
    {
        _shared = shared;
        _included = included;
        Count = count;
        _standardizer = standardizer;
        _targetStandardizer = targetStandardizer;
        Interlocked.Increment(ref shared.Holders);
    }

    /// <summary>The number of rows.</summary>
    public long Count { get; }

    /// <summary>The number of features in each row.</summary>
    public int Features => Layout.Features;

    /// <summary>Whether rows carry class labels (otherwise regression targets).</summary>
    public bool HasLabels => Layout.Labels == CachedLabels.Classes;

    /// <summary>The number of classes (0 for regression).</summary>
    public int Classes => Layout.Classes;

    /// <summary>The class names the data gave, in class order; empty when it named none.</summary>
    public IReadOnlyList<string> ClassNames => Layout.ClassNames;

    /// <summary>The feature columns' names, or empty.</summary>
    public IReadOnlyList<string> FeatureNames => Layout.FeatureNames;

    /// <summary>The label column's name, or null.</summary>
    public string? LabelName => Layout.LabelName;

    /// <summary>The row cache file, or null for rows held in memory (<see cref="FromDataset"/>).</summary>
    public string? CachePath => Cache.Path;

    /// <summary>Whether an existing cache served, so the data were not read; false when this opening made the cache.</summary>
    public bool CacheReused => _shared.Reused;

    /// <summary>Why the cache was made when one was there (it was stale, damaged, or of another version); null otherwise.</summary>
    public string? CacheRebuiltBecause => _shared.RebuiltBecause;

    /// <summary>The bytes all the cache's rows take as stored (the rows of views included).</summary>
    public long StoredBytes
    {
        get
        {
            long total = 0;
            for (int b = 0; b < Layout.Blocks.Length; b++)
            {
                total += Layout.RowBytes(b);
            }

            return total;
        }
    }

    /// <summary>How the rows are stored, in words: "bytes", "floats", "bytes (12 of 40 blocks) and floats".</summary>
    public string StorageDescription
    {
        get
        {
            var counts = new SortedDictionary<BlockType, int>();
            foreach (BlockEntry block in Layout.Blocks)
            {
                counts[block.Type] = counts.GetValueOrDefault(block.Type) + 1;
            }

            static string Word(BlockType type) => type switch
            {
                BlockType.Byte => "bytes",
                BlockType.Float16 => "float16",
                BlockType.BFloat16 => "bfloat16",
                _ => "float32",
            };

            return counts.Count == 1
                ? Word(counts.Keys.First())
                : string.Join(" and ", counts.Select(pair => string.Create(CultureInfo.InvariantCulture, $"{Word(pair.Key)} ({pair.Value} of {Layout.Blocks.Length} blocks)")));
        }
    }

    internal RowCache Cache => _shared.Cache;

    internal RowCacheLayout Layout => _shared.Cache.Layout;

    /// <summary>The rows included (one bit per cache row), or null for all of them.</summary>
    internal ReadOnlySpan<ulong> Included => _included;

    internal Standardizer? Standardizer => _standardizer;

    /// <summary>The standardizer of this view's targets, applied as they are read, or null.</summary>
    internal TargetStandardizer? TargetStandardizer => _targetStandardizer;

    /// <summary>
    /// Reads <paramref name="reader"/>'s rows into a row cache, or uses the cache already made from the same files read
    /// the same way; takes ownership of the reader (disposes it).
    /// </summary>
    /// <param name="reader">The rows: <see cref="Csv.OpenRows(string, CsvOptions?)"/>, the Parquet package's reader, or a reader of your own.</param>
    /// <param name="options">Where the cache goes and how rows are stored; null for beside the data, automatic.</param>
    /// <param name="cancellationToken">Checked between blocks of the first pass; a cancelled pass leaves no file.</param>
    /// <exception cref="FileFormatException">The data are not valid (the reader's message, saying where).</exception>
    /// <exception cref="IOException">The cache cannot be written (a full disk, say): the message says where and how much it needs; nothing is left behind.</exception>
    public static RowSource Open(RowReader reader, RowSourceOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(reader);
        using (reader)
        {
            options ??= new RowSourceOptions();
            if (!Enum.IsDefined(options.Storage))
            {
                throw new ArgumentOutOfRangeException(nameof(options), options.Storage, "Unknown row storage.");
            }

            string path = CachePathFor(reader, options);
            string? rebuilt = null;
            if (File.Exists(path))
            {
                RowCache? found = TryReuse(path, reader, out rebuilt);
                if (found is not null)
                {
                    return new RowSource(new Shared(found, reused: true, null), null, found.Layout.Rows, null);
                }
            }

            Build(reader, path, options.Storage, cancellationToken);
            RowCache cache = RowCache.Open(path);
            if (!cache.Matches(reader.Description, reader.Files, out string reason))
            {
                cache.Dispose();
                throw new IOException($"The data changed while the row cache '{path}' was made from them ({reason}); train again.");
            }

            return new RowSource(new Shared(cache, reused: false, rebuilt), null, cache.Layout.Rows, null);
        }
    }

    /// <summary>Opens the row cache file at <paramref name="path"/> as it is, without its data (which may be gone).</summary>
    /// <exception cref="FileFormatException">The file is not a row cache of this version, or is damaged or truncated.</exception>
    public static RowSource OpenCache(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        RowCache cache = RowCache.Open(path);
        return new RowSource(new Shared(cache, reused: true, null), null, cache.Layout.Rows, null);
    }

    /// <summary>
    /// The rows of <paramref name="data"/> held in memory in the compact form (<paramref name="storage"/>): bytes where a
    /// block's values allow, so MNIST's pixels (k / 255) take a quarter of their floats. Its labels, class names and
    /// feature names are kept; sample weights are not (a row source has none).
    /// </summary>
    /// <exception cref="ArgumentException">The dataset has sample weights, or its compact form is larger than 2 GB.</exception>
    public static RowSource FromDataset(Dataset data, RowStorage storage = RowStorage.Automatic)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (!data.SampleWeights.IsEmpty)
        {
            throw new ArgumentException("A row source has no sample weights; use class weights (TrainerOptions.ClassWeights), or train on the dataset.", nameof(data));
        }

        using var memory = new MemoryStream();
        using (var reader = new DatasetReader(data))
        {
            try
            {
                RowCacheWriter.Write(reader, memory, storage, CancellationToken.None);
            }
            catch (NotSupportedException e)
            {
                throw new ArgumentException("The dataset's compact form is larger than 2 GB, the most held in memory; open it from a file (RowSource.Open) instead.", nameof(data), e);
            }
        }

        RowCache cache = RowCache.InMemory(memory.GetBuffer().AsSpan(0, (int)memory.Length));
        return new RowSource(new Shared(cache, reused: false, null), null, cache.Layout.Rows, null);
    }

    /// <summary>
    /// The standardizer of these rows' features: fitted as <see cref="Standardizer.Fit(Dataset)"/> fits one (means and
    /// population deviations, a constant feature only centred). For a whole cache it comes from the statistics its first
    /// pass gathered, without reading the rows again; for a view (a side of <see cref="Split"/>) from two passes over its rows.
    /// </summary>
    public Standardizer FitStandardizer()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return _included is null ? Layout.Statistics.ToStandardizer() : FitByPasses();
    }

    /// <summary>Closes this row source; the cache is unmapped when the last row source on it is closed.</summary>
    public void Dispose()
    {
        if (!_disposed)
        {
            _disposed = true;
            if (Interlocked.Decrement(ref _shared.Holders) == 0)
            {
                _shared.Cache.Dispose();
            }
        }
    }

    /// <summary>
    /// Where the cache of <paramref name="reader"/>'s rows goes: <c>{name}.{hash}.native-rows</c> in the cache directory, the
    /// hash (8 hex digits) of the files' full paths and the reader's description.
    /// </summary>
    internal static string CachePathFor(RowReader reader, RowSourceOptions options)
    {
        string? first = reader.Files.Count > 0 ? Path.GetFullPath(reader.Files[0]) : null;
        string directory = options.CacheDirectory ?? (first is null ? throw new ArgumentException("The rows come from no file: give RowSourceOptions.CacheDirectory.", nameof(options)) : Path.GetDirectoryName(first)!);
        string name = options.CacheName ?? (first is null ? "rows" : Path.GetFileName(first));
        var identity = new StringBuilder(reader.Description);
        foreach (string file in reader.Files)
        {
            identity.Append('\n').Append(Path.GetFullPath(file));
        }

        uint hash = RowCacheLayout.Checksum(Encoding.UTF8.GetBytes(identity.ToString()));
        return Path.Combine(directory, string.Create(CultureInfo.InvariantCulture, $"{name}.{hash:x8}{CacheExtension}"));
    }

    /// <summary>The cache at <paramref name="path"/> if it is sound and made from the reader's files as they are; else null and why.</summary>
    private static RowCache? TryReuse(string path, RowReader reader, out string? reason)
    {
        RowCache cache;
        try
        {
            cache = RowCache.Open(path);
        }
        catch (FileFormatException e)
        {
            reason = e.Message;
            return null;
        }

        if (cache.Matches(reader.Description, reader.Files, out string stale))
        {
            reason = null;
            return cache;
        }

        cache.Dispose();
        reason = $"'{path}': {stale}";
        return null;
    }

    /// <summary>Writes the cache under a temporary name beside <paramref name="path"/>, then renames it; on any failure nothing is left.</summary>
    private static void Build(RowReader reader, string path, RowStorage storage, CancellationToken cancellationToken)
    {
        string? directory = Path.GetDirectoryName(path);
        if (directory is not null && !Directory.Exists(directory))
        {
            throw new DirectoryNotFoundException($"The row cache's directory '{directory}' does not exist.");
        }

        // The data's own errors (a FileFormatException is an IOException) pass through as they are; only the cache
        // file's failures say "Cannot save the row cache".
        FileFormatException? dataError = null;
        void Write(Stream stream)
        {
            try
            {
                RowCacheWriter.Write(reader, WrapCacheStream?.Invoke(stream) ?? stream, storage, cancellationToken);
            }
            catch (FileFormatException e)
            {
                dataError = e;
                throw;
            }
        }

        try
        {
            SaveTarget.Replace(path, path, Write, null, flushToDisk: false, "the row cache", cancellationToken);
        }
        catch (IOException) when (dataError is not null)
        {
            ExceptionDispatchInfo.Throw(dataError);
        }
        catch (IOException e) when (IsDiskFull(e))
        {
            throw new IOException($"{e.Message} The row cache needs about {Size(EstimateBytes(reader))} in '{directory}'; free that much there, or put the cache on a disk with room.", e);
        }
    }

    /// <summary>For tests: wraps the cache file's stream as it is written (a disk that fills, say), on this thread only.</summary>
    [ThreadStatic]
    internal static Func<Stream, Stream>? WrapCacheStream;

    /// <summary>Whether <paramref name="e"/> is a full disk (or quota): ENOSPC, EDQUOT, or Windows's disk-full codes.</summary>
    private static bool IsDiskFull(IOException e) =>
        (e.HResult & 0xFFFF) is 28 or 122 or 0x70 or 0x27 || (e.InnerException is IOException inner && IsDiskFull(inner));

    /// <summary>A rough upper bound of a cache's size: the data files' size (a row's text is at least its bytes, mostly).</summary>
    private static long EstimateBytes(RowReader reader) => reader.Files.Sum(file => File.Exists(file) ? new FileInfo(file).Length : 0);

    internal static string Size(long bytes) => bytes switch
    {
        >= 1_000_000_000 => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1e9:0.0} GB"),
        >= 1_000_000 => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1e6:0.0} MB"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1e3:0.0} kB"),
    };

    /// <summary>What every row source on one cache shares: the cache, how it was opened, and how many hold it.</summary>
    private sealed class Shared(RowCache cache, bool reused, string? rebuiltBecause)
    {
        public int Holders;

        public RowCache Cache { get; } = cache;

        public bool Reused { get; } = reused;

        public string? RebuiltBecause { get; } = rebuiltBecause;
    }
}
