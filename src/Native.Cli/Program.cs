using Native.Cli;
using Native.Cli.Platform;

// Standard descriptors first, before anything opens a file: a closed one is opened on /dev/null (StandardStreams).
StandardStreams.OpenClosedOnes();
bool terminal = !Console.IsOutputRedirected;
TextWriter output = StandardStreams.Output(terminal), error = StandardStreams.Error();

// SIGINT, SIGTERM and SIGHUP cancel the command; a second later, or at a second signal, the process ends (Interruption).
using Interruption interruption = Interruption.Register(error);
int code = CommandLine.Run(args, new CliContext(output, error, terminal, interruption.Token) { Interruption = interruption });
interruption.Finish();
try
{
    output.Flush();
}
catch (BrokenPipeException)
{
    // The reader left after the work was done: the work stands, and so does its exit code.
}
catch (IOException e)
{
    error.WriteLine($"native: {e.Message}");
    code = code == ExitCodes.Success ? ExitCodes.Failure : code;
}

return code;
