using System.Reflection;
using System.Text;
using System.Text.Json;
using Mlops.Declarations.Digests;

namespace Mlops.Cli.Commands.Init;

/// <summary>One file of the convention: where it goes (relative, forward slashes) and its bytes.</summary>
/// <param name="Path">The path relative to the repository root.</param>
/// <param name="Content">What the file holds.</param>
internal sealed record ConventionFile(string Path, byte[] Content);

/// <summary>
/// The one owner of the repository convention's files, which <c>mlops init</c> writes and the
/// Mlops.Templates package (made by running <c>mlops init</c> at pack time) carries. Files the convention
/// shares with this repository (.github/, build/pipeline.cake, cake.config, global.json, .gitattributes,
/// .gitignore) are embedded from this repository's own copies at build time; the rest are under
/// Commands/Init/Convention/. The tool manifest pins this tool's own package version.
/// </summary>
internal static class RepositoryConvention
{
    /// <summary>The tool manifest's paths; the SDK reads either.</summary>
    public static readonly string[] ManifestPaths = [".config/dotnet-tools.json", "dotnet-tools.json"];

    /// <summary>The package id of this tool, as the manifest names it.</summary>
    public const string ToolPackageId = "mlops.cli";

    /// <summary>The package id of Cake's tool.</summary>
    public const string CakePackageId = "cake.tool";

    private const string Prefix = "convention/";
    private const string ThisRepositoryManifest = "this/dotnet-tools.json";

    private static Assembly Assembly => typeof(RepositoryConvention).Assembly;

    /// <summary>This tool's package version (the informational version without its source revision).</summary>
    public static string ToolVersion
    {
        get
        {
            var version = Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
                ?? throw new InvalidOperationException("mlops carries no informational version.");
            var plus = version.IndexOf('+', StringComparison.Ordinal);
            return plus < 0 ? version : version[..plus];
        }
    }

    /// <summary>The Cake.Tool version this repository's own manifest pins: one place decides it.</summary>
    public static string CakeVersion
    {
        get
        {
            using var manifest = JsonDocument.Parse(Read(ThisRepositoryManifest));
            return manifest.RootElement.GetProperty("tools").GetProperty(CakePackageId).GetProperty("version").GetString()
                ?? throw new InvalidOperationException("this repository's tool manifest names no Cake.Tool version.");
        }
    }

    /// <summary>The tools the pipeline needs, with the versions the convention pins.</summary>
    public static IReadOnlyList<(string Id, string Version)> Tools => [(ToolPackageId, ToolVersion), (CakePackageId, CakeVersion)];

    /// <summary>Every file of the convention, in ordinal order of path.</summary>
    public static IReadOnlyList<ConventionFile> Files()
    {
        var data = ExampleCustomers.Create();
        var files = new List<ConventionFile> { new(ExampleCustomers.Path, data) };
        foreach (var name in Assembly.GetManifestResourceNames().Where(n => n.StartsWith(Prefix, StringComparison.Ordinal)))
        {
            var path = name[Prefix.Length..].Replace('\\', '/');
            var text = Read(name);
            text = path switch
            {
                "models/churn.yaml" => Fill(text, "{{digest}}", Sha256Digest.Of(data)),
                ".config/dotnet-tools.json" => Fill(Fill(text, "{{version}}", ToolVersion), "{{cakeVersion}}", CakeVersion),
                _ when path.StartsWith(".github/", StringComparison.Ordinal) => WorkflowAdaptation.Adapt(path, text),
                _ => text,
            };
            files.Add(new ConventionFile(path, Encoding.UTF8.GetBytes(text)));
        }

        return [.. files.OrderBy(f => f.Path, StringComparer.Ordinal)];
    }

    private static string Fill(string text, string placeholder, string value) =>
        text.Contains(placeholder, StringComparison.Ordinal)
            ? text.Replace(placeholder, value, StringComparison.Ordinal)
            : throw new InvalidOperationException($"the convention file lacks {placeholder}.");

    private static string Read(string resource)
    {
        using var stream = Assembly.GetManifestResourceStream(resource)
            ?? throw new InvalidOperationException($"mlops lacks its embedded file {resource}.");
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return reader.ReadToEnd();
    }
}
