using System.Globalization;
using Mlops.Pipeline.Stages;
using Mlops.Runtime.Features;

namespace Mlops.Pipeline.Replay;

/// <summary>One change <c>mlops replay --drift</c> makes to the rows it sends.</summary>
/// <param name="Feature">The feature changed.</param>
/// <param name="Factor">Multiplies the feature's number (<c>NAME*FACTOR</c>); null for a replacement.</param>
/// <param name="Value">The value put in (<c>NAME=VALUE</c>); null with <paramref name="Factor"/> null empties the field (a missing value).</param>
/// <param name="Share">The share of rows changed, 0 to 1 (<c>@SHARE</c>; 1 when not given).</param>
public sealed record ReplayChange(string Feature, double? Factor, string? Value, double Share);

/// <summary>
/// The <c>--drift</c> spec: changes separated by <c>;</c>, each <c>NAME*FACTOR</c> (multiply a number),
/// <c>NAME=VALUE</c> (replace the value) or <c>NAME=</c> (empty it), optionally followed by <c>@SHARE</c>,
/// the share of rows it applies to (for example
/// <c>monthly_charges*1.3;contract=Month-to-month@0.5;total_charges=@0.33</c>).
/// </summary>
public static class ReplayDrift
{
    /// <summary>Parses a spec, reporting every bad change at once.</summary>
    /// <param name="spec">The spec; null or empty for none.</param>
    /// <exception cref="StageInputException">A change is not one of the three forms, a factor or share is not a number, or a share is outside 0 to 1.</exception>
    public static IReadOnlyList<ReplayChange> Parse(string? spec)
    {
        if (string.IsNullOrWhiteSpace(spec))
        {
            return [];
        }

        var changes = new List<ReplayChange>();
        var problems = new List<string>();
        foreach (var part in spec.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (TryParse(part) is { } change)
            {
                changes.Add(change);
            }
            else
            {
                problems.Add($"'{part}'");
            }
        }

        if (problems.Count > 0)
        {
            throw new StageInputException(
                $"--drift: {string.Join(", ", problems)} {(problems.Count == 1 ? "is not a change" : "are not changes")}; write NAME*FACTOR, NAME=VALUE or NAME= (empty), each optionally with @SHARE from 0 to 1, separated by ';' (for example monthly_charges*1.3;contract=Month-to-month@0.5;total_charges=@0.33).");
        }

        return changes;
    }

    private static ReplayChange? TryParse(string part)
    {
        var share = 1.0;
        var at = part.LastIndexOf('@');
        if (at >= 0)
        {
            if (!FeatureInput.TryParseNumber(part.AsSpan(at + 1), out share) || share is < 0 or > 1 || double.IsNaN(share))
            {
                return null;
            }

            part = part[..at];
        }

        var star = part.IndexOf('*', StringComparison.Ordinal);
        var equals = part.IndexOf('=', StringComparison.Ordinal);
        if (star > 0 && (equals < 0 || star < equals))
        {
            return FeatureInput.TryParseNumber(part.AsSpan(star + 1), out var factor) && double.IsFinite(factor)
                ? new ReplayChange(part[..star].Trim(), factor, null, share)
                : null;
        }

        if (equals > 0)
        {
            var value = part[(equals + 1)..];
            return new ReplayChange(part[..equals].Trim(), null, value.Length == 0 ? null : value, share);
        }

        return null;
    }

    /// <summary>The spec back as text, for messages and output.</summary>
    /// <param name="change">A change.</param>
    public static string Describe(ReplayChange change)
    {
        ArgumentNullException.ThrowIfNull(change);
        var what = change.Factor is { } f ? $"{change.Feature}*{f.ToString(CultureInfo.InvariantCulture)}" : $"{change.Feature}={change.Value}";
        return change.Share >= 1 ? what : $"{what}@{change.Share.ToString(CultureInfo.InvariantCulture)}";
    }
}
