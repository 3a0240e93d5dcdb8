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
}
