namespace Mlops.Declarations.Diagnostics;

/// <summary>The fixed facts of one diagnostic id; the instance adds location and message.</summary>
/// <param name="Id">The stable identifier, <c>MLOPSnnnn</c>.</param>
/// <param name="Title">A short summary, the same as in docs/diagnostics.md.</param>
/// <param name="Severity">The default severity.</param>
public sealed record DiagnosticDescriptor(string Id, string Title, Severity Severity)
{
    /// <summary>Creates a finding of this kind at a location.</summary>
    public Diagnostic At(SourceLocation location, string message) => new(Id, Severity, location, message);
}
