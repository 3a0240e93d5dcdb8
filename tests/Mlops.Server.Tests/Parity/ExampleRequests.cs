using System.Net;
using System.Text;
using System.Text.Json;

namespace Mlops.Server.Tests.Parity;

/// <summary>Rows of the example's data file as a client sends them to the server.</summary>
internal static class ExampleRequests
{
    /// <summary>The example's features as a client sends them: numbers, bools written 1/0 in the file as JSON bools, categories as strings.</summary>
    public static IEnumerable<(string Name, string Type, string Datatype)> Features()
    {
        string[] bools = ["female", "senior_citizen", "partner", "dependents", "phone_service", "paperless_billing"];
        string[] numbers = ["tenure", "monthly_charges", "total_charges"];
        string[] categories = ["multiple_lines", "internet_service", "online_security", "online_backup", "device_protection", "tech_support", "streaming_tv", "streaming_movies", "contract", "payment_method"];
        return bools.Select(b => (b, "bool", "BOOL")).Concat(numbers.Select(n => (n, "number", "FP64"))).Concat(categories.Select(c => (c, "category", "BYTES")));
    }

    /// <summary>A data file's field as a JSON value of its feature's type (an empty field is null).</summary>
    public static string Json(string type, string field) => field.Length == 0 ? "null" : type switch
    {
        "bool" => field == "1" ? "true" : "false",
        "number" => field,
        _ => JsonSerializer.Serialize(field),
    };

    /// <summary>One v2 infer of these rows of the data file (header first), answered 200; the probability output's values.</summary>
    public static async Task<List<float>> InferAsync(HttpClient client, string[] header, IReadOnlyList<string[]> rows, CancellationToken cancellationToken)
    {
        var inputs = new List<string>();
        foreach (var (name, type, datatype) in Features())
        {
            var index = Array.IndexOf(header, name);
            inputs.Add($$"""{"name": "{{name}}", "shape": [{{rows.Count}}], "datatype": "{{datatype}}", "data": [{{string.Join(",", rows.Select(r => Json(type, r[index])))}}]}""");
        }

        var body = $$"""{"inputs": [{{string.Join(",", inputs)}}], "outputs": [{"name": "probability"}]}""";
        using var response = await client.PostAsync("/v2/models/churn/infer", new StringContent(body, Encoding.UTF8, "application/json"), cancellationToken);
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        using var answer = JsonDocument.Parse(text);
        var output = Assert.Single(answer.RootElement.GetProperty("outputs").EnumerateArray());
        Assert.Equal("probability", output.GetProperty("name").GetString());
        return [.. output.GetProperty("data").EnumerateArray().Select(v => v.GetSingle())];
    }
}
