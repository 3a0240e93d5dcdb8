using Mlops.Declarations.Diagnostics;
using Mlops.Declarations.Repository;
using Mlops.Pipeline.Data;

namespace Mlops.Pipeline.Validation;

/// <summary>
/// Every alert's <c>runbook</c> that is a repository path must name a file in the repository (MLOPS0314): an alert
/// sends the on-call engineer to it, and a typo found in review costs less than a dead link found while the alert is
/// firing. A warning, not an error: a document never changes what is trained or served, so the stages that validate
/// first must not stop for it. An http(s) URL is not fetched. The check needs the files, so <c>mlops validate</c>
/// makes it, not the parser the analyzers and the server share.
/// </summary>
internal static class RunbookCheck
{
    public static IEnumerable<Diagnostic> Check(string root, DeclarationSet declarations)
    {
        foreach (var environment in declarations.Environments)
        {
            var alerts = environment.Value.Monitoring.Alerts;
            for (var i = 0; i < alerts.Count; i++)
            {
                if (alerts[i].Runbook is not { } runbook || IsUrl(runbook))
                {
                    continue;
                }

                var written = runbook.Replace('\\', '/');
                var at = environment.Map[$"monitoring.alerts[{i}].runbook"];
                if (!DataPath.IsPlainRelative(written))
                {
                    yield return DiagnosticIds.RunbookMissing.At(at,
                        $"runbook '{runbook}' is not a path inside the repository. Write the file's path from the repository root, such as 'docs/runbooks/{FileStem(environment.Value.Models)}.md', or an https:// URL.");
                }
                else if (!File.Exists(Path.Combine(root, written)))
                {
                    yield return DiagnosticIds.RunbookMissing.At(at,
                        $"runbook '{runbook}' does not exist in the repository, so the alert would link to nothing. Add the file (docs/runbooks/TEMPLATE.md is a start), or correct the path.");
                }
            }
        }
    }

    private static bool IsUrl(string runbook) =>
        runbook.StartsWith("https://", StringComparison.OrdinalIgnoreCase) || runbook.StartsWith("http://", StringComparison.OrdinalIgnoreCase);

    private static string FileStem(IReadOnlyList<Declarations.Environments.PinnedModel> models) => models.Count > 0 ? models[0].Model : "MODEL";
}
