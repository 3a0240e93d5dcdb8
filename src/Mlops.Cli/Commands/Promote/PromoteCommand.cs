using System.CommandLine;
using Mlops.Cli.Output;
using Mlops.Pipeline.Promotion;
using Mlops.Pipeline.Stages;
using Mlops.Runtime.Store;

namespace Mlops.Cli.Commands.Promote;

/// <summary><c>mlops promote MODEL --to ENV</c>: a commit that changes the environment file, on a branch for review or on the current branch.</summary>
internal static class PromoteCommand
{
    public static Command Create(CliContext context)
    {
        var model = new Argument<string>("MODEL") { Description = "The model to promote." };
        var to = new Option<string>("--to") { Description = "The target environment (environments/ENV.yaml).", Required = true };
        var version = new Option<int?>("--version") { Description = "The registered version; the latest when left out." };
        var canary = new Option<int?>("--canary") { Description = "Send this percent of the traffic to the version next to the primary." };
        var shadow = new Option<bool>("--shadow") { Description = "Score the version on every request and log it, never return it." };
        var complete = new Option<bool>("--complete") { Description = "Make the running canary the primary version." };
        var abort = new Option<bool>("--abort") { Description = "Remove the running canary; the primary keeps all the traffic." };
        var currentBranch = new Option<bool>("--on-current-branch") { Description = "Commit on the checked-out branch (the merge pipeline's mode) instead of a new promote/ branch." };
        var push = new Option<string>("--push") { Description = "Push the commit's branch to this remote (over https, a token from MLOPS_GIT_TOKEN or GITHUB_TOKEN, else the git credential helper)." };
        var repo = new Option<DirectoryInfo>("--repo") { Description = "Repository root; defaults to the current folder." };
        var trackingDb = new Option<string>("--tracking-db") { Description = "The run store holding the gate report." };
        var store = StoreOption.Create();
        var json = new Option<bool>("--json") { Description = "Write JSON for machines." };
        var command = new Command("promote", "Promote a registered version to an environment: a reviewed commit that edits only the lines that change.")
        {
            model, to, version, canary, shadow, complete, abort, currentBranch, push, repo, trackingDb, store, json,
        };
        command.SetAction(async (parse, ct) =>
        {
            var modes = new[] { parse.GetValue(canary) is not null, parse.GetValue(shadow), parse.GetValue(complete), parse.GetValue(abort) }.Count(m => m);
            if (modes > 1)
            {
                throw new UsageException("--canary, --shadow, --complete and --abort exclude each other; give one of them at most.");
            }

            var mode = parse.GetValue(canary) is not null ? PromotionMode.Canary
                : parse.GetValue(shadow) ? PromotionMode.Shadow
                : parse.GetValue(complete) ? PromotionMode.CompleteCanary
                : parse.GetValue(abort) ? PromotionMode.AbortCanary
                : PromotionMode.Full;
            var root = PromotionErrors.Root(parse.GetValue(repo));
            var request = new PromotionRequest(root, parse.GetValue(model)!, parse.GetValue(to)!)
            {
                Version = parse.GetValue(version),
                Mode = mode,
                CanaryWeight = parse.GetValue(canary),
                Target = parse.GetValue(currentBranch) ? CommitTarget.CurrentBranch : CommitTarget.NewBranch,
                PushTo = parse.GetValue(push),
            };
            var bundles = StoreOption.Open(root, parse.GetValue(store));
            try
            {
                return await RunAsync(context, request, parse.GetValue(trackingDb), bundles, parse.GetValue(json), ct).ConfigureAwait(false);
            }
            finally
            {
                (bundles as IDisposable)?.Dispose();
            }
        });
        return command;
    }

    /// <summary>Promotes as the request says and writes the commit made (or that the pin was already there).</summary>
    /// <exception cref="UsageException">The request names something that does not exist.</exception>
    /// <exception cref="CheckFailedException">The promotion was refused (requirements, conflict, altered pin, ...).</exception>
    public static async Task<int> RunAsync(CliContext context, PromotionRequest request, string? trackingDb, IBundleStore store, bool json, CancellationToken cancellationToken)
    {
        var result = await PromotionErrors.RunAsync(() => PromoteStage.RunAsync(request, trackingDb, store, context.Time, cancellationToken)).ConfigureAwait(false);
        await WriteAsync(context, result, json).ConfigureAwait(false);
        return ExitCodes.Success;
    }

    private static async Task WriteAsync(CliContext context, PromotionResult result, bool json)
    {
        if (json)
        {
            await JsonOutput.WriteAsync(context.Out, writer =>
            {
                writer.WriteStartObject();
                writer.WriteString("status", result.Status == PromotionStatus.Promoted ? "promoted" : "upToDate");
                writer.WriteString("model", result.Model);
                writer.WriteNumber("version", result.Version);
                writer.WriteString("environment", result.Environment);
                writer.WriteString("commit", result.Commit);
                writer.WriteString("branch", result.Branch);
                writer.WriteBoolean("pushed", result.Pushed);
                writer.WriteEndObject();
            }).ConfigureAwait(false);
            return;
        }

        var line = result.Status == PromotionStatus.UpToDate
            ? $"promote {result.Model} v{result.Version} to {result.Environment}: already pinned (commit {result.Commit?[..12]}); nothing written"
            : $"promote {result.Model} v{result.Version} to {result.Environment}: commit {result.Commit?[..12]} on branch {result.Branch}{(result.Pushed ? " (pushed)" : "")}";
        await context.Out.WriteLineAsync(line).ConfigureAwait(false);
        if (result.Status == PromotionStatus.Promoted)
        {
            await context.Out.WriteLineAsync(string.Join('\n', result.Message.Split('\n').Select(l => "    " + l))).ConfigureAwait(false);
        }
    }
}
