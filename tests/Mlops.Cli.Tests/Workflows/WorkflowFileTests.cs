using Mlops.Testing;

namespace Mlops.Cli.Tests.Workflows;

/// <summary>The GitHub workflows of .github/workflows, checked with @action-validator/cli and read for the rules docs/ci.md states.</summary>
public sealed class WorkflowFileTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string Folder => RepositoryRoot.Combine(".github", "workflows");

    private static readonly string[] s_workflows = ["merge.yml", "monitor.yml", "pull-request.yml"];

    public static TheoryData<string> Workflows() => new(s_workflows);

    [Fact]
    public void Folder_HoldsExactlyTheDocumentedWorkflows() =>
        Assert.Equal(s_workflows, Directory.EnumerateFiles(Folder).Select(f => Path.GetFileName(f)).Order(StringComparer.Ordinal));

    [Theory]
    [MemberData(nameof(Workflows))]
    public async Task Workflow_PassesActionValidator(string name)
    {
        Assert.False(!ActionValidator.Available && ActionValidator.Required, ActionValidator.Missing);
        Assert.SkipUnless(ActionValidator.Available, ActionValidator.Missing);

        var (exitCode, output) = await ActionValidator.RunAsync(Path.Combine(Folder, name), Ct);

        Assert.True(exitCode == 0, $"action-validator found errors in .github/workflows/{name}:\n{output}");
    }

    [Theory]
    [MemberData(nameof(Workflows))]
    public void Workflow_PinsEveryActionByVersion(string name)
    {
        var uses = File.ReadAllLines(Path.Combine(Folder, name))
            .Select(line => line.Trim().TrimStart('-').Trim())
            .Where(line => line.StartsWith("uses:", StringComparison.Ordinal))
            .Select(line => line["uses:".Length..].Trim())
            .ToList();

        Assert.NotEmpty(uses);
        Assert.All(uses, action => Assert.Matches(@"^[\w.-]+/[\w.-]+@v\d+(\.\d+)*$", action));
    }

    [Theory]
    [MemberData(nameof(Workflows))]
    public void Workflow_TakesTokensOnlyFromSecrets(string name)
    {
        var text = File.ReadAllText(Path.Combine(Folder, name));

        foreach (var variable in new[] { "MLOPS_GIT_TOKEN:", "AWS_SECRET_ACCESS_KEY:", "AWS_ACCESS_KEY_ID:" })
        {
            foreach (var line in text.Split('\n').Where(l => l.Trim().StartsWith(variable, StringComparison.Ordinal)))
            {
                Assert.Matches(@":\s*\$\{\{\s*secrets\.[A-Z0-9_]+\s*\}\}\s*$", line);
            }
        }
    }

    [Fact]
    public async Task Scripts_AreValidJavaScript()
    {
        var scripts = Directory.EnumerateFiles(RepositoryRoot.Combine(".github", "scripts"), "*.js").ToList();
        Assert.NotEmpty(scripts);
        var node = new[] { "/usr/bin/node", "/usr/local/bin/node" }.FirstOrDefault(File.Exists);
        Assert.False(node is null && ActionValidator.Required, "node is not installed (.ci/run installs it with the validator).");
        Assert.SkipWhen(node is null, "node is not installed.");

        foreach (var script in scripts)
        {
            var (exitCode, output) = await ToolProcess.RunAsync(node!, ["--check", script], Ct);
            Assert.True(exitCode == 0, $"node --check {Path.GetFileName(script)}: {output}");
        }
    }

    [Fact]
    public void Comment_UpdatesByTheMarkerTheCliWrites() =>
        Assert.Contains("const MARKER = '<!-- mlops-ci-comment -->';", File.ReadAllText(RepositoryRoot.Combine(".github", "scripts", "mlops-ci.js")), StringComparison.Ordinal);
}
