using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Mlops.Pipeline.Stages;
using Mlops.Runtime.Data;
using Mlops.Runtime.Features;

namespace Mlops.Pipeline.Replay;

/// <summary>What <c>mlops replay</c> sends, where, and within which bounds.</summary>
/// <param name="Server">The server's base address (<c>http://127.0.0.1:8080</c>).</param>
/// <param name="Model">The served model the rows go to (<c>POST /models/MODEL/predict</c>); null for the one model the server serves.</param>
/// <param name="InputPath">The CSV file whose rows are sent.</param>
/// <param name="InputDisplay">The file as the user named it, for messages.</param>
public sealed record ReplayRequest(Uri Server, string? Model, string InputPath, string InputDisplay)
{
    /// <summary>Rows sent a second, at most <see cref="ReplayStage.MaxRate"/>.</summary>
    /// <value>The default value is 20.</value>
    public double Rate { get; init; } = 20;

    /// <summary>The most rows sent, at most <see cref="ReplayStage.MaxRowsLimit"/>; the end of the file stops earlier.</summary>
    /// <value>The default value is 1,000.</value>
    public int MaxRows { get; init; } = 1000;

    /// <summary>The longest the replay runs, at most <see cref="ReplayStage.MaxDurationLimit"/>.</summary>
    /// <value>The default value is one minute.</value>
    public TimeSpan MaxDuration { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>Data rows of the file passed over before the first one sent.</summary>
    /// <value>The default value is 0.</value>
    public int Skip { get; init; }

    /// <summary>The changes made to each row (<see cref="ReplayDrift"/>).</summary>
    /// <value>The default value is none.</value>
    public IReadOnlyList<ReplayChange> Drift { get; init; } = [];

    /// <summary>Seeds the choice of rows a change with a share below 1 applies to, so a replay can be repeated.</summary>
    /// <value>The default value is 1.</value>
    public int Seed { get; init; } = 1;

    /// <summary>Whether a server that is not on loopback may be sent to.</summary>
    /// <value>The default value is false: replayed rows are test traffic, and a production address is refused.</value>
    public bool AllowRemote { get; init; }
}

/// <summary>What a replay did.</summary>
/// <param name="Model">The model the rows went to.</param>
/// <param name="Sent">Rows sent.</param>
/// <param name="Answered">Rows the server scored (HTTP 200).</param>
/// <param name="Refused">Rows the server refused (HTTP 4xx: a value the feature set does not allow).</param>
/// <param name="Elapsed">Time taken.</param>
/// <param name="FirstRefusal">The server's answer to the first refused row; null when none was refused.</param>
public sealed record ReplayOutcome(string Model, int Sent, int Answered, int Refused, TimeSpan Elapsed, string? FirstRefusal);

/// <summary>
/// <c>mlops replay</c>: sends a CSV file's rows to a server's named-feature endpoint, one row a request
/// at a steady rate, optionally changed by a drift spec, bounded in rows and time: traffic for seeing
/// monitoring work (drift, null rates, the dashboard) without real users. The server's own model
/// metadata (<c>GET /v2/models/MODEL</c>) says each feature's type, so a CSV field becomes the JSON value
/// the server reads (a number, a bool, a string, or null when empty).
/// </summary>
public static class ReplayStage
{
    /// <summary>The fastest rate allowed, rows a second.</summary>
    public const double MaxRate = 1000;

    /// <summary>The most rows one replay may send.</summary>
    public const int MaxRowsLimit = 1_000_000;

    /// <summary>The longest one replay may run.</summary>
    public static readonly TimeSpan MaxDurationLimit = TimeSpan.FromHours(1);

