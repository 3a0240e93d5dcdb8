using System;

namespace Mlops.Analyzers.Declarations;

/// <summary>Turns the absolute path of an AdditionalFile into the repository-relative path the declarations use.</summary>
internal static class DeclarationPaths
{
    private static readonly string[] s_folders = ["/features/", "/models/", "/environments/"];

    /// <summary>
    /// The path relative to <paramref name="root"/> when it lies under it; otherwise from the last
    /// <c>features/</c>, <c>models/</c> or <c>environments/</c> folder on; null when neither applies.
    /// </summary>
    public static string? Relative(string path, string? root)
    {
        var normalised = path.Replace('\\', '/');
        if (!string.IsNullOrWhiteSpace(root))
        {
            var prefix = root!.Trim().Replace('\\', '/').TrimEnd('/') + "/";
            if (normalised.StartsWith(prefix, StringComparison.Ordinal))
            {
                return normalised.Substring(prefix.Length);
            }
        }

        var best = -1;
        foreach (var folder in s_folders)
        {
            best = Math.Max(best, normalised.LastIndexOf(folder, StringComparison.Ordinal));
        }

        return best < 0 ? null : normalised.Substring(best + 1);
    }
}
