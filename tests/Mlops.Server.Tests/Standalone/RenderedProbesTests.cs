using System.Net;
using Mlops.Pipeline.Deployment;
using Mlops.Runtime.Serving;
using YamlDotNet.RepresentationModel;

namespace Mlops.Server.Tests.Standalone;

/// <summary>The probes `mlops render k8s` writes point at routes the real server answers, on the port it listens on in a container.</summary>
public sealed class RenderedProbesTests : IAsyncDisposable
{
    private readonly ServedTestRepository _served = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public ValueTask DisposeAsync() => _served.DisposeAsync();

    private sealed record Probe(string Path, int Port);

    private static (Probe Readiness, Probe Liveness, int ContainerPort) RenderedProbes()
    {
        var manifest = KubernetesManifests.Render(new KubernetesSettings("staging", "mlops-server:test", "https://git.example.com/acme/models.git", "main", "s3://bundles"))
            .Single(m => m.Kind == "Deployment");
        var yaml = new YamlStream();
        yaml.Load(new StringReader(manifest.Text));
        var container = (YamlMappingNode)Node(yaml.Documents[0].RootNode, "spec", "template", "spec", "containers")[0];
        Probe Read(string name) => new(
            ((YamlScalarNode)Node(container, name, "httpGet", "path")).Value!,
            int.Parse(((YamlScalarNode)Node(container, name, "httpGet", "port")).Value!, System.Globalization.CultureInfo.InvariantCulture));
        var port = int.Parse(((YamlScalarNode)Node(Node(container, "ports")[0], "containerPort")).Value!, System.Globalization.CultureInfo.InvariantCulture);
        return (Read("readinessProbe"), Read("livenessProbe"), port);
    }

    private static YamlNode Node(YamlNode node, params string[] path) =>
        path.Aggregate(node, (current, key) => ((YamlMappingNode)current).Children[new YamlScalarNode(key)]);

    [Fact]
    public void Probes_UseThePortTheContainerListensOn()
    {
        var (readiness, liveness, containerPort) = RenderedProbes();

        Assert.Equal(ServerContainer.Port, containerPort);
        Assert.Equal(containerPort, readiness.Port);
        Assert.Equal(containerPort, liveness.Port);
    }

    [Fact]
    public async Task Probes_ServerWithItsModelLoaded_AnswersBoth200()
    {
        var (readiness, liveness, _) = RenderedProbes();
        using var client = await _served.ServeAsync(_served.PutVersionOne(), Ct);

        Assert.Equal(ServerContainer.ReadyPath, readiness.Path);
        Assert.True(await ServedTestRepository.WaitReadyAsync(client, Ct) == HttpStatusCode.OK, _served.Server!.Output + await client.GetStringAsync("/status", Ct));
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(readiness.Path, Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(liveness.Path, Ct)).StatusCode);
    }

    [Fact]
    public async Task Probes_PinnedBundleMissing_LiveButNotReady()
    {
        var (readiness, liveness, _) = RenderedProbes();
        using var client = await _served.ServeAsync("sha256:" + new string('a', 64), Ct);

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(liveness.Path, Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await client.GetAsync(readiness.Path, Ct)).StatusCode);
    }
}
