using System.CommandLine;
using System.Text.Json;

namespace Mlops.Cli.Commands.Init;

/// <summary>
/// <c>mlops init</c>: lays out the repository convention (features/, models/, environments/, build.cake, the
/// tool manifest, .github/, example data with its digest, a README) in a new or existing repository. It never
/// overwrites: each path is either added or left alone, and the output says which.
/// </summary>
internal static class InitCommand
{
    public sealed record Settings(DirectoryInfo Repo, bool DryRun);

    public static Command Create(CliContext context)
    {
        var repo = new Option<DirectoryInfo>("--repo") { Description = "Repository root; defaults to the current folder. It must exist." };
        var dryRun = new Option<bool>("--dry-run") { Description = "List what would be added and left alone; write nothing." };
        var command = new Command("init", "Add the repository convention's files (declarations, example data, build.cake, tool manifest, .github/) to a repository; existing files are never changed.") { repo, dryRun };
        command.SetAction((parse, ct) => RunAsync(context, new Settings(parse.GetValue(repo) ?? new DirectoryInfo("."), parse.GetValue(dryRun)), ct));
        return command;
    }

    public static async Task<int> RunAsync(CliContext context, Settings settings, CancellationToken cancellationToken)
    {
        var root = settings.Repo.FullName;
        if (File.Exists(root))
        {
            throw new UsageException($"--repo '{root}' is a file, not a folder. Pass the repository's folder.");
        }

        if (!Directory.Exists(root))
        {
            throw new UsageException($"the repository folder '{root}' does not exist. Create it first (mkdir), or pass an existing folder with --repo.");
        }

        var existingManifest = RepositoryConvention.ManifestPaths.FirstOrDefault(p => File.Exists(Full(root, p)));
        var added = 0;
        var left = 0;
        if (settings.DryRun)
        {
            await context.Out.WriteLineAsync("dry run: nothing is written.").ConfigureAwait(false);
        }

        foreach (var file in RepositoryConvention.Files())
        {
            // An existing manifest at either place is the repository's: a second one would shadow it.
            var leave = File.Exists(Full(root, file.Path)) || Directory.Exists(Full(root, file.Path))
                || (existingManifest is not null && RepositoryConvention.ManifestPaths.Contains(file.Path));
            if (leave)
            {
                left++;
                var reason = File.Exists(Full(root, file.Path)) || Directory.Exists(Full(root, file.Path)) ? "exists" : $"{existingManifest} is the tool manifest";
                await context.Out.WriteLineAsync($"leave {file.Path} ({reason})").ConfigureAwait(false);
                continue;
            }

            added++;
            await context.Out.WriteLineAsync($"add {file.Path}").ConfigureAwait(false);
            if (!settings.DryRun)
            {
                await WriteNewAsync(Full(root, file.Path), file.Content, cancellationToken).ConfigureAwait(false);
            }
        }

        if (existingManifest is not null)
        {
            await WriteMissingToolsAsync(context, Full(root, existingManifest), existingManifest, cancellationToken).ConfigureAwait(false);
        }

        await context.Out.WriteLineAsync(settings.DryRun
            ? $"mlops init (dry run): would add {added} files, leave {left} alone in {root}."
            : $"mlops init: added {added} files, left {left} alone in {root}.").ConfigureAwait(false);
        await context.Out.WriteLineAsync("Next: commit, then run `dotnet tool restore && dotnet cake` (README.md, \"What to do next\").").ConfigureAwait(false);
        return ExitCodes.Success;
    }

    // CreateNew: a file that appeared since the check is still never overwritten.
    private static async Task WriteNewAsync(string path, byte[] content, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None);
        await using (stream.ConfigureAwait(false))
        {
            await stream.WriteAsync(content, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The repository's own manifest is left alone: say which tools to add to it, if it lacks any.</summary>
    private static async Task WriteMissingToolsAsync(CliContext context, string full, string relative, CancellationToken cancellationToken)
    {
        HashSet<string> present;
        try
        {
            var stream = File.OpenRead(full);
            await using (stream.ConfigureAwait(false))
            {
                using var manifest = await JsonDocument.ParseAsync(stream, cancellationToken: cancellationToken).ConfigureAwait(false);
                present = manifest.RootElement.TryGetProperty("tools", out var tools) && tools.ValueKind == JsonValueKind.Object
                    ? tools.EnumerateObject().Select(t => t.Name).ToHashSet(StringComparer.OrdinalIgnoreCase)
                    : [];
            }
        }
        catch (JsonException e)
        {
            await context.Out.WriteLineAsync($"{relative} could not be read as JSON ({e.Message}); fix it, then make sure it holds the tools below.").ConfigureAwait(false);
            present = [];
        }

        var missing = RepositoryConvention.Tools.Where(t => !present.Contains(t.Id)).ToList();
        if (missing.Count == 0)
        {
            return;
        }

        await context.Out.WriteLineAsync($"{relative} is left alone; add the tools the pipeline runs to it:").ConfigureAwait(false);
        foreach (var (id, version) in missing)
        {
            await context.Out.WriteLineAsync($"  dotnet tool install {id} --version {version}").ConfigureAwait(false);
        }
    }

    private static string Full(string root, string relative) => Path.Combine(root, relative.Replace('/', Path.DirectorySeparatorChar));
}
