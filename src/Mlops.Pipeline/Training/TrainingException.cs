using Mlops.Declarations.Diagnostics;

namespace Mlops.Pipeline.Training;

/// <summary>
/// Training or evaluation cannot proceed with these declarations or data. Carries every finding,
/// each with its file, line and column; the message prints them the way compilers do.
/// </summary>
public sealed class TrainingException : Exception
{
    /// <summary>Creates the exception from one or more findings.</summary>
    public TrainingException(IReadOnlyList<Diagnostic> diagnostics, Exception? innerException = null)
        : base(Format(diagnostics), innerException)
    {
        Diagnostics = diagnostics;
    }

    /// <summary>Creates the exception from one finding.</summary>
    public TrainingException(Diagnostic diagnostic, Exception? innerException = null)
        : this([diagnostic], innerException)
    {
    }

    /// <summary>Every finding, at least one.</summary>
    public IReadOnlyList<Diagnostic> Diagnostics { get; }

    /// <summary>The first finding.</summary>
    public Diagnostic Diagnostic => Diagnostics[0];

    private static string Format(IReadOnlyList<Diagnostic> diagnostics)
    {
        ArgumentNullException.ThrowIfNull(diagnostics);
        if (diagnostics.Count == 0)
        {
            throw new ArgumentException("A training error needs at least one finding.", nameof(diagnostics));
        }

        return string.Join(Environment.NewLine, diagnostics.Select(d => d.ToString()));
    }
}
