using Native.Cli;

// Ctrl+C asks the command to stop: training at the next slice of a batch, reading at the next block. If it has not
// stopped a second later (a save, a long evaluation), or at a second Ctrl+C, the process ends; either way with exit
// code 3, and a save in progress leaves no temporary file (the library removes it as the process exits).
using var cancellation = new CancellationTokenSource();
int presses = 0, finished = 0;
Timer? backstop = null;
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    if (Interlocked.Increment(ref presses) == 1)
    {
        cancellation.Cancel();
        backstop = new Timer(_ => End(), null, TimeSpan.FromSeconds(1), Timeout.InfiniteTimeSpan);
    }
    else
    {
        End();
    }
};

try
{
    return CommandLine.Run(args, new CliContext(Console.Out, Console.Error, Terminal: !Console.IsOutputRedirected, cancellation.Token));
}
finally
{
    Volatile.Write(ref finished, 1);
    backstop?.Dispose();
}

void End()
{
    if (Volatile.Read(ref finished) == 0)
    {
        Console.Error.WriteLine("native: cancelled.");
        Environment.Exit(ExitCodes.Failure);
    }
}
