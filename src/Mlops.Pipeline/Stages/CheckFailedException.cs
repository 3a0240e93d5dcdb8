using Mlops.Declarations.Diagnostics;

namespace Mlops.Pipeline.Stages;

/// <summary>A stage stopped because a check found errors (validation, training input, a gate); the CLI exits 1.</summary>
public sealed class CheckFailedException(string summary, IReadOnlyList<Diagnostic> diagnostics) : Exception(summary)
{
    /// <summary>What was found, to print in the compiler's format.</summary>
    public IReadOnlyList<Diagnostic> Diagnostics { get; } = diagnostics;
}

/// <summary>A stage was asked for something that does not exist (a model, a run); the CLI exits 2.</summary>
public sealed class StageInputException(string message) : Exception(message);
