namespace Mlops.Declarations.Diagnostics;

/// <summary>One finding about a declaration or its data, in the shape compilers and CI annotations understand.</summary>
/// <param name="Id">The stable identifier, <c>MLOPSnnnn</c>; see docs/diagnostics.md.</param>
/// <param name="Severity">Whether it fails validation.</param>
/// <param name="Location">The offending token.</param>
/// <param name="Message">What is wrong, why, and what to do.</param>
public sealed record Diagnostic(string Id, Severity Severity, SourceLocation Location, string Message)
{
    /// <summary>Formats as <c>path(line,col): error MLOPSnnnn: message</c>.</summary>
    public override string ToString() =>
        $"{Location}: {(Severity == Severity.Error ? "error" : "warning")} {Id}: {Message}";
}