    /// <summary>Sends the rows.</summary>
    /// <param name="request">What to send.</param>
    /// <param name="http">The client (its timeout bounds each request).</param>
    /// <param name="time">The clock that paces the rows.</param>
    /// <param name="cancellationToken">Stops the replay.</param>
    /// <exception cref="StageInputException">A bound is out of range, the server is not on loopback (without <see cref="ReplayRequest.AllowRemote"/>) or cannot be reached, it does not serve the model, the file cannot be read or lacks a feature's column, or the drift spec names a feature the model lacks.</exception>
    public static async Task<ReplayOutcome> RunAsync(ReplayRequest request, HttpClient http, TimeProvider time, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(time);
        Check(request);
        var model = request.Model ?? await OnlyModelAsync(request.Server, http, cancellationToken).ConfigureAwait(false);
        var inputs = await InputsAsync(request, model, http, cancellationToken).ConfigureAwait(false);
        CheckDrift(request, model, inputs);

        if (!File.Exists(request.InputPath))
        {
            throw new StageInputException($"--input '{request.InputDisplay}' does not exist. Pass a CSV file with a header naming the model's features.");
        }

        using var text = new StreamReader(request.InputPath, Encoding.UTF8);
        await using var csv = new CsvReader(text);
        var predict = new Uri(request.Server, $"/models/{Uri.EscapeDataString(model)}/predict");
        var random = new Random(request.Seed);
        var started = time.GetTimestamp();
        int sent = 0, answered = 0, refused = 0, line = 0;
        string? firstRefusal = null;
        int[]? columns = null;
        var changed = request.Drift.Select(c => inputs.Select(i => i.Name).ToList().IndexOf(c.Feature)).ToArray();
        try
        {
            while (sent < request.MaxRows && time.GetElapsedTime(started) < request.MaxDuration && await csv.ReadRecordAsync(cancellationToken).ConfigureAwait(false))
            {
                line++;
                if (columns is null)
                {
                    columns = Columns(request, model, csv, inputs);
                    continue;
                }

                if (line - 1 <= request.Skip)
                {
                    continue;
                }

                // Paced from the start rather than from the last row, so slow answers do not lower the rate.
                var due = TimeSpan.FromSeconds(sent / request.Rate) - time.GetElapsedTime(started);
                if (due > TimeSpan.Zero)
                {
                    await Task.Delay(due, time, cancellationToken).ConfigureAwait(false);
                    if (time.GetElapsedTime(started) >= request.MaxDuration)
                    {
                        break;
                    }
                }

                using var body = new StringContent(Row(csv, columns, inputs, request.Drift, changed, random), Encoding.UTF8, "application/json");
                using var response = await Send(http, predict, body, sent, cancellationToken).ConfigureAwait(false);
                sent++;
                if (response.IsSuccessStatusCode)
                {
                    answered++;
                }
                else if ((int)response.StatusCode is >= 400 and < 500)
                {
                    refused++;
                    firstRefusal ??= $"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false)}";
                }
                else
                {
                    throw new StageInputException($"{predict} answered {(int)response.StatusCode} {response.ReasonPhrase} after {sent} rows; the server's log says why.");
                }
            }
        }
        catch (CsvFormatException e)
        {
            throw new StageInputException($"{request.InputDisplay}({e.Position.Line},{e.Position.Column}): '{request.InputDisplay}' is not well-formed CSV: {e.Reason}.");
        }

        if (columns is null)
        {
            throw new StageInputException($"--input '{request.InputDisplay}' is empty. Pass a CSV file with a header naming the model's features.");
        }

        return new ReplayOutcome(model, sent, answered, refused, time.GetElapsedTime(started), firstRefusal);
    }

