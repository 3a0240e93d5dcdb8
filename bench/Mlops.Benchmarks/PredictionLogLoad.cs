using System.Diagnostics;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Mlops.Declarations.Digests;
using Mlops.Declarations.Models;
using Mlops.Runtime.Bundles;
using Mlops.Runtime.Store;
using Mlops.Server.Hosting;

namespace Mlops.Benchmarks;

/// <summary>
/// The issue's load check: does the prediction log keep every prediction at a sustained rate? The
/// example churn model (trained as <see cref="ServingSetup"/> does) is packaged into a folder store
/// and served by the real server (Mlops.Server's host, Release, in this process) on 127.0.0.1 with
/// the log on; an open-loop loader sends single-row v2 requests on a fixed schedule (request k is
/// due at k / rate, whatever the answers' speed) for a bounded time, then the log's counters and the
/// lines in its folder are compared with the requests answered.
/// </summary>
internal static class PredictionLogLoad
{
    public static async Task<int> RunAsync(int rate, int seconds, int workers, bool logOn)
    {
        using var setup = ServingSetup.Create();
        var work = Path.Combine(Path.GetTempPath(), "mlops-predlog-load-" + Guid.NewGuid().ToString("N"));
        try
        {
            var (repo, store) = Prepare(setup, work);
            var logFolder = Path.Combine(work, "predictions");
            await using var app = MlopsServer.Build(["--urls", "http://127.0.0.1:0"], o =>
            {
                o.Repo = repo;
                o.Store = store;
                o.CacheFolder = Path.Combine(work, "cache");
                o.PredictionLog.Folder = logOn ? logFolder : null;
            });
            await app.StartAsync().ConfigureAwait(false);
            var address = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single());
            using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = workers }) { BaseAddress = address };
            await WaitReadyAsync(http).ConfigureAwait(false);

            var bodies = setup.RequestRows.Take(2000).Select(Body).ToArray();
            // Warm-up: JIT and connections, not counted by the log check below (its counters are read before and after).
            await SendAsync(http, bodies, rate, 2, workers).ConfigureAwait(false);
            await Task.Delay(1000).ConfigureAwait(false);
            var before = logOn ? await LogAsync(http).ConfigureAwait(false) : default;

            var cpu = Process.GetCurrentProcess().TotalProcessorTime;
            var (sent, failed, elapsed, latencies) = await SendAsync(http, bodies, rate, seconds, workers).ConfigureAwait(false);
            cpu = Process.GetCurrentProcess().TotalProcessorTime - cpu;

            JsonElement after = default;
            for (var i = 0; logOn && i < 100; i++)
            {
                after = await LogAsync(http).ConfigureAwait(false);
                if (after.GetProperty("written").GetInt64() - before.GetProperty("written").GetInt64() >= sent - failed)
                {
                    break;
                }

                await Task.Delay(100).ConfigureAwait(false);
            }

            Array.Sort(latencies);
            double Quantile(double q) => latencies.Length == 0 ? double.NaN : latencies[Math.Min(latencies.Length - 1, (int)(q * latencies.Length))];
            Console.WriteLine($"target {rate} req/s for {seconds} s with {workers} connections, log {(logOn ? "on" : "off")}; {Environment.ProcessorCount} cores, load {File.ReadAllText("/proc/loadavg").Trim()}");
            Console.WriteLine($"sent {sent} in {elapsed.TotalSeconds:F2} s = {sent / elapsed.TotalSeconds:F0} req/s; failed {failed}; latency p50 {Quantile(0.5):F2} ms, p99 {Quantile(0.99):F2} ms, max {Quantile(1):F2} ms; process CPU {cpu.TotalSeconds:F1} s ({cpu.TotalSeconds / elapsed.TotalSeconds * 100:F0} % of one core, {cpu.TotalMilliseconds * 1000 / sent:F0} us per request, loader included)");
            if (!logOn)
            {
                await app.StopAsync().ConfigureAwait(false);
                return failed == 0 ? 0 : 1;
            }

            var written = after.GetProperty("written").GetInt64() - before.GetProperty("written").GetInt64();
            var dropped = after.GetProperty("dropped").GetInt64() - before.GetProperty("dropped").GetInt64();
            var lost = after.GetProperty("failed").GetInt64() - before.GetProperty("failed").GetInt64();
            await app.StopAsync().ConfigureAwait(false);
            var lines = Directory.GetFiles(logFolder).Sum(f => File.ReadLines(f).LongCount());
            var totalAnswered = after.GetProperty("written").GetInt64();
            Console.WriteLine($"log: written {written}, dropped {dropped}, failed {lost}; lines in the folder {lines} (warm-up included: {totalAnswered})");
            var kept = written == sent - failed && dropped == 0 && lost == 0 && lines == totalAnswered && failed == 0;
            Console.WriteLine(kept ? "every prediction was logged" : "NOT every prediction was logged");
            return kept ? 0 : 1;
        }
        finally
        {
            if (Directory.Exists(work))
            {
                Directory.Delete(work, recursive: true);
            }
        }
    }

    private static async Task<(long Sent, long Failed, TimeSpan Elapsed, double[] LatenciesMs)> SendAsync(HttpClient http, byte[][] bodies, int rate, int seconds, int workers)
    {
        var total = (long)rate * seconds;
        long next = -1, failed = 0;
        var latencies = new double[total];
        var clock = Stopwatch.StartNew();
        var tasks = Enumerable.Range(0, workers).Select(_ => Task.Run(async () =>
        {
            while (Interlocked.Increment(ref next) is var k && k < total)
            {
                var due = TimeSpan.FromSeconds((double)k / rate);
                var wait = due - clock.Elapsed;
                if (wait > TimeSpan.FromMilliseconds(1))
                {
                    await Task.Delay(wait).ConfigureAwait(false);
                }

                while (clock.Elapsed < due)
                {
                    Thread.SpinWait(20);
                }

                using var content = new ByteArrayContent(bodies[k % bodies.Length]);
                content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
                try
                {
                    using var response = await http.PostAsync("/v2/models/churn/infer", content).ConfigureAwait(false);
                    await response.Content.ReadAsByteArrayAsync().ConfigureAwait(false);
                    if (!response.IsSuccessStatusCode)
                    {
                        Interlocked.Increment(ref failed);
                    }
                }
                catch (HttpRequestException)
                {
                    Interlocked.Increment(ref failed);
                }

                // Open loop: latency from when the request was due, so a late start counts (coordinated omission).
                latencies[k] = (clock.Elapsed - due).TotalMilliseconds;
            }
        })).ToArray();
        await Task.WhenAll(tasks).ConfigureAwait(false);
        return (total, failed, clock.Elapsed, latencies);
    }

    private static async Task<JsonElement> LogAsync(HttpClient http) =>
        (await http.GetFromJsonAsync<JsonElement>("/monitoring/live").ConfigureAwait(false)).GetProperty("log");

    private static async Task WaitReadyAsync(HttpClient http)
    {
        for (var i = 0; i < 600; i++)
        {
            if ((await http.GetAsync("/v2/health/ready").ConfigureAwait(false)).IsSuccessStatusCode)
            {
                return;
            }

            await Task.Delay(100).ConfigureAwait(false);
        }

        throw new TimeoutException("the server did not become ready in 60 s: " + await http.GetStringAsync("/status").ConfigureAwait(false));
    }

    /// <summary>A single-row v2 request of one example row: one tensor per feature.</summary>
    private static byte[] Body(Dictionary<string, object?> row)
    {
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream))
        {
            json.WriteStartObject();
            json.WriteStartArray("inputs");
            foreach (var (name, value) in row)
            {
                json.WriteStartObject();
                json.WriteString("name", name);
                json.WriteStartArray("shape");
                json.WriteNumberValue(1);
                json.WriteEndArray();
                json.WriteString("datatype", value switch { string => "BYTES", bool => "BOOL", null => "FP32", _ => "FP32" });
                json.WriteStartArray("data");
                switch (value)
                {
                    case string s: json.WriteStringValue(s); break;
                    case bool b: json.WriteBooleanValue(b); break;
                    case null: json.WriteNullValue(); break;
                    default: json.WriteNumberValue(Convert.ToDouble(value, System.Globalization.CultureInfo.InvariantCulture)); break;
                }

                json.WriteEndArray();
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        return stream.ToArray();
    }

    /// <summary>A repository folder (the checkout's declarations and an environment pinning churn v1) and a store holding its bundle.</summary>
    private static (string Repo, string Store) Prepare(ServingSetup setup, string work)
    {
        var root = ServingSetup.RepositoryFile(".");
        var repo = Path.Combine(work, "repo");
        foreach (var folder in new[] { "features", "models", "data" })
        {
            Directory.CreateDirectory(Path.Combine(repo, folder));
            foreach (var file in Directory.GetFiles(Path.Combine(root, folder)))
            {
                File.Copy(file, Path.Combine(repo, folder, Path.GetFileName(file)));
            }
        }

        var model = File.ReadAllBytes(setup.ModelPath);
        var features = setup.FeatureSet;
        var manifest = new BundleManifest(BundleManifest.CurrentFormat, "churn", ModelTask.BinaryClassification, "model.zip", ModelFormat.MlNet, Sha256Digest.Of(model),
            new BundleFeatureSet(features.Name, features.Version, features.SchemaDigest),
            [.. features.Features.Where(f => f.Source == Mlops.Declarations.FeatureSets.FeatureSource.Data).Select(BundleInput.For)],
            new BundleLabel("churn", "Yes"), new BundleTrainer("lbfgs", 42, new Dictionary<string, string>()),
            new BundleLineage(Sha256Digest.OfText("data"), Sha256Digest.OfText("inputs"), "5.0.1"),
            new BundleMetrics(new Dictionary<string, double>(), new Dictionary<string, IReadOnlyDictionary<string, double>>()));
        var store = Path.Combine(work, "store");
        var digest = new LocalFolderStore(store).PutAsync(new MemoryStream(Bundle.Write(manifest, model, new Dictionary<string, byte[]>())), CancellationToken.None).GetAwaiter().GetResult();
        Directory.CreateDirectory(Path.Combine(repo, "environments"));
        File.WriteAllText(Path.Combine(repo, "environments", "staging.yaml"),
            $"environment: staging\nmodels:\n  - model: churn\n    version: 1\n    digest: {digest}\n    featureSet: {features.Name}@{features.Version}\n", Encoding.UTF8);
        return (repo, store);
    }
}
