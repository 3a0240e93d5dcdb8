using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Mlops.Pipeline.Deployment;
using Mlops.Runtime.Tests.Serving;
using Mlops.Runtime.Tests.Store;
using Mlops.Testing;
using YamlDotNet.RepresentationModel;

namespace Mlops.Server.Tests.Standalone;

/// <summary>
/// A replica as `mlops render k8s` configures it: the server started with nothing but the rendered ConfigMap's
/// variables and the Secret's keys mapped through the Deployment's secretKeyRefs follows a git remote that wants
/// a token and fetches its bundle from an S3 store (moto_server on loopback).
/// </summary>
public sealed class RenderedConfigurationTests(MotoServerFixture moto) : IClassFixture<MotoServerFixture>
{
    private const string GitToken = "replica-git-token-4e1d";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static YamlMappingNode Root(KubernetesManifest manifest)
    {
        var yaml = new YamlStream();
        yaml.Load(new StringReader(manifest.Text));
        return (YamlMappingNode)yaml.Documents[0].RootNode;
    }

    private static YamlNode At(YamlNode node, params string[] path) =>
        path.Aggregate(node, (current, key) => ((YamlMappingNode)current).Children[new YamlScalarNode(key)]);

    private static string Text(YamlNode node) => ((YamlScalarNode)node).Value!;

    [Fact]
    public async Task RenderedReplica_FollowsTheRemoteAndTheStoreWithTheSecretsCredentials()
    {
        using var repository = TestModels.Repository();
        var prefix = "k8s-" + Guid.NewGuid().ToString("N");
        var digest = TestModels.Put(moto.CreateStore(prefix), 1);
        TestModels.WriteEnvironment(repository, TestModels.Pin(digest, 1));
        Git.InitAndCommit(repository.Path);
        using var remotes = new TempDirectory("mlops-k8s-remotes");
        Git.Run(remotes.Path, "clone", "-q", "--bare", repository.Path, "models.git");
        using var git = new GitHttpServer(remotes.Path, "x-access-token", GitToken);
        using var cache = new TempDirectory("mlops-k8s-cache");

        var manifests = KubernetesManifests.Render(new KubernetesSettings("staging", "mlops-server:test", git.UrlOf("models.git"), "main",
            $"s3://{MotoServerFixture.Bucket}/{prefix}?endpoint={moto.Endpoint.ToString().TrimEnd('/')}&region=us-east-1"));
        var environment = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var (key, value) in (YamlMappingNode)At(Root(manifests.Single(m => m.Kind == "ConfigMap")), "data"))
        {
            environment[Text(key)] = Text(value);
        }

        // What the Secret holds, reaching the container only through the Deployment's references.
        var secret = new Dictionary<string, string> { ["git-token"] = GitToken, ["aws-access-key-id"] = "test", ["aws-secret-access-key"] = "test" };
        var container = ((YamlSequenceNode)At(Root(manifests.Single(m => m.Kind == "Deployment")), "spec", "template", "spec", "containers")).Children[0];
        foreach (var entry in ((YamlSequenceNode)At(container, "env")).Children)
        {
            var key = Text(At(entry, "valueFrom", "secretKeyRef", "key"));
            if (secret.TryGetValue(key, out var value))
            {
                environment[Text(At(entry, "name"))] = value;
            }
        }

        // The emptyDir at /var/cache/mlops is a temp folder here, and the address loopback on a free port instead of 8080.
        Assert.Equal(KubernetesManifests.CacheFolder, environment["Mlops__CacheFolder"]);
        environment["Mlops__CacheFolder"] = cache.Path;
        environment["ASPNETCORE_URLS"] = "http://127.0.0.1:0";
        // Neither this machine's git configuration nor its tokens may stand in for the Secret's.
        foreach (var (name, value) in GitHttpServer.ClientEnvironment(GitToken))
        {
            environment[name] = value;
        }

        environment["AWS_SESSION_TOKEN"] = null;
        environment["AWS_PROFILE"] = null;
        await using var server = await StandaloneServer.StartAsync(null, [], environment, Ct);
        using var client = new HttpClient { BaseAddress = server.Address };

        Assert.True(await ServedTestRepository.WaitReadyAsync(client, Ct) == HttpStatusCode.OK, server.Output + await client.GetStringAsync("/status", Ct));
        using var response = await client.PostAsJsonAsync("/v2/models/churn/infer", ServerFixture.InferBody(), Ct);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
        Assert.True(response.StatusCode == HttpStatusCode.OK, body.ToString());
        Assert.Equal(digest, body.GetProperty("parameters").GetProperty("bundle_digest").GetString());
        Assert.Contains(git.Log, line => line.Contains("200", StringComparison.Ordinal));
    }
}
