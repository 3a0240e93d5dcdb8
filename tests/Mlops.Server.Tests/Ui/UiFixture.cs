using Mlops.Runtime.Store;
using Mlops.Runtime.Tests.Serving;
using Mlops.Server.Tests.Standalone;
using Mlops.Testing;

namespace Mlops.Server.Tests.Ui;

/// <summary>
/// The standalone server on 127.0.0.1 serving the small test model (version 1) and a browser, shared by a
/// test class. A test that needs chromium fails under CI=true when it is missing and skips elsewhere.
/// </summary>
public class UiFixture : IAsyncLifetime
{
    public TempDirectory Repository { get; } = TestModels.Repository();

    public TempDirectory StoreFolder { get; } = new("mlops-ui-store");

    public StandaloneServer Server { get; private set; } = null!;

    public HttpClient Client { get; private set; } = null!;

    public Browser? Browser { get; private set; }

    public async ValueTask InitializeAsync()
    {
        await PrepareAsync(new LocalFolderStore(StoreFolder.Path));
        Server = await StandaloneServer.StartAsync(
            [
                "--Mlops:Environment=staging",
                $"--Mlops:Repo={Repository.Path}",
                $"--Mlops:Store={StoreFolder.Path}",
                $"--Mlops:CacheFolder={Repository.Combine(".cache")}",
                "--Mlops:MonitorEvaluateSeconds=0.2",
            ],
            TestContext.Current.CancellationToken);
        Client = new HttpClient { BaseAddress = Server.Address };
        ServerFixture.WaitReady(Client);
        if (Mlops.Testing.Browser.Available)
        {
            Browser = await Mlops.Testing.Browser.LaunchAsync();
        }
    }

    /// <summary>Puts the bundles to serve in the store and writes the repository's declarations and environment (here: the test model, version 1).</summary>
    /// <param name="store">The server's store.</param>
    protected virtual Task PrepareAsync(LocalFolderStore store)
    {
        var one = TestModels.Put(store, 1);
        TestModels.WriteEnvironment(Repository, TestModels.Pin(one, 1));
        return Task.CompletedTask;
    }

    /// <summary>The browser, or a skip (a failure under CI=true) when chromium is missing.</summary>
    public Browser RequireBrowser()
    {
        if (Browser is not null)
        {
            return Browser;
        }

        RequireChromium();
        return null!;
    }

    /// <summary>Fails under CI=true, and skips elsewhere, when chromium is missing; returns when it is there.</summary>
    public static void RequireChromium()
    {
        if (Mlops.Testing.Browser.Available)
        {
            return;
        }

        Assert.False(Mlops.Testing.Browser.Required, Mlops.Testing.Browser.Missing);
        Assert.Skip(Mlops.Testing.Browser.Missing);
    }

    public async ValueTask DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.DisposeAsync();
        }

        Client?.Dispose();
        if (Server is not null)
        {
            await Server.DisposeAsync();
        }

        Repository.Dispose();
        StoreFolder.Dispose();
    }
}
