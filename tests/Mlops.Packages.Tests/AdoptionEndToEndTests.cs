using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Mlops.Testing;

namespace Mlops.Packages.Tests;

/// <summary>
/// The adoption path end to end, with only the packed packages: a brand-new repository from the template
/// (an isolated template hive), its own git repository, `dotnet tool restore && dotnet cake` through
/// training, gate, package and promotion (with a private NuGet cache, so only this run's tool is used), the
/// promotion merged, then `dotnet mlops serve` answering an Open Inference Protocol v2 request.
/// </summary>
public sealed class AdoptionEndToEndTests(PackedFeed feed)
{
    private static readonly TimeSpan StepLimit = TimeSpan.FromMinutes(10);
    private static readonly TimeSpan ServeLimit = TimeSpan.FromMinutes(2);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task NewRepositoryFromTheTemplate_DotnetCakeReleasesTheExample_AndTheToolServesIt()
    {
        var started = Stopwatch.StartNew();
        var work = feed.Root.Combine("adoption");
        var repo = Path.Combine(work, "churn-models");
        var hive = Path.Combine(work, "template-hive");
        Directory.CreateDirectory(work);
        // NuGet reads nuget.config files in the parent folders too: the feed is configured beside the
        // repository, not in it, and the machine's own sources (Cake.Tool) still apply.
        await File.WriteAllTextAsync(Path.Combine(work, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <add key="mlops-e2e" value="{feed.Feed}" />
              </packageSources>
            </configuration>
            """, Ct);
        var environment = new Dictionary<string, string?>
        {
            ["NUGET_PACKAGES"] = Path.Combine(work, "nuget-packages"),
            ["MLOPS_STORE"] = null,
            ["MLOPS_DEBUG"] = null,
        };

        await RunAsync(work, environment, "dotnet", "new", "install", feed.Package("Mlops.Templates"), "--debug:custom-hive", hive);
        await RunAsync(work, environment, "dotnet", "new", "mlops-repo", "-o", repo, "--debug:custom-hive", hive);
        Git.InitAndCommit(repo, "New repository from dotnet new mlops-repo");
        await RunAsync(repo, environment, "dotnet", "tool", "restore");
        var cake = await RunAsync(repo, environment, "dotnet", "cake");
        var afterCake = started.Elapsed;

        Assert.Contains("pipeline through promote: validate ", cake, StringComparison.Ordinal);
        Assert.Contains("### Gate passed: churn ", cake, StringComparison.Ordinal);
        Assert.Contains("package churn: bundle sha256:", cake, StringComparison.Ordinal);
        Assert.Contains("promote churn v1 to staging: commit ", cake, StringComparison.Ordinal);
        Assert.Equal("churn@v1\n", Git.Run(repo, "tag", "-l"));
        var pinned = Git.Run(repo, "show", "promote/churn-v1-staging:environments/staging.yaml");
        Assert.Matches(@"- model: churn\s+version: 1\s+digest: sha256:[0-9a-f]{64}", pinned);
        Assert.Contains($"mlops.cli\": {{\n      \"version\": \"{feed.Version}\"", File.ReadAllText(Path.Combine(repo, ".config", "dotnet-tools.json")), StringComparison.Ordinal);
        AssertNoPathIntoThisCheckout(repo);

        Git.Run(repo, "merge", "-q", "--ff-only", "promote/churn-v1-staging");
        int port;
        using (var held = new HeldPort())
        {
            port = held.Port;
        }

        using var server = DotNetProcess.Start("mlops", ["serve", "--environment", "staging", "--urls", $"http://127.0.0.1:{port}", "--poll-seconds", "3600"], repo, environment);
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(30) };
        await WaitUntilReadyAsync(http, server);
        var answer = await InferAsync(http);

        Assert.Equal("churn", answer.GetProperty("model_name").GetString());
        Assert.Equal("1", answer.GetProperty("model_version").GetString());
        var probability = answer.GetProperty("outputs").EnumerateArray().Single(o => o.GetProperty("name").GetString() == "probability");
        Assert.InRange(probability.GetProperty("data")[0].GetDouble(), 0.0, 1.0);
        server.Signal("TERM");
        Assert.Equal(0, await server.WaitForExitAsync(TimeSpan.FromSeconds(30), Ct));
        TestContext.Current.SendDiagnosticMessage($"pack {feed.PackDuration.TotalSeconds:0} s; template to promotion {afterCake.TotalSeconds:0} s; with serving {started.Elapsed.TotalSeconds:0} s.");
    }

    /// <summary>Nothing the repository tracks names this checkout or its source: it stands on the packages alone.</summary>
    private static void AssertNoPathIntoThisCheckout(string repo)
    {
        foreach (var file in Git.Run(repo, "ls-files").Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var text = File.ReadAllText(Path.Combine(repo, file));
            Assert.DoesNotContain(RepositoryRoot.Path, text, StringComparison.Ordinal);
            Assert.DoesNotContain("src/Mlops.", text, StringComparison.Ordinal);
        }
    }

    private static async Task<string> RunAsync(string folder, IReadOnlyDictionary<string, string?> environment, string file, params string[] arguments)
    {
        var (exit, output) = await ToolProcess.RunAsync(file, arguments, Ct, workingDirectory: folder, environment: environment, limit: StepLimit);
        Assert.True(exit == 0, $"{file} {string.Join(' ', arguments)} exited {exit}:\n{output}");
        return output;
    }

    private static async Task WaitUntilReadyAsync(HttpClient http, DotNetProcess server)
    {
        await ServerReadiness.WaitAsync(http, ServeLimit, Ct,
            _ => server.Process.HasExited ? throw new InvalidOperationException($"dotnet mlops serve exited: {server.Out}{server.Error}") : Task.CompletedTask,
            () => Task.FromResult(server.Out + server.Error));
    }

    /// <summary>One v2 infer request built from the model's own metadata: one value per input, of the type it declares.</summary>
    private static async Task<JsonElement> InferAsync(HttpClient http)
    {
        var metadata = await http.GetFromJsonAsync<JsonElement>("/v2/models/churn", Ct);
        var inputs = new JsonArray();
        foreach (var input in metadata.GetProperty("inputs").EnumerateArray())
        {
            var datatype = input.GetProperty("datatype").GetString()!;
            JsonNode value = datatype switch
            {
                "BYTES" => "Month-to-month",
                "BOOL" => true,
                _ => 3,
            };
            inputs.Add(new JsonObject { ["name"] = input.GetProperty("name").GetString(), ["shape"] = new JsonArray(1), ["datatype"] = datatype, ["data"] = new JsonArray(value) });
        }

        using var response = await http.PostAsJsonAsync("/v2/models/churn/infer", new JsonObject { ["inputs"] = inputs }, Ct);
        var body = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"infer answered {(int)response.StatusCode}: {body}");
        return JsonDocument.Parse(body).RootElement;
    }
}