    private static void Check(ReplayRequest request)
    {
        var problems = new List<string>();
        if (request.Server.Scheme is not ("http" or "https"))
        {
            problems.Add($"--server '{request.Server}' is not an http:// or https:// address.");
        }
        else if (!request.AllowRemote && !IsLoopback(request.Server))
        {
            problems.Add($"--server '{request.Server}' is not on this machine (loopback); replayed rows are test traffic. Pass --allow-remote to send them elsewhere.");
        }

        if (request.Rate is not (> 0 and <= MaxRate) || double.IsNaN(request.Rate))
        {
            problems.Add($"--rate {request.Rate.ToString(CultureInfo.InvariantCulture)} is out of range; use more than 0 and at most {MaxRate.ToString(CultureInfo.InvariantCulture)} rows a second.");
        }

        if (request.MaxRows is < 1 or > MaxRowsLimit)
        {
            problems.Add($"--limit {request.MaxRows} is out of range; use 1 to {MaxRowsLimit.ToString("N0", CultureInfo.InvariantCulture)} rows.");
        }

        if (request.MaxDuration <= TimeSpan.Zero || request.MaxDuration > MaxDurationLimit)
        {
            problems.Add($"--seconds {request.MaxDuration.TotalSeconds.ToString(CultureInfo.InvariantCulture)} is out of range; use more than 0 and at most {MaxDurationLimit.TotalSeconds.ToString(CultureInfo.InvariantCulture)}.");
        }

        if (request.Skip < 0)
        {
            problems.Add($"--skip {request.Skip} is negative; use 0 or more rows.");
        }

        if (problems.Count > 0)
        {
            throw new StageInputException(string.Join(" ", problems));
        }
    }

    private static bool IsLoopback(Uri server) =>
        server.IsLoopback || (IPAddress.TryParse(server.Host.Trim('[', ']'), out var address) && IPAddress.IsLoopback(address));

    /// <summary>The model's features and their OIP datatypes, from the server that will score them.</summary>
    private static async Task<IReadOnlyList<(string Name, string Datatype)>> InputsAsync(ReplayRequest request, string model, HttpClient http, CancellationToken cancellationToken)
    {
        using var json = await GetJsonAsync(http, new Uri(request.Server, $"/v2/models/{Uri.EscapeDataString(model)}"), $"the server does not serve '{model}' (yet). Check --model, and GET /status on the server.", cancellationToken).ConfigureAwait(false);
        return [.. json.RootElement.GetProperty("inputs").EnumerateArray().Select(i => (i.GetProperty("name").GetString()!, i.GetProperty("datatype").GetString()!))];
    }

    /// <summary>The model a server serves when it serves one (its <c>GET /status</c>); with more or none, the user must say.</summary>
    private static async Task<string> OnlyModelAsync(Uri server, HttpClient http, CancellationToken cancellationToken)
    {
        using var json = await GetJsonAsync(http, new Uri(server, "/status"), "is it an Mlops server (mlops serve)?", cancellationToken).ConfigureAwait(false);
        var models = json.RootElement.GetProperty("models").EnumerateArray().Select(m => m.GetProperty("model").GetString()!).ToList();
        return models.Count == 1
            ? models[0]
            : throw new StageInputException(models.Count == 0
                ? $"{server} serves no model yet; GET /status says why."
                : $"{server} serves {string.Join(", ", models)}; pass --model with the one the rows are for.");
    }

    private static async Task<JsonDocument> GetJsonAsync(HttpClient http, Uri address, string whenRefused, CancellationToken cancellationToken)
    {
        HttpResponseMessage response;
        try
        {
            response = await http.GetAsync(address, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException e)
        {
            throw new StageInputException($"cannot reach {address}: {e.Message.TrimEnd('.')}. Check --server and that the server runs (mlops serve).");
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new StageInputException($"{address} did not answer in time. Check --server and that the server runs (mlops serve).");
        }

        using (response)
        {
            if (!response.IsSuccessStatusCode)
            {
                throw new StageInputException($"{address} answered {(int)response.StatusCode} {response.ReasonPhrase}: {whenRefused}");
            }

            return JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false));
        }
    }

