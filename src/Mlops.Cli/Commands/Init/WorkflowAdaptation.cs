namespace Mlops.Cli.Commands.Init;

/// <summary>
/// Turns this repository's .github/workflows (embedded in the tool as they are) into an adopting repository's:
/// there, `dotnet mlops` is the tool the manifest pins rather than a CLI published from src/, and there is no
/// src/ to build and test. Each change names the exact text it replaces; when a workflow no longer holds that
/// text the tool refuses to write it (a test runs every adaptation), so the two copies cannot drift apart silently.
/// </summary>
internal static class WorkflowAdaptation
{
    private const string PublishedCli = "  MLOPS: artifacts/mlops-cli/Release/mlops.dll\n";
    private const string LocalTool = "  MLOPS: mlops # the tool .config/dotnet-tools.json pins: dotnet \"$MLOPS\" runs dotnet mlops\n";
    private const string PublishStep = "      - name: Publish the mlops CLI\n        run: dotnet tool restore && dotnet cake --target=Build\n";
    private const string RestoreStep = "      - name: Restore the mlops tool (.config/dotnet-tools.json)\n        run: dotnet tool restore\n";

    /// <summary>The adopting repository's text of <paramref name="path"/> (a path under .github/), or the text unchanged when it needs none.</summary>
    /// <exception cref="InvalidOperationException">The workflow no longer holds a text this adaptation replaces: a defect in mlops.</exception>
    public static string Adapt(string path, string text) => path switch
    {
        ".github/workflows/merge.yml" => Replace(path, text, PublishedCli, LocalTool),
        ".github/workflows/monitor.yml" => Replace(path, Replace(path, text, PublishedCli, LocalTool), PublishStep, RestoreStep),
        ".github/workflows/pull-request.yml" => WithoutTestJob(path, Replace(path, Replace(path, text, PublishedCli, LocalTool), PublishStep, RestoreStep)),
        _ => text,
    };

    // mlops's own test job builds its source and runs its test script; an adopting repository has neither.
    private static string WithoutTestJob(string path, string text)
    {
        var start = Find(path, text, "\n  test:\n") + 1;
        var end = Find(path, text, "\n  gate:\n") + 1;
        var withoutJob = text[..start]
            + "  # When the repository holds C# projects (serving code the analyzers check), add a job here that builds and tests them.\n\n"
            + text[end..];
        return Replace(path, withoutJob, "build with the analyzers (warnings as errors) and run the tests; validate the", "validate the");
    }

    private static string Replace(string path, string text, string from, string to)
    {
        var at = Find(path, text, from);
        return string.Concat(text.AsSpan(0, at), to, text.AsSpan(at + from.Length)).Replace(from, to, StringComparison.Ordinal);
    }

    private static int Find(string path, string text, string part)
    {
        var at = text.IndexOf(part, StringComparison.Ordinal);
        return at >= 0 ? at : throw new InvalidOperationException($"{path} no longer contains '{part.Trim()}', which mlops init replaces for an adopting repository. Update Commands/Init/WorkflowAdaptation.cs with the workflow.");
    }
}
