using Mlops.Declarations.Diagnostics;

namespace Mlops.Runtime.Features;

/// <summary>
/// Why one value does not fit its feature: the diagnostic it is (the same id wherever the value came
/// from: a CSV field, a JSON value or a CLR value) and a sentence about the value itself, without
/// its location. Each entry point adds where it was (a file's line and column, a request field).
/// </summary>
/// <param name="Descriptor">The diagnostic: MLOPS0404 (not of the declared type), MLOPS0405 (outside the declared range), MLOPS0406 (not a declared category) or MLOPS0407 (missing but not nullable).</param>
/// <param name="Message">What is wrong with the value and what to send instead, for example <c>expected a number, got the string "abc".</c>.</param>
public readonly record struct ValueProblem(DiagnosticDescriptor Descriptor, string Message)
{
    /// <summary>The diagnostic's id, for example <c>MLOPS0404</c>.</summary>
    public string Id => Descriptor.Id;

    /// <summary>The problem as a request's answer states it: <c>name: MLOPSnnnn: message</c>.</summary>
    /// <param name="name">The feature (or field) the value was sent for.</param>
    public string For(string name) => $"{name}: {Descriptor.Id}: {Message}";
}
