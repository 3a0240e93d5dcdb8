using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Mlops.Server.Tests.Endpoints;

/// <summary>Request shapes a client can get wrong: the protocol's outputs field, media types, text that is not Unicode, numbers beyond a float.</summary>
public sealed class RequestHardeningTests : IDisposable
{
    private readonly CapturingLoggers _logs = new();
    private readonly ServerFixture _server;

    public RequestHardeningTests()
    {
        _server = new ServerFixture(b => b.ConfigureServices(s => s.AddSingleton<ILoggerProvider>(_logs)));
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose()
    {
        _server.Dispose();
        _logs.Dispose();
    }

    [Fact]
    public async Task Infer_OutputsAsked_AnswersOnlyThoseInTheAskedOrder()
    {
        var body = Infer("\"One year\"", """, "outputs": [{"name": "score"}, {"name": "predicted", "parameters": {"binary_data": false}}]""");

        var (status, json) = await PostAsync("/v2/models/churn/infer", body);

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(["score", "predicted"], json.GetProperty("outputs").EnumerateArray().Select(o => o.GetProperty("name").GetString()));
    }

    [Theory]
    [InlineData("""[{"name": "probabilty"}]""", "outputs[0]: 'probabilty' is not an output of model 'churn'; it has 'predicted', 'probability', 'score'.")]
    [InlineData("""[{"name": "score"}, {"name": "score"}]""", "outputs[1]: 'score' is asked for twice; name each output once.")]
    [InlineData("""[{"parameters": {}}]""", "outputs[0]: needs a 'name'; model 'churn' has 'predicted', 'probability', 'score'.")]
    public async Task Infer_OutputsThatDoNotExist_Gets400NamingThem(string outputs, string expected)
    {
        var (status, json) = await PostAsync("/v2/models/churn/infer", Infer("\"One year\"", $", \"outputs\": {outputs}"));

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal(expected, json.GetProperty("error").GetString());
    }

    [Theory]
    [InlineData("/v2/models/churn/infer", "text/plain")]
    [InlineData("/v2/models/churn/infer", null)]
    [InlineData("/models/churn/predict", "text/plain")]
    [InlineData("/models/churn/predict", "application/x-www-form-urlencoded")]
    public async Task Request_NotSentAsJson_Gets415(string route, string? mediaType)
    {
        using var content = new ByteArrayContent(Encoding.UTF8.GetBytes(Infer("\"One year\"")));
        if (mediaType is not null)
        {
            content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue(mediaType);
        }

        using var response = await _server.Client.PostAsync(route, content, Ct);

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        Assert.Contains("Content-Type: application/json", await response.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Request_JsonWithACharset_IsServed()
    {
        using var content = new StringContent(Infer("\"One year\""), Encoding.UTF8, "application/json");
        content.Headers.ContentType!.CharSet = "utf-8";

        using var response = await _server.Client.PostAsync("/v2/models/churn/infer", content, Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    public static TheoryData<string, byte[]> NotUnicode => new()
    {
        { "invalid UTF-8", [0x22, 0xC3, 0x28, 0x22] },
        { "lone surrogate", Encoding.ASCII.GetBytes("\"\\ud800\"") },
    };

    [Theory]
    [MemberData(nameof(NotUnicode))]
    public async Task Infer_StringThatIsNotUnicode_Gets400NamingTheFieldAndLogsNothing(string kind, byte[] text)
    {
        var body = Concat(Encoding.UTF8.GetBytes(Infer("__").Split("__")[0]), text, Encoding.UTF8.GetBytes(Infer("__").Split("__")[1]));

        var (status, json) = await PostAsync("/v2/models/churn/infer", body);

        Assert.True(status == HttpStatusCode.BadRequest, kind);
        Assert.Equal("inputs[1].data[0]: MLOPS0404: holds a string that is not valid Unicode (invalid UTF-8, or a lone surrogate such as \\ud800). Send UTF-8 text.", json.GetProperty("error").GetString());
        Assert.Empty(_logs.AtLeast(LogLevel.Warning));
    }

    [Theory]
    [MemberData(nameof(NotUnicode))]
    public async Task Predict_StringThatIsNotUnicode_Gets400NamingTheFieldAndLogsNothing(string kind, byte[] text)
    {
        var body = Concat(Encoding.UTF8.GetBytes("""{"tenure": 3, "total_charges": 10, "contract": """), text, "}"u8.ToArray());

        var (status, json) = await PostAsync("/models/churn/predict", body);

        Assert.True(status == HttpStatusCode.BadRequest, kind);
        var error = Assert.Single(json.GetProperty("errors").GetProperty("contract").EnumerateArray()).GetString();
        Assert.StartsWith("MLOPS0404: holds a string that is not valid Unicode", error, StringComparison.Ordinal);
        Assert.Empty(_logs.AtLeast(LogLevel.Warning));
    }

    [Fact]
    public async Task Predict_NumberBeyondAFloat_Gets400NotA500()
    {
        var (status, json) = await PostAsync("/models/churn/predict", """{"tenure": 3.4e39, "total_charges": 10, "contract": "One year"}""");

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("MLOPS0404: got 3.4e39, beyond the range of a float (about ±3.4E+38). Send a smaller number.", json.GetProperty("errors").GetProperty("tenure")[0].GetString());
        Assert.Empty(_logs.AtLeast(LogLevel.Warning));
    }

    private static string Infer(string contract, string extra = "") => $$"""
        {"inputs": [
          {"name": "tenure", "shape": [1], "datatype": "FP32", "data": [12]},
          {"name": "contract", "shape": [1], "datatype": "BYTES", "data": [{{contract}}]},
          {"name": "total_charges", "shape": [1], "datatype": "FP32", "data": [700]}]{{extra}}}
        """;

    private static byte[] Concat(params byte[][] parts) => [.. parts.SelectMany(p => p)];

    private Task<(HttpStatusCode Status, JsonElement Json)> PostAsync(string route, string body) => PostAsync(route, Encoding.UTF8.GetBytes(body));

    private async Task<(HttpStatusCode Status, JsonElement Json)> PostAsync(string route, byte[] body)
    {
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        using var response = await _server.Client.PostAsync(route, content, Ct);
        var text = await response.Content.ReadAsStringAsync(Ct);
        return (response.StatusCode, JsonDocument.Parse(text).RootElement.Clone());
    }

    /// <summary>Keeps every log entry the server writes, to show that bad requests log nothing.</summary>
    private sealed class CapturingLoggers : ILoggerProvider
    {
        private readonly ConcurrentQueue<(LogLevel Level, string Category, string Message)> _entries = new();

        public IEnumerable<string> AtLeast(LogLevel level) => _entries.Where(e => e.Level >= level).Select(e => $"{e.Level} {e.Category}: {e.Message}");

        public ILogger CreateLogger(string categoryName) => new Logger(categoryName, _entries);

        public void Dispose()
        {
        }

        private sealed class Logger(string category, ConcurrentQueue<(LogLevel, string, string)> entries) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                entries.Enqueue((logLevel, category, formatter(state, exception) + (exception is null ? "" : " " + exception)));
        }
    }
}
