using Mlops.Testing;

namespace Mlops.Analyzers.Tests.EndToEnd;

/// <summary>
/// <c>dotnet pack</c> of src/Mlops.Analyzers into a temporary folder, once for the end-to-end tests.
/// The build goes to an artifacts folder inside it (--artifacts-path), so it never touches the bin/
/// and obj/ folders other builds of this checkout are using, and the version is fixed because
/// consumers restore it into a private packages folder that dies with the test: the machine's
/// package cache never holds a copy that a later pack would not replace.
/// </summary>
public sealed class PackedAnalyzer : IAsyncLifetime
{
    public const string Version = "0.0.0-e2e";

    private readonly TempDirectory _temp = new("mlops-analyzers-e2e");

    /// <summary>The whole temporary folder; consumers are written under it too.</summary>
    public string Root => _temp.Path;

    /// <summary>The folder the package was packed into: a package source.</summary>
    public string Feed => _temp.Combine("feed");

    public string PackagePath => Path.Combine(Feed, $"Mlops.Analyzers.{Version}.nupkg");

    /// <summary>Where the machine's restores keep packages; consumers use it read-only, as a fallback folder.</summary>
    public static string MachinePackages =>
        Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } configured
            ? configured
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");

    public async ValueTask InitializeAsync()
    {
        var project = RepositoryRoot.Combine("src", "Mlops.Analyzers", "Mlops.Analyzers.csproj");
        var result = await DotNet.RunAsync(RepositoryRoot.Path, new Dictionary<string, string>(), TestContext.Current.CancellationToken,
            "pack", project, "-c", "Release", "-o", Feed, $"-p:Version={Version}", "--artifacts-path", _temp.Combine("artifacts"),
            "--disable-build-servers", "-nodeReuse:false", "-p:UseSharedCompilation=false");
        if (result.ExitCode != 0 || !File.Exists(PackagePath))
        {
            throw new InvalidOperationException($"Packing the analyzer failed.\n{result}");
        }
    }

    public ValueTask DisposeAsync()
    {
        _temp.Dispose();
        return ValueTask.CompletedTask;
    }
}
