using System.Text.Json;
using Mlops.Pipeline.Ci;
using Mlops.Testing;

namespace Mlops.Cli.Tests.Commands.Ci;

public sealed class CiCommandTests : IDisposable
{
    private readonly ExampleRepository _repo = CiRepository.Create();

    public void Dispose() => _repo.Dispose();

    [Fact]
    public async Task Plan_FeatureSetChange_ListsEveryModelThatPinsItAsJson()
    {
        var before = Git.Run(_repo.Path, "rev-parse", "HEAD").Trim();
        _repo.Replace("features/customer-v2.yaml", "description: Months as a customer", "description: Months as a paying customer");
        var after = CiRepository.Commit(_repo, "Reword tenure in customer@2");

        var result = await CliRunner.SucceedAsync("ci", "plan", "HEAD~1", "HEAD", "--repo", _repo.Path, "--json");

        using var json = JsonDocument.Parse(result.Out);
        var root = json.RootElement;
        Assert.Equal((before, after), (root.GetProperty("base").GetString(), root.GetProperty("head").GetString()));
        Assert.Equal(["features/customer-v2.yaml"], root.GetProperty("changedFiles").EnumerateArray().Select(f => f.GetString()));
        Assert.Equal(["churn", "upsell"], root.GetProperty("models").EnumerateArray().Select(m => m.GetProperty("model").GetString()));
        var upsell = root.GetProperty("models")[1];
        Assert.Equal("models/upsell.yaml", upsell.GetProperty("path").GetString());
        Assert.Equal("feature set customer changed (features/customer-v2.yaml)", Assert.Single(upsell.GetProperty("reasons").EnumerateArray()).GetString());
        var staging = Assert.Single(root.GetProperty("environments").EnumerateArray());
        Assert.Equal("staging", staging.GetProperty("environment").GetString());
        Assert.False(staging.GetProperty("fileChanged").GetBoolean());
    }

    [Fact]
    public async Task Plan_ProductionChange_PrintsTheEnvironmentAndWhatItDeploys()
    {
        CiRepository.Pin(_repo, "production", "churn", 3);
        CiRepository.Commit(_repo, "Promote churn v3 to production");

        var result = await CliRunner.SucceedAsync("ci", "plan", "HEAD~1", "HEAD", "--repo", _repo.Path);

        Assert.Equal(2, result.Lines.Length);
        Assert.EndsWith(": 1 changed file(s), 0 model(s), 1 environment(s)", result.Lines[0], StringComparison.Ordinal);
        Assert.Equal("environment production (environments/production.yaml): environment file changed; deploys: churn (not pinned) -> v3", result.Lines[1]);
    }

