using Mlops.Runtime.Git;
using Mlops.Runtime.Monitoring.Alerts;
using Mlops.Testing;
using StockGit = Mlops.Testing.Git;

namespace Mlops.Runtime.Tests.Monitoring.Alerts;

/// <summary>The environment's last promotion, read from a real repository made with stock git.</summary>
public sealed class LastPromotionTests : IDisposable
{
    private readonly TempDirectory _repo = new("mlops-last-promotion");

    public void Dispose() => _repo.Dispose();

    private static void Commit(string folder, string author, string date, string message)
    {
        StockGit.Run(folder, "add", "-A");
        StockGit.Run(folder, "-c", $"user.name={author}", "-c", $"user.email={author.ToLowerInvariant()}@example.com", "commit", "-q", "-m", message, "--date", date);
    }

    [Fact]
    public void Read_NamesTheNewestCommitThatChangedTheEnvironmentFile()
    {
        _repo.Write("environments/production.yaml", "environment: production\nmodels: []\n");
        StockGit.InitAndCommit(_repo.Path);
        _repo.Write("environments/production.yaml", "environment: production\n# churn v7\nmodels: []\n");
        Commit(_repo.Path, "Ann", "2026-12-01T09:00:00Z", "Promote churn v7 to production");
        _repo.Write("models/other.yaml", "model: other\n");
        Commit(_repo.Path, "Bob", "2026-12-02T09:00:00Z", "Unrelated change");
        var expected = StockGit.Run(_repo.Path, "log", "-1", "--format=%H", "--", "environments/production.yaml").Trim();

        using var repository = GitRepository.Discover(_repo.Path)!;
        var promotion = LastPromotion.Read(repository, "HEAD", "environments/production.yaml");

        Assert.NotNull(promotion);
        Assert.Equal(expected, promotion.Commit);
        Assert.Equal("Ann <ann@example.com>", promotion.Author);
        Assert.Equal("Promote churn v7 to production", promotion.Subject);
        Assert.Equal(DateTimeOffset.Parse(StockGit.Run(_repo.Path, "log", "-1", "--format=%cI", expected).Trim(), System.Globalization.CultureInfo.InvariantCulture), promotion.Time);
    }

    [Fact]
    public void Read_FileNeverCommitted_IsNull()
    {
        _repo.Write("README.md", "x\n");
        StockGit.InitAndCommit(_repo.Path);

        using var repository = GitRepository.Discover(_repo.Path)!;

        Assert.Null(LastPromotion.Read(repository, "HEAD", "environments/production.yaml"));
    }
}
