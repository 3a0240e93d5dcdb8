using Mlops.Pipeline.Promotion;
using Mlops.Pipeline.Stages;

namespace Mlops.Cli.Commands.Promote;

/// <summary>Turns promotion refusals into the CLI's exit codes: bad usage or input is 2, a failed check is 1.</summary>
internal static class PromotionErrors
{
    public static string Root(DirectoryInfo? repo)
    {
        var folder = repo ?? new DirectoryInfo(".");
        return folder.Exists
            ? folder.FullName
            : throw new UsageException($"the repository folder '{folder.FullName}' does not exist. Pass an existing folder with --repo.");
    }

    public static async Task<T> RunAsync<T>(Func<Task<T>> work)
    {
        try
        {
            return await work().ConfigureAwait(false);
        }
        catch (PromotionException e) when (e.Failure is PromotionFailure.InvalidRequest or PromotionFailure.NotARepository
            or PromotionFailure.EnvironmentNotFound or PromotionFailure.NotRegistered or PromotionFailure.NoIdentity)
        {
            throw new UsageException(e.Message);
        }
        catch (PromotionException e)
        {
            throw new CheckFailedException(e.Message, []);
        }
    }
}
