using Mlops.Server.Ui.Catalog;
using Mlops.Server.Ui.Runs;

namespace Mlops.Server.Tests.Ui;

/// <summary>The runs page's filter grammar (docs/ui.md).</summary>
public sealed class RunFilterTests
{
    private static readonly RunView Lbfgs = Run("r1", "succeeded", ("trainer", "lbfgs"), ("trainer.l2Regularization", "1"), ("contract", "One year")) with
    {
        Metrics = [new RunMetricView("auc", RunMetricView.Holdout, "", 0.84, true), new RunMetricView("auc", RunMetricView.Holdout, "contract=Two year", 0.7, true)],
    };

    private static RunView Run(string id, string status, params (string Name, string Value)[] parameters) => new()
    {
        Id = id,
        Model = "churn",
        Status = status,
        StartedAt = DateTimeOffset.UnixEpoch,
        Params = [.. parameters.Select(p => new KeyValuePair<string, string>(p.Name, p.Value))],
    };

    [Theory]
    [InlineData("trainer=lbfgs", true)]
    [InlineData("trainer=LBFGS", true)]
    [InlineData("trainer!=lbfgs", false)]
    [InlineData("trainer=lightgbm", false)]
    [InlineData("auc>0.8", true)]
    [InlineData("auc > 0.8", true)]
    [InlineData("auc>=0.84", true)]
    [InlineData("auc<0.8", false)]
    [InlineData("metrics.auc<=0.84 and status=succeeded", true)]
    [InlineData("l2Regularization<2", true)]
    [InlineData("params.trainer.l2Regularization=1", true)]
    [InlineData("contract=\"One year\"", true)]
    [InlineData("contract~year", true)]
    [InlineData("status=failed", false)]
    [InlineData("lbfgs", true)]
    [InlineData("lightgbm", false)]
    [InlineData("learningRate>0.1", false)]
    [InlineData("", true)]
    public void Matches_FollowsTheGrammar(string filter, bool expected) => Assert.Equal(expected, RunFilter.Parse(filter).Matches(Lbfgs));

    [Theory]
    [InlineData("auc>", "'auc>' has no value after it: write auc>VALUE (quote a value with spaces: \"One year\").")]
    [InlineData(">0.8", "'>' has no name before it: write NAME>VALUE, for example auc>0.8.")]
    [InlineData("contract=\"One year", "the quote at character 10 is not closed: close it with another \".")]
    public void Parse_Unreadable_SaysWhatToWriteAndKeepsEveryRun(string filter, string error)
    {
        var parsed = RunFilter.Parse(filter);

        Assert.Equal(error, Assert.Single(parsed.Errors));
        Assert.True(parsed.Matches(Run("r2", "failed")));
    }

    [Fact]
    public void UnknownNames_NameNoRunHas_IsListed() =>
        Assert.Equal(["learningRate"], RunFilter.Parse("learningRate>0.1 trainer=lbfgs").UnknownNames([Lbfgs]));
}
