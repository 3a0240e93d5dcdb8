namespace Mlops.Runtime.Monitoring;

/// <summary>
/// SplitMix64 (Steele, Lea and Flood), the generator behind every seeded choice the monitor makes
/// (the bundle's reference sample, the windows' reservoirs): fixed here rather than the runtime's
/// <see cref="Random"/>, so the same seed picks the same rows on every .NET version.
/// </summary>
internal static class SplitMix64
{
    /// <summary>Advances <paramref name="state"/> and returns the next 64 random bits.</summary>
    public static ulong Next(ref ulong state)
    {
        var z = state += 0x9E37_79B9_7F4A_7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58_476D_1CE4_E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D0_49BB_1331_11EBUL;
        return z ^ (z >> 31);
    }
}
