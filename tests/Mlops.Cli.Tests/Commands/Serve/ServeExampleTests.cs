using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Mlops.Testing;

namespace Mlops.Cli.Tests.Commands.Serve;

/// <summary>
/// The README's "Serving the example" flow on the real example: the pipeline's stages (as
/// <c>dotnet cake</c> runs them), the promotion branch checked out, <c>mlops serve</c> started as a
/// separate process on loopback, the README's own request body posted; then a second version
/// promoted and merged, and a reload changes the version that answers.
/// </summary>
public sealed class ServeExampleTests
{
    private const string AdminToken = "test-admin-token";
    private static readonly TimeSpan ProcessLimit = TimeSpan.FromMinutes(2);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ReadmeFlow_ServesThePromotedVersion_AndAReloadAfterTheNextPromotionServesTheNewOne()
    {
        using var repo = new ExampleRepository();
        Git.InitAndCommit(repo.Path);
        await ReleaseToStagingAsync(repo.Path);
        Git.Run(repo.Path, "merge", "-q", "--ff-only", "promote/churn-v1-staging");
        var port = FreePort();
        using var server = StartServe(repo.Path, port);
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(30) };
        await WaitUntilReadyAsync(http, server);
        var row = ReadmeRow();

        var first = await InferAsync(http, row);
        var firstPredict = await http.PostAsync("/models/churn/predict", new StringContent(row.ToJsonString(), Encoding.UTF8, "application/json"), Ct);
        repo.Replace("models/churn.yaml", "  seed: 42\n", "  seed: 42\n  params: { l2Regularization: 0.5 }\n");
        Git.CommitAll(repo.Path, "Stronger L2 regularisation for churn");
        await ReleaseToStagingAsync(repo.Path);
        var beforeMerge = await ReloadAsync(http);
        var stillFirst = await InferAsync(http, row);
        Git.Run(repo.Path, "merge", "-q", "--ff-only", "promote/churn-v2-staging");
        var afterMerge = await ReloadAsync(http);
        var second = await InferAsync(http, row);

        Assert.Equal("1", first.GetProperty("model_version").GetString());
        Assert.Equal(HttpStatusCode.OK, firstPredict.StatusCode);
        var predict = JsonDocument.Parse(await firstPredict.Content.ReadAsStringAsync(Ct)).RootElement;
        Assert.Equal(1, predict.GetProperty("version").GetInt32());
        Assert.InRange(predict.GetProperty("probability").GetSingle(), 0f, 1f);
        Assert.Equal("1", stillFirst.GetProperty("model_version").GetString());
        Assert.Equal("Synced", beforeMerge.GetProperty("sync").GetString());
        Assert.Equal("2", second.GetProperty("model_version").GetString());
        Assert.Equal(("Synced", "Healthy"), (afterMerge.GetProperty("sync").GetString(), afterMerge.GetProperty("health").GetString()));
        var head = Git.Run(repo.Path, "rev-parse", "HEAD").Trim();
        Assert.Equal(head, second.GetProperty("parameters").GetProperty("environment_commit").GetString());
        Assert.NotEqual(first.GetProperty("parameters").GetProperty("bundle_digest").GetString(), second.GetProperty("parameters").GetProperty("bundle_digest").GetString());
    }

    /// <summary>The stages <c>dotnet cake</c> runs (build.cake: one <c>mlops pipeline</c>), through the real CLI.</summary>
    private static async Task ReleaseToStagingAsync(string repo)
    {
        var result = await CliRunner.RunAsync("pipeline", "--environment", "staging", "--repo", repo);
        Assert.True(result.ExitCode == ExitCodes.Success, $"mlops pipeline exited {result.ExitCode}: {result.Error}{result.Out}");
    }

    /// <summary>The body of the README's <c>/models/churn/predict</c> curl, so the README's example is what is tested.</summary>
    private static JsonObject ReadmeRow()
    {
        var readme = File.ReadAllText(RepositoryRoot.Combine("README.md"));
        var section = readme[readme.IndexOf("## Serving the example", StringComparison.Ordinal)..];
        var call = section[section.IndexOf("/models/churn/predict", StringComparison.Ordinal)..];
        var start = call.IndexOf("-d '", StringComparison.Ordinal) + "-d '".Length;
        var end = call.IndexOf('\'', start);
        return JsonNode.Parse(call[start..end])!.AsObject();
    }

    /// <summary>The same row as an Open Inference Protocol v2 request: one tensor per feature.</summary>
    private static async Task<JsonElement> InferAsync(HttpClient http, JsonObject row)
    {
        var inputs = new JsonArray();
        foreach (var (name, value) in row)
        {
            var datatype = value!.GetValueKind() switch
            {
                JsonValueKind.True or JsonValueKind.False => "BOOL",
                JsonValueKind.Number => "FP32",
                _ => "BYTES",
            };
            inputs.Add(new JsonObject { ["name"] = name, ["shape"] = new JsonArray(1), ["datatype"] = datatype, ["data"] = new JsonArray(value.DeepClone()) });
        }

        using var response = await http.PostAsJsonAsync("/v2/models/churn/infer", new JsonObject { ["inputs"] = inputs }, Ct);
        var body = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"infer answered {(int)response.StatusCode}: {body}");
        return JsonDocument.Parse(body).RootElement;
    }

    private static async Task<JsonElement> ReloadAsync(HttpClient http)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/admin/reload");
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", AdminToken);
        using var response = await http.SendAsync(request, Ct);
        var body = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"reload answered {(int)response.StatusCode}: {body}");
        return JsonDocument.Parse(body).RootElement;
    }

    private static async Task WaitUntilReadyAsync(HttpClient http, ServeProcess server)
    {
        await ServerReadiness.WaitAsync(http, ProcessLimit, Ct,
            _ => server.Process.HasExited ? throw new InvalidOperationException($"mlops serve exited {server.Process.ExitCode}: {server.Output}") : Task.CompletedTask,
            () => Task.FromResult(server.Output));
    }

    /// <summary>Starts <c>mlops serve</c> as its own process, as the README does, with the admin token in its environment.</summary>
    private static ServeProcess StartServe(string repo, int port)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = repo,
        };
        foreach (var argument in new[] { typeof(MlopsApp).Assembly.Location, "serve", "--environment", "staging", "--urls", $"http://127.0.0.1:{port}", "--poll-seconds", "3600" })
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["MLOPS_ADMIN_TOKEN"] = AdminToken;
        start.Environment.Remove("MLOPS_STORE");
        return new ServeProcess(Process.Start(start) ?? throw new InvalidOperationException("dotnet could not be started."));
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>The server process; its output is collected for failure messages, and it is killed on dispose.</summary>
    private sealed class ServeProcess : IDisposable
    {
        private readonly StringBuilder _output = new();

        public ServeProcess(Process process)
        {
            Process = process;
            process.OutputDataReceived += (_, e) => Append(e.Data);
            process.ErrorDataReceived += (_, e) => Append(e.Data);
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
        }

        public Process Process { get; }

        public string Output
        {
            get
            {
                lock (_output)
                {
                    return _output.ToString();
                }
            }
        }

        public void Dispose()
        {
            if (!Process.HasExited)
            {
                Process.Kill(entireProcessTree: true);
                Process.WaitForExit(10_000);
            }

            Process.Dispose();
        }

        private void Append(string? line)
        {
            lock (_output)
            {
                _output.AppendLine(line);
            }
        }
    }
}
