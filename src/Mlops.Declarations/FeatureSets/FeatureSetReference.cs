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

    /// <inheritdoc />
    public override string ToString() => $"{Name}@{Version.ToString(CultureInfo.InvariantCulture)}";
}
