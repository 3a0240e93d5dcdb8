using System.Globalization;
using System.Xml.Linq;
using Mlops.Testing;

[assembly: AssemblyFixture(typeof(Mlops.Packages.Tests.PackedFeed))]

namespace Mlops.Packages.Tests;

/// <summary>
/// Every package of this checkout, packed once per test run (Mlops.Packages.slnf, Release) into a local folder
/// feed with a version of its own (VersionPrefix from Directory.Build.props, suffix e2e.TIMESTAMP), built in a
/// temp artifacts folder so the checkout's bin/ and obj/ are not touched. Packing builds everything: minutes.
/// </summary>
public sealed class PackedFeed : IAsyncLifetime
{
    /// <summary>How long packing may take on a busy 2-core machine.</summary>
    public static readonly TimeSpan PackLimit = TimeSpan.FromMinutes(20);

    /// <summary>The packages <c>dotnet pack Mlops.Packages.slnf</c> makes.</summary>
    public static readonly string[] PackageIds = ["Mlops.Analyzers", "Mlops.Cli", "Mlops.Declarations", "Mlops.Runtime", "Mlops.Templates"];

    private readonly TempDirectory _root = new("mlops-packages");

    /// <summary>The temp folder holding the feed and whatever the tests make next to it.</summary>
    public TempDirectory Root => _root;

    /// <summary>The local folder feed.</summary>
    public string Feed => _root.Combine("feed");

    /// <summary>The version every package has.</summary>
    public string Version { get; } = $"{VersionPrefix}-e2e.{TimeProvider.System.GetUtcNow():yyyyMMddHHmmss}";

    /// <summary>How long the pack took, for the test log.</summary>
    public TimeSpan PackDuration { get; private set; }

    /// <summary>The one place versions are set: Directory.Build.props' VersionPrefix.</summary>
    public static string VersionPrefix =>
        XDocument.Load(RepositoryRoot.Combine("Directory.Build.props")).Descendants("VersionPrefix").Single().Value;

    /// <summary>The path of a package in the feed.</summary>
    public string Package(string id, string extension = "nupkg") => Path.Combine(Feed, $"{id}.{Version}.{extension}");

    public async ValueTask InitializeAsync()
    {
        var started = TimeProvider.System.GetTimestamp();
        var (exit, output) = await ToolProcess.RunAsync("dotnet",
            ["pack", RepositoryRoot.Combine("Mlops.Packages.slnf"), "-c", "Release", "-o", Feed, "--artifacts-path", _root.Combine("build"),
                $"-p:VersionSuffix={Version[(VersionPrefix.Length + 1)..]}", "-nologo", "-v", "q"],
            CancellationToken.None, workingDirectory: RepositoryRoot.Path, limit: PackLimit);
        PackDuration = TimeProvider.System.GetElapsedTime(started);
        if (exit != 0)
        {
            throw new InvalidOperationException($"dotnet pack Mlops.Packages.slnf exited {exit.ToString(CultureInfo.InvariantCulture)}:\n{output}");
        }
    }

    public ValueTask DisposeAsync()
    {
        _root.Dispose();
        return ValueTask.CompletedTask;
    }
}
