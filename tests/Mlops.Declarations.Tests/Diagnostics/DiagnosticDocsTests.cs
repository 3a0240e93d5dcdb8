using System.Text.RegularExpressions;
using Mlops.Declarations.Diagnostics;
using Mlops.Testing;

namespace Mlops.Declarations.Tests.Diagnostics;

/// <summary>
/// Keeps docs/diagnostics.md and docs/diagnostics/*.md equal to <see cref="DiagnosticIds.All"/>: every id has
/// one index row with its severity and title, and a page with a failing and a fixed example.
/// </summary>
public sealed class DiagnosticDocsTests
{
    private static readonly Regex s_idPattern = new(@"^MLOPS\d{4}$", RegexOptions.CultureInvariant);

    // | [MLOPS0001](diagnostics/MLOPS0001.md) | Error | File cannot be read |
    private static readonly Regex s_indexRow = new(
        @"^\|\s*\[(?<id>[^\]]*)\]\(diagnostics/(?<page>[^)]*)\.md\)\s*\|\s*(?<severity>[^|]*?)\s*\|\s*(?<title>[^|]*?)\s*\|$",
        RegexOptions.CultureInvariant);


    public static TheoryData<string> Ids => new(DiagnosticIds.All.Select(d => d.Id));

    [Fact]
    public void Ids_AreUniqueAndWellFormed()
    {
        var ids = DiagnosticIds.All.Select(d => d.Id).ToList();

        Assert.NotEmpty(ids);
        Assert.All(ids, id => Assert.Matches(s_idPattern, id));
        Assert.Empty(ids.GroupBy(id => id, StringComparer.Ordinal).Where(g => g.Count() > 1).Select(g => g.Key));
    }

    [Theory]
    [MemberData(nameof(Ids))]
    public void Index_HasOneRowMatchingTheDescriptor(string id)
    {
        var descriptor = Descriptor(id);

        var row = Assert.Single(IndexRows(), r => r.Id == id);

        Assert.Equal(id, row.Page);
        Assert.Equal(descriptor.Severity.ToString(), row.Severity);
        Assert.Equal(descriptor.Title, row.Title);
    }

    [Fact]
    public void Index_HasNoRowForAnUnknownId()
    {
        var known = DiagnosticIds.All.Select(d => d.Id).ToHashSet(StringComparer.Ordinal);

        Assert.Empty(IndexRows().Where(r => !known.Contains(r.Id) && !InAnotherBlock(r.Id)).Select(r => r.Id));
    }

    [Fact]
    public void Index_EveryTableRowNamingAnIdHasTheRowForm()
    {
        // A row that mentions an id but does not match the form would escape the other checks.
        var malformed = IndexLines()
            .Where(line => line.StartsWith('|') && line.Contains("MLOPS", StringComparison.Ordinal) && !s_indexRow.IsMatch(line))
            .ToList();

        Assert.Empty(malformed);
    }

    [Theory]
    [MemberData(nameof(Ids))]
    public void Page_StartsWithIdAndTitleAndStatesTheSeverity(string id)
    {
        var descriptor = Descriptor(id);

        var lines = PageLines(id);

        Assert.Equal($"# {descriptor.Id}: {descriptor.Title}", lines[0]);
        Assert.Contains($"- **Severity:** {descriptor.Severity}", lines);
    }

    [Theory]
    [MemberData(nameof(Ids))]
    public void Page_HasAFailingExampleAndAFix(string id)
    {
        var lines = PageLines(id);

        var example = Section(id, lines, "## Example");
        var fix = Section(id, lines, "## Fix");

        Assert.True(example.Start < fix.Start, $"{id}.md: '## Example' must come before '## Fix'.");
        Assert.True(MarkdownText.HasFencedBlock(example.Lines), $"{id}.md: '## Example' has no fenced code block.");
        Assert.True(MarkdownText.HasFencedBlock(fix.Lines), $"{id}.md: '## Fix' has no fenced code block.");
    }

    [Fact]
    public void Pages_ExistOnlyForKnownIds()
    {
        var known = DiagnosticIds.All.Select(d => d.Id).ToHashSet(StringComparer.Ordinal);

        var orphans = Directory.GetFiles(Path.Combine(RepositoryRoot.Path, "docs", "diagnostics"), "*.md")
            .Select(Path.GetFileNameWithoutExtension)
            .Where(name => !known.Contains(name!) && !InAnotherBlock(name!))
            .ToList();

        Assert.Empty(orphans);
    }

    /// <summary>
    /// A well-formed id in a block <see cref="DiagnosticIds.All"/> does not use: another assembly's list, checked by
    /// its own tests (MLOPS05xx, training: Mlops.Pipeline.Tests' TrainingDiagnosticDocsTests).
    /// </summary>
    private static bool InAnotherBlock(string id) =>
        s_idPattern.IsMatch(id) && !DiagnosticIds.All.Any(d => string.CompareOrdinal(d.Id, 0, id, 0, 7) == 0);

    private static DiagnosticDescriptor Descriptor(string id) => DiagnosticIds.All.Single(d => d.Id == id);

    private static List<(string Id, string Page, string Severity, string Title)> IndexRows() =>
        IndexLines()
            .Select(line => s_indexRow.Match(line))
            .Where(match => match.Success)
            .Select(match => (match.Groups["id"].Value, match.Groups["page"].Value, match.Groups["severity"].Value, match.Groups["title"].Value))
            .ToList();

    private static string[] IndexLines() => MarkdownText.ReadLines(Path.Combine(RepositoryRoot.Path, "docs", "diagnostics.md"));

    private static string[] PageLines(string id)
    {
        var path = Path.Combine(RepositoryRoot.Path, "docs", "diagnostics", id + ".md");
        Assert.True(File.Exists(path), $"{id} has no page: add docs/diagnostics/{id}.md.");
        return MarkdownText.ReadLines(path);
    }

    /// <summary>The lines under a level-2 heading, up to the next one.</summary>
    private static (int Start, string[] Lines) Section(string id, string[] lines, string heading)
    {
        var start = Array.IndexOf(lines, heading);
        Assert.True(start >= 0, $"{id}.md has no '{heading}' section.");
        var end = Array.FindIndex(lines, start + 1, line => line.StartsWith("## ", StringComparison.Ordinal));
        return (start, lines[(start + 1)..(end < 0 ? lines.Length : end)]);
    }
}
