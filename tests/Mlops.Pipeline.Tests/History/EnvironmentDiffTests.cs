using Mlops.Pipeline.History;
using Mlops.Pipeline.Promotion;
using Mlops.Pipeline.Tests.Promotion;
using Mlops.Pipeline.Tests.Registry;
using Mlops.Testing;

namespace Mlops.Pipeline.Tests.History;

public sealed class EnvironmentDiffTests
{
    private const string Digest7 = PromotionRepository.Digest7;
    private const string Digest8 = PromotionRepository.Digest8;

    [Fact]
    public void Compare_CompletedCanary_IsOneChangeWithItsNewPrimary()
    {
        var before = EnvironmentFileEditorTests.ReadInput("canary");
        var after = EnvironmentFileEditor.Parse("environments/production.yaml", before).CompleteCanary("churn", new("customer", 3), PromotionRepository.Schema3).Text;

        var diff = EnvironmentDiff.Compare("production", "environments/production.yaml", before, after);

        var change = Assert.Single(diff.Changes);
        Assert.Equal(("churn", ModelChangeKind.Changed, 7, 8), (change.Model, change.Kind, change.Before!.Version, change.After!.Version));
        Assert.Equal(["canary completed"], change.Changes);
        Assert.Empty(change.NewDigests);
        Assert.Empty(diff.OtherChanges);
        Assert.Equal("churn v7 + canary v8 at 10% -> v8", diff.Summary());
    }

    [Fact]
    public void Compare_DigestChangedWithoutANewVersion_IsFlagged()
    {
        var before = EnvironmentFileEditorTests.ReadInput("flow-pins");
        var after = before.Replace(Digest7, Digest8, StringComparison.Ordinal);

        var change = Assert.Single(EnvironmentDiff.Compare("production", "environments/production.yaml", before, after).Changes);

        Assert.Equal(["**digest changed without a new version**"], change.Changes);
        Assert.Equal([("primary", 7, Digest8)], change.NewDigests);
    }

    [Fact]
    public void Compare_SettingsOnly_ReportsThemWithoutModelChanges()
    {
        var before = EnvironmentFileEditorTests.ReadInput("staging");

        var diff = EnvironmentDiff.Compare("staging", "environments/staging.yaml", before, before.Replace("window: 1h", "window: 2h", StringComparison.Ordinal));

        Assert.Empty(diff.Changes);
        Assert.Equal(["monitoring"], diff.OtherChanges);
    }

    [Fact]
    public async Task Render_ForAPullRequest_IsTheExpectedMarkdown()
    {
        var production = EnvironmentFileEditorTests.ReadInput("canary");
        var productionAfter = EnvironmentFileEditor.Parse("environments/production.yaml", production)
            .SetCanary("churn", 9, PromotionRepository.Digest9, 25)
            .SetPin("upsell", 1, "sha256:1111111111111111111111111111111111111111111111111111111111111111", new("customer", 4), PromotionRepository.Schema4)
            .Text;
        var staging = EnvironmentFileEditorTests.ReadInput("staging");
        var stagingAfter = EnvironmentFileEditor.Parse("environments/staging.yaml", staging).SetPin("churn", 9, PromotionRepository.Digest9, new("customer", 4), PromotionRepository.Schema4).Text;
        var store = new InMemoryBundleStore();
        store.Add(PromotionRepository.Digest9);
        var diffs = new List<EnvironmentDiff>();
        foreach (var diff in new[]
        {
            EnvironmentDiff.Compare("production", "environments/production.yaml", production, productionAfter.Replace("window: 1h", "window: 30m", StringComparison.Ordinal)),
            EnvironmentDiff.Compare("staging", "environments/staging.yaml", staging, stagingAfter),
        })
        {
            var checkedDiff = await diff.CheckStoreAsync(store, TestContext.Current.CancellationToken);
            diffs.Add(checkedDiff.Annotate(c => c.Model == "churn" ? c with { MetricsDelta = "auc +0.012 (0.8291)", GateVerdict = "passed (4 rules)" } : c));
        }

        var markdown = EnvironmentDiffMarkdown.Render(diffs, "main..promote/churn-v9-production-canary");

        var expected = RepositoryRoot.Combine("tests", "Mlops.Pipeline.Tests", "History", "Expected", "diff.md");
        if (Environment.GetEnvironmentVariable("MLOPS_ACCEPT_EXPECTED") == "1")
        {
            await File.WriteAllTextAsync(expected, markdown, TestContext.Current.CancellationToken);
        }

        Assert.Equal(await File.ReadAllTextAsync(expected, TestContext.Current.CancellationToken), markdown);
    }

    [Fact]
    public void Render_NoChanges_SaysSo()
    {
        var text = EnvironmentFileEditorTests.ReadInput("staging");

        var markdown = EnvironmentDiffMarkdown.Render([EnvironmentDiff.Compare("staging", "environments/staging.yaml", text, text)]);

        Assert.Equal("## What this change deploys\n\nNo environment changes.\n", markdown);
    }

    [Fact]
    public async Task BetweenRevisions_MainAndAPromotionBranch_GivesTheChangedEnvironmentOnly()
    {
        using var repo = new PromotionRepository();
        var promotion = await repo.Promoter().PromoteAsync(repo.Request("staging", 8), TestContext.Current.CancellationToken);

        var diffs = EnvironmentDiff.BetweenRevisions(repo.Git.Path, "main", promotion.Branch!);

        var diff = Assert.Single(diffs);
        Assert.Equal("staging", diff.Environment);
        Assert.Equal("churn (not pinned) -> v8", diff.Summary());
        Assert.Equal(["added"], diff.Changes[0].Changes);
    }
}
