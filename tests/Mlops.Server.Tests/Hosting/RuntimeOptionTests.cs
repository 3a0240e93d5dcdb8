using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Mlops.Runtime.Bundles;
using Mlops.Server.Hosting;

namespace Mlops.Server.Tests.Hosting;

/// <summary>Mlops:Runtime: ML.NET unless asked, and a runtime it does not know stops the start naming the key.</summary>
public sealed class RuntimeOptionTests
{
    [Fact]
    public void Default_RuntimeIsMlNet()
    {
        using var server = new ServerFixture();

        Assert.Equal(ModelFormat.MlNet, server.Factory.Services.GetRequiredService<IOptions<ServeOptions>>().Value.RuntimeFormat);
    }

    [Fact]
    public void UnknownRuntime_TheServerDoesNotStartAndNamesTheKey()
    {
        using var factory = new WebApplicationFactory<Program>().WithWebHostBuilder(b => b
            .UseSetting("Mlops:Repo", Path.GetTempPath())
            .UseSetting("Mlops:Runtime", "tensorrt"));

        var error = Assert.Throws<OptionsValidationException>(() => factory.CreateClient());

        Assert.Contains("Mlops:Runtime is 'tensorrt'; use 'mlnet' (the default: the bundle's ML.NET model) or 'onnx'", error.Message, StringComparison.Ordinal);
    }
}
