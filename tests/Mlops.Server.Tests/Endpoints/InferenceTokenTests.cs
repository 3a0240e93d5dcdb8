using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Mlops.Runtime.Tests.Serving;

namespace Mlops.Server.Tests.Endpoints;

/// <summary>With Mlops:InferenceToken set, scoring and feedback need the token; health, status and metrics do not.</summary>
public sealed class InferenceTokenTests : IDisposable
{
    private const string Token = "inference-token-7";
    private readonly ServerFixture _server = new(b => b.UseSetting("Mlops:InferenceToken", Token));

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => _server.Dispose();

    [Theory]
    [InlineData(null)]
    [InlineData("Bearer wrong")]
    [InlineData("Basic " + Token)]
    public async Task ScoringRoutes_WithoutTheRightToken_Are401WithWhatToSend(string? authorization)
    {
        foreach (var (path, body) in new (string, object)[] { ("/models/churn/predict", TestModels.Row()), ("/v2/models/churn/infer", ServerFixture.InferBody()), ("/feedback", new { id = "x", label = true }) })
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent.Create(body) };
            if (authorization is not null)
            {
                request.Headers.TryAddWithoutValidation("Authorization", authorization);
            }

            var answer = await _server.Client.SendAsync(request, Ct);

            Assert.Equal(HttpStatusCode.Unauthorized, answer.StatusCode);
            Assert.Equal("Bearer", Assert.Single(answer.Headers.WwwAuthenticate).Scheme);
            var error = JsonDocument.Parse(await answer.Content.ReadAsStringAsync(Ct)).RootElement.GetProperty("error").GetString();
            Assert.Contains("Authorization: Bearer TOKEN", error, StringComparison.Ordinal);
            Assert.DoesNotContain(Token, error, StringComparison.Ordinal);
        }

        var metadata = await _server.Client.GetAsync("/v2/models/churn", Ct);
        Assert.Equal(HttpStatusCode.Unauthorized, metadata.StatusCode);
    }

    [Fact]
    public async Task ScoringRoutes_WithTheToken_Answer()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/models/churn/predict") { Content = JsonContent.Create(TestModels.Row()) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Token);

        var answer = await _server.Client.SendAsync(request, Ct);

        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
    }

    [Theory]
    [InlineData("/v2/health/live")]
    [InlineData("/v2/health/ready")]
    [InlineData("/status")]
    [InlineData("/metrics")]
    public async Task ProbesStatusAndMetrics_NeedNoInferenceToken(string path) =>
        Assert.Equal(HttpStatusCode.OK, (await _server.Client.GetAsync(path, Ct)).StatusCode);
}
