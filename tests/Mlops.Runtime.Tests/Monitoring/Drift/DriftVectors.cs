using System.Text.Json;

namespace Mlops.Runtime.Tests.Monitoring.Drift;

/// <summary>drift-vectors.json, written by make_vectors.py with SciPy; read once for every test.</summary>
internal static class DriftVectors
{
    private static readonly Lazy<JsonElement> s_root = new(() =>
        JsonDocument.Parse(File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Monitoring", "Drift", "drift-vectors.json"))).RootElement);

    public static JsonElement Root => s_root.Value;

    public static TheoryData<string> CaseNames(string section)
    {
        var data = new TheoryData<string>();
        foreach (var item in Root.GetProperty(section).EnumerateArray())
        {
            data.Add(item.GetProperty("name").GetString()!);
        }

        return data;
    }

    public static JsonElement Case(string section, string name) =>
        Root.GetProperty(section).EnumerateArray().Single(c => c.GetProperty("name").GetString() == name);

    public static double[] Numbers(JsonElement array) => [.. array.EnumerateArray().Select(v => v.GetDouble())];

    public static Dictionary<string, long> Counts(JsonElement map) =>
        map.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetInt64(), StringComparer.Ordinal);

    /// <summary>Statistics agree to 1e-9 relative (absolute near 0).</summary>
    public static void StatisticClose(double expected, double actual) => Close(expected, actual, 1e-9, 1e-15);

    /// <summary>P-values agree to 1e-6 relative, or 1e-12 absolute for the tiniest.</summary>
    public static void PValueClose(double expected, double actual) => Close(expected, actual, 1e-6, 1e-12);

    private static void Close(double expected, double actual, double relative, double absolute)
    {
        var error = Math.Abs(expected - actual);
        Assert.True(error <= Math.Max(relative * Math.Abs(expected), absolute), $"expected {expected:R}, got {actual:R} (error {error:R}, relative {error / Math.Abs(expected):R})");
    }
}
