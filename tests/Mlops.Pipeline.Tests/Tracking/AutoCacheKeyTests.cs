using Mlops.Declarations.Models;
using Mlops.Declarations.Schema;
using Mlops.Pipeline.Tracking;

namespace Mlops.Pipeline.Tests.Tracking;

/// <summary>What of <c>trainer: auto</c> the cache key and the run's params hold.</summary>
public sealed class AutoCacheKeyTests
{
    private const string Data = "sha256:a55b84ce116b3d67bdf35b57033da03f95c3295ddec4ae32a0e7ce3e187187d7";

    private static readonly ModelSpec s_auto = CacheKeyTests.Model with
    {
        Trainer = new TrainerSpec("auto", 42, new Dictionary<string, ScalarValue>()) { Trials = 20 },
    };

    private static string Key(ModelSpec model) => CacheKey.Compute(model, CacheKeyTests.Features, Data, "5.0.1");

    [Fact]
    public void Compute_Auto_ChangesWithTrialsTrainersAndFoldsButNotWithTheTrainersSpelling()
    {
        var key = Key(s_auto);

        Assert.Equal(key, Key(s_auto with { Trainer = s_auto.Trainer with { } }));
        Assert.NotEqual(key, Key(s_auto with { Trainer = s_auto.Trainer with { Trials = 21 } }));
        Assert.NotEqual(key, Key(s_auto with { Trainer = s_auto.Trainer with { Trainers = ["lbfgs"] } }));
        Assert.NotEqual(Key(s_auto with { Trainer = s_auto.Trainer with { Trainers = ["lbfgs", "sdca"] } }),
            Key(s_auto with { Trainer = s_auto.Trainer with { Trainers = ["sdca", "lbfgs"] } })); // the order is the defaults' trial order
        Assert.NotEqual(key, Key(s_auto with { Data = s_auto.Data with { Split = s_auto.Data.Split with { Folds = 3 } } }));
        Assert.Contains("trainer.trials: 20\ntrainer.searchFolds: 5\ntrainer.trainers: []\n",
            CacheKey.Describe(s_auto, CacheKeyTests.Features, Data, "5.0.1"), StringComparison.Ordinal);
        Assert.DoesNotContain("trainer.trials", CacheKey.Describe(CacheKeyTests.Model, CacheKeyTests.Features, Data, "5.0.1"), StringComparison.Ordinal);
    }

    [Fact]
    public void FromDeclarations_Auto_RecordsTrialsAndTrainers()
    {
        var start = RunStart.FromDeclarations(s_auto with { Trainer = s_auto.Trainer with { Trainers = ["lbfgs", "lightgbm"] } },
            CacheKeyTests.Features, Data, "5.0.1", GitState.None);

        Assert.Equal("auto", start.Params["trainer"]);
        Assert.Equal("20", start.Params["trials"]);
        Assert.Equal("lbfgs,lightgbm", start.Params["trainers"]);
        Assert.Null(start.ParentId);
    }
}
