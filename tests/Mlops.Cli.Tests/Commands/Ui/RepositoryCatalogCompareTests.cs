using Mlops.Cli.Commands.Ui;
using Mlops.Pipeline.Tracking;

namespace Mlops.Cli.Tests.Commands.Ui;

/// <summary>The UI's compare view takes its columns from <see cref="RunTable"/>, as <c>mlops runs compare</c> does.</summary>
public sealed class RepositoryCatalogCompareTests
{
    private static Run Run(string id, params RunMetric[] metrics) => new()
    {
        Id = id,
        Model = "churn",
        Status = RunStatus.Succeeded,
        StartedAt = new DateTimeOffset(2026, 11, 23, 9, 0, 0, TimeSpan.Zero),
        Toolchain = new Toolchain("linux", "10.0", "5.0.1"),
        Params = new Dictionary<string, string> { ["trainer"] = "lbfgs", ["l2Regularization"] = id },
        Metrics = metrics,
    };

    [Fact]
    public void Compare_MetricOnlyTheThirdRunHas_HasNoDeltaWhereARunLacksIt()
    {
        Run[] runs = [Run("a", new RunMetric("auc", 0.8)), Run("b", new RunMetric("auc", 0.9)), Run("c", new RunMetric("auc", 0.7), new RunMetric("logLoss", 0.4))];

        var view = RepositoryCatalog.Compare(runs);

        Assert.Equal(["trainer", "l2Regularization"], view.Params.Select(p => p.Name));
        var logLoss = Assert.Single(view.Metrics, m => m.Metric.Name == "logLoss");
        Assert.Equal([null, null, 0.4], logLoss.Values);
        Assert.Equal([null, null, null], logLoss.Deltas);
        var auc = Assert.Single(view.Metrics, m => m.Metric.Name == "auc");
        Assert.Equal([null, 0.1, -0.1], auc.Deltas.Select(d => d is { } v ? Math.Round(v, 10) : (double?)null));
    }
}
