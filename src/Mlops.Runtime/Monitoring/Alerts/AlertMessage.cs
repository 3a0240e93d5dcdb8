using System.Globalization;
using System.Text.Json;
using Mlops.Declarations.Diagnostics;

namespace Mlops.Runtime.Monitoring.Alerts;

/// <summary>The two renderings of an <see cref="AlertNotification"/>: one log line for people, one JSON object for webhooks (docs/monitoring.md, "Alerts").</summary>
public static class AlertMessage
{
    /// <summary>
    /// One line: <c>FIRING churn v7 in production: auc &lt; training - 0.05 (value 0.71, threshold 0.75) since ...; last promotion
    /// 1a2b3c4d5e6f by Name &lt;email&gt; at ...; roll back: mlops rollback production; runbook: docs/runbooks/churn.md</c>.
    /// </summary>
    /// <param name="notification">The notification.</param>
    /// <exception cref="ArgumentNullException"><paramref name="notification"/> is null.</exception>
    public static string Summary(AlertNotification notification)
    {
        ArgumentNullException.ThrowIfNull(notification);
        var n = notification;
        var text = $"{(n.Status == AlertNotificationStatus.Firing ? "FIRING" : "RESOLVED")} {n.Model} v{n.Version.ToString(CultureInfo.InvariantCulture)} in {n.Environment}: {n.Rule.Id} "
            + $"(value {Number(n.Value)}, threshold {Number(n.Threshold)}{(n.Detail is null ? "" : $"; {n.Detail}")}) "
            + (n.EndsAt is { } end ? $"from {Time(n.StartsAt)} to {Time(end)}" : $"since {Time(n.StartsAt)}")
            + (n.LastPromotion is { } p ? $"; last promotion {Short(p.Commit)} by {p.Author} at {Time(p.Time)}" : "; last promotion unknown")
            + $"; roll back: {n.RollbackCommand}"
            + (n.RunbookLink is null ? "" : $"; runbook: {n.RunbookLink}");

        // Values echoed from files and git (authors, details) must not add a line to the log.
        return DiagnosticText.Clean(text);
    }

    /// <summary>The webhook body: UTF-8 JSON with <c>status</c>, <c>environment</c>, <c>model</c>, <c>version</c>, <c>rule</c>, <c>value</c>, <c>threshold</c>, <c>lastPromotion</c>, <c>rollback</c>, <c>runbook</c>, <c>summary</c> and the times.</summary>
    /// <param name="notification">The notification.</param>
    /// <exception cref="ArgumentNullException"><paramref name="notification"/> is null.</exception>
    public static byte[] Json(AlertNotification notification)
    {
        ArgumentNullException.ThrowIfNull(notification);
        var n = notification;
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("status", n.Status == AlertNotificationStatus.Firing ? "firing" : "resolved");
            writer.WriteString("environment", n.Environment);
            writer.WriteString("model", n.Model);
            writer.WriteNumber("version", n.Version);
            writer.WriteString("rule", n.Rule.Id);
            writer.WriteString("when", n.Rule.When);
            writer.WriteString("for", Duration(n.Rule.For));
            Finite(writer, "value", n.Value);
            Finite(writer, "threshold", n.Threshold);
            Optional(writer, "detail", n.Detail);
            writer.WriteString("startsAt", n.StartsAt.UtcDateTime);
            if (n.EndsAt is { } end)
            {
                writer.WriteString("endsAt", end.UtcDateTime);
            }
            else
            {
                writer.WriteNull("endsAt");
            }

            if (n.LastPromotion is { } p)
            {
                writer.WriteStartObject("lastPromotion");
                writer.WriteString("commit", p.Commit);
                writer.WriteString("author", p.Author);
                writer.WriteString("time", p.Time.UtcDateTime);
                Optional(writer, "subject", p.Subject);
                writer.WriteEndObject();
            }
            else
            {
                writer.WriteNull("lastPromotion");
            }

            writer.WriteString("rollback", n.RollbackCommand);
            Optional(writer, "runbook", n.RunbookLink);
            writer.WriteString("summary", Summary(n));
            writer.WriteEndObject();
        }

        return buffer.ToArray();
    }

    /// <summary>A duration as the environment file writes it: <c>0s</c>, <c>90s</c>, <c>15m</c>, <c>1h</c>, <c>2d</c>.</summary>
    /// <param name="duration">A whole number of seconds.</param>
    public static string Duration(TimeSpan duration)
    {
        var seconds = (long)duration.TotalSeconds;
        return seconds == 0 ? "0s"
            : seconds % 86400 == 0 ? $"{seconds / 86400}d"
            : seconds % 3600 == 0 ? $"{seconds / 3600}h"
            : seconds % 60 == 0 ? $"{seconds / 60}m"
            : $"{seconds}s";
    }

    private static void Finite(Utf8JsonWriter writer, string name, double value)
    {
        if (double.IsFinite(value))
        {
            writer.WriteNumber(name, value);
        }
        else
        {
            writer.WriteNull(name);
        }
    }

    private static void Optional(Utf8JsonWriter writer, string name, string? value)
    {
        if (value is null)
        {
            writer.WriteNull(name);
        }
        else
        {
            writer.WriteString(name, value);
        }
    }

    private static string Number(double value) => value.ToString("0.######", CultureInfo.InvariantCulture);

    private static string Time(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);

    private static string Short(string commit) => commit.Length > 12 ? commit[..12] : commit;
}
