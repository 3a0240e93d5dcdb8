using Mlops.Pipeline.Ci;
using Mlops.Pipeline.History;
using Mlops.Testing;

namespace Mlops.Pipeline.Tests.Ci;

public sealed class CiPlannerTests : IDisposable
{
    private readonly ExampleRepository _repo = CiRepository.Create();

    public void Dispose() => _repo.Dispose();

    [Fact]
    public void FeatureSetChange_SelectsEveryModelThatPinsAnyVersionOfIt()
    {
        _repo.Replace("features/customer.yaml", "description: Months as a customer", "description: Months as a paying customer");
        CiRepository.Commit(_repo, "Reword tenure");

        var plan = CiPlanner.Plan(_repo.Path, "HEAD~1", "HEAD");

        Assert.Equal(["churn", "upsell"], plan.Models.Select(m => m.Model));
        Assert.Equal("feature set customer changed (features/customer.yaml)", Assert.Single(plan.Models[1].Reasons));
        Assert.Equal(["features/customer.yaml"], plan.ChangedFiles);
    }

    [Fact]
    public void ProductionChange_SelectsProductionWithItsDiff()
    {
        CiRepository.Pin(_repo, "production", "churn", 3);
        CiRepository.Commit(_repo, "Promote churn v3 to production");

        var plan = CiPlanner.Plan(_repo.Path, "HEAD~1", "HEAD");

        Assert.Empty(plan.Models);
        var production = Assert.Single(plan.Environments);
        Assert.Equal("production", production.Environment);
        Assert.Equal("environments/production.yaml", production.Path);
        Assert.True(production.FileChanged);
        var change = Assert.Single(production.Diff!.Changes);
        Assert.Equal(("churn", ModelChangeKind.Added, 3), (change.Model, change.Kind, change.After!.Version));
    }

    [Fact]
    public void ModelChange_NotPinnedAnywhere_SelectsTheEnvironmentsWithoutPromotedFrom()
    {
        _repo.Replace("models/churn.yaml", "seed: 42\n", "seed: 43\n");
        CiRepository.Commit(_repo, "Reseed churn");

        var plan = CiPlanner.Plan(_repo.Path, "HEAD~1", "HEAD");

        var model = Assert.Single(plan.Models);
        Assert.Equal(("churn", "model file changed (models/churn.yaml)"), (model.Model, Assert.Single(model.Reasons)));
        var staging = Assert.Single(plan.Environments);
        Assert.Equal("staging", staging.Environment);
        Assert.False(staging.FileChanged);
        Assert.Null(staging.Diff);
    }

    [Fact]
    public void ModelChange_PinnedInProduction_SelectsProductionOnly()
    {
        CiRepository.Pin(_repo, "production", "upsell", 2);
        var pinned = CiRepository.Commit(_repo, "Pin upsell v2");
        _repo.Replace("models/upsell.yaml", "seed: 42\n", "seed: 43\n");
        CiRepository.Commit(_repo, "Reseed upsell");

        var plan = CiPlanner.Plan(_repo.Path, pinned, "HEAD");

        Assert.Equal(["upsell"], plan.Models.Select(m => m.Model));
        var production = Assert.Single(plan.Environments);
        Assert.Equal("production", production.Environment);
        Assert.StartsWith("pins model upsell", Assert.Single(production.Reasons), StringComparison.Ordinal);
    }

    [Fact]
    public void DataChange_SelectsEveryModelTrainedOnIt()
    {
        File.AppendAllText(_repo.Combine("data/telco-churn.csv"), _repo.DataLines[1] + "\n");
        CiRepository.Commit(_repo, "One more row");

        var plan = CiPlanner.Plan(_repo.Path, "HEAD~1", "HEAD");

        Assert.Equal(["churn", "footfall", "upsell"], plan.Models.Select(m => m.Model));
        Assert.Contains("data file changed (data/telco-churn.csv)", plan.Models[0].Reasons);
        Assert.Equal(["data/telco-churn.csv"], plan.ChangedFiles);
    }

    [Fact]
    public void BaseNotAnAncestor_PlansTheDifferenceOfTheTwoTrees()
    {
        var main = Git.Run(_repo.Path, "rev-parse", "HEAD").Trim();
        Git.Run(_repo.Path, "checkout", "-q", "-b", "side");
        _repo.Replace("features/store.yaml", "description: Months as a customer", "description: Months open");
        var side = CiRepository.Commit(_repo, "Side change");
        Git.Run(_repo.Path, "checkout", "-q", main);
        _repo.Replace("models/churn.yaml", "seed: 42\n", "seed: 43\n");
        CiRepository.Commit(_repo, "Main change");

        var plan = CiPlanner.Plan(_repo.Path, side, "HEAD");

        Assert.Equal(["churn", "footfall"], plan.Models.Select(m => m.Model));
    }

    [Fact]
    public void ModelFileThatNoLongerParses_IsSelectedByItsFileName()
    {
        _repo.Replace("models/upsell.yaml", "model: upsell\n", "model: [upsell\n");
        CiRepository.Commit(_repo, "Break upsell");

        var plan = CiPlanner.Plan(_repo.Path, "HEAD~1", "HEAD");

        var model = Assert.Single(plan.Models);
        Assert.Equal(("upsell", "models/upsell.yaml"), (model.Model, model.Path));
        Assert.EndsWith("but does not parse; mlops validate says why", Assert.Single(model.Reasons), StringComparison.Ordinal);
    }

    [Fact]
    public void EnvironmentFileWithErrors_IsSelectedWithTheErrorInsteadOfADiff()
    {
        _repo.Replace("environments/production.yaml", "models: []", "models:\n  - { model: churn, version: 0, digest: nope }");
        CiRepository.Commit(_repo, "Break production");

        var plan = CiPlanner.Plan(_repo.Path, "HEAD~1", "HEAD");

        var production = Assert.Single(plan.Environments);
        Assert.True(production.FileChanged);
        Assert.Null(production.Diff);
        Assert.Contains("environments/production.yaml has errors", production.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void MissingRevision_ThrowsNamingItAndWhatToDo()
    {
        var error = Assert.Throws<CiPlanException>(() => CiPlanner.Plan(_repo.Path, "origin/nope", "HEAD"));

        Assert.StartsWith("the base revision 'origin/nope' does not name a commit in ", error.Message, StringComparison.Ordinal);
        Assert.EndsWith("a shallow clone must fetch it first (actions/checkout with fetch-depth: 0).", error.Message, StringComparison.Ordinal);
    }
}
