using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Mlops.Server.Tests.Endpoints;

/// <summary>Feature values are customer data: they never reach the application log (the prediction log, a folder of its own, is tested in PredictionLogFileTests).</summary>
public sealed class PredictionLogTests
{
    // A value no other part of a request or answer contains, so finding it in a log line means a feature value was logged.
    private const float Tenure = 37.25f;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Default_NoLogLineHoldsAFeatureValue()
    {
        var logs = new CapturingLoggerProvider();
        using var server = new ServerFixture(b => Capture(b, logs));

        await PostBothAsync(server);

        Assert.DoesNotContain(logs.Lines, l => l.Message.Contains("37.25", StringComparison.Ordinal));
    }

    private static void Capture(IWebHostBuilder builder, CapturingLoggerProvider logs) =>
        builder.ConfigureLogging(l => l.AddProvider(logs).SetMinimumLevel(LogLevel.Information));

    /// <summary>One request to each endpoint; returns the named-feature endpoint's prediction id.</summary>
    private static async Task<string> PostBothAsync(ServerFixture server)
    {
        var predict = await server.Client.PostAsJsonAsync("/models/churn/predict", new { tenure = Tenure, contract = "One year", total_charges = 700 }, Ct);
        var infer = await server.Client.PostAsJsonAsync("/v2/models/churn/infer", ServerFixture.InferBody(Tenure, "Two year"), Ct);
        Assert.Equal((HttpStatusCode.OK, HttpStatusCode.OK), (predict.StatusCode, infer.StatusCode));
        return (await ServerFixture.JsonAsync(predict)).GetProperty("predictionId").GetString()!;
    }

    private sealed record LogLine(string Category, string Message);

    private sealed class CapturingLoggerProvider : ILoggerProvider
    {
        private readonly ConcurrentQueue<LogLine> _lines = new();

        public IReadOnlyList<LogLine> Lines => [.. _lines];

        public ILogger CreateLogger(string categoryName) => new Logger(categoryName, _lines);

        public void Dispose()
        {
        }

        private sealed class Logger(string category, ConcurrentQueue<LogLine> lines) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                lines.Enqueue(new LogLine(category, formatter(state, exception)));
        }
    }
}
