using System.Collections.Generic;
using Mlops.Declarations.Diagnostics;

namespace Mlops.Declarations.Schema;

/// <summary>What one file's readers share: its path, its findings, and where each field was written.</summary>
internal sealed class ParseContext(string path, ICollection<Diagnostic> diagnostics, ISet<PropertySchema>? coverage = null)
{
    public string Path { get; } = path;

    public ICollection<Diagnostic> Diagnostics { get; } = diagnostics;

    public Dictionary<string, SourceLocation> Locations { get; } = new(System.StringComparer.Ordinal);

    /// <summary>When set, every schema property a reader asks for is added; tests use it to prove readers and schemas agree.</summary>
    public ISet<PropertySchema>? Coverage { get; } = coverage;

    public void Report(DiagnosticDescriptor descriptor, SourceLocation location, string message) =>
        Diagnostics.Add(descriptor.At(location, message));

    public SourceMap ToSourceMap() => new(Path, Locations);
}
