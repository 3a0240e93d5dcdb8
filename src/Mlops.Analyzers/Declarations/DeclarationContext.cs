using System;
using System.Collections.Generic;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;
using Mlops.Declarations.FeatureSets;
using Mlops.Declarations.Repository;

namespace Mlops.Analyzers.Declarations;

/// <summary>
/// The declarations a compilation sees: its AdditionalFiles under features/, models/ and
/// environments/, parsed once per compilation (every analyzer shares the result) with
/// <see cref="DeclarationSet.Create"/>, the parser <c>mlops validate</c> uses.
/// </summary>
internal sealed class DeclarationContext
{
    private static readonly ConditionalWeakTable<Compilation, DeclarationContext> s_cache = new();

    private readonly Dictionary<string, AdditionalText> _files;

    private DeclarationContext(DeclarationSet set, Dictionary<string, AdditionalText> files, string? environment)
    {
        Set = set;
        _files = files;
        Environment = environment;
    }

    /// <summary>The parsed, cross-checked declarations.</summary>
    public DeclarationSet Set { get; }

    /// <summary>The <c>MlopsEnvironment</c> build property, or null.</summary>
    public string? Environment { get; }

    /// <summary>True when the compilation was given at least one declaration file.</summary>
    public bool HasDeclarations => _files.Count > 0;

    public static DeclarationContext Get(Compilation compilation, AnalyzerOptions options, CancellationToken cancellationToken) =>
        s_cache.GetValue(compilation, _ => Create(options, cancellationToken));

    private static DeclarationContext Create(AnalyzerOptions options, CancellationToken cancellationToken)
    {
        var global = options.AnalyzerConfigOptionsProvider.GlobalOptions;
        global.TryGetValue("build_property.MlopsRepositoryRoot", out var root);
        global.TryGetValue("build_property.MlopsEnvironment", out var environment);
        var files = new Dictionary<string, AdditionalText>(StringComparer.Ordinal);
        var texts = new List<KeyValuePair<string, string>>();
        foreach (var file in options.AdditionalFiles)
        {
            if (DeclarationPaths.Relative(file.Path, root) is not { } relative || RepositoryLayout.KindOf(relative) is null || files.ContainsKey(relative))
            {
                continue;
            }

            var text = file.GetText(cancellationToken);
            if (text is null)
            {
                continue;
            }

            files.Add(relative, file);
            texts.Add(new KeyValuePair<string, string>(relative, text.ToString()));
        }

        return new DeclarationContext(DeclarationSet.Create(texts), files, string.IsNullOrWhiteSpace(environment) ? null : environment!.Trim());
    }

    /// <summary>The feature set version, or null.</summary>
    public FeatureSet? FindFeatureSet(string name, int version) =>
        Set.Find(new FeatureSetReference(name, version))?.Value;

    /// <summary>The AdditionalFile of a repository-relative path.</summary>
    public AdditionalText? File(string relativePath) => _files.TryGetValue(relativePath, out var file) ? file : null;

    /// <summary>
    /// The Roslyn location of a declaration finding: its file as an AdditionalFile, spanning the
    /// offending token. <see cref="Location.None"/> if the file is not one of the compilation's.
    /// </summary>
    public Location ToLocation(Mlops.Declarations.Diagnostics.SourceLocation location, CancellationToken cancellationToken)
    {
        if (File(location.Path) is not { } file || file.GetText(cancellationToken) is not { } text)
        {
            return Location.None;
        }

        var lineIndex = Math.Min(Math.Max(location.Line - 1, 0), Math.Max(text.Lines.Count - 1, 0));
        var line = text.Lines[lineIndex];
        var start = Math.Min(line.Start + Math.Max(location.Column - 1, 0), line.End);
        var end = start;
        while (end < line.End && !IsTokenEnd(text[end]))
        {
            end++;
        }

        var span = TextSpan.FromBounds(start, end);
        return Location.Create(file.Path, span, text.Lines.GetLinePositionSpan(span));
    }

    private static bool IsTokenEnd(char c) => char.IsWhiteSpace(c) || c is ',' or '}' or ']' or '#';
}
