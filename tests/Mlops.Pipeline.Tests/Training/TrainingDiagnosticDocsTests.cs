using System.Text.RegularExpressions;
using Mlops.Declarations.Diagnostics;
using Mlops.Pipeline.Training;
using Mlops.Testing;

namespace Mlops.Pipeline.Tests.Training;

/// <summary>
/// Keeps the training block of docs/diagnostics.md and its pages equal to <see cref="TrainingDiagnostics.All"/>,
/// with the checks Mlops.Declarations.Tests makes for <see cref="DiagnosticIds.All"/>. That test leaves the ids of
/// blocks it does not own to this one; here every row and page must belong to one of the two lists.
/// </summary>
public sealed class TrainingDiagnosticDocsTests
{
    // | [MLOPS0501](diagnostics/MLOPS0501.md) | Error | Trainer does not exist |
    private static readonly Regex s_indexRow = new(
        @"^\|\s*\[(?<id>[^\]]*)\]\(diagnostics/(?<page>[^)]*)\.md\)\s*\|\s*(?<severity>[^|]*?)\s*\|\s*(?<title>[^|]*?)\s*\|$",
        RegexOptions.CultureInvariant);

    public static TheoryData<string> Ids => new(TrainingDiagnostics.All.Select(d => d.Id));

    [Fact]
    public void Ids_AreUniqueWellFormedAndInTheTrainingBlock()
    {
        var ids = TrainingDiagnostics.All.Select(d => d.Id).ToList();

        Assert.NotEmpty(ids);
        Assert.All(ids, id => Assert.Matches(@"^MLOPS05\d{2}$", id));
        Assert.Empty(ids.GroupBy(id => id, StringComparer.Ordinal).Where(g => g.Count() > 1).Select(g => g.Key));
        Assert.Empty(ids.Intersect(DiagnosticIds.All.Select(d => d.Id), StringComparer.Ordinal));
    }

    [Theory]
    [MemberData(nameof(Ids))]
    public void Index_HasOneRowMatchingTheDescriptor(string id)
    {
        var descriptor = TrainingDiagnostics.All.Single(d => d.Id == id);

        var row = Assert.Single(IndexRows(), r => r.Groups["id"].Value == id);

        Assert.Equal(id, row.Groups["page"].Value);
        Assert.Equal(descriptor.Severity.ToString(), row.Groups["severity"].Value);
        Assert.Equal(descriptor.Title, row.Groups["title"].Value);
    }

    [Fact]
    public void IndexRowsAndPages_NameOnlyKnownIds()
    {
        var known = DiagnosticIds.All.Concat(TrainingDiagnostics.All).Select(d => d.Id).ToHashSet(StringComparer.Ordinal);
        var pages = Directory.GetFiles(RepositoryRoot.Combine("docs", "diagnostics"), "*.md").Select(Path.GetFileNameWithoutExtension);

        // The analyzers' block (MLOPS1xxx) is checked by tests/Mlops.Analyzers.Tests against their own descriptors.
        var unknown = IndexRows().Select(r => r.Groups["id"].Value).Concat(pages!)
            .Where(id => !known.Contains(id!) && !id!.StartsWith("MLOPS1", StringComparison.Ordinal)).ToList();

        Assert.Empty(unknown);
    }

    [Theory]
    [MemberData(nameof(Ids))]
    public void Page_StartsWithIdAndTitleAndStatesTheSeverity(string id)
    {
        var descriptor = TrainingDiagnostics.All.Single(d => d.Id == id);

        var lines = PageLines(id);

        Assert.Equal($"# {descriptor.Id}: {descriptor.Title}", lines[0]);
        Assert.Contains($"- **Severity:** {descriptor.Severity}", lines);
    }

    [Theory]
    [MemberData(nameof(Ids))]
    public void Page_HasAFailingExampleAndAFix(string id)
    {
        var lines = PageLines(id);

        var example = Array.IndexOf(lines, "## Example");
        var fix = Array.IndexOf(lines, "## Fix");

        Assert.True(example >= 0 && fix > example, $"{id}.md needs '## Example' and then '## Fix'.");
        Assert.True(MarkdownText.HasFencedBlock(lines[(example + 1)..SectionEnd(lines, example)]), $"{id}.md: '## Example' has no fenced code block.");
        Assert.True(MarkdownText.HasFencedBlock(lines[(fix + 1)..SectionEnd(lines, fix)]), $"{id}.md: '## Fix' has no fenced code block.");
    }

    private static List<Match> IndexRows() =>
        [.. MarkdownText.ReadLines(RepositoryRoot.Combine("docs", "diagnostics.md")).Select(line => s_indexRow.Match(line)).Where(m => m.Success)];

    private static string[] PageLines(string id)
    {
        var path = RepositoryRoot.Combine("docs", "diagnostics", id + ".md");
        Assert.True(File.Exists(path), $"{id} has no page: add docs/diagnostics/{id}.md.");
        return MarkdownText.ReadLines(path);
    }

    private static int SectionEnd(string[] lines, int heading)
    {
        var next = Array.FindIndex(lines, heading + 1, line => line.StartsWith("## ", StringComparison.Ordinal));
        return next < 0 ? lines.Length : next;
    }
}
