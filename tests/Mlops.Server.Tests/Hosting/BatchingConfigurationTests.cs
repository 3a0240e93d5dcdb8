using System.Net;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Mlops.Runtime.Reconcile;
using Mlops.Server.Hosting;

namespace Mlops.Server.Tests.Hosting;

/// <summary>Mlops:Batching reaches the model host, single-row requests go through the batcher, and bad values stop the start.</summary>
public sealed class BatchingConfigurationTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task BatchingOn_ConcurrentSingleRowRequests_EachGetsItsOwnAnswer()
    {
        using var server = new ServerFixture(b => b.UseSetting("Mlops:Batching:Enabled", "true")
            .UseSetting("Mlops:Batching:MaxBatchSize", "8")
            .UseSetting("Mlops:Batching:MaxDelay", "00:00:00.002"));
        var host = server.Factory.Services.GetRequiredService<ModelHost>();
        var primary = host.Snapshot.Models["churn"].Primary!;
        var tenures = Enumerable.Range(0, 24).Select(i => (float)i * 3).ToList();

        var responses = await Task.WhenAll(tenures.Select(t =>
            server.Client.PostAsJsonAsync("/models/churn/predict", new { tenure = t, contract = "Month-to-month", total_charges = 100.0 }, Ct)));

        Assert.NotNull(primary.Batcher);
        for (var i = 0; i < tenures.Count; i++)
        {
            Assert.Equal(HttpStatusCode.OK, responses[i].StatusCode);
            var body = await ServerFixture.JsonAsync(responses[i]);
            var problems = new List<string>();
            var row = primary.Schema.CheckRows([new Dictionary<string, object?> { ["tenure"] = tenures[i], ["contract"] = "Month-to-month", ["total_charges"] = 100f }], problems);
            var expected = primary.Scorer.Score(row)[0];
            Assert.Empty(problems);
            Assert.Equal(expected.Probability!.Value, body.GetProperty("probability").GetSingle(), 5);
        }
    }

    [Fact]
    public async Task BatchingOn_V2InferOneRow_AnswersThroughTheBatcher()
    {
        using var server = new ServerFixture(b => b.UseSetting("Mlops:Batching:Enabled", "true"));

        var response = await server.Client.PostAsJsonAsync("/v2/models/churn/infer", ServerFixture.InferBody(), Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.NotNull(server.Factory.Services.GetRequiredService<ModelHost>().Snapshot.Models["churn"].Primary!.Batcher);
    }

    [Fact]
    public void Default_BatchingIsOff()
    {
        using var server = new ServerFixture();

        Assert.False(server.Factory.Services.GetRequiredService<IOptions<ServeOptions>>().Value.Batching.Enabled);
        Assert.Null(server.Factory.Services.GetRequiredService<ModelHost>().Snapshot.Models["churn"].Primary!.Batcher);
    }

    [Fact]
    public void BatchingOutOfRange_TheServerDoesNotStartAndSaysWhich()
    {
        using var factory = new WebApplicationFactory<Program>().WithWebHostBuilder(b => b
            .UseSetting("Mlops:Repo", Path.GetTempPath())
            .UseSetting("Mlops:Batching:MaxBatchSize", "0")
            .UseSetting("Mlops:Batching:MaxDelay", "00:00:05"));

        var error = Assert.Throws<OptionsValidationException>(() => factory.CreateClient());

        Assert.Contains("Mlops:Batching: The field MaxBatchSize must be between 1 and 10000.", error.Message, StringComparison.Ordinal);
        Assert.Contains("Mlops:Batching: The field MaxDelay must be between", error.Message, StringComparison.Ordinal);
    }
}

/// <summary>
/// A start that fails validation under a test host is reported as that failure every time, not as
/// ObjectDisposedException: the entry point used to dispose the app while the factory, on another
/// thread, still read its services.
/// </summary>
public sealed class FailedStartUnderATestHostTests
{
    [Fact]
    public void InvalidSetting_RepeatedStarts_AlwaysReportTheValidationFailure()
    {
        var seen = new List<string>();
        for (var i = 0; i < 25; i++)
        {
            using var factory = new WebApplicationFactory<Program>().WithWebHostBuilder(b => b
                .UseSetting("Mlops:Repo", Path.GetTempPath())
                .UseSetting("Mlops:Batching:MaxBatchSize", "0"));
            try
            {
                factory.CreateClient();
                seen.Add("started");
            }
            catch (Exception e)
            {
                seen.Add(e.GetType().Name);
            }
        }

        Assert.All(seen, kind => Assert.Equal(nameof(OptionsValidationException), kind));
    }
}
