using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Mlops.Server.Hosting;

namespace Mlops.Server.Tests.Hosting;

/// <summary>Mlops:PredictionLog:* is bound, off by default, and bad values stop the start naming the key.</summary>
public sealed class PredictionLogConfigurationTests
{
    [Fact]
    public void Default_TheLogIsOff()
    {
        using var server = new ServerFixture();

        Assert.Null(server.Factory.Services.GetRequiredService<IOptions<ServeOptions>>().Value.PredictionLog.Folder);
        Assert.False(server.Factory.Services.GetRequiredService<PredictionLog>().Enabled);
    }

    [Fact]
    public void Settings_AreBoundFromConfiguration()
    {
        using var server = new ServerFixture(b => b
            .UseSetting("Mlops:PredictionLog:Folder", Path.Combine(Path.GetTempPath(), "mlops-predlog-config-" + Guid.NewGuid().ToString("N")))
            .UseSetting("Mlops:PredictionLog:MaxAge", "2.00:00:00")
            .UseSetting("Mlops:PredictionLog:MaxTotalBytes", "1048576"));

        var options = server.Factory.Services.GetRequiredService<IOptions<ServeOptions>>().Value.PredictionLog;
        Assert.Equal((TimeSpan.FromDays(2), 1048576L), (options.MaxAge, options.MaxTotalBytes));
        Assert.True(server.Factory.Services.GetRequiredService<PredictionLog>().Enabled);
    }

    [Fact]
    public void OutOfRange_TheServerDoesNotStartAndSaysWhich()
    {
        using var factory = new WebApplicationFactory<Program>().WithWebHostBuilder(b => b
            .UseSetting("Mlops:Repo", Path.GetTempPath())
            .UseSetting("Mlops:PredictionLog:Folder", Path.GetTempPath())
            .UseSetting("Mlops:PredictionLog:MaxTotalBytes", "0")
            .UseSetting("Mlops:PredictionLog:QueueCapacity", "-1"));

        var error = Assert.Throws<OptionsValidationException>(() => factory.CreateClient());

        Assert.Contains("Mlops:PredictionLog:MaxTotalBytes is 0; it must be above 0.", error.Message, StringComparison.Ordinal);
        Assert.Contains("Mlops:PredictionLog:QueueCapacity is -1", error.Message, StringComparison.Ordinal);
    }
}
