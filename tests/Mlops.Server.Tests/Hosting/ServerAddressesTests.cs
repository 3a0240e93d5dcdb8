using Microsoft.Extensions.Configuration;
using Mlops.Server.Hosting;

namespace Mlops.Server.Tests.Hosting;

/// <summary>The server listens where ASP.NET Core's settings say, and on loopback port 8080 only when none says anything.</summary>
public sealed class ServerAddressesTests
{
    [Theory]
    [InlineData("urls", "http://0.0.0.0:9000")]
    [InlineData("http_ports", "8080")]
    [InlineData("https_ports", "8443")]
    [InlineData("Kestrel:Endpoints:Http:Url", "http://0.0.0.0:9000")]
    public void AnyOfAspNetCoresSettings_CountsAsConfigured(string key, string value) =>
        Assert.True(ServerAddresses.AreConfigured(Configuration((key, value))));

    [Fact]
    public void NothingSet_IsNotConfigured_SoTheLoopbackDefaultApplies()
    {
        Assert.False(ServerAddresses.AreConfigured(Configuration(("urls", " "), ("Mlops:Environment", "staging"))));
        Assert.Equal("http://127.0.0.1:8080", ServerAddresses.Default);
    }

    private static IConfiguration Configuration(params (string Key, string Value)[] values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>(v.Key, v.Value))).Build();
}
