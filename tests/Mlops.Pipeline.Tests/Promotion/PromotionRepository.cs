using Mlops.Declarations.FeatureSets;
using Mlops.Pipeline.Evaluation;
using Mlops.Pipeline.Promotion;
using Mlops.Pipeline.Registry;
using Mlops.Pipeline.Tests.Registry;

namespace Mlops.Pipeline.Tests.Promotion;

/// <summary>
/// A real repository holding the example's staging and production files, with churn v1 to v9 registered
/// (churn@vN has bundle sha256:NNNN…, v1 to v9; v9 trained on customer@4) and their bundles in an in-memory store.
/// </summary>
internal sealed class PromotionRepository : IDisposable
{
    public const string Digest7 = "sha256:7777777777777777777777777777777777777777777777777777777777777777";
    public const string Digest8 = EnvironmentFileEditorTests.Digest8;
    public const string Digest9 = EnvironmentFileEditorTests.Digest9;
    public const string Schema3 = EnvironmentFileEditorTests.Schema3;
    public const string Schema4 = EnvironmentFileEditorTests.Schema4;

    public PromotionRepository()
    {
        Initial = Git.Commit("Declarations",
            ("environments/staging.yaml", EnvironmentFileEditorTests.ReadInput("staging")),
            ("environments/production.yaml", EnvironmentFileEditorTests.ReadInput("production")),
            ("models/churn.yaml", "model: churn\n"));
        var registry = new ModelRegistry(Git.Path, Git.Time);
        for (var version = 1; version <= 9; version++)
        {
            var digest = "sha256:" + new string((char)('0' + version), 64); // churn@vN has bundle NNNN…
            var featureSet = version == 9 ? 4 : 3;
            registry.Register(new ModelRegistration("churn", Initial, digest)
            {
                FeatureSet = new FeatureSetReference("customer", featureSet),
                FeatureSetDigest = featureSet == 4 ? Schema4 : Schema3,
                RunId = "run-" + digest[7..11],
                Metrics = [new ModelMetric("auc", 0.8291) { Interval = new MetricInterval(0.8102, 0.8477) }, new ModelMetric("p99LatencyMs", 0.31), new ModelMetric("recall[contract=One year]", 0.61)],
            });
            Store.Add(digest);
        }
    }

    public GitTestRepository Git { get; } = new();

    public InMemoryBundleStore Store { get; } = new();

    /// <summary>The commit holding the declarations; every version is tagged on it.</summary>
    public string Initial { get; }

    public static GateEvidence PassingGate { get; } = new(
        "| Rule | Candidate | Verdict |\n|---|---|---|\n| auc >= 0.80 | 0.8291 | passed |",
        [new GateCheck("auc", true, "auc 0.8291 >= 0.80")]);

    public Promoter Promoter() => new(Git.Time, Store);

    public PromotionRequest Request(string environment, int? version = null, PromotionMode mode = PromotionMode.Full, CommitTarget target = CommitTarget.NewBranch) =>
        new(Git.Path, "churn", environment) { Version = version, Mode = mode, Target = target, Gate = PassingGate };

    /// <summary>Promotes on the current branch, as the merge pipeline does.</summary>
    public Task<PromotionResult> PromoteOnMainAsync(string environment, int version, PromotionMode mode = PromotionMode.Full, int? weight = null) =>
        Promoter().PromoteAsync(Request(environment, version, mode, CommitTarget.CurrentBranch) with { CanaryWeight = weight }, TestContext.Current.CancellationToken);

    public string FileOnMain(string environment) => Git.Show("main", $"environments/{environment}.yaml");

    public string Branches() => Git.Git("branch", "--list", "--format=%(refname:short)");

    public void Dispose()
    {
        Git.Dispose();
    }
}
