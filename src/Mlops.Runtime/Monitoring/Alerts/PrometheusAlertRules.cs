using System.Globalization;
using System.Text;
using Mlops.Declarations.Environments;

namespace Mlops.Runtime.Monitoring.Alerts;

/// <summary>
/// Writes an environment's alert rules as a Prometheus alerting-rules file over the metrics the server exports
/// (docs/monitoring.md), so a team that already runs Prometheus and Alertmanager gets the same alerts there:
/// <c>mlops render alerts ENV</c>. The output is deterministic (LF, fixed order) and passes <c>promtool check rules</c>.
/// </summary>
public static class PrometheusAlertRules
{
    /// <summary>The file's text.</summary>
    /// <param name="environment">The environment.</param>
    /// <param name="source">The environment file's path, named in the header.</param>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    public static string Write(EnvironmentSpec environment, string source)
    {
        ArgumentNullException.ThrowIfNull(environment);
        ArgumentNullException.ThrowIfNull(source);
        var window = AlertMessage.Duration(environment.Monitoring.Window);
        var text = new StringBuilder();
        text.Append("# Prometheus alerting rules of environment '").Append(environment.Name).Append("', rendered from ").Append(source).Append('\n');
        text.Append("# by `mlops render alerts ").Append(environment.Name).Append("`. Change the environment file and render again rather than editing this file.\n");
        text.Append("groups:\n");
        text.Append("  - name: ").Append(Quote("mlops-" + environment.Name)).Append('\n');
        if (environment.Monitoring.Alerts.Count == 0)
        {
            text.Append("    rules: []\n");
            return text.ToString();
        }

        text.Append("    rules:\n");
        foreach (var rule in environment.Monitoring.Alerts)
        {
            var condition = rule.Condition;
            text.Append("      - alert: ").Append(AlertName(condition)).Append('\n');
            text.Append("        expr: ").Append(Quote(Expression(condition, window))).Append('\n');
            if (rule.For > TimeSpan.Zero)
            {
                text.Append("        for: ").Append(AlertMessage.Duration(rule.For)).Append('\n');
            }

            text.Append("        labels:\n");
            text.Append("          severity: ").Append(Severity(condition)).Append('\n');
            text.Append("          environment: ").Append(Quote(environment.Name)).Append('\n');
            text.Append("          rule: ").Append(Quote(rule.Id)).Append('\n');
            text.Append("        annotations:\n");
            text.Append("          summary: ").Append(Quote(Summary(environment.Name, rule))).Append('\n');
            if (rule.Runbook is { } runbook)
            {
                text.Append("          runbook_url: ").Append(Quote(runbook)).Append('\n');
            }

            text.Append("          rollback: ").Append(Quote($"mlops rollback {environment.Name}")).Append('\n');
        }

        return text.ToString();
    }

    /// <summary>The alert's name: <c>MlopsDrift</c>, <c>MlopsNullRate</c>, <c>MlopsP99Latency</c>, <c>MlopsErrorRate</c>, <c>MlopsFallbackRate</c>, <c>MlopsLiveAuc</c>.</summary>
    /// <param name="condition">The rule's condition.</param>
    public static string AlertName(AlertCondition condition)
    {
        ArgumentNullException.ThrowIfNull(condition);
        return condition.Kind switch
        {
            AlertConditionKind.Drift => "MlopsDrift",
            AlertConditionKind.NullRate => "MlopsNullRate",
            AlertConditionKind.P99LatencyMs => "MlopsP99Latency",
            AlertConditionKind.ErrorRate => "MlopsErrorRate",
            AlertConditionKind.FallbackRate => "MlopsFallbackRate",
            _ => "MlopsLive" + char.ToUpperInvariant(condition.Metric[0]) + condition.Metric[1..],
        };
    }

    /// <summary>The PromQL expression: the series that breach the rule, with the value the rule compares.</summary>
    /// <param name="condition">The rule's condition.</param>
    /// <param name="window">The range of rates and quantiles, such as <c>1h</c>: the environment's monitoring window.</param>
    public static string Expression(AlertCondition condition, string window)
    {
        ArgumentNullException.ThrowIfNull(condition);
        ArgumentNullException.ThrowIfNull(window);
        var op = condition.OperatorText;
        var threshold = Number(condition.Threshold ?? 0);
        var answered = $"sum by (model) (rate(mlops_requests_total{{role!=\"shadow\"}}[{window}]))";
        return condition.Kind switch
        {
            AlertConditionKind.Drift => "mlops_dataset_drifted == 1",
            AlertConditionKind.NullRate => $"mlops_feature_null_ratio {op} {threshold}",
            AlertConditionKind.P99LatencyMs =>
                $"histogram_quantile(0.99, sum by (le, model, version) (rate(mlops_request_duration_seconds_bucket[{window}]))) * 1000 {op} {threshold}",
            AlertConditionKind.ErrorRate => $"sum by (model) (rate(mlops_request_errors_total[{window}])) / {answered} {op} {threshold}",
            AlertConditionKind.FallbackRate => $"sum by (model) (rate(mlops_fallback_total[{window}])) / {answered} {op} {threshold}",
            _ => condition.TrainingMargin is { } margin
                ? $"mlops_live_metric{{metric=\"{MetricLabel(condition.Metric)}\"}} {op} on (model, version, metric) "
                    + $"(mlops_training_metric{{metric=\"{MetricLabel(condition.Metric)}\"}} {(condition.IsBreachedAbove ? "+" : "-")} {Number(margin)})"
                : $"mlops_live_metric{{metric=\"{MetricLabel(condition.Metric)}\"}} {op} {threshold}",
        };
    }

    /// <summary>The <c>metric</c> label of a live metric in <c>mlops_live_metric</c>: <c>logLoss</c> is <c>log_loss</c>, the others as written.</summary>
    /// <param name="metric">The metric as the rule writes it.</param>
    public static string MetricLabel(string metric) => metric == "logLoss" ? "log_loss" : metric;

    // Requests failing or served by the fallback hurt users now; the others degrade quality and can wait for working hours.
    private static string Severity(AlertCondition condition) =>
        condition.Kind is AlertConditionKind.ErrorRate or AlertConditionKind.FallbackRate ? "critical" : "warning";

    private static string Summary(string environment, AlertRule rule)
    {
        var who = rule.Condition.Kind is AlertConditionKind.ErrorRate or AlertConditionKind.FallbackRate
            ? "{{ $labels.model }}"
            : "{{ $labels.model }} v{{ $labels.version }}";
        var feature = rule.Condition.Kind == AlertConditionKind.NullRate ? " (feature {{ $labels.feature }})" : "";
        return $"{who} in {environment}: {rule.Id}{feature}, value {{{{ $value | printf \"%.4g\" }}}}";
    }

    private static string Number(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>A YAML double-quoted scalar.</summary>
    private static string Quote(string value)
    {
        var builder = new StringBuilder(value.Length + 2).Append('"');
        foreach (var c in value)
        {
            switch (c)
            {
                case '"':
                    builder.Append("\\\"");
                    break;
                case '\\':
                    builder.Append("\\\\");
                    break;
                case < ' ':
                    builder.Append("\\x").Append(((int)c).ToString("x2", CultureInfo.InvariantCulture));
                    break;
                default:
                    builder.Append(c);
                    break;
            }
        }

        return builder.Append('"').ToString();
    }
}
