using Native.Cli;

// Ctrl+C asks training to stop at the next batch; a second Ctrl+C ends the process.
using var cancellation = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    if (!cancellation.IsCancellationRequested)
    {
        e.Cancel = true;
        cancellation.Cancel();
    }
};

return CommandLine.Run(args, new CliContext(Console.Out, Console.Error, Terminal: !Console.IsOutputRedirected, cancellation.Token));
