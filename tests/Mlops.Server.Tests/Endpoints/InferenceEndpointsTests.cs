using System.Net;
using System.Net.Http.Json;
using System.Text;

namespace Mlops.Server.Tests.Endpoints;

public sealed class InferenceEndpointsTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Infer_OneRow_ReturnsTheProtocolsOutputsAndTheTrace()
    {
        var response = await server.Client.PostAsJsonAsync("/v2/models/churn/infer", ServerFixture.InferBody(), Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await ServerFixture.JsonAsync(response);
        Assert.Equal("churn", body.GetProperty("model_name").GetString());
        Assert.Equal("1", body.GetProperty("model_version").GetString());
        Assert.Equal(server.One, body.GetProperty("parameters").GetProperty("bundle_digest").GetString());
        Assert.StartsWith("content-", body.GetProperty("parameters").GetProperty("environment_commit").GetString(), StringComparison.Ordinal);
        var outputs = body.GetProperty("outputs").EnumerateArray().ToList();
        Assert.Equal(["predicted", "probability", "score"], outputs.Select(o => o.GetProperty("name").GetString()));
        Assert.Equal("BOOL", outputs[0].GetProperty("datatype").GetString());
        Assert.Equal(1, outputs[1].GetProperty("shape")[0].GetInt32());
        Assert.InRange(outputs[1].GetProperty("data")[0].GetSingle(), 0f, 1f);
    }

    [Fact]
    public async Task Infer_ExplicitVersion_AnswersFromThatVersion()
    {
        var response = await server.Client.PostAsJsonAsync("/v2/models/churn/versions/1/infer", ServerFixture.InferBody(), Ct);

        Assert.Equal("1", (await ServerFixture.JsonAsync(response)).GetProperty("model_version").GetString());
    }

    [Theory]
    [InlineData(12f, "Weekly", "BYTES", "contract: MLOPS0406: \"Weekly\" is not a declared category")]
    [InlineData(12f, "One year", "FP32", "contract: MLOPS0404: datatype FP32 does not fit a category feature; send BYTES.")]
    public async Task Infer_RowNotFittingTheFeatureSet_Gets400NamingTheField(float tenure, string contract, string datatype, string expected)
    {
        var response = await server.Client.PostAsJsonAsync("/v2/models/churn/infer", ServerFixture.InferBody(tenure, contract, datatype), Ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(expected, (await ServerFixture.JsonAsync(response)).GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Infer_MissingFeature_Gets400NamingIt()
    {
        var body = new { inputs = new object[] { new { name = "contract", shape = new[] { 1 }, datatype = "BYTES", data = new[] { "One year" } } } };

        var response = await server.Client.PostAsJsonAsync("/v2/models/churn/infer", body, Ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("tenure: MLOPS0407: is missing", (await ServerFixture.JsonAsync(response)).GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Infer_SeveralRows_AnswersEachAsItsOwnSingleRowRequestWould()
    {
        float[] tenures = [1, 12, 40, 70];
        string[] contracts = ["Month-to-month", "One year", "Two year", "Month-to-month"];
        var body = new
        {
            inputs = new object[]
            {
                new { name = "tenure", shape = new[] { 4 }, datatype = "FP32", data = tenures },
                new { name = "contract", shape = new[] { 4, 1 }, datatype = "BYTES", data = contracts },
                new { name = "total_charges", shape = new[] { 4 }, datatype = "FP32", data = new float?[] { null, 800, 3000, 5000 } },
            },
        };

        var response = await server.Client.PostAsJsonAsync("/v2/models/churn/infer", body, Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var outputs = (await ServerFixture.JsonAsync(response)).GetProperty("outputs");
        var probabilities = outputs[1].GetProperty("data").EnumerateArray().Select(p => p.GetSingle()).ToList();
        Assert.Equal(4, probabilities.Count);
        for (var i = 0; i < 4; i++)
        {
            var single = new
            {
                inputs = new object[]
                {
                    new { name = "tenure", shape = new[] { 1 }, datatype = "FP32", data = new[] { tenures[i] } },
                    new { name = "contract", shape = new[] { 1 }, datatype = "BYTES", data = new[] { contracts[i] } },
                    new { name = "total_charges", shape = new[] { 1 }, datatype = "FP32", data = new float?[] { i == 0 ? null : new[] { 0f, 800, 3000, 5000 }[i] } },
                },
            };
            var alone = await ServerFixture.JsonAsync(await server.Client.PostAsJsonAsync("/v2/models/churn/infer", single, Ct));
            Assert.Equal(alone.GetProperty("outputs")[1].GetProperty("data")[0].GetSingle(), probabilities[i]);
        }
    }

    [Theory]
    [InlineData("""[12, "3"]""", "FP32", "row 1: tenure: MLOPS0404: expected a number, got \"3\".")]
    [InlineData("""[12, null]""", "FP32", "row 1: tenure: MLOPS0407: is missing, but the feature is not nullable. Send a value.")]
    [InlineData("""[true, false]""", "FP32", "row 0: tenure: MLOPS0404: expected a number, got true.")]
    [InlineData("""[12, 3.4e39]""", "FP32", "row 1: tenure: MLOPS0404: got 3.4E+39, beyond the range of a float (about ±3.4E+38). Send a smaller number.")]
    public async Task Infer_SeveralRowsOneWrong_Gets400NamingTheRowAndField(string tenure, string datatype, string expected)
    {
        var json = $$"""
            {"inputs": [
              {"name": "tenure", "shape": [2], "datatype": "{{datatype}}", "data": {{tenure}}},
              {"name": "contract", "shape": [2], "datatype": "BYTES", "data": ["One year", "Two year"]}
            ]}
            """;

        var response = await server.Client.PostAsync("/v2/models/churn/infer", new StringContent(json, Encoding.UTF8, "application/json"), Ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(expected, (await ServerFixture.JsonAsync(response)).GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"inputs": [}""", "the body is not valid JSON")]
    [InlineData("""{"inputs": []} trailing""", "the body is not valid JSON")]
    [InlineData("""[{"inputs": []}]""", "the body must be an object with a non-empty 'inputs' array")]
    [InlineData("""{"inputs": []}""", "the body must be an object with a non-empty 'inputs' array")]
    [InlineData("""{"inputs": [{"name": "tenure", "shape": [1], "datatype": "FP32", "data": [{"a": 1}]}, {"name": "contract", "shape": [1], "datatype": "BYTES", "data": ["One year"]}]}""", "tenure: MLOPS0404: expected a number, got a JSON object.")]
    [InlineData("""{"inputs": [{"name": "tenure", "shape": [1], "datatype": "FP32"}]}""", "inputs[0]: needs 'name', 'shape', 'datatype' and 'data'.")]
    public async Task Infer_BodyNotAnInferRequest_Gets400SayingWhy(string json, string expected)
    {
        var response = await server.Client.PostAsync("/v2/models/churn/infer", new StringContent(json, Encoding.UTF8, "application/json"), Ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(expected, (await ServerFixture.JsonAsync(response)).GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Infer_TensorSentTwice_Gets400NamingIt()
    {
        var contract = new { name = "contract", shape = new[] { 1 }, datatype = "BYTES", data = new[] { "One year" } };
        var body = new { inputs = new object[] { new { name = "tenure", shape = new[] { 1 }, datatype = "FP32", data = new[] { 3f } }, contract, contract } };

        var response = await server.Client.PostAsJsonAsync("/v2/models/churn/infer", body, Ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("contract: sent twice", (await ServerFixture.JsonAsync(response)).GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Infer_UnknownModel_Gets404WithTheProtocolsErrorBody()
    {
        var response = await server.Client.PostAsJsonAsync("/v2/models/nope/infer", ServerFixture.InferBody(), Ct);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("model 'nope' is not served in environment 'staging'; served: churn.", (await ServerFixture.JsonAsync(response)).GetProperty("error").GetString());
    }

    [Fact]
    public async Task Infer_BodyOverTheLimit_Gets413()
    {
        using var content = new StringContent("{\"inputs\": [" + new string(' ', 5000) + "]}", Encoding.UTF8, "application/json");

        var response = await server.Client.PostAsync("/v2/models/churn/infer", content, Ct);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Contains("limit", (await ServerFixture.JsonAsync(response)).GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Metadata_ServedModel_ListsInputsOutputsAndTheBundle()
    {
        var body = await ServerFixture.JsonAsync(await server.Client.GetAsync("/v2/models/churn", Ct));

        Assert.Equal(["tenure", "contract", "total_charges"], body.GetProperty("inputs").EnumerateArray().Select(i => i.GetProperty("name").GetString()));
        Assert.Equal(["FP32", "BYTES", "FP32"], body.GetProperty("inputs").EnumerateArray().Select(i => i.GetProperty("datatype").GetString()));
        Assert.Equal(server.One, body.GetProperty("parameters").GetProperty("bundle_digest").GetString());
        Assert.Equal("mlnet", body.GetProperty("platform").GetString());
        Assert.StartsWith("linear terms", body.GetProperty("parameters").GetProperty("scoring_path").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Health_ServerAndModel_AreLiveAndReady()
    {
        Assert.Equal(HttpStatusCode.OK, (await server.Client.GetAsync("/v2/health/live", Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await server.Client.GetAsync("/v2/health/ready", Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await server.Client.GetAsync("/v2/models/churn/ready", Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await server.Client.GetAsync("/v2/models/nope/ready", Ct)).StatusCode);
        Assert.Equal("mlops", (await ServerFixture.JsonAsync(await server.Client.GetAsync("/v2", Ct))).GetProperty("name").GetString());
    }
}
