namespace Mlops.Declarations.Diagnostics;

/// <summary>One finding about a declaration or its data, in the shape compilers and CI annotations understand.</summary>
/// <param name="Id">The stable identifier, <c>MLOPSnnnn</c>; see docs/diagnostics.md.</param>
/// <param name="Severity">Whether it fails validation.</param>
/// <param name="Location">The offending token.</param>
/// <param name="Message">What is wrong, why, and what to do; stored as <see cref="DiagnosticText.Clean"/> makes it (one line, long values cut).</param>
public sealed record Diagnostic(string Id, Severity Severity, SourceLocation Location, string Message)
{
    // Every message passes here, whoever builds it: a value echoed from a file can never add a line.
    private readonly string _message = DiagnosticText.Clean(Message);

    /// <summary>What is wrong, why, and what to do: one line, control characters escaped, long values cut.</summary>
    public string Message
    {
        get => _message;
        init => _message = DiagnosticText.Clean(value);
    }

    /// <summary>Formats as <c>path(line,col): error MLOPSnnnn: message</c>.</summary>
    public override string ToString() =>
        $"{Location}: {(Severity == Severity.Error ? "error" : "warning")} {Id}: {Message}";
}
