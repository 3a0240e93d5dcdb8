using System.CommandLine;
using System.Globalization;
using Mlops.Cli.Commands.Promote;
using Mlops.Pipeline.History;
using Mlops.Pipeline.Registry;

namespace Mlops.Cli.Commands.Diff;

/// <summary><c>mlops diff [BASE] [ENV]</c>: what an environment diff deploys, as Markdown for a pull-request comment.</summary>
internal static class DiffCommand
{
    public static Command Create(CliContext context)
    {
        var baseRevision = new Argument<string>("BASE") { Description = "The revision to compare with, for example origin/main. The default is HEAD~1.", Arity = ArgumentArity.ZeroOrOne };
        var environment = new Argument<string?>("ENV") { Description = "Only this environment.", Arity = ArgumentArity.ZeroOrOne };
        var target = new Option<string>("--target") { Description = "The revision that deploys. The default is HEAD.", DefaultValueFactory = _ => "HEAD" };
        var repo = new Option<DirectoryInfo>("--repo") { Description = "Repository root; defaults to the current folder." };
        var store = StoreOption.Create();
        var command = new Command("diff", "Explain what environment changes between two revisions deploy: versions, digests present in the store, metric deltas.")
        {
            baseRevision, environment, target, repo, store,
        };
        command.SetAction(async (parse, ct) =>
        {
            var root = PromotionErrors.Root(parse.GetValue(repo));
            var from = parse.GetValue(baseRevision) ?? "HEAD~1";
            var to = parse.GetValue(target)!;
            var diffs = await PromotionErrors.RunAsync(() => Task.FromResult(parse.GetValue(environment) is { } name
                ? [EnvironmentDiff.BetweenRevisions(root, name, from, to)]
                : EnvironmentDiff.BetweenRevisions(root, from, to))).ConfigureAwait(false);
            var annotated = await ExplainAsync(context, root, diffs, parse.GetValue(store), ct).ConfigureAwait(false);
            await context.Out.WriteAsync(EnvironmentDiffMarkdown.Render(annotated, $"{from}..{to}")).ConfigureAwait(false);
            return annotated.Any(d => d.Changes.Any(c => c.DigestsInStore?.Values.Any(present => !present) == true)) ? ExitCodes.CheckFailed : ExitCodes.Success;
        });
        return command;
    }

    /// <summary>
    /// What a reviewer reads beside each change: the metric deltas between the two versions' registry tags, and whether
    /// the store (<c>--store</c>) holds every bundle the change deploys. <c>mlops ci comment</c> shows the same.
    /// </summary>
    public static async Task<IReadOnlyList<EnvironmentDiff>> ExplainAsync(CliContext context, string root, IEnumerable<EnvironmentDiff> diffs, string? store, CancellationToken cancellationToken)
    {
        var registry = new ModelRegistry(root, context.Time);
        var bundles = StoreOption.Open(root, store);
        try
        {
            var annotated = new List<EnvironmentDiff>();
            foreach (var diff in diffs)
            {
                var withMetrics = diff.Annotate(change => change with { MetricsDelta = MetricsDelta(registry, change) });
                annotated.Add(await withMetrics.CheckStoreAsync(bundles, cancellationToken).ConfigureAwait(false));
            }

            return annotated;
        }
        finally
        {
            (bundles as IDisposable)?.Dispose();
        }
    }

    /// <summary>"auc 0.8412 -> 0.8485 (+0.0073)" from the two versions' tags, when both are registered.</summary>
    private static string? MetricsDelta(ModelRegistry registry, ModelChange change)
    {
        if (change.Before is not { } before || change.After is not { } after || before.Version == after.Version)
        {
            return null;
        }

        var old = registry.Find(change.Model, before.Version);
        var current = registry.Find(change.Model, after.Version);
        if (old is null || current is null)
        {
            return null;
        }

        var parts = current.Metrics.Where(m => !m.Name.Contains('[', StringComparison.Ordinal) && old.Metric(m.Name) is not null)
            .Select(m => string.Create(CultureInfo.InvariantCulture, $"{m.Name} {old.Metric(m.Name):0.####} -> {m.Value:0.####} ({m.Value - old.Metric(m.Name)!.Value:+0.####;-0.####;0})"));
        return string.Join(", ", parts);
    }
}
