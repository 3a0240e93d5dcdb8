namespace Mlops.Testing;

/// <summary>Reading the repository's Markdown docs in tests (diagnostics pages, indexes).</summary>
public static class MarkdownText
{
    /// <summary>The file's lines without line-end characters, whatever the checkout's line endings.</summary>
    public static string[] ReadLines(string path) =>
        File.ReadAllText(path).Split('\n').Select(line => line.TrimEnd('\r')).ToArray();

    /// <summary>True when the lines hold an opened and closed fence with something inside.</summary>
    public static bool HasFencedBlock(string[] lines)
    {
        var open = Array.FindIndex(lines, line => line.StartsWith("```", StringComparison.Ordinal));
        if (open < 0)
        {
            return false;
        }

        var close = Array.FindIndex(lines, open + 1, line => line.TrimEnd() == "```");
        return close > open + 1;
    }
}
