// Publishes the mlops CLI from src/Mlops.Cli (build/pipeline.cake runs it).

// The pipeline's CLI is published apart from `dotnet build`'s bin/ and obj/ (its own artifacts
// path), so `dotnet cake` and `dotnet build` or `dotnet test` never undo each other's restore or build.
const string CliFolder = "artifacts/mlops-cli";

string MlopsDll(string configuration) =>
    MakeAbsolute(File($"{CliFolder}/{configuration}/mlops.dll")).FullPath;

// MSBuild's own up-to-date check costs seconds even when nothing changed; a cached pipeline run
// must stay fast, so skip the publish when no source or project file is newer than the CLI.
// Conservative: any newer file (or a missing binary) publishes, and MSBuild decides the rest.
// bin/ and obj/ are left out of the walk, not filtered after it: they hold thousands of files.
bool MlopsIsUpToDate(string configuration)
{
    var dll = MlopsDll(configuration);
    if (!System.IO.File.Exists(dll))
    {
        return false;
    }

    var built = System.IO.File.GetLastWriteTimeUtc(dll);
    var inputs = SourceFiles(MakeAbsolute(Directory("./src")).FullPath)
        .Concat(new[] { "Directory.Build.props", "Directory.Packages.props", "global.json", ".editorconfig", "build/ReadyToRun.targets" }.Where(System.IO.File.Exists));
    return inputs.All(f => System.IO.File.GetLastWriteTimeUtc(f) <= built);
}

IEnumerable<string> SourceFiles(string folder)
{
    foreach (var file in System.IO.Directory.EnumerateFiles(folder))
    {
        if (file.EndsWith(".cs", StringComparison.Ordinal) || file.EndsWith(".csproj", StringComparison.Ordinal) || file.EndsWith(".props", StringComparison.Ordinal) || file.EndsWith(".targets", StringComparison.Ordinal))
        {
            yield return file;
        }
    }

    foreach (var child in System.IO.Directory.EnumerateDirectories(folder))
    {
        var name = System.IO.Path.GetFileName(child);
        if (name != "bin" && name != "obj")
        {
            foreach (var file in SourceFiles(child))
            {
                yield return file;
            }
        }
    }
}

// ReadyToRun (precompiled code for this machine's runtime) takes most of the JIT work off every
// run's start-up; build/ReadyToRun.targets limits it to the assemblies a run starts with, so the
// first publish stays short. The result is the same CLI as `dotnet build` makes, only faster to start.
void BuildMlops(string configuration)
{
    if (MlopsIsUpToDate(configuration))
    {
        Information("mlops is up to date with src/; not publishing.");
        return;
    }

    var exit = StartProcess("dotnet", new ProcessSettings
    {
        Arguments = new ProcessArgumentBuilder()
            .Append("publish").AppendQuoted("src/Mlops.Cli/Mlops.Cli.csproj")
            .Append("-c").Append(configuration)
            .Append("--use-current-runtime").Append("--self-contained").Append("false")
            .Append("-p:PublishReadyToRun=true")
            .AppendQuoted($"-p:CustomAfterMicrosoftCommonTargets={MakeAbsolute(File("build/ReadyToRun.targets")).FullPath}")
            .Append("--artifacts-path").AppendQuoted(CliFolder)
            .Append("-o").AppendQuoted($"{CliFolder}/{configuration}")
            .Append("--nologo").Append("-v").Append("quiet").Append("-clp:NoSummary"),
    });
    if (exit != 0)
    {
        throw new Exception($"Publishing the mlops CLI failed (exit {exit}); the compiler output above says why.");
    }
}
