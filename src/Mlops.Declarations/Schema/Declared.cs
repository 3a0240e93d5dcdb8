using System.Collections.Generic;
using Mlops.Declarations.Diagnostics;

namespace Mlops.Declarations.Schema;

/// <summary>A declaration read from a file, with where each of its fields was written.</summary>
/// <typeparam name="T">The record: a feature set, model or environment.</typeparam>
/// <param name="Value">The declaration.</param>
/// <param name="Map">Field locations, for findings that point into the file.</param>
public sealed record Declared<T>(T Value, SourceMap Map)
{
    /// <summary>The file, relative to the repository root.</summary>
    public string Path => Map.Path;
}

/// <summary>The outcome of reading one file: the declaration when its identity could be read, and every finding.</summary>
/// <typeparam name="T">The record type.</typeparam>
/// <param name="Declaration">Null when the file could not be read far enough to know what it declares.</param>
/// <param name="Diagnostics">Everything found, errors and warnings.</param>
public sealed record ParseResult<T>(Declared<T>? Declaration, IReadOnlyList<Diagnostic> Diagnostics);
