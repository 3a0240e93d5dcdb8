using System.Globalization;
using System.Text.RegularExpressions;
using Mlops.Pipeline.Deployment;
using Mlops.Runtime.Serving;
using Mlops.Server.Hosting;
using Mlops.Testing;

namespace Mlops.Server.Tests.Standalone;

/// <summary>
/// What can be checked of the Dockerfile without a Docker engine (this machine has none): its user, port,
/// health check, folders and publish profile agree with the server and with `mlops render k8s`.
/// </summary>
public sealed partial class DockerfileTests
{
    private static readonly string[] s_lines = File.ReadAllLines(RepositoryRoot.Combine("Dockerfile"));

    // The instructions of the final stage (after its FROM), with continuation lines joined.
    private static List<string> FinalStage()
    {
        var joined = new List<string>();
        var current = "";
        foreach (var line in s_lines.Where(l => !l.TrimStart().StartsWith('#')))
        {
            current += line.TrimEnd('\\').Trim() + " ";
            if (!line.EndsWith('\\'))
            {
                if (current.Trim().Length > 0)
                {
                    joined.Add(current.Trim());
                }

                current = "";
            }
        }

        return joined[joined.FindLastIndex(l => l.StartsWith("FROM ", StringComparison.Ordinal))..];
    }

    private static string Instruction(string name) =>
        FinalStage().SingleOrDefault(l => l.StartsWith(name + " ", StringComparison.Ordinal))?[(name.Length + 1)..]
        ?? throw new InvalidOperationException($"the Dockerfile's final stage has no {name}");

    [Fact]
    public void FinalStage_RunsOnRuntimeDepsAsTheNonRootAppUser()
    {
        Assert.StartsWith("mcr.microsoft.com/dotnet/runtime-deps:", Instruction("FROM"), StringComparison.Ordinal);
        Assert.Equal("$APP_UID", Instruction("USER"));
        Assert.Equal(1654, KubernetesManifests.AppUid);
    }

    [Fact]
    public void PortAndCacheFolder_AgreeWithTheServerAndTheManifests()
    {
        Assert.Equal(ServerContainer.Port.ToString(CultureInfo.InvariantCulture), Instruction("EXPOSE"));
        var env = Instruction("ENV");
        Assert.Contains($"ASPNETCORE_HTTP_PORTS={ServerContainer.Port}", env, StringComparison.Ordinal);
        Assert.Contains($"Mlops__CacheFolder={KubernetesManifests.CacheFolder}", env, StringComparison.Ordinal);
        Assert.Equal(new Uri($"http://127.0.0.1:{ServerContainer.Port}{ServerContainer.LivePath}"), ContainerHealthCheck.Address([ContainerHealthCheck.Argument], "8080"));
    }

    [Fact]
    public void HealthCheck_RunsTheEntryPointsExecutableWithTheCheckArgument()
    {
        var entry = JsonArray().Match(Instruction("ENTRYPOINT")).Groups[1].Value;
        var check = JsonArray().Match(Instruction("HEALTHCHECK")).Groups[1].Value;

        Assert.Equal("\"/app/Mlops.Server\"", entry);
        Assert.Equal($"{entry}, \"{ContainerHealthCheck.Argument}\"", check);
    }

    [Fact]
    public void BuildStage_PublishesWithTheProfileTheTestsPublishWith()
    {
        Assert.Contains(s_lines, l => l.Contains($"dotnet publish src/Mlops.Server -p:PublishProfile={PublishedServerFixture.Profile} -o /app", StringComparison.Ordinal));
        Assert.True(File.Exists(RepositoryRoot.Combine("src", "Mlops.Server", "Properties", "PublishProfiles", PublishedServerFixture.Profile + ".pubxml")));
    }

    [GeneratedRegex(@"\[(.*)\]")]
    private static partial Regex JsonArray();
}
