using System.IO.Compression;

namespace Mlops.Runtime.Bundles;

/// <summary>
/// Writes zip archives whose bytes depend only on their entries: names in ordinal order, one fixed
/// time on every entry, one compression level. Model zips and bundles use it so that the same
/// inputs give the same sha256.
/// </summary>
public static class DeterministicZip
{
    /// <summary>The time every entry carries: 1980-01-01, the earliest a zip can record.</summary>
    public static readonly DateTimeOffset EntryTime = new(1980, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>Writes the entries (name to bytes) as a zip.</summary>
    public static byte[] Write(IEnumerable<KeyValuePair<string, byte[]>> entries)
    {
        using var output = new MemoryStream();
        using (var archive = new ZipArchive(output, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var entry in entries.OrderBy(e => e.Key, StringComparer.Ordinal))
            {
                var item = archive.CreateEntry(entry.Key, CompressionLevel.Optimal);
                item.LastWriteTime = EntryTime;
                using var stream = item.Open();
                stream.Write(entry.Value);
            }
        }

        return output.ToArray();
    }

    /// <summary>Rewrites any zip deterministically, keeping its entries' contents.</summary>
    public static byte[] Normalize(byte[] zip)
    {
        using var input = new ZipArchive(new MemoryStream(zip), ZipArchiveMode.Read);
        return Write(ReadAll(input));
    }

    /// <summary>Every entry of an archive, name to bytes.</summary>
    public static List<KeyValuePair<string, byte[]>> ReadAll(ZipArchive archive)
    {
        var entries = new List<KeyValuePair<string, byte[]>>();
        foreach (var entry in archive.Entries)
        {
            using var stream = entry.Open();
            using var buffer = new MemoryStream();
            stream.CopyTo(buffer);
            entries.Add(new KeyValuePair<string, byte[]>(entry.FullName, buffer.ToArray()));
        }

        return entries;
    }
}
