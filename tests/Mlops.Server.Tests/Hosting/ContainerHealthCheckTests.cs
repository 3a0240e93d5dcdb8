using Mlops.Runtime.Serving;
using Mlops.Server.Hosting;

namespace Mlops.Server.Tests.Hosting;

public sealed class ContainerHealthCheckTests
{
    [Theory]
    [InlineData(null, 8080)]
    [InlineData("9090", 9090)]
    [InlineData("8081;8082", 8081)]
    [InlineData("not-a-port", 8080)]
    public void Address_WithoutAUrl_IsLoopbackOnTheFirstHttpPort(string? httpPorts, int port)
    {
        Assert.Equal(new Uri($"http://127.0.0.1:{port}{ServerContainer.LivePath}"), ContainerHealthCheck.Address([ContainerHealthCheck.Argument], httpPorts));
    }

    [Fact]
    public async Task Run_NotAnAddress_ExitsOneSayingWhatToPass()
    {
        using var error = new StringWriter();

        var exit = await ContainerHealthCheck.RunAsync([ContainerHealthCheck.Argument, "not a url"], error);

        Assert.Equal(1, exit);
        Assert.StartsWith("Mlops.Server --health-check: 'not a url' is not an address", error.ToString(), StringComparison.Ordinal);
        Assert.Contains($"Pass a full URL such as http://127.0.0.1:8080{ServerContainer.LivePath}, or nothing.", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void IsRequested_OnlyAsTheFirstArgument()
    {
        Assert.True(ContainerHealthCheck.IsRequested(["--health-check"]));
        Assert.False(ContainerHealthCheck.IsRequested(["--urls", "http://127.0.0.1:0", "--health-check"]));
        Assert.False(ContainerHealthCheck.IsRequested([]));
    }
}
