using System.Runtime.InteropServices;

namespace Mlops.Cli;

/// <summary>
/// Turns Ctrl+C (SIGINT) and SIGTERM into a cancellation that every command passes down, so work
/// stops at its next check and cleans up (a run is recorded as failed, no temporary file is left)
/// instead of the process dying mid-write. A second signal ends the process at once.
/// </summary>
internal sealed class StopSignal : IDisposable
{
    private readonly CancellationTokenSource _cancel = new();
    private readonly PosixSignalRegistration[] _registrations;
    private int _signal;

    public StopSignal()
    {
        _registrations =
        [
            PosixSignalRegistration.Create(PosixSignal.SIGINT, Handle),
            PosixSignalRegistration.Create(PosixSignal.SIGTERM, Handle),
        ];
    }

    /// <summary>Cancelled by the first signal.</summary>
    public CancellationToken Token => _cancel.Token;

    /// <summary>The shells' convention for a process ended by the signal received: 128 + its number (130 SIGINT, 143 SIGTERM).</summary>
    public int ExitCode => Volatile.Read(ref _signal) == (int)PosixSignal.SIGTERM ? ExitCodes.Terminated : ExitCodes.Interrupted;

    /// <summary>The signal's name for the one line printed on the way out.</summary>
    public string Name => Volatile.Read(ref _signal) == (int)PosixSignal.SIGTERM ? "SIGTERM" : "Ctrl+C";

    public void Dispose()
    {
        foreach (var registration in _registrations)
        {
            registration.Dispose();
        }

        _cancel.Dispose();
    }

    private void Handle(PosixSignalContext context)
    {
        // The first signal asks the work to stop; a second (the work is not stopping) is left to the
        // system's default, which ends the process with the same 128 + signal code.
        if (Interlocked.CompareExchange(ref _signal, (int)context.Signal, 0) == 0)
        {
            context.Cancel = true;
            _cancel.Cancel();
        }
    }
}
