using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Mlops.Runtime.Store;
using Mlops.Runtime.Tests.Serving;
using Mlops.Testing;

namespace Mlops.Server.Tests;

/// <summary>A repository folder, a store with versions 1 and 2 of churn, and the real server in memory serving version 1.</summary>
public sealed class ServerFixture : IDisposable
{
    public const string AdminToken = "test-admin-token";

    public ServerFixture()
        : this(null)
    {
    }

    /// <summary>Builds the fixture with extra host settings applied after the defaults (logging, options).</summary>
    internal ServerFixture(Action<IWebHostBuilder>? configure)
    {
        Repository = TestModels.Repository();
        StoreFolder = new TempDirectory("mlops-server-store");
        Store = new LocalFolderStore(StoreFolder.Path);
        One = TestModels.Put(Store, 1);
        Two = TestModels.Put(Store, 2);
        TestModels.WriteEnvironment(Repository, TestModels.Pin(One, 1));
        Factory = new WebApplicationFactory<Program>().WithWebHostBuilder(b =>
        {
            b.UseSetting("Mlops:Repo", Repository.Path)
                .UseSetting("Mlops:Store", StoreFolder.Path)
                .UseSetting("Mlops:CacheFolder", Path.Combine(Repository.Path, ".cache"))
                .UseSetting("Mlops:AdminToken", AdminToken)
                .UseSetting("Mlops:MaxBodyBytes", "4096");
            configure?.Invoke(b);
        });
        Client = Factory.CreateClient();
        WaitReady(Client);
    }

    public TempDirectory Repository { get; }

    public TempDirectory StoreFolder { get; }

    public LocalFolderStore Store { get; }

    public string One { get; }

    public string Two { get; }

    public WebApplicationFactory<Program> Factory { get; }

    public HttpClient Client { get; }

    public static void WaitReady(HttpClient client) =>
        ServerReadiness.WaitAsync(client, TimeSpan.FromSeconds(10), CancellationToken.None, describe: () => client.GetStringAsync("/status"))
            .GetAwaiter().GetResult();

    public static object InferBody(float tenure = 12, string contract = "One year", string contractType = "BYTES") => new
    {
        inputs = new object[]
        {
            new { name = "tenure", shape = new[] { 1 }, datatype = "FP32", data = new[] { tenure } },
            new { name = "contract", shape = new[] { 1 }, datatype = contractType, data = new[] { contract } },
            new { name = "total_charges", shape = new[] { 1 }, datatype = "FP32", data = new[] { 700f } },
        },
    };

    public static async Task<JsonElement> JsonAsync(HttpResponseMessage response) =>
        (await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken))!;

    public void Dispose()
    {
        Client.Dispose();
        Factory.Dispose();
        Repository.Dispose();
        StoreFolder.Dispose();
    }
}
