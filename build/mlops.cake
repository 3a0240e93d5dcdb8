// Runs the mlops CLI built from src/Mlops.Cli; a non-zero exit fails the build with the CLI's own message.

string MlopsDll(string configuration) =>
    MakeAbsolute(File($"src/Mlops.Cli/bin/{configuration}/net10.0/mlops.dll")).FullPath;

// MSBuild's own up-to-date check costs seconds even when nothing changed; a cached pipeline run
// must stay fast, so skip the build when no source or project file is newer than the CLI.
// Conservative: any newer file (or a missing binary) builds, and MSBuild decides the rest.
bool MlopsIsUpToDate(string configuration)
{
    var dll = MlopsDll(configuration);
    if (!System.IO.File.Exists(dll))
    {
        return false;
    }

    var built = System.IO.File.GetLastWriteTimeUtc(dll);
    var inputs = GetFiles("./src/**/*.cs") + GetFiles("./src/**/*.csproj") + GetFiles("./*.props") + GetFiles("./global.json") + GetFiles("./.editorconfig");
    return inputs
        .Where(f => !f.FullPath.Contains("/obj/") && !f.FullPath.Contains("/bin/"))
        .All(f => System.IO.File.GetLastWriteTimeUtc(f.FullPath) <= built);
}

void BuildMlops(string configuration)
{
    if (MlopsIsUpToDate(configuration))
    {
        Information("mlops is up to date with src/; not building.");
        return;
    }

    var exit = StartProcess("dotnet", new ProcessSettings
    {
        Arguments = $"build src/Mlops.Cli/Mlops.Cli.csproj -c {configuration} --nologo -v quiet -clp:NoSummary",
    });
    if (exit != 0)
    {
        throw new Exception($"Building the mlops CLI failed (exit {exit}); the compiler output above says why.");
    }
}

void Mlops(string configuration, params string[] arguments)
{
    var args = new ProcessArgumentBuilder().AppendQuoted(MlopsDll(configuration));
    foreach (var argument in arguments)
    {
        args.AppendQuoted(argument);
    }

    var exit = StartProcess("dotnet", new ProcessSettings { Arguments = args });
    if (exit != 0)
    {
        throw new Exception($"mlops {string.Join(" ", arguments)} failed with exit code {exit}; its findings are printed above.");
    }
}

// The models to promote: the one asked for, or every models/NAME.yaml (validation checks that a
// model file declares the model its file is named after).
IEnumerable<string> ModelNames(string model) =>
    string.IsNullOrEmpty(model)
        ? GetFiles("./models/*.yaml").Select(f => f.GetFilenameWithoutExtension().ToString()).OrderBy(n => n, StringComparer.Ordinal)
        : new[] { model };
