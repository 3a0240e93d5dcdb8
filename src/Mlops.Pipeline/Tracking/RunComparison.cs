namespace Mlops.Pipeline.Tracking;

/// <summary>Two runs side by side, as <c>dvc metrics diff</c> and <c>dvc params diff</c> show them.</summary>
/// <param name="A">The first run (the baseline).</param>
/// <param name="B">The second run.</param>
/// <param name="Inputs">What the runs were made from: data, declarations, commit, toolchain, seed.</param>
/// <param name="Params">Every parameter either run has, A's order first.</param>
/// <param name="Metrics">Every metric either run has: overall ones first, then by slice.</param>
public sealed record RunComparison(
    Run A,
    Run B,
    IReadOnlyList<ValueChange> Inputs,
    IReadOnlyList<ValueChange> Params,
    IReadOnlyList<MetricChange> Metrics)
{
    /// <summary>Compares two runs.</summary>
    public static RunComparison Create(Run a, Run b)
    {
        var inputs = new List<ValueChange>
        {
            new("model", a.Model, b.Model),
            new("status", Name(a.Status), Name(b.Status)),
            new("cacheKey", a.CacheKey, b.CacheKey),
            new("dataDigest", a.DataDigest, b.DataDigest),
            new("declarationsDigest", a.DeclarationsDigest, b.DeclarationsDigest),
            new("gitCommit", a.Git.Commit, b.Git.Commit),
            new("gitDirty", a.Git.Dirty?.ToString().ToLowerInvariant(), b.Git.Dirty?.ToString().ToLowerInvariant()),
            new("seed", a.Seed?.ToString(System.Globalization.CultureInfo.InvariantCulture), b.Seed?.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            new("mlnet", a.Toolchain.MlNet, b.Toolchain.MlNet),
            new("dotnet", a.Toolchain.DotNet, b.Toolchain.DotNet),
            new("os", a.Toolchain.Os, b.Toolchain.Os),
            new("artifactDigest", a.Artifact?.Digest, b.Artifact?.Digest),
        };

        var parameters = RunTable.ParamNames([a, b])
            .Select(name => new ValueChange(name, a.Params.GetValueOrDefault(name), b.Params.GetValueOrDefault(name)))
            .ToList();
        var metrics = RunTable.MetricKeys([a, b])
            .Select(key => new MetricChange(key.Name, key.Split, key.Slice,
                a.FindMetric(key.Name, key.Split, key.Slice)?.Value, b.FindMetric(key.Name, key.Split, key.Slice)?.Value))
            .ToList();
        return new RunComparison(a, b, inputs, parameters, metrics);
    }

    /// <summary>The lowercase name of a status, as stored and printed.</summary>
    public static string Name(RunStatus status) => status.ToString().ToLowerInvariant();
}

/// <summary>One named value in two runs.</summary>
/// <param name="Name">The parameter or input.</param>
/// <param name="A">Its value in the first run; null when absent.</param>
/// <param name="B">Its value in the second run; null when absent.</param>
public sealed record ValueChange(string Name, string? A, string? B)
{
    /// <summary>True when the runs differ (including present in one only).</summary>
    public bool Changed => !string.Equals(A, B, StringComparison.Ordinal);
}

/// <summary>One metric in two runs.</summary>
/// <param name="Name">The metric.</param>
/// <param name="Split">Its split.</param>
/// <param name="Slice">Its slice, or empty for all rows.</param>
/// <param name="A">Its value in the first run; null when absent.</param>
/// <param name="B">Its value in the second run; null when absent.</param>
public sealed record MetricChange(string Name, string Split, string Slice, double? A, double? B)
{
    /// <summary>
    /// B minus A, when both have the metric. Computed in decimal where the values allow, so 0.8412 - 0.8312 is 0.01
    /// and not 0.009999999999999898.
    /// </summary>
    public double? Delta => A is { } a && B is { } b ? Subtract(b, a) : null;

    private static double Subtract(double b, double a)
    {
        const double DecimalLimit = 1e27;
        return double.IsFinite(a) && double.IsFinite(b) && Math.Abs(a) < DecimalLimit && Math.Abs(b) < DecimalLimit
            ? (double)((decimal)b - (decimal)a)
            : b - a;
    }
}
