using System.Text;
using Mlops.Pipeline.History;

namespace Mlops.Pipeline.Ci;

/// <summary>
/// The body of the one pull-request comment CI keeps up to date (<c>mlops ci comment</c>): the plan, the gate reports
/// (Markdown as <see cref="Gates.GateReportWriter"/> renders it) and the environment diffs (as
/// <see cref="EnvironmentDiffMarkdown"/> renders them). A pure function of its input, so the same pull-request state
/// gives the same body, and a workflow finds the comment to update by <see cref="Marker"/> on its first line.
/// </summary>
public static class CiComment
{
    /// <summary>The hidden first line of every body; a workflow looks for it to update its comment instead of adding one.</summary>
    public const string Marker = "<!-- mlops-ci-comment -->";

    /// <summary>Renders the comment body.</summary>
    /// <param name="plan">What the change touches.</param>
    /// <param name="diffs">The environment diffs to show (the plan's, annotated by the caller with metrics and store checks).</param>
    /// <param name="gateReports">Gate reports in Markdown, each as <c>mlops gate --markdown</c> wrote it, in the order given.</param>
    public static string Render(CiPlan plan, IReadOnlyList<EnvironmentDiff> diffs, IReadOnlyList<string> gateReports)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(diffs);
        ArgumentNullException.ThrowIfNull(gateReports);
        var range = $"{Short(plan.Base)}..{Short(plan.Head)}";
        var text = new StringBuilder(Marker).Append('\n');
        text.Append("## mlops: what this change touches (`").Append(range).Append("`)\n\n");
        if (plan.Models.Count == 0 && plan.Environments.Count == 0)
        {
            text.Append("No model or environment is touched.\n\n");
        }

        foreach (var model in plan.Models)
        {
            text.Append("- Model **").Append(model.Model).Append("** (`").Append(model.Path).Append("`): ").Append(string.Join("; ", model.Reasons)).Append('\n');
        }

        foreach (var environment in plan.Environments)
        {
            text.Append("- Environment **").Append(environment.Environment).Append("** (`").Append(environment.Path).Append("`): ").Append(string.Join("; ", environment.Reasons)).Append('\n');
            if (environment.Error is { } error)
            {
                // The error names the file's problems on lines of their own; a code block keeps them readable.
                text.Append("\n  ```text\n  ").Append(error.Replace("\n", "\n  ", StringComparison.Ordinal)).Append("\n  ```\n");
            }
        }

        text.Append("\n## Gates\n\n");
        if (gateReports.Count == 0)
        {
            text.Append(plan.Models.Count == 0 ? "No model to gate.\n\n" : "No gate report was attached.\n\n");
        }

        foreach (var report in gateReports)
        {
            text.Append(report.Trim('\n')).Append("\n\n");
        }

        // EnvironmentDiffMarkdown's heading is level 2 too, so the three parts sit side by side.
        text.Append(EnvironmentDiffMarkdown.Render(diffs, range));
        return text.ToString();
    }

    private static string Short(string sha) => sha.Length > 12 ? sha[..12] : sha;
}
