using System.Net;

namespace Mlops.Server.Tests.Ui;

/// <summary>The standalone server has no run store or registry: its runs, registry and history pages say where to see them.</summary>
public sealed class RepositoryPagesTests(UiFixture ui) : IClassFixture<UiFixture>
{
    [Theory]
    [InlineData("/ui/runs")]
    [InlineData("/ui/runs/compare?run=a&run=b")]
    [InlineData("/ui/runs/20261123T085238Z-3f9a1c07")]
    [InlineData("/ui/registry")]
    [InlineData("/ui/history")]
    [InlineData("/ui/history/staging")]
    public async Task StandaloneServer_RepositoryPage_AnswersNotFoundNamingMlopsServeAndMlopsUi(string path)
    {
        var answer = await ui.Client.GetAsync(path, TestContext.Current.CancellationToken);
        var page = await answer.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.NotFound, answer.StatusCode);
        Assert.Contains("data-unavailable", page, StringComparison.Ordinal);
        Assert.Contains("mlops serve --environment ENV --repo DIR", page, StringComparison.Ordinal);
        Assert.Contains("mlops ui --repo DIR", page, StringComparison.Ordinal);
        Assert.Equal("default-src 'none'; style-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
            string.Join(' ', answer.Headers.GetValues("Content-Security-Policy")));
    }
}
