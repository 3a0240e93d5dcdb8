using Mlops.Declarations.Diagnostics;
using Mlops.Declarations.Environments;
using Mlops.Declarations.FeatureSets;
using Mlops.Declarations.Models;
using Mlops.Declarations.Schema;
using Mlops.Pipeline.Gates;
using Mlops.Pipeline.Registry;
using Mlops.Pipeline.Tracking;

namespace Mlops.Pipeline.Stages;

/// <summary>The outcome of gating one model.</summary>
/// <param name="Run">The run gated.</param>
/// <param name="Report">The verdict per rule.</param>
public sealed record GateOutcome(Run Run, GateReport Report);

/// <summary>
/// <c>mlops gate</c>: the model file's gate and the target environment's requirements, against
/// absolute thresholds and against the champion (the version the environment pins now, whose
/// metrics its registry tag recorded, and which is scored on the candidate's holdout rows for a
/// paired comparison when rules compare with it: <see cref="ChampionPairing"/>). The report is
/// attached to the run as <c>gate:ENV</c>.
/// </summary>
public static class GateStage
{
    /// <summary>The run attachment holding the gate report for an environment (or <c>gate:none</c>).</summary>
    public static string Attachment(string? environment) => $"gate:{environment ?? "none"}";

    /// <summary>Gates the current run of a model.</summary>
    /// <exception cref="StageInputException">No evaluation yet, an unknown environment, or a champion whose tag is missing.</exception>
    public static async Task<GateOutcome> RunAsync(Workspace workspace, Declared<ModelSpec> model, Declared<FeatureSet> features, string? environment, CancellationToken cancellationToken)
    {
        var run = await EvaluateStage.CurrentRunAsync(workspace, model, features, cancellationToken).ConfigureAwait(false);
        var evaluation = await EvaluateStage.ReadAsync(workspace, run, cancellationToken).ConfigureAwait(false)
            ?? throw new StageInputException($"run {run.Id} of '{model.Value.Name}' has not been evaluated. Run 'mlops evaluate {model.Value.Name}' first.");
        var target = environment is null ? null : FindEnvironment(workspace, environment);
        var champion = target is null ? null : Champion(workspace, target.Value, model.Value.Name);
        var pairing = champion is not null && model.Value.Gate.Any(r => r.IsRelative && r.Baseline == GateBaseline.Champion)
            ? await ChampionPairing.PairAsync(workspace, model, features, run, champion, cancellationToken).ConfigureAwait(false)
            : null;
        var report = GateEvaluator.Evaluate(new GateInput(
            model.Value.Name,
            $"run {run.Id}",
            model.Value.Gate,
            MetricSets.From(evaluation.Report),
            target?.Value,
            champion is null ? null : (champion.Version, MetricSets.From(champion)))
        {
            Pairing = pairing,
        });
        await workspace.Runs.AttachAsync(run.Id, Attachment(environment), GateReportWriter.ToJson(report), cancellationToken).ConfigureAwait(false);
        return new GateOutcome(run, report);
    }

    /// <summary>The environment with this name.</summary>
    /// <exception cref="StageInputException">None is declared.</exception>
    public static Declared<EnvironmentSpec> FindEnvironment(Workspace workspace, string name) =>
        workspace.Declarations.FindEnvironment(name)
        ?? throw new StageInputException($"no environment is named '{name}' in environments/."
            + (Suggestions.Nearest(name, workspace.Declarations.Environments.Select(e => e.Value.Name)) is { } s ? $" Did you mean '{s}'?" : " Declare it or correct the name."));

    /// <summary>The registered version an environment pins for a model now, or null when it pins none.</summary>
    /// <exception cref="StageInputException">The pin names a version the registry does not have, or with another digest.</exception>
    public static ModelVersion? Champion(Workspace workspace, EnvironmentSpec environment, string model)
    {
        if (environment.Models.FirstOrDefault(m => m.Model == model) is not { } pin)
        {
            return null;
        }

        var version = new ModelRegistry(workspace.Root, workspace.Time).Find(model, pin.Version)
            ?? throw new StageInputException($"environment '{environment.Name}' pins {ModelTag.Name(model, pin.Version)}, but no such tag exists. Fetch the tags (git fetch --tags) or correct the pin.");
        return version.BundleDigest == pin.Digest
            ? version
            : throw new StageInputException($"environment '{environment.Name}' pins {version.Tag} with digest {pin.Digest}, but the tag records {version.BundleDigest}: the pin was altered. Restore it from git history.");
    }
}
