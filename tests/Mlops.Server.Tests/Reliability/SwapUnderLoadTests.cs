using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Mlops.Runtime.Store;
using Mlops.Runtime.Tests.Serving;
using Mlops.Server.Hosting;
using Mlops.Testing;

namespace Mlops.Server.Tests.Reliability;

/// <summary>
/// The load test: a steady request stream over real HTTP on 127.0.0.1 while the environment
/// file changes version three times and once points to a corrupt bundle. No request may fail, every
/// answer must come from a version pinned at that time, and the corrupt bundle is never served.
/// </summary>
public sealed class SwapUnderLoadTests
{
    private const int Clients = 2;
    private const int MaxRequestsPerClient = 20_000;

    [Fact]
    public async Task SteadyStream_WhileThePinChangesAndOnceIsCorrupt_NoRequestFailsAndEveryAnswerWasPinned()
    {
        var ct = TestContext.Current.CancellationToken;
        using var repository = TestModels.Repository();
        using var storeFolder = new TempDirectory("mlops-load-store");
        var store = new LocalFolderStore(storeFolder.Path);
        var digests = new Dictionary<int, string> { [1] = TestModels.Put(store, 1), [2] = TestModels.Put(store, 2), [3] = TestModels.Put(store, 3), [4] = TestModels.Put(store, 4) };
        var corrupt = TestModels.PutCorrupt(store, 9);
        TestModels.WriteEnvironment(repository, TestModels.Pin(digests[1], 1));

        await using var app = MlopsServer.Build(["--urls", "http://127.0.0.1:0"], o =>
        {
            o.Repo = repository.Path;
            o.Store = storeFolder.Path;
            o.CacheFolder = Path.Combine(repository.Path, ".cache");
            o.PollInterval = TimeSpan.FromMilliseconds(200);
        });
        await app.StartAsync(ct);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        using var http = new HttpClient { BaseAddress = new Uri(address) };
        ServerFixture.WaitReady(http);

        var clock = Stopwatch.StartNew();
        // Version -> when it was written to the file, and when the next good version was seen served.
        var windows = new ConcurrentDictionary<int, (TimeSpan From, TimeSpan Until)>();
        windows[1] = (TimeSpan.Zero, TimeSpan.MaxValue);
        var results = new ConcurrentBag<(TimeSpan Sent, TimeSpan Received, int Status, string? Version, string? Digest)>();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var body = ServerFixture.InferBody();
        var clients = Enumerable.Range(0, Clients).Select(_ => Task.Run(async () =>
        {
            for (var i = 0; i < MaxRequestsPerClient && !stop.IsCancellationRequested; i++)
            {
                var sent = clock.Elapsed;
                using var response = await http.PostAsJsonAsync("/v2/models/churn/infer", body, CancellationToken.None);
                var json = await response.Content.ReadFromJsonAsync<JsonElement>(CancellationToken.None);
                var ok = response.IsSuccessStatusCode;
                results.Add((sent, clock.Elapsed, (int)response.StatusCode,
                    ok ? json.GetProperty("model_version").GetString() : json.ToString(),
                    ok ? json.GetProperty("parameters").GetProperty("bundle_digest").GetString() : null));
            }
        }, CancellationToken.None)).ToList();

        var current = 1;
        foreach (var (version, digest, good) in new[] { (2, digests[2], true), (3, digests[3], true), (9, corrupt, false), (4, digests[4], true) })
        {
            await Task.Delay(TimeSpan.FromSeconds(1.5), ct);
            var written = clock.Elapsed;
            if (good)
            {
                windows[version] = (written, TimeSpan.MaxValue);
            }

            TestModels.WriteEnvironment(repository, TestModels.Pin(digest, version));
            await WaitUntilAsync(http, status => status.GetProperty("desiredCommit").GetString() is { } desired
                && status.GetProperty("models")[0].GetProperty("desired").GetProperty("digest").GetString() == digest
                && status.GetProperty("lastReconcile").ValueKind == JsonValueKind.String
                && (good ? status.GetProperty("sync").GetString() == "Synced" : status.GetProperty("health").GetString() == "Degraded"), ct);
            if (good)
            {
                windows[current] = (windows[current].From, clock.Elapsed);
                current = version;
            }
        }

        await Task.Delay(TimeSpan.FromSeconds(1), ct);
        await stop.CancelAsync();
        await Task.WhenAll(clients);

        var all = results.ToList();
        Assert.True(all.Count > 200, $"only {all.Count} requests were made");
        Assert.Empty(all.Where(r => r.Status != 200).Select(r => $"{r.Status}: {r.Version}"));
        Assert.DoesNotContain(all, r => r.Digest == corrupt || r.Version == "9");
        foreach (var r in all)
        {
            var version = int.Parse(r.Version!, System.Globalization.CultureInfo.InvariantCulture);
            Assert.Equal(digests[version], r.Digest);
            var (from, until) = windows[version];
            Assert.True(from <= r.Received && until >= r.Sent, $"v{version} answered a request sent at {r.Sent} and received at {r.Received}, outside its pinned window {from}..{until}");
        }

        Assert.Equal([1, 2, 3, 4], all.Select(r => int.Parse(r.Version!, System.Globalization.CultureInfo.InvariantCulture)).Distinct().Order());
        await app.StopAsync(ct);
    }

    private static async Task WaitUntilAsync(HttpClient http, Func<JsonElement, bool> condition, CancellationToken ct)
    {
        for (var i = 0; i < 200; i++)
        {
            var status = await http.GetFromJsonAsync<JsonElement>("/status", ct);
            if (condition(status))
            {
                return;
            }

            await Task.Delay(50, ct);
        }

        throw new TimeoutException("the server did not reconcile in 10 s: " + await http.GetStringAsync("/status", ct));
    }
}
