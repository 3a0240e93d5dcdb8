using System.Runtime.InteropServices;

namespace Mlops.Pipeline.Tracking;

/// <summary>The software a run was produced with.</summary>
/// <param name="Os">The operating system and architecture, for example <c>Debian GNU/Linux 12 (bookworm) (x64)</c>.</param>
/// <param name="DotNet">The .NET runtime, for example <c>.NET 10.0.0</c>.</param>
/// <param name="MlNet">The ML.NET version the trainer used, as the training side reports it; null when unknown.</param>
public sealed record Toolchain(string Os, string DotNet, string? MlNet)
{
    /// <summary>This process's OS and .NET, with the given ML.NET version.</summary>
    public static Toolchain Current(string? mlNetVersion) =>
        new($"{RuntimeInformation.OSDescription} ({RuntimeInformation.OSArchitecture.ToString().ToLowerInvariant()})",
            RuntimeInformation.FrameworkDescription, mlNetVersion);
}
