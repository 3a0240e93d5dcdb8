using System.Globalization;
using System.Security.Cryptography;

namespace Mlops.Pipeline.Tracking;

/// <summary>
/// Run ids: the UTC start time to the second and eight random hex digits, <c>20261123T085238Z-3f9a1c07</c>.
/// They sort by start time, read as a date, and a prefix of them (or of the random part) names a run, as short hashes do in git.
/// </summary>
public static class RunId
{
    /// <summary>The length of an id.</summary>
    public const int Length = 25;

    /// <summary>Where the random part starts.</summary>
    public const int SuffixStart = 17;

    /// <summary>A new id for a run started at <paramref name="startedAt"/>.</summary>
    public static string New(DateTimeOffset startedAt) =>
        startedAt.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture) + "-" + RandomNumberGenerator.GetHexString(8, lowercase: true);
}
