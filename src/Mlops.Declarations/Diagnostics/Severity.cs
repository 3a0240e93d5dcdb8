namespace Mlops.Declarations.Diagnostics;

/// <summary>How serious a finding is. Errors fail <c>mlops validate</c>; warnings do not.</summary>
public enum Severity
{
    /// <summary>Worth fixing, but the declaration still works.</summary>
    Warning,

    /// <summary>The declaration cannot be used as written.</summary>
    Error,
}
