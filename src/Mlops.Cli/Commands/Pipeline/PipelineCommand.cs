using System.CommandLine;
using System.Globalization;
using Mlops.Cli.Commands.Evaluate;
using Mlops.Cli.Commands.Gate;
using Mlops.Cli.Commands.Package;
using Mlops.Cli.Commands.Promote;
using Mlops.Cli.Commands.Train;
using Mlops.Cli.Commands.Validate;
using Mlops.Declarations.Diagnostics;
using Mlops.Pipeline.Data;
using Mlops.Pipeline.Promotion;
using Mlops.Pipeline.Registry;
using Mlops.Pipeline.Stages;
using Mlops.Pipeline.Validation;
using Mlops.Runtime.Store;

namespace Mlops.Cli.Commands.Pipeline;

/// <summary>The pipeline's stages in the order they run.</summary>
internal enum PipelineStage
{
    Validate,
    Train,
    Evaluate,
    Gate,
    Package,
    Promote,
}

/// <summary>
/// <c>mlops pipeline [MODEL] --through STAGE</c>: validate, train, evaluate, gate, package and
/// promote in one process over one workspace, so the repository is validated and its data read and
/// hashed once for all stages. Each stage writes what its own command writes, and the first stage
/// that fails stops the run with that command's exit code.
/// </summary>
internal static class PipelineCommand
{
    public sealed record Settings(string? Model, PipelineStage Through, string? Environment, FileInfo? Markdown, bool Force, bool OnCurrentBranch, string? Push = null);

    public static Command Create(CliContext context)
    {
        var options = new WorkspaceOptions();
        var through = new Option<string>("--through")
        {
            Description = $"The last stage to run: {Names}. Defaults to promote.",
        };
        var environment = new Option<string>("--environment", "-e") { Description = "The target environment of gate (its requirements and champion) and promote; promote needs it." };
        var markdown = new Option<FileInfo>("--markdown") { Description = "Also write gate's Markdown report to this file (for a pull-request comment)." };
        var currentBranch = new Option<bool>("--on-current-branch") { Description = "Promote with a commit on the checked-out branch (the merge pipeline's mode) instead of a new promote/ branch." };
        var push = new Option<string>("--push")
        {
            Description = "Push each packaged model's version tag and each promotion's branch to this remote (the merge pipeline's mode; over https a token comes from MLOPS_GIT_TOKEN or GITHUB_TOKEN, else the git credential helper).",
        };
        var command = options.AddTo(
            new Command("pipeline", "Run the stages validate, train, evaluate, gate, package and promote in order, in one process, stopping at the first that fails.")
            {
                through, environment, markdown, currentBranch, push,
            },
            json: false);
        command.SetAction(async (parse, ct) =>
        {
            var settings = new Settings(
                parse.GetValue(options.Model),
                ParseStage(parse.GetValue(through)),
                parse.GetValue(environment),
                parse.GetValue(markdown),
                parse.GetValue(options.Force),
                parse.GetValue(currentBranch),
                parse.GetValue(push));
            if (settings.Through == PipelineStage.Promote && settings.Environment is null)
            {
                throw new UsageException("the promote stage needs the environment to promote to. Pass --environment ENV, or stop before it with --through package.");
            }

            var root = options.RootOf(parse);
            var bundles = StoreOption.Open(root, parse.GetValue(options.Store));
            try
            {
                return await RunAsync(context, root, parse.GetValue(options.TrackingDb), bundles, options.DataOf(parse, root), settings, ct).ConfigureAwait(false);
            }
            finally
            {
                (bundles as IDisposable)?.Dispose();
            }
        });
        return command;
    }

    private static string Names => string.Join(", ", Enum.GetValues<PipelineStage>().Select(Name));

    private static string Name(PipelineStage stage) => stage.ToString().ToLowerInvariant();

    /// <summary>A stage by its name, ignoring case (Cake's targets are capitalised); promote when none is given.</summary>
    /// <exception cref="UsageException">No stage has that name.</exception>
    public static PipelineStage ParseStage(string? name)
    {
        if (name is null)
        {
            return PipelineStage.Promote;
        }

        foreach (var stage in Enum.GetValues<PipelineStage>())
        {
            if (string.Equals(Name(stage), name, StringComparison.OrdinalIgnoreCase))
            {
                return stage;
            }
        }

        var suggestion = Suggestions.Nearest(name, Enum.GetValues<PipelineStage>().Select(Name));
        throw new UsageException($"'{name}' is not a stage of the pipeline (--through); the stages are {Names}."
            + (suggestion is null ? "" : $" Did you mean '{suggestion}'?"));
    }

