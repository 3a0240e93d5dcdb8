using System.CommandLine;
using Mlops.Cli.Commands.Promote;
using Mlops.Pipeline.Promotion;

namespace Mlops.Cli.Commands.Rollback;

/// <summary><c>mlops rollback ENV</c>: a new commit restoring the environment file as it was before its last promotion.</summary>
internal static class RollbackCommand
{
    public static Command Create(CliContext context)
    {
        var environment = new Argument<string>("ENV") { Description = "The environment to roll back." };
        var branch = new Option<bool>("--branch") { Description = "Commit on a new rollback/ branch for review instead of the checked-out branch." };
        var push = new Option<string>("--push") { Description = "Push the commit's branch to this remote (over https, a token from MLOPS_GIT_TOKEN or GITHUB_TOKEN, else the git credential helper)." };
        var repo = new Option<DirectoryInfo>("--repo") { Description = "Repository root; defaults to the current folder." };
        var command = new Command("rollback", "Undo the environment's last promotion with a new commit; history is kept.") { environment, branch, push, repo };
        command.SetAction(async (parse, ct) =>
        {
            var request = new RollbackRequest(PromotionErrors.Root(parse.GetValue(repo)), parse.GetValue(environment)!)
            {
                Target = parse.GetValue(branch) ? CommitTarget.NewBranch : CommitTarget.CurrentBranch,
                PushTo = parse.GetValue(push),
            };
            var result = await PromotionErrors.RunAsync(() => new Mlops.Pipeline.Promotion.Rollback(context.Time).RunAsync(request, ct)).ConfigureAwait(false);
            await context.Out.WriteLineAsync($"rollback {result.Environment}: commit {result.Commit[..12]} on branch {result.Branch} undoes '{result.RevertedSubject}' ({result.RevertedCommit[..12]})").ConfigureAwait(false);
            await context.Out.WriteLineAsync("    " + result.Diff.Summary()).ConfigureAwait(false);
            return ExitCodes.Success;
        });
        return command;
    }
}
