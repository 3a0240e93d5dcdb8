using System.Text.RegularExpressions;
using Mlops.Declarations.Environments;

namespace Mlops.Declarations.Tests.Environments;

public sealed class AlertRuleReaderTests
{
    private const string Path = "environments/production.yaml";

    /// <summary>An environment whose only alert is <paramref name="alert"/>, a flow mapping on line 4 starting at column 7.</summary>
    private static string WithAlert(string alert) =>
        "environment: production\n"
        + "monitoring:\n"
        + "  alerts:\n"
        + $"    - {alert}\n";

    private static AlertRule ParseOne(string alert)
    {
        var result = EnvironmentParser.Parse(Path, WithAlert(alert));
        Assert.True(result.Diagnostics.Count == 0, string.Join("\n", result.Diagnostics));
        return Assert.Single(result.Declaration!.Value.Monitoring.Alerts);
    }

    public static TheoryData<string, AlertConditionKind, string, AlertOperator?, double?, double?> Conditions() => new()
    {
        { "drift", AlertConditionKind.Drift, "drift", null, null, null },
        { "nullRate > 0.2", AlertConditionKind.NullRate, "nullRate", AlertOperator.GreaterThan, 0.2, null },
        { "p99LatencyMs>20", AlertConditionKind.P99LatencyMs, "p99LatencyMs", AlertOperator.GreaterThan, 20, null },
        { "errorRate >= 0.01", AlertConditionKind.ErrorRate, "errorRate", AlertOperator.GreaterThanOrEqual, 0.01, null },
        { "fallbackRate > 0.05", AlertConditionKind.FallbackRate, "fallbackRate", AlertOperator.GreaterThan, 0.05, null },
        { "accuracy < 0.7", AlertConditionKind.LiveMetric, "accuracy", AlertOperator.LessThan, 0.7, null },
        { "f1 <= 0.5", AlertConditionKind.LiveMetric, "f1", AlertOperator.LessThanOrEqual, 0.5, null },
        { "auc < training - 0.05", AlertConditionKind.LiveMetric, "auc", AlertOperator.LessThan, null, 0.05 },
        { "logLoss > training + 0.1", AlertConditionKind.LiveMetric, "logLoss", AlertOperator.GreaterThan, null, 0.1 },
        { "rmse > 12.5", AlertConditionKind.LiveMetric, "rmse", AlertOperator.GreaterThan, 12.5, null },
        { "mae > training+2", AlertConditionKind.LiveMetric, "mae", AlertOperator.GreaterThan, null, 2 },
    };

    [Theory]
    [MemberData(nameof(Conditions))]
    public void Parse_Condition_IsTyped(string when, AlertConditionKind kind, string metric, AlertOperator? op, double? threshold, double? margin)
    {
        var rule = ParseOne($"{{ when: \"{when}\" }}");

        Assert.Equal(new AlertCondition(kind, metric, op, threshold, margin), rule.Condition);
        Assert.Equal(when, rule.When);
        Assert.Equal(TimeSpan.Zero, rule.For);
    }

    [Fact]
    public void Parse_ForNotifyAndRunbook_AreRead()
    {
        var rule = ParseOne("{ when: drift, for: 15m, notify: \"http://127.0.0.1:9000/hook\", runbook: docs/runbooks/churn.md }");

        Assert.Equal(TimeSpan.FromMinutes(15), rule.For);
        Assert.Equal(new Uri("http://127.0.0.1:9000/hook"), rule.Notify);
        Assert.Equal("docs/runbooks/churn.md", rule.Runbook);
    }

    [Theory]
    [InlineData("auc < training - 0.05", "auc < training - 0.05")]
    [InlineData("p99LatencyMs>20", "p99LatencyMs > 20")]
    [InlineData("logLoss > training+0.10", "logLoss > training + 0.1")]
    [InlineData("drift", "drift")]
    public void Id_IsTheCanonicalCondition(string when, string id) => Assert.Equal(id, ParseOne($"{{ when: \"{when}\" }}").Id);

    [Theory]
    [InlineData("pdrift", "does not name something an alert can watch; did you mean 'drift'?")]
    [InlineData("latency > 20", "does not name something an alert can watch")]
    [InlineData("p99LatencyMs", "compares it with nothing. Write a comparison such as 'p99LatencyMs > 20'")]
    [InlineData("p99LatencyMs == 20", "whose comparison '==' is not one of >, >=, <, <=")]
    [InlineData("auc > 0.7", "auc is better when higher, so an alert on it fires when it falls below a threshold. Write 'auc < 0.7'")]
    [InlineData("errorRate < 0.01", "errorRate is worse when higher")]
    [InlineData("drift > 0.5", "drift takes no comparison")]
    [InlineData("errorRate > training - 0.01", "only a live metric")]
    [InlineData("auc < training + 0.05", "'auc < training - 0.05'")]
    public void Parse_BadCondition_ReportsMlops0310AtWhen(string when, string message)
    {
        var result = EnvironmentParser.Parse(Path, WithAlert($"{{ when: \"{when}\" }}"));

        DiagnosticAssert.Single(result.Diagnostics, "MLOPS0310", Path, 4, 15, $"'when' is '{when}'", message);
        Assert.Empty(result.Declaration!.Value.Monitoring.Alerts);
    }

