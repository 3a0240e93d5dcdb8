using System.Globalization;
using System.Text.RegularExpressions;

namespace Mlops.Declarations.FeatureSets;

/// <summary>A versioned reference to a feature set, written <c>name@version</c>.</summary>
/// <param name="Name">The feature set's name.</param>
/// <param name="Version">Its version, 1 or more.</param>
public sealed record FeatureSetReference(string Name, int Version)
{
    /// <summary>The pattern a reference follows, shared with the JSON Schemas.</summary>
    public const string Pattern = "[a-z][a-z0-9_-]*@[1-9][0-9]*";

    private static readonly Regex s_pattern = new($"^{Pattern}$", RegexOptions.CultureInvariant);

    /// <summary>Parses <c>name@version</c>; false when the text has another form.</summary>
    public static bool TryParse(string text, out FeatureSetReference? reference)
    {
        reference = null;
        if (!s_pattern.IsMatch(text))
        {
            return false;
        }

        var at = text.IndexOf('@');
        if (!int.TryParse(text.Substring(at + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var version))
        {
            return false;
        }

        reference = new FeatureSetReference(text.Substring(0, at), version);
        return true;
    }

    /// <summary>The reference the writer of a malformed one most likely meant, for messages: lowercase, no 'v' before the version, version 1 when none is given.</summary>
    public static string Suggest(string text)
    {
        var trimmed = (text ?? string.Empty).Trim().ToLowerInvariant().Replace(" ", string.Empty);
        var at = trimmed.IndexOf('@');
        var name = at < 0 ? trimmed : trimmed.Substring(0, at);
        var version = at < 0 ? string.Empty : trimmed.Substring(at + 1).TrimStart('v').TrimStart('0');
        return $"{(name.Length == 0 ? "name" : name)}@{(version.Length == 0 || !int.TryParse(version, NumberStyles.None, CultureInfo.InvariantCulture, out _) ? "1" : version)}";
    }

    /// <inheritdoc />
    public override string ToString() => $"{Name}@{Version.ToString(CultureInfo.InvariantCulture)}";
}
