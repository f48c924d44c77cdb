using System.CommandLine;
using Native.Cli.Commands;
using Native.Cli.Platform;
using Native.Numerics;

namespace Native.Cli;

/// <summary>The <c>native</c> command: its subcommands, and how failures become exit codes.</summary>
internal static class CommandLine
{
    /// <summary>Parses <paramref name="args"/> and runs the command; returns the exit code.</summary>
    public static int Run(string[] args, CliContext context)
    {
        var root = new RootCommand("native: train, evaluate and run small machine-learning models (linear, logistic and softmax regression, multilayer perceptrons).")
        {
            TrainCommand.Create(context),
            EvaluateCommand.Create(context),
            PredictCommand.Create(context),
            ConvertCommand.Create(context),
            QuantizeCommand.Create(context),
            DemoCommand.Create(context),
            BenchCommand.Create(context),
            ServeCommand.Create(context),
        };

        Options.ParseNumbersPlainly(root);
        ParseResult parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            // System.CommandLine may spread a message over lines (a list of choices): keep it to one.
            string message = string.Join(' ', parse.Errors[0].Message.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries));
            context.Error.WriteLine($"native: {message}{(message.EndsWith('.') ? "" : ".")} Run 'native --help' for usage.");
            return ExitCodes.BadInput;
        }

        try
        {
            return parse.Invoke(new InvocationConfiguration { Output = context.Out, Error = context.Error, EnableDefaultExceptionHandler = false });
        }
        catch (Exception exception)
        {
            // The command has ended: a signal from now on must not add a second line to this one.
            context.Interruption?.Finish();
            return Report(exception, context.Error, context.Interruption?.SignalName);
        }
    }

    /// <summary>
    /// An exception's message as one line: without the "(Parameter 'x')" an <see cref="ArgumentException"/> appends
    /// or the "Actual value was …" line of an <see cref="ArgumentOutOfRangeException"/>, and with any other line
    /// breaks (a file's text quoted in a message) made spaces.
    /// </summary>
    internal static string FirstLine(Exception exception)
    {
        string message = exception.Message;
        if (exception is ArgumentOutOfRangeException { ActualValue: not null } && message.LastIndexOf('\n') is int actual and > 0)
        {
            message = message[..actual];
        }

        if (exception is ArgumentException { ParamName: string name } && message.EndsWith($" (Parameter '{name}')", StringComparison.Ordinal))
        {
            message = message[..^$" (Parameter '{name}')".Length];
        }

        return string.Join(' ', message.Split(['\r', '\n'], StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries));
    }

    /// <summary>One line on standard error, and the exit code for the kind of failure. Never a stack trace for a user's error.</summary>
    /// <param name="exception">What ended the command.</param>
    /// <param name="error">Standard error.</param>
    /// <param name="signal">The signal that cancelled the command (SIGTERM, SIGHUP), or null for Ctrl+C or none.</param>
    internal static int Report(Exception exception, TextWriter error, string? signal = null)
    {
        switch (exception)
        {
            case BrokenPipeException:
                // Whoever read standard output has gone (… | head -1): stop quietly, as SIGPIPE would have.
                return ExitCodes.BrokenPipe;
            case TrainingDivergedException diverged:
                error.WriteLine($"native: {diverged.Message} In native train: --lr, --clip-norm, and standardized features (the default for tables; leave out --no-standardize; --standardize for IDX images).");
                return ExitCodes.Diverged;
            case UsageException or ArgumentException or FileFormatException or FileNotFoundException or DirectoryNotFoundException or UnauthorizedAccessException:
                error.WriteLine($"native: {FirstLine(exception)}");
                return ExitCodes.BadInput;
            case OperationCanceledException:
                error.WriteLine(signal is null ? "native: cancelled." : $"native: cancelled ({signal}).");
                return ExitCodes.Failure;
            case IOException:
                // Not the user's mistake (a full disk, say), but not a bug either: say what, in one line.
                error.WriteLine($"native: {FirstLine(exception)}");
                return ExitCodes.Failure;
            default:
                error.WriteLine($"native: unexpected error ({exception.GetType().Name}): {exception.Message}");
                if (Environment.GetEnvironmentVariable("NATIVE_DEBUG") == "1")
                {
                    error.WriteLine(exception.ToString());
                }

                return ExitCodes.Failure;
        }
    }
}
