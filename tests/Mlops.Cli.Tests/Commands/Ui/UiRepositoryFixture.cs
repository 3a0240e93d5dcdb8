using Mlops.Cli.Tests.Commands.Promote;
using Mlops.Pipeline.Tracking;
using Mlops.Testing;

namespace Mlops.Cli.Tests.Commands.Ui;

/// <summary>
/// The example repository released twice with different parameters (two runs, versions 1 and 2 through staging and
/// production), production rolled back to v1, and a model description holding HTML; <c>mlops ui</c> started on it
/// in process on 127.0.0.1, and a browser. Shared by a test class: training is the slow part.
/// </summary>
public sealed class UiRepositoryFixture : IAsyncLifetime
{
    /// <summary>The description written into models/churn.yaml: markup that must show as text.</summary>
    public const string Description = "Predicts <b>churn</b> & <script>alert(1)</script> leavers";

    private CliHost? _ui;

    public ExampleRepository Repo { get; } = new();

    public Uri Address { get; private set; } = null!;

    public Browser? Browser { get; private set; }

    /// <summary>The two runs, oldest first, as the run store has them.</summary>
    public IReadOnlyList<Run> Runs { get; private set; } = [];

    /// <summary>The parameter whose value differs between the runs (the regularisation the second release sets; the first run does not record it).</summary>
    public string ChangedParam { get; private set; } = "";

    /// <summary>The sha of the commit that promoted v2 to production (the one the rollback undid).</summary>
    public string PromotionOfV2 { get; private set; } = "";

    public async ValueTask InitializeAsync()
    {
        Repo.Replace("models/churn.yaml", "description: Predicts whether a customer leaves within the month.", $"description: \"{Description}\"");
        Git.InitAndCommit(Repo.Path);
        await PromoteCommandTests.ReleaseAsync(Repo.Path);
        Repo.Replace("models/churn.yaml", "  seed: 42\n", "  seed: 42\n  params: { l2Regularization: 0.5 }\n");
        Git.CommitAll(Repo.Path, "Stronger L2 regularisation for churn");
        await PromoteCommandTests.ReleaseAsync(Repo.Path);
        PromotionOfV2 = Git.Run(Repo.Path, "rev-parse", "HEAD").Trim();
        await CliRunner.SucceedAsync("rollback", "production", "--repo", Repo.Path);

        await using (var store = await RunStore.OpenAsync(Repo.Combine(TrackingLocation.DefaultRelativePath), cancellationToken: TestContext.Current.CancellationToken))
        {
            Runs = [.. (await store.ListAsync("churn", 10, TestContext.Current.CancellationToken)).Reverse()];
        }

        Assert.Equal(2, Runs.Count);
        ChangedParam = Runs[1].Params.First(p => Runs[0].Params.GetValueOrDefault(p.Key) != p.Value).Key;

        _ui = await CliHost.StartAsync("/ui/runs", "ui", "--repo", Repo.Path);
        Assert.False(_ui.Exit.IsCompleted, $"mlops ui ended early: {_ui.Error}");
        Address = _ui.Address;
        if (Mlops.Testing.Browser.Available)
        {
            Browser = await Mlops.Testing.Browser.LaunchAsync();
        }
    }

    /// <summary>The browser, or a skip (a failure under CI=true) when chromium is missing.</summary>
    public Browser RequireBrowser()
    {
        if (Browser is not null)
        {
            return Browser;
        }

        Assert.False(Mlops.Testing.Browser.Required, Mlops.Testing.Browser.Missing);
        Assert.Skip(Mlops.Testing.Browser.Missing);
        return null!;
    }

    /// <summary>The address of a page.</summary>
    public string Url(string pathAndQuery) => new Uri(Address, pathAndQuery).ToString();

    public async ValueTask DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.DisposeAsync();
        }

        if (_ui is not null)
        {
            await _ui.DisposeAsync();
        }

        Repo.Dispose();
    }
}
