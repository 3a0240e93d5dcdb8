using System.Text;
using Mlops.Declarations.Digests;
using Mlops.Pipeline.Registry;

namespace Mlops.Pipeline.History;

/// <summary>
/// Renders environment diffs as Markdown for a pull-request comment: one section per environment with a table
/// (model, change, version, new bundles, in store, metrics, gate) and the full digests under a <c>details</c>
/// block. A pure function of its input.
/// </summary>
public static class EnvironmentDiffMarkdown
{
    /// <summary>Renders the diffs.</summary>
    /// <param name="diffs">The environments' diffs.</param>
    /// <param name="range">The revisions compared, for the heading (for example <c>main..promote/churn-v8-staging</c>); null leaves it out.</param>
    public static string Render(IReadOnlyList<EnvironmentDiff> diffs, string? range = null)
    {
        ArgumentNullException.ThrowIfNull(diffs);
        var text = new StringBuilder("## What this change deploys");
        if (range is not null)
        {
            text.Append(" (`").Append(range).Append("`)");
        }

        text.Append("\n\n");
        if (diffs.All(d => d.IsEmpty))
        {
            return text.Append("No environment changes.\n").ToString();
        }

        foreach (var diff in diffs.Where(d => !d.IsEmpty))
        {
            text.Append("### ").Append(diff.Environment).Append(" (`").Append(diff.Path).Append("`)\n\n");
            if (diff.Changes.Count > 0)
            {
                text.Append("| Model | Change | Version | New bundles | In store | Metrics | Gate |\n");
                text.Append("|---|---|---|---|---|---|---|\n");
                foreach (var change in diff.Changes)
                {
                    text.Append("| ").Append(Cell(change.Model))
                        .Append(" | ").Append(Cell(string.Join("; ", change.Changes)))
                        .Append(" | ").Append(Version(change))
                        .Append(" | ").Append(Bundles(change))
                        .Append(" | ").Append(InStore(change))
                        .Append(" | ").Append(Cell(change.MetricsDelta ?? ""))
                        .Append(" | ").Append(Cell(change.GateVerdict ?? ""))
                        .Append(" |\n");
                }

                text.Append('\n');
            }

            if (diff.OtherChanges.Count > 0)
            {
                text.Append("Other settings changed: ").Append(string.Join(", ", diff.OtherChanges)).Append(".\n\n");
            }

            var digests = diff.Changes.SelectMany(c => c.NewDigests.Select(d => (c.Model, d.Role, d.Version, d.Digest))).ToList();
            if (digests.Count > 0)
            {
                text.Append("<details><summary>Full digests</summary>\n\n");
                foreach (var (model, role, version, digest) in digests)
                {
                    text.Append("- ").Append(model).Append(" v").Append(version).Append(" (").Append(role).Append("): `").Append(digest).Append("`\n");
                }

                text.Append("\n</details>\n\n");
            }
        }

        return text.ToString().TrimEnd('\n') + "\n";
    }

    private static string Version(ModelChange change) => (change.Before, change.After) switch
    {
        (null, { } after) => $"v{after.Version}",
        ({ } before, null) => $"v{before.Version} → (removed)",
        ({ } before, { } after) when before.Version != after.Version => $"v{before.Version} → v{after.Version}",
        (_, { } after) => $"v{after.Version}",
        _ => "",
    };

    private static string Bundles(ModelChange change) =>
        change.NewDigests.Count == 0
            ? "none"
            : string.Join("<br>", change.NewDigests.Select(d => $"{d.Role} v{d.Version} `{Sha256Digest.Short(d.Digest)}`"));

    private static string InStore(ModelChange change)
    {
        if (change.NewDigests.Count == 0)
        {
            return "";
        }

        if (change.DigestsInStore is not { } present)
        {
            return "not checked";
        }

        return string.Join("<br>", change.NewDigests.Select(d => present.TryGetValue(d.Digest, out var ok) ? ok ? "yes" : "**MISSING**" : "not checked"));
    }

    /// <summary>Keeps a value inside its table cell: pipes escaped, line breaks as <c>&lt;br&gt;</c>.</summary>
    private static string Cell(string value) =>
        value.Replace("|", "\\|", StringComparison.Ordinal).Replace("\r\n", "<br>", StringComparison.Ordinal).Replace("\n", "<br>", StringComparison.Ordinal);
}
