using System.Reflection;
using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Mlops.Testing;

namespace Mlops.Analyzers.Tests.Documentation;

/// <summary>
/// Keeps docs/diagnostics.md and docs/diagnostics/MLOPS1xxx.md equal to the analyzers' descriptors, and every
/// help link pointing at an existing page (as Meziantou.Analyzer's RuleHelpUri test does).
/// </summary>
public sealed class AnalyzerDiagnosticDocsTests
{
    private static readonly Regex s_indexRow = new(
        @"^\|\s*\[(?<id>[^\]]*)\]\(diagnostics/(?<page>[^)]*)\.md\)\s*\|\s*(?<severity>[^|]*?)\s*\|\s*(?<title>[^|]*?)\s*\|$",
        RegexOptions.CultureInvariant);


    /// <summary>Every descriptor any analyzer of the assembly supports.</summary>
    private static IReadOnlyList<DiagnosticDescriptor> All { get; } = typeof(Mlops.Analyzers.Rules.BoundTypeAnalyzer).Assembly.GetTypes()
        .Where(t => t.IsSubclassOf(typeof(DiagnosticAnalyzer)) && !t.IsAbstract && t.GetCustomAttribute<DiagnosticAnalyzerAttribute>() is not null)
        .SelectMany(t => ((DiagnosticAnalyzer)Activator.CreateInstance(t)!).SupportedDiagnostics)
        .DistinctBy(d => d.Id)
        .OrderBy(d => d.Id, StringComparer.Ordinal)
        .ToList();

    private static IEnumerable<DiagnosticDescriptor> CodeBlock => All.Where(d => d.Id.StartsWith("MLOPS1", StringComparison.Ordinal));

    public static TheoryData<string> CodeIds => new(CodeBlock.Select(d => d.Id));

    public static TheoryData<string> AllIds => new(All.Select(d => d.Id));

    [Fact]
    public void CodeBlock_IsTheTableOfDiagnosticsCs()
    {
        var table = typeof(Mlops.Analyzers.Rules.BoundTypeAnalyzer).Assembly.GetType("Mlops.Analyzers.Diagnostics")!
            .GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.FieldType == typeof(DiagnosticDescriptor))
            .Select(f => ((DiagnosticDescriptor)f.GetValue(null)!).Id)
            .Order(StringComparer.Ordinal);

        Assert.Equal(table, CodeBlock.Select(d => d.Id));
    }

    [Theory]
    [MemberData(nameof(AllIds))]
    public void HelpLink_PointsAtTheIdsPage(string id)
    {
        var descriptor = All.Single(d => d.Id == id);

        Assert.EndsWith($"/docs/diagnostics/{id}.md", descriptor.HelpLinkUri, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(RepositoryRoot.Path, "docs", "diagnostics", id + ".md")), $"{id} has no page: add docs/diagnostics/{id}.md.");
    }

    [Fact]
    public void AnalyzersDoc_NamesTheHelpLinkBase()
    {
        // docs/analyzers.md tells users where help links point and that this constant is the one place to change them.
        var doc = File.ReadAllText(Path.Combine(RepositoryRoot.Path, "docs", "analyzers.md"));

        Assert.Contains($"`{Diagnostics.HelpLinkBase}`", doc, StringComparison.Ordinal);
        Assert.Contains("`Diagnostics.HelpLinkBase` + `ID.md`", doc, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(CodeIds))]
    public void Index_HasOneRowMatchingTheDescriptor(string id)
    {
        var descriptor = All.Single(d => d.Id == id);

        var row = Assert.Single(IndexRows(), r => r.Id == id);

        Assert.Equal(id, row.Page);
        Assert.Equal(descriptor.DefaultSeverity.ToString(), row.Severity);
        Assert.Equal(descriptor.Title.ToString(), row.Title);
    }

    [Fact]
    public void Index_HasNoCodeBlockRowForAnUnknownId()
    {
        var known = CodeBlock.Select(d => d.Id).ToHashSet(StringComparer.Ordinal);

        Assert.Empty(IndexRows().Where(r => r.Id.StartsWith("MLOPS1", StringComparison.Ordinal) && !known.Contains(r.Id)).Select(r => r.Id));
    }

    [Theory]
    [MemberData(nameof(CodeIds))]
    public void Page_StartsWithIdAndTitleAndStatesTheSeverity(string id)
    {
        var descriptor = All.Single(d => d.Id == id);

        var lines = PageLines(id);

        Assert.Equal($"# {descriptor.Id}: {descriptor.Title}", lines[0]);
        Assert.Contains($"- **Severity:** {descriptor.DefaultSeverity}", lines);
    }

    [Theory]
    [MemberData(nameof(CodeIds))]
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
    public void Pages_ExistOnlyForKnownCodeIds()
    {
        var known = CodeBlock.Select(d => d.Id).ToHashSet(StringComparer.Ordinal);

        var orphans = Directory.GetFiles(Path.Combine(RepositoryRoot.Path, "docs", "diagnostics"), "MLOPS1*.md")
            .Select(Path.GetFileNameWithoutExtension)
            .Where(name => !known.Contains(name!))
            .ToList();

        Assert.Empty(orphans);
    }

    [Fact]
    public void UnshippedReleaseFile_ListsEveryCodeId()
    {
        var lines = File.ReadAllLines(Path.Combine(RepositoryRoot.Path, "src", "Mlops.Analyzers", "AnalyzerReleases.Unshipped.md"));

        foreach (var descriptor in CodeBlock)
        {
            Assert.Contains(lines, l => l.StartsWith(descriptor.Id + " | " + descriptor.Category + " | " + descriptor.DefaultSeverity + " |", StringComparison.Ordinal));
        }
    }

    private static List<(string Id, string Page, string Severity, string Title)> IndexRows() =>
        File.ReadAllText(Path.Combine(RepositoryRoot.Path, "docs", "diagnostics.md")).Split('\n')
            .Select(line => s_indexRow.Match(line.TrimEnd('\r')))
            .Where(match => match.Success)
            .Select(match => (match.Groups["id"].Value, match.Groups["page"].Value, match.Groups["severity"].Value, match.Groups["title"].Value))
            .ToList();

    private static string[] PageLines(string id)
    {
        var path = Path.Combine(RepositoryRoot.Path, "docs", "diagnostics", id + ".md");
        Assert.True(File.Exists(path), $"{id} has no page: add docs/diagnostics/{id}.md.");
        return MarkdownText.ReadLines(path);
    }

    private static (int Start, string[] Lines) Section(string id, string[] lines, string heading)
    {
        var start = Array.IndexOf(lines, heading);
        Assert.True(start >= 0, $"{id}.md has no '{heading}' section.");
        var end = Array.FindIndex(lines, start + 1, line => line.StartsWith("## ", StringComparison.Ordinal));
        return (start, lines[(start + 1)..(end < 0 ? lines.Length : end)]);
    }
}
