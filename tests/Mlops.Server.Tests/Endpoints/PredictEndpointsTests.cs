using System.Net;
using System.Net.Http.Json;

namespace Mlops.Server.Tests.Endpoints;

public sealed class PredictEndpointsTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Predict_OneObject_ReturnsPredictionVersionAndId()
    {
        var response = await server.Client.PostAsJsonAsync("/models/churn/predict", new { customer_id = "c-1", tenure = 2, contract = "Month-to-month", total_charges = 140.5 }, Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await ServerFixture.JsonAsync(response);
        Assert.Equal(1, body.GetProperty("version").GetInt32());
        Assert.Equal(server.One, body.GetProperty("bundleDigest").GetString());
        Assert.Equal(32, body.GetProperty("predictionId").GetString()!.Length);
        Assert.True(body.GetProperty("prediction").ValueKind is System.Text.Json.JsonValueKind.True or System.Text.Json.JsonValueKind.False);
        Assert.InRange(body.GetProperty("probability").GetSingle(), 0f, 1f);
    }

    [Fact]
    public async Task Predict_ArrayWithBadRows_Gets400NamingEveryField()
    {
        var body = new object[]
        {
            new { tenure = 2, contract = "One year" },
            new { contract = "One year" },
            new { tenure = "long", contract = "Two year" },
        };

        var response = await server.Client.PostAsJsonAsync("/models/churn/predict", body, Ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = (await ServerFixture.JsonAsync(response)).GetProperty("errors");
        Assert.Equal(["[1].tenure", "[2].tenure"], errors.EnumerateObject().Select(e => e.Name));
        Assert.Equal("MLOPS0404: expected a number, got \"long\".", errors.GetProperty("[2].tenure")[0].GetString());
    }

    [Fact]
    public async Task Predict_Array_AnswersEachRow()
    {
        var response = await server.Client.PostAsJsonAsync("/models/churn/predict", new object[] { new { tenure = 2, contract = "One year" }, new { tenure = 50, contract = "Two year" } }, Ct);

        Assert.Equal(2, (await ServerFixture.JsonAsync(response)).GetProperty("predictions").GetArrayLength());
    }

    [Fact]
    public async Task Predict_UnknownModel_Gets404Problem()
    {
        var response = await server.Client.PostAsJsonAsync("/models/nope/predict", new { tenure = 2 }, Ct);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }
}
