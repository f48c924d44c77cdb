using System.Runtime.InteropServices;

namespace Native.Cli.Platform;

/// <summary>
/// SIGINT (Ctrl+C), SIGTERM and SIGHUP ask the command to stop: training at the next slice of a batch, reading at
/// the next block, a save before its rename (the old file kept). If the command has not stopped a second later
/// (blocked on input that does not come, say), or at a second signal, the process ends. Either way: one line on
/// standard error, exit code 3, and no temporary file left (the library removes a save's as the process exits).
/// </summary>
/// <remarks>
/// Registered through <see cref="PosixSignalRegistration"/>, not <see cref="Console.CancelKeyPress"/>, which opens
/// standard output and throws when it is closed. Once a command has done what cannot be undone (<see cref="Done"/>:
/// a model file replaced), a signal no longer changes the outcome: the command finishes, and if it is stuck (writing
/// to a full pipe) the process ends with exit code 0, saying what was done.
/// </remarks>
internal sealed class Interruption : IDisposable
{
    private readonly CancellationTokenSource _source = new();
    private readonly List<PosixSignalRegistration> _registrations = [];
    private readonly TextWriter _error;
    private readonly Lock _gate = new();
    private PosixSignal? _signal;
    private Timer? _backstop;
    private bool _finished;
    private string? _done;

    private Interruption(TextWriter error) => _error = error;

    /// <summary>Cancelled at the first signal.</summary>
    public CancellationToken Token => _source.Token;

    /// <summary>The signal that cancelled the command, by name (SIGTERM, SIGHUP), or null for Ctrl+C or none.</summary>
    public string? SignalName => _signal is PosixSignal.SIGINT or null ? null : _signal.ToString();

    /// <summary>Handles SIGINT, SIGTERM and SIGHUP from now until disposed; messages go to <paramref name="error"/>.</summary>
    public static Interruption Register(TextWriter error)
    {
        var interruption = new Interruption(error);
        foreach (PosixSignal signal in new[] { PosixSignal.SIGINT, PosixSignal.SIGTERM, PosixSignal.SIGHUP })
        {
            try
            {
                interruption._registrations.Add(PosixSignalRegistration.Create(signal, interruption.OnSignal));
            }
            catch (PlatformNotSupportedException)
            {
                // A signal this platform does not deliver: nothing to handle.
            }
        }

        return interruption;
    }

    /// <summary>The command has done what a signal can no longer undo (<paramref name="what"/>, for the message).</summary>
    public void Done(string what)
    {
        lock (_gate)
        {
            _done = what;
        }
    }

    /// <summary>The command has returned: a signal from now on ends nothing.</summary>
    public void Finish()
    {
        lock (_gate)
        {
            _finished = true;
            _backstop?.Dispose();
        }
    }

    public void Dispose()
    {
        Finish();
        foreach (PosixSignalRegistration registration in _registrations)
        {
            registration.Dispose();
        }

        _source.Dispose();
    }

    private void OnSignal(PosixSignalContext context)
    {
        context.Cancel = true; // not the runtime's default (ending the process at once): the command stops itself
        lock (_gate)
        {
            if (_finished)
            {
                return;
            }

            if (_signal is not null)
            {
                End();
                return;
            }

            _signal = context.Signal;
            _backstop = new Timer(_ => End(), null, TimeSpan.FromSeconds(1), Timeout.InfiniteTimeSpan);
        }

        _source.Cancel();
    }

    /// <summary>Ends the process: the command did not stop by itself in time, or a second signal came.</summary>
    private void End()
    {
        lock (_gate)
        {
            if (_finished)
            {
                return;
            }

            string by = SignalName is { } name ? $" ({name})" : "";
            _error.WriteLine(_done is null ? $"native: cancelled{by}." : $"native: stopped{by} after {_done}.");
            Environment.Exit(_done is null ? ExitCodes.Failure : ExitCodes.Success);
        }
    }
}
