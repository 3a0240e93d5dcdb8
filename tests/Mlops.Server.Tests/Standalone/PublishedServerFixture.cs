using Mlops.Testing;

namespace Mlops.Server.Tests.Standalone;

/// <summary>
/// <c>dotnet publish src/Mlops.Server -p:PublishProfile=linux-x64</c> into a temp folder, once for the class:
/// what the Dockerfile's build stage produces and its final stage runs (docs/container.md).
/// </summary>
public sealed class PublishedServerFixture : IAsyncLifetime
{
    private readonly TempDirectory _folder = new("mlops-publish");

    /// <summary>The publish profile, the one the Dockerfile names.</summary>
    public const string Profile = "linux-x64";

    /// <summary>The publish output.</summary>
    public string Folder => _folder.Path;

    /// <summary>The self-contained executable a container's entry point runs.</summary>
    public string Executable => Path.Combine(Folder, "Mlops.Server");

    /// <summary>What dotnet publish printed.</summary>
    public string Output { get; private set; } = "";

    public async ValueTask InitializeAsync()
    {
        using var publish = DotNetProcess.Start("publish", [RepositoryRoot.Combine("src", "Mlops.Server"), $"-p:PublishProfile={Profile}", "-o", Folder, "-v", "q"], RepositoryRoot.Path);
        var exit = await publish.WaitForExitAsync(TimeSpan.FromMinutes(15), TestContext.Current.CancellationToken);
        Output = publish.Out + publish.Error;
        if (exit != 0)
        {
            throw new InvalidOperationException($"dotnet publish -p:PublishProfile={Profile} exited {exit}:\n{Output}");
        }
    }

    public ValueTask DisposeAsync()
    {
        _folder.Dispose();
        return ValueTask.CompletedTask;
    }
}
