// Runs the mlops CLI built from src/Mlops.Cli; a non-zero exit fails the build with the CLI's own message.

string MlopsDll(string configuration) =>
    MakeAbsolute(File($"src/Mlops.Cli/bin/{configuration}/net10.0/mlops.dll")).FullPath;

void BuildMlops(string configuration)
{
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
