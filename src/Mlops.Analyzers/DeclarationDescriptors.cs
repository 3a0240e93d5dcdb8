using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Mlops.Declarations.Diagnostics;
using RoslynDescriptor = Microsoft.CodeAnalysis.DiagnosticDescriptor;

namespace Mlops.Analyzers;

/// <summary>
/// Roslyn descriptors for the declaration files' own findings (MLOPS0xxx, from <see cref="DiagnosticIds.All"/>):
/// the compiler reports them with the same ids, titles and severities as <c>mlops validate</c>.
/// </summary>
internal static class DeclarationDescriptors
{
    public static ImmutableArray<RoslynDescriptor> All { get; } = DiagnosticIds.All.Select(Create).ToImmutableArray();

    private static readonly Dictionary<string, RoslynDescriptor> s_byId = All.ToDictionary(d => d.Id);

    public static RoslynDescriptor For(string id) => s_byId[id];

    private static RoslynDescriptor Create(Mlops.Declarations.Diagnostics.DiagnosticDescriptor descriptor) =>
        new(descriptor.Id, descriptor.Title, "{0}", Categories.Declarations,
            descriptor.Severity == Severity.Error ? DiagnosticSeverity.Error : DiagnosticSeverity.Warning,
            isEnabledByDefault: true, helpLinkUri: Diagnostics.HelpLink(descriptor.Id));
}
