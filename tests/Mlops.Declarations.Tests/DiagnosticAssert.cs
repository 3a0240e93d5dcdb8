using Mlops.Declarations.Diagnostics;

namespace Mlops.Declarations.Tests;

/// <summary>Checks findings by id, exact location (path, line, column) and the key parts of the message.</summary>
internal static class DiagnosticAssert
{
    /// <summary>The input has exactly one finding, and it is this one.</summary>
    public static Diagnostic Single(IEnumerable<Diagnostic> diagnostics, string id, string path, int line, int column, params string[] messageParts)
    {
        var all = diagnostics.ToList();
        Assert.True(all.Count == 1, $"Expected exactly one finding ({id}), got {all.Count}:\n{string.Join("\n", all)}");
        return Matches(all[0], id, path, line, column, messageParts);
    }

    /// <summary>Exactly one finding has this id, and it is here; findings with other ids may exist.</summary>
    public static Diagnostic One(IEnumerable<Diagnostic> diagnostics, string id, string path, int line, int column, params string[] messageParts)
    {
        var all = diagnostics.ToList();
        var matching = all.Where(d => d.Id == id).ToList();
        Assert.True(matching.Count == 1, $"Expected exactly one {id}, got {matching.Count}:\n{string.Join("\n", all)}");
        return Matches(matching[0], id, path, line, column, messageParts);
    }

    private static Diagnostic Matches(Diagnostic diagnostic, string id, string path, int line, int column, string[] messageParts)
    {
        Assert.Equal(id, diagnostic.Id);
        Assert.Equal(new SourceLocation(path, line, column), diagnostic.Location);
        foreach (var part in messageParts)
        {
            Assert.Contains(part, diagnostic.Message, StringComparison.Ordinal);
        }

        return diagnostic;
    }
}
