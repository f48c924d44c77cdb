using System.Globalization;

namespace Native.Cli.Commands;

/// <summary>
/// How <c>native train</c> meets data larger than memory: the memory budget, whether rows stream, where the row cache
/// goes, and the checkpoints.
/// </summary>
/// <param name="MemoryBytes">The budget given with <c>--memory</c>, or null for the default (a share of what this process may use).</param>
/// <param name="Stream">Whether <c>--stream</c> asks for streaming whatever the data's size.</param>
/// <param name="CacheDirectory">Where the row cache goes (<c>--cache</c>), or null for beside the data.</param>
/// <param name="CheckpointEpochs">A checkpoint every this many epochs, or 0.</param>
/// <param name="CheckpointInterval">A checkpoint every this long, or zero.</param>
/// <param name="CheckpointPath">The checkpoint file (<c>--checkpoint</c>), or null for the default beside the model or the data.</param>
/// <param name="Resume">Whether <c>--resume</c> continues from the checkpoint.</param>
internal sealed record ScaleSettings(long? MemoryBytes, bool Stream, string? CacheDirectory, int CheckpointEpochs, TimeSpan CheckpointInterval, string? CheckpointPath, bool Resume)
{
    /// <summary>No budget, no streaming asked for, no checkpoints.</summary>
    public static ScaleSettings None { get; } = new(null, false, null, 0, TimeSpan.Zero, null, false);

    /// <summary>The share of what this process may use that the default budget takes: the rest is the runtime's and the page cache's.</summary>
    public const double DefaultShare = 0.75;

    /// <summary>Whether checkpoints are asked for.</summary>
    public bool Checkpoints => CheckpointEpochs > 0 || CheckpointInterval > TimeSpan.Zero;

    /// <summary>The budget: the one given, else <see cref="DefaultShare"/> of <paramref name="available"/> (the machine's memory, or a cgroup's limit as .NET reads it).</summary>
    public long Budget(long available) => MemoryBytes ?? (long)(available * DefaultShare);

    /// <summary>The checkpoint file: the one given, else <c>--out</c>'s name or the data's with <c>.checkpoint</c> added.</summary>
    public string CheckpointFile(string data, string? output) => CheckpointPath ?? (output ?? Path.TrimEndingDirectorySeparator(data).Replace('*', '_').Replace('?', '_')) + ".checkpoint";

    /// <summary>A size such as 2GB, 512MB, 1.5G, 64MiB or a number of bytes; one line saying what was wrong otherwise.</summary>
    public static long ParseSize(string text, string option)
    {
        string trimmed = text.Trim();
        int end = 0;
        while (end < trimmed.Length && (char.IsAsciiDigit(trimmed[end]) || trimmed[end] == '.'))
        {
            end++;
        }

        long unit = trimmed[end..].Trim().ToUpperInvariant() switch
        {
            "" or "B" => 1,
            "K" or "KB" or "KIB" => 1L << 10,
            "M" or "MB" or "MIB" => 1L << 20,
            "G" or "GB" or "GIB" => 1L << 30,
            "T" or "TB" or "TIB" => 1L << 40,
            _ => 0,
        };
        if (unit == 0 || !double.TryParse(trimmed.AsSpan(0, end), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out double value) || !(value > 0) || value * unit >= long.MaxValue)
        {
            throw new UsageException($"{option} takes a size such as 2GB, 512MB or 1.5G (units of 1024), got '{text}'.");
        }

        return (long)(value * unit);
    }

    /// <summary>A checkpoint interval: a whole number of epochs (5), or a time (30s, 5m, 1h); one line saying what was wrong otherwise.</summary>
    public static (int Epochs, TimeSpan Interval) ParseEvery(string text, string option)
    {
        string trimmed = text.Trim();
        if (int.TryParse(trimmed, NumberStyles.None, CultureInfo.InvariantCulture, out int epochs) && epochs > 0)
        {
            return (epochs, TimeSpan.Zero);
        }

        double seconds = trimmed.Length > 1 && double.TryParse(trimmed.AsSpan(0, trimmed.Length - 1), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out double value) && value > 0
            ? char.ToLowerInvariant(trimmed[^1]) switch { 's' => value, 'm' => value * 60, 'h' => value * 3600, _ => 0 }
            : 0;
        if (!(seconds >= 1) || seconds > TimeSpan.MaxValue.TotalSeconds / 2)
        {
            throw new UsageException($"{option} takes a number of epochs (5) or a time of at least a second (30s, 5m, 1h), got '{text}'.");
        }

        return (0, TimeSpan.FromSeconds(seconds));
    }
}
