using System.CommandLine;
using Mlops.Cli.Commands.Promote;
using Mlops.Pipeline.Ci;

namespace Mlops.Cli.Commands.Ci;

/// <summary><c>mlops ci</c>: what pull-request and merge workflows call, so their logic is tested code and not shell.</summary>
internal static class CiCommand
{
    public static Command Create(CliContext context) =>
        new("ci", "Steps of the CI workflows: 'plan' says which models and environments a change touches, 'comment' writes the pull-request comment.")
        {
            CiPlanCommand.Create(context),
            CiCommentCommand.Create(context),
        };

    /// <summary>Plans a change; a missing folder, repository or revision is bad input (exit 2).</summary>
    public static CiPlan Plan(DirectoryInfo? repo, string baseRevision, string headRevision)
    {
        var root = PromotionErrors.Root(repo);
        try
        {
            return CiPlanner.Plan(root, baseRevision, headRevision);
        }
        catch (CiPlanException e)
        {
            throw new UsageException(e.Message);
        }
    }
}
