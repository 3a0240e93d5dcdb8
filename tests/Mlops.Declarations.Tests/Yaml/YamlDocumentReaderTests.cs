using Mlops.Declarations.Environments;
using Mlops.Declarations.FeatureSets;
using Mlops.Declarations.Models;
using Mlops.Declarations.Tests.Schema;
using Mlops.Declarations.Yaml;

namespace Mlops.Declarations.Tests.Yaml;

/// <summary>Files that are not well-formed YAML, or not YAML at all, become findings at the right place; nothing throws or hangs.</summary>
public sealed class YamlDocumentReaderTests
{
    private const string Path = "features/customer.yaml";

    [Fact]
    public void Parse_UnclosedBracketAtEndOfFile_ReportsMlops0002AtTheBracket()
    {
        const string text = """
            featureSet: customer
            version: 1
            features: [ { name: tenure, type: float }
            """;

        var result = FeatureSetParser.Parse(Path, text);

        DiagnosticAssert.Single(result.Diagnostics, "MLOPS0002", Path, 3, 11, "this '[' is never closed", "Add the missing ']'");
        Assert.Null(result.Declaration);
    }

    [Fact]
    public void Parse_UnclosedBraceAtEndOfFile_ReportsMlops0002AtTheBrace()
    {
        const string text = """
            featureSet: customer
            version: 1
            features:
              - { name: tenure, type: float
            """;

        var result = FeatureSetParser.Parse(Path, text);

        DiagnosticAssert.Single(result.Diagnostics, "MLOPS0002", Path, 4, 5, "this '{' is never closed", "Add the missing '}'");
    }

    [Fact]
    public void Parse_UnclosedBracketFollowedByKey_ReportsMlops0002AtTheKeyNamingTheBracket()
    {
        // YamlDotNet throws InvalidOperationException here, not a YamlException.
        const string text = """
            featureSet: customer
            features: [ { name: tenure, type: float }
            version: 1
            """;

        var result = FeatureSetParser.Parse(Path, text);

        DiagnosticAssert.Single(result.Diagnostics, "MLOPS0002", Path, 3, 1, "continues the '[' opened at line 2, column 11", "Close that '[' with ']'");
    }

    [Fact]
    public void Parse_UnclosedQuote_ReportsMlops0002AtTheOpeningQuote()
    {
        const string text = """
            featureSet: "customer
            version: 1
            """;

        var result = FeatureSetParser.Parse(Path, text);

        DiagnosticAssert.Single(result.Diagnostics, "MLOPS0002", Path, 1, 13, "double-quoted scalar", "Fix the YAML at this place.");
    }

    [Fact]
    public void Parse_UnclosedQuoteAtEndOfFile_ReportsMlops0002AtTheOpeningQuote()
    {
        var result = FeatureSetParser.Parse(Path, "featureSet: 'customer\n");

        DiagnosticAssert.Single(result.Diagnostics, "MLOPS0002", Path, 1, 13, "quoted scalar", "end of stream");
    }

    [Fact]
    public void Parse_KeyIndentedDeeperThanItsSibling_ReportsMlops0002OnItsLine()
    {
        const string text = """
            featureSet: customer
            version: 1
            features:
              - name: tenure
                 type: float
            """;

        var result = FeatureSetParser.Parse(Path, text);

        DiagnosticAssert.Single(result.Diagnostics, "MLOPS0002", Path, 5, 10, "invalid mapping");
    }

    [Fact]
    public void Parse_ListItemIndentedLessThanItsSiblings_ReportsMlops0002AtTheItem()
    {
        const string text = """
            featureSet: customer
            version: 1
            features:
              - name: tenure
                type: float
             - name: contract
            """;

        var result = FeatureSetParser.Parse(Path, text);

        DiagnosticAssert.Single(result.Diagnostics, "MLOPS0002", Path, 6, 2, "While parsing a block mapping, did not find expected key");
    }

