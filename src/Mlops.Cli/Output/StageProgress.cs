using Mlops.Pipeline.Training;
using Spectre.Console;

namespace Mlops.Cli.Output;

/// <summary>Shows long work as a spinner with the current step for people; silent when output is redirected.</summary>
internal static class StageProgress
{
    public static async Task<T> RunAsync<T>(CliContext context, bool json, string title, Func<IProgress<TrainingProgress>?, Task<T>> work)
    {
        if (json || !context.Console.Profile.Capabilities.Interactive || Console.IsOutputRedirected)
        {
            return await work(null).ConfigureAwait(false);
        }

        return await context.Console.Status().StartAsync(title, async status =>
        {
            var progress = new Progress<TrainingProgress>(p => status.Status($"{title}: {Markup.Escape(p.Message)}"));
            return await work(progress).ConfigureAwait(false);
        }).ConfigureAwait(false);
    }
}