    [Theory]
    [InlineData("errorRate > 0.0.1", "whose threshold '0.0.1' is not a number")]
    [InlineData("p99LatencyMs > twenty", "whose threshold 'twenty' is not a number")]
    [InlineData("auc < training - lots", "whose margin 'lots' is not a number")]
    [InlineData("nullRate > 20", "nullRate is a ratio from 0 to 1, so 20 can never be passed. Write the share as a fraction: 5% is 0.05.")]
    [InlineData("errorRate > -0.1", "whose threshold '-0.1' is not a number")]
    public void Parse_BadNumber_ReportsMlops0311AtWhen(string when, string message)
    {
        var result = EnvironmentParser.Parse(Path, WithAlert($"{{ when: \"{when}\" }}"));

        DiagnosticAssert.Single(result.Diagnostics, "MLOPS0311", Path, 4, 15, message);
    }

    [Theory]
    [InlineData("5 minutes")]
    [InlineData("5")]
    [InlineData("-1m")]
    [InlineData("1.5h")]
    [InlineData("99999999999s")]
    public void Parse_BadDuration_ReportsMlops0312AtFor(string duration)
    {
        var result = EnvironmentParser.Parse(Path, WithAlert($"{{ when: drift, for: \"{duration}\" }}"));

        DiagnosticAssert.Single(result.Diagnostics, "MLOPS0312", Path, 4, 27, $"'for' is '{duration}', which is not a duration.", "'5m' waits five minutes");
        Assert.Empty(result.Declaration!.Value.Monitoring.Alerts);
    }

    [Theory]
    [InlineData("ftp://alerts.example/hook")]
    [InlineData("alerts.example/hook")]
    [InlineData("https://")]
    [InlineData("mailto:oncall@example.com")]
    public void Parse_BadNotify_ReportsMlops0313AtNotify(string notify)
    {
        var result = EnvironmentParser.Parse(Path, WithAlert($"{{ when: drift, notify: \"{notify}\" }}"));

        DiagnosticAssert.Single(result.Diagnostics, "MLOPS0313", Path, 4, 30, $"'notify' is '{notify}', which is not a webhook address.", "Write an absolute http:// or https:// URL");
    }

    [Fact]
    public void Parse_EveryBadAlert_IsReportedInOnePass_AndGoodOnesKeepTheirLocations()
    {
        var text = "environment: production\nmonitoring:\n  alerts:\n"
            + "    - { when: pdrift }\n"
            + "    - { when: drift, for: soon }\n"
            + "    - { when: drift, runbook: docs/runbooks/churn.md }\n";

        var result = EnvironmentParser.Parse(Path, text);

        Assert.Equal(["MLOPS0310", "MLOPS0312"], result.Diagnostics.Select(d => d.Id));
        Assert.Single(result.Declaration!.Value.Monitoring.Alerts);
        Assert.Equal(new Mlops.Declarations.Diagnostics.SourceLocation(Path, 6, 31), result.Declaration.Map["monitoring.alerts[0].runbook"]);
    }

    public static TheoryData<string> PatternCases() =>
    [
        "drift", "pdrift", "nullRate > 0.2", "nullRate>0.2", "p99LatencyMs >= 20", "errorRate < 0.01", "auc < training - 0.05",
        "logLoss > training + 0.1", "auc < 0.7", "latency > 20", "p99 >> 5", "errorRate > 0.0.1", "auc < training", "f1 <= 1",
    ];

    /// <summary>The JSON Schema's pattern (what editors check) accepts everything the reader accepts; the reader also checks direction and ranges.</summary>
    [Theory]
    [MemberData(nameof(PatternCases))]
    public void ConditionPattern_AcceptsEveryConditionTheReaderAccepts(string when)
    {
        var accepted = EnvironmentParser.Parse(Path, WithAlert($"{{ when: \"{when}\" }}")).Diagnostics.Count == 0;
        var matches = Regex.IsMatch(when, $"^(?:{AlertRuleReader.ConditionPattern})$");

        Assert.True(!accepted || matches, $"'{when}' is accepted by the reader but not by the schema's pattern.");
        Assert.True(accepted || !matches || when is "errorRate < 0.01", $"'{when}' matches the pattern; the reader refused it, which only a wrong direction or range should do.");
    }

    [Theory]
    [InlineData(0.74, 0.80, true)]
    [InlineData(0.76, 0.80, false)]
    [InlineData(0.75, 0.80, false)]
    public void ThresholdFor_TrainingMinusMargin_BreachesBelowTheMovedTrainingFigure(double value, double training, bool breach)
    {
        var condition = ParseOne("{ when: \"auc < training - 0.05\" }").Condition;

        var threshold = condition.ThresholdFor(training)!.Value;

        Assert.Equal(training - 0.05, threshold, 12);
        Assert.Equal(breach, condition.IsBreach(value, threshold));
        Assert.Null(condition.ThresholdFor(null));
    }
}