    [Fact]
    public void Parse_TopLevelKeyIndented_ReportsMlops0002OnItsLine()
    {
        var result = FeatureSetParser.Parse(Path, "featureSet: customer\n  version: 1\n");

        DiagnosticAssert.Single(result.Diagnostics, "MLOPS0002", Path, 2, 10, "invalid mapping");
    }

    [Theory]
    [InlineData("")]
    [InlineData("\n\n   \n")]
    [InlineData("---\n")]
    public void Parse_EmptyFile_ReportsMlops0003AtStart(string text)
    {
        var result = FeatureSetParser.Parse(Path, text);

        DiagnosticAssert.Single(result.Diagnostics, "MLOPS0003", Path, 1, 1, "the file is empty", "delete the file");
        Assert.Null(result.Declaration);
    }

    [Fact]
    public void Parse_CommentsOnly_ReportsMlops0003AtStart()
    {
        var result = FeatureSetParser.Parse(Path, "# yaml-language-server: $schema=../docs/schemas/feature-set.schema.json\n  # nothing declared yet\n");

        DiagnosticAssert.Single(result.Diagnostics, "MLOPS0003", Path, 1, 1, "the file is empty");
    }

    [Fact]
    public void Parse_TextWithNulByte_ReportsMlops0004AtTheNul()
    {
        var result = FeatureSetParser.Parse(Path, "featureSet: customer\nversion: \0\u0001\u0002\n");

        DiagnosticAssert.Single(result.Diagnostics, "MLOPS0004", Path, 2, 10, "NUL byte", "not a YAML text file");
    }

    [Fact]
    public void Parse_TextOverOneMegabyte_ReportsMlops0005WithoutParsing()
    {
        var text = "featureSet: customer\n" + new string('#', YamlDocumentReader.MaxCharacters);

        var result = FeatureSetParser.Parse(Path, text);

        DiagnosticAssert.Single(result.Diagnostics, "MLOPS0005", Path, 1, 1, "1,048,597 characters", "more than the 1,048,576", "Keep data in data/");
    }

    [Fact]
    public void Parse_TwoDocuments_ReportsMlops0011AtTheSecondAndReadsTheFirst()
    {
        const string text = """
            featureSet: customer
            version: 1
            features: [{ name: tenure, type: float }]
            ---
            featureSet: other
            """;

        var result = FeatureSetParser.Parse(Path, text);

        DiagnosticAssert.Single(result.Diagnostics, "MLOPS0011", Path, 4, 1, "a second YAML document starts here", "Split it into its own file.");
        Assert.Equal("customer", result.Declaration?.Value.Name);
    }

    [Fact]
    public void Parse_AliasBomb_ReportsMlops0002AtTheAliasThatExpandsTooFar()
    {
        // "Billion laughs": 72 aliases that stand for 9^9 nodes.
        const string text = """
            a: &a [x, x, x, x, x, x, x, x, x]
            b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]
            c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]
            d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]
            e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]
            f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]
            g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f]
            h: &h [*g, *g, *g, *g, *g, *g, *g, *g, *g]
            i: &i [*h, *h, *h, *h, *h, *h, *h, *h, *h]
            featureSet: *i
            """;

        var result = FeatureSetParser.Parse(Path, text);

        // 10 + 9 * 10 + 9 * 91 + ... : the 1st alias of e passes the 10,000 nodes aliases may stand for.
        DiagnosticAssert.Single(result.Diagnostics, "MLOPS0002", Path, 5, 8, "more than 10,000 nodes", "alias bomb");
    }

    [Fact]
    public void Parse_MoreThanAHundredAliases_ReportsMlops0002AtTheHundredAndFirst()
    {
        var text = "x: &x 1\ny: [" + string.Join(", ", Enumerable.Repeat("*x", 101)) + "]\n";

        var result = FeatureSetParser.Parse(Path, text);

        DiagnosticAssert.Single(result.Diagnostics, "MLOPS0002", Path, 2, 5 + (100 * 4), "more than 100 aliases");
    }

