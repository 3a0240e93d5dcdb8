namespace Mlops.Pipeline.Tracking;

/// <summary>A run reference matched no run, or more than one; the message says what to do.</summary>
/// <param name="reference">What was asked for.</param>
/// <param name="message">What happened and what to do.</param>
/// <param name="candidates">The runs an ambiguous reference matched; empty when none matched.</param>
public sealed class RunNotFoundException(string reference, string message, IReadOnlyList<string> candidates) : Exception(message)
{
    /// <summary>What was asked for.</summary>
    public string Reference { get; } = reference;

    /// <summary>The runs an ambiguous reference matched; empty when none matched.</summary>
    public IReadOnlyList<string> Candidates { get; } = candidates;
}