    private static async Task<int> RunAsync(CliContext context, string root, string? trackingDb, IBundleStore store, DataCache data, Settings settings, CancellationToken cancellationToken)
    {
        var times = new List<(PipelineStage Stage, TimeSpan Elapsed)>();
        var stage = PipelineStage.Validate;
        var started = context.Time.GetTimestamp();
        try
        {
            var report = await RepositoryValidator.ValidateAsync(root, cancellationToken, keepRows: true, data).ConfigureAwait(false);
            var exit = await ValidateCommand.WriteAsync(context, report, context.Time.GetElapsedTime(started), ValidateFormat.Compiler).ConfigureAwait(false);
            times.Add((stage, context.Time.GetElapsedTime(started)));
            if (exit != ExitCodes.Success || stage == settings.Through)
            {
                return await SummaryAsync(context, exit, times).ConfigureAwait(false);
            }

            await using var workspace = await Workspace.OpenAsync(root, report, trackingDb, context.Time, data, cancellationToken).ConfigureAwait(false);
            while (exit == ExitCodes.Success && stage < settings.Through)
            {
                stage++;
                started = context.Time.GetTimestamp();
                exit = await RunStageAsync(context, workspace, store, settings, stage, trackingDb, cancellationToken).ConfigureAwait(false);
                times.Add((stage, context.Time.GetElapsedTime(started)));
            }

            return await SummaryAsync(context, exit, times).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The stage's own error is written by the caller, as for its single command; the summary goes first.
            times.Add((stage, context.Time.GetElapsedTime(started)));
            await SummaryAsync(context, ExitCodes.CheckFailed, times, thrown: true).ConfigureAwait(false);
            throw;
        }
    }

    private static async Task<int> RunStageAsync(CliContext context, Workspace workspace, IBundleStore store, Settings settings, PipelineStage stage, string? trackingDb, CancellationToken cancellationToken)
    {
        switch (stage)
        {
            case PipelineStage.Train:
                return await TrainCommand.RunAsync(context, workspace, settings.Model, settings.Force, json: false, cancellationToken).ConfigureAwait(false);
            case PipelineStage.Evaluate:
                return await EvaluateCommand.RunAsync(context, workspace, settings.Model, settings.Force, json: false, predictions: null, cancellationToken).ConfigureAwait(false);
            case PipelineStage.Gate:
                return await GateCommand.RunAsync(context, workspace, settings.Model, settings.Environment, settings.Markdown, json: false, cancellationToken).ConfigureAwait(false);
            case PipelineStage.Package:
                var packaged = await PackageCommand.RunAsync(context, workspace, settings.Model, store, register: true, json: false, cancellationToken).ConfigureAwait(false);
                return packaged == ExitCodes.Success && settings.Push is { } remote
                    ? await PushTagsAsync(context, workspace, settings.Model, remote).ConfigureAwait(false)
                    : packaged;
            default:
                foreach (var (model, _) in workspace.Models(settings.Model))
                {
                    var request = new PromotionRequest(workspace.Root, model.Value.Name, settings.Environment!)
                    {
                        Target = settings.OnCurrentBranch ? CommitTarget.CurrentBranch : CommitTarget.NewBranch,
                        PushTo = settings.Push,
                    };
                    await PromoteCommand.RunAsync(context, request, trackingDb, store, json: false, cancellationToken).ConfigureAwait(false);
                }

                return ExitCodes.Success;
        }
    }

    /// <summary>
    /// Pushes each model's latest version tag (the one package just registered, or found already registered), so
    /// a merge pipeline publishes what it packaged; a tag the remote already has is pushed as a no-op.
    /// </summary>
    /// <exception cref="CheckFailedException">The remote is missing, unreachable, refuses the credentials or the tag.</exception>
    private static async Task<int> PushTagsAsync(CliContext context, Workspace workspace, string? model, string remote)
    {
        var registry = new ModelRegistry(workspace.Root, context.Time);
        foreach (var (declared, _) in workspace.Models(model))
        {
            if (registry.Latest(declared.Value.Name) is not { } version)
            {
                continue;
            }

            try
            {
                registry.Push(version, remote);
            }
            catch (RegistryException e)
            {
                throw new CheckFailedException(e.Message, []);
            }

            await context.Out.WriteLineAsync($"package {version.Model}: pushed {version.Tag} to {remote}").ConfigureAwait(false);
        }

        return ExitCodes.Success;
    }

    /// <summary>
    /// One closing line with each stage's time, so a slow stage shows without a profiler. A stage
    /// that failed by its exit code (a gate, validation errors) wrote no error line of its own, so
    /// one says which stage stopped the run; an exception's message is written by the caller.
    /// </summary>
    private static async Task<int> SummaryAsync(CliContext context, int exit, List<(PipelineStage Stage, TimeSpan Elapsed)> times, bool thrown = false)
    {
        var total = times.Aggregate(TimeSpan.Zero, (sum, t) => sum + t.Elapsed);
        var last = Name(times[^1].Stage);
        var failed = thrown || exit != ExitCodes.Success;
        await context.Out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"pipeline {(failed ? "stopped at" : "through")} {last}: {string.Join(", ", times.Select(t => $"{Name(t.Stage)} {t.Elapsed.TotalSeconds:0.00} s"))}; {total.TotalSeconds:0.00} s in all")).ConfigureAwait(false);
        if (failed && !thrown)
        {
            await context.Error.WriteLineAsync($"mlops: {last} failed (exit {exit}); its findings are above, and the stages after it did not run.").ConfigureAwait(false);
        }

        return exit;
    }
}
