namespace Mlops.Cli;

/// <summary>The exit codes of every command, stated once.</summary>
internal static class ExitCodes
{
    /// <summary>Everything held.</summary>
    public const int Success = 0;

    /// <summary>A check failed: validation errors, a failed gate.</summary>
    public const int CheckFailed = 1;

    /// <summary>Bad usage or input: unknown option, missing folder, unreadable file.</summary>
    public const int BadInput = 2;

    /// <summary>A defect in mlops itself; the message asks for a report.</summary>
    public const int InternalError = 3;

    /// <summary>Stopped by Ctrl+C (SIGINT): 128 + 2, as shells report it.</summary>
    public const int Interrupted = 130;

    /// <summary>Stopped by SIGTERM (docker stop, kill, a CI timeout): 128 + 15.</summary>
    public const int Terminated = 143;
}