    [Fact]
    public void Parse_AliasWithoutAnchor_ReportsMlops0002AtTheAlias()
    {
        var result = FeatureSetParser.Parse(Path, "featureSet: *name\n");

        DiagnosticAssert.Single(result.Diagnostics, "MLOPS0002", Path, 1, 13, "alias '*name' names no anchor defined before it");
    }

    [Fact]
    public void Parse_AnchoredValueUsedTwice_ReadsBothPlaces()
    {
        const string text = """
            featureSet: customer
            version: 1
            features:
              - { name: contract, type: category, values: &choices [Monthly, Yearly] }
              - { name: plan, type: category, values: *choices }
            """;

        var result = FeatureSetParser.Parse(Path, text);

        Assert.Empty(result.Diagnostics);
        Assert.Equal(["Monthly", "Yearly"], result.Declaration!.Value.Features[1].Values);
    }

    [Theory]
    [InlineData('[')]
    [InlineData('{')]
    public void Parse_NestingDeeperThan64Levels_ReportsMlops0002InsteadOfOverflowingTheStack(char opener)
    {
        var text = opener == '[' ? new string('[', 100_000) : string.Concat(Enumerable.Repeat("{a: ", 100_000));

        var result = FeatureSetParser.Parse(Path, text);

        // The 65th level: the 65th '[', or the key inside the 64th '{'.
        var column = opener == '[' ? 65 : 1 + (63 * 4) + 1;
        DiagnosticAssert.Single(result.Diagnostics, "MLOPS0002", Path, 1, column, "nested more than 64 levels deep");
    }

    [Fact]
    public void Parse_ListAsKey_ReportsMlops0002AtTheKey()
    {
        var result = FeatureSetParser.Parse(Path, "featureSet: customer\n[a, b]: 1\n");

        DiagnosticAssert.Single(result.Diagnostics, "MLOPS0002", Path, 2, 1, "a key must be plain text");
    }

    [Fact]
    public void Parse_RootIsAList_ReportsMlops0008AtStart()
    {
        var result = FeatureSetParser.Parse(Path, "- featureSet: customer\n");

        DiagnosticAssert.Single(result.Diagnostics, "MLOPS0008", Path, 1, 1, "must be a mapping of keys to values, but it holds a list", "Start it with the 'featureSet:' key.");
    }

    [Fact]
    public void Parse_RandomlyDamagedDeclarations_NeverThrowAndPointInsideTheFile()
    {
        string[] sources =
        [
            File.ReadAllText(RepositoryRoot.Combine("features", "customer.yaml")),
            File.ReadAllText(RepositoryRoot.Combine("models", "churn.yaml")),
            File.ReadAllText(RepositoryRoot.Combine("environments", "production.yaml")),
            SchemaCoverageTests.KitchenSink("environment.yaml"),
        ];
        const string damage = "[]{}:,\"'-&*!|>#? \n\t%@`\\~";
        var random = new Random(20260101);
        for (var i = 0; i < 3000; i++)
        {
            var source = random.Next(sources.Length);
            var text = new List<char>(sources[source]);
            for (var edits = random.Next(1, 4); edits > 0; edits--)
            {
                var at = random.Next(text.Count);
                switch (random.Next(3))
                {
                    case 0:
                        text.RemoveAt(at);
                        break;
                    case 1:
                        text.Insert(at, damage[random.Next(damage.Length)]);
                        break;
                    default:
                        text[at] = damage[random.Next(damage.Length)];
                        break;
                }
            }

            var damaged = new string([.. text]);
            var diagnostics = source switch
            {
                0 => FeatureSetParser.Parse("features/x.yaml", damaged).Diagnostics,
                1 => ModelParser.Parse("features/x.yaml", damaged).Diagnostics,
                _ => EnvironmentParser.Parse("features/x.yaml", damaged).Diagnostics,
            };

            var lines = damaged.Split('\n').Length;
            Assert.All(diagnostics, d => Assert.True(
                d.Location.Path == "features/x.yaml" && d.Location.Line >= 1 && d.Location.Line <= lines + 1 && d.Location.Column >= 1,
                $"{d} points outside the file:\n{damaged}"));
        }
    }
}
