using Native.Cli.Platform;

namespace Native.Cli;

/// <summary>Where a command writes, whether that is a terminal, the token that stops it, and its standard input.</summary>
internal sealed record CliContext(TextWriter Out, TextWriter Error, bool Terminal, CancellationToken Cancellation)
{
    /// <summary>Opens standard input (for <c>--input -</c>); tests give their own.</summary>
    public Func<Stream> OpenInput { get; init; } = Console.OpenStandardInput;

    /// <summary>The signals that cancel the command, when it runs as the program (null in tests that run it in-process).</summary>
    public Interruption? Interruption { get; init; }

    /// <summary>The command has done what a signal can no longer undo (a model file replaced); <paramref name="what"/> says what.</summary>
    public void Done(string what) => Interruption?.Done(what);
}

/// <summary>The exit codes of the <c>native</c> command.</summary>
internal static class ExitCodes
{
    public const int Success = 0;
    public const int BadInput = 1;
    public const int Diverged = 2;
    public const int Failure = 3;

    /// <summary>Standard output's reader went away: 128 + SIGPIPE, what a shell reports for a program SIGPIPE ended.</summary>
    public const int BrokenPipe = 141;
}

/// <summary>A mistake in the arguments or the input the user gave: reported in one line, exit code 1.</summary>
internal sealed class UsageException(string message) : Exception(message);
