namespace Mlops.Declarations.Diagnostics;

/// <summary>A place in a file: a path relative to the repository root (forward slashes) and a 1-based line and column.</summary>
/// <param name="Path">The file, relative to the repository root, with forward slashes.</param>
/// <param name="Line">1-based line.</param>
/// <param name="Column">1-based column.</param>
public sealed record SourceLocation(string Path, int Line, int Column)
{
    /// <summary>The start of a file, for findings about the file as a whole.</summary>
    public static SourceLocation StartOf(string path) => new(path, 1, 1);

    /// <summary>Formats as compilers do: <c>path(line,col)</c>; a control character in the path is escaped.</summary>
    public override string ToString() => $"{DiagnosticText.Escape(Path)}({Line},{Column})";
}
