namespace Native.Numerics;

/// <summary>How <see cref="Idx"/> reads a file: the limit that keeps a gzip bomb from taking the machine's memory.</summary>
public sealed class IdxOptions
{
    /// <summary>The default of <see cref="MaxCompressionRatio"/>: 100.</summary>
    public const int DefaultMaxCompressionRatio = 100;

    /// <summary>
    /// What any gzip file may expand to, whatever its ratio: 64 MiB, so small files of blank images (which
    /// compress a thousandfold) still read.
    /// </summary>
    public const long MinimumAllowance = 64L * 1024 * 1024;

    internal static readonly IdxOptions Default = new();

    /// <summary>
    /// The most a gzip-compressed IDX file may expand: its decompressed content may be at most this many times its
    /// compressed size (or <see cref="MinimumAllowance"/>, whichever is more). Default 100; MNIST's files expand
    /// about 5 times, and deflate's largest ratio, about 1,030, is what a gzip bomb uses. For a file that can
    /// seek, the header's declared size is checked against the limit before anything is allocated; otherwise
    /// the content is checked as it streams.
    /// </summary>
    public int MaxCompressionRatio { get; init; } = DefaultMaxCompressionRatio;

    /// <summary>What <paramref name="compressed"/> bytes of gzip may expand to.</summary>
    internal long Allowance(long compressed) => Math.Max(MinimumAllowance, compressed > long.MaxValue / MaxCompressionRatio ? long.MaxValue : compressed * MaxCompressionRatio);

    internal void Validate()
    {
        if (MaxCompressionRatio < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxCompressionRatio), MaxCompressionRatio, "The largest compression ratio must be at least 1.");
        }
    }
}
