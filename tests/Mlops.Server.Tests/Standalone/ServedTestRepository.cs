using System.Net;
using Mlops.Runtime.Serving;
using Mlops.Runtime.Store;
using Mlops.Runtime.Tests.Serving;
using Mlops.Testing;

namespace Mlops.Server.Tests.Standalone;

/// <summary>The tiny test model's repository and store, served by a standalone server; disposed together.</summary>
public sealed class ServedTestRepository : IAsyncDisposable
{
    public TempDirectory Repository { get; } = TestModels.Repository();

    public TempDirectory Store { get; } = new("mlops-served-store");

    public StandaloneServer? Server { get; private set; }

    /// <summary>Puts version 1 of churn into the store; its digest.</summary>
    public string PutVersionOne() => TestModels.Put(new LocalFolderStore(Store.Path), 1);

    /// <summary>
    /// Pins <paramref name="digest"/> as churn v1 of staging and starts a server on it: the build output with
    /// command-line settings, or <paramref name="executable"/> (a publish) with the settings as environment
    /// variables and the address from ASPNETCORE_URLS, as a container gets them.
    /// </summary>
    public async Task<HttpClient> ServeAsync(string digest, CancellationToken cancellationToken, string? executable = null)
    {
        TestModels.WriteEnvironment(Repository, TestModels.Pin(digest, 1));
        var settings = new Dictionary<string, string>
        {
            ["Environment"] = "staging",
            ["Repo"] = Repository.Path,
            ["Store"] = Store.Path,
            ["CacheFolder"] = Repository.Combine("cache"),
        };
        Server = executable is null
            ? await StandaloneServer.StartAsync(settings.Select(s => $"--Mlops:{s.Key}={s.Value}"), cancellationToken)
            : await StandaloneServer.StartAsync(executable, [], settings.ToDictionary(s => "Mlops__" + s.Key, string? (s) => s.Value).Append(new("ASPNETCORE_URLS", "http://127.0.0.1:0")).ToDictionary(), cancellationToken);
        return new HttpClient { BaseAddress = Server.Address };
    }

    /// <summary>Asks the readiness route until it answers 200, for at most 30 s; its last answer.</summary>
    public static async Task<HttpStatusCode> WaitReadyAsync(HttpClient client, CancellationToken cancellationToken)
    {
        var ready = HttpStatusCode.ServiceUnavailable;
        for (var i = 0; i < 300 && ready != HttpStatusCode.OK; i++)
        {
            ready = (await client.GetAsync(ServerContainer.ReadyPath, cancellationToken)).StatusCode;
            await Task.Delay(ready == HttpStatusCode.OK ? 0 : 100, cancellationToken);
        }

        return ready;
    }

    /// <summary>Stops the server.</summary>
    public async Task StopAsync()
    {
        if (Server is not null)
        {
            await Server.DisposeAsync();
            Server = null;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        Repository.Dispose();
        Store.Dispose();
    }
}
