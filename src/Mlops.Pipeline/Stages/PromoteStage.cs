using System.Globalization;
using System.Text;
using System.Text.Json;
using Mlops.Pipeline.Promotion;
using Mlops.Pipeline.Registry;
using Mlops.Runtime.Store;
using Mlops.Pipeline.Tracking;

namespace Mlops.Pipeline.Stages;

/// <summary>
/// <c>mlops promote</c>: promotes a registered version with the gate report that <c>mlops gate</c>
/// attached to the version's run for that environment, so the environment's <c>requires.gates</c>
/// is checked against what was actually measured, and the commit message carries it.
/// </summary>
public static class PromoteStage
{
    /// <summary>Promotes; the request's version defaults to the latest registered.</summary>
    /// <exception cref="PromotionException">Refused: requirements, missing bundle, altered pin, conflict, ...</exception>
    public static async Task<PromotionResult> RunAsync(PromotionRequest request, string? trackingDb, IBundleStore store, TimeProvider time, CancellationToken cancellationToken)
    {
        var registry = new ModelRegistry(request.RepositoryPath, time);
        var version = request.Version is { } number ? registry.Find(request.Model, number) : registry.Latest(request.Model);
        var evidence = version?.RunId is { } runId ? await ReadGateAsync(request.RepositoryPath, trackingDb, runId, request.Environment, time, cancellationToken).ConfigureAwait(false) : null;
        return await new Promoter(time, store).PromoteAsync(request with { Gate = request.Gate ?? evidence }, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<GateEvidence?> ReadGateAsync(string root, string? trackingDb, string runId, string environment, TimeProvider time, CancellationToken cancellationToken)
    {
        var path = TrackingLocation.Resolve(Path.GetFullPath(root), trackingDb);
        if (!TrackingLocation.MayExist(path))
        {
            return null;
        }

        await using var runs = await RunStore.OpenAsync(path, time, cancellationToken).ConfigureAwait(false);
        var json = await runs.GetAttachmentAsync(runId, GateStage.Attachment(environment), cancellationToken).ConfigureAwait(false);
        return json is null ? null : Evidence(json);
    }

    /// <summary>Turns a stored gate report (JSON) into the evidence a promotion checks and records.</summary>
    public static GateEvidence Evidence(string gateReportJson)
    {
        using var document = JsonDocument.Parse(gateReportJson);
        var root = document.RootElement;
        var checks = new List<GateCheck>();
        var summary = new StringBuilder();
        summary.Append(CultureInfo.InvariantCulture, $"Gate {(root.GetProperty("passed").GetBoolean() ? "passed" : "FAILED")} for {root.GetProperty("candidate").GetString()}");
        summary.Append(root.GetProperty("championVersion").ValueKind == JsonValueKind.Number
            ? string.Create(CultureInfo.InvariantCulture, $" against champion v{root.GetProperty("championVersion").GetInt32()}:\n")
            : " (no champion yet):\n");
        foreach (var rule in root.GetProperty("rules").EnumerateArray())
        {
            var passed = rule.GetProperty("passed").GetBoolean();
            var candidate = rule.GetProperty("candidate").ValueKind == JsonValueKind.Number ? rule.GetProperty("candidate").GetDouble().ToString("0.####", CultureInfo.InvariantCulture) : "n/a";
            var line = $"{rule.GetProperty("rule").GetString()} [{rule.GetProperty("scope").GetString()}]: {candidate} {(passed ? "pass" : "FAIL")}";
            if (rule.TryGetProperty("paired", out var paired) && paired.TryGetProperty("summary", out var pairedSummary) && pairedSummary.GetString() is { } pairedText)
            {
                line += $"; paired with the champion: {pairedText}";
            }

            checks.Add(new GateCheck(rule.GetProperty("metric").GetString()!, passed, line));
            summary.Append("- ").Append(line).Append('\n');
        }

        return new GateEvidence(summary.ToString().TrimEnd('\n'), checks);
    }
}