    private static void CheckDrift(ReplayRequest request, string model, IReadOnlyList<(string Name, string Datatype)> inputs)
    {
        var problems = new List<string>();
        foreach (var change in request.Drift)
        {
            var input = inputs.FirstOrDefault(i => i.Name == change.Feature);
            if (input.Name is null)
            {
                problems.Add($"--drift '{ReplayDrift.Describe(change)}': model '{model}' has no feature '{change.Feature}'.");
            }
            else if (change.Factor is not null && !IsNumber(input.Datatype))
            {
                problems.Add($"--drift '{ReplayDrift.Describe(change)}': '{change.Feature}' is not a number ({input.Datatype}), so it cannot be multiplied; replace its value with NAME=VALUE.");
            }
        }

        if (problems.Count > 0)
        {
            throw new StageInputException(string.Join(" ", problems) + $" The model's features are {string.Join(", ", inputs.Select(i => i.Name))}.");
        }
    }

    private static int[] Columns(ReplayRequest request, string model, CsvReader csv, IReadOnlyList<(string Name, string Datatype)> inputs)
    {
        var header = Enumerable.Range(0, csv.FieldCount).Select(csv.FieldText).ToList();
        var columns = inputs.Select(i => header.IndexOf(i.Name)).ToArray();
        var absent = inputs.Where((_, i) => columns[i] < 0).Select(i => $"'{i.Name}'").ToList();
        if (absent.Count > 0)
        {
            throw new StageInputException($"{request.InputDisplay}(1,1): the header has no column for {string.Join(", ", absent)}, which model '{model}' reads. Add the column{(absent.Count == 1 ? "" : "s")} (empty fields for missing values), or replay a file of the model's features.");
        }

        return columns;
    }

    /// <summary>One row as the named-feature JSON object, with the drift changes made.</summary>
    private static string Row(CsvReader csv, int[] columns, IReadOnlyList<(string Name, string Datatype)> inputs, IReadOnlyList<ReplayChange> drift, int[] changed, Random random)
    {
        var fields = new string?[inputs.Count];
        for (var i = 0; i < inputs.Count; i++)
        {
            fields[i] = columns[i] < csv.FieldCount ? csv.FieldText(columns[i]) : "";
        }

        for (var c = 0; c < drift.Count; c++)
        {
            var change = drift[c];
            // Drawn for every change and row whatever its share, so one seed chooses the same rows each time.
            if (random.NextDouble() >= change.Share)
            {
                continue;
            }

            var i = changed[c];
            if (change.Factor is { } factor)
            {
                if (FeatureInput.TryParseNumber(fields[i], out var number))
                {
                    fields[i] = (number * factor).ToString("R", CultureInfo.InvariantCulture);
                }
            }
            else
            {
                fields[i] = change.Value;
            }
        }

        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            for (var i = 0; i < inputs.Count; i++)
            {
                var (name, datatype) = inputs[i];
                var field = fields[i];
                if (string.IsNullOrEmpty(field))
                {
                    json.WriteNull(name);
                }
                else if (datatype == "BOOL" && FeatureInput.TryParseBool(field, out var flag))
                {
                    json.WriteBoolean(name, flag);
                }
                else if (IsNumber(datatype) && FeatureInput.TryParseNumber(field, out var number) && double.IsFinite(number))
                {
                    json.WriteNumber(name, number);
                }
                else
                {
                    // Sent as it is: the server refuses what its feature set does not allow, and says why.
                    json.WriteString(name, field);
                }
            }

            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static bool IsNumber(string datatype) => datatype.StartsWith("FP", StringComparison.Ordinal) || datatype.StartsWith("INT", StringComparison.Ordinal) || datatype.StartsWith("UINT", StringComparison.Ordinal);

    private static async Task<HttpResponseMessage> Send(HttpClient http, Uri address, HttpContent body, int sent, CancellationToken cancellationToken)
    {
        try
        {
            return await http.PostAsync(address, body, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException e)
        {
            throw new StageInputException($"{address} stopped answering after {sent} rows: {e.Message.TrimEnd('.')}. Check that the server still runs.");
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new StageInputException($"{address} did not answer within {http.Timeout.TotalSeconds:0.#} s after {sent} rows. Check the server, or lower --rate.");
        }
    }
}
