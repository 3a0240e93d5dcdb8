using System.Globalization;
using System.Text.RegularExpressions;
using Mlops.Pipeline.Registry;

namespace Mlops.Pipeline.Promotion;

/// <summary>
/// The git trailers mlops writes at the end of its commit messages, so history, rollback and people can find
/// promotions with plain git (<c>git log --format='%(trailers:key=Mlops-Promotion)'</c>):
/// <code>
/// Mlops-Promotion: churn@v8 -> production
/// Mlops-Mode: canary 10
/// Mlops-Bundle: sha256:…
/// </code>
/// and, on a rollback, <c>Mlops-Rollback: &lt;sha of the promotion commit undone&gt;</c> with <c>Mlops-Environment: production</c>.
/// </summary>
public static partial class PromotionTrailers
{
    /// <summary><c>MODEL@vN -> ENVIRONMENT</c>: the version a promotion commit deploys (or, for abort, whose canary it removes).</summary>
    public const string Promotion = "Mlops-Promotion";

    /// <summary>The mode: <c>full</c>, <c>canary PERCENT</c>, <c>shadow</c>, <c>complete-canary</c> or <c>abort-canary</c>.</summary>
    public const string Mode = "Mlops-Mode";

    /// <summary>The digest of the bundle the commit pins.</summary>
    public const string Bundle = "Mlops-Bundle";

    /// <summary>On a rollback commit: the full sha of the promotion commit it undoes.</summary>
    public const string Rollback = "Mlops-Rollback";

    /// <summary>On a rollback commit: the environment rolled back.</summary>
    public const string Environment = "Mlops-Environment";

    /// <summary>The trailers of a commit message: the <c>Key: value</c> lines of its last paragraph (empty when that paragraph has other lines).</summary>
    public static IReadOnlyList<KeyValuePair<string, string>> Parse(string message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var paragraphs = message.Replace("\r\n", "\n", StringComparison.Ordinal).Trim('\n').Split("\n\n");
        if (paragraphs.Length < 2)
        {
            return [];
        }

        var trailers = new List<KeyValuePair<string, string>>();
        foreach (var line in paragraphs[^1].Split('\n'))
        {
            var match = TrailerLine().Match(line);
            if (!match.Success)
            {
                return [];
            }

            trailers.Add(new(match.Groups[1].Value, match.Groups[2].Value.Trim()));
        }

        return trailers;
    }

    /// <summary>The promotion a commit message records, or null when it has no <see cref="Promotion"/> trailer.</summary>
    public static PromotionRecord? ReadPromotion(string message)
    {
        var trailers = Parse(message);
        var promotion = trailers.FirstOrDefault(t => t.Key == Promotion).Value;
        if (promotion is null || PromotionValue().Match(promotion) is not { Success: true } match
            || !ModelTag.TryParseName(match.Groups[1].Value, out var model, out var version))
        {
            return null;
        }

        var mode = trailers.FirstOrDefault(t => t.Key == Mode).Value ?? "full";
        var bundle = trailers.FirstOrDefault(t => t.Key == Bundle).Value;
        return new PromotionRecord(model, version, match.Groups[2].Value, mode, bundle);
    }

    /// <summary>The sha of the promotion a rollback commit undoes, or null when the message has no <see cref="Rollback"/> trailer.</summary>
    public static string? ReadRollback(string message) => Parse(message).FirstOrDefault(t => t.Key == Rollback).Value;

    internal static string Format(string model, int version, string environment, string mode, string? bundle) =>
        $"{Promotion}: {ModelTag.Name(model, version)} -> {environment}\n{Mode}: {mode}\n" + (bundle is null ? "" : $"{Bundle}: {bundle}\n");

    internal static string ModeText(PromotionMode mode, int? weight) => mode switch
    {
        PromotionMode.Full => "full",
        PromotionMode.Canary => "canary " + (weight ?? 0).ToString(CultureInfo.InvariantCulture),
        PromotionMode.Shadow => "shadow",
        PromotionMode.CompleteCanary => "complete-canary",
        _ => "abort-canary",
    };

    [GeneratedRegex(@"^([A-Za-z][A-Za-z0-9-]*): (.*)$", RegexOptions.CultureInvariant)]
    private static partial Regex TrailerLine();

    [GeneratedRegex(@"^(\S+) -> ([a-z][a-z0-9_-]*)$", RegexOptions.CultureInvariant)]
    private static partial Regex PromotionValue();
}

/// <summary>A promotion as its commit's trailers record it.</summary>
/// <param name="Model">The model.</param>
/// <param name="Version">The version deployed (or whose canary was aborted).</param>
/// <param name="Environment">The environment.</param>
/// <param name="Mode">The mode as written: <c>full</c>, <c>canary 10</c>, <c>shadow</c>, <c>complete-canary</c>, <c>abort-canary</c>.</param>
/// <param name="Bundle">The bundle digest, when recorded.</param>
public sealed record PromotionRecord(string Model, int Version, string Environment, string Mode, string? Bundle);
