using System.Globalization;
using Mlops.Declarations.Environments;
using Mlops.Runtime.Monitoring;

namespace Mlops.Pipeline.Monitoring;

/// <summary>A reason to retrain: a firing alert whose cause retraining can fix.</summary>
/// <param name="Model">The model.</param>
/// <param name="Version">The version the alert is about.</param>
/// <param name="Rule">The rule as declared.</param>
/// <param name="Since">When it started firing.</param>
/// <param name="Message">The alert's message.</param>
public sealed record RetrainReason(string Model, int Version, string Rule, DateTimeOffset Since, string Message);

/// <summary>What <c>mlops monitor check</c> concludes.</summary>
/// <param name="Environment">The environment.</param>
/// <param name="At">When the server took its figures.</param>
/// <param name="Canaries">Each running canary's analysis.</param>
/// <param name="Retrain">Firing drift and live-metric alerts: the models to retrain.</param>
/// <param name="Firing">Every firing alert, whatever its kind.</param>
public sealed record MonitorCheckResult(string Environment, DateTimeOffset At, IReadOnlyList<CanaryReport> Canaries, IReadOnlyList<RetrainReason> Retrain, IReadOnlyList<AlertStatus> Firing)
{
    /// <summary>Whether a scheduled job should act: retraining is due or a canary should be aborted.</summary>
    public bool ActionNeeded => Retrain.Count > 0 || Canaries.Any(c => c.Verdict == CanaryVerdict.Abort);
}

/// <summary>
/// Reads a server's monitor report against the environment file: the canary analysis of each model
/// with a canary, and the retraining trigger. Retraining is due when an alert on drift or on a live
/// quality metric fires (what new data can fix); latency, error, fallback and null-rate alerts are
/// reported but do not ask for retraining (a null rate that jumps is a broken upstream column, and
/// retraining on it would learn the breakage).
/// </summary>
public static class MonitorCheck
{
    private static readonly HashSet<string> s_retrainKinds = new(StringComparer.Ordinal) { "drift", "liveMetric" };

    /// <summary>Evaluates the report.</summary>
    /// <param name="environment">The environment file as declared in the repository.</param>
    /// <param name="report">What the server sees.</param>
    /// <exception cref="InvalidDataException">The report is about another environment.</exception>
    public static MonitorCheckResult Evaluate(EnvironmentSpec environment, MonitorReport report)
    {
        ArgumentNullException.ThrowIfNull(environment);
        ArgumentNullException.ThrowIfNull(report);
        if (!string.Equals(environment.Name, report.Environment, StringComparison.Ordinal))
        {
            throw new InvalidDataException($"the server serves environment '{report.Environment}', not '{environment.Name}'. Point --server at a server of '{environment.Name}', or check --environment.");
        }

        var canaries = new List<CanaryReport>();
        foreach (var pin in environment.Models.Where(m => m.Canary is not null))
        {
            var served = report.Models.FirstOrDefault(m => m.Model == pin.Model);
            var canary = served?.Versions.FirstOrDefault(v => v.Role == "canary" && v.Version == pin.Canary!.Version);
            var primary = served?.Versions.FirstOrDefault(v => v.Role == "primary");
            if (canary is null || primary is null)
            {
                canaries.Add(new CanaryReport(pin.Model, pin.Canary!.Version, pin.Version, [
                    new AnalysisRuleResult("canary served", AnalysisOutcome.Inconclusive, null, null,
                        $"the server does not serve {pin.Model} v{pin.Canary.Version} as a canary beside a primary yet (is it synced? see GET /status)"),
                ], CanaryVerdict.Wait, null));
                continue;
            }

            canaries.Add(CanaryAnalysis.Evaluate(pin.Model, environment.Name, pin.Canary!, canary, primary));
        }

        var firing = report.Alerts.Where(a => a.State == "firing").ToList();
        var retrain = firing.Where(a => s_retrainKinds.Contains(a.Kind)).Select(a => new RetrainReason(a.Model, a.Version, a.Rule, a.Since, a.Message)).ToList();
        return new MonitorCheckResult(environment.Name, report.At, canaries, retrain, firing);
    }

    /// <summary>The result in words, one finding per line.</summary>
    public static IEnumerable<string> Describe(MonitorCheckResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        yield return string.Create(CultureInfo.InvariantCulture, $"environment {result.Environment}, figures of {result.At:u}");
        foreach (var canary in result.Canaries)
        {
            yield return $"canary {canary.Model} v{canary.CanaryVersion} against primary v{canary.PrimaryVersion}: {canary.Verdict.ToString().ToLowerInvariant()}";
            foreach (var rule in canary.Rules)
            {
                var values = rule.Canary is { } c ? $" (canary {Format(c)}{(rule.Primary is { } p ? $", primary {Format(p)}" : "")})" : "";
                yield return $"    {rule.Outcome.ToString().ToLowerInvariant(),-12} {rule.Description}{values}{(rule.Reason is null ? "" : ": " + rule.Reason)}";
            }

            if (canary.Command is not null)
            {
                yield return $"    run: {canary.Command}";
            }
        }

        foreach (var alert in result.Firing)
        {
            yield return $"firing {alert.Model} v{alert.Version} '{alert.Rule}' since {alert.Since.ToString("u", CultureInfo.InvariantCulture)}: {alert.Message}";
        }

        yield return result.Retrain.Count > 0
            ? $"retrain: {string.Join(", ", result.Retrain.Select(r => r.Model).Distinct())} ({string.Join("; ", result.Retrain.Select(r => $"{r.Model} v{r.Version}: {r.Rule}"))}); run the training pipeline (dotnet cake)"
            : "retrain: not needed";
    }

    private static string Format(double value) => value.ToString("0.####", CultureInfo.InvariantCulture);
}