    [Theory]
    [InlineData("nope", "HEAD", "the base revision 'nope'")]
    [InlineData("HEAD", "refs/heads/gone", "the head revision 'refs/heads/gone'")]
    public async Task Plan_MissingRevision_ExitsTwoWithOneLine(string from, string to, string named)
    {
        var result = await CliRunner.RunAsync("ci", "plan", from, to, "--repo", _repo.Path);

        Assert.Equal(ExitCodes.BadInput, result.ExitCode);
        var line = Assert.Single(result.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith($"mlops: {named} does not name a commit in ", line, StringComparison.Ordinal);
        Assert.Empty(result.Out);
    }

    [Fact]
    public async Task Plan_FolderWithoutARepository_ExitsTwo()
    {
        using var empty = new TempDirectory();

        var result = await CliRunner.RunAsync("ci", "plan", "HEAD~1", "HEAD", "--repo", empty.Path);

        Assert.Equal(ExitCodes.BadInput, result.ExitCode);
        Assert.Contains("is not inside a git repository", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Comment_SamePullRequestState_GivesTheSameBodyUnderTheMarker()
    {
        CiRepository.Pin(_repo, "production", "churn", 3);
        CiRepository.Commit(_repo, "Promote churn v3 to production");

        var first = await CliRunner.SucceedAsync("ci", "comment", "--base", "HEAD~1", "--head", "HEAD", "--repo", _repo.Path);
        var second = await CliRunner.SucceedAsync("ci", "comment", "--base", "HEAD~1", "--head", "HEAD", "--repo", _repo.Path);

        Assert.Equal(CiComment.Marker, first.Out.Split('\n')[0]);
        Assert.Equal(first.Out, second.Out);
        Assert.Contains("### production (`environments/production.yaml`)", first.Out, StringComparison.Ordinal);
        Assert.Contains("| churn | added | v3 |", first.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Comment_NewPush_UpdatesTheBodyUnderTheSameMarker()
    {
        var main = Git.Run(_repo.Path, "rev-parse", "HEAD").Trim();
        CiRepository.Pin(_repo, "production", "churn", 3);
        CiRepository.Commit(_repo, "Promote churn v3 to production");
        var first = await CliRunner.SucceedAsync("ci", "comment", "--base", main, "--head", "HEAD", "--repo", _repo.Path);
        _repo.Replace("environments/production.yaml", "version: 3", "version: 4");
        CiRepository.Commit(_repo, "Promote churn v4 instead");

        var second = await CliRunner.SucceedAsync("ci", "comment", "--base", main, "--head", "HEAD", "--repo", _repo.Path);

        Assert.Equal(CiComment.Marker, second.Out.Split('\n')[0]);
        Assert.NotEqual(first.Out, second.Out);
        Assert.Contains("| churn | added | v4 |", second.Out, StringComparison.Ordinal);
        Assert.DoesNotContain("v3", second.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Comment_FromAPlanFileWithAGateReport_MatchesBaseAndHeadAndQuotesTheReport()
    {
        CiRepository.Pin(_repo, "production", "churn", 3);
        CiRepository.Commit(_repo, "Promote churn v3 to production");
        var plan = await CliRunner.SucceedAsync("ci", "plan", "HEAD~1", "HEAD", "--repo", _repo.Path, "--json");
        var planFile = _repo.Write("out/plan.json", plan.Out);
        var gateFile = _repo.Write("out/gate-churn.md", "### Gate passed: churn run 0192f3a for `production`\r\n\r\nNo champion yet.\r\n");
        var bodyFile = _repo.Combine("out/comment/body.md");

        await CliRunner.SucceedAsync("ci", "comment", "--plan", planFile, "--gate-report", gateFile, "--output", bodyFile, "--repo", _repo.Path);
        var direct = await CliRunner.SucceedAsync("ci", "comment", "--base", "HEAD~1", "--head", "HEAD", "--gate-report", gateFile, "--repo", _repo.Path);

        var body = await File.ReadAllTextAsync(bodyFile, TestContext.Current.CancellationToken);
        Assert.Equal(direct.Out, body);
        Assert.Contains("## Gates\n\n### Gate passed: churn run 0192f3a for `production`\n\nNo champion yet.\n\n## What this change deploys", body, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--base", "HEAD~1")]
    [InlineData("--head", "HEAD")]
    public async Task Comment_OnlyOneEndOfTheRange_ExitsTwo(string option, string value)
    {
        var result = await CliRunner.RunAsync("ci", "comment", option, value, "--repo", _repo.Path);

        Assert.Equal(ExitCodes.BadInput, result.ExitCode);
        Assert.Equal("mlops: --base and --head go together. Pass both, or --plan FILE.", result.Error.TrimEnd('\n', '\r'));
    }

    [Fact]
    public async Task Comment_PlanFileThatIsNotAPlan_ExitsTwoNamingTheFile()
    {
        var file = _repo.Write("out/plan.json", "[1, 2]");

        var result = await CliRunner.RunAsync("ci", "comment", "--plan", file, "--repo", _repo.Path);

        Assert.Equal(ExitCodes.BadInput, result.ExitCode);
        Assert.Contains($"the plan file '{file}' is not a plan", result.Error, StringComparison.Ordinal);
    }
}
