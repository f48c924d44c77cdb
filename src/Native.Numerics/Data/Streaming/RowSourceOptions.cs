namespace Native.Numerics;

/// <summary>Where a <see cref="RowSource"/> keeps its row cache and how it stores the rows.</summary>
public sealed class RowSourceOptions
{
    /// <summary>
    /// The directory of the row cache; null (the default) for beside the data, in the directory of its first file. The
    /// cache is named after the data (<see cref="CacheName"/>) and what is read from it, so caches of other files or other
    /// reading options never collide, and trainings that share a directory share the caches they agree on.
    /// </summary>
    public string? CacheDirectory { get; set; }

    /// <summary>The first part of the cache's file name; null (the default) for the first file's name.</summary>
    public string? CacheName { get; set; }

    /// <summary>How rows that are not small integers are stored (<see cref="RowStorage.Automatic"/>: bytes where exact, else floats).</summary>
    public RowStorage Storage { get; set; }
}
