using Mlops.Declarations.Diagnostics;

namespace Mlops.Pipeline.Tracking;

/// <summary>Why a run failed, in the shape of a diagnostic when one is known.</summary>
/// <param name="Message">What happened, why, and what to do.</param>
/// <param name="DiagnosticId">The <c>MLOPSnnnn</c> id, when the failure is a known diagnostic.</param>
/// <param name="Location">The offending file and position, when known.</param>
public sealed record RunError(string Message, string? DiagnosticId = null, SourceLocation? Location = null)
{
    /// <summary>The error of a diagnostic.</summary>
    public static RunError From(Diagnostic diagnostic) => new(diagnostic.Message, diagnostic.Id, diagnostic.Location);

    /// <summary>The error of an exception: its type and message (no stack trace).</summary>
    public static RunError From(Exception exception) => new($"{exception.GetType().Name}: {exception.Message}");

    /// <summary>Formats as compilers do: <c>path(line,col): error MLOPSnnnn: message</c>, leaving out what is unknown.</summary>
    public override string ToString()
    {
        var prefix = Location is null ? "" : Location + ": ";
        return DiagnosticId is null ? $"{prefix}error: {Message}" : $"{prefix}error {DiagnosticId}: {Message}";
    }
}
