using Mlops.Declarations.Models;
using Mlops.Pipeline.Tracking;

namespace Mlops.Pipeline.Tests.Tracking;

public sealed class RunStartTests
{
    private const string Data = "sha256:a55b84ce116b3d67bdf35b57033da03f95c3295ddec4ae32a0e7ce3e187187d7";

    [Fact]
    public void FromDeclarations_RecordsTheDeclaredParamsKeyAndDigests()
    {
        var git = new GitState("0123456789abcdef0123456789abcdef01234567", false, "main");

        var start = RunStart.FromDeclarations(CacheKeyTests.Model, CacheKeyTests.Features, Data, "5.0.1", git);

        Assert.Equal("churn", start.Model);
        Assert.Equal(CacheKey.Compute(CacheKeyTests.Model, CacheKeyTests.Features, Data, "5.0.1"), start.CacheKey);
        Assert.Equal(CacheKey.DeclarationsDigest(CacheKeyTests.Model, CacheKeyTests.Features), start.DeclarationsDigest);
        Assert.Equal(Data, start.DataDigest);
        Assert.Equal(git, start.Git);
        Assert.Equal("5.0.1", start.MlNetVersion);
        Assert.Equal(42, start.Seed);
        Assert.Equal(
            [("trainer", "lightgbm"), ("numberOfLeaves", "31"), ("learningRate", "0.05"), ("seed", "42"), ("split.holdout", "0.2"), ("split.seed", "42"), ("featureSet", "customer@1")],
            start.Params.Select(p => (p.Key, p.Value)));
    }

    [Fact]
    public void FromDeclarations_TimeSplit_RecordsTheTimeColumn()
    {
        var model = CacheKeyTests.Model with { Data = CacheKeyTests.Model.Data with { Split = new SplitSpec(0.2, 42, "signup_date") } };

        var start = RunStart.FromDeclarations(model, CacheKeyTests.Features, Data, "5.0.1", GitState.None);

        Assert.Equal("signup_date", start.Params["split.timeColumn"]);
    }
}
